/*
 * The glue between dockerd's call and the pure engine, shared by serve and
 * explain. Anything that goes wrong here ends in a deny or an error answer,
 * and dockerd treats a plugin error as a refusal.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "rolegate/approvedfile.h"
#include "rolegate/audit.h"
#include "rolegate/authz.h"
#include "rolegate/directory.h"
#include "rolegate/details.h"
#include "rolegate/gojson.h"
#include "rolegate/hostfs.h"
#include "rolegate/log.h"
#include "rolegate/state.h"

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
	struct rg_approved_source approved;
	enum rg_verdict v;

	rg_identity_resolve(rt->policy, rt->dir, req->user, req->authn, given, id);
	rg_approvedfile_source(rt->approved, &approved);
	req->approved = &approved;
	req->fs = &rg_fs_host;   /* kept: details and the response's ownership events read it */
	/* The ownership state is read for the decision only (SPEC.md §4). */
	req->owners = rg_state_read_begin(rt->state);
	req->now = (long long)time(NULL);
	v = rg_decide(rt->policy, id, req, d);
	rg_state_read_end(rt->state);
	req->owners = NULL;
	req->approved = NULL;
	object_from_body(req);
	if (req->phase == RG_PHASE_REQUEST)
		d->details = rg_details_of(req);
	return v;
}

/* Commands whose 2xx answer changes the ownership state (ownercheck.h). */
static bool changes_state(const char *command)
{
	static const char *const commands[] = {
		"container.create", "exec.create", "volume.create", "network.create",
		"container.rename", "container.remove", "volume.remove", "network.remove",
		"container.prune", "volume.prune", "network.prune", NULL,
	};

	for (size_t i = 0; command != NULL && commands[i] != NULL; i++) {
		if (strcmp(commands[i], command) == 0)
			return true;
	}
	return false;
}

/*
 * The ownership state follows dockerd's answers whatever audit.responses
 * says. The allowing role is found by deciding the request again (the
 * AuthZRes carries it whole); on a deny now (the configuration changed in
 * between) the object is recorded with no role.
 */
static bool observed(const struct rg_runtime *rt, const struct rg_request *req)
{
	return rt->state != NULL && req->status >= 200 && req->status <= 299 &&
		changes_state(req->route.command);
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
		const struct rg_identity *id, const struct rg_decision *d, const struct rg_strv *roles,
		const char *policy, const char *note)
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
		.note = note != NULL ? note : id->source == RG_GROUPS_STALE ?
			"groups from stale cache (directory unreachable)" : NULL,
		.policy = policy,
		.details = req->phase == RG_PHASE_REQUEST ? d->details : NULL,
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
	struct rg_decision d;
	bool want = rg_audit_records_response(p->audit.responses, req->route.command);
	int r;

	ans->json = decision_answer(true, NULL, &ans->status);
	if (!want && !observed(rt, req))
		return;
	/*
	 * The role that allowed the request: decided again, by the same entry,
	 * from the request the response carries (SPEC.md §6). The record says
	 * allow: that is the answer; a request the policy would not allow now
	 * (reloaded meanwhile) has no role. The ownership state records the
	 * same role.
	 */
	rg_authz_decide(rt, req, NULL, &id, &d);
	if (rg_directory_call_pending()) {
		/* decided, observed and recorded once the lookup is done */
		free(ans->json);
		ans->json = NULL;
		ans->lookup_pending = true;
		rg_decision_clear(&d);
		rg_identity_clear(&id);
		return;
	}
	if (d.verdict != RG_ALLOW)
		d.role = NULL;
	d.verdict = RG_ALLOW;
	if (observed(rt, req))
		rg_state_observe(rt->state, req, id.user, d.role != NULL ? d.role : "");
	if (!want) {
		rg_decision_clear(&d);
		rg_identity_clear(&id);
		return;
	}
	r = record(audit, w, req, &id, &d, &d.roles, p->revision,
			d.role == NULL ? "the request would not be allowed now (the policy changed?)" : NULL);
	if (r < 0)
		log_warn("cannot record the response to %s %s in the audit log", req->method, req->uri);
	ans->pending = r == 1;
	rg_decision_clear(&d);
	rg_identity_clear(&id);
}

/*
 * What can be read of a call that cannot be decoded whole (too large, or
 * malformed): the members dockerd writes before the body (User,
 * UserAuthNMethod, RequestMethod, RequestURI), decoded alone. Returns 0 with
 * req filled, or -1 when even they cannot be read.
 */
static int decode_prefix(struct rg_request *req, enum rg_phase phase, const char *buf, size_t len)
{
	static const char *const cuts[] = { "\"RequestBody\"", "\"RequestHeaders\"",
		"\"RequestPeerCertificates\"", "\"ResponseBody\"" };
	const char *errstr;
	size_t n = len;
	char *text;
	int r;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const char *at = memmem(buf, n, cuts[i], strlen(cuts[i]));

		if (at != NULL)
			n = (size_t)(at - buf);
	}
	while (n > 0 && (buf[n - 1] == ',' || buf[n - 1] == ' ' || buf[n - 1] == '\n' ||
			buf[n - 1] == '\r' || buf[n - 1] == '\t'))
		n--;
	text = malloc(n + 1);
	if (text == NULL || n == 0) {
		free(text);
		return -1;
	}
	memcpy(text, buf, n);
	text[n] = '}';
	r = rg_request_decode(req, phase, text, n + 1, 0, &errstr);
	free(text);
	return r;
}

/*
 * Records a call that could not be read whole, with what is known of it
 * (SPEC.md §6: every request gets a record): a request is denied (its
 * decision needed what could not be read), a response allowed (the request
 * was carried out already). Returns as record().
 */
static int record_unreadable(const struct rg_runtime *rt, struct rg_audit *audit,
		struct rg_audit_waiter *w, enum rg_phase phase, const char *buf, size_t len,
		const char *what)
{
	struct rg_request req;
	struct rg_identity id = { .user = "" };
	struct rg_decision d = { .verdict = phase == RG_PHASE_RESPONSE ? RG_ALLOW : RG_DENY,
		.command = "unknown" };
	bool known = decode_prefix(&req, phase, buf, len) == 0;
	int r;

	if (!known) {
		memset(&req, 0, sizeof(req));
		req.phase = phase;
		req.method = req.uri = req.authn = (char *)"";
	} else {
		rg_identity_resolve(rt->policy, rt->dir, req.user, req.authn, NULL, &id);
		if (id.error == NULL)
			(void)rg_roles_of(rt->policy, &id, &d.roles);
		d.command = req.route.command;
	}
	snprintf(d.reason, sizeof(d.reason), "%s", what);
	r = record(audit, w, &req, &id, &d, &d.roles, rt->policy->revision,
			phase == RG_PHASE_RESPONSE ? what : NULL);
	if (r < 0)
		log_warn("cannot record an unreadable call (%s) in the audit log", what);
	rg_strv_free(&d.roles);
	if (known) {
		rg_identity_clear(&id);
		rg_request_clear(&req);
	}
	return r;
}

void rg_authz_answer_oversized(const struct rg_runtime *rt, struct rg_audit *audit,
		struct rg_audit_waiter *w, enum rg_phase phase, const char *head, size_t headlen,
		size_t total, struct rg_authz_answer *ans)
{
	char what[256];
	int r;

	memset(ans, 0, sizeof(*ans));
	if (phase == RG_PHASE_RESPONSE)
		snprintf(what, sizeof(what), "the daemon's answer is larger than rolegate reads "
				"(a call of %zu bytes; plugin.max_body); not inspected", total);
	else
		snprintf(what, sizeof(what), "send a request larger than rolegate inspects "
				"(a call of %zu bytes; plugin.max_body)", total);
	r = record_unreadable(rt, audit, w, phase, head, headlen, what);
	if (phase == RG_PHASE_RESPONSE)
		ans->json = decision_answer(true, NULL, &ans->status);
	else
		ans->json = decision_answer(false, "the request is larger than rolegate inspects "
				"(plugin.max_body); it is denied", &ans->status);
	ans->pending = r == 1;
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
		static const char empty[] = "the authorization call is empty (dockerd resends an "
			"empty body when it retries a call); denied";

		ans->pending = record_unreadable(rt, audit, w, phase, body, len, empty) == 1;
		ans->json = error_answer(empty, &ans->status);
		return;
	}
	/* One pass over the call, copying only what a decision reads (request.h). */
	if (rg_request_decode(&req, phase, body, len, rt->policy->plugin.max_body, &errstr) < 0) {
		ans->pending = record_unreadable(rt, audit, w, phase, body, len, errstr) == 1;
		ans->json = error_answer(errstr, &ans->status);
		return;
	}

	if (phase == RG_PHASE_RESPONSE) {
		response_phase(rt, audit, w, &req, ans);
		rg_request_clear(&req);
		return;
	}

	rg_authz_decide(rt, &req, NULL, &id, &d);
	if (rg_directory_call_pending()) {
		/* nothing decided or recorded: the call comes again once its groups are in */
		ans->lookup_pending = true;
		rg_decision_clear(&d);
		rg_identity_clear(&id);
		rg_request_clear(&req);
		return;
	}
	deny_unrecorded = rt->policy->audit.on_error == RG_ON_ERROR_DENY && d.verdict == RG_ALLOW;
	r = record(audit, w, &req, &id, &d, &d.roles, rt->policy->revision, NULL);
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
