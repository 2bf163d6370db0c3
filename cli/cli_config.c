/* Loading the configuration for a command, its errors on stderr (rolegate/cli.h). */
#include <stdio.h>

#include "rolegate/cli.h"
#include "rolegate/policyfile.h"

void rg_cli_print_errors(const char *config, struct rg_errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", RG_ERRLIST_LINE(errs, i));
	if (errs->lost > 0)
		fprintf(stderr, "%s: out of memory (%zu more problems)\n", config, errs->lost);
	rg_errlist_free(errs);
}

struct rg_policy *rg_cli_policy_load(const char *config, int *status)
{
	struct rg_errlist errs = { 0 };
	bool unreadable = false;
	struct rg_policy *p = rg_policy_load(config, &errs, &unreadable);

	if (p == NULL) {
		rg_cli_print_errors(config, &errs);
		*status = unreadable ? 2 : 1;
	}
	return p;
}
