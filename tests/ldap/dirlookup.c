/*
 * dirlookup: resolves users through the directory (directory/dircache.c over
 * directory/ldap.c) exactly as the daemon does, for the LDAP integration tests
 * and for measuring lookup latency.
 *
 *   dirlookup -c CONF [--time] USER...
 *       one line per user: "USER: SOURCE: G1,G2" or "USER: error: MESSAGE",
 *       with --time followed by " (N.N ms)"
 *   dirlookup -c CONF --stdin [--time]
 *       the same for each line read from stdin, flushed after each, so that
 *       a test can keep one cache alive while it stops and starts slapd;
 *       the line "!stats" prints the counters, "!reread" re-reads the bind
 *       password file (as a reload does) and prints "reread: ok" or why not
 *   dirlookup -c CONF --concurrency N [--repeat M] USER...
 *       N threads released together, each resolving M times, thread t
 *       asking for USER number (t + i) mod count at its i-th turn; prints
 *       how many answers came from each source, how many failed, and how
 *       many differed from the first answer for the same user, then the
 *       counters
 *   dirlookup -c CONF --bench N USER
 *       one lookup, then N more: prints the latency of the first and the
 *       mean of the others (with cache_ttl = 0 every one asks LDAP)
 *   --stats prints the counters at the end: "stats: lookups=N hits=N ..."
 *
 * Exit status: 0, 1 when any lookup failed, 2 on usage or setup errors.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rolegate/directory.h"
#include "rolegate/policy.h"
#include "rolegate/policyfile.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_stats(struct rg_directory *d)
{
	struct rg_directory_stats st;

	rg_directory_stats(d, &st);
	printf("stats: lookups=%lu hits=%lu shared=%lu stale=%lu failures=%lu denied=%lu "
			"evictions=%lu connects=%lu users=%zu fresh=%lu\n",
			st.lookups, st.hits, st.shared, st.stale, st.failures, st.denied,
			st.evictions, st.connects, st.users, st.fresh);
	fflush(stdout);
}

/* Resolves one user and prints the answer line. Returns 0 or -1. */
static int resolve(struct rg_directory *d, const char *user, bool timed)
{
	struct rg_strv groups = { 0 };
	enum rg_group_source source = RG_GROUPS_STATIC;
	const char *errstr = NULL;
	char joined[8192];
	double t0 = now_s(), ms;
	int rc;

	rc = rg_directory_groups(d, user, &groups, &source, &errstr);
	ms = (now_s() - t0) * 1000.0;
	if (rc == 0)
		printf("%s: %s: %s", user, rg_group_source_name(source),
				rg_strv_join(&groups, ",", joined, sizeof(joined)));
	else
		printf("%s: error: %s", user, errstr);
	if (timed)
		printf(" (%.1f ms)", ms);
	printf("\n");
	fflush(stdout);
	rg_strv_free(&groups);
	return rc;
}

struct stampede {
	struct rg_directory *d;
	char **users;
	int nusers;
	int repeat;
	pthread_barrier_t start;
	pthread_mutex_t lock;
	unsigned long by_source[RG_GROUPS_UNAVAILABLE + 1];
	unsigned long errors;
	unsigned long mismatches;  /* answers that differ from the first one for that user */
	char **first;              /* per user: the first answer's groups, joined */
	int next_thread;
};

static void *stampede_thread(void *arg)
{
	struct stampede *s = arg;
	int self;

	pthread_mutex_lock(&s->lock);
	self = s->next_thread++;
	pthread_mutex_unlock(&s->lock);
	pthread_barrier_wait(&s->start);
	for (int i = 0; i < s->repeat; i++) {
		int u = (self + i) % s->nusers;
		struct rg_strv groups = { 0 };
		enum rg_group_source source = RG_GROUPS_STATIC;
		const char *errstr = NULL;
		char joined[8192];
		int rc = rg_directory_groups(s->d, s->users[u], &groups, &source, &errstr);

		rg_strv_join(&groups, ",", joined, sizeof(joined));
		pthread_mutex_lock(&s->lock);
		if (rc == 0) {
			s->by_source[source]++;
			if (s->first[u] == NULL)
				s->first[u] = strdup(joined);
			else if (strcmp(s->first[u], joined) != 0)
				s->mismatches++;
		} else {
			s->errors++;
		}
		pthread_mutex_unlock(&s->lock);
		rg_strv_free(&groups);
	}
	return NULL;
}

static int run_stampede(struct rg_directory *d, char **users, int nusers, int threads, int repeat)
{
	struct stampede s = { .d = d, .users = users, .nusers = nusers, .repeat = repeat };
	pthread_t *tids;
	int started = 0;

	tids = calloc((size_t)threads, sizeof(*tids));
	s.first = calloc((size_t)nusers, sizeof(*s.first));
	if (tids == NULL || s.first == NULL)
		return 2;
	pthread_barrier_init(&s.start, NULL, (unsigned)threads);
	pthread_mutex_init(&s.lock, NULL);
	for (; started < threads; started++) {
		if (pthread_create(&tids[started], NULL, stampede_thread, &s) != 0)
			break;
	}
	if (started < threads) {
		/* the barrier would never open */
		fprintf(stderr, "dirlookup: could not start %d threads\n", threads);
		return 2;
	}
	for (int i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	for (int src = 0; src <= RG_GROUPS_UNAVAILABLE; src++) {
		if (s.by_source[src] > 0)
			printf("%s=%lu ", rg_group_source_name((enum rg_group_source)src), s.by_source[src]);
	}
	printf("errors=%lu mismatches=%lu\n", s.errors, s.mismatches);
	for (int u = 0; u < nusers; u++)
		free(s.first[u]);
	free(s.first);
	pthread_barrier_destroy(&s.start);
	pthread_mutex_destroy(&s.lock);
	free(tids);
	return s.errors > 0 || s.mismatches > 0 ? 1 : 0;
}

static int run_bench(struct rg_directory *d, const char *user, int n)
{
	double t0, first, rest;
	int failed = 0;

	t0 = now_s();
	failed |= resolve(d, user, false) != 0;
	first = now_s() - t0;
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		struct rg_strv groups = { 0 };
		enum rg_group_source source;
		const char *errstr;

		failed |= rg_directory_groups(d, user, &groups, &source, &errstr) != 0;
		rg_strv_free(&groups);
	}
	rest = now_s() - t0;
	printf("bench: first %.3f ms, then %d lookups at %.3f us each (%.0f/s)\n",
			first * 1e3, n, n > 0 ? rest / n * 1e6 : 0.0, n > 0 && rest > 0 ? n / rest : 0.0);
	return failed ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: dirlookup -c CONF [--time] [--stats] USER...\n"
			"       dirlookup -c CONF --stdin [--time]\n"
			"       dirlookup -c CONF --concurrency N [--repeat M] USER...\n"
			"       dirlookup -c CONF --bench N USER\n");
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	bool timed = false, from_stdin = false, stats = false;
	int concurrency = 0, repeat = 1, bench = -1, status = 0, i;
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;
	struct rg_directory *d;
	char err[1024];

	/* libldap writes to sockets the server may have closed */
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "--time") == 0)
			timed = true;
		else if (strcmp(argv[i], "--stdin") == 0)
			from_stdin = true;
		else if (strcmp(argv[i], "--stats") == 0)
			stats = true;
		else if (strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc)
			concurrency = atoi(argv[++i]);
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
			bench = atoi(argv[++i]);
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			usage();
			return 2;
		}
	}
	if (conf == NULL || (!from_stdin && i >= argc) || concurrency < 0 || repeat < 1) {
		usage();
		return 2;
	}
	p = rg_policy_load(conf, &errs, NULL);
	if (p == NULL) {
		for (size_t k = 0; k < errs.n; k++)
			fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, k));
		rg_errlist_free(&errs);
		return 2;
	}
	if (!p->ldap.enabled) {
		fprintf(stderr, "dirlookup: %s: no identity.ldap\n", conf);
		rg_policy_free(p);
		return 2;
	}
	d = rg_directory_new(&p->ldap, err, sizeof(err));
	/* the directory keeps no pointer into the policy */
	rg_policy_free(p);
	if (d == NULL) {
		fprintf(stderr, "dirlookup: %s\n", err);
		return 2;
	}

	if (concurrency > 0) {
		status = run_stampede(d, argv + i, argc - i, concurrency, repeat);
	} else if (bench >= 0) {
		status = run_bench(d, argv[i], bench);
	} else if (from_stdin) {
		char line[4096];

		while (fgets(line, sizeof(line), stdin) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (strcmp(line, "!stats") == 0) {
				print_stats(d);
			} else if (strcmp(line, "!reread") == 0) {
				if (rg_directory_reread_secret(d, err, sizeof(err)) == 0)
					printf("reread: ok\n");
				else
					printf("reread: %s\n", err);
				fflush(stdout);
			} else if (resolve(d, line, timed) != 0) {
				status = 1;
			}
		}
	} else {
		for (; i < argc; i++) {
			if (resolve(d, argv[i], timed) != 0)
				status = 1;
		}
	}
	if (stats || concurrency > 0)
		print_stats(d);
	rg_directory_free(d);
	return status;
}
