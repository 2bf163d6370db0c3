#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/errlist.h"

void rg_errlist_add(struct rg_errlist *el, const char *fmt, ...)
{
	char **msg;
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	msg = realloc(el->msg, (el->n + 1) * sizeof(*msg));
	if (msg == NULL) {
		el->lost++;  /* still counts: the caller must fail */
		return;
	}
	el->msg = msg;
	el->msg[el->n++] = strdup(buf);
}

void rg_errlist_free(struct rg_errlist *el)
{
	if (el == NULL)
		return;
	for (size_t i = 0; i < el->n && el->msg != NULL; i++)
		free(el->msg[i]);
	free(el->msg);
	el->msg = NULL;
	el->n = 0;
	el->lost = 0;
}
