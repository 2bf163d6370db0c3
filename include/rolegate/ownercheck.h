#ifndef ROLEGATE_OWNERCHECK_H
#define ROLEGATE_OWNERCHECK_H

/*
 * Ownership in decisions (SPEC.md §4, "Ownership"): which existing objects
 * a request names, whether a role with `owner` may act on them, what a
 * start re-checks against `bind_mounts`; and, on the way back, which state
 * changes a 2xx AuthZRes confirms. Pure: the model is read through
 * req->owners (NULL reads as an empty model) and changed only through the
 * sink the caller passes.
 */

#include <stddef.h>

#include "rolegate/ownership.h"
#include "rolegate/policy.h"
#include "rolegate/request.h"

/* Whether r's constraints refuse command whole, whatever its objects:
 * under `owner` every prune (SPEC.md §4); under `bind_mounts` docker cp and
 * docker commit; under `registries` docker login. `rolegate list` shows
 * such commands as refused, not as commands. */
bool rg_owner_refuses_command(const struct rg_role *r, const char *command);

/*
 * Whether the 2xx answer to command is judged at its AuthZRes under
 * `owner`: the lists whose answers carry what an inspect would refuse
 * (config.list: the data; service.list, task.list: the specs). Such an
 * answer is refused unless every object it lists is the caller's (red team
 * round 13); rg_owner_answer_refused() says whether r's `owner` judges it,
 * for an answer too large to be shown.
 */
bool rg_owner_judges_answer(const char *command);
bool rg_owner_answer_refused(const struct rg_role *r, const char *command);

/*
 * Checks req for role r and the caller user: under r's `owner`, every
 * object the request names must be the caller's (self) or the role's
 * (role); prunes are refused. Under a restricting `bind_mounts`, a start or
 * restart re-checks the container's recorded host paths and volumes, and a
 * create's named volumes that rolegate knows are judged by their options.
 * Returns 0, or -1 with reason set to a phrase completing "USER (roles: R)
 * may not ...", e.g. "exec in container opsbox: not created by bob".
 */
int rg_owner_check(const struct rg_role *r, const char *user, struct rg_request *req,
		char *reason, size_t reasonlen);

/*
 * Whether an AuthZRes says dockerd did what was asked: a 2xx status. A
 * service removal also with status 0: its handler never sets a status, so
 * dockerd's AuthZRes says 0 whether it removed the service or failed. The
 * record is dropped either way: after a failed removal the service is
 * nobody's (restricted roles lose it, never gain one; swarm names are
 * unique, so nobody else can take it by name).
 */
bool rg_owner_confirmed(const struct rg_request *req);

/*
 * Whether req is a container start through API version < 1.24: dockerd then
 * replaces the container's HostConfig with one sent in the body (read even
 * when chunked and never shown to the plugin), before it starts the
 * container, so even a start that fails (status 0) may have changed it.
 * The container's recorded settings (consinside.h) are dropped at its
 * answer: no longer what it reaches, they are refused to restricted roles.
 */
bool rg_owner_legacy_start(const struct rg_request *req);

/*
 * Whether a 2xx container inspect or list answer names a container
 * rolegate tracks by another name than its record holds (dockerd names a
 * container created without --name itself; a create's answer carries only
 * the id). rg_owner_events then renames the record, so that a restricted
 * role can name it as docker ps shows it. Only reads o: the daemon asks
 * under the state's read lock and takes the write lock only for a new name.
 */
bool rg_owner_names_learned(const struct rg_owners *o, const struct rg_request *req);

/* Whether req is an answer rg_owner_names_learned reads (a 2xx container
 * inspect or list with a body): the daemon asks before taking any lock. */
bool rg_owner_names_answer(const struct rg_request *req);

/* Where rg_owner_events sends each event; returns 0 or -1 (stops the walk). */
typedef int (*rg_owner_sink)(const struct rg_owner_event *ev, void *arg);

/*
 * The state changes an AuthZRes confirms (req->phase RESPONSE, req->status
 * and req->response_json set; the host paths a container create mounts are
 * resolved through req->fs, and recorded as cleaned where they cannot be):
 * a 2xx create (its id from the answer, user
 * and role as given, time now; named volumes it used that o does not know
 * are recorded as the creator's), rename, remove, prune. References are
 * resolved in o. Calls sink for each event in order. Returns the number of
 * events, or -1 with *why (static) when a 2xx create's answer carries no id
 * (nothing is recorded) or the sink failed. A call that changes nothing
 * (not 2xx, another command) returns 0.
 */
int rg_owner_events(const struct rg_owners *o, struct rg_request *req, const char *user,
		const char *role, long long now, rg_owner_sink sink, void *arg, const char **why);

/*
 * rg_owner_events applied straight to o (explain, test, the stand-in
 * daemon of `explain -- docker`): feeds a create's answer into the model.
 * Same returns.
 */
int rg_owners_observe(struct rg_owners *o, struct rg_request *req, const char *user,
		const char *role, long long now, const char **why);

#endif
