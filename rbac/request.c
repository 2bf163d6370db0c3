/*
 * Decoding one AuthZReq/AuthZRes call (moby pkg/authorization/api.go).
 * The wire keys are Go's field names or tags, spelled exactly as dockerd
 * marshals them; the call comes from dockerd itself, so exact lookup is right
 * here (the folding rules of gojson.h apply to the *body* dockerd will parse).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "rolegate/gojson.h"
#include "rolegate/request.h"

/*
 * Decodes standard base64 (what Go's encoding/json uses for []byte) into a
 * new NUL-terminated buffer. Returns 0, or -1 on invalid input / no memory.
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
	buf = malloc(inlen / 4 * 3 + 1);
	if (buf == NULL)
		return -1;
	if (inlen == 0) {
		buf[0] = '\0';
		*out = buf;
		return 0;
	}
	/* EVP_DecodeBlock skips surrounding whitespace; Go would not: refuse it. */
	if (strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") < inlen) {
		free(buf);
		return -1;
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

static int dup_string(const json_t *call, const char *key, bool required, char **out,
		const char **errstr)
{
	const json_t *v = json_object_get(call, key);

	if (v == NULL) {
		if (required) {
			*errstr = "the authorization call has no RequestMethod or RequestUri";
			return -1;
		}
		*out = strdup("");
	} else if (!json_is_string(v)) {
		*errstr = "the authorization call has a field of the wrong type";
		return -1;
	} else {
		*out = strndup(json_string_value(v), json_string_length(v));
	}
	if (*out == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	if (strlen(*out) != (v != NULL ? json_string_length(v) : 0)) {
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

int rg_request_from_call(struct rg_request *req, enum rg_phase phase, const json_t *call,
		size_t max_body, const char **errstr)
{
	const json_t *v, *headers;

	memset(req, 0, sizeof(*req));
	req->phase = phase;
	if (!json_is_object(call)) {
		*errstr = "the authorization call is not a JSON object";
		return -1;
	}
	if (dup_string(call, "User", false, &req->user, errstr) < 0 ||
	    dup_string(call, "UserAuthNMethod", false, &req->authn, errstr) < 0 ||
	    dup_string(call, "RequestMethod", true, &req->method, errstr) < 0 ||
	    dup_string(call, "RequestUri", true, &req->uri, errstr) < 0)
		goto fail;

	v = json_object_get(call, "RequestBody");
	if (v != NULL && !json_is_null(v)) {
		size_t enc_len;
		unsigned char *body;
		size_t len;

		if (!json_is_string(v)) {
			*errstr = "RequestBody is not a base64 string";
			goto fail;
		}
		enc_len = json_string_length(v);
		/* Over the cap: do not even decode; the decision will deny if it needs it. */
		if (enc_len / 4 * 3 > max_body + 2) {
			set_body(req, NULL, 0, max_body);
			req->body_state = RG_BODY_TOO_LARGE;
			req->body_len = enc_len / 4 * 3;
		} else {
			if (base64_decode(json_string_value(v), enc_len, &body, &len) < 0) {
				*errstr = "RequestBody is not valid base64";
				goto fail;
			}
			set_body(req, body, len, max_body);
		}
	}

	headers = json_object_get(call, "RequestHeaders");
	if (json_is_object(headers)) {
		const char *key;
		json_t *hv;

		json_object_foreach((json_t *)headers, key, hv) {
			if (strcasecmp(key, "Content-Type") == 0 && json_is_string(hv)) {
				req->content_type = strdup(json_string_value(hv));
				break;
			}
		}
	}

	if (phase == RG_PHASE_RESPONSE) {
		v = json_object_get(call, "ResponseStatusCode");
		if (v != NULL && !json_is_integer(v)) {
			*errstr = "ResponseStatusCode is not a number";
			goto fail;
		}
		req->status = v != NULL ? (int)json_integer_value(v) : 0;
		v = json_object_get(call, "ResponseBody");
		if (json_is_string(v) && json_string_length(v) <= 65536) {
			unsigned char *rb;
			size_t rlen;
			const char *ignored;

			if (base64_decode(json_string_value(v), json_string_length(v), &rb, &rlen) == 0) {
				req->response_json = rg_gojson_parse(rb, rlen, &ignored);
				free(rb);
			}
		}
	}
	return route(req, errstr);
fail:
	rg_request_clear(req);
	return -1;
}

int rg_request_init(struct rg_request *req, const char *user, const char *authn, const char *method,
		const char *uri, const unsigned char *body, size_t body_len, size_t max_body,
		const char **errstr)
{
	unsigned char *copy = NULL;

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
	return route(req, errstr);
}

const json_t *rg_request_body(struct rg_request *req, const char **why)
{
	switch (req->body_state) {
	case RG_BODY_PARSED:
		return req->body_json;
	case RG_BODY_ABSENT:
		*why = "the request has no body (dockerd did not forward it)";
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

void rg_request_clear(struct rg_request *req)
{
	free(req->user);
	free(req->authn);
	free(req->method);
	free(req->uri);
	free(req->body);
	free(req->content_type);
	json_decref(req->body_json);
	json_decref(req->response_json);
	memset(req, 0, sizeof(*req));
}
