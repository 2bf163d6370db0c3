/*
 * `rolegate explain`: decides a hypothetical request through the same path
 * as serve (rg_authz_decide) and shows every step of the decision.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/approvedfile.h"
#include "rolegate/authz.h"
#include "rolegate/cli.h"
#include "rolegate/directory.h"
#include "rolegate/explain.h"
#include "rolegate/state.h"
#include "rolegate/route.h"
#include "rolegate/standin.h"
#include "rolegate/log.h"
#include "rolegate/runs.h"

#define RG_BODY_FILE_MAX (64 * 1024 * 1024)

int rg_read_body_file(const char *path, unsigned char **out, size_t *len, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*len = 0;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			unsigned char *nb;

			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > RG_BODY_FILE_MAX || (nb = realloc(buf, cap)) == NULL) {
				snprintf(err, errlen, "%s: too large", path);
				free(buf);
				if (f != stdin)
					fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

int rg_split_groups(const char *list, struct rg_strv *out)
{
	char *copy = strdup(list), *save = NULL;

	if (copy == NULL)
		return -1;
	for (char *g = strtok_r(copy, ",", &save); g != NULL; g = strtok_r(NULL, ",", &save)) {
		if (g[0] != '\0' && rg_strv_push_unique(out, g) < 0) {
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

int rg_explain_one(const struct rg_runtime *rt, const char *user, const struct rg_strv *given,
		const char *method, const char *uri, const unsigned char *body, size_t body_len,
		struct rg_explanation *ex, char *err, size_t errlen)
{
	const char *errstr = NULL;

	memset(ex, 0, sizeof(*ex));
	/* A named user arrives with a TLS identity; "" is the Unix socket. */
	if (rg_request_init(&ex->req, user, user[0] != '\0' ? "TLS" : "", method, uri, body, body_len,
			rt->policy->plugin.max_body, &errstr) < 0) {
		snprintf(err, errlen, "%s", errstr);
		return -1;
	}
	/* explain brackets no directory waiter: a lookup is made here, never left pending */
	if (rg_authz_decide(rt, &ex->req, given, &ex->r) < 0) {
		snprintf(err, errlen, "the directory lookup did not finish");
		rg_request_clear(&ex->req);
		return -1;
	}
	return 0;
}

/* splitmix64: simulated ids that look like dockerd's (64 hex) and never repeat in a run. */
static void simulated_id(char out[65])
{
	static unsigned long long counter;

	for (int i = 0; i < 4; i++) {
		unsigned long long z = (++counter) * 0x9e3779b97f4a7c15ULL;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		snprintf(out + 16 * i, 17, "%016llx", z);
	}
}

int rg_explain_observe(const struct rg_runtime *rt, struct rg_explanation *ex, int status,
		json_t *answer)
{
	struct rg_request *req = &ex->req;
	enum rg_phase phase = req->phase;
	int was = req->status, r;

	if (rt->state == NULL || ex->r.d.verdict != RG_ALLOW || status < 200 || status > 299)
		return 0;
	req->phase = RG_PHASE_RESPONSE;
	req->status = status;
	req->response_json = answer;
	r = rg_state_observe(rt->state, req, ex->r.id.user, ex->r.d.role);
	req->response_json = NULL;
	req->phase = phase;
	req->status = was;
	return r;
}

int rg_explain_simulate(const struct rg_runtime *rt, struct rg_explanation *ex)
{
	const char *command = ex->r.d.command;
	const json_t *body, *name;
	json_t *answer = NULL;
	const char *why;
	char id[65];
	int status, r;

	if (ex->r.d.verdict != RG_ALLOW)
		return 0;
	simulated_id(id);
	if (strcmp(command, "volume.create") == 0) {
		body = rg_request_body(&ex->req, &why);
		name = json_object_get(body, "Name");
		status = 201;
		answer = json_pack("{s:s}", "Name",
				json_is_string(name) && json_string_value(name)[0] != '\0' ? json_string_value(name) : id);
	} else if (strcmp(command, "container.create") == 0 || strcmp(command, "exec.create") == 0 ||
			strcmp(command, "network.create") == 0) {
		status = 201;
		answer = json_pack("{s:s}", "Id", id);
	} else if (strcmp(command, "service.create") == 0 || strcmp(command, "secret.create") == 0 ||
			strcmp(command, "config.create") == 0) {
		/* swarm objects: "ID", 25 characters as swarmkit makes them */
		id[25] = '\0';
		status = 201;
		answer = json_pack("{s:s}", "ID", id);
	} else {
		/* rename, remove: dockerd answers 204; a prune lists nothing here */
		status = 204;
	}
	r = rg_explain_observe(rt, ex, status, answer);
	json_decref(answer);
	return r;
}

int rg_runtime_use_state(struct rg_runtime *rt, const char *dir)
{
	struct rg_owners *o;
	struct rg_state *s;
	char err[1024], note[512];

	o = rg_state_read_dir(dir, err, sizeof(err), note, sizeof(note));
	if (o == NULL) {
		fprintf(stderr, "rolegate: %s\n", err);
		return -1;
	}
	if (note[0] != '\0')
		fprintf(stderr, "rolegate: %s\n", note);
	s = rg_state_memory(o);
	rg_owners_free(o);
	if (s == NULL) {
		fprintf(stderr, "rolegate: out of memory\n");
		return -1;
	}
	rg_state_close(rt->state);
	rt->state = s;
	return 0;
}

void rg_explanation_clear(struct rg_explanation *ex)
{
	rg_result_clear(&ex->r);
	rg_request_clear(&ex->req);
}

static json_t *strv_json(const struct rg_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

void rg_explanation_print(const struct rg_explanation *ex, FILE *f)
{
	char groups[1024], roles[1024];
	const struct rg_decision *d = &ex->r.d;

	fprintf(f, "user:     %s\n", ex->r.id.user[0] != '\0' ? ex->r.id.user : "(none: unauthenticated)");
	fprintf(f, "request:  %s %s\n", ex->req.method, ex->req.uri);
	fprintf(f, "command:  %s\n", d->command);
	fprintf(f, "object:   %s\n", ex->req.route.object[0] != '\0' ? ex->req.route.object : "-");
	fprintf(f, "groups:   %s (%s)\n", ex->r.id.groups.n > 0 ? rg_strv_join(&ex->r.id.groups, ", ", groups,
			sizeof(groups)) : "none", rg_group_source_name(ex->r.id.source));
	fprintf(f, "roles:    %s\n", d->roles.n > 0 ? rg_strv_join(&d->roles, ", ", roles, sizeof(roles)) : "none");
	fprintf(f, "decision: %s\n", d->verdict == RG_ALLOW ? "allow" : "deny");
	if (d->verdict == RG_ALLOW) {
		fprintf(f, "role:     %s (rule \"%s\")\n", d->role, d->rule);
	} else {
		fprintf(f, "reason:   %s\n", d->reason);
		fprintf(f, "message:  %s\n", d->msg);
	}
}

json_t *rg_explanation_json(const struct rg_explanation *ex)
{
	const struct rg_decision *d = &ex->r.d;
	json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:b}",
			"user", ex->r.id.user,
			"groups", strv_json(&ex->r.id.groups),
			"roles", strv_json(&d->roles),
			"command", d->command,
			"object", ex->req.route.object,
			"method", ex->req.method,
			"uri", ex->req.uri,
			"decision", d->verdict == RG_ALLOW ? "allow" : "deny",
			"mutating", rg_command_mutating(d->command));

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "groups_source", json_string(rg_group_source_name(ex->r.id.source)));
	if (d->verdict == RG_ALLOW) {
		json_object_set_new(o, "role", json_string(d->role));
		json_object_set_new(o, "rule", json_string(d->rule));
	} else {
		json_object_set_new(o, "reason", json_string(d->reason));
		json_object_set_new(o, "message", json_string(d->msg));
	}
	return o;
}

/* Prints o as one line; takes o. */
static void print_json(json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	if (text != NULL)
		printf("%s\n", text);
	else
		fprintf(stderr, "rolegate explain: out of memory\n");
	free(text);
	json_decref(o);
}

struct rg_runtime *rg_runtime_open(const char *config, bool need_dir, int *status)
{
	struct rg_runtime *rt = calloc(1, sizeof(*rt));
	char err[512];

	if (rt == NULL) {
		fprintf(stderr, "rolegate: out of memory\n");
		return NULL;
	}
	*status = 2;   /* the runtime errors below */
	rt->policy = rg_cli_policy_load(config, status);
	if (rt->policy == NULL) {
		free(rt);
		return NULL;
	}
	if (need_dir && rt->policy->ldap.enabled) {
		rt->dir = rg_directory_new(&rt->policy->ldap, err, sizeof(err));
		if (rt->dir == NULL) {
			fprintf(stderr, "rolegate: %s\n", err);
			rg_runtime_close(rt);
			return NULL;
		}
	}
	/* approved_images files are read as serve reads them (on first use). */
	rt->approved = rg_approvedfile_new(false);
	/* Ownership is simulated from an empty state (--state: a copy of a real one). */
	rt->state = rg_state_memory(NULL);
	/* Running containers are asked of this host's kernel, as serve does (runs.h). */
	rt->runs = rg_runs_new("/proc", false);
	if (rt->state == NULL || rt->runs == NULL) {
		fprintf(stderr, "rolegate: out of memory\n");
		rg_runtime_close(rt);
		return NULL;
	}
	return rt;
}

void rg_runtime_close(struct rg_runtime *rt)
{
	if (rt == NULL)
		return;
	rg_approvedfile_free(rt->approved);
	rg_state_close(rt->state);
	rg_runs_free(rt->runs);
	rg_directory_free(rt->dir);
	rg_policy_free(rt->policy);
	free(rt);
}

const struct rg_policy *rg_runtime_policy(const struct rg_runtime *rt)
{
	return rt->policy;
}

void rg_explain_identity(const struct rg_runtime *rt, const char *user, const struct rg_strv *given,
		struct rg_identity *id)
{
	rg_authz_identity(rt, user, "TLS", given, id);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate explain [-c FILE] --user NAME [--groups G1,G2] [--json] [--state DIR]\n"
		"                        METHOD URI [BODY-FILE]\n"
		"       rolegate explain [-c FILE] --user NAME [--groups G1,G2] [--json] [--api-version V]\n"
		"                        [--state DIR] -- docker ARGS...\n"
		"       rolegate explain ... -- docker-compose ARGS...\n"
		"\n"
		"Decides a hypothetical request exactly as 'rolegate serve' would and prints the\n"
		"command, object, groups, roles, decision, deciding role and rule, or the reason.\n"
		"A docker (or docker-compose) command line is run by the installed client against\n"
		"a stand-in daemon on a private socket; each request it sends is decided in order.\n"
		"  --user NAME        the caller (the CN of their TLS certificate); '' = the Unix socket\n"
		"  --groups LIST      use these groups instead of asking identity.users and LDAP\n"
		"  --json             one JSON object with the log record's field names (and, for a\n"
		"                     command line, 'requests': every request in order)\n"
		"  --api-version V    the API version the stand-in advertises (default " RG_STANDIN_API_VERSION ")\n"
		"  --state DIR        start the simulated ownership state from a copy of DIR\n"
		"  BODY-FILE          the request body as the docker client sends it ('-' = stdin)\n"
		"Exit 0 when allowed, 1 when denied, 2 on a usage or runtime error (a docker\n"
		"command the client itself rejects, no client on PATH, ARGS that choose a daemon).\n");
}

/* Prints the requests of a command line in order, then the answer (when there is one). */
static void print_calls_text(const struct rg_standin_result *res, bool answer)
{
	const struct rg_standin_call *dec = rg_standin_deciding(res);

	for (size_t i = 0; i < res->n; i++) {
		const struct rg_standin_call *c = &res->calls[i];

		printf("%s== request %zu of %zu%s\n", i > 0 ? "\n" : "", i + 1, res->n,
				c->ping ? " (version negotiation: not part of the verdict)" : "");
		rg_explanation_print(&c->ex, stdout);
	}
	if (dec == NULL || !answer)
		return;
	printf("\nanswer:   %s (request %zu of %zu: %s)\n", rg_standin_denied(res) ? "deny" : "allow",
			(size_t)(dec - res->calls) + 1, res->n, dec->ex.r.d.command);
	if (dec->ex.r.d.verdict != RG_ALLOW) {
		printf("reason:   %s\n", dec->ex.r.d.reason);
		printf("message:  %s\n", dec->ex.r.d.msg);
	}
}

static void print_calls_json(const struct rg_standin_result *res)
{
	const struct rg_standin_call *dec = rg_standin_deciding(res);
	json_t *o = dec != NULL ? rg_explanation_json(&dec->ex) : json_object();
	json_t *all = json_array();

	for (size_t i = 0; o != NULL && all != NULL && i < res->n; i++) {
		json_t *one = rg_explanation_json(&res->calls[i].ex);

		if (one != NULL && res->calls[i].ping)
			json_object_set_new(one, "ping", json_true());
		json_array_append_new(all, one);
	}
	if (o != NULL) {
		json_object_set_new(o, "decision", json_string(rg_standin_denied(res) ? "deny" : "allow"));
		json_object_set_new(o, "requests", all);
	} else {
		json_decref(all);
	}
	print_json(o);
}

/*
 * `explain -- docker ARGS...`: the client runs against the stand-in. Exit 1
 * when a request was denied, 2 when the client failed otherwise.
 */
static int explain_command_line(const struct rg_standin_opts *so, int argc, char **argv, bool json)
{
	struct rg_standin_result res;
	char err[2048];
	int rc;

	if (rg_standin_run(so, argc, argv, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "rolegate explain: %s\n", err);
		return 2;
	}
	if (res.truncated)
		fprintf(stderr, "rolegate explain: the client sent more than %d requests; the rest were refused\n",
				RG_STANDIN_MAX_CALLS);
	if (rg_standin_denied(&res)) {
		rc = 1;
	} else if (res.client_status != 0 || res.n == 0) {
		rg_standin_client_error(&res, err, sizeof(err));
		fprintf(stderr, "rolegate explain: %s failed%s: %s\n", argv[0],
				res.timed_out ? "" : " (nothing was denied)", err);
		rc = 2;
	} else {
		rc = 0;
	}
	/* A failed client's requests are still shown as text (what it asked before failing). */
	if (json && rc != 2)
		print_calls_json(&res);
	else if (!json)
		print_calls_text(&res, rc != 2);
	rg_standin_result_clear(&res);
	return rc;
}

/* A docker command line starts with the client's name. */
static bool is_client(const char *arg)
{
	return strcmp(arg, "docker") == 0 || strcmp(arg, "docker-compose") == 0;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "groups", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "api-version", required_argument, NULL, 'a' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG, *user = NULL, *groups = NULL, *api = NULL, *state = NULL;
	bool json = false, command_line;
	struct rg_strv given = { 0 };
	struct rg_runtime *rt;
	struct rg_explanation ex;
	unsigned char *body = NULL;
	size_t body_len = 0;
	char err[512];
	int opt, rc = 2;

	/*
	 * Pass one stops at the first operand ("+"): the flags of a docker
	 * command line are docker's (explain --user u docker run -it ...). Any
	 * other request takes its options anywhere, as every other command does
	 * (explain --user u GET /info --json): pass two reads them all again
	 * (optind = 0 restarts glibc's getopt), permuting.
	 */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (optind >= argc || is_client(argv[optind]))
				break;
			optind = 0;
		}
		while ((opt = getopt_long(argc, argv, pass == 0 ? "+c:h" : "c:h", opts, NULL)) != -1) {
			switch (opt) {
			case 'c': config = optarg; break;
			case 'u': user = optarg; break;
			case 'g': groups = optarg; break;
			case 'j': json = true; break;
			case 'a': api = optarg; break;
			case 's': state = optarg; break;
			case 'h': usage(stdout); return 0;
			default: usage(stderr); return 2;
			}
		}
	}
	if (user == NULL) {
		fprintf(stderr, "rolegate explain: --user NAME is required\n");
		usage(stderr);
		return 2;
	}
	command_line = argc - optind >= 1 && is_client(argv[optind]);
	if (command_line) {
		if (rg_standin_check_args(argc - optind, argv + optind, err, sizeof(err)) < 0) {
			fprintf(stderr, "rolegate explain: %s\n", err);
			return 2;
		}
	} else if (argc - optind < 2 || argc - optind > 3) {
		usage(stderr);
		return 2;
	} else if (api != NULL) {
		fprintf(stderr, "rolegate explain: --api-version applies to a docker command line\n");
		return 2;
	}
	if (api != NULL && strspn(api, "0123456789.") != strlen(api)) {
		fprintf(stderr, "rolegate explain: --api-version %s: expected a version such as 1.41\n", api);
		return 2;
	}
	if (groups != NULL && rg_split_groups(groups, &given) < 0)
		return 2;
	if (!command_line && argc - optind == 3 &&
	    rg_read_body_file(argv[optind + 2], &body, &body_len, err, sizeof(err)) < 0) {
		fprintf(stderr, "rolegate explain: %s\n", err);
		goto out;
	}
	rg_log_collect(true);
	if ((rt = rg_runtime_open(config, groups == NULL, &rc)) == NULL)
		goto out;
	if (state != NULL && rg_runtime_use_state(rt, state) < 0) {
		rg_runtime_close(rt);
		rc = 2;
		goto out;
	}
	if (command_line) {
		struct rg_standin_opts so = {
			.rt = rt,
			.user = user,
			.given = groups != NULL ? &given : NULL,
			.api_version = api,
			.state_dir = state,
		};

		rc = explain_command_line(&so, argc - optind, argv + optind, json);
	} else if (rg_explain_one(rt, user, groups != NULL ? &given : NULL, argv[optind], argv[optind + 1],
			body, body_len, &ex, err, sizeof(err)) < 0) {
		fprintf(stderr, "rolegate explain: %s\n", err);
		rc = 2;
	} else if (ex.r.id.source == RG_GROUPS_UNAVAILABLE && ex.r.id.error != NULL) {
		/* The directory could not be asked: a runtime error (SPEC.md §2), not a deny. */
		const char *why = rg_log_collected();

		fprintf(stderr, "rolegate explain: %s%s%s\n", ex.r.id.error, why[0] != '\0' ? ": " : "", why);
		rg_explanation_clear(&ex);
		rc = 2;
	} else {
		if (json)
			print_json(rg_explanation_json(&ex));
		else
			rg_explanation_print(&ex, stdout);
		rc = ex.r.d.verdict == RG_ALLOW ? 0 : 1;
		rg_explanation_clear(&ex);
	}
	rg_runtime_close(rt);
out:
	free(body);
	rg_strv_free(&given);
	return rc;
}
