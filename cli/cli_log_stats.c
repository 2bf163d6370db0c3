/* `rolegate log stats`: counts by user, command and decision. */
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
#include "cli_log.h"

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

int cli_log_stats(struct options *o)
{
	struct counts by_user = { 0 }, by_command = { 0 }, by_decision = { 0 };
	uint64_t decisions = 0, responses = 0, system = 0;
	unsigned long invalid = 0;
	char first[40] = "", last[40] = "";
	int rc = 0;

	cli_log_order_files(o);
	for (size_t i = 0; i < o->nfiles && rc == 0; i++) {
		struct reader r;
		struct rg_audit_record rec;
		const char *why;
		size_t len;
		bool term;
		int got;

		if (cli_log_reader_open(&r, o->files[i]) < 0) {
			rc = 2;
			break;
		}
		while (rc == 0 && (got = cli_log_next_line(&r, &len, &term, false)) == 1) {
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
		cli_log_reader_close(&r);
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
