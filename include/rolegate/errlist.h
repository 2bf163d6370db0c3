#ifndef ROLEGATE_ERRLIST_H
#define ROLEGATE_ERRLIST_H

#include <stddef.h>

/*
 * Collected error messages, OpenSSH style: loaders report every problem they
 * find ("FILE:LINE: message") and fail once at the end.
 */
struct rg_errlist {
	char **msg;         /* n entries; an entry is NULL if it could not be stored */
	size_t n;
	size_t lost;        /* messages that could not be stored at all (no memory) */
};

/* Appends a printf-formatted message. Out of memory still counts as an
 * error (lost), so a loader never mistakes it for success. */
void rg_errlist_add(struct rg_errlist *el, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether any error was added. */
static inline int rg_errlist_empty(const struct rg_errlist *el)
{
	return el->n == 0 && el->lost == 0;
}

/* Frees all messages; leaves el empty. NULL-safe. */
void rg_errlist_free(struct rg_errlist *el);

#endif
