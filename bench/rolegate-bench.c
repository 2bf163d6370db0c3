/*
 * rolegate-bench: how fast rolegate answers dockerd, measured against the
 * limit of its transport.
 *
 * Replays authorization calls captured from a real dockerd (bench/calls,
 * recorded by bench/capture-calls.sh) over a Unix socket with N concurrent
 * keep-alive connections, and prints throughput and p50/p99/p99.9 latency
 * for three kinds of server on the same socket transport and the same calls:
 *
 *   null      a minimal libmicrohttpd responder that answers {"Allow":true}
 *             without any work: the limit of the transport;
 *   parse     a responder that decodes each call with jansson the way any
 *             plugin must (outer JSON, base64 body, inner JSON) and nothing
 *             else: the floor for a jansson plugin;
 *   rolegate  `rolegate serve` with a generated config (static users, audit
 *             log on, audit.sync as asked).
 *
 * The two references are this same program started as child processes
 * (`rolegate-bench serve-null|serve-parse SOCKET READY-FD`), with the same
 * libmicrohttpd setup as rolegate (internal thread pool of one thread per
 * core, epoll, a socket bound by the program itself). Runs are interleaved
 * (every server once per round) and the median of the rounds is printed,
 * so that a noisy neighbour hurts all three alike.
 *
 * Load shapes (--mode): reads (ping + list), mixed (ping + list + create),
 * creates; with audit.sync = "batch" only the allowed create request waits
 * for its record's fdatasync (SPEC.md §3).
 *
 * It prints figures; it is not a test and has no pass/fail time limit. The
 * targets of issue 18 are printed beside the ratios for orientation.
 *
 * `rolegate-bench time-cmd [-n N] [-w W] -- CMD...` times a command N times,
 * its output to /dev/null (bench/docker-e2e.sh uses it for `docker ps` and
 * `docker run` without a plugin, with the null responder and with rolegate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>

#include "bench-config.h"
#include "rgclient.h"
#include "rolegate/bodybuf.h"

#ifndef BENCH_CALLS_DIR
#define BENCH_CALLS_DIR "bench/calls"
#endif
#ifndef BENCH_ROLEGATE
#define BENCH_ROLEGATE "rolegate"
#endif

/* The same room rolegate leaves around a maximal body (plugin/serve.c). */
#define REF_CALL_MAX (4194304 / 3 * 4 + 4 + 1024 * 1024)
#define READY_TIMEOUT_MS 30000
/* The references run libmicrohttpd the way plugin/serve.c does. */
#ifndef REF_MHD_FLAGS
#define REF_MHD_FLAGS (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC)
#endif
#define MAX_CONNS 1024
#define MAX_SERVERS 8
#define MAX_ROUNDS 15
#define MAX_CONN_LEVELS 8
#define MAX_MODES 4
/* The fdatasync probe: this many appends of a record-sized line, each synced. */
#define FSYNC_PROBE_COUNT 300
#define FSYNC_PROBE_LINE 600

/*
 * The shapes of load (--mode), each a set of captured calls sent round-robin.
 * With audit.sync = "batch" only an allowed mutating request waits for its
 * record to be durable (SPEC.md §3): durable says how many of a mode's calls
 * do, for the fsync floor printed with the mixed mode.
 */
struct mode {
	const char *name;
	const char *only;          /* rgc_calls_load's list */
	int durable;               /* calls of the set that wait for a fdatasync */
	struct rgc_call *calls;
	int ncalls;
};

static struct mode modes_all[MAX_MODES] = {
	{ "reads", "ping.req,ps.req,ps.res,tls-ping.req,tls-ps.req,tls-ps.res", 0, NULL, 0 },
	{ "mixed", "ping.req,ps.req,ps.res,tls-ping.req,tls-ps.req,tls-ps.res,"
		"tls-create.req,tls-create.res", 1, NULL, 0 },
	{ "creates", "tls-create.req,tls-create.res", 1, NULL, 0 },
	/* The same container created and removed in turn: each a journal line
	 * (a create repeated with its id already recorded writes none). */
	{ "churn", "tls-create.res,tls-teardown.res", 2, NULL, 0 },
};

/* ---- the reference responders ------------------------------------------ */

struct ref_call {
	char *buf;
	size_t len, cap;
	bool too_big;
};

static enum MHD_Result ref_answer(struct MHD_Connection *c, unsigned status, const char *json)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), (void *)json,
			MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/vnd.docker.plugins.v1+json");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char allow_json[] = "{\"Allow\":true}";

/* The transport limit: consume the upload, answer allow. */
static enum MHD_Result null_handle(void *cls, struct MHD_Connection *c, const char *url,
		const char *method, const char *version, const char *upload, size_t *upload_size,
		void **con_cls)
{
	static char started;

	(void)cls; (void)method; (void)version; (void)upload;   /* the callback's signature */
	if (*con_cls == NULL) {
		*con_cls = &started;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/Plugin.Activate") == 0)
		return ref_answer(c, 200, "{\"Implements\":[\"authz\"]}");
	return ref_answer(c, 200, allow_json);
}

/* Decodes standard base64 into a new buffer. Returns its length or -1. */
static long b64_decode(const char *in, size_t len, unsigned char **out)
{
	int n;

	*out = NULL;
	if (len % 4 != 0 || len > (1u << 30))
		return -1;
	*out = malloc(len / 4 * 3 + 1);
	if (*out == NULL)
		return -1;
	if (len == 0)
		return 0;
	n = EVP_DecodeBlock(*out, (const unsigned char *)in, (int)len);
	if (n < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	if (in[len - 1] == '=')
		n--;
	if (in[len - 2] == '=')
		n--;
	return n;
}

/* A base64 member of call holding JSON: decode it and parse it. */
static int decode_member(const json_t *call, const char *key)
{
	const json_t *v = json_object_get(call, key);
	unsigned char *raw;
	json_t *inner;
	long n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	n = b64_decode(json_string_value(v), json_string_length(v), &raw);
	if (n < 0)
		return -1;
	inner = n > 0 ? json_loadb((const char *)raw, (size_t)n, JSON_DECODE_ANY, NULL) : NULL;
	free(raw);
	if (n > 0 && inner == NULL)
		return -1;
	json_decref(inner);
	return 0;
}

/* The jansson floor: accumulate the call with a cap, parse it, decode the
 * bodies, answer allow (or an error when the call does not decode). */
static enum MHD_Result parse_handle(void *cls, struct MHD_Connection *c, const char *url,
		const char *method, const char *version, const char *upload, size_t *upload_size,
		void **con_cls)
{
	(void)cls; (void)method; (void)version;   /* the callback's signature */
	struct ref_call *call = *con_cls;
	json_t *o;
	int bad;

	if (call == NULL) {
		call = calloc(1, sizeof(*call));
		*con_cls = call;
		return call != NULL ? MHD_YES : MHD_NO;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (call->too_big)
			return MHD_YES;
		if (call->len + n > REF_CALL_MAX) {
			call->too_big = true;
			return MHD_YES;
		}
		if (rg_bodybuf_append(&call->buf, &call->len, &call->cap, upload, n, 0) < 0)
			return MHD_NO;
		return MHD_YES;
	}
	if (strcmp(url, "/Plugin.Activate") == 0)
		return ref_answer(c, 200, "{\"Implements\":[\"authz\"]}");
	if (call->too_big)
		return ref_answer(c, 200, "{\"Allow\":false,\"Msg\":\"too big\"}");
	o = json_loadb(call->buf != NULL ? call->buf : "", call->len, 0, NULL);
	bad = !json_is_object(o) || decode_member(o, "RequestBody") < 0 ||
		decode_member(o, "ResponseBody") < 0;
	json_decref(o);
	if (bad)
		return ref_answer(c, 400, "{\"Err\":\"the call does not decode\"}");
	return ref_answer(c, 200, allow_json);
}

static void parse_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		enum MHD_RequestTerminationCode toe)
{
	struct ref_call *call = *con_cls;

	(void)cls; (void)c; (void)toe;   /* the callback's signature */
	if (call != NULL) {
		free(call->buf);
		free(call);
	}
	*con_cls = NULL;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* `rolegate-bench serve-null|serve-parse SOCKET READY-FD`: serves until SIGTERM. */
static int serve_reference(bool parse, const char *path, int ready_fd)
{
	unsigned threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	struct MHD_Daemon *d;
	sigset_t set;
	int fd, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	fd = listen_unix(path);
	if (fd < 0) {
		fprintf(stderr, "rolegate-bench: cannot listen on %s: %s\n", path, strerror(errno));
		return 2;
	}
	d = MHD_start_daemon(REF_MHD_FLAGS,
			0, NULL, NULL, parse ? parse_handle : null_handle, NULL,
			MHD_OPTION_LISTEN_SOCKET, fd,
			MHD_OPTION_THREAD_POOL_SIZE, threads < 1 ? 1u : threads,
			MHD_OPTION_CONNECTION_LIMIT, 4096u,
			MHD_OPTION_CONNECTION_TIMEOUT, 300u,
			/* plugin/serve.c's RG_MHD_CONN_MEMORY: libmicrohttpd zeroes
			 * the pool per call, so the references must not pay for a
			 * larger one than rolegate does */
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
			MHD_OPTION_NOTIFY_COMPLETED, parse ? parse_completed : NULL, NULL,
			MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "rolegate-bench: cannot start the HTTP server\n");
		return 2;
	}
	if (ready_fd >= 0) {
		if (write(ready_fd, "\n", 1) != 1)
			fprintf(stderr, "rolegate-bench: cannot signal readiness\n");
		close(ready_fd);
	}
	sigdelset(&set, SIGPIPE);
	while (sigwait(&set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	close(fd);
	unlink(path);
	return 0;
}

/* ---- servers under test ------------------------------------------------ */

enum server_kind { SERVER_NULL, SERVER_PARSE, SERVER_ROLEGATE };

struct server {
	enum server_kind kind;
	char label[64];
	char sync[16];             /* rolegate: audit.sync */
	char sock[108];
	char config[4096];
	char log[4096];
	const char *bin;           /* rolegate: this binary instead of --rolegate (--rolegate-base) */
	pid_t pid;
};

/* Starts a server as a child process and waits for its readiness byte. */
static int server_start(struct server *s, const char *self, const char *rolegate)
{
	int pfd[2];
	char ready[16];
	struct pollfd p;
	int r;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (s->pid == 0) {
		int log = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (log >= 0)
			dup2(log, STDERR_FILENO);
		dup2(pfd[1], 3);       /* dup2 clears FD_CLOEXEC on 3 */
		snprintf(ready, sizeof(ready), "%d", 3);
		if (s->kind == SERVER_ROLEGATE)
			execl(s->bin != NULL ? s->bin : rolegate, "rolegate", "serve", "-c", s->config, "--socket", s->sock,
					"--ready-fd", ready, "--stderr", (char *)NULL);
		else
			execl(self, "rolegate-bench", s->kind == SERVER_NULL ? "serve-null" : "serve-parse",
					s->sock, ready, (char *)NULL);
		fprintf(stderr, "rolegate-bench: cannot run %s: %s\n",
				s->kind == SERVER_ROLEGATE ? rolegate : self, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	p.fd = pfd[0];
	p.events = POLLIN;
	do
		r = poll(&p, 1, READY_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r <= 0 || read(pfd[0], ready, 1) != 1) {
		close(pfd[0]);
		fprintf(stderr, "rolegate-bench: %s did not become ready (log: %s)\n", s->label, s->log);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
		return -1;
	}
	close(pfd[0]);
	return 0;
}

/* SIGTERM, and the exit status (0 is a clean drain). */
static int server_stop(struct server *s)
{
	int status = 0;

	if (s->pid <= 0)
		return 0;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 3000; i++) {
		pid_t w = waitpid(s->pid, &status, WNOHANG);

		if (w == s->pid) {
			s->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(10000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	return -1;
}

static int write_config(const char *tmpl, const char *dir, const char *sync, const char *out)
{
	FILE *f = fopen(out, "w");

	if (f == NULL)
		return -1;
	for (const char *p = tmpl; *p != '\0';) {
		if (strncmp(p, "@DIR@", 5) == 0) {
			fputs(dir, f);
			p += 5;
		} else if (strncmp(p, "@SYNC@", 6) == 0) {
			fputs(sync, f);
			p += 6;
		} else {
			fputc(*p++, f);
		}
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* ---- the load generator ------------------------------------------------ */

struct run {
	const char *sock;
	const struct rgc_call *calls;
	int ncalls;
	long per_thread;           /* requests per connection */
	long long deadline_ns;     /* rgc_now_ns() after which no more are sent (0: none) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready;                 /* threads connected and waiting */
	int go;                    /* 1: start, -1: give up */
	atomic_long done;
	atomic_long verdicts[4];   /* enum rgc_verdict */
	atomic_long failures;      /* no answer: connection errors */
	const char *first_failure;
};

struct worker {
	struct run *run;
	int id;
	uint32_t *lat;             /* ns per request */
	long n;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;
	struct rgc_conn conn = { .fd = -1 };
	struct rgc_response r;
	int connected = rgc_connect(&conn, run->sock);

	pthread_mutex_lock(&run->lock);
	run->ready++;
	pthread_cond_broadcast(&run->cond);
	while (run->go == 0)
		pthread_cond_wait(&run->cond, &run->lock);
	pthread_mutex_unlock(&run->lock);
	for (long i = 0; run->go > 0 && i < run->per_thread; i++) {
		const struct rgc_call *call = &run->calls[(w->id + i) % run->ncalls];
		long long t0, t1;
		enum rgc_verdict v;

		if (connected < 0) {
			connected = rgc_connect(&conn, run->sock);
			if (connected < 0) {
				atomic_fetch_add(&run->failures, 1);
				run->first_failure = "cannot connect";
				continue;
			}
		}
		t0 = rgc_now_ns();
		if (run->deadline_ns > 0 && t0 > run->deadline_ns)
			break;
		if (rgc_roundtrip(&conn, call, &r, 60000) < 0) {
			atomic_fetch_add(&run->failures, 1);
			run->first_failure = r.err;
			rgc_disconnect(&conn);
			connected = -1;
			continue;
		}
		t1 = rgc_now_ns();
		w->lat[w->n++] = (uint32_t)(t1 - t0 > UINT32_MAX ? UINT32_MAX : t1 - t0);
		/* The common answer is checked by its bytes; anything else parsed. */
		if (r.status == 200 && r.body_len == sizeof(allow_json) - 1 &&
		    memcmp(r.body, allow_json, r.body_len) == 0)
			v = RGC_ALLOW;
		else
			v = rgc_verdict_of(&r);
		atomic_fetch_add(&run->verdicts[v], 1);
		atomic_fetch_add_explicit(&run->done, 1, memory_order_relaxed);
		if (r.close) {
			rgc_disconnect(&conn);
			connected = -1;
		}
	}
	rgc_close(&conn);
	return NULL;
}

struct result {
	long requests;
	double seconds;
	double rps;
	double p50, p99, p999, max;     /* µs */
	double cpu_us;                  /* server CPU per request, µs */
	double csw;                     /* server context switches per request */
	double vcsw;                    /* of which voluntary (blocked) */
	long rss_before, rss_after;     /* kB */
	long verdicts[4];
	long failures;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint32_t *v, long n, double q)
{
	long i;

	if (n == 0)
		return 0;
	i = (long)(q * (double)(n - 1) + 0.5);
	return v[i] / 1000.0;
}

/* RSS samples taken while a run goes on. */
struct rss_sampler {
	pid_t pid;
	struct run *run;
	int interval_ms;
	atomic_bool stop;
	long done[4096];
	long kb[4096];
	int n;
};

static void *sampler_main(void *arg)
{
	struct rss_sampler *s = arg;

	while (!atomic_load(&s->stop) && s->n < 4096) {
		s->done[s->n] = atomic_load(&s->run->done);
		s->kb[s->n] = rgc_rss_kb(s->pid);
		s->n++;
		for (int i = 0; i < s->interval_ms / 10 && !atomic_load(&s->stop); i++)
			usleep(10000);
	}
	return NULL;
}

/* One measurement: count requests over conns connections. */
static int measure(const char *sock, pid_t pid, const struct rgc_call *calls, int ncalls,
		int conns, long count, long max_ms, struct rss_sampler *sampler, struct result *res)
{
	struct run run = { .sock = sock, .calls = calls, .ncalls = ncalls,
		.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct worker w[MAX_CONNS];
	pthread_t t[MAX_CONNS], st;
	uint32_t *all;
	long long t0, t1;
	struct rgc_sched s0, s1;
	long n = 0;
	int sched0, sched1;
	int rc = 0, started = 0;

	memset(res, 0, sizeof(*res));
	run.per_thread = (count + conns - 1) / conns;
	for (int i = 0; i < conns; i++) {
		w[i] = (struct worker){ .run = &run, .id = i };
		w[i].lat = malloc((size_t)run.per_thread * sizeof(uint32_t));
		if (w[i].lat == NULL || pthread_create(&t[i], NULL, worker_main, &w[i]) != 0) {
			fprintf(stderr, "rolegate-bench: cannot start the load threads\n");
			free(w[i].lat);
			pthread_mutex_lock(&run.lock);
			run.go = -1;
			pthread_cond_broadcast(&run.cond);
			pthread_mutex_unlock(&run.lock);
			for (int k = 0; k < started; k++) {
				pthread_join(t[k], NULL);
				free(w[k].lat);
			}
			return -1;
		}
		started++;
	}
	/* Every connection open before the clock starts. */
	pthread_mutex_lock(&run.lock);
	while (run.ready < conns)
		pthread_cond_wait(&run.cond, &run.lock);
	pthread_mutex_unlock(&run.lock);
	res->rss_before = rgc_rss_kb(pid);
	sched0 = rgc_sched(pid, &s0);
	if (sampler != NULL) {
		sampler->run = &run;
		sampler->pid = pid;
		atomic_store(&sampler->stop, false);
		pthread_create(&st, NULL, sampler_main, sampler);
	}
	t0 = rgc_now_ns();
	run.deadline_ns = max_ms > 0 ? t0 + (long long)max_ms * 1000000 : 0;
	pthread_mutex_lock(&run.lock);
	run.go = 1;
	pthread_cond_broadcast(&run.cond);
	pthread_mutex_unlock(&run.lock);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	t1 = rgc_now_ns();
	sched1 = rgc_sched(pid, &s1);
	res->rss_after = rgc_rss_kb(pid);
	if (sampler != NULL) {
		atomic_store(&sampler->stop, true);
		pthread_join(st, NULL);
		if (sampler->n < 4096) {
			sampler->done[sampler->n] = atomic_load(&run.done);
			sampler->kb[sampler->n++] = res->rss_after;
		}
	}

	for (int i = 0; i < conns; i++)
		n += w[i].n;
	all = malloc((size_t)(n > 0 ? n : 1) * sizeof(uint32_t));
	if (all == NULL) {
		rc = -1;
	} else {
		long k = 0;

		for (int i = 0; i < conns; i++) {
			memcpy(all + k, w[i].lat, (size_t)w[i].n * sizeof(uint32_t));
			k += w[i].n;
		}
		qsort(all, (size_t)n, sizeof(uint32_t), cmp_u32);
		res->requests = n;
		res->seconds = (double)(t1 - t0) / 1e9;
		res->rps = (double)n / res->seconds;
		res->p50 = pct(all, n, 0.50);
		res->p99 = pct(all, n, 0.99);
		res->p999 = pct(all, n, 0.999);
		res->max = n > 0 ? all[n - 1] / 1000.0 : 0;
		if (n > 0 && sched0 == 0 && sched1 == 0) {
			res->cpu_us = (double)(s1.cpu_ns - s0.cpu_ns) / 1000.0 / (double)n;
			res->vcsw = (double)(s1.voluntary - s0.voluntary) / (double)n;
			res->csw = res->vcsw + (double)(s1.involuntary - s0.involuntary) / (double)n;
		} else {
			res->cpu_us = res->csw = res->vcsw = -1;
		}
		for (int v = 0; v < 4; v++)
			res->verdicts[v] = atomic_load(&run.verdicts[v]);
		res->failures = atomic_load(&run.failures);
		if (res->failures > 0)
			fprintf(stderr, "rolegate-bench: %ld calls got no answer (first: %s)\n",
					res->failures, run.first_failure);
	}
	free(all);
	for (int i = 0; i < conns; i++)
		free(w[i].lat);
	return rc;
}

/* ---- reporting --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median over the rounds of each figure (each figure separately). */
static void summarize(const struct result *r, int rounds, struct result *out)
{
	double v[MAX_ROUNDS];

	memset(out, 0, sizeof(*out));
#define MED(field) do { \
		for (int i = 0; i < rounds; i++) \
			v[i] = (double)r[i].field; \
		out->field = median(v, rounds); \
	} while (0)
	MED(rps);
	MED(p50);
	MED(p99);
	MED(p999);
	MED(max);
	MED(cpu_us);
	MED(csw);
	MED(vcsw);
#undef MED
	for (int i = 0; i < rounds; i++) {
		out->requests += r[i].requests;
		out->failures += r[i].failures;
		for (int k = 0; k < 4; k++)
			out->verdicts[k] += r[i].verdicts[k];
		if (r[i].rss_after > out->rss_after)
			out->rss_after = r[i].rss_after;
	}
}

static void print_row(const char *label, const struct result *m)
{
	printf("  %-24s %9.0f %9.1f %9.1f %9.1f %9.1f %8.1f %6.2f/%-5.2f %8ld %7ld %5ld/%ld/%ld\n", label,
			m->rps, m->p50, m->p99, m->p999, m->max, m->cpu_us, m->csw, m->vcsw, m->rss_after,
			m->failures,
			m->verdicts[RGC_ALLOW], m->verdicts[RGC_DENY],
			m->verdicts[RGC_ERROR] + m->verdicts[RGC_GARBLED]);
}

/* ---- time-cmd ------------------------------------------------------------ */

static int time_cmd(int argc, char **argv)
{
	int n = 100, warm = 5, opt;
	double *ms;

	optind = 1;
	while ((opt = getopt(argc, argv, "+n:w:")) != -1) {
		switch (opt) {
		case 'n': n = atoi(optarg); break;
		case 'w': warm = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind >= argc || n < 1) {
		fprintf(stderr, "usage: rolegate-bench time-cmd [-n N] [-w WARMUP] [--] CMD [ARG...]\n");
		return 2;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	if (ms == NULL)
		return 2;
	for (int i = -warm; i < n; i++) {
		long long t0 = rgc_now_ns();
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			/* stderr too: docker run warns on every run here (no networking) */
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "rolegate-bench: %s failed\n", argv[optind]);
			free(ms);
			return 1;
		}
		if (i >= 0)
			ms[i] = (double)(rgc_now_ns() - t0) / 1e6;
	}
	qsort(ms, (size_t)n, sizeof(double), cmp_double);
	printf("runs %d  median %.2f ms  p10 %.2f ms  p90 %.2f ms  min %.2f ms  max %.2f ms\n", n,
			ms[n / 2], ms[n / 10], ms[n * 9 / 10], ms[0], ms[n - 1]);
	free(ms);
	return 0;
}

/* ---- the fsync floor ----------------------------------------------------- */

/*
 * What one durable record costs on the work directory's disk: the mean of
 * FSYNC_PROBE_COUNT appends of a record-sized line, each followed by
 * fdatasync, in µs (-1 on error). A call that must wait for its record can
 * go no faster than its work plus this, one at a time.
 */
static double fsync_probe(const char *dir)
{
	char path[4200], line[FSYNC_PROBE_LINE];
	long long t0, t1;
	int fd;

	snprintf(path, sizeof(path), "%s/fsync-probe", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	t0 = rgc_now_ns();
	for (int i = 0; i < FSYNC_PROBE_COUNT; i++) {
		if (write(fd, line, sizeof(line)) != (ssize_t)sizeof(line) || fdatasync(fd) < 0) {
			close(fd);
			return -1;
		}
	}
	t1 = rgc_now_ns();
	close(fd);
	unlink(path);
	return (double)(t1 - t0) / 1000.0 / FSYNC_PROBE_COUNT;
}

/* The issue-18 target for rolegate against the parse-only reference, if any. */
static const char *target_of(const char *mode, const char *sync, int conns)
{
	if (strcmp(sync, "batch") == 0 && strcmp(mode, "reads") == 0)
		return " (target >= 1.0, p99 <= 1.2x)";
	if (strcmp(sync, "batch") == 0 && strcmp(mode, "mixed") == 0)
		return conns > 1 ? " (target >= 0.8)" : " (target: the fsync floor)";
	if (strcmp(sync, "none") == 0 && strcmp(mode, "mixed") == 0)
		return " (target >= 1.2, p99 <= 1.0x)";
	return "";
}

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rolegate-bench [OPTIONS]\n"
		"       rolegate-bench time-cmd [-n N] [-w WARMUP] -- CMD [ARG...]\n"
		"\n"
		"Replays captured dockerd calls against a null responder, a parse-only\n"
		"responder and rolegate on Unix sockets, and prints throughput, latency\n"
		"percentiles and rolegate's ratios to both references.\n"
		"  --rolegate PATH    the rolegate binary (default %s)\n"
		"  --calls DIR        captured calls (default %s)\n"
		"  --mode LIST        load shapes: reads (ping + list), mixed (ping + list +\n"
		"                     create), creates, churn (create + remove, each a\n"
		"                     journal line); all = the four (default all)\n"
		"  --only NAMES       only these calls, e.g. tls-create.req,tls-ps.req\n"
		"                     (one load shape instead of --mode)\n"
		"  --conns LIST       concurrent keep-alive connections (default 1,8)\n"
		"  --count N          requests per run (default 20000)\n"
		"  --max-time S       ... or as many as S seconds allow, whichever is fewer\n"
		"                     (default 2; 0 = no limit): sync=always on a slow disk\n"
		"                     would otherwise take minutes per run\n"
		"  --rounds N         interleaved rounds; the median is printed (default 3)\n"
		"  --warmup N         calls sent to each server before the rounds (default\n"
		"                     count / 10, at least 1000; 0 = none)\n"
		"  --sync LIST        audit.sync values to run rolegate with (default all =\n"
		"                     none,batch,always)\n"
		"  --template FILE    rolegate config template (@DIR@, @SYNC@ replaced);\n"
		"                     default: a built-in one with static users\n"
		"  --servers LIST     any of null,parse,rolegate (default all three)\n"
		"  --rolegate-base FILE  a second rolegate binary (e.g. the commit before a\n"
		"                     change), run beside the first for each --sync, in the\n"
		"                     same interleaved rounds, labelled \"base\"\n"
		"  --long N           then N more requests to rolegate, printing its VmRSS\n"
		"                     along the way (e.g. 1000000)\n"
		"  --long-conns N     connections for --long (default 8)\n"
		"  --long-sync MODE   the rolegate of --long (default batch, else the first)\n"
		"  --keep             keep the work directory (configs, logs, audit logs)\n",
		BENCH_ROLEGATE, BENCH_CALLS_DIR);
}

static int parse_list(const char *s, int *out, int max)
{
	int n = 0;

	for (const char *p = s; p != NULL && *p != '\0' && n < max;) {
		out[n] = atoi(p);
		if (out[n] < 1 || out[n] > MAX_CONNS)
			return -1;
		n++;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return n;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f == NULL)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void remove_dir(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "rolegate-bench: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rolegate", required_argument, NULL, 'r' },
		{ "rolegate-base", required_argument, NULL, 'B' },
		{ "calls", required_argument, NULL, 'C' },
		{ "only", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "conns", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'N' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "max-time", required_argument, NULL, 'T' },
		{ "sync", required_argument, NULL, 's' },
		{ "template", required_argument, NULL, 't' },
		{ "servers", required_argument, NULL, 'S' },
		{ "long", required_argument, NULL, 'L' },
		{ "long-conns", required_argument, NULL, 'l' },
		{ "long-sync", required_argument, NULL, 'y' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rolegate = BENCH_ROLEGATE, *base = NULL, *calls_dir = BENCH_CALLS_DIR, *only = NULL;
	const char *syncs = "none,batch,always", *modes_opt = "all", *servers_opt = "null,parse,rolegate", *long_sync = "batch";
	char *tmpl = NULL;
	int levels[MAX_CONN_LEVELS] = { 1, 8 }, nlevels = 2, rounds = 3, long_conns = 8, opt;
	long count = 20000, long_count = 0, max_ms = 2000, warmup = -1;
	bool keep = false;
	struct server servers[MAX_SERVERS];
	int nservers = 0, first_rg = -1, rc = 0;
	struct rgc_call *calls;
	int ncalls;
	struct mode modes[MAX_MODES];
	int nmodes = 0;
	double fsync_us;
	char dir[] = "/tmp/rgbench.XXXXXX", self[4096];
	static struct result res[MAX_SERVERS][MAX_MODES][MAX_CONN_LEVELS][MAX_ROUNDS];
	static struct result sum[MAX_SERVERS][MAX_MODES][MAX_CONN_LEVELS];
	struct rlimit rl;
	size_t body_total = 0;
	ssize_t sl;

	if (argc >= 2 && (strcmp(argv[1], "serve-null") == 0 || strcmp(argv[1], "serve-parse") == 0)) {
		if (argc != 4)
			return 2;
		return serve_reference(strcmp(argv[1], "serve-parse") == 0, argv[2], atoi(argv[3]));
	}
	if (argc >= 2 && strcmp(argv[1], "time-cmd") == 0)
		return time_cmd(argc - 1, argv + 1);

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': rolegate = optarg; break;
		case 'B': base = optarg; break;
		case 'C': calls_dir = optarg; break;
		case 'o': only = optarg; break;
		case 'm': modes_opt = optarg; break;
		case 'n':
			nlevels = parse_list(optarg, levels, MAX_CONN_LEVELS);
			if (nlevels < 1) {
				fprintf(stderr, "rolegate-bench: --conns takes numbers from 1 to %d\n", MAX_CONNS);
				return 2;
			}
			break;
		case 'N': count = atol(optarg); break;
		case 'R': rounds = atoi(optarg); break;
		case 'W': warmup = atol(optarg); break;
		case 'T': max_ms = (long)(atof(optarg) * 1000); break;
		case 's': syncs = strcmp(optarg, "all") == 0 ? "none,batch,always" : optarg; break;
		case 't':
			tmpl = read_text(optarg);
			if (tmpl == NULL) {
				fprintf(stderr, "rolegate-bench: cannot read %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			break;
		case 'S': servers_opt = optarg; break;
		case 'L': long_count = atol(optarg); break;
		case 'l': long_conns = atoi(optarg); break;
		case 'y': long_sync = optarg; break;
		case 'k': keep = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || count < 1 || rounds < 1 || rounds > MAX_ROUNDS || long_conns < 1 ||
	    long_conns > MAX_CONNS) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl < 0) {
		perror("rolegate-bench: /proc/self/exe");
		return 2;
	}
	self[sl] = '\0';
	/* Room for 2 fds per connection per server. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);

	ncalls = rgc_calls_load(calls_dir, only, &calls);
	if (ncalls < 0)
		return 2;
	if (only != NULL) {
		modes[nmodes++] = (struct mode){ .name = "only", .only = only };
	} else {
		for (int i = 0; i < MAX_MODES; i++) {
			if (strcmp(modes_opt, "all") == 0 || strstr(modes_opt, modes_all[i].name) != NULL)
				modes[nmodes++] = modes_all[i];
		}
	}
	if (nmodes == 0) {
		fprintf(stderr, "rolegate-bench: --mode takes reads, mixed, creates, churn or all\n");
		return 2;
	}
	for (int m = 0; m < nmodes; m++) {
		modes[m].ncalls = rgc_calls_load(calls_dir, modes[m].only, &modes[m].calls);
		if (modes[m].ncalls < 0)
			return 2;
	}
	if (mkdtemp(dir) == NULL) {
		perror("rolegate-bench: mkdtemp");
		return 2;
	}

	if (strstr(servers_opt, "null") != NULL) {
		struct server *s = &servers[nservers++];

		*s = (struct server){ .kind = SERVER_NULL };
		snprintf(s->label, sizeof(s->label), "null (MHD limit)");
	}
	if (strstr(servers_opt, "parse") != NULL) {
		struct server *s = &servers[nservers++];

		*s = (struct server){ .kind = SERVER_PARSE };
		snprintf(s->label, sizeof(s->label), "parse-only (jansson)");
	}
	if (strstr(servers_opt, "rolegate") != NULL) {
		for (const char *p = syncs; p != NULL && *p != '\0' && nservers < MAX_SERVERS;) {
			struct server *s = &servers[nservers];
			size_t len = strcspn(p, ",");

			char sync[sizeof(s->sync)];

			snprintf(sync, sizeof(sync), "%.*s", (int)len, p);
			*s = (struct server){ .kind = SERVER_ROLEGATE };
			memcpy(s->sync, sync, sizeof(sync));
			snprintf(s->label, sizeof(s->label), "rolegate sync=%s", sync);
			snprintf(s->config, sizeof(s->config), "%s/rolegate-%s.conf", dir, sync);
			if (write_config(tmpl != NULL ? tmpl : bench_default_template, dir, sync, s->config) < 0) {
				fprintf(stderr, "rolegate-bench: cannot write %s\n", s->config);
				rc = 2;
				goto out;
			}
			if (first_rg < 0)
				first_rg = nservers;
			nservers++;
			if (base != NULL && nservers < MAX_SERVERS) {
				struct server *b = &servers[nservers++];

				*b = *s;
				b->bin = base;
				snprintf(b->label, sizeof(b->label), "base sync=%s", sync);
				snprintf(b->config, sizeof(b->config), "%s/base/rolegate-%s.conf", dir, sync);
				snprintf(b->sock, sizeof(b->sock), "%s/base", dir);
				if (mkdir(b->sock, 0700) < 0 && errno != EEXIST) {
					fprintf(stderr, "rolegate-bench: cannot make %s\n", b->sock);
					rc = 2;
					goto out;
				}
				if (write_config(tmpl != NULL ? tmpl : bench_default_template, b->sock, sync,
						b->config) < 0) {
					fprintf(stderr, "rolegate-bench: cannot write %s\n", b->config);
					rc = 2;
					goto out;
				}
			}
			p = p[len] == ',' ? p + len + 1 : NULL;
		}
	}
	for (int i = 0; i < nservers; i++) {
		struct server *s = &servers[i];

		snprintf(s->sock, sizeof(s->sock), "%s/s%d.sock", dir, i);
		snprintf(s->log, sizeof(s->log), "%s/server%d.log", dir, i);
		if (server_start(s, self, rolegate) < 0) {
			rc = 2;
			goto out;
		}
	}

	printf("rolegate-bench: calls from %s, %ld CPUs, %d round(s) of %ld requests (at most %.1f s) "
			"per server, load shape and connection count\n", calls_dir,
			sysconf(_SC_NPROCESSORS_ONLN), rounds, count, (double)max_ms / 1000);
	for (int m = 0; m < nmodes; m++) {
		body_total = 0;
		for (int i = 0; i < modes[m].ncalls; i++)
			body_total += modes[m].calls[i].body_len;
		printf("  %-8s %d calls round-robin (mean %zu bytes), %d of them wait for a fdatasync "
				"with sync=batch\n", modes[m].name, modes[m].ncalls,
				body_total / (size_t)modes[m].ncalls, modes[m].durable);
	}
	fsync_us = fsync_probe(dir);
	printf("work directory %s (audit logs there; its filesystem decides what sync costs):\n"
			"  a %d-byte append + fdatasync there takes %.1f µs (mean of %d)\n\n", dir,
			FSYNC_PROBE_LINE, fsync_us, FSYNC_PROBE_COUNT);

	/* Each call once against each server: what each answers. */
	printf("%-22s", "answers");
	for (int i = 0; i < nservers; i++)
		printf(" %-22s", servers[i].label);
	printf("\n");
	for (int c = 0; c < ncalls; c++) {
		printf("%-22s", calls[c].name);
		for (int i = 0; i < nservers; i++) {
			struct rgc_conn conn = { .fd = -1 };
			struct rgc_response r;
			const char *what;

			if (rgc_connect(&conn, servers[i].sock) < 0)
				what = "cannot connect";
			else if (rgc_roundtrip(&conn, &calls[c], &r, 10000) < 0)
				what = r.err;
			else
				what = rgc_verdict_name(rgc_verdict_of(&r));
			printf(" %-22s", what);
			rgc_close(&conn);
		}
		printf("\n");
	}
	printf("\n");

	/*
	 * Warm up each server (thread pools, caches, page faults). A fixed
	 * --warmup makes the calls a server gets exact, which bench/profile.sh
	 * needs to turn its counters into figures per call.
	 */
	if (warmup < 0)
		warmup = count / 10 > 1000 ? count / 10 : 1000;
	for (int i = 0; i < nservers && warmup > 0; i++) {
		struct result warm;

		measure(servers[i].sock, servers[i].pid, calls, ncalls, levels[nlevels - 1],
				warmup, max_ms / 2, NULL, &warm);
	}

	/* Interleaved: every server once per mode and connection count, each round. */
	for (int round = 0; round < rounds; round++) {
		for (int m = 0; m < nmodes; m++) {
			for (int l = 0; l < nlevels; l++) {
				for (int i = 0; i < nservers; i++) {
					if (measure(servers[i].sock, servers[i].pid, modes[m].calls,
							modes[m].ncalls, levels[l], count, max_ms, NULL,
							&res[i][m][l][round]) < 0) {
						rc = 2;
						goto out;
					}
				}
			}
		}
		fprintf(stderr, "rolegate-bench: round %d of %d done\n", round + 1, rounds);
	}

	for (int m = 0; m < nmodes; m++) {
		for (int l = 0; l < nlevels; l++) {
			printf("%s, %d connection(s): median of %d rounds\n", modes[m].name, levels[l], rounds);
			printf("  %-24s %9s %9s %9s %9s %9s %8s %12s %8s %7s %s\n", "server", "req/s",
					"p50 µs", "p99 µs", "p99.9 µs", "max µs", "cpu µs", "csw/vol", "RSS kB",
					"failed", "allow/deny/err");
			for (int i = 0; i < nservers; i++) {
				summarize(res[i][m][l], rounds, &sum[i][m][l]);
				print_row(servers[i].label, &sum[i][m][l]);
			}
			for (int i = 0; i < nservers; i++) {
				if (servers[i].kind != SERVER_ROLEGATE)
					continue;
				for (int ref = 0; ref < nservers; ref++) {
					const struct result *a = &sum[i][m][l], *b = &sum[ref][m][l];

					if (servers[ref].kind == SERVER_ROLEGATE)
						continue;
					printf("  %s / %s: throughput %.0f / %.0f = %.3f, p99 %.1f / %.1f µs = "
							"%.2fx%s\n", servers[i].label,
							servers[ref].kind == SERVER_NULL ? "null" : "parse-only",
							a->rps, b->rps, a->rps / b->rps, a->p99, b->p99, a->p99 / b->p99,
							servers[ref].kind == SERVER_PARSE ?
							target_of(modes[m].name, servers[i].sync, levels[l]) : "");
				}
			}
			/*
			 * The floor of a durable call at one connection: each call
			 * waits for its own fdatasync, so rolegate is bound to
			 * 1 / (its work + write, as measured with sync = none, +
			 * the fdatasync share of the mix).
			 */
			for (int i = 0; i < nservers; i++) {
				const struct result *none = &sum[i][m][l];

				if (servers[i].kind != SERVER_ROLEGATE || strcmp(servers[i].sync, "none") != 0 ||
				    levels[l] != 1 || modes[m].durable == 0 || fsync_us <= 0 || none->rps <= 0)
					continue;
				printf("  fsync floor at 1 connection: 1 / (%.1f µs work + write (sync=none) + "
						"%d/%d x %.1f µs fdatasync) = %.0f req/s\n", 1e6 / none->rps,
						modes[m].durable, modes[m].ncalls, fsync_us,
						1e6 / (1e6 / none->rps + fsync_us * modes[m].durable / modes[m].ncalls));
			}
			printf("\n");
		}
	}

	if (long_count > 0 && first_rg >= 0) {
		static struct rss_sampler sampler = { .interval_ms = 1000 };
		struct server *s = &servers[first_rg];

		for (int i = first_rg; i < nservers; i++) {
			if (strcmp(servers[i].sync, long_sync) == 0)
				s = &servers[i];
		}
		struct result r;
		long lo = -1, hi = -1;

		printf("long run: %ld requests to %s over %d connection(s), VmRSS every second\n",
				long_count, s->label, long_conns);
		if (measure(s->sock, s->pid, calls, ncalls, long_conns, long_count, 0, &sampler, &r) < 0) {
			rc = 2;
			goto out;
		}
		printf("  %12s %10s\n", "requests", "VmRSS kB");
		for (int i = 0; i < sampler.n; i++) {
			if (sampler.n <= 40 || i % (sampler.n / 40 + 1) == 0 || i == sampler.n - 1)
				printf("  %12ld %10ld\n", sampler.done[i], sampler.kb[i]);
			if (i > 0 && (lo < 0 || sampler.kb[i] < lo))
				lo = sampler.kb[i];
			if (sampler.kb[i] > hi)
				hi = sampler.kb[i];
		}
		printf("  %ld requests in %.1f s (%.0f req/s), p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, "
				"%ld failed, allow/deny/err %ld/%ld/%ld\n",
				r.requests, r.seconds, r.rps, r.p50, r.p99, r.p999, r.failures,
				r.verdicts[RGC_ALLOW], r.verdicts[RGC_DENY],
				r.verdicts[RGC_ERROR] + r.verdicts[RGC_GARBLED]);
		printf("  VmRSS: %ld kB after the first second, %ld kB at the end, lowest %ld kB, "
				"highest %ld kB (target < 16384 kB, flat)\n\n",
				sampler.n > 1 ? sampler.kb[1] : sampler.kb[0], sampler.kb[sampler.n - 1], lo, hi);
	}

out:
	for (int i = 0; i < nservers; i++) {
		int st = server_stop(&servers[i]);

		if (st != 0 && servers[i].pid == 0 && servers[i].sock[0] != '\0') {
			fprintf(stderr, "rolegate-bench: %s exited with status %d (log: %s)\n",
					servers[i].label, st, servers[i].log);
			keep = true;
			rc = rc == 0 ? 1 : rc;
		}
	}
	rgc_calls_free(calls, ncalls);
	for (int m = 0; m < nmodes; m++)
		rgc_calls_free(modes[m].calls, modes[m].ncalls);
	free(tmpl);
	if (!keep)
		remove_dir(dir);
	else
		fprintf(stderr, "rolegate-bench: kept %s\n", dir);
	return rc;
}
