#ifndef ROLEGATE_CONSMOUNT_H
#define ROLEGATE_CONSMOUNT_H

/*
 * Constraint checks on what reaches the host's filesystem and devices:
 * bind mounts in all their spellings, volumes that are host mounts in
 * disguise, and the privileges a managed plugin asks for. Same contract as
 * conscheck.h: 0 passes, -1 denies with k->reason set.
 */

#include <jansson.h>

#include "rolegate/conscheck.h"

/* Whether bind_mounts restricts anything (absent, or a "/" entry, = no). */
bool rg_consmount_restricted(const struct rg_constraints *c);

/* bind_mounts: one host path the request names; phrase starts the reason
 * ("mount host path" gives "mount host path /etc (allowed: ...)"). */
int rg_consmount_host_path(struct rg_conscheck *k, const char *path, const char *phrase);

/* bind_mounts: Binds ("src:dst[:mode]", src absolute = host path) and
 * VolumesFrom (another container's mounts cannot be seen: refused). */
int rg_consmount_binds(struct rg_conscheck *k, const json_t *hc, const char *prefix);

/* unconfined = false: no bind or volume mounted at /dev or under it (runc
 * takes /dev/null and /dev/console from there to confine the container), in
 * a HostConfig's Binds and Mounts (a swarm ContainerSpec's Mounts spelled
 * as one) and, when config is not NULL, a create's anonymous Volumes. */
int rg_consmount_dev_targets(struct rg_conscheck *k, const json_t *hc, const json_t *config,
		const char *prefix);

/* bind_mounts (bind, npipe, volume options) and registries (image mounts):
 * a Mounts array, of a HostConfig or a swarm ContainerSpec. */
int rg_consmount_mounts(struct rg_conscheck *k, const json_t *mounts, const char *field);

/*
 * bind_mounts: a volume of the given driver with the given driver options
 * (a JSON object of strings, may be NULL). The local driver mounts
 * `device` with `type` and `o`: o=bind (or rbind) binds a host path, a
 * filesystem type other than tmpfs, nfs or cifs mounts a host device, a
 * kernel filesystem (proc, sysfs, ...) or paths named in `o` (overlay's
 * lowerdir=...): all of that is host access and checked as host paths.
 * Other drivers' options cannot be read: refused when restricted.
 * phrase starts the reason: "create a volume that".
 */
int rg_consmount_volume(struct rg_conscheck *k, const char *driver, const json_t *opts,
		const char *field, const char *phrase);

/*
 * The privileges a managed plugin is granted (plugin install/upgrade body,
 * a swarm PluginSpec.PluginPrivilege): [{Name, Description, Value[]}].
 * "network" host and the host PID/IPC namespaces need host_namespaces,
 * "mount" needs bind_mounts, "device"/"allow-all-devices" need devices,
 * "capabilities" needs capabilities; with privileged = false a plugin that
 * asks for any privilege at all is refused (it runs as root on the host).
 */
int rg_consmount_plugin_privileges(struct rg_conscheck *k, const json_t *privs, const char *field);

/*
 * Whether a container's RestartPolicy (of a HostConfig, may be NULL) lets
 * dockerd start it again with no API call: any Name but "" and "no"
 * (dockerd compares exactly); a RestartPolicy of the wrong shape counts as
 * restarting (fail closed).
 */
bool rg_consmount_restarts(const json_t *hc);

/* plugin set: ["name.source=/path", "name.path=/dev/x", "ENV=v", ...]. */
int rg_consmount_plugin_settings(struct rg_conscheck *k, const json_t *args);

/*
 * The most host paths one request may name where bind_mounts applies: each
 * is walked on disk (rolegate/hostpath.h), and a 1 MiB body of thousands of
 * slow paths would hold a server thread (docs/redteam-round2.md).
 */
#define RG_CONSMOUNT_MAX_HOST_PATHS 128
/*
 * Kernel memory one tmpfs inode may cost, for the nr_inodes= bound of a
 * tmpfs volume under max_limits: an empty file measured about 1 KiB of
 * slab (inode and dentry) on kernel 6.18 (red team round 16); twice that,
 * so nr_inodes at most max_limits.memory / 2 KiB.
 */
#define RG_CONSMOUNT_TMPFS_INODE_BYTES 2048LL

#endif
