/*
 * Acting inside an existing container (consinside.h): the create's
 * settings, kept and judged again. The judging is constraint.c's own
 * container create (and exec create) check, run on the kept body with the
 * role's constraints narrowed to the keys that bound the host, so the two
 * can never disagree about what a setting means.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/conscheck.h"
#include "rolegate/consinside.h"
#include "rolegate/constraint.h"
#include "rolegate/gojson.h"
#include "rolegate/ownership.h"

/* c narrowed to the keys that bound what the host gives a container. The
 * lists are borrowed from c: never free the result. */
static struct rg_constraints inside_keys(const struct rg_constraints *c)
{
	return (struct rg_constraints){
		.privileged = c->privileged,
		.host_namespaces = c->host_namespaces,
		.devices = c->devices,
		.unconfined = c->unconfined,
		.has_capabilities = c->has_capabilities, .capabilities = c->capabilities,
		.has_bind_mounts = c->has_bind_mounts, .bind_mounts = c->bind_mounts,
		.has_exec_user = c->has_exec_user, .exec_user = c->exec_user,
		.pinned_images = RG_UNSET,
		.has_networks = c->has_networks, .networks = c->networks,
		.owner = RG_OWNER_ANY,
		.has_runtimes = c->has_runtimes, .runtimes = c->runtimes,
		.cgroup_parent = c->cgroup_parent,
	};
}

bool rg_inside_restricted(const struct rg_constraints *c)
{
	struct rg_constraints k = inside_keys(c);

	/* exec_user bounds who an exec runs as inside, not what the host gives
	 * the container: alone, it is judged on the exec create (constraint.c) */
	k.has_exec_user = false;
	return rg_constraints_any(&k);
}

/* A Go zero value: dockerd decodes it as it decodes the key left out. */
static bool zero(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return true;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_REAL:
		return json_real_value(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	default:
		return false;
	}
}

/*
 * A copy of obj's members (a struct's fields: the create's top level, its
 * HostConfig) without zero values. Deeper objects are copied whole: a map's
 * empty entry still means something (an endpoint {} joins its network).
 * keep, if not NULL, says which top-level keys to keep.
 */
static json_t *fields(const json_t *obj, bool (*keep)(const char *key))
{
	json_t *out = json_object(), *v;
	const char *key;

	json_object_foreach((json_t *)obj, key, v) {
		if (out == NULL)
			return NULL;
		if (zero(v) || (keep != NULL && !keep(key)))
			continue;
		if (json_object_set(out, key, v) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* A container create's top-level keys the judging reads: everything but
 * Config's, and Config's User (an exec that names no user runs as it). */
static bool create_key(const char *key)
{
	if (strcmp(key, "HostConfig") == 0 || strcmp(key, "NetworkingConfig") == 0 ||
	    rg_gojson_key_matches("User", key))
		return true;
	return !rg_conscheck_config_key(key) || rg_gojson_key_matches("HostConfig", key) ||
		rg_gojson_key_matches("NetworkingConfig", key);
}

/* An exec create's keys the judging reads. */
static bool exec_key(const char *key)
{
	return rg_gojson_key_matches("Privileged", key) || rg_gojson_key_matches("User", key);
}

static json_t *container_body(const json_t *body)
{
	json_t *out = fields(body, create_key), *hc, *v;
	const char *key;

	if (out == NULL)
		return NULL;
	/* HostConfig's own zero fields too: most of what the CLI sends */
	json_object_foreach(out, key, v) {
		if (!rg_gojson_key_matches("HostConfig", key) || !json_is_object(v))
			continue;
		if ((hc = fields(v, NULL)) == NULL || json_object_set_new(out, key, hc) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/*
 * The settings text "URI\nBODY": uri's first n bytes, a newline, body
 * dumped compact. NULL when body is NULL, the text is over
 * RG_OWNERS_SETTINGS_MAX, or memory ran out.
 */
static char *settings_text(const char *uri, size_t n, const json_t *body)
{
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL, *out = NULL;
	size_t len = text != NULL ? n + 1 + strlen(text) : 0;

	if (text != NULL && len <= RG_OWNERS_SETTINGS_MAX && (out = malloc(len + 1)) != NULL) {
		memcpy(out, uri, n);
		out[n] = '\n';
		memcpy(out + n + 1, text, len - n);  /* with text's NUL */
	}
	free(text);
	return out;
}

char *rg_inside_settings(struct rg_request *req, const char *default_user)
{
	const char *why, *command = req->route.command != NULL ? req->route.command : "";
	const json_t *body = rg_request_body(req, &why);
	bool exec = strcmp(command, "exec.create") == 0;
	char uri[64], *out;
	json_t *kept;
	long v[3];
	size_t n;

	if (!json_is_object(body) || (!exec && strcmp(command, "container.create") != 0))
		return NULL;
	/* The API version decides what an unset field means (constraint.c). */
	n = rg_constraints_api_version(req->uri, v) ?
		(size_t)snprintf(uri, sizeof(uri), "/v%ld.%ld", v[0], v[1]) : 0;
	/* An exec's path names its container; the judging needs only the route. */
	snprintf(uri + n, sizeof(uri) - n, "%s", exec ? "/containers/c/exec" : "/containers/create");
	kept = exec ? fields(body, exec_key) : container_body(body);
	/* An exec that names no user runs as its container's (dockerd starts it
	 * from the container's process spec): kept as the user it runs as. */
	if (exec && kept != NULL && default_user != NULL && default_user[0] != '\0' &&
	    rg_json_get(kept, "User") == NULL &&
	    json_object_set_new(kept, "User", json_string(default_user)) < 0) {
		json_decref(kept);
		return NULL;
	}
	out = settings_text(uri, strlen(uri), kept);
	json_decref(kept);
	return out;
}

/* obj's member field (Go folding), an empty object when absent or null; NULL if not an object. */
static json_t *member_object(json_t *obj, const char *field)
{
	json_t *v = rg_json_get(obj, field);
	const char *key = field, *k;
	json_t *e;

	if (v != NULL && !json_is_null(v))
		return json_is_object(v) ? v : NULL;
	/* null is replaced under its own spelling: a second one would fold alike */
	json_object_foreach(json_is_object(obj) ? obj : NULL, k, e) {
		if (e == v)
			key = k;
	}
	if ((v = json_object()) == NULL || json_object_set_new(obj, key, v) < 0)
		return NULL;
	return v;
}

static int add_endpoint(json_t *endpoints, const char *network)
{
	if (network == NULL || network[0] == '\0' || json_object_get(endpoints, network) != NULL)
		return 0;
	return json_object_set_new(endpoints, network, json_object());
}

char *rg_inside_connect(const char *settings, const char *network, const char *network_id)
{
	const char *nl = settings != NULL ? strchr(settings, '\n') : NULL, *err;
	json_t *body, *endpoints;
	char *out = NULL;

	if (nl == NULL || network == NULL || network[0] == '\0')
		return NULL;
	body = rg_gojson_parse(nl + 1, strlen(nl + 1), &err);
	/* a create's map of endpoints, under its NetworkingConfig (zero values were left out) */
	endpoints = json_is_object(body) ? member_object(member_object(body, "NetworkingConfig"),
			"EndpointsConfig") : NULL;
	if (endpoints != NULL && add_endpoint(endpoints, network) == 0 &&
	    add_endpoint(endpoints, network_id) == 0)
		out = settings_text(settings, (size_t)(nl - settings), body);
	json_decref(body);
	return out;
}

char *rg_inside_restart(const char *settings, const json_t *policy)
{
	const char *nl = settings != NULL ? strchr(settings, '\n') : NULL, *err;
	json_t *body, *hc, *copy = json_deep_copy(policy);
	char *out = NULL;

	if (nl == NULL || !json_is_object(copy)) {
		json_decref(copy);
		return NULL;
	}
	body = rg_gojson_parse(nl + 1, strlen(nl + 1), &err);
	hc = json_is_object(body) ? member_object(body, "HostConfig") : NULL;
	/* replaced under its own spelling; with another one left (a folded
	 * "restartpolicy"), NULL: the record loses its settings */
	if (hc != NULL)
		(void)json_object_del(hc, "RestartPolicy");
	if (hc != NULL && rg_json_get(hc, "RestartPolicy") == NULL &&
	    json_object_set(hc, "RestartPolicy", copy) == 0)
		out = settings_text(settings, (size_t)(nl - settings), body);
	json_decref(copy);
	json_decref(body);
	return out;
}

int rg_inside_check(const struct rg_constraints *c, const char *settings,
		const struct rg_request *req, char *reason, size_t reasonlen)
{
	struct rg_constraints k = inside_keys(c);
	const char *nl = strchr(settings, '\n'), *err = NULL;
	char uri[RG_OBJECT_MAX + 64];
	struct rg_request create;
	int r;

	if (nl == NULL || (size_t)(nl - settings) >= sizeof(uri))
		goto unreadable;
	memcpy(uri, settings, (size_t)(nl - settings));
	uri[nl - settings] = '\0';
	if (rg_request_init(&create, "", "", "POST", uri, (const unsigned char *)nl + 1, strlen(nl + 1),
			RG_OWNERS_SETTINGS_MAX, &err) < 0)
		goto unreadable;
	if (create.route.command == NULL || (strcmp(create.route.command, "container.create") != 0 &&
	    strcmp(create.route.command, "exec.create") != 0)) {
		rg_request_clear(&create);
		goto unreadable;
	}
	create.fs = req->fs;
	/* An exec's kept path names no container ("c"): its settings hold the
	 * user it runs as already (rg_inside_settings), none to look up. */
	create.owners = strcmp(create.route.command, "exec.create") == 0 ? NULL : req->owners;
	create.approved = req->approved;
	r = rg_constraints_check(&k, &create, reason, reasonlen);
	rg_request_clear(&create);
	return r;
unreadable:
	snprintf(reason, reasonlen, "act in a container whose recorded settings cannot be read");
	return -1;
}

bool rg_inside_user(const char *settings, char *out, size_t len)
{
	const char *nl = settings != NULL ? strchr(settings, '\n') : NULL, *err, *user;
	json_t *body;
	bool found = false;

	if (nl == NULL || len == 0)
		return false;
	body = rg_gojson_parse(nl + 1, strlen(nl + 1), &err);
	user = json_string_value(rg_json_get(body, "User"));
	if (user != NULL && user[0] != '\0' && strlen(user) < len) {
		memcpy(out, user, strlen(user) + 1);
		found = true;
	}
	json_decref(body);
	return found;
}

bool rg_inside_container_user(const struct rg_owners *o, const char *ref, char *out, size_t len)
{
	const struct rg_object *c;

	return o != NULL && ref != NULL && ref[0] != '\0' &&
		rg_owners_resolve(o, RG_OBJ_CONTAINER, ref, RG_OWNERS_MIN_PREFIX, 0, &c) == RG_RESOLVED &&
		rg_inside_user(c->settings, out, len);
}
