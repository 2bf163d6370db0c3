/*
 * The outer JSON of an authorization call, read in one pass without copying
 * (see calljson.h). Every rule below is jansson's (src/load.c), so that a
 * call refused by one reader is refused by the other: the answer to a call
 * must not depend on which of them read it.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/calljson.h"
#include "rolegate/utf8.h"

struct reader {
	const unsigned char *p, *end;
};

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* The value of 4 hex digits at p, or -1. */
static long hex4(const unsigned char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i];

		if (is_digit(c))
			v = v << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

/*
 * Whether all eight bytes at p are plain string bytes: none below 0x20,
 * none 0x80 or above, none '"' or '\\'. The usual bit tricks on a 64-bit
 * word: (x - 0x01..) & ~x & 0x80.. is non-zero when some byte of x is 0.
 */
static bool plain8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t x, quote, bslash, low;

	memcpy(&x, p, 8);
	quote = x ^ (ones * '"');
	bslash = x ^ (ones * '\\');
	/* A byte below 0x20 (high bit clear) underflows in x - 0x20.. */
	low = (x - ones * 0x20) & ~x;
	return (((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) | low | x) & highs ? false : true;
}

/*
 * The string whose opening quote is at r->p: no raw control characters, valid
 * UTF-8, the eight short escapes, \u escapes that make whole code points
 * (surrogates only in pairs) and never U+0000, which jansson refuses without
 * JSON_ALLOW_NUL. Notes its raw text and unescaped length in v.
 */
static int scan_string(struct reader *r, struct rg_calljson_value *v)
{
	const unsigned char *start = r->p + 1, *p = start, *end = r->end;
	size_t len = 0, n;
	bool escaped = false;
	long cp, lo;

	for (;;) {
		const unsigned char *run = p;

		/* Most of a call is long base64 and header text: skip the plain
		 * run (printable ASCII other than '"' and '\\') eight bytes at a
		 * time, then byte by byte up to what ends it. */
		while (end - p >= 8 && plain8(p))
			p += 8;
		while (p != end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		len += (size_t)(p - run);
		if (p == end || *p < 0x20)
			return -1;
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			if ((n = rg_utf8_len(p, (size_t)(end - p))) == 0)
				return -1;
			p += n;
			len += n;
			continue;
		}
		escaped = true;
		if (end - p < 2)
			return -1;
		if (memchr("\"\\/bfnrt", p[1], 8) != NULL) {
			p += 2;
			len++;
			continue;
		}
		if (p[1] != 'u' || end - p < 6 || (cp = hex4(p + 2)) < 0)
			return -1;
		p += 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || (lo = hex4(p + 2)) < 0xdc00 ||
			    lo > 0xdfff)
				return -1;
			p += 6;
			len += 4;
		} else if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff)) {
			return -1;
		} else {
			len += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
		}
	}
	v->type = RG_CALLJSON_STRING;
	v->raw = (const char *)start;
	v->raw_len = (size_t)(p - start);
	v->len = len;
	v->escaped = escaped;
	r->p = p + 1;
	return 0;
}

/*
 * Whether the real number text[0..len) is too large for a double: jansson
 * refuses those ("real number overflow"), so this asks strtod as it does,
 * with '.' turned into the locale's decimal point as it does.
 */
static bool real_overflows(const unsigned char *text, size_t len)
{
	char small[64], *copy = small, *dot;
	double d;
	bool over;

	if (len >= sizeof(small) && (copy = malloc(len + 1)) == NULL)
		return true; /* jansson cannot copy it either */
	memcpy(copy, text, len);
	copy[len] = '\0';
	if ((dot = strchr(copy, '.')) != NULL)
		*dot = localeconv()->decimal_point[0];
	errno = 0;
	d = strtod(copy, NULL);
	over = (d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE;
	if (copy != small)
		free(copy);
	return over;
}

/* A number: RFC 8259's grammar; an integer must fit a long long. */
static int scan_number(struct reader *r, struct rg_calljson_value *v)
{
	const unsigned char *start = r->p, *p = r->p, *end = r->end;
	bool neg = false, real = false, too_big = false;
	unsigned long long n = 0, limit = LLONG_MAX;

	if (p < end && *p == '-') {
		neg = true;
		limit = (unsigned long long)LLONG_MAX + 1;
		p++;
	}
	if (p == end || !is_digit(*p))
		return -1;
	if (*p == '0') {
		if (++p < end && is_digit(*p))
			return -1;
	}
	for (; p < end && is_digit(*p); p++) {
		unsigned d = *p - '0';

		if (n > (limit - d) / 10)
			too_big = true;
		else
			n = n * 10 + d;
	}
	if (p < end && *p == '.') {
		real = true;
		if (++p == end || !is_digit(*p))
			return -1;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = true;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return -1;
		while (p < end && is_digit(*p))
			p++;
	}
	if (real) {
		if (real_overflows(start, (size_t)(p - start)))
			return -1;
		v->type = RG_CALLJSON_REAL;
	} else {
		if (too_big)
			return -1;
		v->type = RG_CALLJSON_INTEGER;
		v->integer = !neg ? (long long)n : n == limit ? LLONG_MIN : -(long long)n;
	}
	r->p = p;
	return 0;
}

static int scan_scalar(struct reader *r, struct rg_calljson_value *v)
{
	static const struct {
		const char *word;
		enum rg_calljson_type type;
	} words[] = {
		{ "null", RG_CALLJSON_NULL }, { "true", RG_CALLJSON_TRUE }, { "false", RG_CALLJSON_FALSE },
	};

	if (r->p == r->end)
		return -1;
	if (*r->p == '"')
		return scan_string(r, v);
	if (*r->p == '-' || is_digit(*r->p))
		return scan_number(r, v);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);

		if ((size_t)(r->end - r->p) >= n && memcmp(r->p, words[i].word, n) == 0) {
			/* "nullx": whatever follows must be a delimiter, which the caller checks. */
			v->type = words[i].type;
			r->p += n;
			return 0;
		}
	}
	return -1;
}

/* `"key" :` at r->p, white space around it. */
static int scan_key(struct reader *r, struct rg_calljson_value *key)
{
	skip_ws(r);
	if (r->p == r->end || *r->p != '"' || scan_string(r, key) < 0)
		return -1;
	skip_ws(r);
	if (r->p == r->end || *r->p != ':')
		return -1;
	r->p++;
	return 0;
}

/*
 * Skips the value at r->p, which is at depth `depth`. Arrays and objects are
 * walked with a stack of one bit per level (object or array) rather than by
 * recursion, so that a hostile nesting costs no C stack.
 */
static int skip_value(struct reader *r, unsigned depth)
{
	unsigned char is_object[RG_CALLJSON_MAX_DEPTH / 8 + 1];
	unsigned open = 0; /* containers entered and not yet left */
	struct rg_calljson_value scratch;
	bool obj;

	for (;;) {
		/* A value, at depth + open. */
		if (depth + open > RG_CALLJSON_MAX_DEPTH)
			return -1;
		skip_ws(r);
		if (r->p < r->end && (*r->p == '{' || *r->p == '[')) {
			obj = *r->p++ == '{';
			if (obj)
				is_object[open / 8] |= (unsigned char)(1u << open % 8);
			else
				is_object[open / 8] &= (unsigned char)~(1u << open % 8);
			open++;
			skip_ws(r);
			if (r->p == r->end || *r->p != (obj ? '}' : ']')) {
				if (obj && scan_key(r, &scratch) < 0)
					return -1;
				continue; /* to its first value */
			}
			r->p++;
			open--;
		} else if (scan_scalar(r, &scratch) < 0) {
			return -1;
		}
		/* A value ended: leave the containers it ends, up to one that goes on. */
		for (;;) {
			if (open == 0)
				return 0;
			obj = is_object[(open - 1) / 8] >> (open - 1) % 8 & 1;
			skip_ws(r);
			if (r->p == r->end)
				return -1;
			if (*r->p == ',') {
				r->p++;
				if (obj && scan_key(r, &scratch) < 0)
					return -1;
				break;
			}
			if (*r->p != (obj ? '}' : ']'))
				return -1;
			r->p++;
			open--;
		}
	}
}

/* A member's value, at depth 2: described in v, containers skipped. */
static int scan_value(struct reader *r, struct rg_calljson_value *v)
{
	skip_ws(r);
	if (r->p < r->end && (*r->p == '{' || *r->p == '[')) {
		v->type = *r->p == '{' ? RG_CALLJSON_OBJECT : RG_CALLJSON_ARRAY;
		v->raw = (const char *)r->p;
		if (skip_value(r, 2) < 0)
			return -1;
		v->raw_len = (size_t)((const char *)r->p - v->raw);
		return 0;
	}
	return scan_scalar(r, v);
}

/* The keys of one object, unescaped, for finding duplicates. */
struct keys {
	struct key {
		const char *s;
		size_t len;
		char *owned; /* s, when the key had to be unescaped */
	} small[16], *v;
	size_t n, cap;
};

static int keys_add(struct keys *k, const struct rg_calljson_value *key)
{
	struct key *e;

	if (k->n == k->cap) {
		size_t cap = k->cap * 2;
		struct key *grown = k->v == k->small ? malloc(cap * sizeof(*grown)) :
			realloc(k->v, cap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		if (k->v == k->small)
			memcpy(grown, k->small, sizeof(k->small));
		k->v = grown;
		k->cap = cap;
	}
	e = &k->v[k->n];
	e->s = key->raw;
	e->len = key->len;
	e->owned = NULL;
	if (key->escaped) {
		if ((e->owned = malloc(key->len + 1)) == NULL)
			return -1;
		rg_calljson_unescape(key, e->owned);
		e->s = e->owned;
	}
	k->n++;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->s, y->s, x->len);
}

static bool keys_repeat(struct keys *k)
{
	qsort(k->v, k->n, sizeof(*k->v), key_cmp);
	for (size_t i = 1; i < k->n; i++) {
		if (key_cmp(&k->v[i - 1], &k->v[i]) == 0)
			return true;
	}
	return false;
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].owned);
	if (k->v != k->small)
		free(k->v);
}

enum rg_calljson_result rg_calljson_object(const char *buf, size_t len, rg_calljson_member_fn fn,
		void *arg)
{
	struct reader r = { (const unsigned char *)buf, (const unsigned char *)buf + len };
	struct keys keys;
	enum rg_calljson_result res = RG_CALLJSON_INVALID;

	keys.v = keys.small;
	keys.n = 0;
	keys.cap = sizeof(keys.small) / sizeof(keys.small[0]);
	skip_ws(&r);
	if (r.p < r.end && *r.p == '[') {
		if (skip_value(&r, 1) == 0 && (skip_ws(&r), r.p == r.end))
			return RG_CALLJSON_NOT_OBJECT;
		return RG_CALLJSON_INVALID;
	}
	if (r.p == r.end || *r.p++ != '{')
		return RG_CALLJSON_INVALID;
	skip_ws(&r);
	if (r.p < r.end && *r.p == '}') {
		r.p++;
	} else {
		for (;;) {
			struct rg_calljson_value key = { 0 }, value = { 0 };

			if (scan_key(&r, &key) < 0 || scan_value(&r, &value) < 0)
				goto out;
			if (keys_add(&keys, &key) < 0) {
				res = RG_CALLJSON_NOMEM;
				goto out;
			}
			fn(&key, &value, arg);
			skip_ws(&r);
			if (r.p < r.end && *r.p == ',') {
				r.p++;
				continue;
			}
			if (r.p == r.end || *r.p++ != '}')
				goto out;
			break;
		}
	}
	skip_ws(&r);
	if (r.p == r.end && !keys_repeat(&keys))
		res = RG_CALLJSON_OK;
out:
	keys_free(&keys);
	return res;
}

static char *put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		*out++ = (char)cp;
	} else if (cp < 0x800) {
		*out++ = (char)(0xc0 | cp >> 6);
		*out++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*out++ = (char)(0xe0 | cp >> 12);
		*out++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*out++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*out++ = (char)(0xf0 | cp >> 18);
		*out++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*out++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*out++ = (char)(0x80 | (cp & 0x3f));
	}
	return out;
}

void rg_calljson_unescape(const struct rg_calljson_value *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s->raw, *end = p + s->raw_len;
	unsigned long cp;

	while (p < end) {
		if (*p != '\\') {
			*out++ = (char)*p++;
			continue;
		}
		switch (p[1]) {
		case 'b': *out++ = '\b'; break;
		case 'f': *out++ = '\f'; break;
		case 'n': *out++ = '\n'; break;
		case 'r': *out++ = '\r'; break;
		case 't': *out++ = '\t'; break;
		case 'u':
			cp = (unsigned long)hex4(p + 2);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* scan_string saw the low half follow */
				cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned long)hex4(p + 8) - 0xdc00);
				p += 6;
			}
			out = put_utf8(out, cp);
			p += 4;
			break;
		default: *out++ = (char)p[1]; break; /* " \ / */
		}
		p += 2;
	}
	*out = '\0';
}
