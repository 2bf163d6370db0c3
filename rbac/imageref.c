/*
 * Docker image references: see include/rolegate/imageref.h.
 *
 * The grammar is distribution/reference's (reference.go, regexp.go),
 * written out as small predicates instead of regular expressions:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain "/"] path
 *   domain           := host [ ":" port ]
 *   host             := domain-component ("." domain-component)* | "[" ipv6 "]"
 *   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   path             := path-component ("/" path-component)*
 *   path-component   := [a-z0-9]+ (separator [a-z0-9]+)*
 *   separator        := "." | "_" | "__" | "-"+
 *   tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest           := ("sha256" | "sha384" | "sha512") ":" lower-hex of 64 | 96 | 128
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rolegate/imageref.h"

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"
#define TAG_MAX 128
/* Longer input cannot be a valid reference: name, tag, digest and separators. */
#define INPUT_MAX (RG_IMAGEREF_NAME_MAX + 1 + TAG_MAX + 1 + 135)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c);
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || is_upper(c);
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_lower_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (is_upper(s[i])) {
			return true;
		}
	}
	return false;
}

static bool equals(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* domain-component ("." domain-component)* over s[0..n). */
static bool valid_domain_name(const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!is_alnum(s[i]) && s[i] != '-') {
				return false;
			}
			continue;
		}
		/* component s[start..i) */
		if (i == start || s[start] == '-' || s[i - 1] == '-') {
			return false;
		}
		start = i + 1;
	}
	return true;
}

/* host [":" port] over s[0..n). */
static bool valid_domain(const char *s, size_t n)
{
	size_t host_end;

	if (n == 0) {
		return false;
	}
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL || close == s + 1) {
			return false;
		}
		for (const char *p = s + 1; p < close; p++) {
			if (!is_hex(*p) && *p != ':') {
				return false;
			}
		}
		host_end = (size_t)(close - s) + 1;
	} else {
		const char *colon = memchr(s, ':', n);
		host_end = colon != NULL ? (size_t)(colon - s) : n;
		if (!valid_domain_name(s, host_end)) {
			return false;
		}
	}
	if (host_end == n) {
		return true;
	}
	if (s[host_end] != ':' || host_end + 1 == n) {
		return false;
	}
	for (size_t i = host_end + 1; i < n; i++) {
		if (!is_digit(s[i])) {
			return false;
		}
	}
	return true;
}

/* One path-component over s[0..n). */
static bool valid_path_component(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1])) {
		return false;
	}
	while (i < n) {
		size_t run = 0;
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		while (i + run < n && !is_lower_alnum(s[i + run])) {
			run++;
		}
		/* the separator s[i..i+run): ".", "_", "__" or one or more '-' */
		if (run == 1 && (s[i] == '.' || s[i] == '_' || s[i] == '-')) {
			i += run;
			continue;
		}
		if (run == 2 && s[i] == '_' && s[i + 1] == '_') {
			i += run;
			continue;
		}
		for (size_t k = 0; k < run; k++) {
			if (s[i + k] != '-') {
				return false;
			}
		}
		i += run;
	}
	return true;
}

/* path-component ("/" path-component)* over s[0..n). */
static bool valid_path(const char *s, size_t n)
{
	size_t start = 0;

	if (n == 0) {
		return false;
	}
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '/') {
			continue;
		}
		if (!valid_path_component(s + start, i - start)) {
			return false;
		}
		start = i + 1;
	}
	return true;
}

static bool valid_tag(const char *s, size_t n)
{
	if (n == 0 || n > TAG_MAX) {
		return false;
	}
	if (!is_alnum(s[0]) && s[0] != '_') {
		return false;
	}
	for (size_t i = 1; i < n; i++) {
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-') {
			return false;
		}
	}
	return true;
}

/* go-digest Parse + Validate: a known algorithm and hex of exactly its length. */
static bool valid_digest(const char *s, size_t n)
{
	static const struct {
		const char *alg;
		size_t hexlen;
	} algs[] = {
		{"sha256:", 64},
		{"sha384:", 96},
		{"sha512:", 128},
	};

	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		size_t al = strlen(algs[a].alg);
		if (n != al + algs[a].hexlen || memcmp(s, algs[a].alg, al) != 0) {
			continue;
		}
		for (size_t i = al; i < n; i++) {
			if (!is_lower_hex(s[i])) {
				return false;
			}
		}
		return true;
	}
	return false;
}

static bool is_image_id(const char *s, size_t n)
{
	if (n != 64) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_lower_hex(s[i])) {
			return false;
		}
	}
	return true;
}

/*
 * splitDockerDomain: whether the first component (s[0..n), before the first
 * '/') names a registry.
 */
static bool names_registry(const char *s, size_t n)
{
	return memchr(s, '.', n) != NULL || memchr(s, ':', n) != NULL ||
		equals(s, n, "localhost") || has_upper(s, n);
}

static void copy(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int rg_imageref_parse(const char *ref, struct rg_imageref *out, const char **errstr)
{
	const char *rest, *slash, *at, *colon, *name_end, *path_end;
	size_t len, domlen, prefixlen = 0, pathlen;

	memset(out, 0, sizeof(*out));
	len = strnlen(ref, INPUT_MAX + 1);
	if (len == 0) {
		*errstr = "the image reference is empty";
		return -1;
	}
	if (len > INPUT_MAX) {
		*errstr = "the image reference is too long";
		return -1;
	}
	if (is_image_id(ref, len)) {
		*errstr = "a 64-character hexadecimal string is an image id, not a repository name";
		return -1;
	}

	slash = strchr(ref, '/');
	if (slash != NULL && names_registry(ref, (size_t)(slash - ref))) {
		domlen = (size_t)(slash - ref);
		rest = slash + 1;
		if (equals(ref, domlen, LEGACY_DOMAIN)) {
			strcpy(out->domain, DEFAULT_DOMAIN);
		} else {
			if (!valid_domain(ref, domlen) || domlen >= sizeof(out->domain)) {
				*errstr = "the registry host name is not valid";
				return -1;
			}
			copy(out->domain, ref, domlen);
		}
	} else {
		strcpy(out->domain, DEFAULT_DOMAIN);
		rest = ref;
	}

	at = strchr(rest, '@');
	name_end = at != NULL ? at : rest + strlen(rest);
	colon = memchr(rest, ':', (size_t)(name_end - rest));
	path_end = colon != NULL ? colon : name_end;
	pathlen = (size_t)(path_end - rest);

	if (has_upper(rest, pathlen)) {
		*errstr = "the repository name must be lowercase";
		return -1;
	}
	if (!valid_path(rest, pathlen)) {
		*errstr = "the repository name is not valid";
		return -1;
	}
	if (strcmp(out->domain, DEFAULT_DOMAIN) == 0 && memchr(rest, '/', pathlen) == NULL) {
		prefixlen = strlen(OFFICIAL_PREFIX);
	}
	if (strlen(out->domain) + 1 + prefixlen + pathlen > RG_IMAGEREF_NAME_MAX) {
		*errstr = "the repository name is too long";
		return -1;
	}
	memcpy(out->path, OFFICIAL_PREFIX, prefixlen);
	copy(out->path + prefixlen, rest, pathlen);

	if (colon != NULL) {
		size_t taglen = (size_t)(name_end - colon - 1);
		if (!valid_tag(colon + 1, taglen)) {
			*errstr = "the tag is not valid";
			return -1;
		}
		copy(out->tag, colon + 1, taglen);
	}
	if (at != NULL) {
		size_t dlen = strlen(at + 1);
		if (!valid_digest(at + 1, dlen)) {
			*errstr = "the digest is not valid";
			return -1;
		}
		copy(out->digest, at + 1, dlen);
	}
	if (colon == NULL && at == NULL) {
		strcpy(out->tag, "latest");
		out->tag_defaulted = true;
	}
	return 0;
}

int rg_imageref_format(const struct rg_imageref *ref, bool with_default_tag, char *out,
		size_t outlen)
{
	bool tag = ref->tag[0] != '\0' && (with_default_tag || !ref->tag_defaulted);
	int n;

	n = snprintf(out, outlen, "%s/%s%s%s%s%s", ref->domain, ref->path, tag ? ":" : "",
		tag ? ref->tag : "", ref->digest[0] != '\0' ? "@" : "", ref->digest);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0) {
			out[0] = '\0';
		}
		return -1;
	}
	return 0;
}

int rg_imageref_normalize(const char *ref, char *out, size_t outlen)
{
	struct rg_imageref parsed;
	const char *errstr;

	if (rg_imageref_parse(ref, &parsed, &errstr) == -1) {
		if (outlen > 0) {
			out[0] = '\0';
		}
		return -1;
	}
	return rg_imageref_format(&parsed, true, out, outlen);
}

/*
 * Splits a registry entry into host and path prefix (see rg_imageref_under).
 * Returns false when the entry is not well formed.
 */
static bool split_prefix(const char *allowed, const char **dom, size_t *domlen,
		const char **path, size_t *pathlen)
{
	size_t len = strnlen(allowed, RG_IMAGEREF_NAME_MAX + 1);
	const char *slash;

	if (len == 0 || len > RG_IMAGEREF_NAME_MAX) {
		return false;
	}
	slash = strchr(allowed, '/');
	if (names_registry(allowed, slash != NULL ? (size_t)(slash - allowed) : len)) {
		*dom = allowed;
		*domlen = slash != NULL ? (size_t)(slash - allowed) : len;
		*path = slash != NULL ? slash + 1 : allowed + len;
		*pathlen = len - (size_t)(*path - allowed);
		if (equals(*dom, *domlen, LEGACY_DOMAIN)) {
			*dom = DEFAULT_DOMAIN;
			*domlen = strlen(DEFAULT_DOMAIN);
		}
		if (!valid_domain(*dom, *domlen)) {
			return false;
		}
		/* "host/" names no path: refuse rather than guess */
		return slash == NULL || valid_path(*path, *pathlen);
	}
	*dom = DEFAULT_DOMAIN;
	*domlen = strlen(DEFAULT_DOMAIN);
	*path = allowed;
	*pathlen = len;
	return valid_path(*path, *pathlen);
}

bool rg_imageref_valid_tag(const char *s)
{
	return valid_tag(s, strnlen(s, TAG_MAX + 1));
}

bool rg_imageref_valid_digest(const char *s)
{
	return valid_digest(s, strnlen(s, 136));
}

bool rg_imageref_prefix_valid(const char *allowed)
{
	const char *dom, *path;
	size_t domlen, pathlen;

	return split_prefix(allowed, &dom, &domlen, &path, &pathlen);
}

bool rg_imageref_under(const struct rg_imageref *img, const char *allowed)
{
	const char *dom, *path;
	size_t domlen, pathlen;

	if (!split_prefix(allowed, &dom, &domlen, &path, &pathlen)) {
		return false;
	}
	if (strlen(img->domain) != domlen || strncasecmp(img->domain, dom, domlen) != 0) {
		return false;
	}
	if (pathlen == 0) {
		return true;
	}
	if (strncmp(img->path, path, pathlen) != 0) {
		return false;
	}
	return img->path[pathlen] == '\0' || img->path[pathlen] == '/';
}
