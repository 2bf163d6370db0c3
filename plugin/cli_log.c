/*
 * `rolegate log query|verify|stats`: what auditors run against the
 * accountability log. Every line is read by next_line() and parsed by
 * rg_audit_record_parse(), the one definition of a record.
 *
 * Several --file options name a series of rotated files; they are put in
 * chain order (by the seq of their first record) before reading, so
 * `--file decisions.log --file decisions.log.1` and the reverse both work.
 */
#include <errno.h>
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

/* ---- reading lines ---- */

struct reader {
	FILE *f;
	const char *name;
	unsigned long lineno;
	char *line;
	size_t cap;
};

/* verify reports a missing log itself when a head file says it should exist. */
static bool quiet_missing;

static int reader_open(struct reader *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->f = fopen(name, "re");
	if (r->f == NULL) {
		int saved = errno;

		if (saved != ENOENT || !quiet_missing)
			fprintf(stderr, "rolegate: cannot open %s: %s\n", name, strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

static void reader_close(struct reader *r)
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
static int next_line(struct reader *r, size_t *len, bool *terminated, bool wait_whole)
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

/* ---- configuration and key ---- */

/*
 * Loads what the log commands need from the config: the default --file and
 * the key. Returns 0 with *mac, or -1 (reported) for exit status 2.
 */
static int setup(struct options *o, struct rg_policy **pp, struct rg_audit_mac **mac)
{
	struct rg_errlist errs = { 0 };
	struct rg_policy *p = NULL;
	unsigned char *key = NULL;
	size_t keylen = 0;
	char err[512];
	struct stat st;

	*pp = NULL;
	*mac = NULL;
	/* With --file, the config is only needed for its key; none at the default path is fine. */
	if (o->nfiles == 0 || o->config_given || stat(o->config, &st) == 0) {
		p = rg_policy_load(o->config, &errs);
		if (p == NULL) {
			for (size_t i = 0; i < errs.n; i++)
				fprintf(stderr, "%s\n", errs.msg[i] != NULL ? errs.msg[i] : "out of memory");
			rg_errlist_free(&errs);
			return -1;
		}
	}
	if (o->nfiles == 0)
		o->files[o->nfiles++] = p->audit.path;
	if (p != NULL && p->audit.key_file[0] != '\0' &&
	    rg_audit_load_key(p->audit.key_file, &key, &keylen, err, sizeof(err)) < 0) {
		fprintf(stderr, "rolegate: %s\n", err);
		rg_policy_free(p);
		return -1;
	}
	*mac = rg_audit_mac_new(key, keylen);
	if (key != NULL)
		OPENSSL_cleanse(key, keylen);
	free(key);
	if (*mac == NULL) {
		fprintf(stderr, "rolegate: cannot set up SHA-256 (OpenSSL)\n");
		rg_policy_free(p);
		return -1;
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

	if (reader_open(&r, name) < 0)
		return 0;
	if (next_line(&r, &len, &term, false) == 1 && rg_audit_record_parse(r.line, len, &rec, &why) == 0)
		seq = rec.seq;
	rg_audit_record_clear(&rec);
	reader_close(&r);
	return seq;
}

/* Puts several files in chain order, if every one of them starts with a record. */
static void order_files(struct options *o)
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

/* ---- verify ---- */

/* Most hosts one verify tells apart in a collected file. */
#define MAX_HOSTS 256

/* One host's chain in the files given. */
struct chain {
	char *host;            /* "" for records without a host */
	struct rg_audit_verifier *v;
	bool broken;
	struct rg_audit_finding brk;
	const struct options *o;
};

static void verify_notice(void *arg, const struct rg_audit_finding *f)
{
	const struct chain *c = arg;

	if (f->line == 0)
		printf("%s%s%sseq %llu: note: %s\n", c->host[0] != '\0' ? "host " : "", c->host,
				c->host[0] != '\0' ? ": " : "", (unsigned long long)f->seq, f->what);
	else
		printf("%s:%lu: seq %llu: warning: %s\n", c->o->files[f->file], f->line,
				(unsigned long long)f->seq, f->what);
}

static struct chain *find_chain(struct chain *cs, size_t n, const char *host)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cs[i].host, host) == 0)
			return &cs[i];
	}
	return NULL;
}

/* The chain of host, made on first sight. NULL when out of memory or too many. */
static struct chain *chain_of(struct chain *cs, size_t *n, const char *host, struct rg_audit_mac *mac,
		const struct options *o)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(cs[i].host, host) == 0)
			return &cs[i];
	}
	if (*n == MAX_HOSTS) {
		fprintf(stderr, "rolegate: more than %d hosts in the log; pick one with --host\n", MAX_HOSTS);
		return NULL;
	}
	memset(&cs[*n], 0, sizeof(cs[*n]));
	cs[*n].o = o;
	cs[*n].host = strdup(host);
	cs[*n].v = rg_audit_verifier_new(mac, verify_notice, &cs[*n]);
	if (cs[*n].v != NULL && o->has_anchor)
		(void)rg_audit_verifier_expect(cs[*n].v, o->anchor.seq, o->anchor.hash, "the anchor");
	if (cs[*n].host == NULL || cs[*n].v == NULL) {
		fprintf(stderr, "rolegate: out of memory\n");
		free(cs[*n].host);
		rg_audit_verifier_free(cs[*n].v);
		return NULL;
	}
	return &cs[(*n)++];
}

/* What the head file beside the newest file says, if there is one. */
struct head {
	bool present;
	char path[4096 + 8];
	char host[RG_AUDIT_HEAD_MAX];
	struct rg_audit_chain at;
};

/* Reads FILE.head. Returns 0 (present or not), 1 (a bad head: reported), 2 (error). */
static int read_head(const char *file, struct rg_audit_mac *mac, struct head *h)
{
	char text[RG_AUDIT_HEAD_MAX];
	FILE *f;
	size_t n;
	int r;

	memset(h, 0, sizeof(*h));
	snprintf(h->path, sizeof(h->path), "%s.head", file);
	f = fopen(h->path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "rolegate: cannot open %s: %s\n", h->path, strerror(errno));
		return 2;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	r = rg_audit_head_parse(text, n, h->host, &h->at, mac);
	if (r == -1) {
		printf("%s: not a head file rolegate wrote\n", h->path);
		return 1;
	}
	if (r == -2) {
		printf("%s: its seal does not match: changed, or not written with this key\n", h->path);
		return 1;
	}
	if (strcmp(h->host, "-") == 0)
		h->host[0] = '\0';
	h->present = true;
	return 0;
}

/* Parses --anchor SEQ:HASH. Returns 0 or -1 (reported). */
static int parse_anchor(const char *s, struct rg_audit_chain *c)
{
	char *end;
	unsigned long long seq;
	static const char hex[] = "0123456789abcdef";

	errno = 0;
	seq = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || seq == 0 || *end != ':' ||
	    strlen(end + 1) != RG_AUDIT_HEX_LEN)
		goto bad;
	for (size_t i = 0; i < RG_AUDIT_HEX_LEN; i++) {
		const char *p = strchr(hex, end[1 + i]);

		if (end[1 + i] == '\0' || p == NULL)
			goto bad;
		if (i % 2 == 0)
			c->hash[i / 2] = (unsigned char)((p - hex) << 4);
		else
			c->hash[i / 2] |= (unsigned char)(p - hex);
	}
	c->seq = seq;
	return 0;
bad:
	fprintf(stderr, "rolegate: --anchor wants SEQ:HASH (a checkpoint's seq and its 64 hex digits)\n");
	return -1;
}

/* Which host a line belongs to: its own, or (not a record) the line before's. */
static const char *line_host(const char *line, size_t len, char *last, size_t lastlen)
{
	struct rg_audit_record rec;
	const char *why;

	if (rg_audit_record_parse(line, len, &rec, &why) == 0)
		snprintf(last, lastlen, "%s", rec.host);
	rg_audit_record_clear(&rec);
	return last;
}

/* Feeds every file to the chains. Returns 0, or 2 (error, reported). */
static int feed_files(const struct options *o, struct chain *cs, size_t *n, struct rg_audit_mac *mac,
		bool *missing)
{
	char host[RG_AUDIT_HEAD_MAX] = "";
	struct chain *last = NULL;

	for (size_t i = 0; i < o->nfiles; i++) {
		struct reader r;
		size_t len;
		bool term;
		int got;

		if (reader_open(&r, o->files[i]) < 0) {
			if (errno == ENOENT) {
				missing[i] = true;
				continue;
			}
			return 2;
		}
		while ((got = next_line(&r, &len, &term, false)) == 1) {
			const char *h = line_host(r.line, len, host, sizeof(host));
			struct chain *c = find_chain(cs, *n, h);

			/* Records without a host (written before rolegate named hosts)
			 * belong to the chain they sit in, which the first record with
			 * a host names. */
			if (c == NULL && last != NULL && h[0] == '\0') {
				c = last;
			} else if (c == NULL && last != NULL && last->host[0] == '\0') {
				char *named = strdup(h);

				if (named != NULL) {
					free(last->host);
					last->host = named;
					c = last;
				}
			}
			if (c == NULL)
				c = chain_of(cs, n, h, mac, o);
			if (c == NULL) {
				reader_close(&r);
				return 2;
			}
			last = c;
			if (!c->broken &&
			    rg_audit_verifier_feed(c->v, i, r.lineno, r.line, len, term, &c->brk) < 0)
				c->broken = true;
		}
		reader_close(&r);
		if (got < 0)
			return 2;
	}
	return 0;
}

static void print_break(const struct options *o, const struct chain *c)
{
	if (c->brk.line == 0)
		printf("%s: seq %llu: %s\n", o->files[o->nfiles - 1], (unsigned long long)c->brk.seq,
				c->brk.what);
	else
		printf("%s:%lu: seq %llu: %s\n", o->files[c->brk.file], c->brk.line,
				(unsigned long long)c->brk.seq, c->brk.what);
}

/*
 * Checks each host's chain; the head file beside the newest file, and the
 * anchor, must name records the chain holds (or that come before it).
 */
static int do_verify(struct options *o, struct rg_audit_mac *mac)
{
	struct chain *cs = calloc(MAX_HOSTS, sizeof(*cs));
	bool missing[MAX_FILES] = { false };
	struct head head;
	struct chain *hc = NULL, *ac = NULL;
	size_t n = 0, nmissing = 0;
	uint64_t total = 0;
	int rc, head_rc;

	if (cs == NULL) {
		fprintf(stderr, "rolegate: out of memory\n");
		return 2;
	}
	quiet_missing = true;
	order_files(o);
	head_rc = read_head(o->files[o->nfiles - 1], mac, &head);
	if (head_rc == 2) {
		rc = 2;
		goto out;
	}
	if (head.present && o->host != NULL && strcmp(head.host, o->host) != 0)
		head.present = false;   /* another host's head: not this chain's */
	/* The chains that head and anchor speak about exist even when empty. */
	if (head.present && (hc = chain_of(cs, &n, head.host, mac, o)) == NULL) {
		rc = 2;
		goto out;
	}
	if (head.present)
		(void)rg_audit_verifier_expect(hc->v, head.at.seq, head.at.hash, "the head file");
	rc = feed_files(o, cs, &n, mac, missing);
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < o->nfiles; i++) {
		if (!missing[i])
			continue;
		nmissing++;
		if (!head.present || i + 1 != o->nfiles) {
			fprintf(stderr, "rolegate: cannot open %s: %s\n", o->files[i], strerror(ENOENT));
			rc = 2;
			goto out;
		}
	}
	if (o->host != NULL && find_chain(cs, n, o->host) == NULL &&
	    chain_of(cs, &n, o->host, mac, o) == NULL) {
		rc = 2;
		goto out;
	}
	if (o->has_anchor) {
		if (n > 1 && o->host == NULL) {
			fprintf(stderr, "rolegate: the log holds the records of %zu hosts; say whose "
					"chain the anchor is for with --host\n", n);
			rc = 2;
			goto out;
		}
		/* Every chain was told of the anchor when it was made. */
		ac = o->host != NULL ? find_chain(cs, n, o->host) : n == 1 ? &cs[0] :
			chain_of(cs, &n, "", mac, o);
		if (ac == NULL) {
			rc = 2;
			goto out;
		}
	}
	if (nmissing > 0) {
		printf("%s: missing, but %s names seq %llu\n", o->files[o->nfiles - 1], head.path,
				(unsigned long long)head.at.seq);
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t records = 0;

		if (o->host != NULL && strcmp(cs[i].host, o->host) != 0)
			continue;   /* checked (the chains interleave), not asked about */
		if (!cs[i].broken && rg_audit_verifier_finish(cs[i].v, &records, &cs[i].brk) < 0)
			cs[i].broken = true;
		if (cs[i].broken) {
			print_break(o, &cs[i]);
			rc = 1;
			continue;
		}
		total += records;
		if (n > 1 && o->host == NULL)
			printf("host %s: %llu records checked, chain intact\n",
					cs[i].host[0] != '\0' ? cs[i].host : "(none)", (unsigned long long)records);
	}
	if (rc == 0 && head_rc != 0)
		rc = 1;    /* a bad head file, reported above; the chain was still checked */
	if (rc == 0) {
		if (head.present)
			printf("%s: seq %llu found\n", head.path, (unsigned long long)head.at.seq);
		if (ac != NULL)
			printf("anchor: seq %llu found\n", (unsigned long long)o->anchor.seq);
		printf("%llu records checked, chain intact%s\n", (unsigned long long)total,
				rg_audit_mac_keyed(mac) ? " (HMAC key)" : "");
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(cs[i].host);
		rg_audit_verifier_free(cs[i].v);
	}
	free(cs);
	return rc;
}

/* ---- sorted string sets (ids can be many) ---- */

struct set {
	char **v;
	size_t n, cap;
	bool sorted;
};

static int set_add(struct set *s, const char *str)
{
	if (s->n == s->cap) {
		size_t cap = s->cap > 0 ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if ((s->v[s->n] = strdup(str)) == NULL)
		return -1;
	s->n++;
	s->sorted = false;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_sort(struct set *s)
{
	size_t out = 0;

	if (s->sorted)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (size_t i = 0; i < s->n; i++) {
		if (out > 0 && strcmp(s->v[out - 1], s->v[i]) == 0) {
			free(s->v[i]);
			continue;
		}
		s->v[out++] = s->v[i];
	}
	s->n = out;
	s->sorted = true;
}

/* First index whose element is >= key. */
static size_t set_lower(const struct set *s, const char *key)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(s->v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool set_has(struct set *s, const char *key)
{
	size_t i;

	set_sort(s);
	i = set_lower(s, key);
	return i < s->n && strcmp(s->v[i], key) == 0;
}

/* How many elements start with prefix. */
static size_t set_count_prefix(struct set *s, const char *prefix)
{
	size_t len = strlen(prefix), n = 0;

	set_sort(s);
	for (size_t i = set_lower(s, prefix); i < s->n && strncmp(s->v[i], prefix, len) == 0; i++)
		n++;
	return n;
}

static void set_free(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- --object: the object, the ids it was created as, and their short forms ---- */

struct object_match {
	const char *name;
	struct set names;      /* names of the object (the asked name, names created with its id) */
	struct set ids;        /* ids the daemon returned for creates of it */
	struct set all_ids;    /* every id in the log: short forms must be unique among them */
	struct set all_names;  /* every name something was created as */
};

static bool is_hex_prefix(const char *s)
{
	size_t n = strlen(s);

	return n >= ID_PREFIX_MIN && strspn(s, "0123456789abcdef") == n;
}

/*
 * A rename dockerd carried out (its response record, 2xx): the object is the
 * old name, ?name= the new one. Either name of the object asked about makes
 * the other one of its names too, so --object follows renames both ways.
 */
static int object_learn_rename(struct object_match *m, const struct rg_audit_record *r)
{
	const char *q = strchr(r->uri, '?');
	char to[RG_OBJECT_MAX];

	if (q == NULL || rg_query_get(q + 1, "name", to, sizeof(to)) < 0 || to[0] == '\0' ||
	    r->object[0] == '\0')
		return 0;
	if (set_add(&m->all_names, to) < 0)
		return -1;
	if (strcmp(r->object, m->name) == 0 || set_has(&m->names, r->object) || set_has(&m->ids, r->object))
		return set_add(&m->names, to);
	if (strcmp(to, m->name) == 0 || set_has(&m->names, to))
		return set_add(&m->names, r->object);
	return 0;
}

/* Learns from a create's response record (object + id), and from renames.
 * Returns 0 or -1 (no memory). */
static int object_learn(struct object_match *m, const struct rg_audit_record *r)
{
	size_t nlen = strlen(m->name);

	if (strcmp(r->command, "container.rename") == 0 && strcmp(r->phase, "response") == 0 &&
	    r->status >= 200 && r->status <= 299)
		return object_learn_rename(m, r);
	if (r->id[0] == '\0')
		return 0;
	if (set_add(&m->all_ids, r->id) < 0 || (r->object[0] != '\0' && set_add(&m->all_names, r->object) < 0))
		return -1;
	if (strcmp(r->object, m->name) == 0 || strcmp(r->id, m->name) == 0 ||
	    (is_hex_prefix(m->name) && strncmp(r->id, m->name, nlen) == 0)) {
		if (set_add(&m->ids, r->id) < 0 || (r->object[0] != '\0' && set_add(&m->names, r->object) < 0))
			return -1;
	}
	return 0;
}

static bool object_matches(struct object_match *m, const struct rg_audit_record *r)
{
	const char *o = r->object;
	size_t i;

	if (strcmp(o, m->name) == 0 || strcmp(r->id, m->name) == 0)
		return true;
	if ((o[0] != '\0' && (set_has(&m->names, o) || set_has(&m->ids, o))) ||
	    (r->id[0] != '\0' && set_has(&m->ids, r->id)))
		return true;
	/* A short id, as docker users type it: a unique prefix of one of its ids. */
	if (!is_hex_prefix(o) || set_has(&m->all_names, o) || set_count_prefix(&m->all_ids, o) != 1)
		return false;
	set_sort(&m->ids);
	i = set_lower(&m->ids, o);
	return i < m->ids.n && strncmp(m->ids.v[i], o, strlen(o)) == 0;
}

static void object_free(struct object_match *m)
{
	set_free(&m->names);
	set_free(&m->ids);
	set_free(&m->all_ids);
	set_free(&m->all_names);
}

/* ---- query ---- */

/* Whether one detail value (a string, number or boolean) matches glob. */
static bool value_matches(const json_t *v, const char *glob)
{
	char num[64];

	if (json_is_string(v))
		return fnmatch(glob, json_string_value(v), 0) == 0;
	if (json_is_boolean(v))
		return fnmatch(glob, json_is_true(v) ? "true" : "false", 0) == 0;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return fnmatch(glob, num, 0) == 0;
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return fnmatch(glob, num, 0) == 0;
	}
	return false;
}

/*
 * --detail KEY=GLOB against a record's details: KEY names a field
 * ("limits.memory" reaches into an object; "bind" is "binds", as for every
 * list field); a list matches when any element matches.
 */
static bool detail_matches(const json_t *details, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char key[128], plural[130];
	const json_t *v = details;
	char *part, *save = NULL;
	size_t i;
	const json_t *x;

	if (details == NULL || (size_t)(eq - spec) >= sizeof(key))
		return false;
	memcpy(key, spec, (size_t)(eq - spec));
	key[eq - spec] = '\0';
	for (part = strtok_r(key, ".", &save); part != NULL && v != NULL;
	     part = strtok_r(NULL, ".", &save)) {
		const json_t *next = json_object_get(v, part);

		if (next == NULL) {
			snprintf(plural, sizeof(plural), "%ss", part);
			next = json_object_get(v, plural);
		}
		v = next;
	}
	if (v == NULL)
		return false;
	if (!json_is_array(v))
		return value_matches(v, eq + 1);
	json_array_foreach(v, i, x) {
		if (value_matches(x, eq + 1))
			return true;
	}
	return false;
}

static bool record_matches(const struct options *o, struct object_match *om,
		const struct rg_audit_record *r)
{
	if (o->has_since && r->time_us < o->since)
		return false;
	if (o->has_until && r->time_us > o->until)
		return false;
	if (r->system)
		return o->user == NULL && o->command == NULL && o->decision == NULL && o->object == NULL &&
			o->ndetails == 0 && (o->host == NULL || strcmp(r->host, o->host) == 0);
	if (o->user != NULL && strcmp(r->user, o->user) != 0)
		return false;
	if (o->command != NULL && !rg_pattern_match(o->command, r->command))
		return false;
	if (o->decision != NULL && strcmp(r->decision, o->decision) != 0)
		return false;
	if (o->object != NULL && !object_matches(om, r))
		return false;
	if (o->host != NULL && strcmp(r->host, o->host) != 0)
		return false;
	for (size_t i = 0; i < o->ndetails; i++) {
		if (!detail_matches(r->details, o->details[i]))
			return false;
	}
	return true;
}

#define NCOLS 7

/* One output row: the JSON line as stored, or the table cells. */
struct row {
	char *json;
	char *cell[NCOLS];
};

static const char *const headers[NCOLS] = {
	"TIME", "USER", "ROLES", "COMMAND", "OBJECT", "DECISION", "REASON",
};

static char *join_array(const json_t *a)
{
	size_t len = 1, i;
	const json_t *x;
	char *s;

	json_array_foreach(a, i, x)
		len += json_string_length(x) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	json_array_foreach(a, i, x) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, json_string_value(x));
	}
	return s;
}

/*
 * Whether the UTF-8 sequence at p is a character a terminal must not get
 * raw: the bidi embeddings, overrides and isolates (U+202A-202E,
 * U+2066-2069), which reorder what follows them on screen, and the line and
 * paragraph separators (U+2028, U+2029). Returns its code point, or 0.
 */
static unsigned hidden_char(const unsigned char *p)
{
	unsigned cp;

	if (p[0] != 0xe2 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
		return 0;
	cp = 0x2000u | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029)
		return cp;
	return 0;
}

/*
 * s with what a terminal would act on escaped: control characters as \xNN
 * (text) and the hidden characters above as \uXXXX (text and JSON, where
 * that spelling means the same character). Names and URIs come from the
 * network: a user called "\e[2J" or "\u202e" must not rewrite the screen
 * an auditor reads. Returns a new string, or NULL when out of memory.
 */
static char *escape_text(const char *s, bool json)
{
	size_t n = strlen(s);
	char *out = malloc(n * 4 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		unsigned cp = hidden_char(p);

		if (cp != 0) {
			o += sprintf(o, "\\u%04x", cp);
			p += 3;
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

/* A table cell: never empty, escaped (escape_text). */
static char *cell(const char *s)
{
	return escape_text(s[0] != '\0' ? s : "-", false);
}

static int make_row(const struct options *o, const struct rg_audit_record *r, const char *line,
		size_t len, struct row *row)
{
	char extra[512];
	char *roles;

	memset(row, 0, sizeof(*row));
	if (o->json) {
		char *raw = strndup(line, len);

		row->json = raw != NULL ? escape_text(raw, true) : NULL;
		free(raw);
		return row->json != NULL ? 0 : -1;
	}
	if (r->system) {
		snprintf(extra, sizeof(extra), "audit.%s", r->event);
		row->cell[0] = cell(r->time);
		row->cell[1] = cell("");
		row->cell[2] = cell("");
		row->cell[3] = cell(extra);
		row->cell[4] = cell("");
		row->cell[5] = cell("");
		row->cell[6] = cell(r->note);
	} else {
		if (strcmp(r->phase, "response") == 0)
			snprintf(extra, sizeof(extra), "response: status %d%s%.64s", r->status,
					r->id[0] != '\0' ? ", id " : "", r->id);
		else if (strcmp(r->decision, "allow") == 0)
			snprintf(extra, sizeof(extra), "role %s", r->role);
		else
			snprintf(extra, sizeof(extra), "%s", r->reason);
		roles = r->roles != NULL ? join_array(r->roles) : strdup("");
		row->cell[0] = cell(r->time);
		row->cell[1] = cell(r->user);
		row->cell[2] = cell(roles != NULL ? roles : "");
		row->cell[3] = cell(r->command);
		row->cell[4] = cell(r->object);
		row->cell[5] = cell(r->decision);
		row->cell[6] = cell(extra);
		free(roles);
	}
	for (int i = 0; i < NCOLS; i++) {
		if (row->cell[i] == NULL)
			return -1;
	}
	return 0;
}

static void row_free(struct row *row)
{
	free(row->json);
	for (int i = 0; i < NCOLS; i++)
		free(row->cell[i]);
	memset(row, 0, sizeof(*row));
}

static void print_row(const struct row *row, const size_t *width)
{
	if (row->json != NULL) {
		printf("%s\n", row->json);
		return;
	}
	for (int i = 0; i < NCOLS - 1; i++)
		printf("%-*s  ", (int)width[i], row->cell[i]);
	printf("%s\n", row->cell[NCOLS - 1]);
}

/* Matching rows: all of them, or the last `limit` in a ring. */
struct rows {
	struct row *v;
	size_t n, cap, start, limit;
	uint64_t matched;
};

static int rows_add(struct rows *rs, struct row *row)
{
	rs->matched++;
	if (rs->limit > 0 && rs->n == rs->limit) {
		row_free(&rs->v[rs->start]);
		rs->v[rs->start] = *row;
		rs->start = (rs->start + 1) % rs->limit;
		return 0;
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap > 0 ? rs->cap * 2 : 64;
		struct row *v;

		if (rs->limit > 0 && cap > rs->limit)
			cap = rs->limit;
		v = realloc(rs->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *row;
	return 0;
}

static void rows_print(struct rows *rs, bool json, size_t *width)
{
	for (int c = 0; c < NCOLS; c++) {
		if (width[c] < strlen(headers[c]))
			width[c] = strlen(headers[c]);
	}
	for (size_t i = 0; i < rs->n && !json; i++) {
		for (int c = 0; c < NCOLS; c++) {
			size_t l = strlen(rs->v[i].cell[c]);

			if (l > width[c])
				width[c] = l;
		}
	}
	if (!json) {
		for (int c = 0; c < NCOLS - 1; c++)
			printf("%-*s  ", (int)width[c], headers[c]);
		printf("%s\n", headers[NCOLS - 1]);
	}
	for (size_t i = 0; i < rs->n; i++)
		print_row(&rs->v[(rs->start + i) % rs->n], width);
	fflush(stdout);
}

static void rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		row_free(&rs->v[i]);
	free(rs->v);
}

/* Pass one of --object: learn every create's id, so later short ids tie back. */
static int learn_objects(const struct options *o, struct object_match *om)
{
	for (size_t i = 0; i < o->nfiles; i++) {
		struct reader r;
		struct rg_audit_record rec;
		const char *why;
		size_t len;
		bool term;
		int got;

		if (reader_open(&r, o->files[i]) < 0)
			return -1;
		while ((got = next_line(&r, &len, &term, false)) == 1) {
			int bad = rg_audit_record_parse(r.line, len, &rec, &why) == 0 && object_learn(om, &rec) < 0;

			rg_audit_record_clear(&rec);
			if (bad) {
				fprintf(stderr, "rolegate: out of memory\n");
				reader_close(&r);
				return -1;
			}
		}
		reader_close(&r);
		if (got < 0)
			return -1;
	}
	return 0;
}

/* Handles one line for query: returns 1 matched (row filled), 0 not, -1 no memory. */
static int query_line(const struct options *o, struct object_match *om, const char *line, size_t len,
		struct row *row, unsigned long *invalid)
{
	struct rg_audit_record rec;
	const char *why;
	int rc = 0;

	if (rg_audit_record_parse(line, len, &rec, &why) < 0) {
		(*invalid)++;
		rg_audit_record_clear(&rec);
		return 0;
	}
	if (o->follow && o->object != NULL && object_learn(om, &rec) < 0)
		rc = -1;
	else if (record_matches(o, om, &rec))
		rc = make_row(o, &rec, line, len, row) < 0 ? -1 : 1;
	rg_audit_record_clear(&rec);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* --follow: print new matching records as they are appended; survive rotation. */
static int follow(const struct options *o, struct object_match *om, struct reader *r,
		const size_t *width, unsigned long *invalid)
{
	for (;;) {
		struct stat now, open_st;
		struct row row;
		size_t len;
		bool term;
		int got;

		while ((got = next_line(r, &len, &term, true)) == 1) {
			int m = query_line(o, om, r->line, len, &row, invalid);

			if (m < 0)
				return 2;
			if (m == 1) {
				print_row(&row, width);
				row_free(&row);
				fflush(stdout);
			}
		}
		if (got < 0)
			return 2;
		sleep_ms(FOLLOW_POLL_MS);
		if (fstat(fileno(r->f), &open_st) < 0)
			return 2;
		if (stat(r->name, &now) < 0)
			continue;  /* renamed, the new file not there yet */
		if (now.st_dev == open_st.st_dev && now.st_ino == open_st.st_ino) {
			if (now.st_size < ftell(r->f))
				fseek(r->f, 0, SEEK_SET);  /* truncated in place */
			continue;
		}
		/* Rotated: finish the old file, then go on with the new one. */
		while ((got = next_line(r, &len, &term, false)) == 1) {
			if (query_line(o, om, r->line, len, &row, invalid) == 1) {
				print_row(&row, width);
				row_free(&row);
			}
		}
		fclose(r->f);
		r->f = fopen(r->name, "re");
		r->lineno = 0;
		if (r->f == NULL) {
			fprintf(stderr, "rolegate: cannot open %s: %s\n", r->name, strerror(errno));
			return 2;
		}
	}
}

static int do_query(struct options *o)
{
	struct object_match om = { .name = o->object };
	struct rows rs = { .limit = o->limit };
	size_t width[NCOLS] = { 0 };
	unsigned long invalid = 0;
	int rc = 0;

	order_files(o);
	if (o->object != NULL && learn_objects(o, &om) < 0) {
		object_free(&om);
		return 2;
	}
	for (size_t i = 0; i < o->nfiles && rc == 0; i++) {
		bool last = i + 1 == o->nfiles;
		struct reader r;
		struct row row;
		size_t len;
		bool term;
		int got;

		if (reader_open(&r, o->files[i]) < 0) {
			rc = 2;
			break;
		}
		while ((got = next_line(&r, &len, &term, o->follow && last)) == 1) {
			int m = query_line(o, &om, r.line, len, &row, &invalid);

			if (m < 0 || (m == 1 && rows_add(&rs, &row) < 0)) {
				fprintf(stderr, "rolegate: out of memory\n");
				rc = 2;
				break;
			}
		}
		if (got < 0)
			rc = 2;
		if (rc == 0 && last && o->follow) {
			rows_print(&rs, o->json, width);
			rc = follow(o, &om, &r, width, &invalid);
		}
		reader_close(&r);
	}
	if (rc == 0 && !o->follow && rs.matched > 0)
		rows_print(&rs, o->json, width);
	if (invalid > 0)
		fprintf(stderr, "rolegate: %lu line(s) are not valid records (see 'rolegate log verify')\n",
				invalid);
	rows_free(&rs);
	object_free(&om);
	if (rc != 0)
		return rc;
	return rs.matched > 0 ? 0 : 1;
}

/* ---- stats ---- */

struct counter {
	char *key;
	uint64_t n;
};

struct counts {
	struct counter *v;
	size_t n;
};

static int count(struct counts *c, const char *key)
{
	struct counter *v;

	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].key, key) == 0) {
			c->v[i].n++;
			return 0;
		}
	}
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	c->v = v;
	if ((v[c->n].key = strdup(key)) == NULL)
		return -1;
	v[c->n++].n = 1;
	return 0;
}

static int cmp_counter(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void print_counts(const char *title, struct counts *c)
{
	size_t w = 0;

	qsort(c->v, c->n, sizeof(*c->v), cmp_counter);
	for (size_t i = 0; i < c->n; i++) {
		if (strlen(c->v[i].key) > w)
			w = strlen(c->v[i].key);
	}
	printf("\nby %s:\n", title);
	for (size_t i = 0; i < c->n; i++)
		printf("  %-*s  %llu\n", (int)w, c->v[i].key[0] != '\0' ? c->v[i].key : "-",
				(unsigned long long)c->v[i].n);
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].key);
	free(c->v);
}

static int do_stats(struct options *o)
{
	struct counts by_user = { 0 }, by_command = { 0 }, by_decision = { 0 };
	uint64_t decisions = 0, responses = 0, system = 0;
	unsigned long invalid = 0;
	char first[40] = "", last[40] = "";
	int rc = 0;

	order_files(o);
	for (size_t i = 0; i < o->nfiles && rc == 0; i++) {
		struct reader r;
		struct rg_audit_record rec;
		const char *why;
		size_t len;
		bool term;
		int got;

		if (reader_open(&r, o->files[i]) < 0) {
			rc = 2;
			break;
		}
		while (rc == 0 && (got = next_line(&r, &len, &term, false)) == 1) {
			if (rg_audit_record_parse(r.line, len, &rec, &why) < 0) {
				invalid++;
			} else if ((o->has_since && rec.time_us < o->since) ||
					(o->has_until && rec.time_us > o->until)) {
				/* outside the window */
			} else if (rec.system) {
				system++;
			} else if (strcmp(rec.phase, "response") == 0) {
				responses++;
			} else {
				decisions++;
				if (first[0] == '\0')
					snprintf(first, sizeof(first), "%s", rec.time);
				snprintf(last, sizeof(last), "%s", rec.time);
				if (count(&by_user, rec.user) < 0 || count(&by_command, rec.command) < 0 ||
				    count(&by_decision, rec.decision) < 0) {
					fprintf(stderr, "rolegate: out of memory\n");
					rc = 2;
				}
			}
			rg_audit_record_clear(&rec);
		}
		if (got < 0)
			rc = 2;
		reader_close(&r);
	}
	if (rc == 0) {
		printf("decisions: %llu", (unsigned long long)decisions);
		if (decisions > 0)
			printf(" (%s to %s)", first, last);
		printf("\nresponses recorded: %llu\nlog events: %llu\n", (unsigned long long)responses,
				(unsigned long long)system);
	}
	print_counts("decision", &by_decision);
	print_counts("user", &by_user);
	print_counts("command", &by_command);
	if (invalid > 0)
		fprintf(stderr, "rolegate: %lu line(s) are not valid records (see 'rolegate log verify')\n",
				invalid);
	return rc;
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
			"create of NAME returned (also as a unique short id). TIME is RFC 3339\n"
			"(2026-11-29T21:37:28Z; no offset = UTC) or relative (90s, 15m, 2h, 7d).\n"
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
			if (parse_anchor(optarg, &o->anchor) < 0)
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
	if (setup(&o, &p, &mac) < 0)
		return 2;
	switch (o.action) {
	case QUERY:
		rc = do_query(&o);
		break;
	case VERIFY:
		rc = do_verify(&o, mac);
		break;
	case STATS:
		rc = do_stats(&o);
		break;
	}
	rg_audit_mac_free(mac);
	rg_policy_free(p);
	return rc;
}
