/* `rolegate check`: validate the configuration, reporting every problem. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rolegate/cli.h"
#include "rolegate/constraint.h"
#include "rolegate/policy.h"

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

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG;
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			printf("usage: rolegate check [-c FILE]\n\n"
				"Validates the configuration (default %s). Every problem is printed\n"
				"as FILE:LINE: message. Exit 0 when valid, 1 when not.\n", RG_DEFAULT_CONFIG);
			return 0;
		default:
			fprintf(stderr, "usage: rolegate check [-c FILE]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: rolegate check [-c FILE]\n");
		return 2;
	}
	p = rg_policy_load(config, &errs);
	if (p == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i] != NULL ? errs.msg[i] : "out of memory");
		if (errs.lost > 0)
			fprintf(stderr, "%s: out of memory (%zu more problems)\n", config, errs.lost);
		rg_errlist_free(&errs);
		return 1;
	}
	warn_uninspectable(p);
	printf("%s: OK (%zu roles, %zu static users%s)\n", config, p->nroles, p->nusers,
			p->ldap.enabled ? ", LDAP" : "");
	rg_policy_free(p);
	return 0;
}
