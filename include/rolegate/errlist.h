#ifndef ROLEGATE_ERRLIST_H
#define ROLEGATE_ERRLIST_H

#include <stddef.h>

/*
 * Collected errors, OpenSSH style: loaders report every problem they find
 * and fail once at the end. An error is data (the file, the line, the
 * message); "FILE:LINE: message" is only how it is printed
 * (rg_errlist_text), so that sorting or filtering never re-parses a string.
 */
struct rg_err {
	char *file;         /* the file the problem is in, or NULL */
	long line;          /* its line, 0 when the problem is not on one line */
	char *msg;          /* the message, or NULL if it could not be stored */
};

struct rg_errlist {
	struct rg_err *v;   /* n entries */
	size_t n;
	size_t lost;        /* errors that could not be stored at all (no memory) */
};

/* Room for any text rg_errlist_text() writes (file, line and message). */
#define RG_ERR_TEXT_MAX 2048

/* Appends an error about file (NULL: none) at line (0: none), the message
 * printf-formatted. Out of memory still counts as an error (lost), so a
 * loader never mistakes it for success. */
void rg_errlist_at(struct rg_errlist *el, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Appends an error that names no file: the message is all there is. */
void rg_errlist_add(struct rg_errlist *el, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether any error was added. */
static inline int rg_errlist_empty(const struct rg_errlist *el)
{
	return el->n == 0 && el->lost == 0;
}

/*
 * Error i as printed: "FILE:LINE: message", "FILE: message" (no line) or
 * "message" (no file); "out of memory" for one that could not be stored.
 * Writes into buf (RG_ERR_TEXT_MAX is enough) and returns it.
 */
const char *rg_errlist_text(const struct rg_errlist *el, size_t i, char *buf, size_t len);

/* rg_errlist_text() into a buffer that lives until the end of the enclosing
 * block: for printing, fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i)). */
#define RG_ERRLIST_LINE(el, i) \
	rg_errlist_text((el), (i), (char[RG_ERR_TEXT_MAX]){ 0 }, RG_ERR_TEXT_MAX)

/* Orders the errors from index `from` on by line (stable: errors on the
 * same line, or on none, keep the order they were found in). */
void rg_errlist_sort_by_line(struct rg_errlist *el, size_t from);

/* Frees all errors; leaves el empty. NULL-safe. */
void rg_errlist_free(struct rg_errlist *el);

#endif
