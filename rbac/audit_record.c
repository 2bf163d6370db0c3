/*
 * The accountability log's record: formatting a line with its chain hash,
 * parsing a line back, and verifying a chain (see audit_record.h for the
 * exact definition of the hash). The writer runs rg_audit_format() on every
 * Docker API call, so it writes JSON by hand in a fixed key order instead of
 * building a jansson tree: no allocation once the buffer has grown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "rolegate/audit_record.h"
#include "rolegate/route.h"
#include "rolegate/utf8.h"

static const char hexdigits[] = "0123456789abcdef";

/* ---- buffer ---- */

void rg_audit_buf_free(struct rg_audit_buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Makes room for n more bytes. Returns 0 or -1 (no memory). */
static int reserve(struct rg_audit_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= n)
		return 0;
	cap = b->cap > 0 ? b->cap : 1024;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (p == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int put(struct rg_audit_buf *b, const char *s, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

#define PUT_LIT(b, lit) put((b), (lit), sizeof(lit) - 1)

static int put_u64(struct rg_audit_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return put(b, tmp + i, sizeof(tmp) - i);
}

/*
 * Appends s as a JSON string. Values come from the network (user names,
 * URIs): invalid UTF-8 becomes U+FFFD so that every line stays valid JSON,
 * and a value longer than RG_AUDIT_FIELD_MAX is cut and marked "...".
 */
static int put_str(struct rg_audit_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str != NULL ? str : "");
	size_t n = strlen((const char *)s);
	bool cut = false;
	char *o;
	size_t i = 0;

	if (n > RG_AUDIT_FIELD_MAX) {
		n = RG_AUDIT_FIELD_MAX;
		while (n > 0 && (s[n] & 0xc0) == 0x80)
			n--;
		cut = true;
	}
	/* Worst case: every byte becomes \u00XX (6) or U+FFFD (3). */
	if (reserve(b, n * 6 + 8) < 0)
		return -1;
	o = b->p + b->len;
	*o++ = '"';
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x80) {
			*o++ = '\\';
			switch (c) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				*o++ = 'u';
				*o++ = '0';
				*o++ = '0';
				*o++ = hexdigits[c >> 4];
				*o++ = hexdigits[c & 15];
			}
			i++;
			continue;
		}
		l = rg_utf8_len(s + i, n - i);
		if (l == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, s + i, l);
		o += l;
		i += l;
	}
	if (cut) {
		memcpy(o, "...", 3);
		o += 3;
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	return 0;
}

static int put_list(struct rg_audit_buf *b, const struct rg_strv *sv)
{
	size_t n = sv != NULL ? sv->n : 0;

	if (PUT_LIT(b, "[") < 0)
		return -1;
	for (size_t i = 0; i < n && i < RG_AUDIT_LIST_MAX; i++) {
		if ((i > 0 && PUT_LIT(b, ",") < 0) || put_str(b, sv->v[i]) < 0)
			return -1;
	}
	if (n > RG_AUDIT_LIST_MAX && PUT_LIT(b, ",\"...\"") < 0)
		return -1;
	return PUT_LIT(b, "]");
}

void rg_audit_hex(const unsigned char d[RG_AUDIT_DIGEST_LEN], char out[RG_AUDIT_HEX_LEN + 1])
{
	for (size_t i = 0; i < RG_AUDIT_DIGEST_LEN; i++) {
		out[2 * i] = hexdigits[d[i] >> 4];
		out[2 * i + 1] = hexdigits[d[i] & 15];
	}
	out[RG_AUDIT_HEX_LEN] = '\0';
}

/* Parses exactly 64 lowercase hex digits (what the writer writes, nothing else). */
static int unhex(const char *s, size_t n, unsigned char d[RG_AUDIT_DIGEST_LEN])
{
	if (n != RG_AUDIT_HEX_LEN)
		return -1;
	for (size_t i = 0; i < RG_AUDIT_HEX_LEN; i++) {
		const char *p = memchr(hexdigits, s[i], 16);

		if (s[i] == '\0' || p == NULL)
			return -1;
		if (i % 2 == 0)
			d[i / 2] = (unsigned char)((p - hexdigits) << 4);
		else
			d[i / 2] |= (unsigned char)(p - hexdigits);
	}
	return 0;
}

/* ---- the chain's hash ---- */

struct rg_audit_mac {
	EVP_MD *md;
	EVP_MD_CTX *mdctx;
	EVP_MAC *mac;          /* NULL: plain SHA-256 */
	EVP_MAC_CTX *macctx;
	unsigned char *key;
	size_t keylen;
	bool keyed_once;       /* the key is loaded into macctx */
};

struct rg_audit_mac *rg_audit_mac_new(const void *key, size_t keylen)
{
	struct rg_audit_mac *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	/* Fetched once: an implicit fetch per record would cost more than the hash. */
	m->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	m->mdctx = EVP_MD_CTX_new();
	if (m->md == NULL || m->mdctx == NULL)
		goto fail;
	if (key == NULL || keylen == 0)
		return m;
	m->key = malloc(keylen);
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (m->key == NULL || m->mac == NULL)
		goto fail;
	m->macctx = EVP_MAC_CTX_new(m->mac);
	if (m->macctx == NULL)
		goto fail;
	memcpy(m->key, key, keylen);
	m->keylen = keylen;
	return m;
fail:
	rg_audit_mac_free(m);
	return NULL;
}

bool rg_audit_mac_keyed(const struct rg_audit_mac *m)
{
	return m->mac != NULL;
}

void rg_audit_mac_free(struct rg_audit_mac *m)
{
	if (m == NULL)
		return;
	EVP_MAC_CTX_free(m->macctx);
	EVP_MAC_free(m->mac);
	EVP_MD_CTX_free(m->mdctx);
	EVP_MD_free(m->md);
	if (m->key != NULL)
		OPENSSL_cleanse(m->key, m->keylen);
	free(m->key);
	free(m);
}

/* MAC of a followed by b. Returns 0 or -1. */
static int mac2(struct rg_audit_mac *m, const void *a, size_t alen, const void *b, size_t blen,
		unsigned char out[RG_AUDIT_DIGEST_LEN])
{
	size_t outlen = 0;
	unsigned int mdlen = 0;

	if (m->mac != NULL) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
			OSSL_PARAM_construct_end(),
		};

		/* After the first init, a NULL key reuses the prepared key pads. */
		if (!EVP_MAC_init(m->macctx, m->keyed_once ? NULL : m->key,
				m->keyed_once ? 0 : m->keylen, m->keyed_once ? NULL : params))
			return -1;
		m->keyed_once = true;
		if (!EVP_MAC_update(m->macctx, a, alen) || !EVP_MAC_update(m->macctx, b, blen) ||
		    !EVP_MAC_final(m->macctx, out, &outlen, RG_AUDIT_DIGEST_LEN) ||
		    outlen != RG_AUDIT_DIGEST_LEN)
			return -1;
		return 0;
	}
	if (!EVP_DigestInit_ex2(m->mdctx, m->md, NULL) || !EVP_DigestUpdate(m->mdctx, a, alen) ||
	    !EVP_DigestUpdate(m->mdctx, b, blen) || !EVP_DigestFinal_ex(m->mdctx, out, &mdlen) ||
	    mdlen != RG_AUDIT_DIGEST_LEN)
		return -1;
	return 0;
}

int rg_audit_mac_data(struct rg_audit_mac *m, const void *data, size_t len,
		unsigned char out[RG_AUDIT_DIGEST_LEN])
{
	return mac2(m, data, len, "", 0, out);
}

int rg_audit_head_format(char *out, const char *host, const struct rg_audit_chain *c,
		struct rg_audit_mac *m)
{
	char hex[RG_AUDIT_HEX_LEN + 1];
	unsigned char d[RG_AUDIT_DIGEST_LEN];
	int n;

	rg_audit_hex(c->hash, hex);
	n = snprintf(out, RG_AUDIT_HEAD_MAX, "rolegate-head host=%s seq=%llu hash=%s",
			host[0] != '\0' ? host : "-", (unsigned long long)c->seq, hex);
	if (n < 0 || n >= RG_AUDIT_HEAD_MAX - RG_AUDIT_HEX_LEN - 7 ||
	    mac2(m, out, (size_t)n, "", 0, d) < 0)
		return -1;
	rg_audit_hex(d, hex);
	return n + snprintf(out + n, RG_AUDIT_HEAD_MAX - (size_t)n, " mac=%s\n", hex);
}

int rg_audit_head_parse(const char *text, size_t len, char *host, struct rg_audit_chain *c,
		struct rg_audit_mac *m)
{
	char buf[RG_AUDIT_HEAD_MAX], hex[RG_AUDIT_HEX_LEN + 1], mac[RG_AUDIT_HEX_LEN + 1];
	unsigned char want[RG_AUDIT_DIGEST_LEN], got[RG_AUDIT_DIGEST_LEN];
	unsigned long long seq;
	const char *cut;
	int end = 0;

	if (len == 0 || len >= sizeof(buf) || text[len - 1] != '\n')
		return -1;
	memcpy(buf, text, len - 1);
	buf[len - 1] = '\0';
	if (sscanf(buf, "rolegate-head host=%255s seq=%llu hash=%64[0-9a-f] mac=%64[0-9a-f]%n",
			host, &seq, hex, mac, &end) != 4 || (size_t)end != len - 1 || seq == 0 ||
	    seq >= (unsigned long long)INT64_MAX ||   /* past any seq a record can hold */
	    unhex(hex, strlen(hex), c->hash) < 0 || unhex(mac, strlen(mac), want) < 0)
		return -1;
	c->seq = seq;
	cut = strstr(buf, " mac=");
	if (cut == NULL || mac2(m, buf, (size_t)(cut - buf), "", 0, got) < 0)
		return -1;
	return CRYPTO_memcmp(want, got, sizeof(got)) == 0 ? 0 : -2;
}

int rg_audit_sha256(const void *data, size_t len, unsigned char out[RG_AUDIT_DIGEST_LEN])
{
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, out, &mdlen, EVP_sha256(), NULL) || mdlen != RG_AUDIT_DIGEST_LEN)
		return -1;
	return 0;
}

/* ---- formatting ---- */

static int put_time(struct rg_audit_buf *b, const struct timespec *t)
{
	char tmp[40];
	struct tm tm;
	time_t sec = t->tv_sec;
	int n;

	if (gmtime_r(&sec, &tm) == NULL)
		return -1;
	n = snprintf(tmp, sizeof(tmp), "\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\"",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			tm.tm_sec, (long)(t->tv_nsec / 1000));
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	return put(b, tmp, (size_t)n);
}

static int begin(struct rg_audit_buf *b, const struct rg_audit_chain *prev, const struct timespec *t,
		const char *phase)
{
	b->len = 0;
	if (PUT_LIT(b, "{\"seq\":") < 0 || put_u64(b, prev->seq + 1) < 0 ||
	    PUT_LIT(b, ",\"time\":") < 0 || put_time(b, t) < 0 ||
	    PUT_LIT(b, ",\"phase\":\"") < 0 || put(b, phase, strlen(phase)) < 0 ||
	    PUT_LIT(b, "\"") < 0)
		return -1;
	return 0;
}

/*
 * Closes the record: ,"prev":"..."} is the text the hash covers; then the
 * closing brace is replaced by ,"hash":"..."} and the newline.
 */
static int finish(struct rg_audit_buf *b, const struct rg_audit_chain *prev, struct rg_audit_mac *m,
		struct rg_audit_chain *next)
{
	char hex[RG_AUDIT_HEX_LEN + 1];

	rg_audit_hex(prev->hash, hex);
	if (PUT_LIT(b, ",\"prev\":\"") < 0 || put(b, hex, RG_AUDIT_HEX_LEN) < 0 ||
	    PUT_LIT(b, "\"}") < 0)
		return -1;
	if (mac2(m, b->p, b->len, "", 0, next->hash) < 0)
		return -1;
	next->seq = prev->seq + 1;
	b->len--;
	rg_audit_hex(next->hash, hex);
	if (PUT_LIT(b, ",\"hash\":\"") < 0 || put(b, hex, RG_AUDIT_HEX_LEN) < 0 ||
	    PUT_LIT(b, "\"}\n") < 0)
		return -1;
	return 0;
}

static int field(struct rg_audit_buf *b, const char *key_colon, size_t klen, const char *value)
{
	if (put(b, key_colon, klen) < 0)
		return -1;
	return put_str(b, value);
}

#define FIELD(b, name, v) field((b), ",\"" name "\":", sizeof(",\"" name "\":") - 1, (v))

/*
 * ,"details":{...} when d is a non-empty object. jansson writes it (valid
 * UTF-8 in, control characters escaped); the strings in it were cut to
 * RG_AUDIT_FIELD_MAX by whoever built it (details.h).
 */
static int put_details(struct rg_audit_buf *b, const json_t *d)
{
	char *text;
	int r;

	if (d == NULL || !json_is_object(d) || json_object_size(d) == 0)
		return 0;
	text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL)
		return -1;
	r = PUT_LIT(b, ",\"details\":") < 0 || put(b, text, strlen(text)) < 0 ? -1 : 0;
	free(text);
	return r;
}

int rg_audit_format(struct rg_audit_buf *b, const struct rg_audit_chain *prev,
		const struct timespec *t, const struct rg_audit_entry *e, struct rg_audit_mac *m,
		struct rg_audit_chain *next)
{
	bool allow = e->decision == RG_ALLOW;
	bool response = e->phase == RG_PHASE_RESPONSE;

	if (begin(b, prev, t, response ? "response" : "request") < 0 ||
	    FIELD(b, "user", e->user) < 0 ||
	    FIELD(b, "authn", e->authn != NULL && e->authn[0] != '\0' ? e->authn : "none") < 0 ||
	    PUT_LIT(b, ",\"groups\":") < 0 || put_list(b, e->groups) < 0 ||
	    PUT_LIT(b, ",\"roles\":") < 0 || put_list(b, e->roles) < 0 ||
	    FIELD(b, "command", e->command != NULL ? e->command : "unknown") < 0 ||
	    FIELD(b, "object", e->object) < 0 ||
	    FIELD(b, "method", e->method) < 0 ||
	    FIELD(b, "uri", e->uri) < 0 ||
	    FIELD(b, "decision", allow ? "allow" : "deny") < 0)
		return -1;
	if (allow && FIELD(b, "role", e->role) < 0)
		return -1;
	if (!allow && FIELD(b, "reason", e->reason) < 0)
		return -1;
	if (response && (PUT_LIT(b, ",\"status\":") < 0 ||
			put_u64(b, e->status > 0 ? (uint64_t)e->status : 0) < 0))
		return -1;
	if (e->id != NULL && e->id[0] != '\0' && FIELD(b, "id", e->id) < 0)
		return -1;
	if (e->note != NULL && FIELD(b, "note", e->note) < 0)
		return -1;
	if (e->host != NULL && e->host[0] != '\0' && FIELD(b, "host", e->host) < 0)
		return -1;
	if (e->policy != NULL && e->policy[0] != '\0' && FIELD(b, "policy", e->policy) < 0)
		return -1;
	if (put_details(b, e->details) < 0)
		return -1;
	return finish(b, prev, m, next);
}

int rg_audit_format_system(struct rg_audit_buf *b, const struct rg_audit_chain *prev,
		const struct timespec *t, const struct rg_audit_system *s, struct rg_audit_mac *m,
		struct rg_audit_chain *next)
{
	char hex[RG_AUDIT_HEX_LEN + 1];
	bool torn = s->event == RG_AUDIT_EVENT_TORN;
	const char *event = torn ? "torn" : s->event == RG_AUDIT_EVENT_RELINK ? "relink" :
			s->event == RG_AUDIT_EVENT_GAP ? "gap" : "rotate";

	if (begin(b, prev, t, "system") < 0 ||
	    FIELD(b, "event", event) < 0 ||
	    FIELD(b, "note", s->note) < 0)
		return -1;
	if (s->host != NULL && s->host[0] != '\0' && FIELD(b, "host", s->host) < 0)
		return -1;
	if (s->event == RG_AUDIT_EVENT_RELINK && s->replay_from > 0 &&
	    (PUT_LIT(b, ",\"replay_from\":") < 0 || put_u64(b, s->replay_from) < 0))
		return -1;
	if (torn) {
		rg_audit_hex(s->torn_sha256, hex);
		if (PUT_LIT(b, ",\"torn_bytes\":") < 0 || put_u64(b, s->torn_bytes) < 0 ||
		    FIELD(b, "torn_sha256", hex) < 0)
			return -1;
	}
	return finish(b, prev, m, next);
}

/* ---- times ---- */

/* Reads exactly n digits. Returns the value or -1. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/* RFC 3339, with the leniencies documented in the header. */
static int parse_rfc3339(const char *s, int64_t *out_us)
{
	const char *p = s;
	struct tm tm = { 0 };
	int64_t us = 0, off = 0;
	time_t t;
	int year, mon, day, hour = 0, min = 0, sec = 0;

	if ((year = digits(&p, 4)) < 0 || *p++ != '-' || (mon = digits(&p, 2)) < 0 ||
	    *p++ != '-' || (day = digits(&p, 2)) < 0)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if ((hour = digits(&p, 2)) < 0 || *p++ != ':' || (min = digits(&p, 2)) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if ((sec = digits(&p, 2)) < 0)
				return -1;
			if (*p == '.') {
				int64_t scale = 100000;

				p++;
				if (*p < '0' || *p > '9')
					return -1;
				for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
					us += (*p - '0') * scale;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;
			int oh, om;

			if ((oh = digits(&p, 2)) < 0 || *p++ != ':' || (om = digits(&p, 2)) < 0 ||
			    oh > 23 || om > 59)
				return -1;
			off = sign * ((int64_t)oh * 3600 + om * 60);
		}
	}
	if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
	    sec > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 && year != 1969)
		return -1;
	*out_us = ((int64_t)t - off) * 1000000 + us;
	return 0;
}

int rg_audit_time_parse(const char *s, int64_t now_us, int64_t *out_us)
{
	char *end;
	unsigned long long n;
	int64_t unit;

	if (s[0] >= '0' && s[0] <= '9' && strlen(s) < 10) {
		n = strtoull(s, &end, 10);
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
		if (end[1] != '\0')
			return -1;
		*out_us = now_us - (int64_t)n * unit * 1000000;
		return 0;
	}
	return parse_rfc3339(s, out_us);
}

bool rg_audit_records_response(enum rg_responses r, const char *command)
{
	switch (r) {
	case RG_RESPONSES_ALL:
		return true;
	case RG_RESPONSES_NONE:
		return false;
	case RG_RESPONSES_MUTATING:
		return rg_command_mutating(command);
	}
	return true;
}

/* ---- reading ---- */

static const char *opt_string(const json_t *o, const char *key, bool *bad)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL)
		return "";
	if (!json_is_string(v)) {
		*bad = true;
		return "";
	}
	return json_string_value(v);
}

static const json_t *opt_array(const json_t *o, const char *key, bool *bad)
{
	const json_t *v = json_object_get(o, key);
	size_t i;
	const json_t *x;

	if (v == NULL)
		return NULL;
	if (!json_is_array(v)) {
		*bad = true;
		return NULL;
	}
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			*bad = true;
	}
	return v;
}

static int hex_field(const json_t *o, const char *key, unsigned char d[RG_AUDIT_DIGEST_LEN])
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return -1;
	return unhex(json_string_value(v), json_string_length(v), d);
}

int rg_audit_record_parse(const char *line, size_t len, struct rg_audit_record *r,
		const char **errstr)
{
	static const char tail[] = ",\"hash\":\"";
	json_error_t jerr;
	const json_t *v;
	bool bad = false;
	json_int_t seq;

	memset(r, 0, sizeof(*r));
	if (len == 0) {
		*errstr = "empty line";
		return -1;
	}
	if (len > RG_AUDIT_LINE_MAX) {
		*errstr = "line too long";
		return -1;
	}
	r->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->json == NULL || !json_is_object(r->json)) {
		*errstr = "not a JSON object";
		return -1;
	}
	/* The hash must be the last member, written exactly as the writer does. */
	if (len < RG_AUDIT_HASH_TAIL_LEN + 2 ||
	    memcmp(line + len - RG_AUDIT_HASH_TAIL_LEN, tail, sizeof(tail) - 1) != 0 ||
	    line[len - 2] != '"' || line[len - 1] != '}' ||
	    unhex(line + len - 2 - RG_AUDIT_HEX_LEN, RG_AUDIT_HEX_LEN, r->hash) < 0) {
		*errstr = "the record does not end with its hash";
		return -1;
	}
	if (hex_field(r->json, "prev", r->prev) < 0) {
		*errstr = "no valid prev";
		return -1;
	}
	v = json_object_get(r->json, "seq");
	if (!json_is_integer(v) || (seq = json_integer_value(v)) < 1) {
		*errstr = "no valid seq";
		return -1;
	}
	r->seq = (uint64_t)seq;
	r->time = opt_string(r->json, "time", &bad);
	if (bad || parse_rfc3339(r->time, &r->time_us) < 0) {
		*errstr = "no valid time";
		return -1;
	}
	r->phase = opt_string(r->json, "phase", &bad);
	r->system = strcmp(r->phase, "system") == 0;
	if (!r->system && strcmp(r->phase, "request") != 0 && strcmp(r->phase, "response") != 0) {
		*errstr = "no valid phase";
		return -1;
	}
	r->user = opt_string(r->json, "user", &bad);
	r->authn = opt_string(r->json, "authn", &bad);
	r->command = opt_string(r->json, "command", &bad);
	r->object = opt_string(r->json, "object", &bad);
	r->method = opt_string(r->json, "method", &bad);
	r->uri = opt_string(r->json, "uri", &bad);
	r->decision = opt_string(r->json, "decision", &bad);
	r->role = opt_string(r->json, "role", &bad);
	r->reason = opt_string(r->json, "reason", &bad);
	r->id = opt_string(r->json, "id", &bad);
	r->note = opt_string(r->json, "note", &bad);
	r->event = opt_string(r->json, "event", &bad);
	r->host = opt_string(r->json, "host", &bad);
	r->policy = opt_string(r->json, "policy", &bad);
	if ((v = json_object_get(r->json, "details")) != NULL) {
		if (!json_is_object(v))
			bad = true;
		r->details = v;
	}
	r->groups = opt_array(r->json, "groups", &bad);
	r->roles = opt_array(r->json, "roles", &bad);
	if ((v = json_object_get(r->json, "status")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 999)
			bad = true;
		else
			r->status = (int)json_integer_value(v);
	}
	if (bad) {
		*errstr = "a field has the wrong type";
		return -1;
	}
	if (r->system && strcmp(r->event, "torn") == 0) {
		v = json_object_get(r->json, "torn_bytes");
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    hex_field(r->json, "torn_sha256", r->torn_sha256) < 0) {
			*errstr = "a torn record without valid torn_bytes and torn_sha256";
			return -1;
		}
		r->torn_bytes = (size_t)json_integer_value(v);
	} else if (r->system && strcmp(r->event, "relink") == 0) {
		v = json_object_get(r->json, "replay_from");
		if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 1 ||
				(uint64_t)json_integer_value(v) >= r->seq)) {
			*errstr = "a relink record with an invalid replay_from";
			return -1;
		}
		r->replay_from = v != NULL ? (uint64_t)json_integer_value(v) : 0;
	} else if (r->system && strcmp(r->event, "rotate") != 0 && strcmp(r->event, "gap") != 0) {
		*errstr = "a system record with an unknown event";
		return -1;
	}
	return 0;
}

int rg_audit_record_check(const struct rg_audit_record *r, const char *line, size_t len,
		struct rg_audit_mac *m)
{
	unsigned char d[RG_AUDIT_DIGEST_LEN];

	if (len < RG_AUDIT_HASH_TAIL_LEN)
		return -1;
	if (mac2(m, line, len - RG_AUDIT_HASH_TAIL_LEN, "}", 1, d) < 0)
		return -1;
	return CRYPTO_memcmp(d, r->hash, sizeof(d)) == 0 ? 0 : -1;
}

void rg_audit_record_clear(struct rg_audit_record *r)
{
	if (r == NULL)
		return;
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* ---- verification ---- */

struct rg_audit_verifier {
	struct rg_audit_mac *m;
	void (*notice)(void *arg, const struct rg_audit_finding *f);
	void *arg;
	bool started;
	struct rg_audit_chain chain;
	uint64_t records;
	/* Invalid lines not yet explained by a torn record. */
	bool pending;
	struct rg_audit_finding pend_at;  /* where they start, and why the first is invalid */
	size_t pend_bytes;
	unsigned long pend_lines;
	bool pend_unterminated;           /* the last of them had no '\n' */
	EVP_MD_CTX *pend_ctx;
	/* The chain starts at replayed records, until a relink record says so. */
	bool start_pending;
	struct rg_audit_finding start_at;
	uint64_t start_seq;
	/* Records named elsewhere (head file, anchor). */
	struct {
		uint64_t seq;
		unsigned char hash[RG_AUDIT_DIGEST_LEN];
		const char *source;
		bool seen;
	} expect[RG_AUDIT_EXPECT_MAX];
	size_t nexpect;
	uint64_t first_seq;
};

struct rg_audit_verifier *rg_audit_verifier_new(struct rg_audit_mac *m,
		void (*notice)(void *arg, const struct rg_audit_finding *f), void *arg)
{
	struct rg_audit_verifier *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->pend_ctx = EVP_MD_CTX_new();
	if (v->pend_ctx == NULL) {
		free(v);
		return NULL;
	}
	v->m = m;
	v->notice = notice;
	v->arg = arg;
	return v;
}

int rg_audit_verifier_expect(struct rg_audit_verifier *v, uint64_t seq,
		const unsigned char hash[RG_AUDIT_DIGEST_LEN], const char *source)
{
	if (v->nexpect == RG_AUDIT_EXPECT_MAX)
		return -1;
	v->expect[v->nexpect].seq = seq;
	memcpy(v->expect[v->nexpect].hash, hash, RG_AUDIT_DIGEST_LEN);
	v->expect[v->nexpect].source = source;
	v->expect[v->nexpect].seen = false;
	v->nexpect++;
	return 0;
}

void rg_audit_verifier_end(const struct rg_audit_verifier *v, struct rg_audit_chain *out)
{
	*out = v->chain;
}

void rg_audit_verifier_free(struct rg_audit_verifier *v)
{
	if (v == NULL)
		return;
	EVP_MD_CTX_free(v->pend_ctx);
	free(v);
}

static void finding(struct rg_audit_finding *f, size_t file, unsigned long line, uint64_t seq,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void finding(struct rg_audit_finding *f, size_t file, unsigned long line, uint64_t seq,
		const char *fmt, ...)
{
	va_list ap;

	f->file = file;
	f->line = line;
	f->seq = seq;
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
}

static void notify(struct rg_audit_verifier *v, const struct rg_audit_finding *f)
{
	if (v->notice != NULL)
		v->notice(v->arg, f);
}

/* An invalid line: held until a torn record explains it, or the end. */
static int hold_invalid(struct rg_audit_verifier *v, size_t file, unsigned long lineno,
		const char *line, size_t len, bool terminated, const char *why)
{
	if (!v->pending) {
		if (!EVP_DigestInit_ex2(v->pend_ctx, EVP_sha256(), NULL))
			return -1;
		v->pending = true;
		v->pend_bytes = 0;
		v->pend_lines = 0;
		finding(&v->pend_at, file, lineno, v->chain.seq + 1, "not a valid record (%s)", why);
	} else {
		if (!EVP_DigestUpdate(v->pend_ctx, "\n", 1))
			return -1;
		v->pend_bytes++;
	}
	if (!EVP_DigestUpdate(v->pend_ctx, line, len))
		return -1;
	v->pend_bytes += len;
	v->pend_lines++;
	v->pend_unterminated = !terminated;
	return 0;
}

/* A valid record after invalid lines: it must be the torn record describing them. */
static int explain_pending(struct rg_audit_verifier *v, const struct rg_audit_record *r,
		struct rg_audit_finding *brk)
{
	unsigned char d[RG_AUDIT_DIGEST_LEN];
	unsigned int dlen = 0;
	struct rg_audit_finding f;

	v->pending = false;
	if (!EVP_DigestFinal_ex(v->pend_ctx, d, &dlen)) {
		*brk = v->pend_at;
		return -1;
	}
	if (v->pend_lines != 1 || !r->system || strcmp(r->event, "torn") != 0 ||
	    r->torn_bytes != v->pend_bytes ||
	    CRYPTO_memcmp(d, r->torn_sha256, sizeof(d)) != 0) {
		*brk = v->pend_at;
		return -1;
	}
	finding(&f, v->pend_at.file, v->pend_at.line, r->seq,
			"torn record (%zu bytes): not a record, found by the writer at restart "
			"(a crash mid-write) and sealed into the chain by seq %llu",
			v->pend_bytes, (unsigned long long)r->seq);
	notify(v, &f);
	return 0;
}

int rg_audit_verifier_feed(struct rg_audit_verifier *v, size_t file, unsigned long lineno,
		const char *line, size_t len, bool terminated, struct rg_audit_finding *brk)
{
	static const unsigned char zeros[RG_AUDIT_DIGEST_LEN];
	struct rg_audit_record r;
	const char *why = NULL;
	uint64_t want = v->chain.seq + 1;
	struct rg_audit_finding f;
	bool explained;
	int rc = -1;

	if (rg_audit_record_parse(line, len, &r, &why) < 0) {
		rg_audit_record_clear(&r);
		if (hold_invalid(v, file, lineno, line, len, terminated, why) < 0) {
			finding(brk, file, lineno, want, "cannot compute a digest");
			return -1;
		}
		return 0;
	}
	explained = v->pending;
	if (v->pending && explain_pending(v, &r, brk) < 0)
		goto out;
	if (rg_audit_record_check(&r, line, len, v->m) < 0) {
		finding(brk, file, lineno, r.seq, "the hash does not match the record: it was changed%s",
				rg_audit_mac_keyed(v->m) ? ", or not written with this key" :
				", or written with a key (set audit.key_file)");
		goto out;
	}
	/*
	 * The writer found, when it started, that records its head file named
	 * had been removed, and says so here rather than reuse their seqs: the
	 * log lost records, a break whatever else the chain says.
	 */
	if (r.system && strcmp(r.event, "gap") == 0) {
		finding(brk, file, lineno, r.seq, "records are missing: when rolegate started, the "
				"log ended at seq %llu, before the seq %llu its head file named "
				"(gap record; its note says more)", (unsigned long long)(want - 1),
				(unsigned long long)(r.seq - 1));
		goto out;
	}
	if (v->start_pending && (file != v->start_at.file || r.system)) {
		/* Only the relink record that wrote them again explains replayed records. */
		if (!r.system || strcmp(r.event, "relink") != 0 || r.replay_from != v->start_seq ||
		    file != v->start_at.file) {
			*brk = v->start_at;
			goto out;
		}
		v->start_pending = false;
		finding(&f, v->start_at.file, v->start_at.line, v->start_seq, "the chain starts "
				"here, with records written again after the log file was unlinked or "
				"replaced (relink record seq %llu)", (unsigned long long)r.seq);
		notify(v, &f);
	}
	if (!v->started) {
		v->first_seq = r.seq;
		if (r.seq != 1 || memcmp(r.prev, zeros, sizeof(zeros)) != 0) {
			if (!r.system) {
				/* Acceptable only if a relink record of this file explains it. */
				finding(&v->start_at, file, lineno, r.seq, "the chain does not start at seq 1 "
						"and this is not a rotation record: records before it are missing");
				v->start_pending = true;
				v->start_seq = r.seq;
				goto adopt;
			}
			finding(&f, file, lineno, r.seq, "the chain starts here, continuing "
					"records (up to seq %llu) in a file not given",
					(unsigned long long)(r.seq - 1));
			notify(v, &f);
		}
	} else if (r.seq != want) {
		finding(brk, file, lineno, r.seq, "expected seq %llu: records are missing, repeated "
				"or out of order", (unsigned long long)want);
		goto out;
	} else if (memcmp(r.prev, v->chain.hash, sizeof(r.prev)) != 0) {
		finding(brk, file, lineno, r.seq, "prev is not the hash of the record before: "
				"a record was changed, removed or inserted");
		goto out;
	}
	/* A torn record in mid-chain must follow the torn bytes it describes. */
	if (r.system && strcmp(r.event, "torn") == 0 && v->started && !explained) {
		finding(brk, file, lineno, r.seq, "the torn bytes this record describes are missing");
		goto out;
	}
adopt:
	for (size_t i = 0; i < v->nexpect; i++) {
		if (v->expect[i].seq != r.seq)
			continue;
		if (CRYPTO_memcmp(v->expect[i].hash, r.hash, sizeof(r.hash)) != 0) {
			finding(brk, file, lineno, r.seq, "this is not the record %s names (another "
					"hash): the log was rewritten from here", v->expect[i].source);
			goto out;
		}
		v->expect[i].seen = true;
	}
	v->started = true;
	v->chain.seq = r.seq;
	memcpy(v->chain.hash, r.hash, sizeof(r.hash));
	v->records++;
	rc = 0;
out:
	/* A break before the unexplained start: the start is the first problem. */
	if (rc < 0 && v->start_pending)
		*brk = v->start_at;
	rg_audit_record_clear(&r);
	return rc;
}

int rg_audit_verifier_finish(struct rg_audit_verifier *v, uint64_t *records,
		struct rg_audit_finding *brk)
{
	struct rg_audit_finding f;

	*records = v->records;
	if (v->start_pending) {
		*brk = v->start_at;
		return -1;
	}
	if (v->pending) {
		if (v->pend_lines != 1 || !v->pend_unterminated) {
			*brk = v->pend_at;
			return -1;
		}
		finding(&f, v->pend_at.file, v->pend_at.line, v->pend_at.seq,
				"torn last line (%zu bytes): the writer stopped mid-record; "
				"not part of the chain, not tampering", v->pend_bytes);
		notify(v, &f);
	}
	for (size_t i = 0; i < v->nexpect; i++) {
		if (v->expect[i].seen)
			continue;
		if (v->records > 0 && v->expect[i].seq < v->first_seq) {
			finding(&f, 0, 0, v->expect[i].seq, "%s names a record before the first "
					"file given: not compared", v->expect[i].source);
			notify(v, &f);
			continue;
		}
		finding(brk, v->pend_lines > 0 ? v->pend_at.file : 0, 0, v->expect[i].seq,
				"the log ends at seq %llu, before the record %s names: it was truncated "
				"or its last records removed", (unsigned long long)v->chain.seq,
				v->expect[i].source);
		return -1;
	}
	return 0;
}
