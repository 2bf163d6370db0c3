/*
 * Request target normalization and the route table: see include/rolegate/route.h.
 *
 * What dockerd does with a request target, and so what this file mirrors:
 *  - Go's net/http refuses a target with a control byte, and parses it with
 *    url.ParseRequestURI: origin-form "/path?query" or absolute-form
 *    "scheme://authority/path?query". The query starts at the first '?';
 *    '#' is an ordinary path character here. The path is percent-decoded
 *    once; a bad escape is a 400.
 *  - gorilla/mux cleans the decoded path (path.Clean, keeping a trailing
 *    slash) and answers 301 to anything that changes: "//", "." and ".."
 *    segments. We refuse those rather than guess which route the client
 *    will follow the redirect to.
 *  - Each route is registered twice, as "/v{version:[0-9.]+}" + path and as
 *    the bare path, and matched against the decoded path, whole, method
 *    exact; the first registered route that matches wins.
 *  - Handlers read parameters with r.Form.Get: url.ParseQuery semantics.
 */

#include <string.h>

#include "rolegate/gojson.h"
#include "rolegate/imageref.h"
#include "rolegate/route.h"

enum object_kind {
	OBJ_NONE,
	OBJ_PATH,
	OBJ_PATH_IMAGE,
	OBJ_PUSH,
	OBJ_QUERY,
	OBJ_QUERY_IMAGE,
	OBJ_QUERY_IMAGES,
	OBJ_IMAGES_CREATE,
	OBJ_CREATE_NAME,
	OBJ_BODY_NAME,
};

enum access {
	RO,      /* only reads */
	RW,      /* mutating (SPEC.md §5) */
};

struct route {
	const char *method;
	const char *pattern;
	const char *command;
	enum object_kind object;
	const char *param;
	enum access access;
};

static const struct route routes[] = {
#include "routes.def"
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* unescape() results */
#define ESC_OK 0
#define ESC_BAD (-1)      /* '%' not followed by two hex digits */
#define ESC_TOO_LONG (-2) /* does not fit, or decodes to a NUL byte */

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/*
 * Percent-decodes s[0..end) into out (NUL-terminated), '+' as ' ' when plus
 * (query) and as itself otherwise (path), as Go's url.unescape does.
 */
static int unescape(const char *s, const char *end, bool plus, char *out, size_t outlen)
{
	size_t n = 0;

	for (; s < end; s++) {
		char c = *s;
		if (c == '%') {
			int hi, lo;
			if (end - s < 3 || (hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0) {
				return ESC_BAD;
			}
			c = (char)(hi << 4 | lo);
			s += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c == '\0' || n + 1 >= outlen) {
			return ESC_TOO_LONG;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return ESC_OK;
}

/*
 * The next value of key `name` in the query after *cursor, url.ParseQuery's
 * way: pairs split on '&', a pair holding ';' or a bad escape is skipped.
 * Returns 0 (value in out), -1 when no further pair has that key, or -2 when
 * the value does not fit in out or holds a NUL byte.
 */
static int query_next(const char **cursor, const char *name, char *out, size_t outlen)
{
	size_t namelen = strlen(name);
	char key[64];

	while (**cursor != '\0') {
		const char *pair = *cursor;
		const char *end = strchr(pair, '&');
		const char *eq;
		int r;

		if (end == NULL) {
			end = pair + strlen(pair);
			*cursor = end;
		} else {
			*cursor = end + 1;
		}
		if (end == pair || memchr(pair, ';', (size_t)(end - pair)) != NULL) {
			continue;
		}
		eq = memchr(pair, '=', (size_t)(end - pair));
		if (unescape(pair, eq != NULL ? eq : end, true, key, sizeof(key)) != ESC_OK) {
			continue;
		}
		if (strlen(key) != namelen || memcmp(key, name, namelen) != 0) {
			continue;
		}
		r = unescape(eq != NULL ? eq + 1 : end, end, true, out, outlen);
		if (r == ESC_BAD) {
			continue;
		}
		if (r == ESC_TOO_LONG) {
			out[0] = '\0';
			return -2;
		}
		return 0;
	}
	out[0] = '\0';
	return -1;
}

/* query_next from the start of the query. */
static int query_first(const char *query, const char *name, char *out, size_t outlen)
{
	const char *cursor = query;

	return query_next(&cursor, name, out, outlen);
}

int rg_query_next(const char **cursor, const char *name, char *out, size_t outlen)
{
	if (outlen == 0)
		return -2;
	return query_next(cursor, name, out, outlen);
}

int rg_query_get(const char *query, const char *name, char *out, size_t outlen)
{
	if (outlen == 0) {
		return -1;
	}
	return query_first(query, name, out, outlen) == 0 ? 0 : -1;
}

bool rg_query_unreadable(const char *query, size_t max)
{
	char value[RG_PATH_MAX];

	if (query == NULL)
		return false;
	if (max > sizeof(value))
		max = sizeof(value);
	while (*query != '\0') {
		const char *pair = query, *end = strchr(pair, '&'), *eq;

		if (end == NULL)
			end = pair + strlen(pair);
		query = *end == '&' ? end + 1 : end;
		if (end == pair || memchr(pair, ';', (size_t)(end - pair)) != NULL)
			continue;
		eq = memchr(pair, '=', (size_t)(end - pair));
		if (eq == NULL)
			continue;
		if (unescape(eq + 1, end, true, value, max) == ESC_TOO_LONG)
			return true;
	}
	return false;
}

static bool has_ctl(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			return true;
		}
	}
	return false;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Splits the request target into the raw path [*path, *path_end) and the
 * query. Returns 0, or -1 with *errstr.
 */
static int split_target(const char *uri, const char **path, const char **path_end,
		const char **query, const char **errstr)
{
	const char *p = uri, *q;

	if (*p != '/') {
		/* absolute-form: scheme ":" ["//" authority] path */
		if (!is_alpha(*p)) {
			*errstr = "the request target is neither a path nor an absolute URL";
			return -1;
		}
		while (is_alpha(*p) || (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.') {
			p++;
		}
		if (*p != ':') {
			*errstr = "the request target is neither a path nor an absolute URL";
			return -1;
		}
		p++;
		q = strchr(p, '?');
		if (q == NULL) {
			q = p + strlen(p);
		}
		if (q - p >= 2 && p[0] == '/' && p[1] == '/') {
			const char *slash = memchr(p + 2, '/', (size_t)(q - p - 2));
			p = slash != NULL ? slash : q;
		}
		if (p == q || *p != '/') {
			/* no path at all: dockerd's router redirects to "/" */
			*errstr = "the request path is not canonical";
			return -1;
		}
	}
	q = strchr(p, '?');
	*path = p;
	*path_end = q != NULL ? q : p + strlen(p);
	*query = q != NULL ? q + 1 : "";
	return 0;
}

/* Whether mux's cleanPath leaves the decoded path p (starting with '/') as it is. */
static bool canonical(const char *p)
{
	while (*p == '/') {
		const char *seg = p + 1;
		size_t n = strcspn(seg, "/");
		if (n == 0 && seg[0] == '/') {
			return false;
		}
		if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			return false;
		}
		p = seg + n;
	}
	return true;
}

/* Removes a leading "/v[0-9.]+" followed by '/', in place. */
static void strip_version(char *path)
{
	size_t i = 2;

	if (path[0] != '/' || path[1] != 'v') {
		return;
	}
	while ((path[i] >= '0' && path[i] <= '9') || path[i] == '.') {
		i++;
	}
	if (i > 2 && path[i] == '/') {
		memmove(path, path + i, strlen(path + i) + 1);
	}
}

/*
 * Matches path, whole, against a route pattern. Variables: "{x}" is one
 * segment, "{x:.*}" any text, "{x:.+}" any non-empty text; a pattern holds
 * literal text only after a ".*" or ".+" variable (checked by the tests).
 * On a match, [*cap, *cap + *caplen) is the first variable (or NULL, 0).
 */
static bool match(const char *pat, const char *path, const char **cap, size_t *caplen)
{
	bool captured = false;

	*cap = NULL;
	*caplen = 0;
	while (*pat != '\0') {
		const char *close, *start = path;
		size_t n;
		bool multi, nonempty = true;

		if (*pat != '{') {
			if (*pat != *path) {
				return false;
			}
			pat++;
			path++;
			continue;
		}
		close = strchr(pat, '}');
		multi = memchr(pat, ':', (size_t)(close - pat)) != NULL;
		if (multi) {
			nonempty = close[-1] == '+';
		}
		pat = close + 1;
		if (multi) {
			size_t rest = strlen(pat), left = strlen(path);
			if (left < rest || strcmp(path + left - rest, pat) != 0) {
				return false;
			}
			n = left - rest;
		} else {
			n = strcspn(path, "/");
		}
		if (nonempty && n == 0) {
			return false;
		}
		if (!captured) {
			*cap = start;
			*caplen = n;
			captured = true;
		}
		if (multi) {
			return true;
		}
		path += n;
	}
	return *path == '\0';
}

static bool copy_object(char *out, const char *s, size_t n)
{
	if (n >= RG_OBJECT_MAX) {
		return false;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/*
 * An image name as the object: the normalized reference when it parses,
 * the text as given otherwise (image ids, "sha256:..." ids, id prefixes
 * that are not references). A prefix that happens to be a valid name is
 * shown normalized, as dockerd would also first try it as a name.
 */
static void image_object(const char *name, char *out)
{
	out[0] = '\0';
	if (strncmp(name, "sha256:", 7) == 0 ||
			rg_imageref_normalize(name, out, RG_OBJECT_MAX) != 0) {
		copy_object(out, name, strnlen(name, RG_OBJECT_MAX));
	}
}

static void format_or_raw(const struct rg_imageref *ref, bool with_default_tag, const char *raw,
		char *out)
{
	if (rg_imageref_format(ref, with_default_tag, out, RG_OBJECT_MAX) != 0) {
		copy_object(out, raw, strnlen(raw, RG_OBJECT_MAX));
	}
}

/*
 * POST /images/create?fromImage=&tag= (dockerd postImagesCreate + PullImage):
 * a trailing ':' is dropped; a tag that is a digest replaces the tag (and
 * any digest), another tag replaces the tag and keeps the digest; with
 * neither, dockerd pulls every tag, so the object is the repository.
 */
static void pull_object(char *image, const char *tag, char *out)
{
	struct rg_imageref ref;
	const char *err;
	size_t len = strlen(image);

	if (len > 0 && image[len - 1] == ':') {
		image[len - 1] = '\0';
	}
	if (rg_imageref_parse(image, &ref, &err) != 0) {
		copy_object(out, image, strlen(image));
		return;
	}
	if (tag[0] != '\0') {
		if (rg_imageref_valid_digest(tag)) {
			ref.tag[0] = '\0';
			strcpy(ref.digest, tag);
		} else if (rg_imageref_valid_tag(tag)) {
			strcpy(ref.tag, tag);
		} else {
			copy_object(out, image, strlen(image));
			return;
		}
		ref.tag_defaulted = false;
	}
	format_or_raw(&ref, false, image, out);
}

/*
 * POST /images/create?fromSrc=&repo=&tag= (httputils.RepoTagReference):
 * repo with tag, "latest" by default; without repo, the source.
 */
static void import_object(const char *repo, const char *tag, const char *src, char *out)
{
	struct rg_imageref ref;
	const char *err;

	if (repo[0] == '\0') {
		/* "-" is the request body: nothing worth naming */
		if (strcmp(src, "-") != 0) {
			copy_object(out, src, strlen(src));
		}
		return;
	}
	if (rg_imageref_parse(repo, &ref, &err) != 0 || ref.digest[0] != '\0' ||
			(tag[0] != '\0' && !rg_imageref_valid_tag(tag))) {
		copy_object(out, repo, strlen(repo));
		return;
	}
	if (tag[0] != '\0') {
		strcpy(ref.tag, tag);
		ref.tag_defaulted = false;
	}
	format_or_raw(&ref, true, repo, out);
}

/*
 * POST /images/{name}/push?tag= (postImagesPush): with a tag, that tag of
 * the repository; without, the name as given, and a bare repository means
 * all of its tags.
 */
static void push_object(const char *name, const char *tag, char *out)
{
	struct rg_imageref ref;
	const char *err;

	if (rg_imageref_parse(name, &ref, &err) != 0 ||
			(tag[0] != '\0' && (ref.digest[0] != '\0' || !rg_imageref_valid_tag(tag)))) {
		copy_object(out, name, strlen(name));
		return;
	}
	if (tag[0] != '\0') {
		strcpy(ref.tag, tag);
		ref.tag_defaulted = false;
	}
	format_or_raw(&ref, false, name, out);
}

/* Every value of param, each as an image, comma-separated; ",..." when cut short. */
static int images_object(const char *query, const char *param, char *out)
{
	const char *cursor = query;
	char value[RG_OBJECT_MAX], one[RG_OBJECT_MAX];
	size_t n = 0;
	int r;

	out[0] = '\0';
	while ((r = query_next(&cursor, param, value, sizeof(value))) == 0) {
		size_t len;
		image_object(value, one);
		len = strlen(one);
		/* keep room for ",..." */
		if (n + (n > 0) + len + 4 >= RG_OBJECT_MAX) {
			strcpy(out + n, n > 0 ? ",..." : "...");
			return 0;
		}
		if (n > 0) {
			out[n++] = ',';
		}
		memcpy(out + n, one, len + 1);
		n += len;
	}
	return r == -1 ? 0 : -1;
}

static const char too_long[] = "a name or query parameter in the request is too long or holds a NUL byte";

/* Fills out->object (and for /images/create, out->command). */
static int set_object(const struct route *rt, const char *cap, size_t caplen,
		struct rg_route *out, const char **errstr)
{
	char a[RG_OBJECT_MAX], b[RG_OBJECT_MAX], c[RG_OBJECT_MAX];
	int r;

	switch (rt->object) {
	case OBJ_NONE:
	case OBJ_BODY_NAME:
		return 0;
	case OBJ_PATH:
		if (!copy_object(out->object, cap, caplen)) {
			*errstr = too_long;
			return -1;
		}
		return 0;
	case OBJ_PATH_IMAGE:
	case OBJ_PUSH:
		if (!copy_object(a, cap, caplen)) {
			*errstr = too_long;
			return -1;
		}
		if (rt->object == OBJ_PATH_IMAGE) {
			image_object(a, out->object);
			return 0;
		}
		if (query_first(out->query, "tag", b, sizeof(b)) == -2) {
			*errstr = too_long;
			return -1;
		}
		push_object(a, b, out->object);
		return 0;
	case OBJ_QUERY:
	case OBJ_QUERY_IMAGE:
	case OBJ_CREATE_NAME:
		r = query_first(out->query, rt->param, a, sizeof(a));
		if (r == -2) {
			*errstr = too_long;
			return -1;
		}
		if (r == 0 && rt->object == OBJ_QUERY_IMAGE) {
			image_object(a, out->object);
		} else if (r == 0) {
			/* dockerd takes one leading '/' off a container's name
			 * (?name=/web makes "web"): the object is the name it makes,
			 * so that `log query --object web` finds the create */
			strcpy(out->object, rt->object == OBJ_CREATE_NAME && a[0] == '/' ? a + 1 : a);
		}
		return 0;
	case OBJ_QUERY_IMAGES:
		if (images_object(out->query, rt->param, out->object) != 0) {
			*errstr = too_long;
			return -1;
		}
		return 0;
	case OBJ_IMAGES_CREATE:
		/* dockerd: fromImage non-empty pulls, anything else imports */
		if (query_first(out->query, "fromImage", a, sizeof(a)) == -2 ||
				query_first(out->query, "tag", b, sizeof(b)) == -2) {
			*errstr = too_long;
			return -1;
		}
		if (a[0] != '\0') {
			out->command = "image.pull";
			pull_object(a, b, out->object);
			return 0;
		}
		out->command = "image.import";
		if (query_first(out->query, "repo", a, sizeof(a)) == -2 ||
				query_first(out->query, "fromSrc", c, sizeof(c)) == -2) {
			*errstr = too_long;
			return -1;
		}
		import_object(a, b, c, out->object);
		return 0;
	}
	return 0;
}

static const struct route *lookup(const char *method, const char *path, const char **cap,
		size_t *caplen)
{
	for (size_t i = 0; i < NROUTES; i++) {
		if (strcmp(routes[i].method, method) == 0 && match(routes[i].pattern, path, cap, caplen)) {
			return &routes[i];
		}
	}
	return NULL;
}

static int fail(struct rg_route *out, const char **errstr, const char *why)
{
	out->command = "unknown";
	out->path[0] = '\0';
	out->object[0] = '\0';
	*errstr = why;
	return -1;
}

int rg_route_classify(const char *method, const char *uri, struct rg_route *out,
		const char **errstr)
{
	const char *path, *path_end, *cap;
	const struct route *rt;
	size_t caplen;
	int r;

	out->command = "unknown";
	out->path[0] = '\0';
	out->query = "";
	out->object[0] = '\0';

	if (has_ctl(uri)) {
		return fail(out, errstr, "the request target holds a control character");
	}
	if (split_target(uri, &path, &path_end, &out->query, errstr) != 0) {
		return fail(out, errstr, *errstr);
	}
	r = unescape(path, path_end, false, out->path, sizeof(out->path));
	if (r == ESC_BAD) {
		return fail(out, errstr, "the request path has an invalid percent-encoding");
	}
	if (r == ESC_TOO_LONG) {
		return fail(out, errstr, "the request path is too long or holds a NUL byte");
	}
	if (!canonical(out->path)) {
		return fail(out, errstr, "the request path is not canonical");
	}
	strip_version(out->path);

	rt = lookup(method, out->path, &cap, &caplen);
	if (rt == NULL) {
		return 0;
	}
	out->command = rt->command;
	if (set_object(rt, cap, caplen, out, errstr) != 0) {
		return fail(out, errstr, *errstr);
	}
	return 0;
}

static bool is_one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0) {
			return true;
		}
	}
	return false;
}

void rg_route_object_from_body(const char *command, const json_t *body, struct rg_route *out)
{
	static const char *const named[] = {
		"service.create", "volume.create", "network.create", "secret.create",
		"config.create", NULL,
	};
	bool image;
	const json_t *v;
	const char *s;
	size_t len;

	if (command == NULL || body == NULL || out->object[0] != '\0') {
		return;
	}
	image = strcmp(command, "container.create") == 0;
	if (!image && !is_one_of(command, named)) {
		return;
	}
	v = rg_json_get(body, image ? "Image" : "Name");
	if (!json_is_string(v)) {
		return;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len || len >= RG_OBJECT_MAX) {
		return;
	}
	if (image) {
		image_object(s, out->object);
	} else {
		memcpy(out->object, s, len + 1);
	}
}

bool rg_command_mutating(const char *command)
{
	if (command == NULL)
		return true;
	for (size_t i = 0; i < NROUTES; i++) {
		if (strcmp(routes[i].command, command) == 0)
			return routes[i].access == RW;
	}
	/* "unknown" and image.import (a /images/create that is no pull). */
	return true;
}

void rg_route_foreach(void (*fn)(const char *method, const char *pattern,
		const char *command, void *arg), void *arg)
{
	for (size_t i = 0; i < NROUTES; i++) {
		fn(routes[i].method, routes[i].pattern, routes[i].command, arg);
	}
}

void rg_command_foreach(void (*fn)(const char *command, void *arg), void *arg)
{
	for (size_t i = 0; i < NROUTES; i++)
		fn(routes[i].command, arg);
	/* POST /images/create is image.pull or, by its query, image.import (IMAGES_CREATE) */
	fn("image.import", arg);
}
