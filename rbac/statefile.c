/*
 * The ownership state files' text (statefile.h): events to lines and back.
 * The reader trusts nothing: a line that is not exactly an event is an
 * error naming its line, except a last line cut short by a crash. Text
 * only: the daemon writes and reads the files (plugin/statefile_io.c,
 * plugin/state.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rolegate/statefile.h"

static const char *const op_names[] = { "create", "rename", "remove" };

static json_t *list_json(const struct rg_strv *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && l != NULL && i < l->n; i++) {
		if (json_array_append_new(a, json_string(l->v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static char *dump_line(json_t *obj)
{
	char *text, *line;
	size_t len;

	if (obj == NULL)
		return NULL;
	text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(obj);
	if (text == NULL)
		return NULL;
	len = strlen(text);
	line = realloc(text, len + 2);
	if (line == NULL) {
		free(text);
		return NULL;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	return line;
}

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

char *rg_statefile_event_line(const struct rg_owner_event *ev)
{
	json_t *obj;

	if ((unsigned)ev->op > RG_EV_REMOVE)
		return NULL;
	obj = json_pack("{s:s, s:s, s:s}", "op", op_names[ev->op], "kind", rg_obj_kind_name(ev->kind),
			"id", or_empty(ev->id));
	if (obj == NULL)
		return NULL;
	if (ev->op == RG_EV_RENAME && json_object_set_new(obj, "name", json_string(or_empty(ev->name))) < 0)
		goto fail;
	if (ev->op == RG_EV_CREATE &&
	    (json_object_set_new(obj, "name", json_string(or_empty(ev->name))) < 0 ||
	     json_object_set_new(obj, "user", json_string(or_empty(ev->user))) < 0 ||
	     json_object_set_new(obj, "role", json_string(or_empty(ev->role))) < 0 ||
	     json_object_set_new(obj, "created", json_integer(ev->created)) < 0 ||
	     json_object_set_new(obj, "used", json_integer(ev->used)) < 0 ||
	     json_object_set_new(obj, "binds", list_json(ev->binds)) < 0 ||
	     json_object_set_new(obj, "paths", list_json(ev->host_paths)) < 0 ||
	     json_object_set_new(obj, "volumes", list_json(ev->volumes)) < 0 ||
	     json_object_set_new(obj, "container", json_string(or_empty(ev->container))) < 0 ||
	     json_object_set_new(obj, "driver", json_string(or_empty(ev->driver))) < 0 ||
	     json_object_set_new(obj, "opts", list_json(ev->opts)) < 0 ||
	     (ev->settings != NULL && ev->settings[0] != '\0' &&
	      json_object_set_new(obj, "settings", json_string(ev->settings)) < 0)))
		goto fail;
	return dump_line(obj);
fail:
	json_decref(obj);
	return NULL;
}

char *rg_statefile_header(const char *kind, unsigned long gen)
{
	return dump_line(json_pack("{s:s, s:I}", "rolegate", kind, "gen", (json_int_t)gen));
}

struct snap {
	rg_statefile_sink sink;
	void *arg;
	int failed;   /* 0, or -1 once out of memory or the sink failed: nothing more is sent */
};

static void snap_one(const struct rg_object *obj, void *arg)
{
	struct snap *s = arg;
	struct rg_owner_event ev = {
		.op = RG_EV_CREATE, .kind = obj->kind, .id = obj->id, .name = obj->name,
		.user = obj->user, .role = obj->role, .created = obj->created,
		.used = __atomic_load_n(&obj->used, __ATOMIC_RELAXED),
		.binds = &obj->binds, .host_paths = &obj->host_paths, .volumes = &obj->volumes,
		.opts = &obj->opts, .container = obj->container, .driver = obj->driver,
		.settings = obj->settings,
	};
	char *line;

	if (s->failed != 0)
		return;
	line = rg_statefile_event_line(&ev);
	if (line == NULL || s->sink(line, strlen(line), s->arg) < 0)
		s->failed = -1;
	free(line);
}

int rg_statefile_snapshot(const struct rg_owners *o, unsigned long gen, rg_statefile_sink sink,
		void *arg)
{
	struct snap s = { .sink = sink, .arg = arg };
	char *head = rg_statefile_header("snapshot", gen);

	if (head == NULL || sink(head, strlen(head), arg) < 0) {
		free(head);
		return -1;
	}
	free(head);
	rg_owners_foreach(o, snap_one, &s);
	return s.failed;
}

/* Only these keys, each of the type expected: anything else is not ours. */
static bool known_keys(const json_t *obj, const char *const *keys)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		bool found = false;

		for (size_t i = 0; keys[i] != NULL && !found; i++)
			found = strcmp(keys[i], key) == 0;
		if (!found)
			return false;
	}
	return true;
}

static const char *str(const json_t *obj, const char *key, bool *ok)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return "";
	if (!json_is_string(v)) {
		*ok = false;
		return "";
	}
	return json_string_value(v);
}

static long long num(const json_t *obj, const char *key, bool *ok)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		*ok = false;
		return 0;
	}
	return json_integer_value(v);
}

static int strings(const json_t *obj, const char *key, struct rg_strv *out, bool *ok)
{
	const json_t *a = json_object_get(obj, key);
	size_t i;
	json_t *v;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > RG_OWNERS_LIST_MAX) {
		*ok = false;
		return 0;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			*ok = false;
			return 0;
		}
		if (rg_strv_push(out, json_string_value(v)) < 0)
			return -1;
	}
	return 0;
}

/* Parses and applies one event line. Returns 0, or -1 with *why (static). */
static int event_line(const char *line, size_t len, struct rg_owners *o, bool snapshot, const char **why)
{
	static const char *const keys[] = { "op", "kind", "id", "name", "user", "role", "created",
		"used", "binds", "paths", "volumes", "container", "driver", "opts", "settings", NULL };
	struct rg_strv binds = { 0 }, paths = { 0 }, volumes = { 0 }, opts = { 0 };
	struct rg_owner_event ev = { 0 };
	json_error_t jerr;
	json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	const char *op, *kind;
	bool ok = true;
	int k, r = -1;

	*why = "not a JSON object";
	if (!json_is_object(obj))
		goto out;
	*why = "not a state event";
	if (!known_keys(obj, keys))
		goto out;
	op = str(obj, "op", &ok);
	kind = str(obj, "kind", &ok);
	ev.id = str(obj, "id", &ok);
	ev.name = str(obj, "name", &ok);
	ev.user = str(obj, "user", &ok);
	ev.role = str(obj, "role", &ok);
	ev.container = str(obj, "container", &ok);
	ev.driver = str(obj, "driver", &ok);
	ev.settings = str(obj, "settings", &ok);
	ev.created = num(obj, "created", &ok);
	ev.used = num(obj, "used", &ok);
	if (strings(obj, "binds", &binds, &ok) < 0 || strings(obj, "paths", &paths, &ok) < 0 ||
	    strings(obj, "volumes", &volumes, &ok) < 0 || strings(obj, "opts", &opts, &ok) < 0) {
		*why = "out of memory";
		goto out;
	}
	if (!ok)
		goto out;
	if ((k = rg_obj_kind_parse(kind)) < 0) {
		*why = "unknown kind of object";
		goto out;
	}
	ev.kind = (enum rg_obj_kind)k;
	if (strcmp(op, "create") == 0)
		ev.op = RG_EV_CREATE;
	else if (strcmp(op, "rename") == 0 && !snapshot)
		ev.op = RG_EV_RENAME;
	else if (strcmp(op, "remove") == 0 && !snapshot)
		ev.op = RG_EV_REMOVE;
	else {
		*why = snapshot ? "a snapshot holds only creates" : "unknown op";
		goto out;
	}
	ev.binds = &binds;
	ev.host_paths = &paths;
	ev.volumes = &volumes;
	ev.opts = &opts;
	if (rg_owners_apply(o, &ev) < 0) {
		*why = "an event with an empty or oversized field";
		goto out;
	}
	r = 0;
out:
	json_decref(obj);
	rg_strv_free(&binds);
	rg_strv_free(&paths);
	rg_strv_free(&volumes);
	rg_strv_free(&opts);
	return r;
}

static int header_line(const char *line, size_t len, const char *kind, unsigned long *gen, const char **why)
{
	static const char *const keys[] = { "rolegate", "gen", NULL };
	json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	const json_t *g = json_object_get(obj, "gen");
	bool ok = true;
	int r = -1;

	*why = "not a rolegate state file header";
	if (json_is_object(obj) && known_keys(obj, keys) && json_is_integer(g) &&
	    json_integer_value(g) >= 0) {
		if (strcmp(str(obj, "rolegate", &ok), kind) == 0 && ok) {
			*gen = (unsigned long)json_integer_value(g);
			r = 0;
		} else {
			*why = strcmp(kind, "journal") == 0 ? "not a journal header" : "not a snapshot header";
		}
	}
	json_decref(obj);
	return r;
}

int rg_statefile_read(const char *text, size_t len, const char *kind, unsigned long want_gen,
		struct rg_owners *o, struct rg_statefile_result *res, char *err, size_t errlen)
{
	bool snapshot = strcmp(kind, "snapshot") == 0;
	size_t off = 0, lineno = 0;
	const char *why;

	memset(res, 0, sizeof(*res));
	res->gen = want_gen;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t llen = nl != NULL ? (size_t)(nl - (text + off)) : len - off;

		lineno++;
		if (nl == NULL && !snapshot) {
			/* a crash cut the last append short: it was never acknowledged */
			res->torn = true;
			break;
		}
		if (llen > RG_STATEFILE_LINE_MAX) {
			snprintf(err, errlen, "line %zu: longer than %d bytes", lineno, RG_STATEFILE_LINE_MAX);
			return -1;
		}
		if (memchr(text + off, '\0', llen) != NULL) {
			snprintf(err, errlen, "line %zu: holds a NUL byte", lineno);
			return -1;
		}
		if (lineno == 1) {
			if (header_line(text + off, llen, kind, &res->gen, &why) < 0) {
				snprintf(err, errlen, "line 1: %s", why);
				return -1;
			}
			if (!snapshot && res->gen < want_gen) {
				res->stale = true;
				res->good_len = len;
				return 0;
			}
			if (!snapshot && res->gen > want_gen) {
				snprintf(err, errlen, "line 1: journal generation %lu is newer than the "
						"snapshot's (%lu)", res->gen, want_gen);
				return -1;
			}
		} else if (event_line(text + off, llen, o, snapshot, &why) < 0) {
			snprintf(err, errlen, "line %zu: %s", lineno, why);
			return -1;
		} else {
			res->events++;
		}
		off += llen + (nl != NULL ? 1 : 0);
		res->good_len = off;
	}
	if (lineno == 0 || (lineno == 1 && res->torn)) {
		/* empty, or only a torn header: an empty file of the wanted generation */
		res->gen = want_gen;
	}
	return 0;
}
