#ifndef ROLEGATE_CONSREACH_H
#define ROLEGATE_CONSREACH_H

/*
 * Constraint checks on settings that reach past the container (SPEC.md
 * §4, issue 14): runtimes, cgroup_parent, sysctls, log_drivers, max_limits
 * and image_targets. Same contract as conscheck.h: 0 passes, -1 denies with
 * k->reason set; an absent or null part passes where dockerd reads it as
 * Go's zero value.
 */

#include <jansson.h>

#include "rolegate/conscheck.h"

/* How absent limits count for max_limits. */
enum rg_limits_mode {
	RG_LIMITS_CREATE,      /* container or service create/update: absent = unlimited */
	RG_LIMITS_UPDATE,      /* container update: absent = unchanged */
};

/*
 * runtimes (Runtime), cgroup_parent (CgroupParent), sysctls (Sysctls),
 * log_drivers (LogConfig.Type), the log options below and Isolation of a
 * HostConfig (or of a service's settings spelled as one); prefix names it
 * in reasons.
 */
int rg_consreach_hostconfig(struct rg_conscheck *k, const json_t *hc, const char *prefix);
/*
 * A driver name (volume, log, network, IPAM) for every constrained role:
 * dockerd looks a name it does not know as a managed plugin up as files,
 * /run/docker/plugins/NAME.sock and /etc/docker/plugins/NAME.spec (a
 * socket, or a text file naming an address), joined as paths. A ".."
 * component leads anywhere: to a socket or spec file the role's own
 * container wrote under an allowed bind mount, a "volume driver" that
 * answers Mount with "/" (red team round 13). Refused.
 */
int rg_consreach_driver(struct rg_conscheck *k, const char *name, const char *field);

/*
 * Log options dockerd evaluates, judged for every constrained role (red
 * team round 12): LogConfig.Config "tag" (a Go template run in dockerd) may
 * hold only text and {{.ID}}-style fields, in at most RG_CONSREACH_MAX_TAG
 * bytes; unless the driver json-file or local is named, beginning with
 * {{.ID}} or {{.FullID}} (round 16: the tag is the program name of the
 * container's lines in the host's syslog or journal), and no labels,
 * labels-regex, env or env-regex (journald lets their fields replace the
 * container's own, CONTAINER_ID_FULL, SYSLOG_IDENTIFIER); under max_limits
 * none of those four with any driver, each tag field at most once (json-file
 * writes them into every line); "max-buffer-size" at most
 * RG_CONSREACH_MAX_LOG_BUFFER; "max-file" (renamed one by one at each rotation) at most
 * RG_CONSREACH_MAX_LOG_FILES. No option but max-size, max-file, compress,
 * tag, labels, labels-regex, env, env-regex, mode and max-buffer-size
 * (red team round 15: the others name addresses dockerd connects to and
 * host files it opens, as root).
 */
#define RG_CONSREACH_MAX_TAG 256
#define RG_CONSREACH_MAX_LOG_FILES 100
/*
 * The largest "max-buffer-size" (bytes): with mode=non-blocking dockerd
 * queues a container's log lines in its own memory up to that size,
 * outside the container's memory limit (red team round 16: a -m 64m
 * container with max-buffer-size=3g made dockerd 1.4 GB larger). 16 times
 * dockerd's default of 1 MiB.
 */
#define RG_CONSREACH_MAX_LOG_BUFFER (16LL * 1024 * 1024)

/*
 * max_limits on a HostConfig's resources (or a container update's body):
 * Memory, MemorySwap, PidsLimit, NanoCpus, CpuQuota/CpuPeriod, Ulimits,
 * OomKillDisable, OomScoreAdj.
 */
int rg_consreach_max_limits(struct rg_conscheck *k, const json_t *hc, enum rg_limits_mode mode);

/* The most host ports one container create may publish under max_limits:
 * each starts a docker-proxy process on the host, outside the container's
 * limits (red team round 11). */
#define RG_CONSREACH_MAX_PORTS 64

/* max_limits on a container create's published ports (a HostConfig's
 * PortBindings and PublishAllPorts): at most RG_CONSREACH_MAX_PORTS, and no
 * PublishAllPorts, which publishes the image's exposed ports, unseen. */
int rg_consreach_ports(struct rg_conscheck *k, const json_t *hc, const char *prefix);
/*
 * The shortest health check interval a create may ask for under
 * max_limits, in nanoseconds (Go's time.Duration). Each check is an exec:
 * dockerd, containerd, the shim and a runc process spend about 0.1 s of
 * CPU on it outside the container's limits (red team round 13), and
 * dockerd runs the next one `Interval` after the last ended.
 */
#define RG_CONSREACH_MIN_HEALTH_INTERVAL 1000000000LL
/*
 * max_limits on a health check (a create's Config.Healthcheck or a
 * service's ContainerSpec.Healthcheck; field names it): Interval and
 * StartInterval 0 (dockerd's default, or the image's) or at least
 * RG_CONSREACH_MIN_HEALTH_INTERVAL. Timeout, StartPeriod and Retries cost
 * nothing more (one check runs at a time): left to dockerd.
 */
int rg_consreach_healthcheck(struct rg_conscheck *k, const json_t *hc, const char *field);
/*
 * The shortest delay between a service task's exit and its replacement
 * under max_limits, in nanoseconds: swarmkit's own default. swarmkit
 * restarts a task after RestartPolicy.Delay every time, with no backoff;
 * each restart is a container create, start and removal in dockerd,
 * containerd and runc, outside the task's limits (red team round 13).
 */
#define RG_CONSREACH_MIN_RESTART_DELAY 5000000000LL
/*
 * max_limits on a service's TaskTemplate.RestartPolicy (field names it):
 * Delay absent or null (swarmkit's 5 s), or at least
 * RG_CONSREACH_MIN_RESTART_DELAY; 0 is no delay at all.
 */
int rg_consreach_restart_delay(struct rg_conscheck *k, const json_t *rp, const char *field);
/*
 * The longest stop timeout a create may give its container under
 * max_limits, in seconds. dockerd waits that long for a container to stop
 * before it kills it, on every stop without ?t= and at its own shutdown,
 * which waits for the longest of all containers' (red team round 16: -1, or
 * 2^31-1 with a stop signal the process ignores, kept dockerd from ever
 * shutting down).
 */
#define RG_CONSREACH_MAX_STOP_TIMEOUT 120
/*
 * max_limits on a create's Config.StopTimeout (seconds) and a service's
 * ContainerSpec.StopGracePeriod (nanoseconds; ns says which): absent or
 * null (dockerd's 10 s), or 0 to RG_CONSREACH_MAX_STOP_TIMEOUT seconds.
 */
int rg_consreach_stop_timeout(struct rg_conscheck *k, const json_t *v, const char *field, bool ns);

/*
 * image_targets: a local image name the command creates (tag, commit,
 * build -t, import). With image_targets the name must lie under one of
 * them; without it, a role with registries creates no names at all.
 * An empty name (an untagged image) passes.
 */
int rg_consreach_image_target(struct rg_conscheck *k, const char *name, const char *verb);

/* Whether c restricts the names of images a command creates. */
bool rg_consreach_targets_restricted(const struct rg_constraints *c);

#endif
