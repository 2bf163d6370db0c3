#ifndef ROLEGATE_CLI_H
#define ROLEGATE_CLI_H

/*
 * Subcommands of the rolegate executable. Each takes its own argv (argv[0]
 * is the subcommand name) and returns the exit status (SPEC.md §2): 0
 * success, 1 a negative answer, 2 usage or runtime error. None calls exit().
 */

#include "rg_build.h"

int cmd_serve(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
