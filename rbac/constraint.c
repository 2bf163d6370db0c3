/*
 * Role constraints (SPEC.md §3): which commands carry which settings, and
 * where in the request they are. The checks on each part live in
 * conscheck.c, consmount.c and consreach.c; this file only routes a request
 * to them. The role-level checks that come first are in consrole.c.
 *
 * Read rg_constraints_check() top to bottom: a command not in the table
 * below carries nothing a constraint restricts; a command in it is checked
 * on its query first, then, if any of the role's restricting keys needs the
 * body, on the body, and a body that cannot be read is a deny.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rolegate/consimage.h"
#include "rolegate/consinside.h"
#include "rolegate/consmount.h"
#include "rolegate/conscheck.h"
#include "rolegate/consnet.h"
#include "rolegate/consreach.h"
#include "rolegate/consswarmtpl.h"
#include "rolegate/constraint.h"
#include "rolegate/gojson.h"
#include "rolegate/imageref.h"
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
	K_REACH = 1 << 12,     /* runtimes, cgroup_parent, sysctls, log_drivers */
	K_MAX = 1 << 13,       /* max_limits */
	K_TARGETS = 1 << 14,   /* image_targets (or registries without it) */
	/* any key: what every constrained role is refused, whatever its keys
	 * (the log options dockerd evaluates, driver names it looks up as
	 * files: consreach.h) */
	K_ANY = 1 << 15,
};

/* What a HostConfig can ask for. */
#define K_HOSTCONFIG (K_PRIVILEGED | K_HOST_NS | K_CAPS | K_DEVICES | K_UNCONFINED | K_BINDS | \
		K_REACH | K_MAX)
/* What a plugin's privileges can ask for. */
#define K_PLUGIN (K_PRIVILEGED | K_HOST_NS | K_CAPS | K_DEVICES | K_BINDS)

bool rg_constraints_any(const struct rg_constraints *c)
{
	if (rg_consimage_restricted(c) || rg_consnet_restricted(c))
		return true;
	return c->privileged != RG_UNSET || c->host_namespaces != RG_UNSET ||
		c->devices != RG_UNSET || c->unconfined != RG_UNSET || c->has_capabilities ||
		c->has_bind_mounts || c->has_registries || c->has_require_limits || c->has_exec_user ||
		c->owner != RG_OWNER_ANY ||
		c->has_max_limits || c->has_runtimes || c->cgroup_parent != RG_UNSET ||
		c->has_sysctls || c->has_log_drivers || c->has_image_targets;
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
	if (c->has_runtimes || c->cgroup_parent == RG_NO || c->has_sysctls || c->has_log_drivers)
		keys |= K_REACH;
	if (c->has_max_limits)
		keys |= K_MAX;
	if (rg_consreach_targets_restricted(c))
		keys |= K_TARGETS;
	/* A role whose keys all allow everything ("ALL", "/", true) is not
	 * constrained; any other is. */
	if (keys != 0 || c->owner != RG_OWNER_ANY)
		keys |= K_ANY;
	return keys;
}

/* Go's strconv.Atoi on a version part, as versions.compare reads it: a
 * number too big saturates (the error is ignored). */
static void version_digit(long *part, int d)
{
	*part = *part > (LONG_MAX - d) / 10 ? LONG_MAX : *part * 10 + d;
}

bool rg_constraints_api_version(const char *uri, long v[3])
{
	const char *p = uri;
	size_t part = 0, n = 0;

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
	/*
	 * The first segment of the path as mux matches "/v{version:[0-9.]+}":
	 * percent-decoded first, so an encoded "%2F" ends it as '/' does. Read
	 * byte by byte, any length: "/v1.23%2Fcontainers/x/start" is API 1.23
	 * to dockerd, which then applies the start's HostConfig body (red team
	 * round 14; the segment was once decoded whole, '/' included, and
	 * read as no version at all).
	 */
	v[0] = v[1] = v[2] = 0;
	for (p++; *p != '\0' && *p != '?'; n++) {
		char c = *p++, hex[3];

		if (c == '%') {
			if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
				return false;  /* Go: a 400 */
			hex[0] = p[0];
			hex[1] = p[1];
			hex[2] = '\0';
			c = (char)strtol(hex, NULL, 16);
			p += 2;
		}
		if (n == 0) {
			if (c != 'v')
				return false;
			continue;
		}
		if (c == '/')
			break;
		if (c == '.') {
			part++;
		} else if (c >= '0' && c <= '9') {
			/* Go's versions.compare: dot-separated numbers, missing ones are 0 */
			if (part < 3)
				version_digit(&v[part], c - '0');
		} else {
			return false;
		}
	}
	return n >= 2;
}

/* Whether the request names an API version older than major.minor. */
static bool api_older(const struct rg_request *req, long major, long minor)
{
	long v[3];

	if (!rg_constraints_api_version(req->uri, v))
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

/* A query integer as dockerd reads it (Int64ValueOrZero: 0 when absent or
 * not a number), as a JSON integer, or NULL for 0. */
static json_t *query_int(struct rg_request *req, const char *name)
{
	/* whole, as dockerd reads it: ParseInt takes any number of leading zeros */
	char v[RG_PATH_MAX], *end;
	long long n;

	query_value(req, name, v, sizeof(v));
	/* strconv.ParseInt: an optional sign, then digits only (no spaces,
	 * which strtoll would skip), else dockerd reads 0. */
	if (strspn(v + (v[0] == '+' || v[0] == '-'), "0123456789") != strlen(v + (v[0] == '+' ||
			v[0] == '-')) || v[v[0] == '+' || v[0] == '-'] == '\0')
		return NULL;
	errno = 0;
	n = strtoll(v, &end, 10);
	return *end == '\0' && errno == 0 && n != 0 ? json_integer(n) : NULL;
}

/* The settings of a classic build's query, spelled as a HostConfig, so that
 * the build's RUN steps are judged by the same checks as a container
 * (and recorded in the same terms: rbac/details.c). */
json_t *rg_constraint_build_hostconfig(struct rg_request *req)
{
	static const struct {
		const char *query, *field;
	} ints[] = {
		{ "memory", "Memory" }, { "memswap", "MemorySwap" }, { "cpuquota", "CpuQuota" },
		{ "cpuperiod", "CpuPeriod" }, { "cpushares", "CpuShares" }, { "shmsize", "ShmSize" },
	}, strs[] = {
		{ "networkmode", "NetworkMode" }, { "cgroupparent", "CgroupParent" },
		{ "isolation", "Isolation" }, { "cpusetcpus", "CpusetCpus" },
	};
	char v[RG_PATH_MAX];
	json_t *hc = json_object();

	if (hc == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		json_t *n = query_int(req, ints[i].query);

		if (n != NULL)
			json_object_set_new(hc, ints[i].field, n);
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		query_value(req, strs[i].query, v, sizeof(v));
		if (v[0] != '\0')
			json_object_set_new(hc, strs[i].field, json_string(v));
	}
	/* ulimits is JSON ([{"Name":..,"Hard":..,"Soft":..}]); dockerd refuses
	 * the build when it does not decode, so an undecodable one is kept as a
	 * string and refused as malformed. Read as Go reads it (gojson.h): Go
	 * matches "name" to Name as well and keeps the last, so
	 * {"Name":"nofile",..,"NAME":"core","HARD":-1,..} was judged as nofile
	 * and applied as core unlimited (red team round 14); keys that fold
	 * alike are refused. */
	query_value(req, "ulimits", v, sizeof(v));
	if (v[0] != '\0') {
		const char *ignored;
		json_t *u = rg_gojson_parse(v, strlen(v), &ignored);

		json_object_set_new(hc, "Ulimits", u != NULL ? u : json_string(v));
	}
	return hc;
}

/*
 * The classic builder's cache (red team round 16, images): a RUN step is
 * taken from ANY local image whose parent is the step's parent and whose
 * ContainerConfig (command, environment, user) is the step's, whoever made
 * it, named or not. So under registries or image_targets:
 *
 * - container.commit is refused: a container run with a step's command
 *   (and the builder's PATH), changed by an exec, then committed without a
 *   name, was the cached step of ops' `docker build -t <trusted name>`.
 * - a build may not run its steps where their results differ from the
 *   victim's for the same key: extrahosts (--add-host), a networkmode
 *   other than default, bridge or none (a user network resolves the
 *   caller's network aliases; host is the host's loopback), and the proxy
 *   build arguments, which the key leaves out unless the Dockerfile
 *   declares them (rolegate cannot see the Dockerfile).
 */
static int build_cache_query(struct rg_conscheck *k, struct rg_request *req)
{
	static const char *const proxy_args[] = {
		"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
		"NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
	};
	const char *cursor = req->route.query, *why = NULL;
	char v[RG_PATH_MAX], q[RG_CONSCHECK_QUOTE_MAX + 1];
	json_t *args;
	int r;

	if (!rg_consreach_targets_restricted(k->c))
		return 0;
	if ((r = rg_query_next(&cursor, "extrahosts", v, sizeof(v))) != -1)
		return rg_conscheck_deny(k, "build with extra hosts (extrahosts%s%s, --add-host): a RUN "
				"step's result is cached without them, and another user's build of the same "
				"step would take it", r == 0 ? "=" : "",
				r == 0 ? rg_conscheck_quote(v, q, sizeof(q)) : "");
	query_value(req, "networkmode", v, sizeof(v));
	if (v[0] != '\0' && strcmp(v, "default") != 0 && strcmp(v, "bridge") != 0 &&
			strcmp(v, "none") != 0)
		return rg_conscheck_deny(k, "build on network %s (networkmode): a RUN step's result is "
				"cached without its network, and another user's build of the same step "
				"would take it; build on the default network",
				rg_conscheck_quote(v, q, sizeof(q)));
	query_value(req, "buildargs", v, sizeof(v));
	/* a client's nil map: no arguments */
	if (v[0] == '\0' || strcmp(v, "null") == 0)
		return 0;
	if ((args = rg_gojson_parse(v, strlen(v), &why)) == NULL || !json_is_object(args)) {
		json_decref(args);
		return rg_conscheck_deny(k, "build with a buildargs query that cannot be read as "
				"dockerd reads it");
	}
	for (size_t i = 0; i < sizeof(proxy_args) / sizeof(proxy_args[0]); i++) {
		if (json_object_get(args, proxy_args[i]) != NULL) {
			json_decref(args);
			return rg_conscheck_deny(k, "build with the proxy build argument %s: a RUN "
					"step's result is cached without it, and another user's build of the "
					"same step would take it", proxy_args[i]);
		}
	}
	json_decref(args);
	return 0;
}

/* Every ?t= of a build: the names it creates. */
static int build_tags(struct rg_conscheck *k, struct rg_request *req)
{
	const char *cursor = req->route.query;
	char t[RG_PATH_MAX], q[RG_CONSCHECK_QUOTE_MAX + 1];
	int r;

	while ((r = rg_query_next(&cursor, "t", t, sizeof(t))) == 0) {
		if (rg_consreach_image_target(k, t, "build an image named") < 0)
			return -1;
	}
	if (r == -2)
		return rg_conscheck_deny(k, "build an image named %s (the name is too long)",
				rg_conscheck_quote(t, q, sizeof(q)));
	return 0;
}

/*
 * image.build (the classic builder; BuildKit is refused in
 * rg_constraints_uninspectable): its RUN steps are containers, judged like
 * a create on what a build can set: network, cgroup parent, isolation,
 * memory and CPU limits, shm size, ulimits; its ?t= names under
 * image_targets. A build cannot set a PIDs limit: require_limits and
 * max_limits do not ask it for one.
 */
/*
 * A classic build's ulimits query must read one way: Go's decoder matches
 * "NAME" and "name" to Name and keeps the last (red team round 14). Also
 * refused: ulimits that are not JSON, which dockerd refuses anyway.
 */
static int build_ulimits_readable(struct rg_conscheck *k, struct rg_request *req)
{
	char v[RG_PATH_MAX];
	const char *why = NULL;
	json_t *u;

	query_value(req, "ulimits", v, sizeof(v));
	if (v[0] == '\0')
		return 0;
	if ((u = rg_gojson_parse(v, strlen(v), &why)) != NULL) {
		json_decref(u);
		return 0;
	}
	return rg_conscheck_deny(k, "build with a ulimits query that cannot be read as dockerd "
			"reads it (%s)", strstr(why, "two keys") != NULL ? "two keys that Go's decoder "
			"reads as one field" : "not valid JSON");
}

static int build_query(struct rg_conscheck *k, struct rg_request *req)
{
	json_t *hc = rg_constraint_build_hostconfig(req);
	long long shm;
	int rc = -1;

	if (hc == NULL)
		return rg_conscheck_deny(k, "%s: out of memory", k->what);
	if (rg_consimage_build(k) < 0 || build_ulimits_readable(k, req) < 0)
		goto out;
	{
		/* The RUN steps' network: unset is the default bridge (networks). */
		const char *mode = json_string_value(rg_json_get(hc, "NetworkMode"));

		if (rg_consnet_join(k, mode != NULL && mode[0] != '\0' ? mode : "default",
				"networkmode") < 0)
			goto out;
	}
	if (k->c->host_namespaces == RG_NO) {
		const char *mode = json_string_value(rg_json_get(hc, "NetworkMode"));
		char q[RG_CONSCHECK_QUOTE_MAX + 1];

		if (mode != NULL && strcasecmp(mode, "host") == 0) {
			rg_conscheck_deny(k, "build with the host's network namespace (networkmode=host)");
			goto out;
		}
		if (mode != NULL && strncasecmp(mode, "container:", 10) == 0) {
			rg_conscheck_deny(k, "build in the network namespace of container %s (networkmode)",
					rg_conscheck_quote(mode + 10, q, sizeof(q)));
			goto out;
		}
	}
	if (rg_consreach_hostconfig(k, hc, "build ") < 0)
		goto out;
	{
		/* The limits a build can carry: memory and CPU, no PIDs setting. */
		struct rg_constraints c = *k->c;
		const struct rg_constraints *saved = k->c;

		c.require_limits &= ~(unsigned)RG_LIMIT_PIDS;
		c.max_pids = 0;
		k->c = &c;
		rc = rg_conscheck_limits_create(k, hc);
		if (rc == 0)
			rc = rg_consreach_max_limits(k, hc, RG_LIMITS_CREATE);
		k->c = saved;
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (k->c->has_max_limits) {
		shm = json_integer_value(rg_json_get(hc, "ShmSize"));
		if (k->c->max_memory > 0 && shm > k->c->max_memory) {
			rg_conscheck_deny(k, "%s with a /dev/shm of %lld bytes (max_limits.memory is %lld)",
					k->what, shm, k->c->max_memory);
			goto out;
		}
	}
	if (build_tags(k, req) < 0 || build_cache_query(k, req) < 0)
		goto out;
	rc = 0;
out:
	json_decref(hc);
	return rc;
}

/* image.tag, container.commit, image.import: ?repo= (with ?tag=) is the
 * local name the command creates; no repo creates an untagged image. */
static int target_query(struct rg_conscheck *k, struct rg_request *req)
{
	char repo[RG_PATH_MAX];

	query_value(req, "repo", repo, sizeof(repo));
	return rg_consreach_image_target(k, repo, "create the local image name");
}

/* container.commit: see build_cache_query above. */
static int commit_query(struct rg_conscheck *k, struct rg_request *req)
{
	if (rg_consreach_targets_restricted(k->c))
		return rg_conscheck_deny(k, "commit a container (under registries or image_targets): "
				"the committed image joins the classic builder's cache, and any user's "
				"`docker build` whose RUN step has the container's command would take the "
				"container's files as that step; build the image from a Dockerfile instead");
	return target_query(k, req);
}

/* image.distribution: dockerd asks the image's registry about it. */
static int distribution_query(struct rg_conscheck *k, struct rg_request *req)
{
	return rg_conscheck_image(k, req->route.object, "look up image");
}

/*
 * image.push: dockerd sends the image (the path's name, with ?tag=) to the
 * registry that name holds, from the host's network: 127.0.0.1:PORT/x
 * makes it dial the host's own loopback, evil.example/x hands any local
 * image (another user's build) to an outside registry. registries bounds
 * where, as for a pull (red team round 4). The name was formatted by
 * route.c; one that does not parse is refused.
 */
static int pushed_name(struct rg_conscheck *k, const char *name, const char *verb)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	struct rg_imageref img;
	const char *err;

	if (!k->c->has_registries)
		return 0;
	rg_conscheck_quote(name, q, sizeof(q));
	if (rg_imageref_parse(name, &img, &err) < 0)
		return rg_conscheck_deny(k, "%s %s (%s)", verb, q, err);
	return rg_conscheck_image_registry(k, &img, verb, q);
}

static int push_query(struct rg_conscheck *k, struct rg_request *req)
{
	return pushed_name(k, req->route.object, "push image");
}

/*
 * plugin.push: the same for a plugin (docker plugin push), with one more
 * way in: dockerd finds the plugin by the path's name, or, when no plugin
 * has that name, by id prefix (plugin Store.resolvePluginID), and pushes
 * it to the registry its own name holds. "0be90a" parses as
 * docker.io/library/0be90a and pushed another user's plugin named
 * 127.0.0.1:5999/p to the host's loopback (red team round 10). A name made
 * only of lower-case hex digits may be such a prefix: refused.
 */
static int plugin_push_query(struct rg_conscheck *k, struct rg_request *req)
{
	const char *name = req->route.object;
	char q[RG_CONSCHECK_QUOTE_MAX + 1];

	if (!k->c->has_registries)
		return 0;
	if (name[0] != '\0' && strspn(name, "0123456789abcdef") == strlen(name))
		return rg_conscheck_deny(k, "push plugin %s by id (its name, which says where it "
				"goes, cannot be checked)", rg_conscheck_quote(name, q, sizeof(q)));
	return pushed_name(k, name, "push plugin");
}

/* image.search: ?term= names the index dockerd asks ("host/term"). */
static int search_query(struct rg_conscheck *k, struct rg_request *req)
{
	char term[RG_PATH_MAX], host[256];

	query_value(req, "term", term, sizeof(term));
	rg_conscheck_registry_of(term, false, host, sizeof(host));
	return rg_conscheck_registry_host(k, host, "search the registry");
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
	unsigned paths = k->host_paths;
	char field[64];

	rg_conscheck_field(field, sizeof(field), prefix, "Privileged");
	if (rg_conscheck_privileged(k, hc, field, "start privileged containers (--privileged)") < 0 ||
	    rg_conscheck_namespaces(k, hc, prefix) < 0)
		return -1;
	rg_conscheck_field(field, sizeof(field), prefix, "CapAdd");
	if (rg_conscheck_capabilities(k, rg_json_get(hc, "CapAdd"), field, "add capability") < 0)
		return -1;
	/* API 1.40's Capabilities replaces the default set: same rule. */
	rg_conscheck_field(field, sizeof(field), prefix, "Capabilities");
	if (rg_conscheck_capabilities(k, rg_json_get(hc, "Capabilities"), field,
			"add capability") < 0 ||
	    rg_conscheck_devices(k, hc, prefix) < 0 ||
	    rg_conscheck_unconfined(k, hc, prefix) < 0 ||
	    rg_consmount_binds(k, hc, prefix) < 0 ||
	    rg_consreach_hostconfig(k, hc, prefix) < 0)
		return -1;
	rg_conscheck_field(field, sizeof(field), prefix, "Mounts");
	if (rg_consmount_mounts(k, rg_json_get(hc, "Mounts"), field) < 0 ||
	    rg_consmount_dev_targets(k, hc, NULL, prefix) < 0)
		return -1;
	/*
	 * A restart by policy (or at dockerd's start) mounts the host paths
	 * again with no request rolegate sees; the container itself can swap
	 * an allowed directory for a symlink to / before it exits, and the
	 * next start mounts the host's / (red team round 4). Judged per
	 * HostConfig: dockerd takes the top level's only without HostConfig.
	 */
	if (k->host_paths > paths && rg_consmount_restarts(hc))
		return rg_conscheck_deny(k, "create a container that mounts host paths and restarts by "
				"itself (%sRestartPolicy): dockerd mounts them again unseen, when a path may "
				"have become a symlink (bind_mounts)", prefix);
	return 0;
}

/*
 * require_limits and max_limits on a create. dockerd (runconfig
 * getHostConfig) takes HostConfig, and copies Memory, MemorySwap,
 * CpuShares and CpusetCpus from the top level when HostConfig leaves them
 * 0; without HostConfig it takes the top level's fields. A limit must be
 * set in HostConfig (stricter than dockerd), and whatever the top level
 * sets is bounded too, as an update would be.
 */
static int create_limits(struct rg_conscheck *k, const json_t *top, const json_t *hc)
{
	if (rg_conscheck_limits_create(k, hc) < 0 ||
	    rg_consreach_max_limits(k, hc, RG_LIMITS_CREATE) < 0 ||
	    rg_consreach_ports(k, hc, "HostConfig.") < 0)
		return -1;
	if (top != NULL && top != hc && (rg_consreach_max_limits(k, top, RG_LIMITS_UPDATE) < 0 ||
			rg_consreach_ports(k, top, "") < 0))
		return -1;
	return 0;
}

/*
 * An endpoint's NetworkID: for a key that names a user-defined network,
 * dockerd joins the network NetworkID names in place of the key's
 * (getNetworkID), on create and on network connect. So it is judged as the
 * key is; red team round 5 joined a network the role may not use (another
 * user's, the host's by id) under a key it may.
 */
static int endpoint_network_id(struct rg_conscheck *k, const json_t *endpoint, const char *field)
{
	const json_t *ep;
	const char *id;

	if (rg_conscheck_object(k, endpoint, field, &ep) < 0 ||
	    rg_conscheck_string(k, rg_json_get(ep, "NetworkID"), field, &id) < 0)
		return -1;
	if (id[0] == '\0')
		return 0;
	if (rg_conscheck_network_name(k, id, field) < 0)
		return -1;
	return rg_consnet_join(k, id, field);
}

static int container_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const json_t *hc, *net, *endpoints, *top;
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
	 * (a deprecated embedded HostConfig): check both places, the top level
	 * whenever it holds a key that is not a Config field. */
	top = rg_conscheck_top_hostconfig(body) ? body : NULL;
	if (hostconfig(k, hc, "HostConfig.") < 0 || (top != NULL && hostconfig(k, top, "") < 0))
		return -1;
	if (rg_consnet_mode(k, hc, top) < 0 || rg_consmount_dev_targets(k, NULL, body, "") < 0)
		return -1;
	json_object_foreach((json_t *)endpoints, key, unused) {
		if (rg_conscheck_network_name(k, key, "NetworkingConfig.EndpointsConfig") < 0 ||
		    rg_consnet_join(k, key, "NetworkingConfig.EndpointsConfig") < 0 ||
		    endpoint_network_id(k, unused, "NetworkingConfig.EndpointsConfig[].NetworkID") < 0)
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
	if (rg_conscheck_image(k, image, "use image") < 0 ||
	    rg_consreach_healthcheck(k, rg_json_get(body, "Healthcheck"), "Healthcheck") < 0 ||
	    rg_consreach_stop_timeout(k, rg_json_get(body, "StopTimeout"), "StopTimeout", false) < 0)
		return -1;
	return create_limits(k, top, hc);
}

static int container_update(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_devices(k, body, "") < 0 ||
	    rg_consreach_max_limits(k, body, RG_LIMITS_UPDATE) < 0)
		return -1;
	return rg_conscheck_limits_update(k, body);
}

static int exec_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const char *user;
	char buf[256];

	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_privileged(k, body, "Privileged", "run privileged exec sessions (--privileged)") < 0 ||
	    rg_conscheck_string(k, rg_json_get(body, "User"), "User", &user) < 0)
		return -1;
	/* none: its container's user, as dockerd runs it (consinside.h) */
	if (user[0] == '\0' && rg_inside_container_user(k->owners, req->route.object, buf, sizeof(buf)))
		user = buf;
	return rg_conscheck_exec_user(k, user);
}

static int volume_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const char *driver;

	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_string(k, rg_json_get(body, "Driver"), "Driver", &driver) < 0 ||
	    rg_consreach_driver(k, driver, "Driver") < 0)
		return -1;
	return rg_consmount_volume(k, driver, rg_json_get(body, "DriverOpts"), "DriverOpts",
			"create a volume that");
}

/*
 * A secret's or config's Templating: swarmkit runs the payload as a Go
 * template on the node for each task that uses it, with printf and
 * variables, which build strings of any size inside dockerd (red team
 * round 12, as a log tag did). Refused to every constrained role.
 */
static int templating_body(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const json_t *t, *d;
	const char *name, *driver;

	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	/* A secret's Driver.Name is a plugin name dockerd looks up as files. */
	if (rg_conscheck_object(k, rg_json_get(body, "Templating"), "Templating", &t) < 0 ||
	    rg_conscheck_string(k, rg_json_get(t, "Name"), "Templating.Name", &name) < 0 ||
	    rg_conscheck_object(k, rg_json_get(body, "Driver"), "Driver", &d) < 0 ||
	    rg_conscheck_string(k, rg_json_get(d, "Name"), "Driver.Name", &driver) < 0 ||
	    rg_consreach_driver(k, driver, "Driver.Name") < 0)
		return -1;
	if (name[0] != '\0')
		return rg_conscheck_deny(k, "%s with Templating (swarmkit runs its data as a template "
				"on the node, unseen)", k->what);
	return 0;
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
		    rg_consnet_join_service(k, target, field) < 0)
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

/* Copies src[name] (any spelling) into hc as field, when set. */
static void spell(json_t *hc, const json_t *src, const char *name, const char *field)
{
	json_t *v = rg_json_get(src, name);

	if (v != NULL && !json_is_null(v))
		json_object_set(hc, field, v);
}

/*
 * A service's task, spelled as a container's HostConfig: the same facts
 * under the names container create gives them, so that one set of checks
 * (hostconfig(), create_limits()) judges both. ContainerSpec's Mounts,
 * CapabilityAdd, Sysctls, Ulimits, Init and Isolation, the task's resource
 * limits and its log driver.
 */
static json_t *service_hostconfig(const json_t *cs, const json_t *limits, const json_t *log,
		bool with_pids)
{
	json_t *hc = json_object(), *lc;

	if (hc == NULL)
		return NULL;
	spell(hc, cs, "Mounts", "Mounts");
	spell(hc, cs, "CapabilityAdd", "CapAdd");
	spell(hc, cs, "Sysctls", "Sysctls");
	spell(hc, cs, "Ulimits", "Ulimits");
	spell(hc, cs, "Init", "Init");
	spell(hc, cs, "Isolation", "Isolation");
	spell(hc, limits, "MemoryBytes", "Memory");
	spell(hc, limits, "NanoCPUs", "NanoCpus");
	if (with_pids)
		spell(hc, limits, "Pids", "PidsLimit");
	if (log != NULL && (rg_json_get(log, "Name") != NULL || rg_json_get(log, "Options") != NULL) &&
	    (lc = json_object()) != NULL) {
		spell(lc, log, "Name", "Type");
		spell(lc, log, "Options", "Config");
		json_object_set_new(hc, "LogConfig", lc);
	}
	return hc;
}

/* EndpointSpec.Ports[].PublishMode = host binds the port on the host's
 * network directly, bypassing the routing mesh: a host namespace. */
static int service_ports(struct rg_conscheck *k, const json_t *ep)
{
	static const char *const field = "EndpointSpec.Ports[].PublishMode";
	const json_t *ports = rg_json_get(ep, "Ports");
	const char *mode;
	size_t i;
	json_t *p;

	if (k->c->host_namespaces != RG_NO || ports == NULL || json_is_null(ports))
		return 0;
	if (!json_is_array(ports))
		return rg_conscheck_malformed(k, "EndpointSpec.Ports", "a list");
	json_array_foreach(ports, i, p) {
		if (json_is_null(p))
			continue;
		if (!json_is_object(p))
			return rg_conscheck_malformed(k, "EndpointSpec.Ports", "a list of objects");
		if (rg_conscheck_string(k, rg_json_get(p, "PublishMode"), field, &mode) < 0)
			return -1;
		if (strcasecmp(mode, "host") == 0)
			return rg_conscheck_deny(k, "publish port %lld on the host's network directly "
					"(%s=host; use the ingress mode)",
					(long long)json_integer_value(rg_json_get(p, "PublishedPort")), field);
		if (mode[0] != '\0' && strcasecmp(mode, "ingress") != 0)
			return rg_conscheck_deny(k, "publish a port in mode %s (%s)", mode, field);
	}
	return 0;
}

/* service.create and service.update: the body is the whole ServiceSpec. */
static int service_spec(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const json_t *ts, *cs, *ps, *res, *limits, *privs, *log, *ep;
	const char *image;
	json_t *hc;
	int rc;

	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	if (rg_conscheck_object(k, rg_json_get(body, "TaskTemplate"), "TaskTemplate", &ts) < 0 ||
	    rg_conscheck_object(k, rg_json_get(ts, "ContainerSpec"), "TaskTemplate.ContainerSpec",
			&cs) < 0 ||
	    rg_conscheck_object(k, rg_json_get(ts, "PluginSpec"), "TaskTemplate.PluginSpec", &ps) < 0 ||
	    rg_conscheck_object(k, rg_json_get(ts, "Resources"), "TaskTemplate.Resources", &res) < 0 ||
	    rg_conscheck_object(k, rg_json_get(res, "Limits"), "TaskTemplate.Resources.Limits",
			&limits) < 0 ||
	    rg_conscheck_object(k, rg_json_get(ts, "LogDriver"), "TaskTemplate.LogDriver", &log) < 0 ||
	    rg_conscheck_object(k, rg_json_get(body, "EndpointSpec"), "EndpointSpec", &ep) < 0 ||
	    rg_conscheck_object(k, rg_json_get(cs, "Privileges"),
			"TaskTemplate.ContainerSpec.Privileges", &privs) < 0)
		return -1;
	/* The task's kind: a container or a managed plugin (judged below);
	 * anything else is not a spec this code can read. */
	if (rg_conscheck_string(k, rg_json_get(ts, "Runtime"), "TaskTemplate.Runtime", &image) < 0)
		return -1;
	if (image[0] != '\0' && strcasecmp(image, "container") != 0 && strcasecmp(image, "plugin") != 0) {
		char q[RG_CONSCHECK_QUOTE_MAX + 1];

		return rg_conscheck_deny(k, "%s whose task runtime is %s (TaskTemplate.Runtime: only "
				"container and plugin can be checked)", k->what, rg_conscheck_quote(image, q, sizeof(q)));
	}
	if (service_networks(k, rg_json_get(ts, "Networks"), "TaskTemplate.Networks[].Target") < 0 ||
	    service_networks(k, rg_json_get(body, "Networks"), "Networks[].Target") < 0 ||
	    service_ports(k, ep) < 0 ||
	    rg_conscheck_swarm_privileges(k, privs) < 0 ||
	    rg_consswarmtpl_container_spec(k, cs) < 0 ||
	    rg_consreach_healthcheck(k, rg_json_get(cs, "Healthcheck"),
			"TaskTemplate.ContainerSpec.Healthcheck") < 0 ||
	    rg_consreach_restart_delay(k, rg_json_get(ts, "RestartPolicy"),
			"TaskTemplate.RestartPolicy") < 0 ||
	    rg_consreach_stop_timeout(k, rg_json_get(cs, "StopGracePeriod"),
			"TaskTemplate.ContainerSpec.StopGracePeriod", true) < 0 ||
	    plugin_spec(k, ps) < 0)
		return -1;
	/* dockerd zeroes Limits.Pids of a request older than API 1.41
	 * (adjustForAPIVersion): there it sets no limit. */
	hc = service_hostconfig(cs, limits, log, !api_older(req, 1, 41));
	if (hc == NULL)
		return rg_conscheck_deny(k, "%s: out of memory", k->what);
	rc = hostconfig(k, hc, "TaskTemplate.ContainerSpec.");
	/* swarmkit creates the tasks, and new ones after each exit, unseen:
	 * a host path judged now is mounted later, when it may be a symlink to
	 * / the previous task made (red team round 4). */
	if (rc == 0 && k->host_paths > 0)
		rc = rg_conscheck_deny(k, "%s that mounts host paths (TaskTemplate.ContainerSpec.Mounts): "
				"swarmkit mounts them for each task later, unseen, when a path may have become "
				"a symlink (bind_mounts)", k->what);
	/* A plugin service has no container, hence no image or limits of one. */
	if (rc == 0 && !(cs == NULL && ps != NULL)) {
		if (rg_conscheck_string(k, rg_json_get(cs, "Image"), "TaskTemplate.ContainerSpec.Image",
				&image) < 0 || rg_conscheck_image(k, image, "use image") < 0)
			rc = -1;
		else
			rc = create_limits(k, hc, hc);
	}
	json_decref(hc);
	return rc;
}

/* network.connect: the network is the path's {id}. */
static int connect_query(struct rg_conscheck *k, struct rg_request *req)
{
	if (rg_conscheck_network_name(k, req->route.object, "the path") < 0)
		return -1;
	return rg_consnet_join(k, req->route.object, "the path");
}

/* network.connect's EndpointConfig.NetworkID, as a create's (endpoint_network_id). */
static int connect_body(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	return endpoint_network_id(k, rg_json_get(body, "EndpointConfig"), "EndpointConfig.NetworkID");
}

static int network_create(struct rg_conscheck *k, struct rg_request *req, const json_t *body)
{
	const json_t *ipam;
	const char *driver, *ipam_driver;

	(void)req;
	if (!json_is_object(body))
		return rg_conscheck_malformed(k, "the body", "an object");
	/* Driver and IPAM.Driver are plugin names dockerd looks up as files. */
	if (rg_conscheck_string(k, rg_json_get(body, "Driver"), "Driver", &driver) < 0 ||
	    rg_conscheck_object(k, rg_json_get(body, "IPAM"), "IPAM", &ipam) < 0 ||
	    rg_conscheck_string(k, rg_json_get(ipam, "Driver"), "IPAM.Driver", &ipam_driver) < 0 ||
	    rg_consreach_driver(k, driver, "Driver") < 0 ||
	    rg_consreach_driver(k, ipam_driver, "IPAM.Driver") < 0)
		return -1;
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
			"registry address of POST /auth, so it cannot be checked (registries; docker "
			"pull and push send the credentials of ~/.docker/config.json without a login)");
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
 * The commands whose query or body carries settings a constraint restricts.
 * What cannot be inspected at all (BuildKit, load, plugin create, ...) is
 * refused to constrained roles before this, in consrole.c; archive upload
 * carries nothing the keys judge and is granted whole by allow.
 */
static const struct command_rule rules[] = {
	{ "container.create", "create a container",
		K_HOSTCONFIG | K_REGISTRIES | K_LIMITS | K_IMAGES | K_NETWORKS | K_ANY, NULL,
		container_create },
	{ "container.start", "start a container", 0, start_query, NULL },
	{ "container.update", "update a container", K_DEVICES | K_LIMITS | K_MAX, NULL, container_update },
	{ "exec.create", "create an exec session", K_PRIVILEGED | K_EXEC_USER, NULL, exec_create },
	{ "volume.create", "create a volume", K_BINDS | K_MAX | K_ANY, NULL, volume_create },
	{ "secret.create", "create a secret", K_ANY, NULL, templating_body },
	{ "config.create", "create a config", K_ANY, NULL, templating_body },
	{ "service.create", "create a service",
		K_HOSTCONFIG | K_REGISTRIES | K_LIMITS | K_IMAGES | K_NETWORKS | K_ANY, NULL, service_spec },
	{ "service.update", "update a service",
		K_HOSTCONFIG | K_REGISTRIES | K_LIMITS | K_IMAGES | K_NETWORKS | K_ANY, NULL, service_spec },
	{ "image.pull", "pull an image", 0, pull_query, NULL },
	{ "image.build", "build an image", 0, build_query, NULL },
	{ "image.tag", "tag an image", 0, target_query, NULL },
	{ "image.import", "import an image", 0, target_query, NULL },
	{ "container.commit", "commit a container", 0, commit_query, NULL },
	{ "image.distribution", "look up an image", 0, distribution_query, NULL },
	{ "image.search", "search images", 0, search_query, NULL },
	{ "image.push", "push an image", 0, push_query, NULL },
	{ "plugin.push", "push a plugin", 0, plugin_push_query, NULL },
	{ "plugin.privileges", "read a plugin's privileges", 0, plugin_query, NULL },
	{ "plugin.install", "install a plugin", K_PLUGIN, plugin_query, plugin_install },
	{ "plugin.upgrade", "upgrade a plugin", K_PLUGIN, plugin_query, plugin_install },
	{ "plugin.set", "configure a plugin", K_BINDS | K_DEVICES, NULL, plugin_set },
	{ "network.connect", "connect a container to a network", K_NETWORKS | K_HOST_NS, connect_query,
		connect_body },
	{ "network.create", "create a network", K_NET_DRIVERS | K_HOST_NS | K_ANY, NULL, network_create },
	{ "system.auth", "log in to a registry", 0, auth_query, NULL },
};

/* The restricting keys a command's query checks read. */
static unsigned query_keys(const char *command)
{
	if (strcmp(command, "image.pull") == 0 || strcmp(command, "plugin.install") == 0 || strcmp(command, "plugin.upgrade") == 0)
		return K_REGISTRIES | K_IMAGES;
	/* registries also bound the registries dockerd contacts for a caller */
	if (strcmp(command, "image.distribution") == 0 || strcmp(command, "image.search") == 0 ||
	    strcmp(command, "plugin.privileges") == 0 || strcmp(command, "image.push") == 0 ||
	    strcmp(command, "plugin.push") == 0)
		return K_REGISTRIES;
	if (strcmp(command, "image.build") == 0)
		return K_HOST_NS | K_REACH | K_MAX | K_LIMITS | K_TARGETS | K_IMAGES | K_NETWORKS;
	if (strcmp(command, "image.tag") == 0 || strcmp(command, "image.import") == 0 ||
	    strcmp(command, "container.commit") == 0)
		return K_TARGETS;
	/* K_ANY: the HostConfig an old start carries has log options too */
	if (strcmp(command, "container.start") == 0)
		return K_HOSTCONFIG | K_ANY;
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
		.reasonlen = reasonlen, .approved = req->approved, .fs = req->fs, .owners = req->owners,
		.now = req->now };
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
