/*
 * The approved-images list: see include/rolegate/approved.h. The parser
 * reports every bad line and keeps nothing from a file with one: a list
 * that parsed only in part would approve what its writer did not mean to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rolegate/approved.h"

#define SHA256_PREFIX "sha256:"
#define SHA256_HEX 64

const char *rg_approved_digest_problem(const char *digest)
{
	const char *colon = strchr(digest, ':');
	const char *hex;
	size_t n;

	if (colon == NULL)
		return "the digest has no algorithm: write sha256:HEX";
	if ((size_t)(colon - digest) != strlen("sha256") || strncasecmp(digest, "sha256", 6) != 0)
		return "the digest algorithm is not sha256";
	if (strncmp(digest, "sha256", 6) != 0)
		return "the digest algorithm must be written \"sha256\" in lower case";
	hex = colon + 1;
	n = strlen(hex);
	for (size_t i = 0; i < n; i++) {
		if (hex[i] >= 'A' && hex[i] <= 'F')
			return "the digest uses upper-case hex digits, which docker never writes";
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return "the digest is not hexadecimal";
	}
	if (n < SHA256_HEX)
		return "the digest is too short: a sha256 digest has 64 hex digits";
	if (n > SHA256_HEX)
		return "the digest is too long: a sha256 digest has 64 hex digits";
	return NULL;
}

/* Parses one entry (trimmed, non-empty, no comment) into e. Returns NULL, or
 * a static phrase saying what is wrong. */
static const char *parse_entry(const char *s, struct rg_approved_entry *e)
{
	const char *at = strchr(s, '@');
	const char *digest = at != NULL ? at + 1 : s;
	const char *problem, *errstr;
	struct rg_imageref img;
	char name[RG_IMAGEREF_MAX];

	if (at != NULL && strchr(at + 1, '@') != NULL)
		return "two '@' in one entry";
	if (at == s)
		return "the name before '@' is empty";
	/* Without '@' the line must be a digest: "busybox:latest" is not one. */
	if (strpbrk(s, " \t") != NULL || (at == NULL && strncasecmp(s, "sha", 3) != 0))
		return "not an entry: write [NAME@]sha256:HEX";
	problem = rg_approved_digest_problem(digest);
	if (problem != NULL)
		return problem;
	memcpy(e->digest, digest, strlen(digest) + 1);
	e->name = NULL;
	if (at == NULL)
		return NULL;
	if (rg_imageref_parse(s, &img, &errstr) < 0)
		return errstr;
	/* A tag (app:1@sha256:...) is allowed and dropped: the digest decides. */
	snprintf(name, sizeof(name), "%s/%s", img.domain, img.path);
	e->name = strdup(name);
	return e->name != NULL ? NULL : "out of memory";
}

static int entry_cmp(const void *a, const void *b)
{
	const struct rg_approved_entry *x = a, *y = b;
	int c = strcmp(x->digest, y->digest);

	if (c != 0)
		return c;
	if (x->name == NULL || y->name == NULL)
		return (x->name != NULL) - (y->name != NULL);
	return strcmp(x->name, y->name);
}

struct rg_approved *rg_approved_parse(const char *path, const char *text, size_t len,
		struct rg_errlist *errs)
{
	struct rg_approved *a = calloc(1, sizeof(*a));
	size_t before = errs->n + errs->lost, cap = 0, off = 0;
	unsigned long lineno = 0;

	if (a == NULL) {
		rg_errlist_at(errs, path, 0, "out of memory");
		return NULL;
	}
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t linelen = (nl != NULL ? (size_t)(nl - text) : len) - off;
		char line[RG_APPROVED_LINE_MAX + 1], *s, *end;
		struct rg_approved_entry e;
		const char *problem;

		lineno++;
		if (memchr(text + off, '\0', linelen) != NULL) {
			rg_errlist_at(errs, path, (long)lineno, "a NUL byte (not a text file)");
			break;
		}
		if (nl == NULL) {
			rg_errlist_at(errs, path, (long)lineno, "the last line does not end with a newline "
					"(the file may be half-written; replace it by rename)");
			break;
		}
		off += linelen + 1;
		if (linelen > RG_APPROVED_LINE_MAX) {
			rg_errlist_at(errs, path, (long)lineno, "the line is longer than %d bytes",
					RG_APPROVED_LINE_MAX);
			continue;
		}
		memcpy(line, text + off - linelen - 1, linelen);
		line[linelen] = '\0';
		line[strcspn(line, "#")] = '\0';
		s = line + strspn(line, " \t\r");
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		if (*s == '\0')
			continue;
		problem = parse_entry(s, &e);
		if (problem != NULL) {
			rg_errlist_at(errs, path, (long)lineno, "%s", problem);
			continue;
		}
		if (a->n == cap) {
			size_t ncap = cap > 0 ? cap * 2 : 16;
			struct rg_approved_entry *v = realloc(a->v, ncap * sizeof(*v));

			if (v == NULL) {
				free(e.name);
				rg_errlist_at(errs, path, 0, "out of memory");
				break;
			}
			a->v = v;
			cap = ncap;
		}
		a->v[a->n++] = e;
	}
	if (errs->n + errs->lost != before) {
		rg_approved_free(a);
		return NULL;
	}
	if (a->n > 0)
		qsort(a->v, a->n, sizeof(*a->v), entry_cmp);
	return a;
}

void rg_approved_free(struct rg_approved *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].name);
	free(a->v);
	free(a);
}

/* Whether the entry's name "domain/path" is img's repository. */
static bool same_repository(const char *name, const struct rg_imageref *img)
{
	size_t dlen = strlen(img->domain);

	return strncasecmp(name, img->domain, dlen) == 0 && name[dlen] == '/' &&
		strcmp(name + dlen + 1, img->path) == 0;
}

bool rg_approved_has(const struct rg_approved *a, const struct rg_imageref *img)
{
	size_t lo = 0, hi;

	if (a == NULL || rg_approved_digest_problem(img->digest) != NULL)
		return false;
	/* The first entry with this digest, then every one after it. */
	hi = a->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(a->v[mid].digest, img->digest) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < a->n && strcmp(a->v[i].digest, img->digest) == 0; i++) {
		if (a->v[i].name == NULL || same_repository(a->v[i].name, img))
			return true;
	}
	return false;
}
