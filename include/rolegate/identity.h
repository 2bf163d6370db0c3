#ifndef ROLEGATE_IDENTITY_H
#define ROLEGATE_IDENTITY_H

/*
 * Who the caller is: the user dockerd names (or identity.unauthenticated for
 * a call without authentication), and their groups from identity.users
 * merged with the directory's answer. Pure: the daemon asks the directory
 * and hands its answer in.
 */

#include "rolegate/decide.h"
#include "rolegate/policy.h"

/* What the directory said of the caller, as the daemon got it. */
struct rg_groups_answer {
	const struct rg_strv *groups; /* NULL: nobody was asked (no directory, or no user) */
	enum rg_group_source source;  /* LDAP, CACHE, STALE, GIVEN (explain --groups: replaces
	                               * identity.users too) or UNAVAILABLE */
	const char *error;            /* UNAVAILABLE: why, in plain words */
};

/*
 * Fills id for the user dockerd sent (dockerd_user, "" for none) and how it
 * was established (authn, dockerd's UserAuthNMethod: "" for none, "TLS").
 * identity.unauthenticated applies only when authn is empty; an empty user
 * with a non-empty authn (a certificate without CN) sets id->error. When
 * the directory was unavailable id->error is set (the decision then denies)
 * unless the user is listed in identity.users: a static user is a local
 * identity and keeps working on its static groups, which can only grant
 * less than the full set, never more. id->user points at dockerd_user or
 * the policy. Free with rg_identity_clear().
 */
void rg_identity_merge(const struct rg_policy *p, const char *dockerd_user, const char *authn,
		const struct rg_groups_answer *dir, struct rg_identity *id);

void rg_identity_clear(struct rg_identity *id);

#endif
