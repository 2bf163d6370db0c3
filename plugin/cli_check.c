/* `rolegate check`: validate the configuration, reporting every problem. */
#include <getopt.h>
#include <stdio.h>

#include "rolegate/cli.h"
#include "rolegate/policy.h"

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
	printf("%s: OK (%zu roles, %zu static users%s)\n", config, p->nroles, p->nusers,
			p->ldap.enabled ? ", LDAP" : "");
	printf("policy revision: %s\n", p->revision);
	rg_policy_free(p);
	return 0;
}
