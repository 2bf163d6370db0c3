#include <string.h>

#include "rolegate/directory.h"
#include "rolegate/identity.h"

static void merge(struct rg_identity *id, const struct rg_strv *groups)
{
	for (size_t i = 0; groups != NULL && i < groups->n; i++) {
		if (rg_strv_push_unique(&id->groups, groups->v[i]) < 0)
			id->error = "out of memory";
	}
}

void rg_identity_resolve(const struct rg_policy *p, struct rg_directory *dir, const char *dockerd_user,
		const char *authn, const struct rg_strv *given, struct rg_identity *id)
{
	const struct rg_strv *stat;
	const char *errstr = NULL;

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
	if (given != NULL) {
		id->source = RG_GROUPS_GIVEN;
		merge(id, given);
		return;
	}
	stat = rg_policy_static_groups(p, id->user);
	merge(id, stat);
	if (dir == NULL)
		return;
	if (rg_directory_groups(dir, id->user, &id->groups, &id->source, &errstr) < 0) {
		id->source = RG_GROUPS_UNAVAILABLE;
		if (stat == NULL)
			id->error = errstr != NULL ? errstr : "the directory (LDAP) could not be asked";
	}
}

void rg_identity_clear(struct rg_identity *id)
{
	rg_strv_free(&id->groups);
	memset(id, 0, sizeof(*id));
}
