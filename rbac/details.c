/*
 * A record's details: a summary of what the request asks for, in the terms
 * of `docker run` flags, for auditors. Only what is set is written, so that
 * `log query --detail privileged=true` reads naturally and records stay
 * short. Values are cut like every record field (RG_AUDIT_FIELD_MAX,
 * RG_AUDIT_LIST_MAX).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rolegate/audit_record.h"
#include "rolegate/conscheck.h"
#include "rolegate/consinside.h"
#include "rolegate/constraint.h"
#include "rolegate/details.h"
#include "rolegate/gojson.h"
#include "rolegate/hostpath.h"
#include "rolegate/imageref.h"
#include "rolegate/route.h"

/*
 * Notes in d["cut"] that key holds less than the request asks for: more
 * than RG_AUDIT_LIST_MAX entries, or a value longer than RG_AUDIT_FIELD_MAX.
 * Such a record would not say what dockerd does (a 257th bind of /etc, the
 * end of a padded command line), so the engine refuses the request
 * (engine.c, rg_details_cut); the refusal's record keeps the note.
 */
static void mark_cut(json_t *d, const char *key)
{
	json_t *cut = json_object_get(d, "cut");
	size_t i;
	json_t *x;

	if (cut == NULL) {
		cut = json_array();
		if (cut == NULL || json_object_set_new(d, "cut", cut) < 0)
			return;
	}
	json_array_foreach(cut, i, x) {
		if (strcmp(json_string_value(x), key) == 0)
			return;
	}
	json_array_append_new(cut, json_string(key));
}

/* s for key, cut at RG_AUDIT_FIELD_MAX bytes (on a UTF-8 boundary, and
 * marked: mark_cut), as a new JSON string. */
static json_t *str(json_t *d, const char *key, const char *s)
{
	size_t n = strlen(s);

	if (n > RG_AUDIT_FIELD_MAX) {
		n = RG_AUDIT_FIELD_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		mark_cut(d, key);
	}
	return json_stringn(s, n);
}

/* Sets key to string v when v is a non-empty JSON string. */
static void set_str(json_t *d, const char *key, const json_t *v)
{
	if (json_is_string(v) && json_string_length(v) > 0)
		json_object_set_new(d, key, str(d, key, json_string_value(v)));
}

/*
 * An exec's "user" as dockerd applies it: the one it names, else its
 * container's recorded user (consinside.h), else none (the image's).
 */
static void exec_user(json_t *d, const struct rg_request *req, const json_t *body)
{
	char user[256];

	set_str(d, "user", rg_json_get(body, "User"));
	if (json_object_get(d, "user") == NULL &&
	    rg_inside_container_user(req->owners, req->route.object, user, sizeof(user)))
		json_object_set_new(d, "user", str(d, "user", user));
}

/*
 * Sets "image" to v as dockerd will apply it: the full reference
 * ("busybox" is docker.io/library/busybox:latest), so that
 * `log query --detail image=docker.io/library/busybox*` finds every spelling
 * (SPEC.md §2, §6). An image id ("sha256:...", 64 hex digits) and what
 * does not parse as a reference are written as sent, as for the object
 * (rbac/route.c, image_object).
 */
static void set_image(json_t *d, const char *v)
{
	char full[RG_AUDIT_FIELD_MAX + 1];

	if (v == NULL || v[0] == '\0')
		return;
	if (strncmp(v, "sha256:", 7) != 0 && rg_imageref_normalize(v, full, sizeof(full)) == 0)
		v = full;
	json_object_set_new(d, "image", str(d, "image", v));
}

/* Appends s to the list key (made on first use), up to RG_AUDIT_LIST_MAX
 * (more: mark_cut). */
static void push(json_t *d, const char *key, const char *s)
{
	json_t *list = json_object_get(d, key);

	if (list == NULL) {
		list = json_array();
		if (list == NULL || json_object_set_new(d, key, list) < 0)
			return;
	}
	if (json_array_size(list) < RG_AUDIT_LIST_MAX)
		json_array_append_new(list, str(d, key, s));
	else
		mark_cut(d, key);
}

/* Every string of a list (or a lone string, as moby's strslice reads it). */
static void push_all(json_t *d, const char *key, const json_t *v)
{
	size_t i;
	const json_t *x;

	if (json_is_string(v)) {
		push(d, key, json_string_value(v));
		return;
	}
	json_array_foreach(v, i, x) {
		if (json_is_string(x))
			push(d, key, json_string_value(x));
	}
}

/*
 * Capabilities as dockerd applies them (caps.NormalizeLegacyCapabilities):
 * Go's upper case, "CAP_" in front, "ALL" as is. So `log query --detail
 * caps=CAP_SYS_ADMIN` finds "sys_admin" and "cap_\u017fys_admin" too (both
 * are CAP_SYS_ADMIN to dockerd). A name too long to fold is kept as written.
 */
static void push_cap(json_t *d, const char *c)
{
	char up[128], full[133];

	if (rg_conscheck_go_upper(c, up, sizeof(up)) < 0) {
		push(d, "caps", c);
		return;
	}
	snprintf(full, sizeof(full), "%s%s",
			strcmp(up, "ALL") == 0 || strncmp(up, "CAP_", 4) == 0 ? "" : "CAP_", up);
	push(d, "caps", full);
}

/* Every capability of a list (or a lone string, as moby's strslice reads it). */
static void push_caps(json_t *d, const json_t *v)
{
	size_t i;
	const json_t *x;

	if (json_is_string(v)) {
		push_cap(d, json_string_value(v));
		return;
	}
	json_array_foreach(v, i, x) {
		if (json_is_string(x))
			push_cap(d, json_string_value(x));
	}
}

/*
 * Security options as dockerd applies them (parseSecurityOpt): an option
 * without '=' but with ':' is read as KEY:VALUE (the old separator), so
 * "seccomp:unconfined" is recorded as "seccomp=unconfined", the form
 * `log query --detail security_opt=seccomp=unconfined` asks for.
 */
static void push_secopts(json_t *d, const json_t *v)
{
	char opt[512];
	size_t i;
	const json_t *x;

	json_array_foreach(v, i, x) {
		const char *o = json_string_value(x);
		char *colon;

		if (o == NULL)
			continue;
		if (strchr(o, '=') == NULL && strlen(o) < sizeof(opt) &&
				(colon = strchr(strcpy(opt, o), ':')) != NULL) {
			*colon = '=';
			o = opt;
		}
		push(d, "security_opt", o);
	}
}

/* A host path as the kernel will resolve it now (through the view fs); as
 * written when it cannot be. */
static void push_host_path(json_t *d, const struct rg_fs *fs, const char *path)
{
	char resolved[RG_HOSTPATH_MAX];
	const char *why;

	if (rg_hostpath_resolve(fs, path, resolved, sizeof(resolved), &why) == 0)
		push(d, "binds", resolved);
	else
		push(d, "binds", path);
}

/*
 * The host path a local volume's driver options mount (DriverOpts of a
 * volume create, VolumeOptions.DriverConfig.Options of a mount): "device"
 * when it is a path ("/srv/x" with o=bind, or a block device), so that
 * `log query --detail bind=/srv/...` finds a host directory mounted through a
 * volume as well as through -v. A network share ("//server/share",
 * "host:/export") is no host path; a relative device with o=bind is written
 * as given (the kernel resolves it from dockerd's working directory).
 */
static void volume_opts(json_t *d, const struct rg_fs *fs, const json_t *opts)
{
	const char *dev = json_string_value(rg_json_get(opts, "device"));
	const char *o = json_string_value(rg_json_get(opts, "o"));

	if (dev == NULL || dev[0] == '\0')
		return;
	if (dev[0] == '/' && dev[1] != '/')
		push_host_path(d, fs, dev);
	else if (dev[0] != '/' && strchr(dev, ':') == NULL && o != NULL && strstr(o, "bind") != NULL)
		push(d, "binds", dev);
}

/* Binds ("src:dst[:opts]") and Mounts ({Type, Source}) of a HostConfig or ContainerSpec. */
static void mounts(json_t *d, const struct rg_fs *fs, const json_t *binds, const json_t *list)
{
	size_t i;
	const json_t *x;

	json_array_foreach(binds, i, x) {
		char src[RG_HOSTPATH_MAX];
		const char *s = json_string_value(x), *colon;

		if (s == NULL)
			continue;
		colon = strchr(s, ':');
		snprintf(src, sizeof(src), "%.*s", colon != NULL ? (int)(colon - s) : (int)strlen(s), s);
		if (src[0] == '/')
			push_host_path(d, fs, src);
		else
			push(d, "volumes", src);
	}
	json_array_foreach(list, i, x) {
		const char *type = json_string_value(rg_json_get(x, "Type"));
		const char *src = json_string_value(rg_json_get(x, "Source"));

		if (type == NULL || src == NULL || src[0] == '\0')
			continue;
		if (strcmp(type, "bind") == 0)
			push_host_path(d, fs, src);
		else if (strcmp(type, "volume") == 0)
			push(d, "volumes", src);
		if (strcmp(type, "volume") == 0) {
			static const char *const opts[] = { "VolumeOptions", "DriverConfig", "Options", NULL };

			volume_opts(d, fs, rg_json_path(x, opts));
		}
	}
}

/* --volumes-from: the containers whose volumes this one mounts ("db:ro" is
 * db), so that `log query --object db` finds who reached into db's data. */
static void volumes_from(json_t *d, const json_t *list)
{
	size_t i;
	const json_t *x;

	json_array_foreach(list, i, x) {
		const char *s = json_string_value(x), *colon;
		char name[RG_AUDIT_FIELD_MAX + 1];

		if (s == NULL || s[0] == '\0')
			continue;
		colon = strrchr(s, ':');
		if (colon != NULL && (strcmp(colon, ":ro") == 0 || strcmp(colon, ":rw") == 0))
			snprintf(name, sizeof(name), "%.*s", (int)(colon - s), s);
		else
			snprintf(name, sizeof(name), "%s", s);
		push(d, "volumes_from", name);
	}
}

/* Memory, PidsLimit and CPUs of a HostConfig or a container update; only what is set. */
static void limits(json_t *d, const json_t *o)
{
	json_t *l = json_object();
	const json_t *mem = rg_json_get(o, "Memory"), *pids = rg_json_get(o, "PidsLimit");
	const json_t *nano = rg_json_get(o, "NanoCpus"), *quota = rg_json_get(o, "CpuQuota");
	const json_t *period = rg_json_get(o, "CpuPeriod");
	double cpus = 0;

	if (l == NULL)
		return;
	if (json_is_integer(mem) && json_integer_value(mem) != 0)
		json_object_set_new(l, "memory", json_integer(json_integer_value(mem)));
	if (json_is_integer(pids) && json_integer_value(pids) != 0)
		json_object_set_new(l, "pids", json_integer(json_integer_value(pids)));
	if (json_is_integer(nano) && json_integer_value(nano) > 0)
		cpus = (double)json_integer_value(nano) / 1e9;
	if (json_is_integer(quota) && json_integer_value(quota) > 0) {
		/* dockerd's default period is 100 ms */
		double p = json_is_integer(period) && json_integer_value(period) > 0 ?
			(double)json_integer_value(period) : 100000.0;

		if ((double)json_integer_value(quota) / p > cpus)
			cpus = (double)json_integer_value(quota) / p;
	}
	if (cpus > 0)
		json_object_set_new(l, "cpus", json_real(cpus));
	if (json_object_size(l) > 0)
		json_object_set_new(d, "limits", l);
	else
		json_decref(l);
}

/* HostConfig.Devices: each PathOnHost. */
/* Appends to buf (of size cap, at *n) what fits of s. */
static void put(char *buf, size_t cap, size_t *n, const char *s)
{
	int w = snprintf(buf + *n, cap - *n, "%s", s);

	if (w > 0)
		*n = *n + (size_t)w < cap ? *n + (size_t)w : cap - 1;
}

/*
 * Device requests (--gpus): dockerd hands the host's devices to the
 * container through the driver, so an auditor asks for them as devices:
 * "request(count=all,capabilities=gpu)", with "driver=" and "ids=" when set;
 * `log query --detail 'devices=request(*'` finds every one.
 */
static void device_requests(json_t *d, const json_t *reqs)
{
	size_t i, j, k;
	const json_t *x, *y, *z;

	json_array_foreach(reqs, i, x) {
		char buf[512], num[32];
		size_t n = 0;
		const char *driver = json_string_value(rg_json_get(x, "Driver"));
		const json_t *count = rg_json_get(x, "Count");
		bool first = true;

		put(buf, sizeof(buf), &n, "request(");
		if (driver != NULL && driver[0] != '\0') {
			put(buf, sizeof(buf), &n, "driver=");
			put(buf, sizeof(buf), &n, driver);
			put(buf, sizeof(buf), &n, ",");
		}
		if (json_is_integer(count) && json_integer_value(count) != 0) {
			if (json_integer_value(count) < 0)
				snprintf(num, sizeof(num), "all");
			else
				snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(count));
			put(buf, sizeof(buf), &n, "count=");
			put(buf, sizeof(buf), &n, num);
			put(buf, sizeof(buf), &n, ",");
		}
		json_array_foreach(rg_json_get(x, "DeviceIDs"), j, y) {
			if (!json_is_string(y))
				continue;
			put(buf, sizeof(buf), &n, first ? "ids=" : "+");
			put(buf, sizeof(buf), &n, json_string_value(y));
			first = false;
		}
		if (!first)
			put(buf, sizeof(buf), &n, ",");
		first = true;
		json_array_foreach(rg_json_get(x, "Capabilities"), j, y) {
			json_array_foreach(y, k, z) {
				if (!json_is_string(z))
					continue;
				put(buf, sizeof(buf), &n, first ? "capabilities=" : "+");
				put(buf, sizeof(buf), &n, json_string_value(z));
				first = false;
			}
		}
		if (n > 0 && buf[n - 1] == ',')
			buf[--n] = '\0';
		put(buf, sizeof(buf), &n, ")");
		push(d, "devices", buf);
	}
}

static void devices(json_t *d, const json_t *hc)
{
	size_t i;
	const json_t *x;

	json_array_foreach(rg_json_get(hc, "Devices"), i, x) {
		const char *host = json_string_value(rg_json_get(x, "PathOnHost"));

		if (host != NULL && host[0] != '\0')
			push(d, "devices", host);
	}
	push_all(d, "devices", rg_json_get(hc, "DeviceCgroupRules"));
	device_requests(d, rg_json_get(hc, "DeviceRequests"));
}

static void container_create(json_t *d, const struct rg_fs *fs, const json_t *body)
{
	const json_t *hc = rg_json_get(body, "HostConfig");

	set_image(d, json_string_value(rg_json_get(body, "Image")));
	/* what runs: an auditor asks "who ran X", not only "who ran image Y" */
	push_all(d, "entrypoint", rg_json_get(body, "Entrypoint"));
	push_all(d, "cmd", rg_json_get(body, "Cmd"));
	/* what dockerd runs in it later, as execs no call asks for (round 16) */
	push_all(d, "healthcheck", rg_json_get(rg_json_get(body, "Healthcheck"), "Test"));
	if (json_is_true(rg_json_get(hc, "Privileged")))
		json_object_set_new(d, "privileged", json_true());
	mounts(d, fs, rg_json_get(hc, "Binds"), rg_json_get(hc, "Mounts"));
	volumes_from(d, rg_json_get(hc, "VolumesFrom"));
	push_caps(d, rg_json_get(hc, "CapAdd"));
	devices(d, hc);
	set_str(d, "network", rg_json_get(hc, "NetworkMode"));
	set_str(d, "pid", rg_json_get(hc, "PidMode"));
	set_str(d, "ipc", rg_json_get(hc, "IpcMode"));
	set_str(d, "userns", rg_json_get(hc, "UsernsMode"));
	set_str(d, "user", rg_json_get(body, "User"));
	push_secopts(d, rg_json_get(hc, "SecurityOpt"));
	set_str(d, "runtime", rg_json_get(hc, "Runtime"));
	limits(d, hc);
}

/* A swarm service's container: the same questions of its ContainerSpec. */
static void service_spec(json_t *d, const struct rg_fs *fs, const json_t *body)
{
	const json_t *tt = rg_json_get(body, "TaskTemplate");
	const json_t *cs = rg_json_get(tt, "ContainerSpec");
	const json_t *res = rg_json_get(rg_json_get(tt, "Resources"), "Limits");
	const json_t *mem = rg_json_get(res, "MemoryBytes"), *nano = rg_json_get(res, "NanoCPUs");
	const json_t *pids = rg_json_get(res, "Pids");
	json_t *l;

	set_image(d, json_string_value(rg_json_get(cs, "Image")));
	/* a service's Command replaces the image's entrypoint, its Args the command */
	push_all(d, "entrypoint", rg_json_get(cs, "Command"));
	push_all(d, "cmd", rg_json_get(cs, "Args"));
	push_all(d, "healthcheck", rg_json_get(rg_json_get(cs, "Healthcheck"), "Test"));
	mounts(d, fs, NULL, rg_json_get(cs, "Mounts"));
	push_caps(d, rg_json_get(cs, "CapabilityAdd"));
	set_str(d, "user", rg_json_get(cs, "User"));
	l = json_object();
	if (l == NULL)
		return;
	if (json_is_integer(mem) && json_integer_value(mem) > 0)
		json_object_set_new(l, "memory", json_integer(json_integer_value(mem)));
	if (json_is_integer(pids) && json_integer_value(pids) > 0)
		json_object_set_new(l, "pids", json_integer(json_integer_value(pids)));
	if (json_is_integer(nano) && json_integer_value(nano) > 0)
		json_object_set_new(l, "cpus", json_real((double)json_integer_value(nano) / 1e9));
	if (json_object_size(l) > 0)
		json_object_set_new(d, "limits", l);
	else
		json_decref(l);
}

/* image.pull: fromImage and tag, as the docker client splits them. */
static void pull(json_t *d, const struct rg_request *req)
{
	char image[RG_AUDIT_FIELD_MAX], tag[256];

	if (rg_query_get(req->route.query, "fromImage", image, sizeof(image)) < 0 || image[0] == '\0')
		return;
	if (rg_query_get(req->route.query, "tag", tag, sizeof(tag)) == 0 && tag[0] != '\0') {
		size_t n = strlen(image);

		snprintf(image + n, sizeof(image) - n, "%s%s", tag[0] == 's' &&
				strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
	}
	set_image(d, image);
}

/* A local image name a command creates, in the records' full form, into
 * the list "targets" (an untagged name is ":latest", as dockerd tags it). */
static void push_target(json_t *d, const char *repo, const char *tag)
{
	char name[RG_AUDIT_FIELD_MAX + 1], full[RG_AUDIT_FIELD_MAX + 1];

	if (repo[0] == '\0')
		return;
	snprintf(name, sizeof(name), "%s%s%s", repo, tag[0] != '\0' ? ":" : "", tag);
	if (rg_imageref_normalize(name, full, sizeof(full)) == 0)
		push(d, "targets", full);
	else
		push(d, "targets", name);
}

/*
 * The local image names a tag, a commit, an import or a build creates
 * (?repo=&tag=, each ?t=): "who made registry.example.org/app:v1 on this
 * host" is `log query --object registry.example.org/app:v1`, not a grep of
 * URIs, since the record's object is the source (SPEC.md §5).
 */
static void targets(json_t *d, const struct rg_request *req)
{
	const char *cursor = req->route.query;
	char repo[RG_AUDIT_FIELD_MAX], tag[RG_AUDIT_FIELD_MAX];

	if (strcmp(req->route.command, "image.build") == 0) {
		while (rg_query_next(&cursor, "t", repo, sizeof(repo)) == 0)
			push_target(d, repo, "");
		return;
	}
	if (rg_query_get(req->route.query, "repo", repo, sizeof(repo)) < 0)
		return;
	if (rg_query_get(req->route.query, "tag", tag, sizeof(tag)) < 0)
		tag[0] = '\0';
	push_target(d, repo, tag);
}

/* Whether any of the names (NULL-terminated) is s. */
static bool one_of(const char *s, const char *const *names)
{
	for (size_t i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0)
			return true;
	}
	return false;
}

json_t *rg_details_of(struct rg_request *req)
{
	/* read from the query alone: a pull, a build (its body is the
	 * context), and the names a tag, a commit or an import creates */
	static const char *const from_query[] = { "image.pull", "image.build", "image.tag",
		"container.commit", "image.import", NULL };
	static const char *const from_body[] = { "container.create", "container.update",
		"exec.create", "service.create", "service.update", "volume.create",
		"network.connect", "network.disconnect", "swarm.join", "network.create", NULL };
	const char *cmd = req->route.command, *why;
	const json_t *body = NULL;
	json_t *d;

	if (cmd == NULL || req->route_err != NULL ||
	    (!one_of(cmd, from_query) && !one_of(cmd, from_body)))
		return NULL;
	if (one_of(cmd, from_body) && (body = rg_request_body(req, &why)) == NULL)
		return NULL;
	d = json_object();
	if (d == NULL)
		return NULL;
	if (strcmp(cmd, "container.create") == 0) {
		container_create(d, req->fs, body);
	} else if (strcmp(cmd, "container.update") == 0) {
		limits(d, body);
	} else if (strcmp(cmd, "exec.create") == 0) {
		if (json_is_true(rg_json_get(body, "Privileged")))
			json_object_set_new(d, "privileged", json_true());
		/* the command line the exec runs: what an auditor asks about first */
		push_all(d, "cmd", rg_json_get(body, "Cmd"));
		exec_user(d, req, body);
	} else if (strcmp(cmd, "image.pull") == 0) {
		pull(d, req);
	} else if (strcmp(cmd, "image.build") == 0) {
		json_t *hc = rg_constraint_build_hostconfig(req);

		set_str(d, "network", rg_json_get(hc, "NetworkMode"));
		limits(d, hc);
		json_decref(hc);
		targets(d, req);
	} else if (strcmp(cmd, "volume.create") == 0) {
		/* a driver is code dockerd runs for the volume (a plugin; round 13: a path) */
		set_str(d, "driver", rg_json_get(body, "Driver"));
		volume_opts(d, req->fs, rg_json_get(body, "DriverOpts"));
	} else if (strcmp(cmd, "network.create") == 0) {
		/* macvlan/ipvlan onto a host interface: "who put containers on the LAN" */
		set_str(d, "driver", rg_json_get(body, "Driver"));
		set_str(d, "parent", rg_json_get(rg_json_get(body, "Options"), "parent"));
	} else if (strcmp(cmd, "swarm.join") == 0) {
		/* the managers this host now takes orders from (never the token) */
		push_all(d, "remote_addrs", rg_json_get(body, "RemoteAddrs"));
	} else if (strcmp(cmd, "network.connect") == 0 || strcmp(cmd, "network.disconnect") == 0) {
		/* the object is the network: the container is the other half of
		 * "who put web on the database network" (log query --object web) */
		set_str(d, "container", rg_json_get(body, "Container"));
	} else if (one_of(cmd, from_query)) {
		targets(d, req);   /* image.tag, container.commit, image.import */
	} else {
		service_spec(d, req->fs, body);
	}
	if (json_object_size(d) == 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

const char *rg_details_cut(const json_t *details, char *buf, size_t len)
{
	const json_t *cut = json_object_get(details, "cut");
	size_t i, used = 0;
	const json_t *x;

	if (json_array_size(cut) == 0 || len == 0)
		return NULL;
	buf[0] = '\0';
	json_array_foreach(cut, i, x) {
		int n = snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "",
				json_string_value(x));

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}
