/*
 * audit-load: drives the real audit writer (plugin/audit.c) the way serve
 * does, from several threads, for the audit tests and for quick figures.
 *
 *   audit-load CONF THREADS COUNT [DELAY_US]
 *
 * Opens the log of CONF's audit group, then each of THREADS threads appends
 * COUNT records (user "load-T", object "obj-T-I", uri "/load/T/I"), sleeping
 * DELAY_US between appends. After each append returns it prints one line on
 * stdout with a single write(2), so a test that kills the process knows
 * which appends were acknowledged: "ok T I" or "fail T I". SIGHUP calls
 * rg_audit_reopen(), as serve does. At the end it prints the rate on stderr.
 * Each thread writes its own records (rg_audit_direct), as serve's threads
 * do on a machine with more than one CPU; AUDIT_LOAD_LANE=1 sends them
 * through the writer's I/O thread instead, as with one server thread.
 * Exit 0 when every append succeeded, 1 when some failed, 2 on setup errors.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/audit.h"
#include "rolegate/policy.h"
#include "rolegate/policyfile.h"

struct job {
	struct rg_audit *audit;
	int thread;
	long count;
	long delay_us;
	long failed;
};

static void *run(void *arg)
{
	struct job *j = arg;
	char user[32], obj[48], uri[64], ack[96];
	struct rg_strv groups = { 0 }, roles = { 0 };

	snprintf(user, sizeof(user), "load-%d", j->thread);
	if (rg_strv_push(&groups, "loaders") < 0 || rg_strv_push(&roles, "ops") < 0)
		return NULL;
	for (long i = 0; i < j->count; i++) {
		struct rg_audit_entry e = {
			.phase = RG_PHASE_REQUEST, .user = user, .authn = "TLS", .groups = &groups,
			.roles = &roles, .command = "container.start", .object = obj, .method = "POST",
			.uri = uri, .decision = i % 10 == 9 ? RG_DENY : RG_ALLOW, .role = "ops",
			.reason = "load test deny",
		};
		int r, n;

		snprintf(obj, sizeof(obj), "obj-%d-%ld", j->thread, i);
		snprintf(uri, sizeof(uri), "/load/%d/%ld", j->thread, i);
		r = rg_audit_append(j->audit, &e);
		if (r < 0)
			j->failed++;
		n = snprintf(ack, sizeof(ack), "%s %d %ld\n", r == 0 ? "ok" : "fail", j->thread, i);
		if (write(1, ack, (size_t)n) != n)
			break;
		if (j->delay_us > 0) {
			struct timespec ts = { j->delay_us / 1000000, (j->delay_us % 1000000) * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	rg_strv_free(&groups);
	rg_strv_free(&roles);
	return NULL;
}

static void *on_hup(void *arg)
{
	struct rg_audit *a = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	for (;;) {
		if (sigwait(&set, &sig) == 0 && rg_audit_reopen(a) < 0)
			fprintf(stderr, "audit-load: reopen failed\n");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;
	struct rg_audit *a;
	struct job *jobs;
	pthread_t *tids, hup;
	struct timespec t0, t1;
	sigset_t set;
	char err[512];
	long failed = 0, total;
	int threads;
	double secs;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: audit-load CONF THREADS COUNT [DELAY_US]\n");
		return 2;
	}
	p = rg_policy_load(argv[1], &errs, NULL);
	if (p == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i));
		return 2;
	}
	threads = atoi(argv[2]);
	total = atol(argv[3]);
	if (threads < 1 || threads > 1024 || total < 0)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	a = rg_audit_open(&p->audit, err, sizeof(err));
	if (a == NULL) {
		fprintf(stderr, "audit-load: %s\n", err);
		rg_policy_free(p);
		return 2;
	}
	if (getenv("AUDIT_LOAD_LANE") == NULL && rg_audit_direct(a, NULL, NULL) < 0) {
		fprintf(stderr, "audit-load: cannot start the audit watchdog\n");
		rg_audit_close(a);
		rg_policy_free(p);
		return 2;
	}
	pthread_create(&hup, NULL, on_hup, a);
	jobs = calloc((size_t)threads, sizeof(*jobs));
	tids = calloc((size_t)threads, sizeof(*tids));
	if (jobs == NULL || tids == NULL)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < threads; i++) {
		jobs[i] = (struct job){ a, i, total, argc == 5 ? atol(argv[4]) : 0, 0 };
		pthread_create(&tids[i], NULL, run, &jobs[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		failed += jobs[i].failed;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "audit-load: %ld appends by %d threads in %.3f s: %.0f appends/s, %.1f us each "
			"(sync %s)\n", total * threads, threads, secs, (double)(total * threads) / secs,
			secs * 1e6 / (double)(total * threads),
			p->audit.sync == RG_SYNC_ALWAYS ? "always" : p->audit.sync == RG_SYNC_BATCH ? "batch" : "none");
	rg_audit_close(a);
	rg_policy_free(p);
	free(jobs);
	free(tids);
	return failed > 0 ? 1 : 0;
}
