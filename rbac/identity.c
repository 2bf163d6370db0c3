/* The caller's identity: identity.users merged with the directory's answer. */
#include <string.h>

#include "rolegate/identity.h"

static void merge(struct rg_identity *id, const struct rg_strv *groups)
{
	for (size_t i = 0; groups != NULL && i < groups->n; i++) {
		if (rg_strv_push_unique(&id->groups, groups->v[i]) < 0)
			id->error = "out of memory";
	}
}

void rg_identity_merge(const struct rg_policy *p, const char *dockerd_user, const char *authn,
		const struct rg_groups_answer *dir, struct rg_identity *id)
{
	const struct rg_strv *stat;

	memset(id, 0, sizeof(*id));
	id->source = RG_GROUPS_STATIC;
	/* identity.unauthenticated is for a request with no authentication at
	 * all. A TLS caller whose certificate has an empty CN did authenticate,
	 * as nobody: it is denied, never given the local identity. */
	if (dockerd_user[0] == '\0' && authn != NULL && authn[0] != '\0') {
		id->user = "";
		id->error = "a client certificate with an empty CN (common name) names no user";
		return;
	}
	id->user = dockerd_user[0] != '\0' ? dockerd_user : p->unauthenticated;
	if (id->user[0] == '\0')
		return;
	if (dir != NULL && dir->source == RG_GROUPS_GIVEN) {
		id->source = RG_GROUPS_GIVEN;
		merge(id, dir->groups);
		return;
	}
	stat = rg_policy_static_groups(p, id->user);
	merge(id, stat);
	if (dir == NULL || (dir->groups == NULL && dir->source != RG_GROUPS_UNAVAILABLE))
		return;
	id->source = dir->source;
	if (dir->source == RG_GROUPS_UNAVAILABLE) {
		if (stat == NULL)
			id->error = dir->error != NULL ? dir->error :
				"the directory (LDAP) could not be asked";
		return;
	}
	merge(id, dir->groups);
}

void rg_identity_clear(struct rg_identity *id)
{
	rg_strv_free(&id->groups);
	memset(id, 0, sizeof(*id));
}
