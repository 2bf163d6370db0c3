#ifndef ROLEGATE_CONSTRAINT_H
#define ROLEGATE_CONSTRAINT_H

/*
 * Role constraints (SPEC.md §3 roles.*.constraints): what a request asks
 * dockerd to do, read from its body the way dockerd reads it.
 */

#include <stddef.h>

#include "rolegate/policy.h"
#include "rolegate/request.h"

/*
 * Checks req (whose route.command is already set) against c. Returns 0 when it
 * passes (or the command carries nothing c restricts), -1 when it does not;
 * then reason holds a phrase that completes "USER (roles: R) may not ...",
 * e.g. "start privileged containers". A body that is needed but missing,
 * too large or undecodable is -1.
 */
int rg_constraints_check(const struct rg_constraints *c, struct rg_request *req,
		char *reason, size_t reasonlen);

/*
 * A classic build's query (networkmode, memory, cpuquota, ... ulimits) as the
 * HostConfig its RUN steps get, only what is set; NULL when out of memory.
 */
json_t *rg_constraint_build_hostconfig(struct rg_request *req);

/* Whether c restricts anything at all (all keys absent = no). */
bool rg_constraints_any(const struct rg_constraints *c);

/*
 * The role-level checks, then rg_constraints_check() on r's constraints
 * (SPEC.md §4). A role with any constraint key is refused what cannot be
 * inspected (BuildKit, image.load, plugin.create, checkpoint directories,
 * URLs dockerd fetches), whatever its allow patterns say; a service may
 * name secrets or configs only when r allows secret.inspect or
 * config.inspect. Same return and reason as rg_constraints_check().
 */
int rg_constraints_check_role(const struct rg_role *r, struct rg_request *req, char *reason,
		size_t reasonlen);

/*
 * The API version named by uri's "/vX.Y" prefix, as dockerd's router reads
 * it (the first segment of the percent-decoded path: "%2F" ends it), in v
 * (missing parts 0; a part too big for a long saturates, as Go's Atoi). Returns false when
 * there is none: dockerd then uses its current version.
 */
bool rg_constraints_api_version(const char *uri, long v[3]);

/* The commands refused whole to a constrained role (NULL-terminated). */
extern const char *const rg_uninspectable_commands[];

#endif
