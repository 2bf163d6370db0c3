/* `rolegate log verify`: the hash chain, one per host, against the head file
 * and an anchor (SPEC.md §2, §6; docs/audit.md). */
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
#include "cli_log.h"

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
	struct stat st;
	ssize_t n;
	int fd, r;

	memset(h, 0, sizeof(*h));
	snprintf(h->path, sizeof(h->path), "%s.head", file);
	/* Non-blocking and regular files only: a FIFO put there must not hang
	 * the verify (a nightly check that never ends never reports). */
	fd = open(h->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "rolegate: cannot open %s: %s\n", h->path, strerror(errno));
		return 2;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		printf("%s: not a regular file, so not a head file rolegate wrote\n", h->path);
		return 1;
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0) {
		fprintf(stderr, "rolegate: cannot read %s: %s\n", h->path, strerror(errno));
		return 2;
	}
	r = rg_audit_head_parse(text, (size_t)n, h->host, &h->at, mac);
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
int cli_log_parse_anchor(const char *s, struct rg_audit_chain *c)
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

		if (cli_log_reader_open(&r, o->files[i]) < 0) {
			if (errno == ENOENT) {
				missing[i] = true;
				continue;
			}
			return 2;
		}
		while ((got = cli_log_next_line(&r, &len, &term, false)) == 1) {
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
				cli_log_reader_close(&r);
				return 2;
			}
			last = c;
			if (!c->broken &&
			    rg_audit_verifier_feed(c->v, i, r.lineno, r.line, len, term, &c->brk) < 0)
				c->broken = true;
		}
		cli_log_reader_close(&r);
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
int cli_log_verify(struct options *o, struct rg_audit_mac *mac)
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
	cli_log_quiet_missing = true;
	cli_log_order_files(o);
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
	/*
	 * --host that names no host of a log holding records (a typo, the
	 * wrong file) vouches for nothing: no match, not "chain intact".
	 */
	if (rc == 0 && o->host != NULL && total == 0 && n > 1) {
		printf("no records of host %s in the log (it holds records of:", o->host);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(cs[i].host, o->host) != 0)
				printf(" %s", cs[i].host[0] != '\0' ? cs[i].host : "(none)");
		}
		printf(")\n");
		rc = 1;
	}
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
