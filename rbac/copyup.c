/*
 * The copy-up race: which creates copy into which volumes, which recorded
 * containers mount them, and the gate's questions (copyup.h). Pure: the
 * daemon's answers come through struct rg_run_gate.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rolegate/consmount.h"
#include "rolegate/conscheck.h"
#include "rolegate/copyup.h"
#include "rolegate/gojson.h"
#include "rolegate/ownership.h"
#include "rolegate/request.h"

/* Whether a Binds mode list ("ro,nocopy") turns the copy off: dockerd
 * (getCopyMode) looks for an option that is exactly "nocopy". */
static bool nocopy_mode(const char *mode, size_t len)
{
	while (len > 0) {
		size_t n = strcspn(mode, ",");

		if (n > len)
			n = len;
		if (n == 6 && memcmp(mode, "nocopy", 6) == 0)
			return true;
		mode += n;
		len -= n;
		if (len > 0) {
			mode++;
			len--;
		}
	}
	return false;
}

/*
 * "name:/dst[:mode]" (dockerd's Linux parser): a source that does not start
 * with '/' is a volume's name; one part alone is an anonymous volume, new
 * to this create. A spec dockerd would refuse (more parts) counts as copying:
 * more refusals, never fewer.
 */
static int bind_copies(const char *spec, struct rg_strv *out)
{
	const char *c1 = strchr(spec, ':'), *c2, *c3;
	char name[RG_OWNERS_FIELD_MAX + 1];
	size_t len;

	if (c1 == NULL || spec[0] == '/' || c1 == spec)
		return 0;
	c2 = strchr(c1 + 1, ':');
	c3 = c2 != NULL ? strchr(c2 + 1, ':') : NULL;
	if (c2 != NULL && c3 == NULL && nocopy_mode(c2 + 1, strlen(c2 + 1)))
		return 0;
	len = (size_t)(c1 - spec);
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, spec, len);
	name[len] = '\0';
	return rg_strv_push_unique(out, name);
}

/* A Mounts entry of type volume with a source and without VolumeOptions.NoCopy. */
static int mount_copies(const json_t *m, struct rg_strv *out)
{
	const char *type = json_string_value(rg_json_get(m, "Type"));
	const char *source = json_string_value(rg_json_get(m, "Source"));
	const json_t *nocopy = rg_json_path(m, (const char *const[]){ "VolumeOptions", "NoCopy", NULL });

	/* dockerd takes the type exactly; any spelling of "volume" counts here */
	if (type == NULL || strcasecmp(type, "volume") != 0 || source == NULL || source[0] == '\0' ||
	    json_is_true(nocopy))
		return 0;
	return rg_strv_push_unique(out, source);
}

static int hostconfig_copies(const json_t *hc, struct rg_strv *out)
{
	const json_t *binds = rg_json_get(hc, "Binds"), *mounts = rg_json_get(hc, "Mounts");
	size_t i;
	json_t *v;

	json_array_foreach(json_is_array(binds) ? binds : NULL, i, v) {
		if (json_is_string(v) && bind_copies(json_string_value(v), out) < 0)
			return -1;
	}
	json_array_foreach(json_is_array(mounts) ? mounts : NULL, i, v) {
		if (json_is_object(v) && mount_copies(v, out) < 0)
			return -1;
	}
	return 0;
}

int rg_copyup_volumes(const json_t *body, struct rg_strv *out)
{
	/* dockerd reads the top level's HostConfig fields too (constraint.c):
	 * either counts here (more refusals, never fewer). */
	if (hostconfig_copies(rg_json_get(body, "HostConfig"), out) < 0)
		return -1;
	return rg_conscheck_top_hostconfig(body) ? hostconfig_copies(body, out) : 0;
}

bool rg_copyup_may_restart(const char *settings)
{
	const char *nl = settings != NULL ? strchr(settings, '\n') : NULL, *err;
	json_t *body;
	bool r;

	if (nl == NULL)
		return true;
	body = rg_gojson_parse(nl + 1, strlen(nl + 1), &err);
	r = !json_is_object(body) || rg_consmount_restarts(rg_json_get(body, "HostConfig")) ||
		(rg_conscheck_top_hostconfig(body) && rg_consmount_restarts(body));
	json_decref(body);
	return r;
}

/* The recorded containers that mount one of the volumes a create copies into. */
struct watch {
	const struct rg_run_gate *gate;
	const struct rg_strv *volumes;
	struct rg_strv ids;
	const struct rg_object *restarts;   /* the first that dockerd may start by itself */
	const char *volume;                 /* the volume it mounts */
	bool oom;
};

static void watch_one(const struct rg_object *obj, void *arg)
{
	struct watch *w = arg;
	const char *shared = NULL;

	if (obj->kind != RG_OBJ_CONTAINER || w->oom)
		return;
	for (size_t i = 0; i < obj->volumes.n && shared == NULL; i++) {
		if (rg_strv_has(w->volumes, obj->volumes.v[i]))
			shared = obj->volumes.v[i];
	}
	if (shared == NULL)
		return;
	/* one the daemon saw stopped stays down: a stop cancels its restarts */
	if (w->restarts == NULL && rg_copyup_may_restart(obj->settings) &&
	    (w->gate == NULL || !w->gate->stopped(w->gate->arg, obj->id))) {
		w->restarts = obj;
		w->volume = shared;
	}
	if (rg_strv_push(&w->ids, obj->id) < 0)
		w->oom = true;
}

static int copying_create(const struct rg_run_gate *gate, struct rg_request *req, char *why, size_t len)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1], qc[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *unread;
	const json_t *body = rg_request_body(req, &unread);
	struct rg_strv volumes = { 0 };
	struct watch w = { .gate = gate, .volumes = &volumes };
	int r = 0;

	if (body == NULL)
		return 0;   /* refused before this by the constraints that read it */
	if (rg_copyup_volumes(body, &volumes) < 0) {
		snprintf(why, len, "create a container now (out of memory)");
		return -1;
	}
	if (volumes.n == 0)
		return 0;
	if (req->owners != NULL)
		rg_owners_foreach(req->owners, watch_one, &w);
	if (w.oom) {
		snprintf(why, len, "create a container now (out of memory)");
		r = -1;
	} else if (w.restarts != NULL) {
		char label[RG_CONSCHECK_QUOTE_MAX + 1];

		/* its name, or its short id (docker ps shows 12 digits) */
		snprintf(label, sizeof(label), "%.*s", w.restarts->name[0] != '\0' ?
				RG_CONSCHECK_QUOTE_MAX : 12, w.restarts->name[0] != '\0' ?
				w.restarts->name : w.restarts->id);
		snprintf(why, len, "mount volume %s so that dockerd copies the image's files into it "
				"while container %s, which mounts it, may be started by dockerd itself (a "
				"restart policy): a process there can redirect the copy onto the host; add "
				"nocopy (-v %s:PATH:nocopy, --mount ...,volume-nocopy), or stop (docker "
				"stop) or remove %s first (bind_mounts)", rg_conscheck_quote(w.volume, q, sizeof(q)),
				rg_conscheck_quote(label, qc, sizeof(qc)), w.volume, label);
		r = -1;
	} else if (gate != NULL) {
		r = gate->copy(gate->arg, req, &volumes, &w.ids, why, len);
	} else if (w.ids.n > 0) {
		snprintf(why, len, "mount volume %s so that dockerd copies the image's files into it: "
				"container %.12s mounts it too, and whether it runs cannot be told here; add "
				"nocopy (bind_mounts)", rg_conscheck_quote(volumes.v[0], q, sizeof(q)), w.ids.v[0]);
		r = -1;
	}
	rg_strv_free(&w.ids);
	rg_strv_free(&volumes);
	return r;
}

/* The container a start or stop names, as dockerd finds it (id, exact name,
 * any unique prefix); NULL when rolegate cannot tell. */
static const struct rg_object *named_container(const struct rg_request *req)
{
	const struct rg_object *c;

	if (req->owners == NULL || req->route.object[0] == '\0' ||
	    rg_owners_resolve(req->owners, RG_OBJ_CONTAINER, req->route.object, 0, 0, &c) != RG_RESOLVED)
		return NULL;
	return c;
}

static int starting(const struct rg_run_gate *gate, struct rg_request *req, char *why, size_t len)
{
	const struct rg_object *c = named_container(req);

	if (gate == NULL)
		return 0;
	return gate->start(gate->arg, req, c != NULL ? c->id : NULL, c != NULL ? &c->volumes : NULL, why, len);
}

int rg_copyup_gate(const struct rg_run_gate *gate, struct rg_request *req, bool restricted,
		char *why, size_t len)
{
	const char *command = req->route.command;

	if (command == NULL || req->phase != RG_PHASE_REQUEST)
		return 0;
	if (strcmp(command, "container.create") == 0)
		return restricted ? copying_create(gate, req, why, len) : 0;
	if (strcmp(command, "container.start") == 0 || strcmp(command, "container.restart") == 0 ||
	    strcmp(command, "container.unpause") == 0)
		return starting(gate, req, why, len);
	if (strcmp(command, "container.stop") == 0 && gate != NULL) {
		const struct rg_object *c = named_container(req);

		gate->stop(gate->arg, req, c != NULL ? c->id : NULL);
	}
	return 0;
}
