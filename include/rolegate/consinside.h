#ifndef ROLEGATE_CONSINSIDE_H
#define ROLEGATE_CONSINSIDE_H

/*
 * Acting inside an existing container (SPEC.md §4, docs/constraints.md).
 * dockerd runs an exec with its container's capabilities, devices,
 * namespaces, security options and mounts, and an attach or a start hands
 * over the container's own process: a shell in another user's --privileged
 * or --pid=host container is host root, whatever the exec asks. So a role
 * whose constraints bound what the host gives a container may start,
 * restart, attach to, exec in or copy files through only a container it
 * could have created that way. The create's settings are kept in the
 * container's ownership record (an exec's in the exec's) and judged again,
 * as a create, under the role's keys that bound the host: privileged,
 * host_namespaces, capabilities, devices, unconfined, bind_mounts,
 * networks, runtimes, cgroup_parent (and, for an exec, exec_user). Images,
 * registries, limits, sysctls and log drivers are not judged again: they
 * give a process inside nothing of the host's.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/policy.h"
#include "rolegate/request.h"

/* Whether c bounds anything of the host a process inside a container
 * reaches (exec_user alone does not). */
bool rg_inside_restricted(const struct rg_constraints *c);

/*
 * The settings to keep for a create dockerd confirmed (req: container.create
 * or exec.create): "URI\nBODY", the create's path with its API version and
 * the part of its body the judging above reads (a container's HostConfig,
 * NetworkingConfig, User and any top-level key that is not a Config field,
 * zero values left out; an exec's Privileged and User). default_user (may
 * be NULL): for an exec, the user its container was created with
 * (rg_inside_user), kept as the exec's User when the exec names none, since
 * dockerd runs it as that user. malloc'd; NULL when the body could not be
 * read (the object then cannot be judged: refused to a restricted role), is
 * too long to keep, or memory ran out.
 */
char *rg_inside_settings(struct rg_request *req, const char *default_user);

/*
 * The user a container's create named (`docker run -u`, compose's `user:`),
 * from its kept settings, into out (len bytes). false when the create named
 * none (the image's default user, which rolegate does not know), the
 * settings cannot be read, or the name does not fit. An exec that names no
 * user runs as this one.
 */
bool rg_inside_user(const char *settings, char *out, size_t len);

struct rg_owners;

/*
 * The user an exec in container ref that names none runs as: the user its
 * container's recorded create named (rg_inside_user), into out. The
 * container is taken as the ownership checks take it: a full id, an exact
 * name, or an id prefix of at least RG_OWNERS_MIN_PREFIX characters (a
 * shorter one could be the exact name of a container rolegate does not
 * know, whose user is not this one). false when o is NULL, the container is
 * not found so, or its create named no user (the image's, unknown).
 */
bool rg_inside_container_user(const struct rg_owners *o, const char *ref, char *out, size_t len);

/*
 * settings (from a container's record) with network joined, as a network
 * connect dockerd confirmed joins it: NetworkingConfig.EndpointsConfig gains
 * the key network (the connect's path) and, when set, network_id (its
 * EndpointConfig.NetworkID, which dockerd joins in its place). A key already
 * there is kept. dockerd connects a running or stopped container to more
 * networks than its create named (docker network connect, compose's extra
 * networks), and a restricted role's exec then reaches them too. malloc'd;
 * NULL when settings cannot be read, the result is too long to keep, or
 * memory ran out (the container then cannot be judged: refused).
 */
char *rg_inside_connect(const char *settings, const char *network, const char *network_id);

/*
 * settings (from a container's record) with HostConfig.RestartPolicy set to
 * policy, as a container update dockerd confirmed gives it (ownerevent.c).
 * malloc'd; NULL when settings cannot be read, the result is too long to
 * keep, another spelling of the key is there, or memory ran out.
 */
char *rg_inside_restart(const char *settings, const json_t *policy);

/*
 * Judges settings (from a record) for c, as the create it was, with the
 * host view, ownership state and approved images of req (borrowed).
 * Returns 0 when c would allow it, -1 with reason set to a phrase
 * completing "USER (roles: R) may not ...", e.g. "start privileged
 * containers (--privileged)". Settings that cannot be read are -1.
 */
int rg_inside_check(const struct rg_constraints *c, const char *settings,
		const struct rg_request *req, char *reason, size_t reasonlen);

#endif
