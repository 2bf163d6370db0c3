#ifndef ROLEGATE_CLI_H
#define ROLEGATE_CLI_H

/*
 * Subcommands of the rolegate executable. Each takes its own argv (argv[0]
 * is the subcommand name) and returns the exit status (SPEC.md §2): 0
 * success, 1 a negative answer, 2 usage or runtime error. None calls exit().
 */

#include "rg_build.h"
#include "rolegate/errlist.h"
#include "rolegate/policy.h"

int cmd_serve(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Prints every error of errs on stderr as "FILE:LINE: message", one a line
 * (and how many could not be stored, naming config), then frees them. */
void rg_cli_print_errors(const char *config, struct rg_errlist *errs);

/* Reads and parses config (rg_policy_load) for a command that needs only
 * the policy. Returns it, or NULL with the errors printed on stderr and
 * *status the exit status: 1 an invalid configuration, 2 one that cannot
 * be read (SPEC.md §2: an unreadable file is a runtime error). */
struct rg_policy *rg_cli_policy_load(const char *config, int *status);

#endif
