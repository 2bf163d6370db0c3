/*
 * Network checks: see include/rolegate/consnet.h. Network names are
 * compared exactly, as dockerd compares them ("Bridge" is not the default
 * bridge, it is a network someone may have named so).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rolegate/consnet.h"
#include "rolegate/gojson.h"
#include "rolegate/ownership.h"

/* Drivers that attach a network to a host interface (Options "parent"). */
static const char *const host_interface_drivers[] = { "macvlan", "ipvlan" };

bool rg_consnet_restricted(const struct rg_constraints *c)
{
	return c->has_networks || c->has_network_drivers;
}

bool rg_consnet_id_like(const char *name)
{
	size_t n = strlen(name);

	return n <= 64 && strspn(name, "0123456789abcdef") == n;
}

/*
 * The name of the network an id-like reference is, or NULL when rolegate
 * cannot know it. The predefined networks (host, bridge, none) are never
 * recorded as created, so an id of theirs is never known here. A network
 * rolegate saw created is known by its full id, its exact name, or a
 * unique id prefix of at least RG_OWNERS_MIN_PREFIX characters, resolved
 * as dockerd resolves it: should the prefix also match a network rolegate
 * does not track, dockerd refuses it as ambiguous. A record whose name
 * another create took (name "") is not known. Resolving it marks the
 * record used (at k->now, when set), so that a network a service names by
 * id does not expire while the service is updated.
 */
static const char *known(const struct rg_conscheck *k, const char *ref)
{
	const struct rg_object *obj;

	if (k->owners == NULL || ref[0] == '\0')
		return NULL;
	if (rg_owners_resolve(k->owners, RG_OBJ_NETWORK, ref, RG_OWNERS_MIN_PREFIX, k->now, &obj) !=
	    RG_RESOLVED || obj->name[0] == '\0')
		return NULL;
	return obj->name;
}

static bool is_host_interface_driver(const char *driver)
{
	for (size_t i = 0; i < sizeof(host_interface_drivers) / sizeof(host_interface_drivers[0]); i++) {
		if (strcmp(driver, host_interface_drivers[i]) == 0)
			return true;
	}
	return false;
}

/* Whether the networks globs allow name (fnmatch without flags: '*' spans
 * every character, '/' included). */
static bool listed(const struct rg_strv *globs, const char *name)
{
	for (size_t i = 0; i < globs->n; i++) {
		if (fnmatch(globs->v[i], name, 0) == 0)
			return true;
	}
	return false;
}

/*
 * Whether swarmkit could read a service's network target as a network id or
 * id prefix: swarm ids are 25 letters and digits (base 36), and a name no
 * network has is tried as an id prefix (daemon/cluster getNetwork). The
 * predefined "bridge" and "none" always exist, and a name is looked up
 * before a prefix.
 */
static bool swarm_id_like(const char *name)
{
	size_t n = strlen(name);

	if (strcmp(name, "bridge") == 0 || strcmp(name, "none") == 0)
		return false;
	return n <= 64 && strspn(name, "0123456789abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
}

/* A network joined by name or id (never "host", "none" or "container:...");
 * swarm: a service's target, whose ids are not hex (swarm_id_like). */
static int join_name(struct rg_conscheck *k, const char *name, const char *field, bool swarm)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1], qn[RG_CONSCHECK_QUOTE_MAX + 1], list[256];
	const struct rg_constraints *c = k->c;
	const char *id = NULL, *named;

	rg_conscheck_quote(name, q, sizeof(q));
	if (swarm && !rg_consnet_id_like(name) && swarm_id_like(name) &&
	    (c->host_namespaces == RG_NO || (c->has_networks && listed(&c->networks, name))) &&
	    known(k, name) == NULL) {
		/*
		 * The docker CLI sends a service's networks as swarm ids: for
		 * --network host it sent the id of swarmkit's own "host"
		 * network, and the task ran in the host's network namespace
		 * (red team round 6). Only an id or name rolegate saw created
		 * can be judged.
		 */
		if (c->host_namespaces == RG_NO)
			return rg_conscheck_deny(k, "attach a service to network %s (%s): swarmkit reads a "
					"name of letters and digits as a network id or id prefix, and rolegate did "
					"not see that network created: it could be the host's network "
					"(host_namespaces)", name[0] == '\0' ? "\"\"" : q, field);
		return rg_conscheck_deny(k, "attach a service to network %s (%s): swarmkit reads a name "
				"of letters and digits as a network id or id prefix, and rolegate did not see "
				"that network created, so its name cannot be known (networks)",
				name[0] == '\0' ? "\"\"" : q, field);
	}
	/* A swarm id rolegate saw created is judged by its recorded name below. */
	if ((rg_consnet_id_like(name) || (swarm && swarm_id_like(name) && known(k, name) != NULL)) &&
	    (c->host_namespaces == RG_NO || c->has_networks)) {
		if ((named = known(k, name)) == NULL) {
			if (c->host_namespaces == RG_NO)
				return rg_conscheck_deny(k, "join network %s (%s): a name made of hex digits is "
						"read by dockerd as a network id or id prefix, and could be the host's "
						"network (host_namespaces)", name[0] == '\0' ? "\"\"" : q, field);
			return rg_conscheck_deny(k, "join network %s (%s): a name made of hex digits is "
					"read by dockerd as a network id or id prefix, whose name cannot be "
					"known (networks)", name[0] == '\0' ? "\"\"" : q, field);
		}
		/* Judged by the name rolegate recorded at its create. */
		if (strcmp(named, name) != 0) {
			id = name;
			name = named;
			rg_conscheck_quote(name, qn, sizeof(qn));
			/* dockerd creates no network named host; a record that says so
			 * is not trusted with the host's network. */
			if (strcasecmp(name, "host") == 0 && c->host_namespaces == RG_NO)
				return rg_conscheck_deny(k, "join network %s (%s, %s): the host's network "
						"(host_namespaces)", q, qn, field);
		}
	}
	if (!c->has_networks || listed(&c->networks, name))
		return 0;
	if (id != NULL)
		return rg_conscheck_deny(k, "join network %s (%s, %s; allowed networks: %s)", q, qn, field,
				c->networks.n > 0 ? rg_strv_join(&c->networks, ", ", list, sizeof(list)) : "none");
	return rg_conscheck_deny(k, "join network %s (%s; allowed networks: %s)", q, field,
			c->networks.n > 0 ? rg_strv_join(&c->networks, ", ", list, sizeof(list)) : "none");
}

int rg_consnet_join(struct rg_conscheck *k, const char *network, const char *field)
{
	/* "host" is host_namespaces' (rg_conscheck_network_name); "none" and
	 * the default bridge as dockerd reads them. */
	if (strcmp(network, "host") == 0 || strcmp(network, "none") == 0 ||
	    strncmp(network, "container:", 10) == 0)
		return 0;
	if (strcmp(network, "default") == 0)
		network = "bridge";
	return join_name(k, network, field, false);
}

int rg_consnet_join_service(struct rg_conscheck *k, const char *target, const char *field)
{
	if (strcmp(target, "host") == 0)
		return 0;
	return join_name(k, target, field, true);
}

int rg_consnet_mode(struct rg_conscheck *k, const json_t *hc, const json_t *body)
{
	const char *inner, *outer;

	if (!k->c->has_networks && k->c->host_namespaces != RG_NO)
		return 0;
	if (rg_conscheck_string(k, rg_json_get(hc, "NetworkMode"), "HostConfig.NetworkMode",
			&inner) < 0 ||
	    rg_conscheck_string(k, rg_json_get(body, "NetworkMode"), "NetworkMode", &outer) < 0)
		return -1;
	/* dockerd up to 20.10 also reads a top-level NetworkMode (the
	 * deprecated embedded HostConfig): each one that is set is judged. */
	if (inner[0] != '\0' && rg_consnet_join(k, inner, "HostConfig.NetworkMode") < 0)
		return -1;
	if (outer[0] != '\0' && rg_consnet_join(k, outer, "NetworkMode") < 0)
		return -1;
	/* Neither set: "default", the default bridge on Linux. */
	if (inner[0] == '\0' && outer[0] == '\0')
		return rg_consnet_join(k, "default", "HostConfig.NetworkMode (unset: the default bridge)");
	return 0;
}

/*
 * dockerd looks swarm's gateway bridge up by its name, docker_gwbridge, and
 * creates it only when no network of that name exists: an admin may make it
 * first to choose its settings. dave (owner = "self") made it before the
 * swarm was initialised; every task of alice's services on an overlay
 * network then had a leg on dave's network (with inter-container traffic
 * on, which swarm's own turns off), and dave's container read her
 * service's web page (red team round 12). A raw API create without
 * CheckDuplicate adds a second network of that name after it exists.
 */
int rg_consnet_daemon_name(struct rg_conscheck *k, const json_t *body)
{
	const json_t *name = rg_json_get(body, "Name");

	if (!json_is_string(name) || strcmp(json_string_value(name), "docker_gwbridge") != 0)
		return 0;
	return rg_conscheck_deny(k, "create network docker_gwbridge: swarm joins every task on an "
			"overlay network, any user's, to the network of that name (its gateway bridge)");
}

int rg_consnet_create(struct rg_conscheck *k, const json_t *body)
{
	const struct rg_constraints *c = k->c;
	char q[RG_CONSCHECK_QUOTE_MAX + 1], q2[RG_CONSCHECK_QUOTE_MAX + 1], list[256];
	const json_t *opts, *from;
	const char *driver, *parent, *bridge, *config_from;
	const json_t *default_bridge;

	if (!c->has_network_drivers)
		return 0;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_consnet_daemon_name(k, body) < 0)
		return -1;
	if (rg_conscheck_string(k, rg_json_get(body, "Driver"), "Driver", &driver) < 0 ||
	    rg_conscheck_object(k, rg_json_get(body, "Options"), "Options", &opts) < 0 ||
	    rg_conscheck_object(k, rg_json_get(body, "ConfigFrom"), "ConfigFrom", &from) < 0 ||
	    rg_conscheck_string(k, rg_json_get(from, "Network"), "ConfigFrom.Network",
			&config_from) < 0)
		return -1;
	/* Options is a Go map: its keys are exact. */
	if (rg_conscheck_string(k, json_object_get(opts, "parent"), "Options.parent", &parent) < 0 ||
	    rg_conscheck_string(k, json_object_get(opts, "com.docker.network.bridge.name"),
			"Options.com.docker.network.bridge.name", &bridge) < 0)
		return -1;
	default_bridge = json_object_get(opts, "com.docker.network.bridge.default_bridge");
	/* dockerd's default driver is "bridge". */
	if (driver[0] == '\0')
		driver = "bridge";
	rg_conscheck_quote(driver, q, sizeof(q));
	if (!rg_strv_has(&c->network_drivers, driver))
		return rg_conscheck_deny(k, "create a network with driver %s (allowed network_drivers: %s)",
				q, c->network_drivers.n > 0 ?
				rg_strv_join(&c->network_drivers, ", ", list, sizeof(list)) : "none");
	if (is_host_interface_driver(driver))
		return 0;
	/* Only macvlan and ipvlan attach to a host interface; under any other
	 * driver these can only be a way around that. */
	if (parent[0] != '\0')
		return rg_conscheck_deny(k, "create a network attached to host interface %s (Options "
				"parent) with driver %s (network_drivers: only an allowed macvlan or ipvlan "
				"may name a parent)", rg_conscheck_quote(parent, q2, sizeof(q2)), q);
	if (bridge[0] != '\0')
		return rg_conscheck_deny(k, "create a network on the host bridge %s (Options "
				"com.docker.network.bridge.name): a bridge of that name that exists on the "
				"host is joined as it is (network_drivers)",
				rg_conscheck_quote(bridge, q2, sizeof(q2)));
	/* libnetwork's bridge driver names a default_bridge network's bridge
	 * docker0 (the default bridge's) and puts the new network's gateway
	 * address on it in place of the one there: bob's network took over
	 * docker0, which alice's network used, and his container answered ARP
	 * beside hers (red team round 10). Any value: it is ParseBool'ed. */
	if (default_bridge != NULL)
		return rg_conscheck_deny(k, "create a network on the host bridge docker0 (Options "
				"com.docker.network.bridge.default_bridge): it is joined as it is and "
				"its address replaced (network_drivers)");
	if (config_from[0] != '\0')
		return rg_conscheck_deny(k, "create a network from the configuration of network %s "
				"(ConfigFrom), whose options (a host interface) cannot be checked; only an "
				"allowed macvlan or ipvlan may (network_drivers)",
				rg_conscheck_quote(config_from, q2, sizeof(q2)));
	return 0;
}

int rg_consnet_subnets(struct rg_conscheck *k, const json_t *body)
{
	static const char *const fields[] = { "Subnet", "IPRange", "Gateway" };
	char field[64], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const json_t *ipam, *config;
	const char *v;
	size_t i;
	json_t *e;

	if (k->c->host_namespaces != RG_NO)
		return 0;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_object(k, rg_json_get(body, "IPAM"), "IPAM", &ipam) < 0)
		return -1;
	config = rg_json_get(ipam, "Config");
	if (config == NULL || json_is_null(config))
		return 0;
	if (!json_is_array(config))
		return rg_conscheck_malformed(k, "IPAM.Config", "a list");
	json_array_foreach(config, i, e) {
		if (json_is_null(e))
			continue;
		if (!json_is_object(e))
			return rg_conscheck_malformed(k, "IPAM.Config", "a list of objects");
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			snprintf(field, sizeof(field), "IPAM.Config[].%s", fields[f]);
			if (rg_conscheck_string(k, rg_json_get(e, fields[f]), field, &v) < 0)
				return -1;
			if (v[0] != '\0')
				return rg_conscheck_deny(k, "create a network on the addresses %s (%s): the "
						"host routes its own traffic for it to the new bridge "
						"(host_namespaces)", rg_conscheck_quote(v, q, sizeof(q)), field);
		}
	}
	return 0;
}
