#ifndef ROLEGATE_DECIDE_H
#define ROLEGATE_DECIDE_H

/*
 * The decision: SPEC.md §4. Pure: no I/O, no logging, no globals. Every path
 * that is not an explicit allow is a deny.
 */

#include <jansson.h>

#include "rolegate/policy.h"
#include "rolegate/request.h"
#include "rolegate/strv.h"

#define RG_REASON_MAX 512
#define RG_MSG_MAX 1024

enum rg_verdict {
	RG_DENY = 0,
	RG_ALLOW = 1,
};

/* Where the caller's groups came from (for explain and the log). */
enum rg_group_source {
	RG_GROUPS_STATIC,      /* identity.users only */
	RG_GROUPS_LDAP,        /* fresh directory answer (+ static) */
	RG_GROUPS_CACHE,       /* cached directory answer (+ static) */
	RG_GROUPS_STALE,       /* stale cached answer while the directory is down */
	RG_GROUPS_GIVEN,       /* explain --groups */
	RG_GROUPS_UNAVAILABLE, /* directory down and nothing usable: deny */
};

struct rg_identity {
	const char *user;      /* effective user name ("" = none) */
	struct rg_strv groups;
	enum rg_group_source source;
	const char *error;     /* non-NULL: identity could not be established */
};

struct rg_decision {
	enum rg_verdict verdict;
	const char *command;   /* from the route table */
	struct rg_strv roles;  /* the caller's role names */
	const char *role;      /* the deciding role on allow (borrowed from policy) */
	const char *rule;      /* the allow pattern of that role that matched */
	char reason[RG_REASON_MAX]; /* on deny: why, in plain words */
	char msg[RG_MSG_MAX];  /* on deny: the Msg for dockerd, names user, roles, reason */
	json_t *details;       /* the record's details (details.h), set by rg_engine_decide; owned */
};

/*
 * Decides req for identity id under policy p. Always fills d (verdict DENY
 * unless a role allows). Returns the verdict. Free d with rg_decision_clear().
 */
enum rg_verdict rg_decide(const struct rg_policy *p, const struct rg_identity *id,
		struct rg_request *req, struct rg_decision *d);

void rg_decision_clear(struct rg_decision *d);

/*
 * Turns d (an allow) into a deny for reason, a phrase that reads after
 * "USER (roles: ...) may not", as rg_decide() words its own. For what the
 * engine finds after the decision (engine.c: a request the log cannot
 * record in full). Returns RG_DENY.
 */
enum rg_verdict rg_decision_refuse(struct rg_decision *d, const char *user, const char *reason);

/*
 * Appends to out the names of the roles that apply to id (by user or group).
 * Returns 0, or -1 when out of memory.
 */
int rg_roles_of(const struct rg_policy *p, const struct rg_identity *id, struct rg_strv *out);

const char *rg_group_source_name(enum rg_group_source s);

/*
 * The rule rg_decide() applies to a role's patterns: the allow pattern of r
 * that matches command when no deny pattern of r does, else NULL. For
 * `rolegate list`, which expands a role's patterns over the route table.
 */
const char *rg_role_allows(const struct rg_role *r, const char *command);

#endif
