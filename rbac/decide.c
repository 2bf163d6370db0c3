/*
 * The decision (SPEC.md §4), in one place. Read rg_decide() top to bottom:
 * every early return is a deny; the only allow is at the end of the loop,
 * for a role that allows the command and whose constraints the request meets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rolegate/constraint.h"
#include "rolegate/decide.h"
#include "rolegate/ownercheck.h"

const char *rg_group_source_name(enum rg_group_source s)
{
	switch (s) {
	case RG_GROUPS_STATIC: return "static";
	case RG_GROUPS_LDAP: return "ldap";
	case RG_GROUPS_CACHE: return "cache";
	case RG_GROUPS_STALE: return "stale cache";
	case RG_GROUPS_GIVEN: return "given";
	case RG_GROUPS_UNAVAILABLE: return "unavailable";
	}
	return "?";
}

/*
 * Whether the body is a form (application/x-www-form-urlencoded). Go's
 * Request.ParseForm reads its fields ahead of the query's (fromImage, name,
 * networkmode...), and dockerd does not forward such a body to the plugin:
 * the request decided here would not be the one carried out. No docker
 * client sends them, so they are refused for every role.
 */
static bool form_body(const struct rg_request *req)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const char *ct = req->content_type;

	if (ct == NULL)
		return false;
	ct += strspn(ct, " \t");
	return strncasecmp(ct, form, sizeof(form) - 1) == 0 &&
		strchr("; \t", ct[sizeof(form) - 1]) != NULL;
}

/*
 * Whether the Content-Type holds a byte outside ASCII. dockerd reads the
 * header with mime.ParseMediaType, which lower-cases with Unicode
 * (strings.ToLower: "İ" U+0130 is "i", the Kelvin sign "k") and trims
 * Unicode spaces ("\u00a0"): "applİcation/x-www-form-urlencoded" is a form
 * to dockerd, whose body it does not forward and reads ahead of the query,
 * and not one to form_body() (red team round 14). No client sends such a
 * header: refused for every role rather than folded.
 */
static bool content_type_not_ascii(const struct rg_request *req)
{
	for (const char *p = req->content_type; p != NULL && *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			return true;
	}
	return false;
}

/*
 * Whether a command that real clients send without a body, and that is
 * decided or recorded by its query (fromImage, tag, repo, name), came with a body
 * dockerd did not forward. dockerd's ParseForm takes the FIRST Content-Type
 * header, while a plugin is shown only the LAST: "Content-Type: application/
 * x-www-form-urlencoded" followed by "Content-Type: text/plain" hides a form
 * body whose fromImage replaces the query's (docs/redteam-round2.md). The
 * docker CLI and SDKs send "Content-Length: 0"; a chunked body shows none.
 */
static bool hidden_body(const struct rg_request *req)
{
	/* container.rename: its ?name= becomes the ownership record's name; a
	 * hidden form renamed the container to another (red team round 5). */
	static const char *const commands[] = { "image.pull", "image.push", "image.tag",
		"container.rename" };
	const char *cmd = req->route.command;

	if (req->body_state != RG_BODY_ABSENT || cmd == NULL)
		return false;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i]) == 0)
			return req->content_length == NULL || strcmp(req->content_length, "0") != 0;
	}
	return false;
}

/*
 * A role allows a command when an allow pattern matches and no deny pattern
 * does. Returns the matching allow pattern, or NULL.
 */
static const char *role_allows(const struct rg_role *r, const char *command)
{
	const char *rule = NULL;

	for (size_t i = 0; i < r->allow.n && rule == NULL; i++) {
		if (rg_pattern_match(r->allow.v[i], command))
			rule = r->allow.v[i];
	}
	for (size_t i = 0; i < r->deny.n && rule != NULL; i++) {
		if (rg_pattern_match(r->deny.v[i], command))
			rule = NULL;
	}
	return rule;
}

static enum rg_verdict deny(struct rg_decision *d, const char *who, const char *fmt_reason)
{
	char roles[256];

	d->verdict = RG_DENY;
	if (d->roles.n > 0)
		snprintf(d->msg, sizeof(d->msg), "%s (roles: %s) may not %s", who,
				rg_strv_join(&d->roles, ", ", roles, sizeof(roles)), fmt_reason);
	else   /* no roles to name: the command is named at the end (SPEC.md §4) */
		snprintf(d->msg, sizeof(d->msg), "%s: %s, so may not use %s", who, fmt_reason,
				d->command != NULL ? d->command : "unknown");
	snprintf(d->reason, sizeof(d->reason), "%s", fmt_reason);
	return RG_DENY;
}

enum rg_verdict rg_decide(const struct rg_policy *p, const struct rg_identity *id,
		struct rg_request *req, struct rg_decision *d)
{
	const char *who = id->user[0] != '\0' ? id->user : "unauthenticated caller";
	char why[RG_REASON_MAX] = "";
	char groups[256];
	size_t *applies = NULL;
	long napplies;

	memset(d, 0, sizeof(*d));
	d->verdict = RG_DENY;
	d->command = req->route.command != NULL ? req->route.command : "unknown";

	if (req->route_err != NULL) {
		/* The record still says who asked, with what roles (SPEC.md §6). */
		if (id->error == NULL && id->user[0] != '\0')
			(void)rg_roles_of(p, id, &d->roles);
		/* With roles the message reads "... may not <why>" (deny()): a phrase, as
		 * for a body that cannot be decoded (SPEC.md §4). */
		if (d->roles.n == 0)
			return deny(d, who, req->route_err);
		snprintf(why, sizeof(why), "send a request whose path cannot be decoded (%s)", req->route_err);
		return deny(d, who, why);
	}
	/* identity.unauthenticated is only for no authentication at all: a
	 * certificate without a CN must never inherit it (rbac/identity.c
	 * already refuses; this holds for every caller of the engine). */
	if (req->user != NULL && req->user[0] == '\0' && req->authn != NULL && req->authn[0] != '\0')
		return deny(d, "unauthenticated caller", id->error != NULL ? id->error :
				"a client certificate with an empty CN (common name) names no user");
	/* dockerd names the caller by the last CN of several, other tools by
	 * the first (peercert.h): refuse rather than take a side */
	if (req->peer_cert && req->peer_cns > 1) {
		snprintf(why, sizeof(why), "a client certificate with %d CNs (common names) is refused: "
				"dockerd takes the last as the user name, other tools show the first",
				req->peer_cns);
		return deny(d, who, why);
	}
	if (req->peer_cert && req->peer_cns < 0)
		return deny(d, who, "a client certificate rolegate cannot read is refused "
				"(RequestPeerCertificates)");
	if (id->error != NULL)
		return deny(d, who, id->error);
	if (id->user[0] == '\0')
		return deny(d, who, "requests without a TLS client certificate are denied "
				"(identity.unauthenticated is not set)");

	if (rg_roles_of(p, id, &d->roles) < 0)
		return deny(d, who, "out of memory");
	if (d->roles.n == 0) {
		snprintf(why, sizeof(why), "has no role (groups: %s)",
				id->groups.n > 0 ? rg_strv_join(&id->groups, ", ", groups, sizeof(groups)) : "none");
		deny(d, who, why);
		snprintf(d->msg, sizeof(d->msg), "%s %s, so may not use %s", who, why, d->command);
		return RG_DENY;
	}
	if (content_type_not_ascii(req))
		return deny(d, who, "send a Content-Type with characters outside ASCII, which dockerd "
				"folds (it could read a form body in place of the query)");
	if (form_body(req))
		return deny(d, who, "send a form body, which dockerd would read in place of the query");
	if (hidden_body(req))
		return deny(d, who, "send a body rolegate is not shown with a request that takes none "
				"(no \"Content-Length: 0\"): dockerd could read it as a form in place of "
				"the query");
	/*
	 * dockerd forwards only JSON bodies. One that does not decode the way
	 * dockerd would read it (invalid, keys that collide under Go's folding)
	 * is refused for every role, constrained or not: rolegate cannot know
	 * what dockerd will make of it.
	 */
	if (req->body_state == RG_BODY_RAW || req->body_state == RG_BODY_INVALID) {
		const char *bad = NULL;

		if (rg_request_body(req, &bad) == NULL) {
			snprintf(why, sizeof(why), "send a request whose body cannot be decoded (%s)",
					bad != NULL ? bad : "unknown error");
			return deny(d, who, why);
		}
	}

	/* Only the caller's roles, in config order, found by index (policy.h):
	 * the cost of a call does not grow with the number of users and roles. */
	napplies = rg_policy_roles_for(p, id->user, &id->groups, &applies);
	for (long k = 0; k < napplies; k++) {
		const struct rg_role *r = &p->roles[applies[k]];
		char reason[RG_REASON_MAX];
		const char *rule;

		if ((rule = role_allows(r, d->command)) == NULL)
			continue;
		if (rg_constraints_check_role(r, req, reason, sizeof(reason)) < 0) {
			/* Keep the first constraint that stopped a role: it names the fix. */
			if (why[0] == '\0')
				snprintf(why, sizeof(why), "%s", reason);
			continue;
		}
		/* Ownership (SPEC.md §4): the objects it names must be this caller's. */
		if (rg_owner_check(r, id->user, req, reason, sizeof(reason)) < 0) {
			if (why[0] == '\0')
				snprintf(why, sizeof(why), "%s", reason);
			continue;
		}
		d->verdict = RG_ALLOW;
		d->role = r->name;
		d->rule = rule;
		free(applies);
		return RG_ALLOW;
	}
	free(applies);
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "use %s", d->command);
	return deny(d, who, why);
}

int rg_roles_of(const struct rg_policy *p, const struct rg_identity *id, struct rg_strv *out)
{
	size_t *applies;
	long n = rg_policy_roles_for(p, id->user, &id->groups, &applies);

	for (long k = 0; k < n; k++) {
		if (rg_strv_push(out, p->roles[applies[k]].name) < 0) {
			free(applies);
			return -1;
		}
	}
	free(applies);
	return n < 0 ? -1 : 0;
}

const char *rg_role_allows(const struct rg_role *r, const char *command)
{
	return role_allows(r, command);
}

enum rg_verdict rg_decision_refuse(struct rg_decision *d, const char *user, const char *reason)
{
	d->role = NULL;
	d->rule = NULL;
	return deny(d, user[0] != '\0' ? user : "unauthenticated caller", reason);
}

void rg_decision_clear(struct rg_decision *d)
{
	rg_strv_free(&d->roles);
	json_decref(d->details);
	memset(d, 0, sizeof(*d));
}
