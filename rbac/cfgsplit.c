/* Cutting the roles group out of a configuration's text (rolegate/cfgsplit.h). */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/cfgsplit.h"

size_t rg_cfg_skip_comment_or_string(const char *t, size_t len, size_t i)
{
	if (t[i] == '#' || (t[i] == '/' && i + 1 < len && t[i + 1] == '/')) {
		while (i < len && t[i] != '\n')
			i++;
		return i;
	}
	if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
		for (i += 2; i + 1 < len && !(t[i] == '*' && t[i + 1] == '/'); i++)
			;
		return i + 2 <= len ? i + 2 : len;
	}
	if (t[i] == '"') {
		for (i++; i < len && t[i] != '"'; i++) {
			if (t[i] == '\\')
				i++;
		}
		return i < len ? i + 1 : len;
	}
	return i;
}

/* The next index from i that is neither white space nor a comment. */
static size_t skip_blank(const char *t, size_t len, size_t i)
{
	for (;;) {
		size_t j;

		while (i < len && isspace((unsigned char)t[i]))
			i++;
		if (i >= len || t[i] == '"')
			return i;
		j = rg_cfg_skip_comment_or_string(t, len, i);
		if (j == i)
			return i;
		i = j;
	}
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '*';
}

/*
 * Finds the body of the top-level roles group: *open is the index after its
 * '{', *close the index of its '}', and the index after every per_chunk-th
 * terminator (';' or ',') of its settings is stored in *cuts (malloc'd).
 * Returns the number of cuts, or -1 when there is no such group, the
 * brackets do not balance or memory runs out.
 */
static long find_roles(const char *t, size_t len, size_t per_chunk, size_t *open, size_t *close,
		size_t **cuts)
{
	size_t terminators = 0, cap = 0;
	int depth = 0;
	long ncuts = -1;
	bool in_roles = false;

	for (size_t i = 0; i < len;) {
		size_t j = rg_cfg_skip_comment_or_string(t, len, i);

		if (j != i) {
			i = j;
			continue;
		}
		if (depth == 0 && !in_roles && ncuts < 0 && name_char(t[i]) && (i == 0 || !name_char(t[i - 1]))) {
			size_t k = i;

			while (k < len && name_char(t[k]))
				k++;
			if (k - i == 5 && memcmp(t + i, "roles", 5) == 0) {
				k = skip_blank(t, len, k);
				if (k < len && (t[k] == '=' || t[k] == ':')) {
					k = skip_blank(t, len, k + 1);
					if (k < len && t[k] == '{') {
						in_roles = true;
						ncuts = 0;
						*open = k + 1;
						depth = 1;
						i = k + 1;
						continue;
					}
				}
			}
			i = k;
			continue;
		}
		if (t[i] == '{' || t[i] == '(' || t[i] == '[') {
			depth++;
		} else if (t[i] == '}' || t[i] == ')' || t[i] == ']') {
			if (--depth < 0)
				return -1;
			if (depth == 0 && in_roles) {
				*close = i;
				in_roles = false;
			}
		} else if (in_roles && depth == 1 && (t[i] == ';' || t[i] == ',') &&
				++terminators % per_chunk == 0) {
			if ((size_t)ncuts == cap) {
				size_t *v = realloc(*cuts, (cap = cap * 2 + 16) * sizeof(*v));

				if (v == NULL)
					return -1;
				*cuts = v;
			}
			(*cuts)[ncuts++] = i + 1;
		}
		i++;
	}
	return depth == 0 && !in_roles ? ncuts : -1;
}

void rg_cfgsplit_free(struct rg_cfgsplit *s)
{
	for (size_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	free(s->main);
	memset(s, 0, sizeof(*s));
}

/* "roles = {", text[from..to) starting on line `line` as in the file, "}". */
static char *chunk_text(const char *t, size_t from, size_t to, size_t line)
{
	static const char head[] = "roles = {";
	size_t len;
	char *c;

	len = sizeof(head) - 1 + (line - 1) + (to - from) + 3;
	c = malloc(len + 1);
	if (c == NULL)
		return NULL;
	memcpy(c, head, sizeof(head) - 1);
	memset(c + sizeof(head) - 1, '\n', line - 1);
	memcpy(c + sizeof(head) - 1 + line - 1, t + from, to - from);
	memcpy(c + len - 3, "\n}\n", 3);
	c[len] = '\0';
	return c;
}

int rg_cfgsplit(const char *text, size_t len, size_t per_chunk, struct rg_cfgsplit *out)
{
	size_t open = 0, close = 0, *cuts = NULL, from, line = 1;
	long ncuts;

	memset(out, 0, sizeof(*out));
	if (per_chunk == 0 || memmem(text, len, "@include", 8) != NULL || memchr(text, '\0', len) != NULL)
		return 1;
	ncuts = find_roles(text, len, per_chunk, &open, &close, &cuts);
	if (ncuts <= 0) {
		free(cuts);
		return 1;       /* no roles group, or small enough for libconfig as it is */
	}
	out->main = malloc(len + 1);
	out->chunks = calloc((size_t)ncuts + 2, sizeof(*out->chunks));
	if (out->main == NULL || out->chunks == NULL)
		goto oom;
	memcpy(out->main, text, len);
	out->main[len] = '\0';
	for (size_t i = open; i < close; i++) {
		if (out->main[i] != '\n')
			out->main[i] = ' ';
	}
	from = open;
	for (size_t i = 0; i < open; i++)
		line += text[i] == '\n';
	for (size_t k = 0; from < close; k++) {
		size_t to = k < (size_t)ncuts ? cuts[k] : close;

		if ((out->chunks[out->nchunks] = chunk_text(text, from, to, line)) == NULL)
			goto oom;
		out->nchunks++;
		for (size_t i = from; i < to; i++)
			line += text[i] == '\n';
		from = to;
	}
	free(cuts);
	return 0;
oom:
	free(cuts);
	rg_cfgsplit_free(out);
	return -1;
}
