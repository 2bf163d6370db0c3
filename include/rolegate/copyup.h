#ifndef ROLEGATE_COPYUP_H
#define ROLEGATE_COPYUP_H

/*
 * The copy-up race (docs/constraints.md, red team round 14). When a
 * container create mounts a named volume that is empty, dockerd copies what
 * the image holds at that path into it, on the host, at the create; it
 * follows a symlink that a process in another container mounting the same
 * volume plants meanwhile, and writes the image's files (a cron line) into
 * a host directory as root. rolegate cannot see whether the volume is empty
 * or what the image holds, but it can see who else mounts the volume. So,
 * under bind_mounts, a create that would copy into a named volume (no
 * nocopy) is allowed only when no container rolegate knows that mounts the
 * volume can run during the copy:
 *
 *   - none may be started by dockerd itself (a restart policy, or settings
 *     rolegate does not have) unless the daemon saw it stopped by a `docker
 *     stop` since its last start and since dockerd's own start (dockerd
 *     then keeps it down: stop cancels its restarts);
 *   - none runs now, and none is being started: the daemon answers that
 *     (struct rg_run_gate, plugin/runs.c: the kernel's list of processes,
 *     and the starts let through whose answer is not in);
 *   - and none is started until the create's answer is in: the gate holds
 *     the volumes, and refuses such a start meanwhile.
 *
 * This is the last step of a request's decision (engine.c), taken once the
 * verdict is allow: the hold must be taken only for a create that goes on.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "rolegate/strv.h"

struct rg_request;

/*
 * What the daemon knows about running containers (plugin/runs.c). Each
 * returns 0 (let through: remembered until the call's answer, which
 * rg_runs_answered matches by its user, method, URI and body), or -1 with
 * a phrase in why that reads after "USER (roles: ...) may not".
 */
struct rg_run_gate {
	void *arg;
	/* A create that copies into volumes; watch: the ids of the recorded
	 * containers that mount one of them (none may run or be starting). */
	int (*copy)(void *arg, const struct rg_request *req, const struct rg_strv *volumes,
			const struct rg_strv *watch, char *why, size_t len);
	/* A start, restart or unpause of container id (NULL when rolegate has
	 * no record it can tell), which mounts volumes. */
	int (*start)(void *arg, const struct rg_request *req, const char *id,
			const struct rg_strv *volumes, char *why, size_t len);
	/* A stop of container id (NULL: not known): once its answer says the
	 * container is down (2xx), stopped() is true
	 * for it until it is started again or dockerd starts. Never refuses. */
	void (*stop)(void *arg, const struct rg_request *req, const char *id);
	bool (*stopped)(void *arg, const char *id);
};

/*
 * The named volumes a create body copies into (HostConfig's and the top
 * level's Binds and Mounts without nocopy), appended to out. Returns 0, or
 * -1 when out of memory.
 */
int rg_copyup_volumes(const json_t *body, struct rg_strv *out);

/*
 * Whether dockerd may start a container by itself, judging by its recorded
 * settings (consinside.h): a restart policy other than "no", or settings
 * that are missing or cannot be read.
 */
bool rg_copyup_may_restart(const char *settings);

/*
 * The gate for an allowed request: 0 to go on, -1 with why set (a phrase
 * as above) to refuse. restricted: the deciding role has bind_mounts (only
 * then is a copying create judged; every start, restart and unpause goes
 * through the gate, whoever asks). gate NULL: no daemon (explain of a
 * saved state, tests): a copying create with a recorded container to watch
 * is refused, as rolegate cannot tell whether it runs.
 */
int rg_copyup_gate(const struct rg_run_gate *gate, struct rg_request *req, bool restricted,
		char *why, size_t len);

#endif
