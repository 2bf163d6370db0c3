/*
 * The engine's one entry (engine.h): a decoded call and the daemon's view
 * in, identity + decision + record out. The decision itself is rg_decide()
 * (decide.c); this file says what a call's phase makes of it.
 */
#include <stdio.h>
#include <string.h>

#include "rolegate/details.h"
#include "rolegate/engine.h"
#include "rolegate/gojson.h"
#include "rolegate/ownercheck.h"

const char *rg_engine_user(const struct rg_policy *p, const struct rg_request *req)
{
	if (req->user[0] != '\0')
		return req->user;
	/* a certificate without a CN is somebody unnamed, never the local identity */
	if (req->authn != NULL && req->authn[0] != '\0')
		return "";
	return p->unauthenticated;
}

/* Commands whose 2xx answer changes the ownership state (ownercheck.h). */
static bool changes_owners(const char *command)
{
	static const char *const commands[] = {
		"container.create", "exec.create", "volume.create", "network.create",
		"container.rename", "container.remove", "volume.remove", "network.remove",
		"container.prune", "volume.prune", "network.prune", "service.create", "service.remove",
		/* a container's recorded create (consinside.h): widened, or dropped */
		"network.connect", "container.start", NULL,
	};

	for (size_t i = 0; command != NULL && commands[i] != NULL; i++) {
		if (strcmp(commands[i], command) == 0)
			return true;
	}
	return false;
}

/* Whether the answer changes the ownership state: a network connect's
 * answers all say status 0, done or failed (ownerevent.c); an old start's too. */
static bool owners_change(const struct rg_request *req, const char *command)
{
	if (!changes_owners(command))
		return false;
	/* a start changes a record only through API < 1.24, which may fail
	 * after it applied its HostConfig (ownercheck.h) */
	if (strcmp(command, "container.start") == 0)
		return rg_owner_legacy_start(req);
	return rg_owner_confirmed(req) || strcmp(command, "network.connect") == 0;
}

bool rg_engine_response_expected(const struct rg_policy *p, const char *command)
{
	return rg_audit_records_response(p->audit.responses, command) || changes_owners(command);
}

bool rg_engine_response_needed(const struct rg_policy *p, const struct rg_request *req)
{
	return rg_audit_records_response(p->audit.responses, req->route.command) ||
		owners_change(req, req->route.command);
}

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

/* The id the daemon returned for a create ("Id": containers, exec, networks, images). */
static const char *created_id(const struct rg_request *req)
{
	const json_t *v = rg_json_get(req->response_json, "Id");

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The record of a decided call: everything points into out and req. */
static void fill_record(const struct rg_policy *p, const struct rg_request *req,
		struct rg_result *out, const char *note)
{
	const struct rg_decision *d = &out->d;

	out->record = (struct rg_audit_entry){
		.phase = req->phase,
		.user = out->id.user,
		.authn = req->authn,
		.groups = &out->id.groups,
		.roles = &d->roles,
		.command = d->command,
		.object = req->route.object,
		.method = req->method,
		.uri = req->uri,
		.decision = d->verdict,
		.role = d->verdict == RG_ALLOW ? d->role : NULL,
		.reason = d->verdict == RG_DENY ? d->reason : NULL,
		.status = req->status,
		.id = req->phase == RG_PHASE_RESPONSE ? created_id(req) : NULL,
		.note = note != NULL ? note : out->id.source == RG_GROUPS_STALE ?
			"groups from stale cache (directory unreachable)" : NULL,
		.policy = p->revision,
		.details = req->phase == RG_PHASE_REQUEST ? d->details : NULL,
	};
}

static void view_attach(const struct rg_engine_view *v, struct rg_request *req)
{
	req->fs = v->fs;
	req->approved = v->approved;
	req->owners = v->owners;
	req->now = v->now;
}

/*
 * The view is borrowed for the decision only. The filesystem view stays: the
 * ownership state resolves the same host paths when it observes the answer
 * to a response (state.h), and it is the daemon's for as long as it runs.
 */
static void view_detach(struct rg_request *req)
{
	req->approved = NULL;
	req->owners = NULL;
}

enum rg_verdict rg_engine_decide(const struct rg_engine_view *v, struct rg_request *req,
		struct rg_result *out)
{
	const struct rg_policy *p = v->policy;
	const char *note = NULL;

	memset(out, 0, sizeof(*out));
	rg_identity_merge(p, req->user, req->authn, &v->groups, &out->id);
	view_attach(v, req);
	rg_decide(p, &out->id, req, &out->d);
	if (req->phase == RG_PHASE_REQUEST)
		out->d.details = rg_details_of(req); /* bind paths resolved through v->fs */
	view_detach(req);
	object_from_body(req);

	if (req->phase == RG_PHASE_REQUEST) {
		out->recorded = true;
		out->waits_for_disk = out->d.verdict == RG_ALLOW &&
			rg_command_mutating(out->d.command);
	} else {
		/*
		 * dockerd has acted: the answer is allow, and the record names
		 * the role that allowed the request, decided again from the
		 * request the response carries (SPEC.md §6). One the policy
		 * would not allow now (reloaded meanwhile) has no role.
		 */
		if (out->d.verdict != RG_ALLOW) {
			out->d.role = NULL;
			out->d.rule = NULL;
			note = "the request would not be allowed now (the policy changed?)";
		}
		out->d.verdict = RG_ALLOW;
		out->recorded = rg_audit_records_response(p->audit.responses, out->d.command);
		out->changes_owners = owners_change(req, out->d.command);
	}
	fill_record(p, req, out, note);
	return out->d.verdict;
}

void rg_engine_unreadable(const struct rg_engine_view *v, struct rg_request *req,
		enum rg_phase phase, const char *what, struct rg_result *out)
{
	static char empty[] = "";
	struct rg_request none = { .phase = phase, .method = empty, .uri = empty, .authn = empty,
		.user = empty, .route = { .object = "" } };
	struct rg_decision *d = &out->d;

	memset(out, 0, sizeof(*out));
	d->verdict = phase == RG_PHASE_RESPONSE ? RG_ALLOW : RG_DENY;
	d->command = "unknown";
	snprintf(d->reason, sizeof(d->reason), "%s", what);
	if (req == NULL) {
		out->id.user = "";
		req = &none;
	} else {
		rg_identity_merge(v->policy, req->user, req->authn, &v->groups, &out->id);
		if (out->id.error == NULL)
			(void)rg_roles_of(v->policy, &out->id, &d->roles);
		if (req->route.command != NULL)
			d->command = req->route.command;
	}
	out->recorded = true;
	fill_record(v->policy, req, out, phase == RG_PHASE_RESPONSE ? what : NULL);
	if (req == &none) {
		/* none dies here: keep the record's strings static */
		out->record.authn = out->record.method = out->record.uri = out->record.object = "";
	}
}

void rg_result_clear(struct rg_result *r)
{
	rg_decision_clear(&r->d);
	rg_identity_clear(&r->id);
	memset(r, 0, sizeof(*r));
}
