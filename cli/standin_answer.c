/*
 * What the stand-in daemon answers to a request rolegate allowed: the least
 * dockerd would say that lets the client go on to its next request (an id
 * for a create, 204 for a start, a wait that says 0, an attach that ends at
 * once). Objects the command line names but did not create are taken to
 * exist, so that `docker exec ctr …` or `docker logs ctr` get as far as the
 * request that matters; docker-compose is the exception (see lookup_missing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "rolegate/gojson.h"
#include "rolegate/ownership.h"
#include "rolegate/route.h"
#include "standin_sim.h"

/*
 * A reproducible 64-hex-digit id: SHA-256 of the kind, a serial and a seed.
 * The serial counts across every command line of the process, so that the
 * cases of one `rolegate test` run, which share an ownership state, never
 * get the same id twice.
 */
static void new_id(struct rg_sim *sim, const char *kind, const char *seed, char out[RG_SIM_ID_LEN + 1])
{
	static unsigned serial;   /* the stand-in runs one command line at a time */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char text[600];
	int n;

	sim->serial = ++serial;
	n = snprintf(text, sizeof(text), "rolegate-standin/%s/%u/%s", kind, sim->serial, seed);

	if (n < 0 || EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 32)
		memset(md, 0x5a, sizeof(md));
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The object of kind named ref as dockerd resolves it: full id, exact name, unique id prefix. */
static struct rg_sim_object *find(struct rg_sim *sim, const char *kind, const char *ref)
{
	struct rg_sim_object *prefix = NULL;
	size_t len = strlen(ref), hits = 0;

	if (ref[0] == '\0')
		return NULL;
	for (size_t i = 0; i < sim->n; i++) {
		struct rg_sim_object *o = &sim->obj[i];

		if (strcmp(o->kind, kind) != 0)
			continue;
		if (strcmp(o->id, ref) == 0 || strcmp(o->name, ref) == 0)
			return o;
		if (len <= RG_SIM_ID_LEN && strncmp(o->id, ref, len) == 0) {
			prefix = o;
			hits++;
		}
	}
	return hits == 1 ? prefix : NULL;
}

static struct rg_sim_object *add(struct rg_sim *sim, const char *kind, const char *name)
{
	struct rg_sim_object *o;

	if (sim->n == RG_SIM_MAX_OBJECTS)
		return NULL;
	o = &sim->obj[sim->n++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	snprintf(o->name, sizeof(o->name), "%s", name);
	new_id(sim, kind, name, o->id);
	return o;
}

void rg_standin_sim_created(struct rg_sim *sim, const struct rg_sim_object *o)
{
	/*
	 * The ownership hook: record o (kind, id, name) as created by the
	 * caller in the engine's ownership state once rbac/ownership.c exists.
	 * Until then the stand-in's list (sim->obj) is all the state there is.
	 */
	(void)sim;
	(void)o;
}

/* reply = obj as JSON (takes obj). */
static void json_reply(struct rg_sim_reply *r, int status, json_t *obj)
{
	r->status = status;
	r->content_type = "application/json";
	r->body = obj != NULL ? json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(obj);
	if (r->body == NULL) {
		r->status = 500;
		r->body = strdup("{\"message\":\"rolegate stand-in: out of memory\"}");
	}
	r->len = r->body != NULL ? strlen(r->body) : 0;
}

static void text_reply(struct rg_sim_reply *r, int status, const char *content_type, const char *text)
{
	r->status = status;
	r->content_type = content_type;
	r->body = text != NULL ? strdup(text) : NULL;
	r->len = r->body != NULL ? strlen(r->body) : 0;
}

static void empty_reply(struct rg_sim_reply *r, int status)
{
	r->status = status;
	r->content_type = "application/json";
}

static void not_found(struct rg_sim_reply *r, const char *what, const char *name)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "No such %s: %s", what, name);
	json_reply(r, 404, json_pack("{s:s}", "message", msg));
}

/* Whether a stats request streams: dockerd's BoolValueOrDefault(stream, true). */
static bool streams_stats(struct rg_request *req)
{
	char v[16] = "";

	if (rg_query_get(req->route.query, "stream", v, sizeof(v)) < 0)
		return true;
	return !(v[0] == '\0' || strcasecmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
			strcasecmp(v, "false") == 0 || strcasecmp(v, "none") == 0);
}

/* The body's string value at key (Go's case folding), or "". */
static const char *body_string(struct rg_request *req, const char *key)
{
	const char *why;
	const json_t *body = rg_request_body(req, &why);
	const json_t *v = body != NULL ? rg_json_get(body, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : "";
}

static json_t *container_json(struct rg_sim *sim, const char *ref)
{
	struct rg_sim_object *o = find(sim, "container", ref);
	json_t *created = o != NULL && o->create_body != NULL ? json_loads(o->create_body, 0, NULL) : NULL;
	json_t *config = json_is_object(created) ? json_deep_copy(created) : json_object();
	json_t *host = json_is_object(created) ? json_incref(json_object_get(created, "HostConfig")) : NULL;
	char name[RG_OBJECT_MAX + 1];

	/* The id of a container this command line did not create is its name, as the client gave it. */
	snprintf(name, sizeof(name), "/%s", o != NULL && o->name[0] != '\0' ? o->name : ref);
	if (config != NULL) {
		json_object_del(config, "HostConfig");
		json_object_del(config, "NetworkingConfig");
		if (json_object_get(config, "Labels") == NULL)
			json_object_set_new(config, "Labels", json_object());
	}
	json_decref(created);
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:b, s:b, s:b, s:i, s:i}, s:o, s:o, s:{s:o, s:o},"
			" s:[], s:s, s:i}",
			"Id", o != NULL ? o->id : ref,
			"Name", name,
			"Image", "sha256:0000000000000000000000000000000000000000000000000000000000000000",
			"State", "Status", "running", "Running", 1, "Paused", 0, "Restarting", 0,
			"Pid", 0, "ExitCode", 0,
			"Config", config != NULL ? config : json_object(),
			"HostConfig", json_is_object(host) ? host : json_object(),
			"NetworkSettings", "Ports", json_object(), "Networks", json_object(),
			"Mounts",
			"Created", "2024-01-01T00:00:00Z",
			"RestartCount", 0);
}

static json_t *image_json(struct rg_sim *sim, const char *ref)
{
	char id[RG_SIM_ID_LEN + 1], sha[80];

	new_id(sim, "image", ref, id);
	snprintf(sha, sizeof(sha), "sha256:%s", id);
	return json_pack("{s:s, s:[s], s:[], s:s, s:s, s:s, s:i, s:{s:[s], s:[s], s:{}},"
			" s:{s:s, s:[]}}",
			"Id", sha, "RepoTags", ref, "RepoDigests",
			"Os", "linux", "Architecture", "amd64", "Created", "2024-01-01T00:00:00Z", "Size", 0,
			"Config", "Cmd", "sh", "Env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"Labels",
			"RootFS", "Type", "layers", "Layers");
}

/* A map of the create's body (Labels, DriverOpts) as dockerd echoes it, or {}. */
static json_t *echoed_map(struct rg_request *req, const char *key)
{
	const char *why;
	const json_t *v = req != NULL ? rg_json_get(rg_request_body(req, &why), key) : NULL;

	return json_is_object(v) ? json_deep_copy(v) : json_object();
}

/* CreatedAt is now, and a create's Labels and DriverOpts are echoed, as dockerd
 * answers a new volume: the ownership model takes a volume whose answer shows
 * it existed before the create for someone else's, never the caller's. */
static json_t *volume_json(const char *name, struct rg_request *req)
{
	char mount[600], created[32];
	time_t now = time(NULL);
	struct tm tm;

	snprintf(mount, sizeof(mount), "/var/lib/docker/volumes/%s/_data", name);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "Name", name, "Driver", "local",
			"Mountpoint", mount, "Scope", "local", "Labels", echoed_map(req, "Labels"),
			"Options", echoed_map(req, "DriverOpts"), "CreatedAt", created);
}

static json_t *network_json(const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:{s:s, s:[], s:{}}, s:{}, s:{}, s:{}}",
			"Name", name, "Id", id, "Driver", "bridge", "Scope", "local", "Internal", 0,
			"Attachable", 0, "IPAM", "Driver", "default", "Config", "Options",
			"Containers", "Options", "Labels");
}

/*
 * Whether an inspect of a network or volume this command line did not
 * create says "not found". docker-compose looks its project's networks and
 * volumes up and creates them when missing: from the empty state the
 * stand-in starts in, they are missing, so the explanation shows the
 * creates. The docker client only looks up what the command line names,
 * which the user means to exist.
 */
static bool lookup_missing(const struct rg_sim *sim, const char *name)
{
	return sim->compose && strcmp(name, "bridge") != 0 && strcmp(name, "host") != 0 &&
		strcmp(name, "none") != 0;
}

static void create_container(struct rg_sim *sim, struct rg_request *req, struct rg_sim_reply *r)
{
	char name[256] = "";
	struct rg_sim_object *o;

	rg_query_get(req->route.query, "name", name, sizeof(name));
	o = add(sim, "container", name);
	if (o == NULL) {
		json_reply(r, 500, json_pack("{s:s}", "message", "rolegate stand-in: too many objects"));
		return;
	}
	if (req->body != NULL)
		o->create_body = strdup((const char *)req->body);
	rg_standin_sim_created(sim, o);
	json_reply(r, 201, json_pack("{s:s, s:[]}", "Id", o->id, "Warnings"));
}

static void create_named(struct rg_sim *sim, struct rg_request *req, const char *kind, struct rg_sim_reply *r)
{
	const char *name = body_string(req, "Name");
	struct rg_sim_object *o = add(sim, kind, name);

	if (o == NULL) {
		json_reply(r, 500, json_pack("{s:s}", "message", "rolegate stand-in: too many objects"));
		return;
	}
	if (o->name[0] == '\0' && strcmp(kind, "volume") == 0)
		snprintf(o->name, sizeof(o->name), "%s", o->id);  /* dockerd names an anonymous volume by an id */
	rg_standin_sim_created(sim, o);
	if (strcmp(kind, "volume") == 0)
		json_reply(r, 201, volume_json(o->name, req));
	else
		json_reply(r, 201, json_pack("{s:s, s:s}", "Id", o->id, "Warning", ""));
}

/* A swarm object's new id: 25 characters, as swarmkit makes them. */
static json_t *swarm_created(struct rg_sim *sim, const char *kind, struct rg_request *req)
{
	char id[RG_SIM_ID_LEN + 1];

	new_id(sim, kind, body_string(req, "Name"), id);
	id[25] = '\0';
	return json_pack("{s:s}", "ID", id);
}

/* One entry of swarm_list: name, with the id the ownership state records for it, else a new one. */
static void swarm_entry(struct rg_sim *sim, const struct rg_owners *owners, enum rg_obj_kind kind,
		const char *name, json_t *out)
{
	const struct rg_object *o = NULL;
	char id[RG_SIM_ID_LEN + 1];

	if (owners != NULL && rg_owners_resolve(owners, kind, name, 0, 0, &o) == RG_RESOLVED &&
	    strcmp(o->name, name) == 0) {
		snprintf(id, sizeof(id), "%s", o->id);
	} else {
		new_id(sim, rg_obj_kind_name(kind), name, id);
		id[25] = '\0';
	}
	json_array_append_new(out, json_pack("{s:s, s:{s:s}}", "ID", id, "Spec", "Name", name));
}

/*
 * The secrets, configs or services a list's name filter asks for (`docker
 * service create --secret NAME` looks each up to send its id, `docker
 * service ps NAME` the service): each is taken to
 * exist, with the id the ownership state records for that name (one an
 * earlier case of `rolegate test` created), else a new one, which no role
 * with owner may use. An empty list made the client fail ("secret not
 * found") before it sent the create that matters.
 */
static json_t *swarm_list(struct rg_sim *sim, struct rg_request *req, enum rg_obj_kind kind)
{
	char filters[2048] = "";
	json_t *f, *names, *v, *out = json_array();
	struct rg_owners *owners;
	const char *name;
	size_t i;

	if (out == NULL || rg_query_get(req->route.query, "filters", filters, sizeof(filters)) < 0)
		return out;
	f = json_loads(filters, 0, NULL);
	names = json_object_get(f, "name");
	owners = rg_state_read_begin(sim->state);
	/* {"name":{"a":true}}, or the older {"name":["a"]} */
	json_object_foreach(json_is_object(names) ? names : NULL, name, v)
		swarm_entry(sim, owners, kind, name, out);
	json_array_foreach(json_is_array(names) ? names : NULL, i, v) {
		if (json_is_string(v))
			swarm_entry(sim, owners, kind, json_string_value(v), out);
	}
	rg_state_read_end(sim->state);
	json_decref(f);
	return out;
}

static void create_exec(struct rg_sim *sim, struct rg_request *req, struct rg_sim_reply *r)
{
	struct rg_sim_object *o = add(sim, "exec", "");

	if (o == NULL) {
		json_reply(r, 500, json_pack("{s:s}", "message", "rolegate stand-in: too many objects"));
		return;
	}
	snprintf(o->container, sizeof(o->container), "%s", req->route.object);
	rg_standin_sim_created(sim, o);
	json_reply(r, 201, json_pack("{s:s}", "Id", o->id));
}

static void version_reply(const struct rg_sim *sim, struct rg_sim_reply *r)
{
	json_reply(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}",
			"Version", "20.10.24", "ApiVersion", sim->api_version, "MinAPIVersion", "1.12",
			"Os", "linux", "Arch", "amd64", "KernelVersion", "rolegate-standin",
			"GitCommit", "rolegate", "GoVersion", "go1.0",
			"Components", "Name", "Engine", "Version", "20.10.24"));
}

/*
 * A `docker cp` path, so that copies go on to the transfer: an existing
 * directory, or (dir false) a regular file, which a copy out of a container
 * may write over an existing local file (the archive stays empty: nothing is
 * written).
 */
static char *path_stat(bool dir)
{
	const char *json = dir ? "{\"name\":\"dir\",\"size\":4096,\"mode\":2147484141,"
		"\"mtime\":\"2024-01-01T00:00:00Z\",\"linkTarget\":\"\"}" :
		"{\"name\":\"file\",\"size\":0,\"mode\":420,"
		"\"mtime\":\"2024-01-01T00:00:00Z\",\"linkTarget\":\"\"}";
	size_t n = strlen(json);
	/* dockerd's X-Docker-Container-Path-Stat: standard base64 */
	unsigned char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock(out, (const unsigned char *)json, (int)n);
	return (char *)out;
}

/* Streams (pull, push, load, import, build, plugin install): one progress message. */
static void stream_reply(struct rg_sim *sim, const char *command, struct rg_sim_reply *r)
{
	char id[RG_SIM_ID_LEN + 1], text[400];

	if (strcmp(command, "image.build") == 0) {
		new_id(sim, "image", "build", id);
		snprintf(text, sizeof(text), "{\"aux\":{\"ID\":\"sha256:%s\"}}\r\n"
				"{\"stream\":\"Successfully built %.12s\\n\"}\r\n", id, id);
	} else if (strcmp(command, "image.load") == 0) {
		snprintf(text, sizeof(text), "{\"stream\":\"Loaded image: rolegate-standin\\n\"}\r\n");
	} else {
		snprintf(text, sizeof(text), "{\"status\":\"Done (rolegate stand-in: nothing was transferred)\"}\r\n");
	}
	text_reply(r, 200, "application/json", text);
}

static bool is(const char *command, const char *name)
{
	return strcmp(command, name) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

void rg_standin_sim_answer(struct rg_sim *sim, struct rg_request *req, bool upgrade, struct rg_sim_reply *r)
{
	const char *c = req->route.command, *obj = req->route.object;

	memset(r, 0, sizeof(*r));
	if (is(c, "system.ping")) {
		text_reply(r, 200, "text/plain; charset=utf-8", strcmp(req->method, "HEAD") == 0 ? NULL : "OK");
	} else if (is(c, "system.version")) {
		version_reply(sim, r);
	} else if (is(c, "system.info")) {
		/* Swarm.NodeID: what `node inspect self` and `swarm join-token` look up */
		json_reply(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:[], s:{s:s, s:s}}",
				"ID", "rolegate-standin", "Name", "rolegate-standin", "OSType", "linux",
				"Architecture", "x86_64", "ServerVersion", "20.10.24", "Containers", 0,
				"Images", 0, "SecurityOptions", "Swarm", "LocalNodeState", "inactive",
				"NodeID", "rolegate-standin-node"));
	} else if (is(c, "system.df")) {
		json_reply(r, 200, json_pack("{s:i, s:[], s:[], s:[], s:[]}", "LayersSize", 0, "Images",
				"Containers", "Volumes", "BuildCache"));
	} else if (is(c, "system.auth")) {
		json_reply(r, 200, json_pack("{s:s}", "Status", "Login Succeeded"));
	} else if (is(c, "system.events") || is(c, "container.logs") || is(c, "container.export") ||
			is(c, "image.save") || is(c, "service.logs") || is(c, "task.logs")) {
		empty_reply(r, 200);  /* a stream that ends at once */
	} else if (is(c, "volume.list")) {
		json_reply(r, 200, json_pack("{s:[], s:n}", "Volumes", "Warnings"));
	} else if (is(c, "secret.list") || is(c, "config.list") || is(c, "service.list")) {
		json_reply(r, 200, swarm_list(sim, req, is(c, "secret.list") ? RG_OBJ_SECRET :
				is(c, "config.list") ? RG_OBJ_CONFIG : RG_OBJ_SERVICE));
	} else if (ends_with(c, ".list") || is(c, "image.search") || is(c, "image.history") ||
			is(c, "container.changes") || is(c, "plugin.privileges")) {
		json_reply(r, 200, json_array());
	} else if (is(c, "container.create")) {
		create_container(sim, req, r);
	} else if (is(c, "container.inspect")) {
		json_reply(r, 200, container_json(sim, obj));
	} else if (is(c, "container.top")) {
		json_reply(r, 200, json_pack("{s:[s, s], s:[]}", "Titles", "PID", "CMD", "Processes"));
	} else if (is(c, "container.wait")) {
		json_reply(r, 200, json_pack("{s:i}", "StatusCode", 0));
	} else if (is(c, "container.update")) {
		json_reply(r, 200, json_pack("{s:[]}", "Warnings"));
	} else if (is(c, "container.stats") && streams_stats(req)) {
		/*
		 * A live stream never ends, and one that ends at once races the
		 * client (it may print its first sample forever): the stand-in
		 * has nothing running, so it says so, as the client then does.
		 */
		json_reply(r, 409, json_pack("{s:s}", "message", "the rolegate explain stand-in runs no container "
				"and streams no stats (docker stats --no-stream asks for one sample)"));
	} else if (is(c, "container.stats")) {
		json_reply(r, 200, json_pack("{s:s, s:s}", "id", obj, "name", obj));
	} else if (is(c, "container.attach") || is(c, "exec.start")) {
		if (upgrade)
			r->upgrade = true;
		empty_reply(r, 200);
	} else if (is(c, "container.archive.get")) {
		char path[1024] = "";
		size_t pl;

		/* The stat before a copy into the container (HEAD) says directory, so
		 * a directory can be copied in; a copy out (GET) of a path that does not
		 * end in "/" or "/." is a file, so it can go over an existing file. */
		if (rg_query_get(req->route.query, "path", path, sizeof(path)) < 0)
			path[0] = '\0';
		pl = strlen(path);
		r->path_stat = path_stat(strcmp(req->method, "GET") != 0 || pl == 0 || path[pl - 1] == '/' ||
				(pl >= 2 && strcmp(path + pl - 2, "/.") == 0));
		if (strcmp(req->method, "GET") == 0) {
			/* An empty tar archive: two zero blocks. */
			r->body = calloc(1, 1024);
			r->len = r->body != NULL ? 1024 : 0;
		}
		r->status = 200;
		r->content_type = "application/x-tar";
	} else if (is(c, "container.commit")) {
		json_reply(r, 201, json_pack("{s:s}", "Id", "sha256:0000000000000000000000000000000000000000000000000000000000000000"));
	} else if (is(c, "container.start") || is(c, "container.stop") || is(c, "container.restart") ||
			is(c, "container.kill") || is(c, "container.pause") || is(c, "container.unpause") ||
			is(c, "container.rename") || is(c, "container.remove") || is(c, "volume.remove") ||
			is(c, "network.remove")) {
		empty_reply(r, 204);
	} else if (is(c, "exec.create")) {
		create_exec(sim, req, r);
	} else if (is(c, "exec.inspect")) {
		const struct rg_sim_object *o = find(sim, "exec", obj);

		json_reply(r, 200, json_pack("{s:s, s:b, s:i, s:s, s:i}", "ID", obj, "Running", 0, "ExitCode", 0,
				"ContainerID", o != NULL ? o->container : "", "Pid", 0));
	} else if (is(c, "image.inspect")) {
		json_reply(r, 200, image_json(sim, obj));
	} else if (is(c, "image.pull") || is(c, "image.import") || is(c, "image.push") ||
			is(c, "image.load") || is(c, "image.build") || is(c, "plugin.install") ||
			is(c, "plugin.upgrade") || is(c, "plugin.push")) {
		stream_reply(sim, c, r);
		if (is(c, "plugin.install")) {
			/* The client enables the plugin by the name dockerd says it took. */
			char name[512] = "";

			if (rg_query_get(req->route.query, "name", name, sizeof(name)) < 0 || name[0] == '\0')
				rg_query_get(req->route.query, "remote", name, sizeof(name));
			r->plugin_name = strdup(name);
		}
	} else if (is(c, "image.tag")) {
		empty_reply(r, 201);
	} else if (is(c, "image.remove")) {
		json_reply(r, 200, json_pack("[{s:s}]", "Untagged", obj));
	} else if (is(c, "volume.create")) {
		create_named(sim, req, "volume", r);
	} else if (is(c, "volume.inspect")) {
		if (find(sim, "volume", obj) == NULL && lookup_missing(sim, obj))
			not_found(r, "volume", obj);
		else
			json_reply(r, 200, volume_json(obj, NULL));
	} else if (is(c, "network.create")) {
		create_named(sim, req, "network", r);
	} else if (is(c, "network.inspect")) {
		const struct rg_sim_object *o = find(sim, "network", obj);

		if (o == NULL && lookup_missing(sim, obj))
			not_found(r, "network", obj);
		else
			json_reply(r, 200, network_json(o != NULL ? o->id : obj, o != NULL ? o->name : obj));
	} else if (is(c, "node.inspect")) {
		/* node update, promote and demote read the id and version first */
		json_reply(r, 200, json_pack("{s:s, s:{s:i}, s:{s:s, s:s}, s:{s:s}, s:{s:s}, s:{s:s}}",
				"ID", obj, "Version", "Index", 1, "Spec", "Role", "worker", "Availability", "active",
				"Description", "Hostname", obj, "Status", "State", "ready",
				"ManagerStatus", "Addr", "127.0.0.1:2377"));
	} else if (is(c, "swarm.inspect")) {
		/* swarm join-token and unlock-key --rotate read the swarm first */
		json_reply(r, 200, json_pack("{s:s, s:{s:i}, s:{s:s, s:{s:b}}, s:{s:s, s:s}}",
				"ID", "rolegate-standin-swarm", "Version", "Index", 1, "Spec", "Name", "default",
				"EncryptionConfig", "AutoLockManagers", 1, "JoinTokens", "Worker",
				"SWMTKN-1-rolegate-standin-worker", "Manager", "SWMTKN-1-rolegate-standin-manager"));
	} else if (is(c, "swarm.unlockkey")) {
		json_reply(r, 200, json_pack("{s:s}", "UnlockKey", "SWMKEY-1-rolegate-standin"));
	} else if (is(c, "plugin.inspect")) {
		/* plugin upgrade reads the current reference (and refuses an enabled plugin) */
		json_reply(r, 200, json_pack("{s:s, s:s, s:s, s:b, s:{}, s:{}}", "Id", obj, "Name", obj,
				"PluginReference", obj, "Enabled", 0, "Settings", "Config"));
	} else if (is(c, "swarm.init")) {
		json_reply(r, 200, json_string("rolegate-standin-node"));
	} else if (is(c, "service.create") || is(c, "secret.create") || is(c, "config.create")) {
		/* a new id each: the ownership state keeps each object apart */
		json_reply(r, 201, swarm_created(sim, c, req));
	} else if (is(c, "service.inspect")) {
		/*
		 * What `service create`/`update` without -d polls until the service
		 * converges: no replicas and a 1 ns monitor period converge at once
		 * (with no mode the client fails, "unrecognized service mode").
		 */
		json_reply(r, 200, json_pack("{s:s, s:{s:i}, s:{s:s, s:{s:{s:s}}, s:{s:{s:i}}, s:{s:i}}}",
				"ID", obj, "Version", "Index", 1, "Spec", "Name", obj,
				"TaskTemplate", "ContainerSpec", "Image", "rolegate-standin",
				"Mode", "Replicated", "Replicas", 0, "UpdateConfig", "Monitor", 1));
	} else if (is(c, "container.prune") || is(c, "image.prune") || is(c, "volume.prune") ||
			is(c, "network.prune") || is(c, "image.build.prune")) {
		json_reply(r, 200, json_pack("{s:i}", "SpaceReclaimed", 0));
	} else {
		/* The rest (connect, plugin enable, swarm leave...) need only a success. */
		json_reply(r, 200, json_object());
	}
}

void rg_standin_sim_denied(const char *msg, struct rg_sim_reply *r)
{
	char text[2048];

	memset(r, 0, sizeof(*r));
	snprintf(text, sizeof(text), "authorization denied by plugin rolegate: %s", msg);
	json_reply(r, 403, json_pack("{s:s}", "message", text));
}

void rg_standin_sim_reply_clear(struct rg_sim_reply *r)
{
	free(r->body);
	free(r->path_stat);
	free(r->plugin_name);
	memset(r, 0, sizeof(*r));
}

void rg_standin_sim_clear(struct rg_sim *sim)
{
	for (size_t i = 0; i < sim->n; i++)
		free(sim->obj[i].create_body);
	sim->n = 0;
}
