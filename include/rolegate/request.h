#ifndef ROLEGATE_REQUEST_H
#define ROLEGATE_REQUEST_H

/*
 * One authorization call from dockerd (moby pkg/authorization/api.go), decoded.
 * The body is decoded from base64 when the call is parsed, but parsed as JSON
 * only when a decision needs it (rg_request_body), and then only once.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "rolegate/route.h"

struct rg_approved_source;
struct rg_fs;
struct rg_owners;

enum rg_phase {
	RG_PHASE_REQUEST,   /* AuthZPlugin.AuthZReq */
	RG_PHASE_RESPONSE,  /* AuthZPlugin.AuthZRes */
};

enum rg_body_state {
	RG_BODY_ABSENT,     /* dockerd sent no RequestBody */
	RG_BODY_RAW,        /* bytes present, not parsed yet */
	RG_BODY_PARSED,     /* body_json valid */
	RG_BODY_INVALID,    /* could not be decoded; body_err says why */
	RG_BODY_TOO_LARGE,  /* over plugin.max_body: not inspected */
};

struct rg_request {
	enum rg_phase phase;
	char *user;            /* "" when dockerd gave none */
	char *authn;           /* "" when none */
	char *method;
	char *uri;             /* as dockerd sent it */
	struct rg_route route; /* command, normalized path, query, object */
	const char *route_err; /* non-NULL: the target was refused */

	enum rg_body_state body_state;
	unsigned char *body;   /* decoded bytes (NUL-terminated), or NULL */
	size_t body_len;
	json_t *body_json;     /* owned, when RG_BODY_PARSED */
	const char *body_err;

	/* RequestPeerCertificates (peercert.h): whether the call carries the
	 * caller's certificate, and how many CNs its subject holds (-1: it
	 * cannot be read) */
	bool peer_cert;
	int peer_cns;

	char *content_type;    /* RequestHeaders["Content-Type"] or NULL */
	char *content_length;  /* RequestHeaders["Content-Length"] or NULL (chunked, or none sent) */
	int status;            /* ResponseStatusCode (response phase), else 0 */
	json_t *response_json; /* ResponseBody parsed (response phase), may be NULL */

	/* Set by the daemon before deciding (borrowed): its approved-images
	 * files. NULL refuses every image to a role with approved_images. */
	const struct rg_approved_source *approved;
	/* Set by the engine from the daemon's view (engine.h; borrowed): the
	 * host filesystem (hostfs.h), through which host paths are resolved, for
	 * the decision, the record's details and the ownership events of a
	 * response; it stays set after the decision for the last. NULL refuses
	 * every host path to a role with bind_mounts. */
	const struct rg_fs *fs;
	/* Set by the caller before deciding (ownership.h); never freed here. */
	struct rg_owners *owners; /* the ownership state; NULL = nothing tracked */
	long long now;         /* Unix seconds: marks resolved objects used (0 = don't) */
};

/*
 * Fills req from the parsed AuthZReq/AuthZRes object `call` (jansson, borrowed).
 * max_body caps the decoded body. Returns 0, or -1 with *errstr set (static)
 * when the call itself is malformed (missing method/URI, wrong types, bad
 * base64): such a call is answered with an error, never allow.
 * On success free with rg_request_clear().
 */
int rg_request_from_call(struct rg_request *req, enum rg_phase phase, const json_t *call,
		size_t max_body, const char **errstr);

/*
 * Decodes the call's text buf[0..len) (not NUL-terminated) in one pass,
 * copying only the members a decision reads (calljson.h): the same request,
 * or the same *errstr, as json_loadb(buf, len, JSON_REJECT_DUPLICATES)
 * followed by rg_request_from_call(), with "the authorization call is not
 * valid JSON" where json_loadb would fail. Exceptions, all calls dockerd
 * never sends: duplicate keys nested deeper than the call's members and their
 * RequestHeaders are not looked for; a NUL byte right after a number or
 * true/false/null is refused (jansson's lexer loses it and reads on); more
 * than one header folding to Content-Type is an error (in both functions).
 * Returns 0, or -1 with *errstr set (static) and req zeroed. On success free
 * with rg_request_clear().
 */
int rg_request_decode(struct rg_request *req, enum rg_phase phase, const char *buf, size_t len,
		size_t max_body, const char **errstr);

/*
 * The reference reading rg_request_decode is held to (tests, fuzzing):
 * json_loadb(buf, len, flags, jerr) then rg_request_from_call(), with "the
 * authorization call is not valid JSON" where json_loadb fails. jerr may be
 * NULL. Same returns as rg_request_decode.
 */
int rg_request_decode_jansson(struct rg_request *req, enum rg_phase phase, const char *buf, size_t len,
		size_t flags, size_t max_body, const char **errstr, json_error_t *jerr);

/*
 * Builds a request directly (explain, tests): body may be NULL. Returns 0 or -1
 * (out of memory, *errstr set).
 */
int rg_request_init(struct rg_request *req, const char *user, const char *authn, const char *method,
		const char *uri, const unsigned char *body, size_t body_len, size_t max_body,
		const char **errstr);

/*
 * The request body as JSON, parsed on first use the way dockerd's Go decoder
 * would see it (see gojson.h). Returns a borrowed object, or NULL when the body
 * is absent, too large or invalid; then *why says which, in plain words.
 */
const json_t *rg_request_body(struct rg_request *req, const char **why);

/*
 * Gives a body not parsed yet (RG_BODY_RAW) the tree rg_request_body made
 * of the same bytes for an earlier call (a reference is taken): the
 * response phase of a request already decided (bodymemo.h). Returns 0, or
 * -1 (nothing changed) when the body is not RG_BODY_RAW.
 */
int rg_request_adopt_body(struct rg_request *req, json_t *parsed);

/* Frees everything req owns; leaves it zeroed. */
void rg_request_clear(struct rg_request *req);

#endif
