/* Reading the configuration file for the engine (rolegate/policyfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/policyfile.h"

/* Reads all of path into a new buffer, or NULL. */
static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t r;

		if (n + 65536 + 1 > cap) {
			char *nb = realloc(buf, (cap = (n + 65536 + 1) * 2));

			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;   /* for the caller's message (EISDIR, EIO) */

		free(buf);
		fclose(f);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct rg_policy *rg_policy_load(const char *path, struct rg_errlist *errs, bool *unreadable)
{
	size_t len = 0;
	char *text = read_text(path, &len);
	struct rg_policy *p;

	if (unreadable != NULL)
		*unreadable = text == NULL;
	if (text == NULL) {
		rg_errlist_at(errs, path, 0, "cannot read the file: %s", strerror(errno));
		return NULL;
	}
	p = rg_policy_parse(text, len, path, errs);
	free(text);
	return p;
}
