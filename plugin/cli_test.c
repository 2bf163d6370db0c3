/*
 * `rolegate test`: policy tests for admins. Each case is decided through
 * rg_explain_one(), the path serve takes, and compared with the expectation.
 *
 *   USER[:GROUP,...] METHOD URI [BODY-FILE] => allow|deny [TEXT]
 *   USER[:GROUP,...] -- docker ARGS... => allow|deny [TEXT]
 *
 * TEXT, when given, must appear in the deny message. BODY-FILE is relative to
 * the cases file. '#' starts a comment.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/cli.h"
#include "rolegate/explain.h"
#include "rolegate/log.h"

#define RG_TEST_MAX_WORDS 128

struct tally {
	unsigned passed;
	unsigned failed;
	unsigned broken;   /* lines that are not a valid case */
};

/* Splits line into whitespace-separated words in place ('single quotes'
 * group a word, as in a shell). Returns the count, or -1 if too many. */
static int split_words(char *line, char **words)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n' || *p == '#')
			return n;
		if (n == RG_TEST_MAX_WORDS)
			return -1;
		if (*p == '\'') {
			w = ++p;
			while (*p != '\0' && *p != '\'')
				p++;
		} else {
			w = p;
			while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
				p++;
		}
		words[n++] = w;
		if (*p == '\0')
			return n;
		*p++ = '\0';
	}
}

static void run_case(const struct rg_runtime *rt, const char *file, const char *dir, unsigned lineno,
		char **w, int n, struct tally *t)
{
	struct rg_docker_request dr = { 0 };
	struct rg_strv given = { 0 };
	struct rg_explanation ex;
	unsigned char *body = NULL;
	size_t body_len = 0;
	char err[512], user[256], text[1024] = "";
	const char *method, *uri, *want;
	bool has_groups;
	int arrow = -1;
	char *colon;

	for (int i = 0; i < n; i++) {
		if (strcmp(w[i], "=>") == 0)
			arrow = i;
	}
	if (arrow < 3 || arrow + 1 >= n ||
	    (strcmp(w[arrow + 1], "allow") != 0 && strcmp(w[arrow + 1], "deny") != 0)) {
		printf("%s:%u: not a case: expected USER[:GROUPS] METHOD URI [BODY] => allow|deny\n", file, lineno);
		t->broken++;
		return;
	}
	want = w[arrow + 1];
	for (int i = arrow + 2; i < n; i++) {
		strncat(text, i > arrow + 2 ? " " : "", sizeof(text) - strlen(text) - 1);
		strncat(text, w[i], sizeof(text) - strlen(text) - 1);
	}
	snprintf(user, sizeof(user), "%s", w[0]);
	colon = strchr(user, ':');
	has_groups = colon != NULL;
	if (has_groups) {
		*colon = '\0';
		rg_split_groups(colon + 1, &given);
	}
	if (strcmp(user, "-") == 0)
		user[0] = '\0';  /* "-" is the Unix socket: no identity */

	if (strcmp(w[1], "--") == 0) {
		w[arrow] = NULL;
		if (rg_docker_translate(arrow - 2, w + 2, &dr, err, sizeof(err)) < 0) {
			printf("%s:%u: %s\n", file, lineno, err);
			t->broken++;
			goto out;
		}
		method = dr.method;
		uri = dr.uri;
		if (dr.body != NULL) {
			body = (unsigned char *)strdup(dr.body);
			body_len = strlen(dr.body);
		}
	} else {
		if (arrow > 4) {
			printf("%s:%u: not a case: too many words before =>\n", file, lineno);
			t->broken++;
			goto out;
		}
		method = w[1];
		uri = w[2];
		if (arrow == 4) {
			char path[4096];

			snprintf(path, sizeof(path), "%s%s%s", w[3][0] == '/' ? "" : dir,
					w[3][0] == '/' ? "" : "/", w[3]);
			if (rg_read_body_file(path, &body, &body_len, err, sizeof(err)) < 0) {
				printf("%s:%u: %s\n", file, lineno, err);
				t->broken++;
				goto out;
			}
		}
	}
	if (rg_explain_one(rt, user, has_groups ? &given : NULL, method, uri, body, body_len, &ex,
			err, sizeof(err)) < 0) {
		printf("%s:%u: %s\n", file, lineno, err);
		t->broken++;
		goto out;
	}
	/* The directory could not be asked: a runtime error, not the policy's answer. */
	if (ex.id.source == RG_GROUPS_UNAVAILABLE && ex.id.error != NULL) {
		const char *why = rg_log_collected();

		fprintf(stderr, "rolegate test: %s:%u: %s%s%s\n", file, lineno, ex.id.error,
				why[0] != '\0' ? ": " : "", why);
		t->broken++;
		rg_explanation_clear(&ex);
		goto out;
	}
	if (strcmp(want, ex.d.verdict == RG_ALLOW ? "allow" : "deny") != 0) {
		if (ex.d.verdict == RG_ALLOW)
			printf("%s:%u: expected deny, got allow (%s by role %s, rule \"%s\")\n", file, lineno,
					ex.d.command, ex.d.role, ex.d.rule);
		else
			printf("%s:%u: expected allow, got deny (%s): %s\n", file, lineno, ex.d.command, ex.d.msg);
		t->failed++;
	} else if (text[0] != '\0' && strstr(ex.d.msg, text) == NULL) {
		printf("%s:%u: denied as expected, but the message \"%s\" does not contain \"%s\"\n",
				file, lineno, ex.d.msg, text);
		t->failed++;
	} else {
		t->passed++;
	}
	rg_explanation_clear(&ex);
out:
	rg_docker_request_clear(&dr);
	rg_strv_free(&given);
	free(body);
}

static int run_file(const struct rg_runtime *rt, const char *file, struct tally *t)
{
	FILE *f = fopen(file, "r");
	char *line = NULL, *copy, *dir;
	size_t cap = 0;
	unsigned lineno = 0;

	if (f == NULL) {
		perror(file);
		return -1;
	}
	copy = strdup(file);
	dir = copy != NULL ? dirname(copy) : ".";
	while (getline(&line, &cap, f) > 0) {
		char *w[RG_TEST_MAX_WORDS];
		int n;

		lineno++;
		n = split_words(line, w);
		if (n == 0)
			continue;
		if (n < 0) {
			printf("%s:%u: too many words\n", file, lineno);
			t->broken++;
			continue;
		}
		run_case(rt, file, dir, lineno, w, n, t);
	}
	free(line);
	free(copy);
	fclose(f);
	return 0;
}

/*
 * Whether some case names no groups (USER rather than USER:GROUPS), so that
 * the directory must be asked. Cases that all name their groups then run
 * without LDAP (no bind password, no server). An unreadable file says yes;
 * run_file reports it.
 */
static bool needs_lookup(int nfiles, char **files)
{
	bool need = false;

	for (int i = 0; i < nfiles && !need; i++) {
		FILE *f = fopen(files[i], "r");
		char *line = NULL;
		size_t cap = 0;

		if (f == NULL)
			return true;
		while (!need && getline(&line, &cap, f) > 0) {
			const char *p = line + strspn(line, " \t");
			size_t len;

			if (*p == '\0' || *p == '\n' || *p == '#')
				continue;
			len = *p == '\'' ? strcspn(p + 1, "'") : strcspn(p, " \t\n");
			need = memchr(p, ':', len + (*p == '\'')) == NULL;
		}
		free(line);
		fclose(f);
	}
	return need;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate test [-c FILE] CASES-FILE...\n"
		"\n"
		"Runs policy tests against the configuration. Each line of a cases file is\n"
		"  USER[:GROUP,...] METHOD URI [BODY-FILE] => allow|deny [TEXT]\n"
		"  USER[:GROUP,...] -- docker ARGS... => allow|deny [TEXT]\n"
		"USER '-' is the Unix socket (no identity); ':GROUPS' replaces the directory\n"
		"lookup; TEXT must appear in the deny message; '#' starts a comment.\n"
		"Prints each failing case and 'N passed, N failed'; exit 1 if any failed.\n");
}

int cmd_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG;
	struct tally t = { 0 };
	struct rg_runtime rt;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	rg_log_collect(true);
	if (rg_runtime_open(&rt, config, needs_lookup(argc - optind, argv + optind)) < 0)
		return 1;   /* an invalid configuration is a negative answer (SPEC.md §2) */
	for (int i = optind; i < argc; i++) {
		if (run_file(&rt, argv[i], &t) < 0) {
			rg_runtime_close(&rt);
			return 2;
		}
	}
	rg_runtime_close(&rt);
	printf("%u passed, %u failed\n", t.passed, t.failed + t.broken);
	if (t.broken > 0)
		return 2;
	return t.failed > 0 ? 1 : 0;
}
