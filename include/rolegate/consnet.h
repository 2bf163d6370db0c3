#ifndef ROLEGATE_CONSNET_H
#define ROLEGATE_CONSNET_H

/*
 * Networks (SPEC.md §3 networks, network_drivers; §4): which networks a
 * container may join, which drivers a new network may use, and networks
 * named by id under host_namespaces = false. Same contract as conscheck.h:
 * 0 passes, -1 denies with k->reason set.
 *
 * dockerd finds a network by exact id, then exact name, then id prefix
 * (daemon.FindNetwork), so a name made only of lower-case hex digits may
 * be another network's id prefix; the host network's id reaches the host's
 * network namespace. Such a name is "by id" here: its network cannot be
 * known without dockerd's state, and it is refused under `networks` and
 * under host_namespaces = false (unless rg_consnet_known() knows it).
 */

#include <stdbool.h>

#include <jansson.h>

#include "rolegate/conscheck.h"

/* Whether c restricts networks (networks, network_drivers) at all. */
bool rg_consnet_restricted(const struct rg_constraints *c);

/* Whether name could be read by dockerd as a network id or id prefix: empty,
 * or at most 64 lower-case hex digits. */
bool rg_consnet_id_like(const char *name);

/*
 * A container create's network mode: HostConfig.NetworkMode (hc may be
 * NULL) and the top-level NetworkMode of the deprecated embedded HostConfig
 * (body), each judged when set; neither set is "default". "default" is the
 * default bridge ("bridge"), "none" joins nothing, "host" and
 * "container:..." are host_namespaces' to judge, any other value is a
 * network name or id.
 */
int rg_consnet_mode(struct rg_conscheck *k, const json_t *hc, const json_t *body);

/*
 * One network a container joins by name or id: an EndpointsConfig key, the
 * network of a network connect, a service's Networks[].Target. field names
 * where it came from.
 */
int rg_consnet_join(struct rg_conscheck *k, const char *network, const char *field);

/*
 * A service's Networks[].Target: as rg_consnet_join, except that swarmkit
 * reads any name of letters and digits as a swarm id or id prefix, so
 * under host_namespaces = false or networks such a target must be a
 * network rolegate saw created.
 */
int rg_consnet_join_service(struct rg_conscheck *k, const char *target, const char *field);

/* network_drivers: a network create body (Driver, Options, ConfigFrom, and
 * rg_consnet_daemon_name). */
int rg_consnet_create(struct rg_conscheck *k, const json_t *body);

/*
 * A network create's Name that dockerd itself adopts: docker_gwbridge, the
 * bridge swarm joins every task on an overlay network to, found by name
 * (red team round 12). Refused under network_drivers and owner; 0 when the
 * body names another.
 */
int rg_consnet_daemon_name(struct rg_conscheck *k, const json_t *body);

/*
 * host_namespaces: a network create body that chooses its addresses
 * (IPAM.Config[].Subnet, IPRange or Gateway). The host routes its own
 * traffic for that subnet to the new bridge ahead of any wider route (its
 * LAN, a VPN), so a container given one of those addresses receives it.
 * dockerd's own pools (no IPAM.Config) avoid the host's routes.
 */
int rg_consnet_subnets(struct rg_conscheck *k, const json_t *body);

#endif
