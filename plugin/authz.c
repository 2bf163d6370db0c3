/*
 * The glue between dockerd's call and the pure engine, shared by serve and
 * explain. Anything that goes wrong here ends in a deny or an error answer,
 * and dockerd treats a plugin error as a refusal.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "rolegate/approvedfile.h"
#include "rolegate/audit.h"
#include "rolegate/authz.h"
#include "rolegate/bodymemo.h"
#include "rolegate/directory.h"
#include "rolegate/hostfs.h"
#include "rolegate/iolane.h"
#include "rolegate/log.h"
#include "rolegate/runs.h"
#include "rolegate/state.h"

/*
 * The daemon's half of identity: asks the directory (through its cache) for
 * user's groups into groups, and says what it answered in ans. given
 * replaces the directory and identity.users (explain --groups).
 */
static void ask_directory(const struct rg_runtime *rt, const char *user, const struct rg_strv *given,
		struct rg_strv *groups, struct rg_groups_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	if (given != NULL) {
		ans->groups = given;
		ans->source = RG_GROUPS_GIVEN;
		return;
	}
	if (rt->dir == NULL || user[0] == '\0')
		return;
	if (rg_directory_groups(rt->dir, user, groups, &ans->source, &ans->error) < 0) {
		ans->source = RG_GROUPS_UNAVAILABLE;
		return;
	}
	ans->groups = groups;
}

/*
 * Everything the engine needs that only the daemon knows, for one call:
 * the directory's answer, the host filesystem, the approved-images files
 * and the ownership state, read-locked until view_end.
 */
struct call_view {
	struct rg_engine_view v;
	struct rg_approved_source approved;
	struct rg_strv groups;
	const struct rg_runtime *rt;
};

static void view_begin(const struct rg_runtime *rt, const struct rg_request *req,
		const struct rg_strv *given, struct call_view *cv)
{
	memset(cv, 0, sizeof(*cv));
	cv->rt = rt;
	cv->v.policy = rt->policy;
	if (req != NULL)
		ask_directory(rt, rg_engine_user(rt->policy, req), given, &cv->groups,
				&cv->v.groups);
	cv->v.fs = &rg_fs_host;
	rg_approvedfile_source(rt->approved, &cv->approved);
	cv->v.approved = &cv->approved;
	/* The ownership state is read for the decision only (SPEC.md §4). */
	cv->v.owners = rg_state_read_begin(rt->state);
	cv->v.now = (long long)time(NULL);
	cv->v.runs = rg_runs_gate(rt->runs);
}

static void view_end(struct call_view *cv)
{
	rg_state_read_end(cv->rt->state);
	rg_strv_free(&cv->groups);
}

int rg_authz_decide(const struct rg_runtime *rt, struct rg_request *req,
		const struct rg_strv *given, struct rg_result *out)
{
	struct call_view cv;

	view_begin(rt, req, given, &cv);
	if (rg_directory_call_pending()) {
		/* nothing decided: the call comes again once the groups are in */
		view_end(&cv);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	rg_engine_decide(&cv.v, req, out);
	view_end(&cv);
	return 0;
}

void rg_authz_identity(const struct rg_runtime *rt, const char *user, const char *authn,
		const struct rg_strv *given, struct rg_identity *id)
{
	struct rg_strv groups = { 0 };
	struct rg_groups_answer ans;

	ask_directory(rt, user, given, &groups, &ans);
	rg_identity_merge(rt->policy, user, authn, &ans, id);
	/* id holds copies of the names: groups can go */
	rg_strv_free(&groups);
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
	/* The plain allow is most answers: the text jansson would make
	 * (JSON_COMPACT), without building and dumping an object each call. */
	if (allow)
		return strdup("{\"Allow\":true}");
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

/*
 * Appends the record of a call: returns 0 once as durable as the call needs
 * (the engine's waits_for_disk: only an allowed mutating request waits for
 * the group commit under sync = "batch", SPEC.md §3), 1 when w will be
 * called back (see rg_audit_append_async), -1 when it could not be written
 * or flushed.
 */
static int record(struct rg_audit *audit, struct rg_audit_waiter *w, const struct rg_result *r)
{
	if (audit == NULL || !r->recorded)
		return 0;
	if (!r->waits_for_disk)
		return rg_audit_append_written(audit, &r->record);
	if (w != NULL)
		return rg_audit_append_async(audit, &r->record, w);
	return rg_audit_append(audit, &r->record);
}

/*
 * The response phase: the request was already decided and carried out, so
 * the answer is allow, except for a list whose answer shows other users'
 * objects to a role with `owner` (red team round 13; ownercheck.h). What the engine makes of it goes to the ownership
 * state (a 2xx create, rename or remove: the caller sends the answer once
 * it is durable, ans->journaled) and to the log when audit.responses asks
 * for it.
 */
static void response_phase(const struct rg_runtime *rt, struct rg_audit *audit, struct rg_audit_waiter *w,
		struct rg_request *req, struct rg_authz_answer *ans)
{
	struct rg_result r;
	int rc;

	ans->json = decision_answer(true, NULL, &ans->status);
	/* the names dockerd gave containers created without --name */
	rg_state_learn_names(rt->state, req);
	if (!rg_engine_response_needed(rt->policy, req)) {
		/* a create's copy, a start, is over (copyup.h): whatever its status */
		rg_runs_answered(rt->runs, req);
		return;
	}
	(void)rg_bodymemo_take(rt->memo, req);
	if (rg_authz_decide(rt, req, NULL, &r) < 0) {
		/* decided, observed and recorded once the lookup is done */
		free(ans->json);
		ans->json = NULL;
		ans->lookup_pending = true;
		return;
	}
	/* once per answer: not before a lookup makes the call come again */
	rg_runs_answered(rt->runs, req);
	/* a list answer under `owner` that shows others' objects (ownercheck.h):
	 * dockerd sends this refusal in its place */
	if (r.d.verdict != RG_ALLOW) {
		free(ans->json);
		ans->json = decision_answer(false, r.d.msg, &ans->status);
	}
	if (r.changes_owners && rt->state != NULL)
		ans->journaled = rg_state_observe(rt->state, req, r.id.user, r.d.role != NULL ? r.d.role : "") > 0;
	rc = record(audit, w, &r);
	if (rc < 0 && errno == ETIMEDOUT)
		log_warnx("cannot record the response to %s %s in the audit log: its disk has not "
				"completed a write or flush in %d ms", req->method, req->uri, RG_IOLANE_MS);
	else if (rc < 0)
		log_warn("cannot record the response to %s %s in the audit log", req->method, req->uri);
	ans->pending = rc == 1;
	rg_result_clear(&r);
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
 * (SPEC.md §6: every request gets a record; rg_engine_unreadable). Returns
 * as record(), or 2 when nothing was recorded yet: the caller's groups await
 * a directory lookup (make the call again, as for lookup_pending).
 */
static int record_unreadable(const struct rg_runtime *rt, struct rg_audit *audit,
		struct rg_audit_waiter *w, enum rg_phase phase, const char *buf, size_t len,
		const char *what, char *refused, size_t refusedlen, bool *journaled)
{
	struct rg_request req;
	struct rg_result res;
	struct call_view cv;
	bool known = decode_prefix(&req, phase, buf, len) == 0;
	int r;

	view_begin(rt, known ? &req : NULL, NULL, &cv);
	if (rg_directory_call_pending()) {
		/* recorded once the caller's groups are in, like any call */
		view_end(&cv);
		if (known)
			rg_request_clear(&req);
		return 2;
	}
	rg_engine_unreadable(&cv.v, known ? &req : NULL, phase, what, &res);
	view_end(&cv);
	/* an answer refused whole (engine.h: a list too large to be shown under `owner`) */
	if (refused != NULL && phase == RG_PHASE_RESPONSE && res.d.verdict != RG_ALLOW)
		snprintf(refused, refusedlen, "%s", res.d.msg);
	/*
	 * A volume prune whose answer is too large to read removed volumes
	 * rolegate cannot name: the state drops every volume record
	 * (ownerevent.c; red team round 13). Only a success has such an
	 * answer (dockerd writes the status after the body, cut here).
	 */
	if (journaled != NULL && known && phase == RG_PHASE_RESPONSE && rt->state != NULL &&
	    req.route.command != NULL && strcmp(req.route.command, "volume.prune") == 0) {
		req.status = 200;
		*journaled = rg_state_observe(rt->state, &req, res.id.user, "") > 0;
	}
	r = record(audit, w, &res);
	if (r < 0)
		log_warn("cannot record an unreadable call (%s) in the audit log", what);
	rg_result_clear(&res);
	if (known)
		rg_request_clear(&req);
	return r;
}

void rg_authz_answer_oversized(const struct rg_runtime *rt, struct rg_audit *audit,
		struct rg_audit_waiter *w, enum rg_phase phase, const char *head, size_t headlen,
		size_t total, bool busy, struct rg_authz_answer *ans)
{
	char what[256], refused[RG_MSG_MAX] = "";
	int r;

	memset(ans, 0, sizeof(*ans));
	if (busy && phase == RG_PHASE_RESPONSE)
		snprintf(what, sizeof(what), "the daemon's answer (a call of %zu bytes) came while "
				"rolegate held as many calls as it reads at once; not inspected", total);
	else if (busy)
		snprintf(what, sizeof(what), "send a request (a call of %zu bytes) while rolegate "
				"held as many calls as it reads at once", total);
	else if (phase == RG_PHASE_RESPONSE)
		snprintf(what, sizeof(what), "the daemon's answer is larger than rolegate reads "
				"(a call of %zu bytes; plugin.max_body); not inspected", total);
	else
		snprintf(what, sizeof(what), "send a request larger than rolegate inspects "
				"(a call of %zu bytes; plugin.max_body)", total);
	/* serve brackets no directory waiter around an oversized call: never 2 */
	r = record_unreadable(rt, audit, w, phase, head, headlen, what, refused, sizeof(refused),
			&ans->journaled);
	if (phase == RG_PHASE_RESPONSE && refused[0] != '\0')
		ans->json = decision_answer(false, refused, &ans->status);
	else if (phase == RG_PHASE_RESPONSE)
		ans->json = decision_answer(true, NULL, &ans->status);
	else
		ans->json = decision_answer(false, busy ? "rolegate is busy reading other large "
				"requests (too many at once); it is denied: try again" :
				"the request is larger than rolegate inspects (plugin.max_body); it is denied",
				&ans->status);
	ans->pending = r == 1;
}

/* The refusal sent instead of an allow whose record is lost (audit.on_error = "deny"). */
static char *unrecorded(const struct rg_result *r, int *http_status)
{
	char msg[RG_MSG_MAX], roles[256], with_roles[300] = "";

	/* The form of every other deny (SPEC.md §4): "USER (roles: R) may not ..." */
	if (r->d.roles.n > 0)
		snprintf(with_roles, sizeof(with_roles), " (roles: %s)",
				rg_strv_join(&r->d.roles, ", ", roles, sizeof(roles)));
	snprintf(msg, sizeof(msg), "%s%s may not use %s now: the decision cannot be recorded in the "
			"audit log (audit.on_error = \"deny\"); ask an administrator to check the disk",
			r->id.user[0] != '\0' ? r->id.user : "unauthenticated caller", with_roles, r->d.command);
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

/* Answers a call that cannot be decoded with an error, once it is recorded. */
static void answer_unreadable(const struct rg_runtime *rt, struct rg_audit *audit,
		struct rg_audit_waiter *w, enum rg_phase phase, const char *body, size_t len,
		const char *what, struct rg_authz_answer *ans)
{
	int r = record_unreadable(rt, audit, w, phase, body, len, what, NULL, 0, NULL);

	if (r == 2) {
		ans->lookup_pending = true;
		return;
	}
	ans->pending = r == 1;
	ans->json = error_answer(what, &ans->status);
}

void rg_authz_answer_call(const struct rg_runtime *rt, struct rg_audit *audit, struct rg_audit_waiter *w,
		enum rg_phase phase, const char *body, size_t len, struct rg_authz_answer *ans)
{
	struct rg_request req;
	struct rg_result res;
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
		answer_unreadable(rt, audit, w, phase, body, len, "the authorization call is empty "
				"(dockerd resends an empty body when it retries a call); denied", ans);
		return;
	}
	/* One pass over the call, copying only what a decision reads (request.h). */
	if (rg_request_decode(&req, phase, body, len, rt->policy->plugin.max_body, &errstr) < 0) {
		answer_unreadable(rt, audit, w, phase, body, len, errstr, ans);
		return;
	}

	if (phase == RG_PHASE_RESPONSE) {
		response_phase(rt, audit, w, &req, ans);
		rg_request_clear(&req);
		return;
	}

	if (rg_authz_decide(rt, &req, NULL, &res) < 0) {
		/* nothing decided or recorded: the call comes again once its groups are in */
		ans->lookup_pending = true;
		rg_request_clear(&req);
		return;
	}
	deny_unrecorded = rt->policy->audit.on_error == RG_ON_ERROR_DENY && res.d.verdict == RG_ALLOW;
	/* its response reads the same body again: keep the parse for it */
	if (res.d.verdict == RG_ALLOW && rg_engine_response_expected(rt->policy, res.d.command))
		rg_bodymemo_put(rt->memo, &req);
	r = record(audit, w, &res);
	if (r < 0) {
		if (errno == ETIMEDOUT)
			log_warnx("cannot write or flush the audit log %s: its disk has not completed a "
					"write or flush in %d ms", rt->policy->audit.path, RG_IOLANE_MS);
		else
			log_warn("cannot write or flush the audit log %s", rt->policy->audit.path);
		if (deny_unrecorded) {
			ans->json = unrecorded(&res, &ans->status);
			rg_runs_refused(rt->runs, &req);
		}
	}
	if (ans->json == NULL)
		ans->json = decision_answer(res.d.verdict == RG_ALLOW, res.d.msg, &ans->status);
	if (r == 1) {
		int ignored;

		ans->pending = true;
		if (deny_unrecorded) {
			ans->if_lost = unrecorded(&res, &ignored);
			rg_runs_call_of(&req, &ans->lost);
		}
	}
	rg_result_clear(&res);
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
