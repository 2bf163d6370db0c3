/*
 * rolegate: a Docker Engine authorization plugin. This file only dispatches
 * to the subcommands; it is the one place that exits.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rolegate/cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "serve", cmd_serve, "run the plugin in the foreground" },
	{ "check", cmd_check, "validate the configuration" },
	{ "explain", cmd_explain, "decide a hypothetical request and show why" },
	{ "test", cmd_test, "run policy test cases against the configuration" },
	{ "state", cmd_state, "list the objects tracked for ownership (plugin.state)" },
	{ "log", cmd_log, "query, verify and count the audit log (query|verify|stats)" },
	{ "list", cmd_list, "show what a user may do (groups, roles, commands, constraints)" },
	{ "version", cmd_version, "print the version and the libraries it was built with" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate COMMAND [-c FILE] [ARGS...]\n\ncommands:\n");
	for (const struct command *c = commands; c->name != NULL; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\n'rolegate COMMAND --help' shows the usage of a command.\n"
		"The default configuration is %s.\n", RG_DEFAULT_CONFIG);
}

int main(int argc, char **argv)
{
	/*
	 * A write to a peer that closed its end (libldap on a connection the
	 * server dropped, a pipe to `head`) must be an error that the code
	 * reports, not a silent death by SIGPIPE (exit 141). Children started
	 * with exec inherit SIG_IGN: reset it to SIG_DFL in the child.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (const struct command *c = commands; c->name != NULL; c++) {
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "rolegate: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
