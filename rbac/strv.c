#include <stdlib.h>
#include <string.h>

#include "rolegate/strv.h"

int rg_strv_push(struct rg_strv *sv, const char *s)
{
	char **v;
	char *copy;

	copy = strdup(s);
	if (copy == NULL)
		return -1;
	v = realloc(sv->v, (sv->n + 1) * sizeof(*v));
	if (v == NULL) {
		free(copy);
		return -1;
	}
	v[sv->n++] = copy;
	sv->v = v;
	return 0;
}

int rg_strv_push_unique(struct rg_strv *sv, const char *s)
{
	if (rg_strv_has(sv, s))
		return 0;
	return rg_strv_push(sv, s);
}

bool rg_strv_has(const struct rg_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0)
			return true;
	}
	return false;
}

char *rg_strv_join(const struct rg_strv *sv, const char *sep, char *out, size_t outlen)
{
	size_t len = 0;

	if (outlen == 0)
		return out;
	out[0] = '\0';
	for (size_t i = 0; i < sv->n; i++) {
		const char *parts[2] = { i > 0 ? sep : "", sv->v[i] };

		for (size_t j = 0; j < 2; j++) {
			size_t plen = strlen(parts[j]);

			if (len + plen >= outlen)
				plen = outlen - 1 - len;
			memcpy(out + len, parts[j], plen);
			len += plen;
		}
	}
	out[len] = '\0';
	return out;
}

void rg_strv_free(struct rg_strv *sv)
{
	if (sv == NULL)
		return;
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}
