/*
 * The role-level checks (SPEC.md §4): what a role with constraints is
 * refused whatever its allow patterns say, because rolegate cannot see what
 * it does, and the references a service may make only when the same role
 * may read them. Then the role's constraints (constraint.c). See
 * include/rolegate/constraint.h.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rolegate/conscheck.h"
#include "rolegate/constraint.h"
#include "rolegate/decide.h"
#include "rolegate/gojson.h"
#include "rolegate/route.h"

/* The query value dockerd will read ("" when absent). */
static void query_value(const struct rg_request *req, const char *name, char *out, size_t outlen)
{
	if (rg_query_get(req->route.query, name, out, outlen) < 0)
		out[0] = '\0';
}

/* A checkpoint name as dockerd's checkpoint create takes it: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
static bool checkpoint_name(const char *s)
{
#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	size_t n = strlen(s);

	return n >= 2 && strchr(ALNUM, s[0]) != NULL && strspn(s + 1, ALNUM "_.-") == n - 1;
#undef ALNUM
}

/*
 * Whether every '%' in ps_args begins the column %cpu or %mem, a whole item
 * of a column list (after the word's start or a ',', before a ',' or the
 * word's end). procps reads a '%' as an AIX format (its own titles, %c a
 * command with spaces) only when the list fails as a column list and does
 * not begin with "%cpu", "%cpu," or "%m"; such a list begins with one of
 * those or with no '%' (the AIX parser takes none): `-eo
 * pid,%cpu,%mem,args` stays a column list (workflows round 16).
 */
static bool ps_percent_columns(const char *v)
{
	for (const char *p = strchr(v, '%'); p != NULL; p = strchr(p + 1, '%')) {
		if (p != v && p[-1] != ',' && p[-1] != ' ')
			return false;
		if (strncmp(p + 1, "cpu", 3) != 0 && strncmp(p + 1, "mem", 3) != 0)
			return false;
		if (p[4] != '\0' && p[4] != ',' && p[4] != ' ')
			return false;
	}
	return true;
}

/*
 * Whether a docker top's ps_args keep dockerd's PID column the real pid of
 * every row. dockerd runs the host's ps with them and keeps the rows whose
 * field under the title PID is one of the container's pids; many options
 * (f, --sort, -C...) make ps refuse dockerd's -q pid list, and dockerd
 * runs it again without one, over every host process. A renamed or
 * emptied header ("-o uid=,pid"), no header line ('h': a row becomes the
 * titles), an AIX format ('%', but for %cpu and %mem) or a column before pid whose values may
 * hold spaces (args, comm, lstart, a label: 'Z', 'M') moves another value
 * under PID: bob's top of his own container listed alice's processes with
 * their environment (red team round 16).
 */
static bool ps_args_keep_pid(const char *v)
{
	/* procps columns whose values may hold spaces ("start": lstart, bsdstart...) */
	static const char *const spaced[] = { "args", "cmd", "comm", "fname", "exe", "start", "stime",
		"label", "context", "cgroup", "cgname", "lxc", "machine", "unit", "slice", "seat",
		"zone", "_left", "_right", "_unlimited", NULL };
	char word[RG_PATH_MAX];

	if (strpbrk(v, "=hZM") != NULL || !ps_percent_columns(v))
		return false;
	/*
	 * dockerd splits ps_args on ' ': a column list is one word. In each
	 * word, no such column may come before the column pid; a "pid" in
	 * another word ("-C sleep,pid -o args,pid") is no column of this list.
	 */
	for (v += strspn(v, " "); *v != '\0'; v += strspn(v, " ")) {
		size_t n = strcspn(v, " ");
		const char *pid = NULL;

		if (n >= sizeof(word))
			return false;
		for (size_t i = 0; i < n; i++)
			word[i] = (char)tolower((unsigned char)v[i]);
		word[n] = '\0';
		v += n;
		for (const char *p = word; (p = strstr(p, "pid")) != NULL; p += 3) {
			/* the column pid itself ("pid,args", "-opid"), not ppid or tgid */
			if ((p == word || strchr(",o", p[-1]) != NULL) && strchr(",:", p[3]) != NULL) {
				pid = p;
				break;
			}
		}
		for (size_t i = 0; spaced[i] != NULL; i++) {
			const char *s = strstr(word, spaced[i]);

			if (s != NULL && (pid == NULL || s < pid))
				return false;
		}
	}
	return true;
}

const char *const rg_uninspectable_commands[] = {
	"system.session", "system.grpc", "image.load", "plugin.create",
	"swarm.init", "swarm.join", "swarm.update", "swarm.inspect", "swarm.unlockkey", "node.update",
	"image.import", "unknown", NULL,
};

/*
 * What a request does that rolegate cannot see, in words, or NULL: its
 * effect is decided by content rolegate never gets (a BuildKit session, a
 * tar stream, a URL dockerd fetches from the host's network, a host
 * directory CRIU writes to or dockerd deletes).
 */
static const char *uninspectable(struct rg_request *req, char *buf, size_t len)
{
	const char *cmd = req->route.command;
	char v[RG_PATH_MAX], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *why = NULL;
	const json_t *body;

	if (cmd == NULL)
		return NULL;
	/*
	 * Query values are read into RG_PATH_MAX bytes; a longer one (or one
	 * holding a NUL byte) would read as absent while dockerd reads it
	 * whole: build remote= padded past 4 KiB had dockerd fetch a URL from
	 * the host's loopback (red team round 8).
	 */
	if (rg_query_unreadable(req->route.query, RG_PATH_MAX))
		return "send a query value of 4096 bytes or more, or holding a NUL byte (rolegate "
				"would read it as absent)";
	/*
	 * A request rolegate cannot name is one no constraint rule reads, yet
	 * "*" matches it (SPEC.md §4). dockerd routes some: POST
	 * /v1.23/containers/{id}/copy (the copy before archive, served below
	 * API 1.24) mounts the container's binds again in dockerd's namespace,
	 * as docker cp does, and read the host's / through a swapped symlink
	 * (red team round 5).
	 */
	if (strcmp(cmd, "unknown") == 0)
		return "send a request rolegate cannot name (unknown: no constraint reads it)";
	if (strcmp(cmd, "system.session") == 0 || strcmp(cmd, "system.grpc") == 0) {
		snprintf(buf, len, "use %s (BuildKit runs build steps with the daemon's rights and saves "
				"images under any name)", cmd);
		return buf;
	}
	if (strcmp(cmd, "image.load") == 0)
		return "load images from a tar stream (image.load: names and contents unseen)";
	if (strcmp(cmd, "plugin.create") == 0)
		return "create a plugin from a tar stream (plugin.create: its privileges unseen)";
	/*
	 * A swarm manager (init, or join with a manager token) runs service
	 * tasks that swarmkit starts itself, never through the API rolegate
	 * sees; inspect shows the join tokens, update rotates or hands out the
	 * means to them (red team round 3).
	 */
	if (strcmp(cmd, "swarm.init") == 0 || strcmp(cmd, "swarm.join") == 0) {
		snprintf(buf, len, "use %s (a swarm member runs tasks that other managers schedule, "
				"unseen by rolegate)", cmd);
		return buf;
	}
	if (strcmp(cmd, "swarm.update") == 0 || strcmp(cmd, "swarm.inspect") == 0) {
		snprintf(buf, len, "use %s (the swarm's join tokens let another node manage this one, "
				"unseen by rolegate)", cmd);
		return buf;
	}
	/* the unlock key decrypts the managers' raft log; a node update can promote a worker */
	if (strcmp(cmd, "swarm.unlockkey") == 0 || strcmp(cmd, "node.update") == 0) {
		snprintf(buf, len, "use %s (it hands out the swarm's keys or makes a node a manager, "
				"whose tasks rolegate does not see)", cmd);
		return buf;
	}
	if (strcmp(cmd, "image.build") == 0) {
		query_value(req, "version", v, sizeof(v));
		if (v[0] != '\0' && strcmp(v, "1") != 0) {
			snprintf(buf, len, "build with BuildKit (version=%s)", rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		query_value(req, "remote", v, sizeof(v));
		if (v[0] != '\0') {
			snprintf(buf, len, "build from the remote context %s, which dockerd fetches from the "
					"host's network", rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		return NULL;
	}
	if (strcmp(cmd, "image.import") == 0) {
		query_value(req, "fromSrc", v, sizeof(v));
		if (strcmp(v, "-") != 0) {
			snprintf(buf, len, "import from %s, which dockerd fetches from the host's network "
					"(fromSrc other than -)", rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		/*
		 * An import carries a body (the tar) that dockerd does not show
		 * the plugin, and reads its query with ParseForm, which takes the
		 * FIRST Content-Type header while the plugin is shown the LAST:
		 * behind "x-www-form-urlencoded" then "x-tar", the body's repo,
		 * fromSrc (a URL fetched from the host's network) or fromImage (a
		 * pull) replace the query's. No header rolegate sees tells such a
		 * request from a real import (red team round 5: busybox:latest
		 * replaced by a tar from the attacker's container).
		 */
		return "import an image (image.import: dockerd may read its name and source from a "
				"body it does not show rolegate)";
	}
	if (strcmp(cmd, "container.start") == 0) {
		query_value(req, "checkpoint-dir", v, sizeof(v));
		if (v[0] != '\0') {
			snprintf(buf, len, "restore from the host directory %s (checkpoint-dir)",
					rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		/*
		 * dockerd joins ?checkpoint= onto the container's checkpoint
		 * directory (filepath.Join) and checks nothing else: "../../tmp/x"
		 * is the host directory /tmp/x, tarred by dockerd and restored by
		 * CRIU (red team round 16). A checkpoint create takes only
		 * [a-zA-Z0-9][a-zA-Z0-9_.-]+ names: a start may name only such.
		 */
		query_value(req, "checkpoint", v, sizeof(v));
		if (v[0] != '\0' && !checkpoint_name(v)) {
			snprintf(buf, len, "restore from a checkpoint named %s (dockerd joins it onto a "
					"host path; only [a-zA-Z0-9][a-zA-Z0-9_.-]+ names)",
					rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		return NULL;
	}
	if (strcmp(cmd, "container.top") == 0) {
		query_value(req, "ps_args", v, sizeof(v));
		if (!ps_args_keep_pid(v)) {
			snprintf(buf, len, "list processes with ps options %s (they can make dockerd's "
					"PID column show another value, and list other containers' processes; "
					"e.g. docker top CONTAINER aux, or -o pid,user,%%cpu,%%mem,args: pid "
					"before any column with spaces, no =, h, Z or M)",
					rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		return NULL;
	}
	if (strcmp(cmd, "service.update") == 0) {
		/* dockerd then applies the service's previous spec, not the body */
		query_value(req, "rollback", v, sizeof(v));
		if (v[0] != '\0') {
			snprintf(buf, len, "roll a service back to its previous spec (rollback=%s), "
					"which is not in the request", rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		return NULL;
	}
	if (strcmp(cmd, "container.checkpoint") == 0) {
		/* list and delete: ?dir=; create: the body's CheckpointDir */
		query_value(req, "dir", v, sizeof(v));
		if (v[0] != '\0') {
			snprintf(buf, len, "use the host directory %s for checkpoints (dir)",
					rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
		if (strcmp(req->method, "POST") != 0)
			return NULL;
		body = rg_request_body(req, &why);
		if (body == NULL)
			return "create a checkpoint whose body cannot be read";
		v[0] = '\0';
		if (json_is_string(rg_json_get(body, "CheckpointDir")))
			snprintf(v, sizeof(v), "%s", json_string_value(rg_json_get(body, "CheckpointDir")));
		else if (rg_json_get(body, "CheckpointDir") != NULL &&
				!json_is_null(rg_json_get(body, "CheckpointDir")))
			return "create a checkpoint whose CheckpointDir is not a string";
		if (v[0] != '\0') {
			snprintf(buf, len, "write a checkpoint to the host directory %s (CheckpointDir)",
					rg_conscheck_quote(v, q, sizeof(q)));
			return buf;
		}
	}
	return NULL;
}

/* A service's Secrets or Configs (ContainerSpec.<field>) need r to allow
 * <kind>.inspect: secret and config ids leak (system.events), and a
 * service can mount any of them. */
static int service_references(const struct rg_role *r, const json_t *cs, const char *field,
		const char *kind, char *reason, size_t len)
{
	const json_t *v = rg_json_get(cs, field);
	char command[32];

	if (v == NULL || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
		return 0;
	snprintf(command, sizeof(command), "%s.inspect", kind);
	if (rg_role_allows(r, command))
		return 0;
	snprintf(reason, len, "give a service %ss (TaskTemplate.ContainerSpec.%s) without being "
			"allowed %s", kind, field, command);
	return -1;
}

int rg_constraints_check_role(const struct rg_role *r, struct rg_request *req, char *reason,
		size_t reasonlen)
{
	const char *cmd = req->route.command != NULL ? req->route.command : "";
	char what[RG_PATH_MAX + 128];
	const char *why;

	if (rg_constraints_any(&r->constraints) && (why = uninspectable(req, what, sizeof(what))) != NULL) {
		snprintf(reason, reasonlen, "%s, which cannot be checked against role %s's constraints%s",
				why, r->name, strcmp(cmd, "image.build") == 0 || strcmp(cmd, "system.session") == 0 ||
				strcmp(cmd, "system.grpc") == 0 ? "; use the classic builder (DOCKER_BUILDKIT=0)" : "");
		return -1;
	}
	if (strcmp(cmd, "service.create") == 0 || strcmp(cmd, "service.update") == 0) {
		const json_t *body = rg_request_body(req, &why), *cs;

		cs = rg_json_get(rg_json_get(body, "TaskTemplate"), "ContainerSpec");
		if (service_references(r, cs, "Secrets", "secret", reason, reasonlen) < 0 ||
		    service_references(r, cs, "Configs", "config", reason, reasonlen) < 0 ||
		    rg_constraints_check(&r->constraints, req, reason, reasonlen) < 0)
			return -1;
		/* A withheld body (1 MiB or more) is still carried out: its
		 * secrets and configs are unseen (red team round 5). The
		 * constraints' own reason, where they need the body, comes first. */
		if (body == NULL && (!rg_role_allows(r, "secret.inspect") ||
				!rg_role_allows(r, "config.inspect"))) {
			snprintf(reason, reasonlen, "give a service secrets or configs unseen: its body "
					"cannot be checked (%s), and the role is not allowed secret.inspect and "
					"config.inspect", why != NULL ? why : "no body");
			return -1;
		}
		return 0;
	}
	return rg_constraints_check(&r->constraints, req, reason, reasonlen);
}
