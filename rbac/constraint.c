/*
 * Role constraints (SPEC.md §3): which commands carry which settings, and
 * where in the request they are. The checks on each part live in
 * conscheck.c and consmount.c; this file only routes a request to them.
 *
 * Read rg_constraints_check() top to bottom: a command not in the table
 * below carries nothing a constraint restricts; a command in it is checked
 * on its query first, then, if any of the role's restricting keys needs the
 * body, on the body, and a body that cannot be read is a deny.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rolegate/consimage.h"
#include "rolegate/consmount.h"
#include "rolegate/conscheck.h"
#include "rolegate/consnet.h"
#include "rolegate/constraint.h"
#include "rolegate/gojson.h"
#include "rolegate/route.h"

/* The constraint keys, as bits, for "which keys does this command use". */
enum key {
	K_PRIVILEGED = 1 << 0,
	K_HOST_NS = 1 << 1,
	K_CAPS = 1 << 2,
	K_DEVICES = 1 << 3,
	K_UNCONFINED = 1 << 4,
	K_BINDS = 1 << 5,
	K_REGISTRIES = 1 << 6,
	K_LIMITS = 1 << 7,
	K_EXEC_USER = 1 << 8,
	K_IMAGES = 1 << 9,          /* pinned_images, approved_images */
	K_NETWORKS = 1 << 10,       /* networks */
	K_NET_DRIVERS = 1 << 11,    /* network_drivers */
};

/* What a HostConfig can ask for. */
#define K_HOSTCONFIG (K_PRIVILEGED | K_HOST_NS | K_CAPS | K_DEVICES | K_UNCONFINED | K_BINDS)
/* What a plugin's privileges can ask for. */
#define K_PLUGIN (K_PRIVILEGED | K_HOST_NS | K_CAPS | K_DEVICES | K_BINDS)

bool rg_constraints_any(const struct rg_constraints *c)
{
	if (rg_consimage_restricted(c) || rg_consnet_restricted(c))
		return true;
	return c->privileged != RG_UNSET || c->host_namespaces != RG_UNSET ||
		c->devices != RG_UNSET || c->unconfined != RG_UNSET || c->has_capabilities ||
		c->has_bind_mounts || c->has_registries || c->has_require_limits || c->has_exec_user;
}

/* The keys of c that restrict something (a "true", "ALL" or "/" allows all). */
static unsigned restricting(const struct rg_constraints *c)
{
	unsigned keys = 0;

	if (c->privileged == RG_NO)
		keys |= K_PRIVILEGED;
	if (c->host_namespaces == RG_NO)
		keys |= K_HOST_NS;
	if (c->has_capabilities && !rg_strv_has(&c->capabilities, "ALL"))
		keys |= K_CAPS;
	if (c->devices == RG_NO)
		keys |= K_DEVICES;
	if (c->unconfined == RG_NO)
		keys |= K_UNCONFINED;
	if (rg_consmount_restricted(c))
		keys |= K_BINDS;
	if (c->has_registries)
		keys |= K_REGISTRIES;
	if (c->has_require_limits && c->require_limits != 0)
		keys |= K_LIMITS;
	if (c->has_exec_user)
		keys |= K_EXEC_USER;
	if (rg_consimage_restricted(c))
		keys |= K_IMAGES;
	if (c->has_networks)
		keys |= K_NETWORKS;
	if (c->has_network_drivers)
		keys |= K_NET_DRIVERS;
	return keys;
}

/*
 * The API version named by the request's "/vX.Y" prefix, as dockerd's
 * router reads it (the path percent-decoded). Returns false when there is
 * none: dockerd then uses its current version.
 */
static bool api_version(const char *uri, long v[3])
{
	const char *p = uri;
	char seg[32];
	size_t n = 0;

	if (*p != '/') {
		/* absolute-form "scheme://host/path" or "scheme:/path" */
		p = strchr(uri, ':');
		if (p == NULL)
			return false;
		p++;
		if (strncmp(p, "//", 2) == 0)
			p = strchr(p + 2, '/');
		if (p == NULL || *p != '/')
			return false;
	}
	for (p++; *p != '\0' && *p != '/' && *p != '?' && n + 1 < sizeof(seg); n++) {
		if (p[0] == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char hex[3] = { p[1], p[2], '\0' };

			seg[n] = (char)strtol(hex, NULL, 16);
			p += 3;
		} else {
			seg[n] = *p++;
		}
	}
	seg[n] = '\0';
	if (seg[0] != 'v' || seg[1] == '\0' || strspn(seg + 1, "0123456789.") != strlen(seg + 1))
		return false;
	/* Go's versions.compare: dot-separated numbers, missing ones are 0. */
	v[0] = v[1] = v[2] = 0;
	p = seg + 1;
	for (size_t i = 0; i < 3 && *p != '\0'; i++) {
		v[i] = strtol(p, NULL, 10);
		p += strcspn(p, ".");
		if (*p == '.')
			p++;
	}
	return true;
}

/* Whether the request names an API version older than major.minor. */
static bool api_older(const struct rg_request *req, long major, long minor)
{
	long v[3];

	if (!api_version(req->uri, v))
		return false;
	return v[0] < major || (v[0] == major && v[1] < minor);
}

/*
 * The query value dockerd will read ("" when absent). Form bodies, which
 * dockerd reads ahead of the query, are refused for every role in rg_decide().
 */
static void query_value(const struct rg_request *req, const char *name, char *out, size_t outlen)
{
	if (rg_query_get(req->route.query, name, out, outlen) < 0)
		out[0] = '\0';
}

/* image.pull: fromImage (a tag in ?tag= does not change the registry, but
 * may name the digest). */
static int pull_query(struct rg_conscheck *k, struct rg_request *req)
{
	char image[RG_PATH_MAX], tag[RG_PATH_MAX], ref[RG_PATH_MAX];

	query_value(req, "fromImage", image, sizeof(image));
	query_value(req, "tag", tag, sizeof(tag));
	rg_consimage_pull_ref(image, tag, ref, sizeof(ref));
	return rg_conscheck_image(k, ref, "pull image");
}

/* image.build: RUN steps on the host's network (?networkmode=host). */
static int build_query(struct rg_conscheck *k, struct rg_request *req)
{
	char mode[256], q[RG_CONSCHECK_QUOTE_MAX + 1];

	if (rg_consimage_build(k) < 0)
		return -1;
	query_value(req, "networkmode", mode, sizeof(mode));
	/* The RUN steps' network: unset is the default bridge (networks). */
	if (rg_consnet_join(k, mode[0] != '\0' ? mode : "default", "networkmode") < 0)
		return -1;
	if (strcasecmp(mode, "host") == 0)
		return rg_conscheck_deny(k, "build with the host's network namespace (networkmode=host)");
	if (strncasecmp(mode, "container:", 10) == 0)
		return rg_conscheck_deny(k, "build in the network namespace of container %s (networkmode)",
				rg_conscheck_quote(mode + 10, q, sizeof(q)));
	return 0;
}

/* plugin.install, plugin.upgrade: ?remote= is the plugin's image. */
static int plugin_query(struct rg_conscheck *k, struct rg_request *req)
{
	char remote[RG_PATH_MAX];

	if (!k->c->has_registries && !rg_consimage_restricted(k->c))
		return 0;
	query_value(req, "remote", remote, sizeof(remote));
	return rg_conscheck_image(k, remote, "install plugin");
}

/*
 * container.start: dockerd before API 1.24 applies a HostConfig sent with
 * start, and reads it even from a chunked body that is never forwarded to
 * the plugin (CVE-2024-41110). Since 1.24 it refuses any body.
 */
static int start_query(struct rg_conscheck *k, struct rg_request *req)
{
	if (!api_older(req, 1, 24))
		return 0;
	return rg_conscheck_deny(k, "%s through API version < 1.24, which can change its HostConfig",
			k->what);
}

/* Everything a HostConfig asks for, under prefix ("HostConfig." or ""). */
static int hostconfig(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	char field[64];

	snprintf(field, sizeof(field), "%sPrivileged", prefix);
	if (rg_conscheck_privileged(k, hc, field, "start privileged containers (--privileged)") < 0 ||
	    rg_conscheck_namespaces(k, hc, prefix) < 0)
		return -1;
	snprintf(field, sizeof(field), "%sCapAdd", prefix);
	if (rg_conscheck_capabilities(k, rg_json_get(hc, "CapAdd"), field, "add capability") < 0)
		return -1;
	/* API 1.40's Capabilities replaces the default set: same rule. */
	snprintf(field, sizeof(field), "%sCapabilities", prefix);
	if (rg_conscheck_capabilities(k, rg_json_get(hc, "Capabilities"), field,
			"add capability") < 0 ||
	    rg_conscheck_devices(k, hc, prefix) < 0 ||
	    rg_conscheck_unconfined(k, hc, prefix) < 0 ||
	    rg_consmount_binds(k, hc, prefix) < 0)
		return -1;
	snprintf(field, sizeof(field), "%sMounts", prefix);
	return rg_consmount_mounts(k, rg_json_get(hc, "Mounts"), field);
}

static int container_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const json_t *hc, *net, *endpoints;
	const char *image, *key, *cgroupns;
	json_t *unused;

	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_object(k, rg_json_get(body, "HostConfig"), "HostConfig", &hc) < 0 ||
	    rg_conscheck_object(k, rg_json_get(body, "NetworkingConfig"), "NetworkingConfig",
			&net) < 0 ||
	    rg_conscheck_object(k, rg_json_get(net, "EndpointsConfig"),
			"NetworkingConfig.EndpointsConfig", &endpoints) < 0 ||
	    rg_conscheck_string(k, rg_json_get(body, "Image"), "Image", &image) < 0)
		return -1;
	/* dockerd up to 20.10 also reads HostConfig fields from the top level
	 * (a deprecated embedded HostConfig): check both places. */
	if (hostconfig(k, hc, "HostConfig.") < 0 || hostconfig(k, body, "") < 0)
		return -1;
	if (rg_consnet_mode(k, hc, body) < 0)
		return -1;
	json_object_foreach((json_t *)endpoints, key, unused) {
		if (rg_conscheck_network_name(k, key, "NetworkingConfig.EndpointsConfig") < 0 ||
		    rg_consnet_join(k, key, "NetworkingConfig.EndpointsConfig") < 0)
			return -1;
	}
	/* Before API 1.41 an unset CgroupnsMode means "host" on cgroup v1. */
	if (k->c->host_namespaces == RG_NO && api_older(req, 1, 41)) {
		if (rg_conscheck_string(k, rg_json_get(hc, "CgroupnsMode"), "HostConfig.CgroupnsMode",
				&cgroupns) < 0)
			return -1;
		if (cgroupns[0] == '\0')
			return rg_conscheck_deny(k, "join the host's cgroup namespace (API < 1.41 without "
					"HostConfig.CgroupnsMode)");
	}
	if (rg_conscheck_image(k, image, "use image") < 0)
		return -1;
	return rg_conscheck_limits_create(k, hc);
}

static int container_update(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_devices(k, body, "") < 0)
		return -1;
	return rg_conscheck_limits_update(k, body);
}

static int exec_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const char *user;

	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_privileged(k, body, "Privileged", "run privileged exec sessions (--privileged)") < 0 ||
	    rg_conscheck_string(k, rg_json_get(body, "User"), "User", &user) < 0)
		return -1;
	return rg_conscheck_exec_user(k, user);
}

static int volume_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const char *driver;

	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_string(k, rg_json_get(body, "Driver"), "Driver", &driver) < 0)
		return -1;
	return rg_consmount_volume(k, driver, rg_json_get(body, "DriverOpts"), "DriverOpts",
			"create a volume that");
}

/* Networks of a swarm service: [{Target: "name or id", ...}]. */
static int service_networks(struct rg_conscheck *k, const json_t *networks, const char *field)
{
	const char *target;
	size_t i;
	json_t *n;

	if (networks == NULL || json_is_null(networks))
		return 0;
	if (!json_is_array(networks))
		return rg_conscheck_malformed(k, field, "a list");
	json_array_foreach(networks, i, n) {
		if (json_is_null(n))
			continue;
		if (!json_is_object(n))
			return rg_conscheck_malformed(k, field, "a list of objects");
		if (rg_conscheck_string(k, rg_json_get(n, "Target"), field, &target) < 0 ||
		    rg_conscheck_network_name(k, target, field) < 0 ||
		    rg_consnet_join(k, target, field) < 0)
			return -1;
	}
	return 0;
}

static int plugin_spec(struct rg_conscheck *k, const json_t *ps)
{
	const char *remote;

	if (ps == NULL)
		return 0;
	if (rg_conscheck_string(k, rg_json_get(ps, "Remote"), "TaskTemplate.PluginSpec.Remote",
			&remote) < 0 ||
	    rg_conscheck_image(k, remote, "install plugin") < 0)
		return -1;
	return rg_consmount_plugin_privileges(k, rg_json_get(ps, "PluginPrivilege"),
			"TaskTemplate.PluginSpec.PluginPrivilege");
}

/* service.create and service.update: the body is the whole ServiceSpec. */
static int service_spec(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const json_t *ts, *cs, *ps, *res, *limits, *privs;
	const char *image;

	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_object(k, rg_json_get(body, "TaskTemplate"), "TaskTemplate", &ts) < 0 ||
	    rg_conscheck_object(k, rg_json_get(ts, "ContainerSpec"), "TaskTemplate.ContainerSpec",
			&cs) < 0 ||
	    rg_conscheck_object(k, rg_json_get(ts, "PluginSpec"), "TaskTemplate.PluginSpec", &ps) < 0 ||
	    rg_conscheck_object(k, rg_json_get(ts, "Resources"), "TaskTemplate.Resources", &res) < 0 ||
	    rg_conscheck_object(k, rg_json_get(res, "Limits"), "TaskTemplate.Resources.Limits",
			&limits) < 0 ||
	    rg_conscheck_object(k, rg_json_get(cs, "Privileges"),
			"TaskTemplate.ContainerSpec.Privileges", &privs) < 0)
		return -1;
	if (service_networks(k, rg_json_get(ts, "Networks"), "TaskTemplate.Networks[].Target") < 0 ||
	    service_networks(k, rg_json_get(body, "Networks"), "Networks[].Target") < 0 ||
	    rg_conscheck_capabilities(k, rg_json_get(cs, "CapabilityAdd"),
			"TaskTemplate.ContainerSpec.CapabilityAdd", "add capability") < 0 ||
	    rg_conscheck_swarm_privileges(k, privs) < 0 ||
	    rg_consmount_mounts(k, rg_json_get(cs, "Mounts"), "TaskTemplate.ContainerSpec.Mounts") < 0 ||
	    plugin_spec(k, ps) < 0)
		return -1;
	/* A plugin service has no container, hence no image or limits of one. */
	if (cs == NULL && ps != NULL)
		return 0;
	if (rg_conscheck_string(k, rg_json_get(cs, "Image"), "TaskTemplate.ContainerSpec.Image",
			&image) < 0 ||
	    rg_conscheck_image(k, image, "use image") < 0)
		return -1;
	return rg_conscheck_limits_service(k, limits);
}

/* network.connect: the network is the path's {id}. */
static int connect_query(struct rg_conscheck *k, struct rg_request *req)
{
	if (rg_conscheck_network_name(k, req->route.object, "the path") < 0)
		return -1;
	return rg_consnet_join(k, req->route.object, "the path");
}

static int network_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	(void)req;
	if (rg_consnet_subnets(k, body) < 0)
		return -1;
	return rg_consnet_create(k, body);
}

/*
 * system.auth: dockerd logs in to the body's serveraddress, dialling it from
 * the host's network namespace (any host:port, the host's loopback too), and
 * never forwards that body to a plugin (it skips bodies of URIs ending in
 * "/auth"). Where the role's registries limit where dockerd may go, a
 * login, whose address cannot be seen, is refused.
 */
static int auth_query(struct rg_conscheck *k, struct rg_request *req)
{
	(void)req;
	return rg_conscheck_deny(k, "log in to a registry: dockerd does not show rolegate the "
			"registry address of POST /auth, so it cannot be checked (registries)");
}

static int plugin_install(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	(void)req;
	return rg_consmount_plugin_privileges(k, body, "the privileges");
}

static int plugin_set(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	(void)req;
	return rg_consmount_plugin_settings(k, body);
}

struct command_rule {
	const char *command;
	const char *what;           /* the command in words, for reasons */
	unsigned body_keys;         /* restricting keys that need the body */
	int (*query)(struct rg_conscheck *k, struct rg_request *req);
	int (*body)(struct rg_conscheck *k, struct rg_request *req, const json_t *body);
};

/*
 * Build, load, import, archive upload, grpc and session carry nothing that
 * can be inspected here (tar streams, BuildKit sessions): they are allowed
 * or denied whole by a role's patterns (docs/constraints.md).
 */
static const struct command_rule rules[] = {
	{ "container.create", "create a container",
		K_HOSTCONFIG | K_REGISTRIES | K_LIMITS | K_IMAGES | K_NETWORKS, NULL, container_create },
	{ "container.start", "start a container", 0, start_query, NULL },
	{ "container.update", "update a container", K_DEVICES | K_LIMITS, NULL, container_update },
	{ "exec.create", "create an exec session", K_PRIVILEGED | K_EXEC_USER, NULL, exec_create },
	{ "volume.create", "create a volume", K_BINDS, NULL, volume_create },
	{ "service.create", "create a service",
		K_HOSTCONFIG | K_REGISTRIES | K_LIMITS | K_IMAGES | K_NETWORKS, NULL, service_spec },
	{ "service.update", "update a service",
		K_HOSTCONFIG | K_REGISTRIES | K_LIMITS | K_IMAGES | K_NETWORKS, NULL, service_spec },
	{ "image.pull", "pull an image", 0, pull_query, NULL },
	{ "image.build", "build an image", 0, build_query, NULL },
	{ "plugin.install", "install a plugin", K_PLUGIN, plugin_query, plugin_install },
	{ "plugin.upgrade", "upgrade a plugin", K_PLUGIN, plugin_query, plugin_install },
	{ "plugin.set", "configure a plugin", K_BINDS | K_DEVICES, NULL, plugin_set },
	{ "network.connect", "connect a container to a network", 0, connect_query, NULL },
	{ "network.create", "create a network", K_NET_DRIVERS | K_HOST_NS, NULL, network_create },
	{ "system.auth", "log in to a registry", 0, auth_query, NULL },
};

/* The restricting keys a command's query checks read. */
static unsigned query_keys(const char *command)
{
	if (strcmp(command, "image.pull") == 0 || strcmp(command, "plugin.install") == 0 || strcmp(command, "plugin.upgrade") == 0)
		return K_REGISTRIES | K_IMAGES;
	if (strcmp(command, "image.build") == 0)
		return K_HOST_NS | K_IMAGES | K_NETWORKS;
	if (strcmp(command, "container.start") == 0)
		return K_HOSTCONFIG;
	if (strcmp(command, "network.connect") == 0)
		return K_NETWORKS | K_HOST_NS;
	if (strcmp(command, "system.auth") == 0)
		return K_REGISTRIES;
	return 0;
}

int rg_constraints_check(const struct rg_constraints *c, struct rg_request *req,
		char *reason, size_t reasonlen)
{
	const struct command_rule *rule = NULL;
	struct rg_conscheck k;
	const json_t *body;
	const char *why = NULL;
	unsigned keys;

	if (!rg_constraints_any(c))
		return 0;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && req->route.command != NULL; i++) {
		if (strcmp(rules[i].command, req->route.command) == 0)
			rule = &rules[i];
	}
	if (rule == NULL)
		return 0;
	keys = restricting(c);
	k = (struct rg_conscheck){ .c = c, .what = rule->what, .reason = reason,
		.reasonlen = reasonlen, .approved = req->approved };
	if (rule->query != NULL && (keys & query_keys(rule->command)) != 0 &&
	    rule->query(&k, req) < 0)
		return -1;
	if (rule->body == NULL || (keys & rule->body_keys) == 0)
		return 0;
	body = rg_request_body(req, &why);
	if (body == NULL)
		return rg_conscheck_deny(&k, "%s whose body cannot be checked: %s", rule->what,
				why != NULL ? why : "the body could not be read");
	return rule->body(&k, req, body);
}
