/*
 * `rolegate test`: policy tests for admins. Each case is decided through
 * rg_explain_one(), the path serve takes, and compared with the expectation.
 *
 *   USER[:GROUP,...] METHOD URI [BODY-FILE] => allow|deny [TEXT]
 *   USER[:GROUP,...] -- docker ARGS... => allow|deny [TEXT]
 *
 * TEXT, when given, must appear in the deny message. BODY-FILE is relative to
 * the cases file. '#' starts a comment. A group name with spaces is written
 * in double quotes: john:"Domain Users",developers. --junit FILE also writes
 * the results as a JUnit XML report (one <testcase> per case, named
 * FILE:LINE) for CI systems.
 * A docker (or docker-compose) command line runs the installed client against
 * the stand-in daemon (standin.h), in the cases file's directory, and is
 * judged by its deciding request.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/cli.h"
#include "rolegate/explain.h"
#include "rolegate/junit.h"
#include "rolegate/standin.h"
#include "rolegate/log.h"

#define RG_TEST_MAX_WORDS 128

struct tally {
	unsigned passed;
	unsigned failed;
	unsigned broken;   /* lines that are not a valid case */
	struct rg_junit *junit;   /* NULL without --junit */
};

/* One case's outcome: printed unless it passed, and kept for --junit. */
static void outcome(struct tally *t, enum rg_junit_result r, const char *file, unsigned lineno,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void outcome(struct tally *t, enum rg_junit_result r, const char *file, unsigned lineno,
		const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r == RG_JUNIT_PASS)
		t->passed++;
	else if (r == RG_JUNIT_FAIL)
		t->failed++;
	else
		t->broken++;
	/* A failing case is an answer (stdout); a line that could not be run
	 * is an error, which makes the exit status 2: stderr (SPEC §2). */
	if (r == RG_JUNIT_FAIL)
		printf("%s:%u: %s\n", file, lineno, msg);
	else if (r != RG_JUNIT_PASS)
		fprintf(stderr, "%s:%u: %s\n", file, lineno, msg);
	if (t->junit != NULL && rg_junit_add(t->junit, file, lineno, r, msg) < 0)
		t->broken++;   /* out of memory: the report would be incomplete */
}

/* Splits line into whitespace-separated words in place ('single quotes'
 * group a word, as in a shell; inside a word "double quotes" keep spaces and
 * stay in the word, for group names: john:"Domain Users",developers).
 * Returns the count, -1 if too many, -2 for an unterminated quote. */
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
			if (*p == '\0')
				return -2;
		} else {
			bool quoted = false;

			w = p;
			while (*p != '\0' && *p != '\n' && (quoted || (*p != ' ' && *p != '\t'))) {
				if (*p == '"')
					quoted = !quoted;
				p++;
			}
			if (quoted)
				return -2;
		}
		words[n++] = w;
		if (*p == '\0')
			return n;
		*p++ = '\0';
	}
}

/* Removes the double quotes of a word in place, as a shell would. */
static void unquote(char *w)
{
	char *o = w;

	for (; *w != '\0'; w++) {
		if (*w != '"')
			*o++ = *w;
	}
	*o = '\0';
}

/*
 * Splits "USER[:GROUP,...]" (double quotes around a name keep its spaces,
 * commas and colons; the quotes are dropped) into user and groups. Returns 1
 * when groups were given, 0 when not, -1 when out of memory or too long.
 */
static int split_user(const char *word, char *user, size_t userlen, struct rg_strv *groups)
{
	char name[1024];
	size_t len = 0;
	bool quoted = false, in_groups = false;

	user[0] = '\0';
	for (const char *p = word;; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p == '\0' || (!quoted && (in_groups ? *p == ',' : *p == ':'))) {
			name[len] = '\0';
			if (!in_groups) {
				if (len >= userlen)
					return -1;
				memcpy(user, name, len + 1);
			} else if (len > 0 && rg_strv_push_unique(groups, name) < 0) {
				return -1;
			}
			len = 0;
			if (*p == '\0')
				return in_groups ? 1 : 0;
			in_groups = true;
			continue;
		}
		if (len + 1 >= sizeof(name))
			return -1;
		name[len++] = *p;
	}
}

/* Reports a case's outcome against want ("allow"/"deny") and text (in the deny message). */
static void judge(struct tally *t, const char *file, unsigned lineno, const char *want,
		const char *text, const struct rg_decision *d, bool denied)
{
	if (strcmp(want, denied ? "deny" : "allow") != 0) {
		if (!denied)
			outcome(t, RG_JUNIT_FAIL, file, lineno, "expected deny, got allow (%s by role %s, rule \"%s\")",
					d->command, d->role, d->rule);
		else
			outcome(t, RG_JUNIT_FAIL, file, lineno, "expected allow, got deny (%s): %s",
					d->command, d->msg);
	} else if (text[0] != '\0' && strstr(d->msg, text) == NULL) {
		outcome(t, RG_JUNIT_FAIL, file, lineno,
				"denied as expected, but the message \"%s\" does not contain \"%s\"", d->msg, text);
	} else {
		outcome(t, RG_JUNIT_PASS, file, lineno, "%s %s", want, d->command);
	}
}

/* A `-- docker ARGS...` case: the client runs against the stand-in, from the cases file's directory. */
static void run_command_line(const struct rg_runtime *rt, const char *file, const char *dir, unsigned lineno,
		const char *user, const struct rg_strv *given, char **argv, int argc, const char *want,
		const char *text, struct tally *t)
{
	struct rg_standin_opts so = { .rt = rt, .user = user, .given = given, .cwd = dir };
	struct rg_standin_result res;
	const struct rg_standin_call *dec;
	char err[1024];

	if (rg_standin_run(&so, argc, argv, &res, err, sizeof(err)) < 0) {
		outcome(t, RG_JUNIT_ERROR, file, lineno, "%s", err);
		return;
	}
	dec = rg_standin_deciding(&res);
	if (!rg_standin_denied(&res) && (res.client_status != 0 || dec == NULL)) {
		rg_standin_client_error(&res, err, sizeof(err));
		outcome(t, RG_JUNIT_ERROR, file, lineno, "%s failed (nothing was denied): %s", argv[0], err);
	} else {
		judge(t, file, lineno, want, text, &dec->ex.r.d, rg_standin_denied(&res));
	}
	rg_standin_result_clear(&res);
}

static void run_case(const struct rg_runtime *rt, const char *file, const char *dir, unsigned lineno,
		char **w, int n, struct tally *t)
{
	struct rg_strv given = { 0 };
	struct rg_explanation ex;
	unsigned char *body = NULL;
	size_t body_len = 0;
	char err[512], user[256], text[1024] = "";
	const char *want;
	int arrow = -1, has_groups;

	for (int i = 0; i < n; i++) {
		if (strcmp(w[i], "=>") == 0)
			arrow = i;
	}
	if (arrow < 3 || arrow + 1 >= n ||
	    (strcmp(w[arrow + 1], "allow") != 0 && strcmp(w[arrow + 1], "deny") != 0)) {
		outcome(t, RG_JUNIT_ERROR, file, lineno,
				"not a case: expected USER[:GROUPS] METHOD URI [BODY] => allow|deny");
		return;
	}
	want = w[arrow + 1];
	/* The user word keeps its quotes for split_user; the words up to "=>"
	 * read as in a shell; the expected text after allow|deny is literal
	 * (a deny message may quote a value: join network ""). */
	for (int i = 1; i < arrow; i++)
		unquote(w[i]);
	for (int i = arrow + 2; i < n; i++) {
		strncat(text, i > arrow + 2 ? " " : "", sizeof(text) - strlen(text) - 1);
		strncat(text, w[i], sizeof(text) - strlen(text) - 1);
	}
	has_groups = split_user(w[0], user, sizeof(user), &given);
	if (has_groups < 0) {
		outcome(t, RG_JUNIT_ERROR, file, lineno, "not a case: the user or a group name is too long");
		goto out;
	}
	if (strcmp(user, "-") == 0)
		user[0] = '\0';  /* "-" is the Unix socket: no identity */

	if (strcmp(w[1], "--") == 0) {
		w[arrow] = NULL;
		run_command_line(rt, file, dir, lineno, user, has_groups > 0 ? &given : NULL, w + 2, arrow - 2,
				want, text, t);
		goto out;
	}
	if (arrow > 4) {
		outcome(t, RG_JUNIT_ERROR, file, lineno, "not a case: too many words before =>");
		goto out;
	}
	if (arrow == 4) {
		char path[4096];

		snprintf(path, sizeof(path), "%s%s%s", w[3][0] == '/' ? "" : dir,
				w[3][0] == '/' ? "" : "/", w[3]);
		if (rg_read_body_file(path, &body, &body_len, err, sizeof(err)) < 0) {
			outcome(t, RG_JUNIT_ERROR, file, lineno, "%s", err);
			goto out;
		}
	}
	if (rg_explain_one(rt, user, has_groups > 0 ? &given : NULL, w[1], w[2], body, body_len, &ex,
			err, sizeof(err)) < 0) {
		outcome(t, RG_JUNIT_ERROR, file, lineno, "%s", err);
		goto out;
	}
	/* The directory could not be asked: a runtime error, not the policy's answer. */
	if (ex.r.id.source == RG_GROUPS_UNAVAILABLE && ex.r.id.error != NULL) {
		const char *why = rg_log_collected();

		outcome(t, RG_JUNIT_ERROR, file, lineno, "%s%s%s", ex.r.id.error, why[0] != '\0' ? ": " : "", why);
		rg_explanation_clear(&ex);
		goto out;
	}
	/* Cases run in order: what an allowed case creates is the caller's in the next ones. */
	rg_explain_simulate(rt, &ex);
	judge(t, file, lineno, want, text, &ex.r.d, ex.r.d.verdict != RG_ALLOW);
	rg_explanation_clear(&ex);
out:
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
			outcome(t, RG_JUNIT_ERROR, file, lineno, "%s",
					n == -1 ? "too many words" : "a quote is not closed");
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
			char *w[RG_TEST_MAX_WORDS], user[256];
			struct rg_strv groups = { 0 };

			/* A line that is not a case is reported by run_file. */
			if (split_words(line, w) > 0)
				need = split_user(w[0], user, sizeof(user), &groups) == 0;
			rg_strv_free(&groups);
		}
		free(line);
		fclose(f);
	}
	return need;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate test [-c FILE] [--junit FILE] [--state DIR] CASES-FILE...\n"
		"\n"
		"Runs policy tests against the configuration. Each line of a cases file is\n"
		"  USER[:GROUP,...] METHOD URI [BODY-FILE] => allow|deny [TEXT]\n"
		"  USER[:GROUP,...] -- docker ARGS... => allow|deny [TEXT]\n"
		"USER '-' is the Unix socket (no identity); ':GROUPS' replaces the directory\n"
		"lookup (a name with spaces in double quotes: john:\"Domain Users\",developers;\n"
		"elsewhere double quotes group words as in a shell);\n"
		"TEXT must appear in the deny message; '#' starts a comment.\n"
		"Cases run in order and ownership is simulated: what an allowed case creates\n"
		"is its user's in the cases after it.\n"
		"  --junit FILE   also write a JUnit XML report: one <testcase> per case, named\n"
		"                 CASES-FILE:LINE, with a <failure> giving the decision and the\n"
		"                 reason when the case failed\n"
		"  --state DIR    start from a copy of that plugin.state instead of an empty one\n"
		"Prints each failing case and 'N passed, N failed'; exit 1 if any failed.\n");
}

int cmd_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "junit", required_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG, *junit = NULL, *state = NULL;
	struct tally t = { 0 };
	struct rg_runtime *rt;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'j': junit = optarg; break;
		case 's': state = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	if (junit != NULL && (t.junit = rg_junit_new()) == NULL) {
		fprintf(stderr, "rolegate test: out of memory\n");
		return 2;
	}
	rg_log_collect(true);
	/* an invalid configuration is a negative answer, an unreadable one a
	 * runtime error (SPEC.md §2) */
	if ((rt = rg_runtime_open(config, needs_lookup(argc - optind, argv + optind), &rc)) == NULL) {
		rg_junit_free(t.junit);
		return rc;
	}
	rc = 0;
	if (state != NULL && rg_runtime_use_state(rt, state) < 0)
		rc = 2;
	for (int i = optind; i < argc && rc == 0; i++) {
		if (run_file(rt, argv[i], &t) < 0)
			rc = 2;
	}
	rg_runtime_close(rt);
	if (rc == 0) {
		printf("%u passed, %u failed\n", t.passed, t.failed + t.broken);
		rc = t.broken > 0 ? 2 : t.failed > 0 ? 1 : 0;
	}
	if (t.junit != NULL && rg_junit_write(t.junit, junit) < 0) {
		fprintf(stderr, "rolegate test: cannot write the JUnit report %s: %s\n", junit, strerror(errno));
		rc = 2;
	}
	rg_junit_free(t.junit);
	return rc;
}
