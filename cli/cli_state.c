/*
 * `rolegate state`: the objects rolegate tracks (SPEC.md §4, ownership),
 * read from plugin.state as serve left it, without locking or changing it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include <jansson.h>

#include "rolegate/cli.h"
#include "rolegate/policy.h"
#include "rolegate/state.h"

static const char usage_text[] = "usage: rolegate state [-c FILE] [--json]\n";

static void rfc3339(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "%lld", t);
}

/* What an object mounts from the host: bind paths resolved; a volume's device and o= paths. */
static void host_paths(const struct rg_object *obj, struct rg_strv *out)
{
	for (size_t i = 0; i < obj->host_paths.n; i++)
		rg_strv_push_unique(out, obj->host_paths.v[i]);
	for (size_t i = 0; i < obj->opts.n; i++) {
		const char *o = obj->opts.v[i];

		if (strncmp(o, "device=", 7) == 0 && o[7] != '\0') {
			rg_strv_push_unique(out, o + 7);
		} else if (strncmp(o, "o=", 2) == 0) {
			/* overlay's lowerdir=/a:/b,upperdir=/c... */
			char *copy = strdup(o + 2), *save = NULL;

			for (char *p = copy != NULL ? strtok_r(copy, ",:", &save) : NULL; p != NULL;
					p = strtok_r(NULL, ",:", &save)) {
				char *eq = strchr(p, '=');

				if (eq != NULL && eq[1] == '/')
					rg_strv_push_unique(out, eq + 1);
				else if (p[0] == '/')
					rg_strv_push_unique(out, p);
			}
			free(copy);
		}
	}
}

static json_t *strv_json(const struct rg_strv *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

struct listing {
	const struct rg_object **v;
	size_t n;
};

static void collect(const struct rg_object *obj, void *arg)
{
	struct listing *l = arg;

	l->v[l->n++] = obj;
}

/* Kind, then creation time, then id: a stable listing. */
static int by_kind_time(const void *a, const void *b)
{
	const struct rg_object *x = *(const struct rg_object *const *)a;
	const struct rg_object *y = *(const struct rg_object *const *)b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void print_one(const struct rg_object *obj, bool as_json)
{
	struct rg_strv paths = { 0 };
	char created[32], used[32], joined[1024];

	host_paths(obj, &paths);
	rfc3339(obj->created, created, sizeof(created));
	rfc3339(obj->used, used, sizeof(used));
	if (as_json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
				"kind", rg_obj_kind_name(obj->kind), "id", obj->id, "name", obj->name,
				"owner", obj->user, "role", obj->role, "created", created, "used", used,
				"host_paths", strv_json(&paths), "volumes", strv_json(&obj->volumes));
		char *text;

		if (j != NULL && obj->kind == RG_OBJ_EXEC)
			json_object_set_new(j, "container", json_string(obj->container));
		text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
		if (text != NULL)
			printf("%s\n", text);
		free(text);
		json_decref(j);
	} else {
		const char *name = obj->kind == RG_OBJ_EXEC ? obj->container : obj->name;

		rg_strv_join(&paths, ",", joined, sizeof(joined));
		printf("%-9s  %-12.12s  %-20s  %-12s  %-12s  %-20s  %s\n", rg_obj_kind_name(obj->kind),
				obj->id, name[0] != '\0' ? name : "-", obj->user, obj->role[0] != '\0' ? obj->role : "-",
				created, paths.n > 0 ? joined : "-");
	}
	rg_strv_free(&paths);
}

int cmd_state(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG;
	struct rg_policy *p;
	struct rg_owners *o;
	struct listing l = { 0 };
	bool as_json = false;
	struct stat st;
	int rc;
	char err[1024], note[512];
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'j': as_json = true; break;
		case 'h':
			printf("%s\nLists the objects rolegate tracks for ownership (plugin.state): kind,\n"
				"id, name (an exec: its container), owner, role, created, host paths.\n", usage_text);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	p = rg_cli_policy_load(config, &rc);
	if (p == NULL)
		return rc;
	/* No directory yet: serve has not run with this plugin.state, so it
	 * tracks nothing. An empty list, not an error, and said on stderr. */
	if (stat(p->plugin.state, &st) < 0 && errno == ENOENT) {
		fprintf(stderr, "rolegate: %s does not exist yet (serve has not run with it): nothing "
				"is tracked\n", p->plugin.state);
		note[0] = '\0';
		o = rg_owners_new(0);
		if (o == NULL)
			snprintf(err, sizeof(err), "out of memory");
	} else {
		o = rg_state_read_dir(p->plugin.state, err, sizeof(err), note, sizeof(note));
	}
	rg_policy_free(p);
	if (o == NULL) {
		fprintf(stderr, "rolegate: %s\n", err);
		return 2;
	}
	if (note[0] != '\0')
		fprintf(stderr, "rolegate: %s\n", note);
	l.v = calloc(rg_owners_count(o) + 1, sizeof(*l.v));
	if (l.v == NULL) {
		fprintf(stderr, "rolegate: out of memory\n");
		rg_owners_free(o);
		return 2;
	}
	rg_owners_foreach(o, collect, &l);
	qsort(l.v, l.n, sizeof(*l.v), by_kind_time);
	if (!as_json)
		printf("%-9s  %-12s  %-20s  %-12s  %-12s  %-20s  %s\n", "KIND", "ID", "NAME", "OWNER", "ROLE",
				"CREATED", "HOST PATHS");
	for (size_t i = 0; i < l.n; i++)
		print_one(l.v[i], as_json);
	free(l.v);
	rg_owners_free(o);
	return 0;
}
