/*
 * The glue between dockerd's call and the pure engine, shared by serve and
 * explain. Anything that goes wrong here ends in a deny or an error answer,
 * and dockerd treats a plugin error as a refusal.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rolegate/audit.h"
#include "rolegate/authz.h"
#include "rolegate/gojson.h"
#include "rolegate/log.h"

/*
 * Creates without a name in the path take their object from the body, so
 * that the log can answer "who created X" (SPEC.md §5), on the request and
 * on the response record that carries the new id.
 */
static void object_from_body(struct rg_request *req)
{
	const char *why;
	const json_t *body;

	if (req->route.object[0] == '\0' && req->body_state != RG_BODY_ABSENT &&
	    (body = rg_request_body(req, &why)) != NULL)
		rg_route_object_from_body(req->route.command, body, &req->route);
}

enum rg_verdict rg_authz_decide(const struct rg_runtime *rt, struct rg_request *req,
		const struct rg_strv *given, struct rg_identity *id, struct rg_decision *d)
{
	enum rg_verdict v;

	rg_identity_resolve(rt->policy, rt->dir, req->user, given, id);
	v = rg_decide(rt->policy, id, req, d);
	object_from_body(req);
	return v;
}

/* obj as compact JSON text (free()), or NULL when out of memory; takes obj. */
static char *dump(json_t *obj)
{
	char *text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	return text;
}

char *rg_authz_err_json(const char *msg)
{
	return dump(json_pack("{s:s}", "Err", msg));
}

char *rg_authz_decision_json(bool allow, const char *msg)
{
	if (allow)
		return dump(json_pack("{s:b}", "Allow", 1));
	return dump(json_pack("{s:b, s:s}", "Allow", 0, "Msg", msg));
}

static char *error_answer(const char *what, int *http_status)
{
	*http_status = 400;
	return rg_authz_err_json(what);
}

static char *decision_answer(bool allow, const char *msg, int *http_status)
{
	*http_status = 200;
	return rg_authz_decision_json(allow, msg);
}

/* The id the daemon returned for a create ("Id" for containers, exec, networks; "ID" for services…). */
static const char *created_id(const struct rg_request *req)
{
	const json_t *v = rg_json_get(req->response_json, "Id");

	if (!json_is_string(v))
		return NULL;
	return json_string_value(v);
}

/*
 * Whether a call's answer must wait until its record is durable (SPEC.md §3,
 * sync = "batch"): only an allowed mutating request, the one that changes the
 * host. A read or a deny changes nothing, and a response record comes after
 * dockerd has acted: their answers go out once the record is written, and the
 * writer's timer makes it durable within RG_AUDIT_BATCH_MS.
 */
static bool waits_for_disk(const struct rg_request *req, const struct rg_decision *d)
{
	return req->phase == RG_PHASE_REQUEST && d->verdict == RG_ALLOW &&
		rg_command_mutating(d->command);
}

/*
 * Appends the record of a call: returns 0 once as durable as the call needs
 * (waits_for_disk), 1 when w will be called back (see rg_audit_append_async),
 * -1 when it could not be written or flushed.
 */
static int record(struct rg_audit *audit, struct rg_audit_waiter *w, const struct rg_request *req,
		const struct rg_identity *id, const struct rg_decision *d, const struct rg_strv *roles)
{
	struct rg_audit_entry e = {
		.phase = req->phase,
		.user = id->user,
		.authn = req->authn,
		.groups = &id->groups,
		.roles = roles,
		.command = d->command,
		.object = req->route.object,
		.method = req->method,
		.uri = req->uri,
		.decision = d->verdict,
		.role = d->verdict == RG_ALLOW ? d->role : NULL,
		.reason = d->verdict == RG_DENY ? d->reason : NULL,
		.status = req->status,
		.id = req->phase == RG_PHASE_RESPONSE ? created_id(req) : NULL,
		.note = id->source == RG_GROUPS_STALE ? "groups from stale cache (directory unreachable)" : NULL,
	};

	if (audit == NULL)
		return 0;
	if (!waits_for_disk(req, d))
		return rg_audit_append_written(audit, &e);
	if (w != NULL)
		return rg_audit_append_async(audit, &e, w);
	return rg_audit_append(audit, &e);
}

/*
 * The response phase: the request was already decided and carried out, so
 * there is nothing left to refuse; record the daemon's status when
 * audit.responses asks for it.
 */
static void response_phase(const struct rg_runtime *rt, struct rg_audit *audit, struct rg_audit_waiter *w,
		struct rg_request *req, struct rg_authz_answer *ans)
{
	const struct rg_policy *p = rt->policy;
	struct rg_identity id;
	struct rg_decision d = { .verdict = RG_ALLOW, .command = req->route.command };
	int r;

	ans->json = decision_answer(true, NULL, &ans->status);
	if (!rg_audit_records_response(p->audit.responses, req->route.command))
		return;
	object_from_body(req);
	rg_identity_resolve(p, rt->dir, req->user, NULL, &id);
	rg_roles_of(p, &id, &d.roles);
	d.role = d.roles.n > 0 ? d.roles.v[0] : NULL;
	r = record(audit, w, req, &id, &d, &d.roles);
	if (r < 0)
		log_warn("cannot record the response to %s %s in the audit log", req->method, req->uri);
	ans->pending = r == 1;
	rg_decision_clear(&d);
	rg_identity_clear(&id);
}

/* The refusal sent instead of an allow whose record is lost (audit.on_error = "deny"). */
static char *unrecorded(const struct rg_identity *id, const struct rg_decision *d, int *http_status)
{
	char msg[sizeof(d->msg)];

	snprintf(msg, sizeof(msg), "%s may not %s now: the decision cannot be recorded in the audit "
			"log (audit.on_error = \"deny\"); ask an administrator to check the disk",
			id->user[0] != '\0' ? id->user : "unauthenticated caller", d->command);
	return decision_answer(false, msg, http_status);
}

/* Whether buf[0..len) holds only JSON white space (the buffer is not a C string). */
static bool blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
			return false;
	}
	return true;
}

void rg_authz_answer_call(const struct rg_runtime *rt, struct rg_audit *audit, struct rg_audit_waiter *w,
		enum rg_phase phase, const char *body, size_t len, struct rg_authz_answer *ans)
{
	struct rg_request req;
	struct rg_identity id;
	struct rg_decision d;
	const char *errstr = NULL;
	bool deny_unrecorded;
	int r;

	memset(ans, 0, sizeof(*ans));
	/*
	 * dockerd's plugin client retries a call after a connection error with
	 * the body reader it already drained, so a retry arrives empty (seen
	 * while rolegate restarts). Say so: the error is dockerd's refusal.
	 */
	if (blank(body, len)) {
		ans->json = error_answer("the authorization call is empty (dockerd resends an empty "
				"body when it retries a call); denied", &ans->status);
		return;
	}
	/* One pass over the call, copying only what a decision reads (request.h). */
	if (rg_request_decode(&req, phase, body, len, rt->policy->plugin.max_body, &errstr) < 0) {
		ans->json = error_answer(errstr, &ans->status);
		return;
	}

	if (phase == RG_PHASE_RESPONSE) {
		response_phase(rt, audit, w, &req, ans);
		rg_request_clear(&req);
		return;
	}

	rg_authz_decide(rt, &req, NULL, &id, &d);
	deny_unrecorded = rt->policy->audit.on_error == RG_ON_ERROR_DENY && d.verdict == RG_ALLOW;
	r = record(audit, w, &req, &id, &d, &d.roles);
	if (r < 0) {
		log_warn("cannot write or flush the audit log %s", rt->policy->audit.path);
		if (deny_unrecorded)
			ans->json = unrecorded(&id, &d, &ans->status);
	}
	if (ans->json == NULL)
		ans->json = decision_answer(d.verdict == RG_ALLOW, d.msg, &ans->status);
	if (r == 1) {
		int ignored;

		ans->pending = true;
		if (deny_unrecorded)
			ans->if_lost = unrecorded(&id, &d, &ignored);
	}
	rg_decision_clear(&d);
	rg_identity_clear(&id);
	rg_request_clear(&req);
}

char *rg_authz_call(const struct rg_runtime *rt, struct rg_audit *audit, enum rg_phase phase,
		const char *body, size_t len, int *http_status)
{
	struct rg_authz_answer ans;

	rg_authz_answer_call(rt, audit, NULL, phase, body, len, &ans);
	*http_status = ans.status;
	return ans.json;
}
