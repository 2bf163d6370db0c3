/*
 * Which command lines the stand-in daemon runs (SPEC.md §2): a docker or a
 * docker-compose command line that does not choose its own daemon. Every
 * flag that names a daemon, a context, TLS material or a client config is
 * refused rather than overridden, so the explanation can never be of a
 * command that would have gone somewhere else.
 */
#include <stdio.h>
#include <string.h>

#include "rolegate/standin.h"

/* Whether word is flag or flag=VALUE. */
static bool is_flag(const char *word, const char *flag)
{
	size_t n = strlen(flag);

	return strncmp(word, flag, n) == 0 && (word[n] == '\0' || word[n] == '=');
}

/*
 * docker's global flags (cli/flags/options.go): -H/--host, -c/--context,
 * --tls*, --config choose where the client goes; -l/--log-level takes a
 * value; -D and -v are switches. Anything else is docker's to reject.
 * Returns the index of the subcommand (argc when there is none), or -1.
 */
static int docker_globals(int argc, char **argv, char *err, size_t errlen)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *w = argv[i];

		if (strcmp(w, "--") == 0)
			return i + 1;
		if (is_flag(w, "--host") || is_flag(w, "--context") || strncmp(w, "--tls", 5) == 0 ||
		    is_flag(w, "--config")) {
			snprintf(err, errlen, "refusing \"%s\": explain runs the docker client against its "
					"own stand-in daemon only (no -H, --host, -c, --context, --tls*, --config)", w);
			return -1;
		}
		if (strcmp(w, "--log-level") == 0) {
			i++;
			continue;
		}
		if (w[1] == '-')
			continue;
		/* A cluster of short flags: -D, -v, -h switches; -l takes the rest or the next word. */
		for (const char *c = w + 1; *c != '\0'; c++) {
			if (*c == 'H' || *c == 'c') {
				snprintf(err, errlen, "refusing \"%s\": -%c chooses the daemon; explain runs the "
						"docker client against its own stand-in daemon only", w, *c);
				return -1;
			}
			if (*c == 'l') {
				if (c[1] == '\0')
					i++;
				break;
			}
		}
	}
	return i;
}

/* Builder selection: buildx builders can live on other hosts. */
static int docker_builder(int argc, char **argv, int sub, char *err, size_t errlen)
{
	for (int i = sub; i < argc; i++) {
		if (is_flag(argv[i], "--builder")) {
			snprintf(err, errlen, "refusing \"%s\": builder selection is not explained (the "
					"stand-in daemon is the only builder)", argv[i]);
			return -1;
		}
	}
	if (sub < argc && strcmp(argv[sub], "buildx") == 0) {
		for (int i = sub + 1; i < argc; i++) {
			if (strcmp(argv[i], "create") == 0 || strcmp(argv[i], "use") == 0) {
				snprintf(err, errlen, "refusing \"buildx %s\": builder selection is not explained",
						argv[i]);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * docker-compose 1.x reads its options with docopt, which accepts any
 * unambiguous prefix of a long option ("--ho" is --host): so every word
 * before the subcommand that could abbreviate a daemon-choosing option is
 * refused. -f/-p/--file/--project-name/--profile/--log-level/--env-file/
 * --project-directory/--ansi take a value.
 */
static int compose_globals(int argc, char **argv, char *err, size_t errlen)
{
	static const char *const choosing[] = { "--host", "--context", "--tls", "--tlscacert", "--tlscert",
		"--tlskey", "--tlsverify", "--skip-hostname-check", NULL };
	static const char *const valued[] = { "--file", "--project-name", "--profile", "--log-level",
		"--env-file", "--project-directory", "--ansi", NULL };
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *w = argv[i];
		size_t n = strcspn(w, "=");

		if (strcmp(w, "--") == 0)
			return i + 1;
		if (w[1] == '-') {
			for (int k = 0; choosing[k] != NULL; k++) {
				if (n > 2 && strncmp(choosing[k], w, n) == 0) {
					snprintf(err, errlen, "refusing \"%s\": explain runs docker-compose against "
							"its own stand-in daemon only (no -H, --host, -c, --context, "
							"--tls*)", w);
					return -1;
				}
			}
			for (int k = 0; valued[k] != NULL && w[n] == '\0'; k++) {
				if (n > 2 && strncmp(valued[k], w, n) == 0) {
					i++;
					break;
				}
			}
			continue;
		}
		for (const char *c = w + 1; *c != '\0'; c++) {
			if (*c == 'H' || *c == 'c') {
				snprintf(err, errlen, "refusing \"%s\": -%c chooses the daemon; explain runs "
						"docker-compose against its own stand-in daemon only", w, *c);
				return -1;
			}
			if (*c == 'f' || *c == 'p') {
				if (c[1] == '\0')
					i++;
				break;
			}
		}
	}
	return i;
}

int rg_standin_check_args(int argc, char **argv, char *err, size_t errlen)
{
	int sub;

	if (argc < 1 || (strcmp(argv[0], "docker") != 0 && strcmp(argv[0], "docker-compose") != 0)) {
		snprintf(err, errlen, "expected a command line starting with \"docker\" or \"docker-compose\"");
		return -1;
	}
	if (strcmp(argv[0], "docker-compose") == 0)
		return compose_globals(argc, argv, err, errlen) < 0 ? -1 : 0;
	sub = docker_globals(argc, argv, err, errlen);
	if (sub < 0)
		return -1;
	if (sub < argc && strcmp(argv[sub], "context") == 0) {
		snprintf(err, errlen, "refusing \"docker context\": explain runs the docker client against "
				"its own stand-in daemon only");
		return -1;
	}
	return docker_builder(argc, argv, sub, err, errlen);
}
