/* Collected errors as data (rolegate/errlist.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/errlist.h"

static void add(struct rg_errlist *el, const char *file, long line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void add(struct rg_errlist *el, const char *file, long line, const char *fmt, va_list ap)
{
	struct rg_err *v;
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	v = realloc(el->v, (el->n + 1) * sizeof(*v));
	if (v == NULL) {
		el->lost++;  /* still counts: the caller must fail */
		return;
	}
	el->v = v;
	v = &el->v[el->n++];
	v->file = file != NULL ? strdup(file) : NULL;
	v->line = line;
	v->msg = strdup(buf);
	if (file != NULL && v->file == NULL) {  /* half an error would print as another */
		free(v->msg);
		v->msg = NULL;
	}
}

void rg_errlist_at(struct rg_errlist *el, const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(el, file, line, fmt, ap);
	va_end(ap);
}

void rg_errlist_add(struct rg_errlist *el, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(el, NULL, 0, fmt, ap);
	va_end(ap);
}

const char *rg_errlist_text(const struct rg_errlist *el, size_t i, char *buf, size_t len)
{
	const struct rg_err *e = &el->v[i];

	if (e->msg == NULL)
		snprintf(buf, len, "out of memory");
	else if (e->file != NULL && e->line > 0)
		snprintf(buf, len, "%s:%ld: %s", e->file, e->line, e->msg);
	else if (e->file != NULL)
		snprintf(buf, len, "%s: %s", e->file, e->msg);
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

/* Insertion sort: stable, and the lists are short. */
void rg_errlist_sort_by_line(struct rg_errlist *el, size_t from)
{
	for (size_t i = from + 1; i < el->n; i++) {
		struct rg_err e = el->v[i];
		size_t j = i;

		while (j > from && el->v[j - 1].line > e.line) {
			el->v[j] = el->v[j - 1];
			j--;
		}
		el->v[j] = e;
	}
}

void rg_errlist_free(struct rg_errlist *el)
{
	if (el == NULL)
		return;
	for (size_t i = 0; i < el->n && el->v != NULL; i++) {
		free(el->v[i].file);
		free(el->v[i].msg);
	}
	free(el->v);
	el->v = NULL;
	el->n = 0;
	el->lost = 0;
}
