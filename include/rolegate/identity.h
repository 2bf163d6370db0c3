#ifndef ROLEGATE_IDENTITY_H
#define ROLEGATE_IDENTITY_H

/*
 * Who the caller is: the user dockerd names (or identity.unauthenticated for
 * the Unix socket), and their groups from identity.users merged with the
 * directory's answer.
 */

#include "rolegate/decide.h"
#include "rolegate/policy.h"

struct rg_directory;

/*
 * Fills id for the user dockerd sent (dockerd_user, "" for none) and how it
 * was established (authn, dockerd's UserAuthNMethod: "" for none, "TLS").
 * identity.unauthenticated applies only when authn is empty; an empty user
 * with a non-empty authn (a certificate without CN) sets id->error. dir may be
 * NULL (no LDAP). given, when non-NULL, replaces every lookup (explain
 * --groups). On a directory failure id->error is set (the decision then
 * denies) unless the user is listed in identity.users: a static user is a
 * local identity and keeps working on its static groups, which can only
 * grant less than the full set, never more. Free with rg_identity_clear().
 */
void rg_identity_resolve(const struct rg_policy *p, struct rg_directory *dir, const char *dockerd_user,
		const char *authn, const struct rg_strv *given, struct rg_identity *id);

void rg_identity_clear(struct rg_identity *id);

#endif
