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

/* Keys are user names and commands from the log, hence from the network:
 * printed escaped, as log query prints them (cli_log_escape). */
static int print_counts(const char *title, struct counts *c, bool print)
{
	size_t w = 0;
	int rc = print ? 0 : 1;

	if (c->n > 1)   /* qsort's base may not be NULL, even for none (an empty or unreadable log) */
		qsort(c->v, c->n, sizeof(*c->v), cmp_counter);
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		char *e = cli_log_cell(c->v[i].key);

		if (e == NULL) {
			rc = -1;
			break;
		}
		free(c->v[i].key);
		c->v[i].key = e;
		if (strlen(e) > w)
			w = strlen(e);
	}
	if (rc == 0) {
		printf("\nby %s:\n", title);
		for (size_t i = 0; i < c->n; i++)
			printf("  %-*s  %llu\n", (int)w, c->v[i].key, (unsigned long long)c->v[i].n);
	}
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].key);
	free(c->v);
	return rc < 0 ? -1 : 0;
}

struct stats {
	const struct options *o;
	struct counts by_user, by_command, by_decision;
	uint64_t decisions, responses, system;
	unsigned long invalid;
	char first[40], last[40];
};

/* Counts one line (cli_log_line_fn). */
static int count_line(void *arg, const struct reader *r, size_t len)
{
	struct stats *s = arg;
	const struct options *o = s->o;
	struct rg_audit_record rec;
	const char *why;
	int rc = 0;

	if (rg_audit_record_parse(r->line, len, &rec, &why) < 0) {
		s->invalid++;
	} else if ((o->has_since && rec.time_us < o->since) ||
			(o->has_until && rec.time_us > o->until)) {
		/* outside the window */
	} else if (rec.system) {
		s->system++;
	} else if (strcmp(rec.phase, "response") == 0) {
		s->responses++;
	} else {
		s->decisions++;
		if (s->first[0] == '\0')
			snprintf(s->first, sizeof(s->first), "%s", rec.time);
		snprintf(s->last, sizeof(s->last), "%s", rec.time);
		if (count(&s->by_user, rec.user) < 0 || count(&s->by_command, rec.command) < 0 ||
		    count(&s->by_decision, rec.decision) < 0) {
			fprintf(stderr, "rolegate: out of memory\n");
			rc = 2;
		}
	}
	rg_audit_record_clear(&rec);
	return rc;
}

int cli_log_stats(struct options *o)
{
	struct stats s = { .o = o };
	int rc;

	cli_log_order_files(o);
	rc = cli_log_each_line(o, count_line, &s, NULL);
	if (rc == 0) {
		printf("decisions: %llu", (unsigned long long)s.decisions);
		if (s.decisions > 0)
			printf(" (%s to %s)", s.first, s.last);
		printf("\nresponses recorded: %llu\nlog events: %llu\n", (unsigned long long)s.responses,
				(unsigned long long)s.system);
	}
	/* a log that could not be read prints nothing but the error: no table of
	 * zeros that reads like an empty log */
	if ((print_counts("decision", &s.by_decision, rc == 0) | print_counts("user", &s.by_user, rc == 0) |
	     print_counts("command", &s.by_command, rc == 0)) != 0) {
		fprintf(stderr, "rolegate: out of memory\n");
		rc = 2;
	}
	if (s.invalid > 0)
		fprintf(stderr, "rolegate: %lu line(s) are not valid records (see 'rolegate log verify')\n",
				s.invalid);
	return rc;
}
