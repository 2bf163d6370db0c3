#ifndef ROLEGATE_PLUGIN_CLI_LOG_H
#define ROLEGATE_PLUGIN_CLI_LOG_H

/*
 * Plugin-internal: what `rolegate log` query, verify and stats share (the
 * options, reading lines, the config and key, file order). cli_log.c parses
 * the command line and reads; cli_log_verify.c, cli_log_query.c and
 * cli_log_stats.c are the three commands.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rolegate/audit.h"
#include "rolegate/policy.h"

#define MAX_FILES 256
#define MAX_DETAILS 32
/* --follow polls the log this often (ms). */
#define FOLLOW_POLL_MS 200
/* An id prefix that docker users type is at least this long to count. */
#define ID_PREFIX_MIN 4

enum action { QUERY, VERIFY, STATS };

struct options {
	enum action action;
	const char *config;
	bool config_given;
	const char *files[MAX_FILES];
	size_t nfiles;
	const char *user, *command, *decision, *object;
	bool has_since, has_until;
	int64_t since, until;
	size_t limit;          /* 0 = all */
	bool json, follow;
	const char *host;      /* --host */
	bool has_anchor;       /* --anchor SEQ:HASH */
	struct rg_audit_chain anchor;
	const char *details[MAX_DETAILS];   /* --detail KEY=GLOB */
	size_t ndetails;
};

struct reader {
	FILE *f;
	const char *name;
	unsigned long lineno;
	char *line;
	size_t cap;
};


/* verify reports a missing log itself when a head file says it should exist. */
extern bool cli_log_quiet_missing;

/* Opens name ("-" = stdin). Returns 0, or -1 (reported). */
int cli_log_reader_open(struct reader *r, const char *name);
void cli_log_reader_close(struct reader *r);
/* The next line into r->line without its '\n': 1 (a line; *terminated says
 * whether it ended in '\n'), 0 at the end, -1 on a read error (reported).
 * wait_whole: an unterminated last line is not returned yet (--follow). */
int cli_log_next_line(struct reader *r, size_t *len, bool *terminated, bool wait_whole);
/* Called for each line by cli_log_each_line: 0 to go on, else the exit
 * status to stop with (having reported why). */
typedef int cli_log_line_fn(void *arg, const struct reader *r, size_t len);
/*
 * Reads every line of every --file, in the order given, into fn. Returns 0,
 * 2 when a file cannot be opened or read (reported), or what fn returned to
 * stop. With follow (--follow), the last file is read only up to its last
 * whole line and its reader is left open in *follow when 0 is returned.
 */
int cli_log_each_line(const struct options *o, cli_log_line_fn *fn, void *arg,
		struct reader *follow);
/* Loads the default --file and the key from the config: 0, or (reported) the exit status. */
int cli_log_setup(struct options *o, struct rg_policy **pp, struct rg_audit_mac **mac);
/* Puts several --file in chain order. */
void cli_log_order_files(struct options *o);

/* --anchor SEQ:HASH into c: 0, or -1 when it is not that. */
int cli_log_parse_anchor(const char *s, struct rg_audit_chain *c);

/* The commands: each returns the exit status (SPEC.md §2). */
/*
 * s with what a terminal would act on escaped (control characters as \xNN
 * in text; bidi controls and line separators as \uXXXX in text and JSON).
 * Returns a new string, or NULL when out of memory.
 */
char *cli_log_escape(const char *s, bool json);

/*
 * s as a table cell (log query, log stats): escaped as above, "-" for an
 * empty value, a value "-" as \x2d and spaces at either end as \x20, so
 * that two values read alike only when they are alike. Returns a new
 * string, or NULL when out of memory.
 */
char *cli_log_cell(const char *s);

int cli_log_verify(struct options *o, struct rg_audit_mac *mac);
int cli_log_query(struct options *o);
int cli_log_stats(struct options *o);

#endif
