/*
 * `rolegate log query|verify|stats`: what auditors run against the
 * accountability log. Every line is read by cli_log_next_line() and parsed by
 * rg_audit_record_parse(), the one definition of a record.
 *
 * Several --file options name a series of rotated files; they are put in
 * chain order (by the seq of their first record) before reading, so
 * `--file decisions.log --file decisions.log.1` and the reverse both work.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "rolegate/audit.h"
#include "rolegate/cli.h"
#include "rolegate/policy.h"
#include "rolegate/route.h"
#include "rolegate/secret.h"
#include "rolegate/utf8.h"
#include "cli_log.h"

/* ---- reading lines ---- */


/* verify reports a missing log itself when a head file says it should exist. */
bool cli_log_quiet_missing;

/* The configured audit.path when no --file was given (cli_log_load). */
static const char *configured_path;

/*
 * The configured log must be a regular file, as rolegate writes it: a FIFO
 * there blocked open(2), and the nightly `log verify`, whose whole point is
 * to report, hung instead (docs/redteam-round12-avail.md). It is opened
 * O_NONBLOCK and refused when it is anything else. A --file is opened as
 * given: a pipe there (`--file <(zcat decisions.log.2.gz)`) is the
 * auditor's choice.
 */
int cli_log_reader_open(struct reader *r, const char *name)
{
	bool configured = name == configured_path;
	struct stat st;
	int fd, saved;

	memset(r, 0, sizeof(*r));
	r->name = name;
	fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY | (configured ? O_NONBLOCK : 0));
	if (fd >= 0 && configured && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		fprintf(stderr, "rolegate: %s (audit.path) is not a regular file; rolegate writes "
				"its log as one\n", name);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (fd >= 0 && configured)
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (fd >= 0 && (r->f = fdopen(fd, "r")) == NULL)
		close(fd);
	if (r->f == NULL) {
		saved = errno;
		if (saved != ENOENT || !cli_log_quiet_missing)
			fprintf(stderr, "rolegate: cannot open %s: %s\n", name, strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

void cli_log_reader_close(struct reader *r)
{
	if (r->f != NULL)
		fclose(r->f);
	free(r->line);
	r->f = NULL;
	r->line = NULL;
}

/*
 * Reads the next line into r->line (without its '\n'). Returns 1 with *len
 * and *terminated, 0 at the end, -1 on a read error (reported). With
 * wait_whole, an unterminated last line is left unread (the writer may be in
 * the middle of it: --follow comes back for it).
 */
int cli_log_next_line(struct reader *r, size_t *len, bool *terminated, bool wait_whole)
{
	long at = wait_whole ? ftell(r->f) : 0;
	ssize_t n;

	errno = 0;
	n = getline(&r->line, &r->cap, r->f);
	if (n < 0) {
		if (ferror(r->f)) {
			fprintf(stderr, "rolegate: cannot read %s: %s\n", r->name, strerror(errno));
			return -1;
		}
		clearerr(r->f);  /* so that --follow sees what is appended later */
		return 0;
	}
	*terminated = n > 0 && r->line[n - 1] == '\n';
	if (!*terminated && wait_whole) {
		fseek(r->f, at, SEEK_SET);
		return 0;
	}
	*len = (size_t)n - (*terminated ? 1 : 0);
	r->lineno++;
	return 1;
}

int cli_log_each_line(const struct options *o, cli_log_line_fn *fn, void *arg,
		struct reader *follow)
{
	int rc = 0;

	for (size_t i = 0; i < o->nfiles && rc == 0; i++) {
		bool keep = follow != NULL && i + 1 == o->nfiles;
		struct reader r;
		size_t len;
		bool term;
		int got;

		if (cli_log_reader_open(&r, o->files[i]) < 0)
			return 2;
		while ((got = cli_log_next_line(&r, &len, &term, keep)) == 1 &&
		       (rc = fn(arg, &r, len)) == 0)
			;
		if (got < 0)
			rc = 2;
		if (rc == 0 && keep) {
			*follow = r;
			return 0;
		}
		cli_log_reader_close(&r);
	}
	return rc;
}

/* ---- configuration and key ---- */

/*
 * Loads what the log commands need from the config: the default --file and
 * the key. Returns 0 with *mac, or (reported) the exit status: 1 an invalid
 * configuration, 2 a runtime error (SPEC.md §2).
 */
int cli_log_setup(struct options *o, struct rg_policy **pp, struct rg_audit_mac **mac)
{
	struct rg_policy *p = NULL;
	unsigned char *key = NULL;
	size_t keylen = 0;
	char err[512];
	struct stat st;
	int status;

	*pp = NULL;
	*mac = NULL;
	/* With --file, the config is only needed for its key; none at the default path is fine. */
	if (o->nfiles == 0 || o->config_given || stat(o->config, &st) == 0) {
		p = rg_cli_policy_load(o->config, &status);
		if (p == NULL)
			return status;
	}
	if (o->nfiles == 0)
		o->files[o->nfiles++] = configured_path = p->audit.path;
	if (p != NULL && p->audit.key_file[0] != '\0') {
		/*
		 * Read as check and serve read it (rolegate/secret.h), with check's
		 * statuses (SPEC.md §2): a key file of the wrong owner, mode or size
		 * makes the configuration invalid (1, FILE:LINE as check says it);
		 * one that cannot be read is a runtime error (2).
		 */
		enum rg_secret_error e = rg_secret_read(p->audit.key_file, "audit.key_file",
				RG_AUDIT_KEY_MIN, RG_AUDIT_KEY_MAX, &key, &keylen, err, sizeof(err));

		if (e != RG_SECRET_OK) {
			bool invalid = e == RG_SECRET_INSECURE || e == RG_SECRET_BAD_SIZE;

			if (invalid)
				fprintf(stderr, "%s:%d: %s\n", p->path, p->audit.key_file_line, err);
			else
				fprintf(stderr, "rolegate: %s\n", err);
			rg_policy_free(p);
			return invalid ? 1 : 2;
		}
	}
	*mac = rg_audit_mac_new(key, keylen);
	if (key != NULL)
		OPENSSL_cleanse(key, keylen);
	free(key);
	if (*mac == NULL) {
		fprintf(stderr, "rolegate: cannot set up SHA-256 (OpenSSL)\n");
		rg_policy_free(p);
		return 2;
	}
	*pp = p;
	return 0;
}

/* The seq of the first record of a file, or 0 when it has none. */
static uint64_t first_seq(const char *name)
{
	struct reader r;
	struct rg_audit_record rec;
	const char *why;
	uint64_t seq = 0;
	size_t len;
	bool term;

	if (cli_log_reader_open(&r, name) < 0)
		return 0;
	if (cli_log_next_line(&r, &len, &term, false) == 1 && rg_audit_record_parse(r.line, len, &rec, &why) == 0)
		seq = rec.seq;
	rg_audit_record_clear(&rec);
	cli_log_reader_close(&r);
	return seq;
}

/* Puts several files in chain order, if every one of them starts with a record. */
void cli_log_order_files(struct options *o)
{
	uint64_t seqs[MAX_FILES];

	if (o->nfiles < 2)
		return;
	/* A file without records (missing, or empty after rotation) is the newest. */
	for (size_t i = 0; i < o->nfiles; i++) {
		seqs[i] = first_seq(o->files[i]);
		if (seqs[i] == 0)
			seqs[i] = UINT64_MAX;
	}
	for (size_t i = 1; i < o->nfiles; i++) {
		for (size_t j = i; j > 0 && seqs[j - 1] > seqs[j]; j--) {
			uint64_t s = seqs[j];
			const char *f = o->files[j];

			seqs[j] = seqs[j - 1];
			o->files[j] = o->files[j - 1];
			seqs[j - 1] = s;
			o->files[j - 1] = f;
		}
	}
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rolegate log query [-c FILE] [--file LOG]... [--user U] [--command GLOB]\n"
		"                          [--decision allow|deny] [--object NAME] [--since TIME]\n"
		"                          [--until TIME] [--limit N] [--json] [--follow]\n"
		"                          [--detail KEY=GLOB]... [--host H]\n"
		"       rolegate log verify [-c FILE] [--file LOG]... [--host H] [--anchor SEQ:HASH]\n"
		"       rolegate log stats [-c FILE] [--file LOG]... [--since TIME] [--until TIME]\n");
}

static void help(enum action a)
{
	usage(stdout);
	printf("\n");
	switch (a) {
	case QUERY:
		printf("Prints the matching records, oldest first, as an aligned table or (--json)\n"
			"as the stored JSON lines. --command takes a glob (container.*); --object\n"
			"matches the object or id of a record, and requests naming an id that a\n"
			"create of NAME returned (also as a unique short id), through renames;\n"
			"an image as docker names it (busybox: docker.io/library/busybox:latest).\n"
			"TIME is RFC 3339 (2026-11-29T21:37:28Z; no offset = UTC) or relative\n"
			"(90s, 15m, 2h, 7d).\n"
			"--limit N keeps the N most recent matches. --follow keeps printing new\n"
			"records, across rotation. --detail KEY=GLOB matches the record's details\n"
			"(privileged=true, image=docker.io/library/*, bind=/srv/*; a list matches\n"
			"when any element does; repeat for all of several). --host H: records made\n"
			"on H. Exit 0 if anything matched, 1 if not, 2 on error.\n");
		break;
	case VERIFY:
		printf("Checks the hash chain (HMAC with the configured audit.key_file) of the log,\n"
			"or of a series of rotated files (several --file, any order). Prints\n"
			"\"N records checked, chain intact\" (exit 0), or the first break as\n"
			"LOG:LINE: seq N: what (exit 1). A torn last line (crash mid-write) is a\n"
			"warning, not a break. The head file beside the newest file (LOG.head) and\n"
			"--anchor SEQ:HASH (a checkpoint kept off the host) must name records the\n"
			"chain holds: a log that ends before them was truncated (exit 1). A file\n"
			"collected from several hosts holds one chain per host; --host picks one.\n"
			"Exit 2 on error.\n");
		break;
	case STATS:
		printf("Counts the decisions (request records) by decision, user and command.\n");
		break;
	}
	printf("\n--file defaults to audit.path of the config (-c, default %s);\n"
		"with --file the config is read only for audit.key_file.\n", RG_DEFAULT_CONFIG);
}

static int parse_time(const char *s, int64_t *out)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (rg_audit_time_parse(s, (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000, out) < 0) {
		fprintf(stderr, "rolegate: '%s' is not a time (RFC 3339, or 90s/15m/2h/7d ago)\n", s);
		return -1;
	}
	return 0;
}

/* Returns 0, 1 (--help shown) or -1 (usage error, reported). */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_USER = 256, O_COMMAND, O_DECISION, O_OBJECT, O_SINCE, O_UNTIL, O_LIMIT, O_JSON, O_FOLLOW,
		O_HOST, O_ANCHOR, O_DETAIL };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "user", required_argument, NULL, O_USER },
		{ "command", required_argument, NULL, O_COMMAND },
		{ "decision", required_argument, NULL, O_DECISION },
		{ "object", required_argument, NULL, O_OBJECT },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "json", no_argument, NULL, O_JSON },
		{ "follow", no_argument, NULL, O_FOLLOW },
		{ "host", required_argument, NULL, O_HOST },
		{ "anchor", required_argument, NULL, O_ANCHOR },
		{ "detail", required_argument, NULL, O_DETAIL },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	char *end;
	unsigned long long n;

	while ((opt = getopt_long(argc, argv, "c:f:h", opts, NULL)) != -1) {
		bool query_only = opt == O_USER || opt == O_COMMAND || opt == O_DECISION ||
			opt == O_OBJECT || opt == O_LIMIT || opt == O_JSON || opt == O_FOLLOW ||
			opt == O_DETAIL;
		bool window = opt == O_SINCE || opt == O_UNTIL;

		if ((query_only && o->action != QUERY) || (window && o->action == VERIFY) ||
		    (opt == O_ANCHOR && o->action != VERIFY) || (opt == O_HOST && o->action == STATS)) {
			fprintf(stderr, "rolegate: option '%s' does not apply to this command\n",
					argv[optind - 1]);
			return -1;
		}
		switch (opt) {
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case 'f':
			if (o->nfiles == MAX_FILES) {
				fprintf(stderr, "rolegate: at most %d --file\n", MAX_FILES);
				return -1;
			}
			o->files[o->nfiles++] = optarg;
			break;
		case 'h':
			help(o->action);
			return 1;
		case O_USER: o->user = optarg; break;
		case O_COMMAND: o->command = optarg; break;
		case O_OBJECT: o->object = optarg; break;
		case O_JSON: o->json = true; break;
		case O_FOLLOW: o->follow = true; break;
		case O_HOST: o->host = optarg; break;
		case O_ANCHOR:
			if (cli_log_parse_anchor(optarg, &o->anchor) < 0)
				return -1;
			o->has_anchor = true;
			break;
		case O_DETAIL:
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				fprintf(stderr, "rolegate: --detail wants KEY=GLOB (privileged=true, "
						"image=docker.io/library/*, bind=/srv/*)\n");
				return -1;
			}
			if (o->ndetails == MAX_DETAILS) {
				fprintf(stderr, "rolegate: at most %d --detail\n", MAX_DETAILS);
				return -1;
			}
			o->details[o->ndetails++] = optarg;
			break;
		case O_DECISION:
			if (strcmp(optarg, "allow") != 0 && strcmp(optarg, "deny") != 0) {
				fprintf(stderr, "rolegate: --decision must be allow or deny\n");
				return -1;
			}
			o->decision = optarg;
			break;
		case O_SINCE:
			if (parse_time(optarg, &o->since) < 0)
				return -1;
			o->has_since = true;
			break;
		case O_UNTIL:
			if (parse_time(optarg, &o->until) < 0)
				return -1;
			o->has_until = true;
			break;
		case O_LIMIT:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || errno != 0 || n == 0 ||
			    n > 100000000) {
				fprintf(stderr, "rolegate: --limit needs a positive number\n");
				return -1;
			}
			o->limit = (size_t)n;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rolegate: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	if (o->follow && o->nfiles > 1 && o->limit > 0) {
		fprintf(stderr, "rolegate: --follow with --limit needs a single file\n");
		return -1;
	}
	return 0;
}

int cmd_log(int argc, char **argv)
{
	struct options o = { .config = RG_DEFAULT_CONFIG };
	struct rg_policy *p = NULL;
	struct rg_audit_mac *mac = NULL;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "query") == 0) {
		o.action = QUERY;
	} else if (strcmp(argv[1], "verify") == 0) {
		o.action = VERIFY;
	} else if (strcmp(argv[1], "stats") == 0) {
		o.action = STATS;
	} else {
		fprintf(stderr, "rolegate: unknown log command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	rc = parse_args(argc - 1, argv + 1, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if ((rc = cli_log_setup(&o, &p, &mac)) != 0)
		return rc;
	switch (o.action) {
	case QUERY:
		rc = cli_log_query(&o);
		break;
	case VERIFY:
		rc = cli_log_verify(&o, mac);
		break;
	case STATS:
		rc = cli_log_stats(&o);
		break;
	}
	rg_audit_mac_free(mac);
	rg_policy_free(p);
	return rc;
}

/*
 * Characters a terminal must not get raw, or that print as nothing:
 * Unicode's Bidi_Control (U+061C, U+200E, U+200F, the embeddings and
 * overrides U+202A-202E, the isolates U+2066-2069), which reorder or turn
 * what is around them on screen; the line and paragraph separators (U+2028,
 * U+2029); and the invisible ones (soft hyphen, zero-width space and
 * joiners, word joiner, invisible operators, variation selectors, the BOM,
 * the Hangul fillers, tags), with which "ali\u200bce" reads as "alice" in a
 * table of who did what (red team round 14).
 */
static const struct { unsigned lo, hi; } hidden[] = {
	{ 0x00ad, 0x00ad }, { 0x034f, 0x034f }, { 0x061c, 0x061c }, { 0x115f, 0x1160 },
	{ 0x17b4, 0x17b5 }, { 0x180b, 0x180f }, { 0x200b, 0x200f }, { 0x2028, 0x202e },
	{ 0x2060, 0x206f }, { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff },
	{ 0xffa0, 0xffa0 }, { 0xfff9, 0xfffb }, { 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff },
};

/*
 * Whether the (valid) UTF-8 sequence at p, n bytes long, is one of the
 * characters above. Returns its code point, or 0.
 */
static unsigned hidden_char(const unsigned char *p, size_t n)
{
	unsigned cp;

	if (n < 2)
		return 0;
	cp = p[0] & (0xff >> (n + 1));
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		if (cp >= hidden[i].lo && cp <= hidden[i].hi)
			return cp;
	}
	return 0;
}

/*
 * s with what a terminal would act on escaped: control characters as \xNN
 * (text) and the hidden characters above as \uXXXX (text and JSON, where
 * that spelling means the same character). Names and URIs come from the
 * network: a user called "\e[2J" or "\u202e" must not rewrite the screen
 * an auditor reads. Returns a new string, or NULL when out of memory.
 */
char *cli_log_escape(const char *s, bool json)
{
	size_t n = strlen(s);
	char *out = malloc(n * 4 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		size_t len = *p >= 0x80 ? rg_utf8_len(p, n - (size_t)(p - (const unsigned char *)s)) : 1;
		unsigned cp = hidden_char(p, len);

		if (cp > 0xffff) {
			/* as JSON spells it: a surrogate pair */
			cp -= 0x10000;
			o += sprintf(o, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
			p += len;
		} else if (cp != 0) {
			o += sprintf(o, "\\u%04x", cp);
			p += len;
		} else if (!json && (*p < 0x20 || *p == 0x7f || *p == '\\')) {
			o += sprintf(o, *p == '\\' ? "\\\\" : "\\x%02x", *p);
			p++;
		} else {
			*o++ = (char)*p++;
		}
	}
	*o = '\0';
	return out;
}

/*
 * A table cell: never empty, escaped (cli_log_escape). "-" stands for an
 * empty value, so a value that is "-" is written \x2d; spaces at either end,
 * which the column's padding hides, are written \x20: "alice " and "alice"
 * are two users, and must not read as one (red team round 14).
 */
char *cli_log_cell(const char *s)
{
	char *e, *out;
	size_t n, lead = 0, trail = 0;

	if (s[0] == '\0')
		return strdup("-");
	if (strcmp(s, "-") == 0)
		return strdup("\\x2d");
	e = cli_log_escape(s, false);
	if (e == NULL)
		return NULL;
	n = strlen(e);
	while (lead < n && e[lead] == ' ')
		lead++;
	while (trail < n - lead && e[n - 1 - trail] == ' ')
		trail++;
	if (lead == 0 && trail == 0)
		return e;
	out = malloc(n + 3 * (lead + trail) + 1);
	if (out != NULL) {
		char *o = out;

		for (size_t i = 0; i < lead; i++, o += 4)
			memcpy(o, "\\x20", 4);
		memcpy(o, e + lead, n - lead - trail);
		o += n - lead - trail;
		for (size_t i = 0; i < trail; i++, o += 4)
			memcpy(o, "\\x20", 4);
		*o = '\0';
	}
	free(e);
	return out;
}
