/* `rolegate check`: validate the configuration, reporting every problem. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rolegate/approvedfile.h"
#include "rolegate/cli.h"
#include "rolegate/constraint.h"
#include "rolegate/decide.h"
#include "rolegate/policy.h"
#include "rolegate/config.h"
#include "rolegate/policyfile.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate check [-c FILE] [--offline]\n\n"
		"Validates the configuration (default %s) exactly as 'rolegate serve'\n"
		"does at start and on reload. Every problem is printed as FILE:LINE: message.\n"
		"  --offline  do not read the secret and key files named nor look up\n"
		"             plugin.socket_group (for a CI pipeline that has the\n"
		"             configuration but not this host's files);\n"
		"             approved_images files are read as serve reads them (a\n"
		"             malformed one is a warning), and not read with --offline\n"
		"Exit 0 when valid, 1 when not, 2 when a file could not be read.\n", RG_DEFAULT_CONFIG);
}

/*
 * Reads every approved_images file of p as serve would; a problem is
 * printed as CONFIG:LINE (the line naming the file): message, as every
 * problem check reports (SPEC.md §2). Returns 0 (a
 * malformed file is only a warning: serve refuses every image until it
 * parses), 1 when a file has the wrong type, owner or mode, 2 when one
 * cannot be read.
 */
static int check_approved_files(const struct rg_policy *p)
{
	struct rg_strv seen = { 0 };
	int rc = 0;

	for (size_t i = 0; i < p->nroles; i++) {
		const char *path = p->roles[i].constraints.approved_images;
		struct rg_errlist errs = { 0 };
		struct rg_approved *a = NULL;
		char err[512];

		if (path == NULL || rg_strv_has(&seen, path))
			continue;
		rg_strv_push(&seen, path);
		switch (rg_approvedfile_read(path, &a, &errs, err, sizeof(err))) {
		case RG_APPROVEDFILE_OK:
			printf("%s: %zu approved digests (approved_images of role %s)\n", path, a->n,
					p->roles[i].name);
			break;
		case RG_APPROVEDFILE_MALFORMED:
			for (size_t j = 0; j < errs.n; j++)
				fprintf(stderr, "%s (warning: serve refuses every image to role %s until the "
						"file parses)\n", RG_ERRLIST_LINE(&errs, j),
						p->roles[i].name);
			break;
		case RG_APPROVEDFILE_UNSAFE:
			fprintf(stderr, "%s:%d: %s (approved_images of role %s)\n", p->path,
					p->roles[i].constraints.approved_images_line, err, p->roles[i].name);
			if (rc == 0)
				rc = 1;
			break;
		case RG_APPROVEDFILE_UNREADABLE:
			fprintf(stderr, "%s:%d: %s (approved_images of role %s)\n", p->path,
					p->roles[i].constraints.approved_images_line, err, p->roles[i].name);
			rc = 2;
			break;
		}
		rg_approved_free(a);
		rg_errlist_free(&errs);
	}
	rg_strv_free(&seen);
	return rc;
}

/*
 * Warns about a constrained role whose patterns allow commands it is
 * refused anyway (SPEC.md §4, what cannot be inspected): the admin should
 * know that system.* or * does not give it BuildKit. Returns the count.
 */
static int warn_uninspectable(const struct rg_policy *p)
{
	int n = 0;

	for (size_t i = 0; i < p->nroles; i++) {
		const struct rg_role *r = &p->roles[i];

		if (!rg_constraints_any(&r->constraints))
			continue;
		for (size_t j = 0; rg_uninspectable_commands[j] != NULL; j++) {
			if (!rg_role_allows(r, rg_uninspectable_commands[j]))
				continue;
			fprintf(stderr, "%s:%d: warning: role '%s' allows %s, which is refused to it: it has "
					"constraints, and what %s does cannot be checked against them%s\n", p->path,
					r->line, r->name, rg_uninspectable_commands[j], rg_uninspectable_commands[j],
					strncmp(rg_uninspectable_commands[j], "system.", 7) == 0 ?
					" (build with the classic builder, DOCKER_BUILDKIT=0, or through a role "
					"without constraints)" : "");
			n++;
		}
	}
	return n;
}

/*
 * SPEC.md §2: the docker client negotiates its API version with _ping; a
 * role without system.ping leaves its members' clients on their own default
 * version (which an older dockerd refuses), and `explain -- docker` shows it.
 */
static void warn_without_ping(const char *config, const struct rg_policy *p)
{
	for (size_t i = 0; i < p->nroles; i++) {
		const struct rg_role *r = &p->roles[i];

		if (r->allow.n > 0 && rg_role_allows(r, "system.ping") == NULL)
			fprintf(stderr, "%s:%d: warning: role %s does not allow system.ping: the docker client "
					"cannot negotiate an API version without it\n", config, r->line, r->name);
	}
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "offline", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG;
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;
	unsigned flags = 0;
	bool runtime_error;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'o':
			flags |= RG_CONFIG_OFFLINE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	p = rg_config_load(config, flags, &errs, &runtime_error);
	if (p == NULL) {
		rg_cli_print_errors(config, &errs);
		rc = runtime_error ? 2 : 1;
		/*
		 * All problems, not just the first (SPEC.md §2): when the file
		 * parses and only a host file failed (a secret, the key), the
		 * approved-images files are read too.
		 */
		if (!(flags & RG_CONFIG_OFFLINE) && (p = rg_policy_load(config, &errs, NULL)) != NULL) {
			if (check_approved_files(p) == 2)
				rc = 2;
			rg_policy_free(p);
		}
		rg_errlist_free(&errs);
		return rc;
	}
	warn_uninspectable(p);
	warn_without_ping(config, p);
	rc = (flags & RG_CONFIG_OFFLINE) ? 0 : check_approved_files(p);
	if (rc == 0)
		printf("%s: OK (%zu roles, %zu static users%s)\n", config, p->nroles, p->nusers,
				p->ldap.enabled ? ", LDAP" : "");
	if (rc == 0)
		printf("policy revision: %s\n", p->revision);
	rg_policy_free(p);
	return rc;
}
