/* `rolegate check`: validate the configuration, reporting every problem. */
#include <getopt.h>
#include <stdio.h>

#include "rolegate/cli.h"
#include "rolegate/config.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate check [-c FILE] [--offline]\n\n"
		"Validates the configuration (default %s) exactly as 'rolegate serve'\n"
		"does at start and on reload. Every problem is printed as FILE:LINE: message.\n"
		"  --offline  do not read the secret and key files named (for a CI pipeline\n"
		"             that has the configuration but not this host's files)\n"
		"Exit 0 when valid, 1 when not, 2 when a file could not be read.\n", RG_DEFAULT_CONFIG);
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
	int opt;

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
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i] != NULL ? errs.msg[i] : "out of memory");
		if (errs.lost > 0)
			fprintf(stderr, "%s: out of memory (%zu more problems)\n", config, errs.lost);
		rg_errlist_free(&errs);
		return runtime_error ? 2 : 1;
	}
	printf("%s: OK (%zu roles, %zu static users%s)\n", config, p->nroles, p->nusers,
			p->ldap.enabled ? ", LDAP" : "");
	rg_policy_free(p);
	return 0;
}
