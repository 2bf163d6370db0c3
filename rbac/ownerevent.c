/*
 * The state changes an AuthZRes confirms (ownercheck.h). dockerd reports
 * success as a 2xx status with the answer's body (when it was not
 * streamed), and every failure as status 0 with no body: so only a 2xx
 * changes anything, and a create whose answer carries no id records
 * nothing (the object stays unowned).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rolegate/consinside.h"
#include "rolegate/consmount.h"
#include "rolegate/constraint.h"
#include "rolegate/gojson.h"
#include "rolegate/hostpath.h"
#include "rolegate/ownercheck.h"

/* What a container create mounts, gathered from its body. A host path that
 * cannot be resolved (no view of the host, a loop) is kept as cleaned: the
 * resolved list is what `rolegate state` shows; a start re-checks binds. */
struct mounts {
	const struct rg_fs *fs;     /* the host view paths are resolved through (req->fs) */
	struct rg_strv binds;       /* host paths, cleaned */
	struct rg_strv host_paths;  /* the same, resolved */
	struct rg_strv volumes;     /* named volumes */
	/* a named volume the create defines through Mounts[].VolumeOptions */
	struct rg_strv vol_driver;  /* "name=driver" */
	json_t *vol_opts;           /* name -> DriverConfig.Options */
};

static void mounts_free(struct mounts *m)
{
	rg_strv_free(&m->binds);
	rg_strv_free(&m->host_paths);
	rg_strv_free(&m->volumes);
	rg_strv_free(&m->vol_driver);
	json_decref(m->vol_opts);
}

static int add_host_path(struct mounts *m, const char *src)
{
	char clean[RG_HOSTPATH_MAX], resolved[RG_HOSTPATH_MAX];
	const char *ignored;

	if (rg_hostpath_clean(src, clean, sizeof(clean)) < 0)
		return 0;
	if (rg_hostpath_resolve(m->fs, clean, resolved, sizeof(resolved), &ignored) < 0)
		snprintf(resolved, sizeof(resolved), "%s", clean);
	if (rg_strv_has(&m->binds, clean))
		return 0;
	if (m->binds.n >= RG_OWNERS_LIST_MAX)
		return 0;
	return rg_strv_push(&m->binds, clean) < 0 || rg_strv_push(&m->host_paths, resolved) < 0 ? -1 : 0;
}

static int add_volume(struct mounts *m, const char *name)
{
	if (name[0] == '\0' || m->volumes.n >= RG_OWNERS_LIST_MAX)
		return 0;
	return rg_strv_push_unique(&m->volumes, name);
}

static int gather(struct mounts *m, const json_t *hc)
{
	const json_t *binds = rg_json_get(hc, "Binds"), *mounts = rg_json_get(hc, "Mounts");
	size_t i;
	json_t *v;

	if (!json_is_object(hc))
		return 0;
	const char *volume_driver = json_string_value(rg_json_get(hc, "VolumeDriver"));
	char entry[RG_OWNERS_FIELD_MAX + 64];

	json_array_foreach(json_is_array(binds) ? binds : NULL, i, v) {
		const char *spec = json_string_value(v);
		char src[RG_HOSTPATH_MAX];
		size_t len;

		if (spec == NULL || spec[(len = strcspn(spec, ":"))] == '\0' || len >= sizeof(src))
			continue;
		memcpy(src, spec, len);
		src[len] = '\0';
		if ((src[0] == '/' ? add_host_path(m, src) : add_volume(m, src)) < 0)
			return -1;
		/* --volume-driver: the driver a named volume of Binds is made with */
		if (src[0] != '/' && volume_driver != NULL && volume_driver[0] != '\0' &&
		    strcmp(volume_driver, "local") != 0) {
			snprintf(entry, sizeof(entry), "%s=%s", src, volume_driver);
			if (rg_strv_push(&m->vol_driver, entry) < 0)
				return -1;
		}
	}
	json_array_foreach(json_is_array(mounts) ? mounts : NULL, i, v) {
		const char *type = json_string_value(rg_json_get(v, "Type"));
		const char *src = json_string_value(rg_json_get(v, "Source"));
		const json_t *dc = rg_json_get(rg_json_get(v, "VolumeOptions"), "DriverConfig");
		const char *driver = json_string_value(rg_json_get(dc, "Name"));
		const json_t *opts = rg_json_get(dc, "Options");

		if (type == NULL || src == NULL || src[0] == '\0')
			continue;
		if (strcmp(type, "bind") == 0 && add_host_path(m, src) < 0)
			return -1;
		if (strcmp(type, "volume") != 0)
			continue;
		if (add_volume(m, src) < 0)
			return -1;
		if (json_is_object(opts) || (driver != NULL && driver[0] != '\0')) {
			snprintf(entry, sizeof(entry), "%s=%s", src, driver != NULL ? driver : "");
			if (rg_strv_push(&m->vol_driver, entry) < 0)
				return -1;
			if (json_is_object(opts) && json_object_set(m->vol_opts, src, (json_t *)opts) < 0)
				return -1;
		}
	}
	return 0;
}

/* Driver options (a JSON object of strings) as "key=value" entries. */
static int opts_list(const json_t *opts, struct rg_strv *out)
{
	const char *key;
	json_t *v;
	char entry[RG_OWNERS_FIELD_MAX + 1];

	if (!json_is_object(opts))
		return 0;
	json_object_foreach((json_t *)opts, key, v) {
		if (!json_is_string(v) || out->n >= RG_OWNERS_LIST_MAX)
			continue;
		snprintf(entry, sizeof(entry), "%s=%s", key, json_string_value(v));
		if (rg_strv_push(out, entry) < 0)
			return -1;
	}
	return 0;
}

static const char *answer_string(const struct rg_request *req, const char *field)
{
	const json_t *v = rg_json_get(req->response_json, field);

	return json_is_string(v) && json_string_value(v)[0] != '\0' ? json_string_value(v) : NULL;
}

struct walk {
	const struct rg_owners *o;
	struct rg_request *req;
	const char *user, *role;
	long long now;
	rg_owner_sink sink;
	void *arg;
	int n;
};

static int emit(struct walk *w, struct rg_owner_event *ev)
{
	if (ev->op == RG_EV_CREATE) {
		ev->user = w->user;
		ev->role = w->role;
		ev->created = ev->used = w->now;
	}
	if (w->sink(ev, w->arg) < 0)
		return -1;
	w->n++;
	return 0;
}

/* The named volumes a container create used that the model does not know: now the creator's. */
static int implicit_volumes(struct walk *w, const struct mounts *m)
{
	for (size_t i = 0; i < m->volumes.n; i++) {
		const char *name = m->volumes.v[i], *driver = "";
		const struct rg_object *known;
		struct rg_strv opts = { 0 };
		struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = RG_OBJ_VOLUME, .id = name, .name = name };
		int r;

		if (rg_owners_resolve(w->o, RG_OBJ_VOLUME, name, 0, 0, &known) == RG_RESOLVED)
			continue;
		for (size_t j = 0; j < m->vol_driver.n; j++) {
			size_t len = strlen(name);

			if (strncmp(m->vol_driver.v[j], name, len) == 0 && m->vol_driver.v[j][len] == '=')
				driver = m->vol_driver.v[j] + len + 1;
		}
		if (opts_list(json_object_get(m->vol_opts, name), &opts) < 0) {
			rg_strv_free(&opts);
			return -1;
		}
		/* "local" is the default driver, recorded as "" (as volume_create does) */
		ev.driver = strcmp(driver, "local") != 0 ? driver : "";
		ev.opts = &opts;
		ev.host_paths = NULL;
		r = emit(w, &ev);
		rg_strv_free(&opts);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int container_create(struct walk *w, const char *id, const char **why)
{
	struct mounts m = { .fs = w->req->fs, .vol_opts = json_object() };
	const char *unread;
	const json_t *body = rg_request_body(w->req, &unread);
	char name[RG_OBJECT_MAX] = "";
	struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = RG_OBJ_CONTAINER, .id = id };
	char *settings = NULL;
	int r = -1;

	if (m.vol_opts == NULL) {
		*why = "out of memory";
		return -1;
	}
	if (rg_query_get(w->req->route.query, "name", name, sizeof(name)) < 0)
		name[0] = '\0';
	ev.name = name[0] == '/' ? name + 1 : name;
	if (body != NULL && (gather(&m, rg_json_get(body, "HostConfig")) < 0 || gather(&m, body) < 0)) {
		*why = "out of memory";
		goto out;
	}
	ev.binds = &m.binds;
	ev.host_paths = &m.host_paths;
	ev.volumes = &m.volumes;
	/* none (a body not read): the container is not judged, so refused to
	 * restricted roles acting inside it */
	ev.settings = settings = rg_inside_settings(w->req, NULL);
	if (implicit_volumes(w, &m) < 0 || emit(w, &ev) < 0) {
		*why = "the record could not be kept";
		goto out;
	}
	r = 0;
out:
	free(settings);
	mounts_free(&m);
	return r;
}

/*
 * The answer's CreatedAt ("2026-12-06T03:48:41Z", maybe with fractions or
 * an offset) as Unix seconds, or -1 when it cannot be read.
 */
static long long created_at(const char *s)
{
	struct tm tm = { 0 };
	const char *rest;
	long long t;
	int used = 0;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			&tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 || used == 0)
		return -1;
	rest = s + used;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = (long long)timegm(&tm);
	if (*rest == '.')
		rest += 1 + strspn(rest + 1, "0123456789");
	if ((rest[0] == '+' || rest[0] == '-') && strlen(rest) == 6 && rest[3] == ':') {
		long long off = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600LL +
			((rest[4] - '0') * 10 + (rest[5] - '0')) * 60LL;

		t -= rest[0] == '+' ? off : -off;
	} else if (strcmp(rest, "Z") != 0) {
		return -1;
	}
	return t;
}

/*
 * dockerd answers a create of an existing volume name with that volume
 * (201, as for a new one). It stays its creator's: a known record is kept,
 * and an unknown one that the answer shows existed is left unowned rather
 * than given to whoever named it. The answer shows it two ways:
 *  - its Labels and Options are the existing volume's, not the request's
 *    (a new volume's answer echoes Labels and DriverOpts);
 *  - its CreatedAt is older than the call. CreatedAt is the ctime of the
 *    volume's _data directory (local driver), which moves whenever a file
 *    is made or removed at the volume's top: with a minute's slack, dave
 *    took an operator's anonymous volume whose container had just written
 *    a pid file, and read its data (red team round 12). dockerd and
 *    rolegate share the host's clock; the slack covers the second CreatedAt
 *    is truncated to and a slow answer.
 * What remains (a volume whose top changed in the last seconds, named with
 * its labels and options copied) is a known limit (docs/ownership.md).
 */
#define RG_VOLUME_CREATED_SLACK 5

/* Two label or option maps are the same; null, absent and {} are all empty. */
static bool same_map(const json_t *a, const json_t *b)
{
	bool a_empty = a == NULL || json_is_null(a) || (json_is_object(a) && json_object_size(a) == 0);
	bool b_empty = b == NULL || json_is_null(b) || (json_is_object(b) && json_object_size(b) == 0);

	if (a_empty || b_empty)
		return a_empty && b_empty;
	return json_is_object(a) && json_is_object(b) && json_equal(a, b);
}

static int volume_create(struct walk *w, const char *name, const char **why)
{
	const char *unread;
	const json_t *body = rg_request_body(w->req, &unread);
	const json_t *opts = rg_json_get(w->req->response_json, "Options"), *labels;
	const char *driver = answer_string(w->req, "Driver");
	struct rg_strv list = { 0 };
	struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = RG_OBJ_VOLUME, .id = name, .name = name };
	const struct rg_object *known;
	long long born = created_at(answer_string(w->req, "CreatedAt"));
	int r;

	/*
	 * A volume rolegate knows keeps its record (dockerd answers a create of
	 * an existing name with that volume), unless the record is another
	 * user's (role's) and the answer shows this create made the volume (the
	 * tests below, with a CreatedAt): then the volume the record was about
	 * went unseen, and the record is stale. A volume prune whose answer was
	 * larger than rolegate reads left the records of every volume it
	 * removed; alice's new volume of a pruned name was still dave's, and he
	 * read her files from it (red team round 13). Under `owner` a create
	 * of another's known name is refused at the request, so only roles
	 * that may use anyone's volumes take a record this way.
	 */
	if (rg_owners_resolve(w->o, RG_OBJ_VOLUME, name, 0, 0, &known) == RG_RESOLVED &&
	    (born < 0 || (strcmp(known->user, w->user) == 0 && strcmp(known->role, w->role) == 0)))
		return 0;
	if (born >= 0 && born < w->now - RG_VOLUME_CREATED_SLACK)
		return 0;
	/* an answer that does not echo the request's labels and options is of an older
	 * volume (dockerd's answers carry both keys, null when empty) */
	labels = rg_json_get(w->req->response_json, "Labels");
	if (body != NULL && ((labels != NULL && !same_map(rg_json_get(body, "Labels"), labels)) ||
	    (opts != NULL && !same_map(rg_json_get(body, "DriverOpts"), opts))))
		return 0;
	if (!json_is_object(opts))
		opts = rg_json_get(body, "DriverOpts");
	if (driver == NULL)
		driver = json_string_value(rg_json_get(body, "Driver"));
	/* "local" is the default driver: the same options reach the host. */
	ev.driver = driver != NULL && strcmp(driver, "local") != 0 ? driver : "";
	if (opts_list(opts, &list) < 0) {
		rg_strv_free(&list);
		*why = "out of memory";
		return -1;
	}
	/* What it mounts from the host, for `rolegate state`: device, and o's paths. */
	ev.opts = &list;
	r = emit(w, &ev);
	rg_strv_free(&list);
	if (r < 0)
		*why = "the record could not be kept";
	return r;
}

/*
 * The swarm objects a create makes that rolegate tracks, or -1: services,
 * and the secrets and configs a service hands its tasks (red team round
 * 11: a role with owner read another user's secret through a service of
 * its own).
 */
static int swarm_kind(const char *command)
{
	if (strcmp(command, "service.create") == 0)
		return RG_OBJ_SERVICE;
	if (strcmp(command, "secret.create") == 0)
		return RG_OBJ_SECRET;
	if (strcmp(command, "config.create") == 0)
		return RG_OBJ_CONFIG;
	return -1;
}

static int simple_create(struct walk *w, enum rg_obj_kind kind, const char *id, const char **why)
{
	const char *unread;
	const json_t *body = rg_request_body(w->req, &unread);
	const struct rg_object *c;
	struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = kind, .id = id };
	char *settings = NULL;
	int r = 0;

	if (kind != RG_OBJ_EXEC) {
		ev.name = json_string_value(rg_json_get(body, "Name"));
	} else {
		/* an exec: its container, by id when rolegate knows it (not by an
		 * id prefix under 12 characters, which may have been another's
		 * name: change()), and the user it runs as when it names none
		 * (its container's) */
		char user[256] = "";

		ev.container = w->req->route.object;
		if (rg_owners_resolve(w->o, RG_OBJ_CONTAINER, ev.container, RG_OWNERS_MIN_PREFIX, 0,
				&c) == RG_RESOLVED)
			ev.container = c->id;
		/* as the decision took it (constraint.c) */
		if (!rg_inside_container_user(w->o, w->req->route.object, user, sizeof(user)))
			user[0] = '\0';
		ev.settings = settings = rg_inside_settings(w->req, user);
	}
	if (emit(w, &ev) < 0) {
		*why = "the record could not be kept";
		r = -1;
	}
	free(settings);
	return r;
}

/*
 * A rename or removal of the object ref names (resolved as dockerd would).
 * An id prefix shorter than 12 characters is not trusted to name a record:
 * dockerd takes an exact name first, and the name may be a container's
 * rolegate does not know (made before it, or its record expired). alice's
 * `docker rename db db-old` of such a container renamed dave's record,
 * whose id he had made begin with "db" (one create in 256), and dave's
 * `docker exec db-old` then ran in alice's old database container (red
 * team round 12). Unresolved, a rename only takes the new name from any
 * record holding it; a removal changes nothing (a stale record names an id
 * no container has).
 */
static int change(struct walk *w, enum rg_event_op op, enum rg_obj_kind kind, const char *ref,
		const char *name, const char **why)
{
	const struct rg_object *obj;
	struct rg_owner_event ev = { .op = op, .kind = kind, .name = name };

	if (rg_owners_resolve(w->o, kind, ref, RG_OWNERS_MIN_PREFIX, 0, &obj) == RG_RESOLVED) {
		ev.id = obj->id;
	} else if (op == RG_EV_RENAME && name != NULL && name[0] != '\0') {
		/*
		 * An object rolegate does not know took the name: dockerd holds
		 * it now, so a record still holding it is stale (a --rm
		 * container, one removed unseen) and must lose it, or its owner
		 * would own this object by name (red team round 3). The event
		 * names ref; apply finds no record with that id and only drops
		 * the name.
		 */
		ev.id = ref;
	} else {
		return 0;
	}
	if (emit(w, &ev) < 0) {
		*why = "the record could not be kept";
		return -1;
	}
	return 0;
}

/*
 * Writes container c's record again with settings (NULL: none), its owner,
 * name and times kept: not emit(), which makes the caller the owner.
 */
static int rewrite(struct walk *w, const struct rg_object *c, const char *settings, const char **why)
{
	struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = RG_OBJ_CONTAINER, .id = c->id,
		.name = c->name, .user = c->user, .role = c->role, .created = c->created,
		.used = c->used, .binds = &c->binds, .host_paths = &c->host_paths,
		.volumes = &c->volumes, .settings = settings };

	if (w->sink(&ev, w->arg) < 0) {
		*why = "the record could not be kept";
		return -1;
	}
	w->n++;
	return 0;
}

/*
 * A network connect: the container's record is written again with the
 * network in its settings (consinside.h). Its create named fewer networks:
 * judged on those alone, a restricted role's exec reached every network an
 * operator (or compose) connected it to later (red team round 9).
 * Disconnects are not followed: the record keeps the network, the narrower
 * side. A container rolegate has no settings for stays without.
 */
static int network_connect(struct walk *w, const char **why)
{
	const char *unread;
	const json_t *body = rg_request_body(w->req, &unread);
	const char *ref = json_string_value(rg_json_get(body, "Container"));
	const char *network_id = json_string_value(rg_json_path(body,
			(const char *const[]){ "EndpointConfig", "NetworkID", NULL }));
	const struct rg_object *c;
	char *settings;
	int r;

	if (ref == NULL || rg_owners_resolve(w->o, RG_OBJ_CONTAINER, ref, 0, 0, &c) != RG_RESOLVED ||
	    c->settings == NULL)
		return 0;
	/* NULL (unreadable, too long): the record loses its settings, refused */
	settings = rg_inside_connect(c->settings, w->req->route.object, network_id);
	r = rewrite(w, c, settings, why);
	free(settings);
	return r;
}

/*
 * A container update that gives a restart policy: the record's settings
 * get it, as if the create had asked for it. dockerd then starts the
 * container by itself, unseen, which the copy-up gate must know
 * (copyup.h): judged on its create alone, a container stopped between two
 * restarts looked stopped. A container rolegate has no settings for stays
 * without (it counts as restarting already).
 */
static int update_restart(struct walk *w, const char **why)
{
	const char *unread;
	const json_t *body = rg_request_body(w->req, &unread);
	const struct rg_object *c;
	char *settings;
	int r;

	if (!rg_consmount_restarts(body) ||
	    rg_owners_resolve(w->o, RG_OBJ_CONTAINER, w->req->route.object, 0, 0, &c) != RG_RESOLVED ||
	    c->settings == NULL)
		return 0;
	/* NULL (unreadable, too long): the record loses its settings, which
	 * counts as restarting too */
	settings = rg_inside_restart(c->settings, rg_json_get(body, "RestartPolicy"));
	r = rewrite(w, c, settings, why);
	free(settings);
	return r;
}

bool rg_owner_legacy_start(const struct rg_request *req)
{
	long v[3];

	return req->route.command != NULL && strcmp(req->route.command, "container.start") == 0 &&
		rg_constraints_api_version(req->uri, v) && (v[0] < 1 || (v[0] == 1 && v[1] < 24));
}

/*
 * A start through API < 1.24 (rg_owner_legacy_start): the HostConfig its
 * body may carry replaced the create's, so the record's settings no longer
 * say what the container reaches. An operator's plain container started so
 * with {"PidMode":"host","Binds":["/:/host"]} was still judged on its
 * create, and a restricted role's exec read the host's / (red team round 9).
 */
static int legacy_start(struct walk *w, const char **why)
{
	const struct rg_object *c;

	if (rg_owners_resolve(w->o, RG_OBJ_CONTAINER, w->req->route.object, 0, 0, &c) != RG_RESOLVED ||
	    c->settings == NULL)
		return 0;
	return rewrite(w, c, NULL, why);
}

struct names {
	enum rg_obj_kind kind;
	struct rg_strv v;
	int err;
};

static void name_of_kind(const struct rg_object *obj, void *arg)
{
	struct names *n = arg;

	if (obj->kind == n->kind && n->err == 0)
		n->err = rg_strv_push(&n->v, obj->id);
}

/*
 * A volume prune that removed what rolegate cannot read (an answer dockerd
 * did not show, over 64 KiB; or one over plugin.max_body): any volume
 * record may now name no volume. A volume's name is its id, so the next
 * volume of that name, made by anyone with `docker run -v NAME:/x` (whose
 * answer says nothing of it), would be the old record's user's (red team
 * round 13: dave read alice's new pgdata). Every volume record is dropped
 * (unowned: restricted roles lose them, no one gains one); a failed prune,
 * which dockerd shows the same way, does it too. Containers and networks
 * get new ids, and a create takes a stale record's name (ownership.c).
 */
static int forget_volumes(struct walk *w, const char **why)
{
	struct names n = { .kind = RG_OBJ_VOLUME };
	int r = 0;

	rg_owners_foreach(w->o, name_of_kind, &n);
	for (size_t i = 0; i < n.v.n && r == 0 && n.err == 0; i++) {
		struct rg_owner_event ev = { .op = RG_EV_REMOVE, .kind = RG_OBJ_VOLUME, .id = n.v.v[i] };

		r = emit(w, &ev);
	}
	if (n.err != 0 || r < 0)
		*why = n.err != 0 ? "out of memory" : "the record could not be kept";
	rg_strv_free(&n.v);
	return n.err != 0 || r < 0 ? -1 : 0;
}

/* A prune's answer lists what it removed: field (ids or names) of kind. */
static int pruned(struct walk *w, enum rg_obj_kind kind, const char *field, const char **why)
{
	const json_t *list = rg_json_get(w->req->response_json, field);
	size_t i;
	json_t *v;

	if (kind == RG_OBJ_VOLUME && !json_is_object(w->req->response_json))
		return forget_volumes(w, why);

	json_array_foreach(json_is_array(list) ? list : NULL, i, v) {
		if (json_is_string(v) && change(w, RG_EV_REMOVE, kind, json_string_value(v), NULL, why) < 0)
			return -1;
	}
	return 0;
}

/*
 * A container's own name as dockerd answers it ("/web"), without the '/';
 * NULL for anything else (a legacy link adds "/other/alias" to a list
 * entry's Names: not its name).
 */
static const char *own_name(const json_t *v)
{
	const char *n = json_string_value(v);

	return n != NULL && n[0] == '/' && n[1] != '\0' && strchr(n + 1, '/') == NULL ? n + 1 : NULL;
}

/*
 * The record of id, when it has no name and dockerd's answer gives it one:
 * dockerd names a container created without --name itself, and a create's
 * answer carries only its id.
 *
 * Only a record without a name: an answer is a snapshot, taken when the
 * handler began, and it reaches rolegate when the handler ends. frank's
 * inspect of his own container with ?size=1 walked its 300 000 files for
 * 5 s; he renamed the container away meanwhile, alice created a container
 * under the old name, and the late answer gave the old name back to
 * frank's record (taking it from alice's): frank's exec by that name ran
 * in alice's container (red team round 11). Every rename rolegate allows
 * is seen at its own AuthZRes, so a record with a name already holds the
 * newest one.
 */
static const struct rg_object *misnamed(const struct rg_owners *o, const json_t *id, const char *name)
{
	const struct rg_object *obj;
	const char *s = json_string_value(id);

	if (s == NULL || name == NULL ||
	    rg_owners_resolve(o, RG_OBJ_CONTAINER, s, 0, 0, &obj) != RG_RESOLVED ||
	    strcmp(obj->id, s) != 0 || obj->name[0] != '\0')
		return NULL;
	return obj;
}

/* Calls fn for each (container, name) a 2xx inspect or list answer renames; stops at fn's -1. */
bool rg_owner_names_answer(const struct rg_request *req)
{
	const char *command = req->route.command;

	return req->phase == RG_PHASE_RESPONSE && req->status >= 200 && req->status <= 299 &&
		req->response_json != NULL && command != NULL &&
		(strcmp(command, "container.inspect") == 0 || strcmp(command, "container.list") == 0);
}

static int answered_names(const struct rg_owners *o, const struct rg_request *req,
		int (*fn)(const struct rg_object *obj, const char *name, void *arg), void *arg)
{
	const char *command = req->route.command != NULL ? req->route.command : "";
	const json_t *answer = req->response_json, *names;
	const struct rg_object *obj;
	size_t i, j;
	json_t *entry, *v;

	if (!rg_owner_names_answer(req))
		return 0;
	if (strcmp(command, "container.inspect") == 0) {
		const char *name = own_name(rg_json_get(answer, "Name"));

		if ((obj = misnamed(o, rg_json_get(answer, "Id"), name)) != NULL)
			return fn(obj, name, arg);
		return 0;
	}
	if (strcmp(command, "container.list") != 0)
		return 0;
	json_array_foreach(json_is_array(answer) ? answer : NULL, i, entry) {
		names = rg_json_get(entry, "Names");
		json_array_foreach(json_is_array(names) ? names : NULL, j, v) {
			const char *name = own_name(v);

			if (name == NULL)
				continue;
			if ((obj = misnamed(o, rg_json_get(entry, "Id"), name)) != NULL &&
			    fn(obj, name, arg) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

static int found(const struct rg_object *obj, const char *name, void *arg)
{
	(void)obj;
	(void)name;
	*(bool *)arg = true;
	return -1;   /* one is enough */
}

bool rg_owner_names_learned(const struct rg_owners *o, const struct rg_request *req)
{
	bool any = false;

	(void)answered_names(o, req, found, &any);
	return any;
}

static int learn(const struct rg_object *obj, const char *name, void *arg)
{
	struct rg_owner_event ev = { .op = RG_EV_RENAME, .kind = RG_OBJ_CONTAINER, .id = obj->id,
		.name = name };

	return emit(arg, &ev);
}

bool rg_owner_confirmed(const struct rg_request *req)
{
	if (req->status >= 200 && req->status <= 299)
		return true;
	return req->status == 0 && req->route.command != NULL &&
		strcmp(req->route.command, "service.remove") == 0;
}

int rg_owner_events(const struct rg_owners *o, struct rg_request *req, const char *user,
		const char *role, long long now, rg_owner_sink sink, void *arg, const char **why)
{
	struct walk w = { .o = o, .req = req, .user = user, .role = role != NULL ? role : "",
		.now = now, .sink = sink, .arg = arg };
	const char *command = req->route.command != NULL ? req->route.command : "unknown";
	const char *ref = req->route.object, *id;
	char name[RG_OBJECT_MAX];
	int r = 0;

	*why = NULL;
	if (req->phase != RG_PHASE_RESPONSE)
		return 0;
	/*
	 * dockerd answers a network connect with nothing written: status 0,
	 * as for a failure. The network is added either way: a failed
	 * connect's only costs the container's restricted users an exec. An
	 * old start may have applied its HostConfig and failed after.
	 */
	if (strcmp(command, "network.connect") == 0)
		return network_connect(&w, why) < 0 ? -1 : w.n;
	if (rg_owner_legacy_start(req))
		return legacy_start(&w, why) < 0 ? -1 : w.n;
	/*
	 * dockerd's authorization middleware holds an answer up to 64 KiB. A
	 * larger one (a volume prune of ~1 000 volumes) has its status line
	 * sent first: the plugin is then shown status 0, no headers and no
	 * body, as for a failure. The volumes such a prune removed cannot be
	 * named: every volume record is dropped (red team round 13).
	 */
	if (strcmp(command, "volume.prune") == 0 && !rg_owner_confirmed(req))
		return forget_volumes(&w, why) < 0 ? -1 : w.n;
	if (!rg_owner_confirmed(req))
		return 0;
	/* names dockerd gave (inspect, list answers) */
	if (strcmp(command, "container.inspect") == 0 || strcmp(command, "container.list") == 0) {
		if (answered_names(o, req, learn, &w) < 0) {
			*why = "the record could not be kept";
			return -1;
		}
		return w.n;
	}
	if (strcmp(command, "container.create") == 0 || strcmp(command, "exec.create") == 0 ||
	    strcmp(command, "network.create") == 0 || strcmp(command, "volume.create") == 0 ||
	    swarm_kind(command) >= 0) {
		/* a swarm object's answer says "ID"; the others "Id" (a volume: its "Name") */
		id = answer_string(req, strcmp(command, "volume.create") == 0 ? "Name" :
				swarm_kind(command) >= 0 ? "ID" : "Id");
		if (id == NULL || strlen(id) > RG_OWNERS_FIELD_MAX) {
			*why = "the daemon's answer carries no id";
			return -1;
		}
		if (user == NULL || user[0] == '\0') {
			*why = "the caller has no name";
			return -1;
		}
		if (strcmp(command, "container.create") == 0)
			r = container_create(&w, id, why);
		else if (strcmp(command, "volume.create") == 0)
			r = volume_create(&w, id, why);
		else
			r = simple_create(&w, strcmp(command, "exec.create") == 0 ? RG_OBJ_EXEC :
					swarm_kind(command) >= 0 ? (enum rg_obj_kind)swarm_kind(command) :
					RG_OBJ_NETWORK, id, why);
	} else if (strcmp(command, "container.rename") == 0) {
		if (rg_query_get(req->route.query, "name", name, sizeof(name)) < 0)
			return 0;
		r = change(&w, RG_EV_RENAME, RG_OBJ_CONTAINER, ref, name[0] == '/' ? name + 1 : name, why);
	} else if (strcmp(command, "container.remove") == 0) {
		r = change(&w, RG_EV_REMOVE, RG_OBJ_CONTAINER, ref, NULL, why);
	} else if (strcmp(command, "container.update") == 0) {
		r = update_restart(&w, why);
	} else if (strcmp(command, "volume.remove") == 0) {
		r = change(&w, RG_EV_REMOVE, RG_OBJ_VOLUME, ref, NULL, why);
	} else if (strcmp(command, "network.remove") == 0) {
		r = change(&w, RG_EV_REMOVE, RG_OBJ_NETWORK, ref, NULL, why);
	} else if (strcmp(command, "service.remove") == 0) {
		r = change(&w, RG_EV_REMOVE, RG_OBJ_SERVICE, ref, NULL, why);
	} else if (strcmp(command, "secret.remove") == 0) {
		r = change(&w, RG_EV_REMOVE, RG_OBJ_SECRET, ref, NULL, why);
	} else if (strcmp(command, "config.remove") == 0) {
		r = change(&w, RG_EV_REMOVE, RG_OBJ_CONFIG, ref, NULL, why);
	} else if (strcmp(command, "container.prune") == 0) {
		r = pruned(&w, RG_OBJ_CONTAINER, "ContainersDeleted", why);
	} else if (strcmp(command, "volume.prune") == 0) {
		r = pruned(&w, RG_OBJ_VOLUME, "VolumesDeleted", why);
	} else if (strcmp(command, "network.prune") == 0) {
		r = pruned(&w, RG_OBJ_NETWORK, "NetworksDeleted", why);
	}
	return r < 0 ? -1 : w.n;
}

static int apply_sink(const struct rg_owner_event *ev, void *arg)
{
	return rg_owners_apply(arg, ev);
}

int rg_owners_observe(struct rg_owners *o, struct rg_request *req, const char *user,
		const char *role, long long now, const char **why)
{
	return rg_owner_events(o, req, user, role, now, apply_sink, o, why);
}
