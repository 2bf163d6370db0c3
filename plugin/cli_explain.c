/*
 * `rolegate explain`: decides a hypothetical request through the same path
 * as serve (rg_authz_decide) and shows every step of the decision.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/authz.h"
#include "rolegate/cli.h"
#include "rolegate/directory.h"
#include "rolegate/explain.h"
#include "rolegate/log.h"

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
	rg_authz_decide(rt, &ex->req, given, &ex->id, &ex->d);
	return 0;
}

void rg_explanation_clear(struct rg_explanation *ex)
{
	rg_decision_clear(&ex->d);
	rg_identity_clear(&ex->id);
	rg_request_clear(&ex->req);
}

static json_t *strv_json(const struct rg_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static void print_text(const struct rg_explanation *ex)
{
	char groups[1024], roles[1024];
	const struct rg_decision *d = &ex->d;

	printf("user:     %s\n", ex->id.user[0] != '\0' ? ex->id.user : "(none: unauthenticated)");
	printf("request:  %s %s\n", ex->req.method, ex->req.uri);
	printf("command:  %s\n", d->command);
	printf("object:   %s\n", ex->req.route.object[0] != '\0' ? ex->req.route.object : "-");
	printf("groups:   %s (%s)\n", ex->id.groups.n > 0 ? rg_strv_join(&ex->id.groups, ", ", groups,
			sizeof(groups)) : "none", rg_group_source_name(ex->id.source));
	printf("roles:    %s\n", d->roles.n > 0 ? rg_strv_join(&d->roles, ", ", roles, sizeof(roles)) : "none");
	printf("decision: %s\n", d->verdict == RG_ALLOW ? "allow" : "deny");
	if (d->verdict == RG_ALLOW) {
		printf("role:     %s (rule \"%s\")\n", d->role, d->rule);
	} else {
		printf("reason:   %s\n", d->reason);
		printf("message:  %s\n", d->msg);
	}
}

static void print_json(const struct rg_explanation *ex)
{
	const struct rg_decision *d = &ex->d;
	json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s}",
			"user", ex->id.user,
			"groups", strv_json(&ex->id.groups),
			"roles", strv_json(&d->roles),
			"command", d->command,
			"object", ex->req.route.object,
			"method", ex->req.method,
			"uri", ex->req.uri,
			"decision", d->verdict == RG_ALLOW ? "allow" : "deny");
	char *text;

	if (o == NULL)
		return;
	json_object_set_new(o, "groups_source", json_string(rg_group_source_name(ex->id.source)));
	if (d->verdict == RG_ALLOW) {
		json_object_set_new(o, "role", json_string(d->role));
		json_object_set_new(o, "rule", json_string(d->rule));
	} else {
		json_object_set_new(o, "reason", json_string(d->reason));
		json_object_set_new(o, "message", json_string(d->msg));
	}
	text = json_dumps(o, JSON_COMPACT);
	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

int rg_runtime_open(struct rg_runtime *rt, const char *config, bool need_dir)
{
	struct rg_errlist errs = { 0 };
	char err[512];

	memset(rt, 0, sizeof(*rt));
	rt->policy = rg_policy_load(config, &errs);
	if (rt->policy == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i] != NULL ? errs.msg[i] : "out of memory");
		rg_errlist_free(&errs);
		return -1;
	}
	if (need_dir && rt->policy->ldap.enabled) {
		rt->dir = rg_directory_new(&rt->policy->ldap, err, sizeof(err));
		if (rt->dir == NULL) {
			fprintf(stderr, "rolegate: %s\n", err);
			rg_policy_free(rt->policy);
			return -1;
		}
	}
	return 0;
}

void rg_runtime_close(struct rg_runtime *rt)
{
	rg_directory_free(rt->dir);
	rg_policy_free(rt->policy);
	memset(rt, 0, sizeof(*rt));
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate explain [-c FILE] --user NAME [--groups G1,G2] [--json] METHOD URI [BODY-FILE]\n"
		"       rolegate explain [-c FILE] --user NAME [--groups G1,G2] [--json] -- docker ARGS...\n"
		"\n"
		"Decides a hypothetical request exactly as 'rolegate serve' would and prints the\n"
		"command, object, groups, roles, decision, deciding role and rule, or the reason.\n"
		"  --user NAME    the caller (the CN of their TLS certificate); '' = the Unix socket\n"
		"  --groups LIST  use these groups instead of asking identity.users and LDAP\n"
		"  --json         one JSON object with the log record's field names\n"
		"  BODY-FILE      the request body as the docker client sends it ('-' = stdin)\n"
		"Exit 0 when allowed, 1 when denied, 2 on a usage or runtime error.\n");
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "groups", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG, *user = NULL, *groups = NULL;
	bool json = false;
	struct rg_strv given = { 0 };
	struct rg_runtime rt;
	struct rg_explanation ex;
	struct rg_docker_request dr = { 0 };
	unsigned char *body = NULL;
	size_t body_len = 0;
	char err[512];
	int opt, rc = 2;

	while ((opt = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'u': user = optarg; break;
		case 'g': groups = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (user == NULL) {
		fprintf(stderr, "rolegate explain: --user NAME is required\n");
		usage(stderr);
		return 2;
	}
	if (argc - optind >= 1 && strcmp(argv[optind], "docker") == 0) {
		if (rg_docker_translate(argc - optind, argv + optind, &dr, err, sizeof(err)) < 0) {
			fprintf(stderr, "rolegate explain: %s\n", err);
			return 2;
		}
	} else if (argc - optind < 2 || argc - optind > 3) {
		usage(stderr);
		return 2;
	}
	if (groups != NULL && rg_split_groups(groups, &given) < 0)
		return 2;
	if (dr.method == NULL && argc - optind == 3 &&
	    rg_read_body_file(argv[optind + 2], &body, &body_len, err, sizeof(err)) < 0) {
		fprintf(stderr, "rolegate explain: %s\n", err);
		goto out;
	}
	rg_log_collect(true);
	if (rg_runtime_open(&rt, config, groups == NULL) < 0) {
		rc = 1;
		goto out;
	}
	if (dr.method != NULL)
		rc = rg_explain_one(&rt, user, groups != NULL ? &given : NULL, dr.method, dr.uri,
				(const unsigned char *)dr.body, dr.body != NULL ? strlen(dr.body) : 0,
				&ex, err, sizeof(err));
	else
		rc = rg_explain_one(&rt, user, groups != NULL ? &given : NULL, argv[optind], argv[optind + 1],
				body, body_len, &ex, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "rolegate explain: %s\n", err);
		rc = 2;
	} else if (ex.id.source == RG_GROUPS_UNAVAILABLE && ex.id.error != NULL) {
		/* The directory could not be asked: a runtime error (SPEC.md §2), not a deny. */
		const char *why = rg_log_collected();

		fprintf(stderr, "rolegate explain: %s%s%s\n", ex.id.error, why[0] != '\0' ? ": " : "", why);
		rg_explanation_clear(&ex);
		rc = 2;
	} else {
		if (json)
			print_json(&ex);
		else
			print_text(&ex);
		rc = ex.d.verdict == RG_ALLOW ? 0 : 1;
		rg_explanation_clear(&ex);
	}
	rg_runtime_close(&rt);
out:
	rg_docker_request_clear(&dr);
	free(body);
	rg_strv_free(&given);
	return rc;
}
