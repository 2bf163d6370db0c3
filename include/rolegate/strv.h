#ifndef ROLEGATE_STRV_H
#define ROLEGATE_STRV_H

#include <stdbool.h>
#include <stddef.h>

/* A growable vector of owned strings. Zero-initialized is empty and valid. */
struct rg_strv {
	char **v;
	size_t n;
};

/* Appends a copy of s. Returns 0, or -1 when out of memory (v unchanged). */
int rg_strv_push(struct rg_strv *sv, const char *s);

/* Appends s unless an equal string is already present. Returns 0 or -1. */
int rg_strv_push_unique(struct rg_strv *sv, const char *s);

/* Whether s is an element (exact comparison). */
bool rg_strv_has(const struct rg_strv *sv, const char *s);

/* Joins the elements with sep into out (truncating safely). Returns out. */
char *rg_strv_join(const struct rg_strv *sv, const char *sep, char *out, size_t outlen);

/* Frees the elements and the array; leaves sv empty. NULL-safe. */
void rg_strv_free(struct rg_strv *sv);

#endif
