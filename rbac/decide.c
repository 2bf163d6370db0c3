/*
 * The decision (SPEC.md §4), in one place. Read rg_decide() top to bottom:
 * every early return is a deny; the only allow is at the end of the loop,
 * for a role that allows the command and whose constraints the request meets.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rolegate/constraint.h"
#include "rolegate/decide.h"

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

static bool role_applies(const struct rg_role *r, const struct rg_identity *id)
{
	if (rg_strv_has(&r->users, id->user))
		return true;
	for (size_t i = 0; i < id->groups.n; i++) {
		if (rg_strv_has(&r->groups, id->groups.v[i]))
			return true;
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
	else
		snprintf(d->msg, sizeof(d->msg), "%s: %s", who, fmt_reason);
	snprintf(d->reason, sizeof(d->reason), "%s", fmt_reason);
	return RG_DENY;
}

enum rg_verdict rg_decide(const struct rg_policy *p, const struct rg_identity *id,
		struct rg_request *req, struct rg_decision *d)
{
	const char *who = id->user[0] != '\0' ? id->user : "unauthenticated caller";
	char why[RG_REASON_MAX] = "";
	char groups[256];

	memset(d, 0, sizeof(*d));
	d->verdict = RG_DENY;
	d->command = req->route.command != NULL ? req->route.command : "unknown";

	if (req->route_err != NULL) {
		/* The record still says who asked, with what roles (SPEC.md §6). */
		if (id->error == NULL && id->user[0] != '\0')
			(void)rg_roles_of(p, id, &d->roles);
		return deny(d, who, req->route_err);
	}
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
		snprintf(d->msg, sizeof(d->msg), "%s %s", who, why);
		return RG_DENY;
	}
	if (form_body(req))
		return deny(d, who, "send a form body, which dockerd would read in place of the query");
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

	for (size_t i = 0; i < p->nroles; i++) {
		const struct rg_role *r = &p->roles[i];
		char reason[RG_REASON_MAX];
		const char *rule;

		if (!role_applies(r, id) || (rule = role_allows(r, d->command)) == NULL)
			continue;
		if (rg_constraints_check(&r->constraints, req, reason, sizeof(reason)) < 0) {
			/* Keep the first constraint that stopped a role: it names the fix. */
			if (why[0] == '\0')
				snprintf(why, sizeof(why), "%s", reason);
			continue;
		}
		d->verdict = RG_ALLOW;
		d->role = r->name;
		d->rule = rule;
		return RG_ALLOW;
	}
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "use %s", d->command);
	return deny(d, who, why);
}

int rg_roles_of(const struct rg_policy *p, const struct rg_identity *id, struct rg_strv *out)
{
	for (size_t i = 0; i < p->nroles; i++) {
		if (role_applies(&p->roles[i], id) && rg_strv_push(out, p->roles[i].name) < 0)
			return -1;
	}
	return 0;
}

void rg_decision_clear(struct rg_decision *d)
{
	rg_strv_free(&d->roles);
	json_decref(d->details);
	memset(d, 0, sizeof(*d));
}
