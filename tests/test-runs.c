/*
 * The copy-up gate's daemon half (plugin/runs.c): a fake /proc says which
 * containers run; creates and starts let through are remembered until
 * their answer, matched by user, method, URI and body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rolegate/runs.h"
#include "rolegate/request.h"
#include "test.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char proc[64];

/* A process of the fake /proc in cgroup path. */
static void process(int pid, const char *path)
{
	char dir[128], file[160];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%d", proc, pid);
	mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/cgroup", dir);
	test_assert((f = fopen(file, "w")) != NULL);
	fprintf(f, "0::%s\n", path);
	fclose(f);
}

static void gone(int pid)
{
	char file[160];

	snprintf(file, sizeof(file), "%s/%d/cgroup", proc, pid);
	unlink(file);
	snprintf(file, sizeof(file), "%s/%d", proc, pid);
	rmdir(file);
}

static void call(struct rg_request *req, const char *method, const char *uri, const char *body)
{
	const char *err;

	test_assert(rg_request_init(req, "dave", "TLS", method, uri, (const unsigned char *)body,
			body != NULL ? strlen(body) : 0, 1 << 20, &err) == 0);
}

static struct rg_strv list(const char *a, const char *b)
{
	struct rg_strv v = { 0 };

	if (a != NULL)
		test_assert(rg_strv_push(&v, a) == 0);
	if (b != NULL)
		test_assert(rg_strv_push(&v, b) == 0);
	return v;
}

int main(void)
{
	const char *create_body = "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"vol:/data\"]}}";
	struct rg_request create, create2, start_a, start_b;
	struct rg_strv vols = list("vol", NULL), watch = list(ID_A, ID_B), a_vols = list("vol", NULL);
	struct rg_strv other = list("other", NULL);
	const struct rg_run_gate *g;
	struct rg_runs *r, *sim;
	char why[512];

	snprintf(proc, sizeof(proc), "/tmp/test-runs.XXXXXX");
	test_assert(mkdtemp(proc) != NULL);
	process(1, "/init.scope");
	test_assert((r = rg_runs_new(proc, true)) != NULL);
	g = rg_runs_gate(r);
	call(&create, "POST", "/v1.41/containers/create", create_body);
	call(&create2, "POST", "/v1.41/containers/create?name=two", create_body);
	call(&start_a, "POST", "/v1.41/containers/a/start", NULL);
	call(&start_b, "POST", "/v1.41/containers/b/start", NULL);

	/* nothing of A or B runs: the copy is let through, and holds vol */
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) == 0);
	/* a start of a container that mounts vol is refused meanwhile */
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) < 0);
	test_assert(strstr(why, "a create is copying an image's files into volume vol") != NULL);
	/* one that mounts something else is not; one rolegate cannot tell is */
	test_assert(g->start(g->arg, &start_b, ID_B, &other, why, sizeof(why)) == 0);
	rg_runs_answered(r, &start_b);
	test_assert(g->start(g->arg, &start_b, NULL, NULL, why, sizeof(why)) < 0);
	test_assert(strstr(why, "rolegate has no record of it") != NULL);
	/* the answer to another create does not end this one's hold */
	rg_runs_answered(r, &create2);
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) < 0);
	/* its own answer does: the start goes through, and is in flight */
	rg_runs_answered(r, &create);
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) == 0);
	/* a copy while A is being started is refused */
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) < 0);
	test_assert(strstr(why, "is being started") != NULL);
	/* the start's answer: A runs now, its process in a cgroup named by its id */
	process(42, "/system.slice/docker-" ID_A ".scope");
	rg_runs_answered(r, &start_a);
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) < 0);
	test_assert(strstr(why, "aaaaaaaaaaaa, which mounts it, is running") != NULL);
	/* a refused copy holds nothing: A's start is not refused for it */
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) == 0);
	rg_runs_answered(r, &start_a);
	/* A stopped (no process left): the copy goes through again */
	gone(42);
	process(43, "/docker/" ID_B "/sub");   /* B's, in a child cgroup */
	struct rg_strv only_a = list(ID_A, NULL);
	test_assert(g->copy(g->arg, &create, &vols, &only_a, why, sizeof(why)) == 0);
	rg_runs_answered(r, &create);
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) < 0);
	test_assert(strstr(why, "bbbbbbbbbbbb, which mounts it, is running") != NULL);
	gone(43);
	/* a start of an unknown container in flight counts against any watched one */
	test_assert(g->start(g->arg, &start_b, NULL, NULL, why, sizeof(why)) == 0);
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) < 0);
	struct rg_strv none = { 0 };
	test_assert(g->copy(g->arg, &create, &vols, &none, why, sizeof(why)) == 0);
	rg_runs_answered(r, &create);
	rg_runs_answered(r, &start_b);
	/* a request refused after all (its record lost) is as answered */
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) == 0);
	rg_runs_refused(r, &create);
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) == 0);
	rg_runs_answered(r, &start_a);

	/* two identical creates: the second, refused, leaves the first's hold */
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) == 0);
	process(44, "/docker/" ID_B);
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) < 0);
	gone(44);
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) < 0);
	rg_runs_answered(r, &create);
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) == 0);
	rg_runs_answered(r, &start_a);

	/* stops: a container with a restart policy is down once a stop of it
	 * is answered 2xx, until it is started again or dockerd starts */
	struct rg_request stop_a;
	call(&stop_a, "POST", "/v1.41/containers/a/stop", NULL);
	test_assert(!g->stopped(g->arg, ID_A));
	g->stop(g->arg, &stop_a, ID_A);
	stop_a.status = 0;              /* failed */
	rg_runs_answered(r, &stop_a);
	test_assert(!g->stopped(g->arg, ID_A));
	g->stop(g->arg, &stop_a, ID_A);
	stop_a.status = 204;
	rg_runs_answered(r, &stop_a);
	test_assert(g->stopped(g->arg, ID_A));
	/* started again: no longer */
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) == 0);
	test_assert(!g->stopped(g->arg, ID_A));
	rg_runs_answered(r, &start_a);
	/* a start let through while a stop is in flight voids the stop */
	g->stop(g->arg, &stop_a, ID_A);
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) == 0);
	stop_a.status = 204;
	rg_runs_answered(r, &stop_a);
	test_assert(!g->stopped(g->arg, ID_A));
	rg_runs_answered(r, &start_a);
	g->stop(g->arg, &stop_a, ID_A);
	stop_a.status = 204;
	rg_runs_answered(r, &stop_a);
	test_assert(g->stopped(g->arg, ID_A));
	/* dockerd started (it activated the plugin): it may have started it */
	rg_runs_daemon_started(r);
	test_assert(!g->stopped(g->arg, ID_A));
	/* a stop of a container rolegate cannot tell marks nothing */
	g->stop(g->arg, &stop_a, NULL);
	rg_runs_answered(r, &stop_a);
	test_assert(!g->stopped(g->arg, ID_A));
	rg_request_clear(&stop_a);
	rg_runs_free(r);

	/* answers that never come: starts never refused for room, copying
	 * creates bounded per user (one user's cannot refuse everyone's) */
	test_assert((r = rg_runs_new(proc, true)) != NULL);
	g = rg_runs_gate(r);
	for (int i = 0; i < RG_RUNS_STARTS_MAX + 100; i++)
		test_assert(g->start(g->arg, &start_b, ID_B, &other, why, sizeof(why)) == 0);
	for (int i = 0; i < RG_RUNS_USER_MAX; i++)
		test_assert(g->copy(g->arg, &create, &other, &none, why, sizeof(why)) == 0);
	test_assert(g->copy(g->arg, &create, &other, &none, why, sizeof(why)) < 0);
	test_assert(strstr(why, "already await their answer") != NULL);
	struct rg_request alice_create;
	const char *err;
	test_assert(rg_request_init(&alice_create, "alice", "TLS", "POST", "/v1.41/containers/create",
			(const unsigned char *)create_body, strlen(create_body), 1 << 20, &err) == 0);
	test_assert(g->copy(g->arg, &alice_create, &other, &none, why, sizeof(why)) == 0);
	rg_request_clear(&alice_create);
	rg_runs_free(r);

	/* the kernel's list cannot be read: nothing can be said not to run */
	test_assert((r = rg_runs_new("/nonexistent/proc", true)) != NULL);
	g = rg_runs_gate(r);
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) < 0);
	test_assert(strstr(why, "cannot be told") != NULL);
	/* with nothing to watch it is not asked */
	test_assert(g->copy(g->arg, &create, &vols, &none, why, sizeof(why)) == 0);
	rg_runs_free(r);

	/* a simulation (explain, test) remembers nothing */
	test_assert((sim = rg_runs_new(proc, false)) != NULL);
	g = rg_runs_gate(sim);
	test_assert(g->copy(g->arg, &create, &vols, &watch, why, sizeof(why)) == 0);
	test_assert(g->start(g->arg, &start_a, ID_A, &a_vols, why, sizeof(why)) == 0);
	rg_runs_free(sim);

	rg_request_clear(&create);
	rg_request_clear(&create2);
	rg_request_clear(&start_a);
	rg_request_clear(&start_b);
	rg_strv_free(&vols);
	rg_strv_free(&watch);
	rg_strv_free(&a_vols);
	rg_strv_free(&other);
	rg_strv_free(&only_a);
	gone(1);
	rmdir(proc);
	printf("runs: ok\n");
	return 0;
}
