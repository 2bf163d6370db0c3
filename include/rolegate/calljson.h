#ifndef ROLEGATE_CALLJSON_H
#define ROLEGATE_CALLJSON_H

/*
 * A one-pass reader for the outer JSON of an authorization call (the object
 * dockerd POSTs, moby pkg/authorization/api.go). It accepts exactly the texts
 * that jansson's json_loadb(buf, len, JSON_REJECT_DUPLICATES, ...) accepts,
 * apart from duplicate keys below the top level (see rg_calljson_object),
 * but copies nothing: it hands back where each top-level member's value is,
 * so that the caller copies only the few members a decision reads. The
 * certificates and headers dockerd also sends are validated and skipped.
 */

#include <stdbool.h>
#include <stddef.h>

/* jansson's JSON_PARSER_MAX_DEPTH, counted its way: the top-level value is
 * at depth 1, and scalars count as well as arrays and objects. */
#define RG_CALLJSON_MAX_DEPTH 2048

enum rg_calljson_type {
	RG_CALLJSON_NONE,       /* no such member (a zeroed value) */
	RG_CALLJSON_NULL,
	RG_CALLJSON_FALSE,
	RG_CALLJSON_TRUE,
	RG_CALLJSON_INTEGER,    /* no fraction, no exponent, fits a long long */
	RG_CALLJSON_REAL,       /* 200.0 and 2e2 are reals, as in jansson */
	RG_CALLJSON_STRING,
	RG_CALLJSON_ARRAY,
	RG_CALLJSON_OBJECT,
};

/* A value, pointing into the text it was read from (borrowed). */
struct rg_calljson_value {
	enum rg_calljson_type type;
	const char *raw;        /* strings: the text between the quotes;
	                         * arrays and objects: from '[' or '{' to the
	                         * matching bracket; other types: unset */
	size_t raw_len;
	size_t len;             /* strings: the length once unescaped */
	bool escaped;           /* strings: raw holds a backslash escape */
	long long integer;      /* RG_CALLJSON_INTEGER */
};

enum rg_calljson_result {
	RG_CALLJSON_OK = 0,
	RG_CALLJSON_INVALID = -1,    /* not one valid JSON text */
	RG_CALLJSON_NOT_OBJECT = -2, /* valid, but an array */
	RG_CALLJSON_NOMEM = -3,
};

typedef void (*rg_calljson_member_fn)(const struct rg_calljson_value *key,
		const struct rg_calljson_value *value, void *arg);

/*
 * Reads buf[0..len) (not NUL-terminated) as one JSON text that must be an
 * object, calling fn for each of its members in order with values that point
 * into buf. fn may be called before a later error is found: act on what it
 * saw only when this returns RG_CALLJSON_OK. Like jansson, a scalar at the
 * top level is RG_CALLJSON_INVALID, an array RG_CALLJSON_NOT_OBJECT.
 * Duplicate keys are refused in this object, as jansson refuses them; in
 * nested values they are not looked for (that would cost a set of keys per
 * object, and nothing reads those values). Calling it again on a member
 * object's raw text refuses duplicates there too.
 */
enum rg_calljson_result rg_calljson_object(const char *buf, size_t len, rg_calljson_member_fn fn,
		void *arg);

/*
 * Writes string value s unescaped to out, which must hold s->len + 1 bytes;
 * NUL-terminates. s must come from rg_calljson_object (already validated).
 */
void rg_calljson_unescape(const struct rg_calljson_value *s, char *out);

#endif
