/*
 * Templates in a swarm service's task. See include/rolegate/consswarmtpl.h.
 */
#include <stdbool.h>
#include <string.h>

#include "rolegate/consswarmtpl.h"
#include "rolegate/gojson.h"

#define FIELD "TaskTemplate.ContainerSpec."

/* Whether "{{ .A.B }}" (spaces optional; letters, digits, '_') starts at
 * s; *len = its length. A field prints a value swarmkit knows, never runs
 * a function (printf, with variables, builds strings of any size). */
static bool field_action(const char *s, size_t *len)
{
	const char *p = s + 2;
	bool any = false;

	while (*p == ' ')
		p++;
	while (*p == '.') {
		size_t n = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

		if (n == 0)
			return false;
		p += 1 + n;
		any = true;
	}
	while (*p == ' ')
		p++;
	if (!any || strncmp(p, "}}", 2) != 0)
		return false;
	*len = (size_t)(p + 2 - s);
	return true;
}

/* Whether text is plain, or (fields_ok) holds only field actions. */
static bool plain(const char *text, bool fields_ok)
{
	size_t len;

	while ((text = strstr(text, "{{")) != NULL) {
		if (!fields_ok || !field_action(text, &len))
			return false;
		text += len;
	}
	return true;
}

static int judge(struct rg_conscheck *k, const json_t *v, const char *field, bool fields_ok)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];

	if (!json_is_string(v) || plain(json_string_value(v), fields_ok))
		return 0;
	return rg_conscheck_deny(k, "%s whose %s holds the template %s: swarmkit expands it on the "
			"node, unseen (only fields such as {{.Task.Slot}}, in Hostname, Env, mount "
			"sources and volume label values)", k->what, field,
			rg_conscheck_quote(json_string_value(v), q, sizeof(q)));
}

/* A map of strings: names never templated, values as fields_ok says. */
static int judge_map(struct rg_conscheck *k, const json_t *map, const char *field, bool fields_ok)
{
	const char *key;
	json_t *v;

	if (!json_is_object(map))
		return 0;
	json_object_foreach((json_t *)map, key, v) {
		json_t *name = json_string(key);
		int rc = name != NULL ? judge(k, name, field, false) :
			rg_conscheck_deny(k, "%s: out of memory", k->what);

		json_decref(name);
		if (rc < 0 || judge(k, v, field, fields_ok) < 0)
			return -1;
	}
	return 0;
}

int rg_consswarmtpl_container_spec(struct rg_conscheck *k, const json_t *cs)
{
	const json_t *env, *mounts, *m, *vo;
	size_t i;

	if (!json_is_object(cs))
		return 0;
	if (judge(k, rg_json_get(cs, "Hostname"), FIELD "Hostname", true) < 0)
		return -1;
	env = rg_json_get(cs, "Env");
	if (json_is_array(env)) {
		json_array_foreach(env, i, m) {
			if (judge(k, m, FIELD "Env", true) < 0)
				return -1;
		}
	}
	mounts = rg_json_get(cs, "Mounts");
	if (!json_is_array(mounts))
		return 0;
	json_array_foreach(mounts, i, m) {
		if (!json_is_object(m))
			continue;
		vo = rg_json_get(m, "VolumeOptions");
		if (judge(k, rg_json_get(m, "Source"), FIELD "Mounts[].Source", true) < 0 ||
		    judge(k, rg_json_get(m, "Target"), FIELD "Mounts[].Target", false) < 0 ||
		    judge_map(k, rg_json_get(vo, "Labels"), FIELD "Mounts[].VolumeOptions.Labels",
				true) < 0 ||
		    judge_map(k, rg_json_get(rg_json_get(vo, "DriverConfig"), "Options"),
				FIELD "Mounts[].VolumeOptions.DriverConfig.Options", false) < 0)
			return -1;
	}
	return 0;
}
