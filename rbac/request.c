/*
 * Decoding one AuthZReq/AuthZRes call (moby pkg/authorization/api.go).
 * The wire keys are Go's field names or tags, spelled exactly as dockerd
 * marshals them; the call comes from dockerd itself, so exact lookup is right
 * here (the folding rules of gojson.h apply to the *body* dockerd will parse).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "rolegate/calljson.h"
#include "rolegate/gojson.h"
#include "rolegate/ownercheck.h"
#include "rolegate/peercert.h"
#include "rolegate/request.h"

static bool base64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '+' || c == '/' || c == '=';
}

/*
 * Decodes standard base64 (what Go's encoding/json uses for []byte) into a
 * new NUL-terminated buffer. in need not be NUL-terminated. Returns 0, -1
 * on invalid input, or -2 when out of memory (the call is refused either
 * way; the message should say which).
 */
static int base64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	int n;
	size_t pad = 0;

	*out = NULL;
	*outlen = 0;
	if (inlen % 4 != 0 || inlen > (size_t)(1 << 30))
		return -1;
	/* EVP_DecodeBlock skips surrounding whitespace; Go would not: refuse it. */
	for (size_t i = 0; i < inlen; i++) {
		if (!base64_char((unsigned char)in[i]))
			return -1;
	}
	buf = malloc(inlen / 4 * 3 + 1);
	if (buf == NULL)
		return -2;
	if (inlen == 0) {
		buf[0] = '\0';
		*out = buf;
		return 0;
	}
	n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)inlen);
	if (n < 0) {
		free(buf);
		return -1;
	}
	if (in[inlen - 1] == '=')
		pad++;
	if (in[inlen - 2] == '=')
		pad++;
	/* '=' anywhere but the last two places is not base64. */
	if (memchr(in, '=', inlen - pad) != NULL) {
		free(buf);
		return -1;
	}
	*outlen = (size_t)n - pad;
	buf[*outlen] = '\0';
	*out = buf;
	return 0;
}

/*
 * The members of a call that a decision reads, as either reader found them:
 * jansson (rg_request_from_call) or calljson (rg_request_decode). Both fill
 * this, and fill() alone checks and copies it, so that the two cannot differ
 * in what they accept or in what they say.
 */
struct call {
	struct rg_calljson_value user, authn, method, uri, body, headers, status, response_body;
	struct rg_calljson_value certs;        /* RequestPeerCertificates */
	const json_t *certs_json;              /* the same, from jansson's reading */
	struct rg_calljson_value content_type; /* the header that folds to Content-Type */
	int content_types;                     /* how many headers fold to it */
	struct rg_calljson_value content_length; /* the first header that folds to Content-Length */
	int content_lengths;
	unsigned seen;                         /* members found, a bit each */
	bool collide;                          /* a member found twice */
};

#define MEMBER(name, field) { name, sizeof(name) - 1, offsetof(struct call, field) }

/*
 * The wire names, spelled as dockerd marshals them. A key is matched the way
 * a Go plugin's json.Unmarshal matches it (folded: "RequestURI", as Docker's
 * documentation spells it, is RequestUri); two keys for one member are
 * refused rather than one guessed.
 */
static const struct {
	const char *name;
	size_t len;
	size_t off;
} members[] = {
	MEMBER("User", user),
	MEMBER("UserAuthNMethod", authn),
	MEMBER("RequestMethod", method),
	MEMBER("RequestUri", uri),
	MEMBER("RequestBody", body),
	MEMBER("RequestHeaders", headers),
	MEMBER("ResponseStatusCode", status),
	MEMBER("ResponseBody", response_body),
	MEMBER("RequestPeerCertificates", certs),
};

#define RG_NMEMBERS (sizeof(members) / sizeof(members[0]))

/* The member key names (nul-terminated), or -1; marks it seen in c. */
static int member_of(struct call *c, const char *key)
{
	size_t len = strlen(key);
	bool ascii = true;

	for (size_t i = 0; i < len && ascii; i++)
		ascii = (unsigned char)key[i] < 0x80;
	for (size_t i = 0; i < RG_NMEMBERS; i++) {
		/* Folding keeps an ASCII key's length; the long s and the Kelvin
		 * sign only make a key longer than the name it folds to. */
		if (ascii ? len != members[i].len : len < members[i].len)
			continue;
		/* dockerd's own spelling first: the folded compare is slower. */
		if ((len == members[i].len && memcmp(members[i].name, key, len) == 0) ||
		    rg_gojson_key_matches(members[i].name, key)) {
			if (c->seen & (1u << i))
				c->collide = true;
			c->seen |= 1u << i;
			return (int)i;
		}
	}
	return -1;
}

static struct rg_calljson_value *member_slot(struct call *c, int i)
{
	return (struct rg_calljson_value *)((char *)c + members[i].off);
}

static const char content_type[] = "Content-Type";
static const char content_length[] = "Content-Length";

/* A new NUL-terminated copy of string value v, unescaped; NULL: no memory. */
static char *copy_text(const struct rg_calljson_value *v)
{
	char *s = malloc(v->len + 1);

	if (s == NULL)
		return NULL;
	if (v->escaped) {
		rg_calljson_unescape(v, s);
	} else {
		memcpy(s, v->raw, v->len);
		s[v->len] = '\0';
	}
	return s;
}

/* Base64 string value v, decoded; unescaped first if it has to be (\/ is JSON). */
static int decode_text(const struct rg_calljson_value *v, unsigned char **out, size_t *outlen)
{
	char *text;
	int r;

	if (!v->escaped)
		return base64_decode(v->raw, v->len, out, outlen);
	if ((text = copy_text(v)) == NULL)
		return -2;
	r = base64_decode(text, v->len, out, outlen);
	free(text);
	return r;
}

static int set_string(const struct rg_calljson_value *v, bool required, char **out,
		const char **errstr)
{
	if (v->type == RG_CALLJSON_NONE) {
		if (required) {
			*errstr = "the authorization call has no RequestMethod or RequestUri";
			return -1;
		}
		*out = strdup("");
	} else if (v->type != RG_CALLJSON_STRING) {
		*errstr = "the authorization call has a field of the wrong type";
		return -1;
	} else {
		*out = copy_text(v);
	}
	if (*out == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	/* Neither reader lets \u0000 through today; a C string must not be cut short anyway. */
	if (strlen(*out) != (v->type == RG_CALLJSON_STRING ? v->len : 0)) {
		*errstr = "the authorization call has a NUL byte in a field";
		return -1;
	}
	return 0;
}

static int route(struct rg_request *req, const char **errstr)
{
	const char *why = NULL;

	if (rg_route_classify(req->method, req->uri, &req->route, &why) < 0) {
		req->route.command = "unknown";
		req->route_err = why != NULL ? why : "the request path could not be decoded";
	}
	(void)errstr;
	return 0;
}

static void set_body(struct rg_request *req, unsigned char *body, size_t len, size_t max_body)
{
	req->body = body;
	req->body_len = len;
	if (body == NULL || len == 0)
		req->body_state = RG_BODY_ABSENT;
	else if (len > max_body)
		req->body_state = RG_BODY_TOO_LARGE;
	else
		req->body_state = RG_BODY_RAW;
}

/* RequestBody: absent or null is no body; over the cap it is not even decoded. */
static int set_encoded_body(struct rg_request *req, const struct rg_calljson_value *v,
		size_t max_body, const char **errstr)
{
	unsigned char *body;
	size_t len;
	int r;

	if (v->type == RG_CALLJSON_NONE || v->type == RG_CALLJSON_NULL)
		return 0;
	if (v->type != RG_CALLJSON_STRING) {
		*errstr = "RequestBody is not a base64 string";
		return -1;
	}
	if (v->len / 4 * 3 > max_body + 2) {
		/* The decision will deny if it needs the body. */
		set_body(req, NULL, 0, max_body);
		req->body_state = RG_BODY_TOO_LARGE;
		req->body_len = v->len / 4 * 3;
		return 0;
	}
	if ((r = decode_text(v, &body, &len)) < 0) {
		*errstr = r == -2 ? "out of memory decoding RequestBody" : "RequestBody is not valid base64";
		return -1;
	}
	set_body(req, body, len, max_body);
	return 0;
}

/*
 * Answers read whatever their size (within the call's, plugin.max_body):
 * a prune's lists what it removed, which the ownership state must drop
 * (red team round 13: a volume prune's answer over 64 KiB, ~730 anonymous
 * volumes, was not read, and the records of the volumes it removed
 * stayed); a list judged under `owner` must be read whole to be allowed
 * (ownercheck.h, rg_owner_judges_answer). Other answers are read up to 64
 * KiB: the names learned from inspect and list answers can wait.
 */
static bool read_whole(const struct rg_request *req)
{
	const char *cmd = req->route.command;
	size_t n = cmd != NULL ? strlen(cmd) : 0;

	return cmd != NULL && ((n > 6 && strcmp(cmd + n - 6, ".prune") == 0) ||
		rg_owner_judges_answer(cmd));
}

/* AuthZRes: the status dockerd answered and, when small enough, the answer's body. */
static int set_response(struct rg_request *req, const struct call *c, const char **errstr)
{
	unsigned char *rb;
	size_t rlen;
	const char *ignored;

	if (c->status.type != RG_CALLJSON_NONE && c->status.type != RG_CALLJSON_INTEGER) {
		*errstr = "ResponseStatusCode is not a number";
		return -1;
	}
	req->status = (int)c->status.integer;
	if (c->response_body.type == RG_CALLJSON_STRING &&
	    (c->response_body.len <= 65536 || read_whole(req)) &&
	    decode_text(&c->response_body, &rb, &rlen) == 0) {
		req->response_json = rg_gojson_parse(rb, rlen, &ignored);
		free(rb);
	}
	return 0;
}

/*
 * RequestPeerCertificates: the CNs of the caller's certificate (peercert.h).
 * Either reader's array: jansson's as it is, calljson's raw text read again
 * (validated already; a few KiB). Absent or null: no certificate. Returns
 * 0, or -1 when out of memory.
 */
static int set_peer_cert(struct rg_request *req, const struct call *c)
{
	if (c->certs.type == RG_CALLJSON_NONE || c->certs.type == RG_CALLJSON_NULL)
		return 0;
	req->peer_cert = true;
	req->peer_cns = -1;
	if (c->certs.type != RG_CALLJSON_ARRAY)
		return 0;
	if (c->certs_json != NULL) {
		req->peer_cns = rg_peercert_cn_count(c->certs_json);
		return 0;
	}
	req->peer_cns = rg_peercert_cn_count_text(c->certs.raw, c->certs.raw_len);
	if (req->peer_cns == -2) {
		req->peer_cns = -1;
		return -1;
	}
	return 0;
}

/* Checks and copies what either reader found; then routes. */
static int fill(struct rg_request *req, enum rg_phase phase, const struct call *c,
		size_t max_body, const char **errstr)
{
	memset(req, 0, sizeof(*req));
	req->phase = phase;
	if (c->collide) {
		*errstr = "the authorization call has two keys for one member";
		goto fail;
	}
	if (set_string(&c->user, false, &req->user, errstr) < 0 ||
	    set_string(&c->authn, false, &req->authn, errstr) < 0 ||
	    set_string(&c->method, true, &req->method, errstr) < 0 ||
	    set_string(&c->uri, true, &req->uri, errstr) < 0 ||
	    set_encoded_body(req, &c->body, max_body, errstr) < 0)
		goto fail;
	/*
	 * dockerd names a user only with the method that established it (TLS:
	 * the certificate's CN). A User with an empty UserAuthNMethod is no
	 * authentication at all (SPEC.md §3, identity.unauthenticated), yet
	 * names someone: the call is not dockerd's, and is refused rather than
	 * taken as that user or as the unauthenticated identity.
	 */
	if (req->user != NULL && req->user[0] != '\0' && (req->authn == NULL || req->authn[0] == '\0')) {
		*errstr = "the authorization call names a user (User) without an authentication method "
			"(UserAuthNMethod)";
		goto fail;
	}
	/*
	 * dockerd sends Go's canonical header names, each once. Two that fold
	 * to Content-Type would let the two readers (and the decision) pick
	 * different ones: the call is not dockerd's.
	 */
	if (c->content_types > 1) {
		*errstr = "the authorization call has more than one Content-Type header";
		goto fail;
	}
	if (c->content_type.type == RG_CALLJSON_STRING &&
	    set_string(&c->content_type, false, &req->content_type, errstr) < 0)
		goto fail;
	if (c->content_lengths > 1) {
		*errstr = "the authorization call has more than one Content-Length header";
		goto fail;
	}
	if (c->content_length.type == RG_CALLJSON_STRING &&
	    set_string(&c->content_length, false, &req->content_length, errstr) < 0)
		goto fail;
	if (set_peer_cert(req, c) < 0) {
		*errstr = "out of memory";
		goto fail;
	}
	/* routed first: how much of the answer is read depends on the command */
	(void)route(req, errstr);
	if (phase == RG_PHASE_RESPONSE && set_response(req, c, errstr) < 0)
		goto fail;
	return 0;
fail:
	rg_request_clear(req);
	return -1;
}

/* A jansson value as calljson would describe it (strings: never escaped). */
static void from_json(const json_t *j, struct rg_calljson_value *v)
{
	memset(v, 0, sizeof(*v));
	if (j == NULL)
		return; /* RG_CALLJSON_NONE */
	switch (json_typeof(j)) {
	case JSON_OBJECT: v->type = RG_CALLJSON_OBJECT; break;
	case JSON_ARRAY: v->type = RG_CALLJSON_ARRAY; break;
	case JSON_STRING:
		v->type = RG_CALLJSON_STRING;
		v->raw = json_string_value(j);
		v->raw_len = v->len = json_string_length(j);
		break;
	case JSON_INTEGER:
		v->type = RG_CALLJSON_INTEGER;
		v->integer = json_integer_value(j);
		break;
	case JSON_REAL: v->type = RG_CALLJSON_REAL; break;
	case JSON_TRUE: v->type = RG_CALLJSON_TRUE; break;
	case JSON_FALSE: v->type = RG_CALLJSON_FALSE; break;
	case JSON_NULL: v->type = RG_CALLJSON_NULL; break;
	}
}

int rg_request_from_call(struct rg_request *req, enum rg_phase phase, const json_t *call,
		size_t max_body, const char **errstr)
{
	struct call c;
	const char *key;
	json_t *headers, *hv;

	memset(&c, 0, sizeof(c));
	if (!json_is_object(call)) {
		memset(req, 0, sizeof(*req));
		req->phase = phase;
		*errstr = "the authorization call is not a JSON object";
		return -1;
	}
	headers = NULL;
	json_object_foreach((json_t *)call, key, hv) {
		int i = member_of(&c, key);

		if (i < 0)
			continue;
		from_json(hv, member_slot(&c, i));
		if (members[i].off == offsetof(struct call, headers))
			headers = hv;
		if (members[i].off == offsetof(struct call, certs))
			c.certs_json = hv;
	}
	if (json_is_object(headers)) {
		json_object_foreach(headers, key, hv) {
			if (strcasecmp(key, content_type) == 0 && c.content_types++ == 0)
				from_json(hv, &c.content_type);
			if (strcasecmp(key, content_length) == 0 && c.content_lengths++ == 0)
				from_json(hv, &c.content_length);
		}
	}
	return fill(req, phase, &c, max_body, errstr);
}

/*
 * Whether key is name (n bytes), ignoring ASCII case as strcasecmp does (header
 * names). An escaped key ("\u0055ser" is "User") is unescaped first.
 */
static bool key_is(const struct rg_calljson_value *key, const char *name, size_t n)
{
	char buf[32];
	const char *k = key->raw;

	if (key->len != n)
		return false;
	if (key->escaped) {
		if (n >= sizeof(buf))
			return false;
		rg_calljson_unescape(key, buf);
		k = buf;
	}
	return strncasecmp(k, name, n) == 0;
}

static void call_member(const struct rg_calljson_value *key, const struct rg_calljson_value *value,
		void *arg)
{
	char buf[64];
	int i;

	/* No member name is longer than 18 bytes, nor its folded spellings
	 * longer than 3 times that: a longer key is none of them. */
	if (key->len >= sizeof(buf))
		return;
	if (key->escaped) {
		rg_calljson_unescape(key, buf);
	} else {
		memcpy(buf, key->raw, key->len);
		buf[key->len] = '\0';
	}
	/* A key with a NUL (\u0000) is refused by the reader before this. */
	if ((i = member_of(arg, buf)) >= 0)
		*member_slot(arg, i) = *value;
}

static void header_member(const struct rg_calljson_value *key,
		const struct rg_calljson_value *value, void *arg)
{
	struct call *c = arg;

	if (key_is(key, content_type, sizeof(content_type) - 1) && c->content_types++ == 0)
		c->content_type = *value;
	if (key_is(key, content_length, sizeof(content_length) - 1) && c->content_lengths++ == 0)
		c->content_length = *value;
}

int rg_request_decode(struct rg_request *req, enum rg_phase phase, const char *buf, size_t len,
		size_t max_body, const char **errstr)
{
	struct call c;
	enum rg_calljson_result r;

	memset(&c, 0, sizeof(c));
	r = rg_calljson_object(buf, len, call_member, &c);
	/* A second, short pass: only so that duplicate headers are refused, as jansson does. */
	if (r == RG_CALLJSON_OK && c.headers.type == RG_CALLJSON_OBJECT)
		r = rg_calljson_object(c.headers.raw, c.headers.raw_len, header_member, &c);
	switch (r) {
	case RG_CALLJSON_OK:
		return fill(req, phase, &c, max_body, errstr);
	case RG_CALLJSON_INVALID: *errstr = "the authorization call is not valid JSON"; break;
	case RG_CALLJSON_NOT_OBJECT: *errstr = "the authorization call is not a JSON object"; break;
	case RG_CALLJSON_NOMEM: *errstr = "out of memory"; break;
	}
	memset(req, 0, sizeof(*req));
	req->phase = phase;
	return -1;
}

int rg_request_decode_jansson(struct rg_request *req, enum rg_phase phase, const char *buf, size_t len,
		size_t flags, size_t max_body, const char **errstr, json_error_t *jerr)
{
	json_t *call = json_loadb(buf, len, flags, jerr);
	int r;

	if (call == NULL) {
		memset(req, 0, sizeof(*req));
		*errstr = "the authorization call is not valid JSON";
		return -1;
	}
	r = rg_request_from_call(req, phase, call, max_body, errstr);
	json_decref(call);
	return r;
}

int rg_request_init(struct rg_request *req, const char *user, const char *authn, const char *method,
		const char *uri, const unsigned char *body, size_t body_len, size_t max_body,
		const char **errstr)
{
	unsigned char *copy = NULL;
	char len[32];

	memset(req, 0, sizeof(*req));
	req->phase = RG_PHASE_REQUEST;
	req->user = strdup(user);
	req->authn = strdup(authn);
	req->method = strdup(method);
	req->uri = strdup(uri);
	if (body != NULL) {
		copy = malloc(body_len + 1);
		if (copy != NULL) {
			memcpy(copy, body, body_len);
			copy[body_len] = '\0';
		}
	}
	if (req->user == NULL || req->authn == NULL || req->method == NULL || req->uri == NULL ||
	    (body != NULL && copy == NULL)) {
		free(copy);
		rg_request_clear(req);
		*errstr = "out of memory";
		return -1;
	}
	set_body(req, copy, body_len, max_body);
	/* The Content-Length the docker client sends (explain, test). */
	snprintf(len, sizeof(len), "%zu", body != NULL ? body_len : 0);
	req->content_length = strdup(len);
	if (req->content_length == NULL) {
		rg_request_clear(req);
		*errstr = "out of memory";
		return -1;
	}
	return route(req, errstr);
}

const json_t *rg_request_body(struct rg_request *req, const char **why)
{
	switch (req->body_state) {
	case RG_BODY_PARSED:
		return req->body_json;
	case RG_BODY_ABSENT:
		*why = "the request has no body (body withheld by dockerd: it forwards no "
			"body of 1 MiB or more, chunked or not JSON)";
		return NULL;
	case RG_BODY_TOO_LARGE:
		*why = "the request body is larger than plugin.max_body";
		return NULL;
	case RG_BODY_INVALID:
		*why = req->body_err;
		return NULL;
	case RG_BODY_RAW:
		break;
	}
	req->body_json = rg_gojson_parse(req->body, req->body_len, &req->body_err);
	if (req->body_json == NULL) {
		req->body_state = RG_BODY_INVALID;
		*why = req->body_err;
		return NULL;
	}
	req->body_state = RG_BODY_PARSED;
	return req->body_json;
}

int rg_request_adopt_body(struct rg_request *req, json_t *parsed)
{
	if (req->body_state != RG_BODY_RAW || parsed == NULL)
		return -1;
	req->body_json = json_incref(parsed);
	req->body_state = RG_BODY_PARSED;
	return 0;
}

void rg_request_clear(struct rg_request *req)
{
	free(req->user);
	free(req->authn);
	free(req->method);
	free(req->uri);
	free(req->body);
	free(req->content_type);
	free(req->content_length);
	json_decref(req->body_json);
	json_decref(req->response_json);
	memset(req, 0, sizeof(*req));
}
