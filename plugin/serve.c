/*
 * `rolegate serve`: the plugin daemon. Binds the Unix socket itself (or takes
 * it from systemd), serves it with libmicrohttpd's internal thread pool, and
 * handles signals in the main thread: SIGHUP reloads (a bad config keeps the
 * old one), SIGTERM/SIGINT drain in-flight calls and exit 0.
 */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "rolegate/approvedfile.h"
#include "rolegate/audit.h"
#include "rolegate/authz.h"
#include "rolegate/bodybuf.h"
#include "rolegate/bodymemo.h"
#include "rolegate/runs.h"
#include "rolegate/cli.h"
#include "rolegate/config.h"
#include "rolegate/connlimit.h"
#include "rolegate/directory.h"
#include "rolegate/directwrite.h"
#include "rolegate/log.h"
#include "rolegate/state.h"
#include "rolegate/syslogq.h"

/* Room for the JSON around the base64 body: URI, headers, certificates. */
#define RG_CALL_OVERHEAD (1024 * 1024)
/* Of a call too large to read, this much of its beginning is kept: enough
 * for the members before the body (user, method, URI), so that its record
 * says who asked for what. */
#define RG_CALL_HEAD_KEEP (64 * 1024)
/*
 * The bytes of calls being received that serve holds at once, all
 * connections together (at least four of the largest calls). Each
 * connection may hold a call of up to call_max bytes (6.6 MB with the
 * default max_body), and there are thousands: 300 connections sending
 * 1.4 MB calls (dockerd's largest, a 1 MiB body) held 425 MB, and memory
 * grew without bound with more, until the OOM killer chose a process,
 * maybe dockerd (docs/redteam-round13-avail.md). A call that would take the
 * total past it is not read, as one over max_body, and denied as busy;
 * only its first RG_CALL_HEAD_KEEP_BUSY bytes are kept for its record.
 */
#define RG_CALLS_BUFFER_MAX (256 * 1024 * 1024)
#define RG_CALL_HEAD_KEEP_BUSY (4 * 1024)
/*
 * Of that total, the last RG_CALLS_SMALL_RESERVE bytes take only the first
 * RG_CALL_SMALL bytes of each call: large calls stop short of it, so that
 * dockerd's everyday calls (a few hundred bytes) are still read while large
 * ones fill the rest. Without it the large calls left whatever slack their
 * last chunk did not fit, sometimes less than a small call, which was then
 * denied as busy too (CI met it: tests/hostile/call-budget.sh).
 */
#define RG_CALLS_SMALL_RESERVE (32 * 1024 * 1024)
#define RG_CALL_SMALL (64 * 1024)
#define RG_DRAIN_SECONDS 30
/* Of the drain, a call still arriving (headers read, body not all there) is
 * waited for this long only: dockerd sends a call in one go, and a peer that
 * stalls mid-body held the drain for all RG_DRAIN_SECONDS. */
#define RG_DRAIN_ARRIVING_SECONDS 2
/* At exit, how long the syslog queue may take to reach a slow daemon. */
#define RG_SYSLOG_DRAIN_MS 2000
/* libmicrohttpd's memory per connection (headers and read buffer; bodies are ours). */
#define RG_MHD_CONN_MEMORY (16 * 1024)
#define SD_LISTEN_FDS_START 3

struct server {
	pthread_mutex_t lock;      /* guards current */
	pthread_mutex_t wait_lock; /* orders suspend and resume of calls awaiting their record */
	struct rg_runtime *current;
	struct rg_audit *audit;
	atomic_int inflight;       /* calls begun (headers read) and not over */
	atomic_int deciding;       /* of those, the ones received whole */
	atomic_bool draining;      /* SIGTERM received: answer, then close */
	size_t call_max;
	size_t buffer_max;         /* RG_CALLS_BUFFER_MAX, or 4 * call_max */
	atomic_size_t buffered;    /* bytes of calls being received or decided, held now */
	gid_t group;               /* (gid_t)-1: root only */
	struct rg_approvedfile *approved; /* approved_images files, for every runtime */
	struct rg_state *state;    /* the ownership state, for its durability waits; NULL = none */
	struct rg_runs *runs;      /* running containers (runs.h), told when dockerd starts */
	struct rg_connlimit *conns; /* which connections are idle, to shed the oldest */
};

/*
 * Something a call waits for with its connection suspended, so that a
 * server thread serves other calls meanwhile: its record's group commit,
 * its journal's flush, a directory lookup. Both fields under wait_lock.
 */
struct suspension {
	bool suspended;            /* the connection is suspended for it */
	bool settled;              /* it is over */
};

/*
 * Per-request state: the call body, accumulated with a cap; then, with
 * audit.sync = "batch", the answer while its record awaits the group commit.
 */
struct call {
	char *buf;
	size_t len;
	size_t cap;
	bool too_big;
	bool busy;                 /* too_big because server.buffered reached buffer_max */
	size_t counted;            /* of len, the bytes counted in server.buffered */
	size_t total;              /* bytes received, also past call_max */
	bool refused;              /* peer credentials not allowed */
	bool deciding;             /* counted in server.deciding */

	struct server *server;
	struct MHD_Connection *conn;
	struct rg_audit_waiter wait;
	struct rg_authz_answer ans;
	struct suspension record;  /* the record's fdatasync */
	int result;                /* its result */
	bool draining;             /* decided while draining: wait for the journal in this thread */

	/* An answer that changed the ownership state waits too until the
	 * journal is durable (SPEC.md §4), then for its record. */
	struct rg_state_waiter swait;
	struct suspension journal;

	/* A call whose caller's groups await a directory lookup waits too,
	 * holding its runtime, and is decided again once dir_done() resumes it. */
	struct rg_directory_waiter dwait;
	struct rg_runtime *rt;     /* held while waiting for the lookup */
	struct suspension lookup;
};

/* A runtime and whether it still owns its directory: on reload with the same
 * LDAP settings the directory (and its cache) moves on to the successor, and
 * the old runtime must then not free it. */
struct runtime_box {
	struct rg_runtime rt;
	bool owns_dir;
};

static void runtime_free(struct rg_runtime *rt, bool free_dir)
{
	if (rt == NULL)
		return;
	if (free_dir)
		rg_directory_free(rt->dir);
	rg_policy_free(rt->policy);
	free(rt);
}

static struct rg_runtime *acquire(struct server *s)
{
	struct rg_runtime *rt;

	pthread_mutex_lock(&s->lock);
	rt = s->current;
	atomic_fetch_add((atomic_int *)&rt->refs, 1);
	pthread_mutex_unlock(&s->lock);
	return rt;
}

static void release(struct rg_runtime *rt)
{
	struct runtime_box *box = (struct runtime_box *)rt;

	if (atomic_fetch_sub((atomic_int *)&rt->refs, 1) == 1)
		runtime_free(rt, box->owns_dir);
}

/* Builds a runtime for p. Reuses prev's directory (and its cache) when the
 * LDAP settings did not change. Returns NULL with err set. */
static struct rg_runtime *runtime_new(struct rg_policy *p, struct rg_runtime *prev, char *err, size_t errlen)
{
	struct runtime_box *box = calloc(1, sizeof(*box));

	if (box == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	box->rt.refs = 1;
	box->rt.policy = p;
	/* The ownership state outlives reloads: serve opens it once. */
	box->rt.state = prev != NULL ? prev->state : NULL;
	box->rt.memo = prev != NULL ? prev->memo : NULL;
	box->rt.runs = prev != NULL ? prev->runs : NULL;
	if (prev != NULL && prev->dir != NULL && rg_ldap_config_equal(&prev->policy->ldap, &p->ldap)) {
		/* same settings, but the bind password may have been rotated */
		if (rg_directory_reread_secret(prev->dir, err, errlen) < 0) {
			free(box);
			return NULL;
		}
		/* a reload is how an operator makes a removal from a group take
		 * effect now: the answers are asked again (stale if the
		 * directory is down) */
		rg_directory_expire(prev->dir);
		box->rt.dir = prev->dir;
		((struct runtime_box *)prev)->owns_dir = false;
		box->owns_dir = true;
	} else if (p->ldap.enabled) {
		box->rt.dir = rg_directory_new(&p->ldap, err, errlen);
		if (box->rt.dir == NULL) {
			free(box);
			return NULL;
		}
		/* answers kept across restarts (read at start only: a reload that
		 * changed the LDAP settings starts afresh) */
		if (prev != NULL && prev->dir != NULL)
			rg_directory_detach_cache_file(prev->dir);
		rg_directory_use_cache_file(box->rt.dir, prev == NULL);
		box->owns_dir = true;
	}
	return &box->rt;
}

static bool peer_allowed(const struct server *s, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	/* Read once per connection by the connection tracker; asked here only
	 * for a connection it does not track. */
	if (rg_connlimit_peer(c, &cred.uid, &cred.gid) < 0) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
			return false;
	}
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	return s->group != (gid_t)-1 && cred.gid == s->group;
}

static enum MHD_Result reply(const struct server *s, struct MHD_Connection *c, int status,
		char *json)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (json == NULL) {
		static char oom[] = "{\"Err\":\"out of memory\"}";

		r = MHD_create_response_from_buffer(sizeof(oom) - 1, oom, MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	} else {
		r = MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_FREE);
	}
	if (r == NULL) {
		free(json);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/vnd.docker.plugins.v1+json");
	/* Draining (SIGTERM): close each connection after its answer, so that
	 * clients keeping connections alive cannot hold the drain open. */
	if (atomic_load(&s->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	/* Decided: what is left is the peer reading the answer. A peer that
	 * pipelines calls and never reads would otherwise keep its connection
	 * busy (never shed) until idle_timeout, and enough of them lock dockerd
	 * out (docs/availability-round8.md). */
	rg_connlimit_idle(s->conns, c);
	return ret;
}

/* Sends the answer of a decided call; a lost record turns it into ans.if_lost. */
static enum MHD_Result send_answer(struct server *s, struct MHD_Connection *c, struct call *call)
{
	char *out = call->ans.json;

	if (call->result < 0) {
		log_warnx("cannot flush the audit log: a record could not be made durable (fdatasync failed)");
		if (call->ans.if_lost != NULL) {
			free(out);
			out = call->ans.if_lost;
			/* refused after all: no answer will end what it holds */
			rg_runs_call_refused(s->runs, &call->ans.lost);
		}
	} else {
		free(call->ans.if_lost);
	}
	call->ans.json = call->ans.if_lost = NULL;
	return reply(s, c, call->ans.status, out);
}

/*
 * What w waited for is over (from another thread): resumes the call if it
 * is suspended for it. The last touch of call: once resumed, a server
 * thread may finish and free it.
 */
static void settle(struct call *call, struct suspension *w)
{
	struct server *s = call->server;

	pthread_mutex_lock(&s->wait_lock);
	w->settled = true;
	if (w->suspended)
		MHD_resume_connection(call->conn);
	pthread_mutex_unlock(&s->wait_lock);
}

/*
 * Suspends c until settle(w) resumes it, unless w is over already (then
 * made ready to wait again). Returns whether it was over.
 */
static bool settled_or_suspend(struct server *s, struct MHD_Connection *c, struct suspension *w)
{
	bool ready;

	pthread_mutex_lock(&s->wait_lock);
	ready = w->settled;
	w->settled = false;
	if (!ready) {
		MHD_suspend_connection(c);
		w->suspended = true;
	}
	pthread_mutex_unlock(&s->wait_lock);
	return ready;
}

/* The audit writer's callback: the record of call is durable (or lost). */
static void durable(void *arg, int result)
{
	struct call *call = arg;

	call->result = result;     /* read once settled: the lock orders it */
	settle(call, &call->record);
}

/* The state flusher's callback: the journal call->swait waited for is flushed. */
static void journal_durable(void *arg)
{
	struct call *call = arg;

	settle(call, &call->journal);
}

/*
 * Suspends the connection until journal_durable() resumes it, unless the
 * journal is durable already. Never waits in this thread (the audit
 * record does, alone on the only connection): a connection stays with its
 * server thread, and a thread waiting on a hung disk would stall every
 * call on its other connections. While draining (libmicrohttpd must not
 * stop with a connection suspended) it waits here, released by
 * rg_state_fail_pending. Returns whether the call can go on.
 */
static bool journaled_or_suspend(struct server *s, struct MHD_Connection *c, struct call *call)
{
	call->ans.journaled = false;
	if (call->draining) {
		(void)rg_state_durable(s->state, NULL);
		return true;
	}
	call->swait.done = journal_durable;
	call->swait.arg = call;
	return rg_state_durable(s->state, &call->swait) == 0 || settled_or_suspend(s, c, &call->journal);
}

/* A decided call: once its journal and then its record are durable, the answer. */
static enum MHD_Result finish(struct server *s, struct MHD_Connection *c, struct call *call)
{
	if (call->ans.journaled && !journaled_or_suspend(s, c, call))
		return MHD_YES;
	if (call->ans.pending && !settled_or_suspend(s, c, &call->record))
		return MHD_YES;
	return send_answer(s, c, call);
}

/* The directory's callback: the lookup call->dwait waited for is done. */
static void dir_done(void *arg)
{
	struct call *call = arg;

	settle(call, &call->lookup);
}

static enum MHD_Result answer(struct server *s, struct MHD_Connection *c, const char *url, struct call *call)
{
	struct rg_runtime *rt;
	enum rg_phase phase;
	bool alone, dir_wait;

	/* The whole call has arrived: deciding it is bounded (directory and
	 * audit timeouts), so the connection is no longer shed, and SIGTERM's
	 * drain waits for it all of RG_DRAIN_SECONDS. */
	rg_connlimit_busy(s->conns, c);
	if (!call->deciding) {
		call->deciding = true;
		atomic_fetch_add(&s->deciding, 1);
	}
	if (call->refused)
		return reply(s, c, MHD_HTTP_FORBIDDEN,
				rg_authz_err_json("this process may not call the plugin"));
	if (strcmp(url, "/Plugin.Activate") == 0) {
		/* dockerd activates the plugin when it starts, having started the
		 * containers whose restart policy says so (copyup.h) */
		rg_runs_daemon_started(s->runs);
		return reply(s, c, 200, strdup("{\"Implements\":[\"authz\"]}"));
	}
	if (strcmp(url, "/AuthZPlugin.AuthZReq") == 0)
		phase = RG_PHASE_REQUEST;
	else if (strcmp(url, "/AuthZPlugin.AuthZRes") == 0)
		phase = RG_PHASE_RESPONSE;
	else
		return reply(s, c, MHD_HTTP_NOT_FOUND, rg_authz_err_json("unknown plugin endpoint"));
	if (call->busy)
		log_warnx("a %s call of %zu bytes was not read: calls in flight already hold %zu MiB "
				"(denied as busy, recorded)", url, call->total, s->buffer_max >> 20);
	else if (call->too_big)
		log_warnx("a %s call larger than %zu bytes was not read (recorded)", url, s->call_max);
	call->server = s;
	call->conn = c;
	call->wait.done = durable;
	call->wait.arg = call;
	/*
	 * Wait for the record in this thread instead of suspending when this
	 * is the only call in flight on the only connection (nobody else to
	 * serve meanwhile; the writer then flushes right here, sparing two
	 * thread hand-offs), and once draining (SIGTERM): libmicrohttpd must
	 * not stop with a connection suspended, and a call that came after the
	 * drain's last look would otherwise be one. Not when other connections
	 * are open, idle or not: a connection stays with its server thread, and
	 * a thread waiting on a slow or hung disk would stall their calls
	 * (tests/hostile/hung-disk.sh).
	 */
	alone = atomic_load(&s->inflight) == 1 && rg_connlimit_open(s->conns) <= 1;
	/*
	 * A call that needs a directory lookup does not hold this thread while
	 * it waits (rolegate/directory.h): it is suspended, keeping its
	 * runtime, and decided again with the answer once the lookup is done.
	 * While draining it waits here, like the record.
	 */
	dir_wait = !atomic_load(&s->draining);
	call->dwait.done = dir_done;
	call->dwait.arg = call;
	for (;;) {
		rt = call->rt != NULL ? call->rt : acquire(s);
		call->rt = NULL;
		/* An oversized call is recorded with what can be read of it; its
		 * lookup (for the record only) is not worth a suspension. */
		rg_directory_call_begin(dir_wait && !call->too_big ? &call->dwait : NULL);
		if (call->too_big)
			rg_authz_answer_oversized(rt, s->audit, alone || atomic_load(&s->draining) ? NULL :
					&call->wait, phase, call->buf != NULL ? call->buf : "", call->len,
					call->total, call->busy, &call->ans);
		else
			rg_authz_answer_call(rt, s->audit, alone || atomic_load(&s->draining) ? NULL :
					&call->wait, phase, call->buf != NULL ? call->buf : "", call->len,
					&call->ans);
		rg_directory_call_end();
		if (!call->ans.lookup_pending)
			break;
		call->rt = rt;
		if (!settled_or_suspend(s, c, &call->lookup))
			return MHD_YES;
	}
	release(rt);
	call->draining = atomic_load(&s->draining);
	return finish(s, c, call);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
		const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct call *call = *con_cls;

	(void)version;   /* the callback's signature */
	if (call == NULL) {
		call = calloc(1, sizeof(*call));
		if (call == NULL)
			return MHD_NO;
		call->refused = !peer_allowed(s, c);
		atomic_fetch_add(&s->inflight, 1);
		/* Not busy yet: a connection still sending its body
		 * stays sheddable until answer(), or a peer that sends headers
		 * and then stalls (or dribbles the body) could hold every slot
		 * and lock dockerd out (docs/availability-round8.md). */
		*con_cls = call;
		return MHD_YES;
	}
	/* Resumed by dir_done(): the caller's groups are in call->dwait. */
	if (call->lookup.suspended) {
		call->lookup.suspended = false;
		return answer(s, c, url, call);
	}
	/* Resumed by journal_durable(): the record may still be pending. */
	if (call->journal.suspended) {
		call->journal.suspended = false;
		return finish(s, c, call);
	}
	/* Resumed by durable(): result was set before the resume. */
	if (call->record.suspended)
		return send_answer(s, c, call);
	if (*upload_size > 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		call->total += n;
		if (call->refused)
			return MHD_YES;
		if (!call->too_big && atomic_fetch_add(&s->buffered, n) + n >
				s->buffer_max - (call->len + n > RG_CALL_SMALL ? RG_CALLS_SMALL_RESERVE : 0)) {
			atomic_fetch_sub(&s->buffered, n);
			call->too_big = call->busy = true;
		} else if (!call->too_big) {
			call->counted += n;
		}
		if (call->too_big || call->len + n > s->call_max) {
			/* Keep only the beginning, for the record (RG_CALL_HEAD_KEEP). */
			size_t keep = call->busy ? RG_CALL_HEAD_KEEP_BUSY : RG_CALL_HEAD_KEEP;

			call->too_big = true;
			if (call->len >= keep)
				return MHD_YES;
			n = n < keep - call->len ? n : keep - call->len;
		}
		if (rg_bodybuf_append(&call->buf, &call->len, &call->cap, upload, n, 1) < 0)
			return MHD_NO;
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0)
		return reply(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, rg_authz_err_json("plugin calls are POST"));
	return answer(s, c, url, call);
}

/* rg_audit_direct's and rg_state_direct's stuck hook: a server thread is in a write the disk
 * does not complete. */
static void shed_stuck(void *arg, pthread_t thread)
{
	rg_connlimit_shed_thread(arg, thread);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct call *call = *con_cls;

	(void)toe;   /* the callback's signature */
	rg_connlimit_idle(s->conns, c);
	if (call == NULL)
		return;
	atomic_fetch_sub(&s->buffered, call->counted);
	free(call->buf);
	free(call->ans.json);
	free(call->ans.if_lost);
	if (call->rt != NULL)
		release(call->rt);
	rg_directory_waiter_clear(&call->dwait);
	if (call->deciding)
		atomic_fetch_sub(&s->deciding, 1);
	free(call);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

/* A socket handed over by systemd (socket activation), or -1. */
static int systemd_socket(void)
{
	const char *pid = getenv("LISTEN_PID");
	const char *fds = getenv("LISTEN_FDS");

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() || atoi(fds) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return SD_LISTEN_FDS_START;
}

/*
 * Binds path: refuses a non-socket there or a live socket (another plugin is
 * serving), replaces a stale one. Mode 0600, or 0660 with group.
 */
static int bind_socket(const char *path, gid_t group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_warnx("socket path %s is too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s exists and is not a socket; refusing to replace it", path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			log_warnx("%s is in use by a running process; refusing to start twice", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		if (unlink(path) < 0) {
			log_warn("cannot remove stale socket %s", path);
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("socket");
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		umask(old);
		log_warn("cannot bind %s", path);
		close(fd);
		return -1;
	}
	umask(old);
	if (group != (gid_t)-1 && (chown(path, 0, group) < 0 || chmod(path, 0660) < 0)) {
		log_warn("cannot give group access to %s", path);
		close(fd);
		return -1;
	}
	if (listen(fd, 1024) < 0) {
		log_warn("listen on %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create %s", dir);
		return -1;
	}
	return 0;
}

/*
 * SIGHUP: the same validation as `rolegate check` (rolegate/config.h). A
 * refused reload is logged at LOG_ERR, and the old configuration stays.
 */
static void reload(struct server *s, const char *config)
{
	struct rg_errlist errs = { 0 };
	bool runtime_error;
	struct rg_policy *p = rg_config_load(config, 0, &errs, &runtime_error);
	struct rg_runtime *rt, *old;
	char err[512];

	if (p == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			log_errx("%s", RG_ERRLIST_LINE(&errs, i));
		log_errx("reload of %s failed; the previous configuration stays in force", config);
		rg_errlist_free(&errs);
		return;
	}
	pthread_mutex_lock(&s->lock);
	rt = runtime_new(p, s->current, err, sizeof(err));
	if (rt == NULL) {
		pthread_mutex_unlock(&s->lock);
		log_errx("reload of %s failed: %s; the previous configuration stays in force", config, err);
		rg_policy_free(p);
		return;
	}
	rt->approved = s->approved;
	old = s->current;
	s->current = rt;
	pthread_mutex_unlock(&s->lock);
	if (strcmp(old->policy->audit.path, p->audit.path) != 0 ||
	    old->policy->audit.sync != p->audit.sync ||
	    strcmp(old->policy->audit.key_file, p->audit.key_file) != 0 ||
	    strcmp(old->policy->plugin.socket, p->plugin.socket) != 0 ||
	    strcmp(old->policy->plugin.state, p->plugin.state) != 0 ||
	    old->policy->plugin.max_connections != p->plugin.max_connections ||
	    old->policy->plugin.idle_timeout != p->plugin.idle_timeout)
		log_warnx("changes to audit.path, audit.sync, audit.key_file, plugin.socket, "
				"plugin.state, plugin.max_connections and plugin.idle_timeout take effect "
				"on restart");
	release(old);
	if (s->audit != NULL && rg_audit_reopen(s->audit) < 0)
		log_warnx("cannot reopen the audit log %s", p->audit.path);
	rg_approvedfile_preload(s->approved, p);
	log_info("reloaded %s", config);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate serve [-c FILE] [--socket PATH] [--ready-fd N] [--syslog | --stderr]\n"
		"\n"
		"Runs the authorization plugin in the foreground.\n"
		"  -c FILE        configuration (default %s)\n"
		"  --socket PATH  listen here instead of plugin.socket\n"
		"  --ready-fd N   write one byte to fd N once requests are accepted\n"
		"  --syslog       log to syslog (the default when stderr is not a terminal)\n"
		"  --stderr       log to stderr even when it is not a terminal\n"
		"Signals: SIGHUP reloads the configuration and reopens the audit log;\n"
		"SIGTERM finishes the calls in flight and exits 0.\n", RG_DEFAULT_CONFIG);
}

/* N of --ready-fd: digits only, a descriptor number; -1 when it is not one. */
static int parse_fd(const char *s)
{
	char *end;
	long n;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return *end != '\0' || errno != 0 || n > INT_MAX ? -1 : (int)n;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "stderr", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG, *socket_path = NULL;
	int ready_fd = -1, use_syslog = -1, opt, fd, sig, rc = 2;
	bool activated = false, runtime_error = false;
	struct server s = { .lock = PTHREAD_MUTEX_INITIALIZER, .wait_lock = PTHREAD_MUTEX_INITIALIZER,
		.group = (gid_t)-1 };
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;
	struct MHD_Daemon *d = NULL;
	sigset_t set;
	char err[512], note[512];
	struct rg_state *state = NULL;
	struct rg_bodymemo *memo = NULL;
	struct rg_runs *runs = NULL;
	unsigned threads, max_conns;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 's': socket_path = optarg; break;
		case 'r':
			ready_fd = parse_fd(optarg);
			if (ready_fd < 0) {
				fprintf(stderr, "rolegate serve: --ready-fd %s: expected a file descriptor number\n",
						optarg);
				return 2;
			}
			break;
		case 'S': use_syslog = 1; break;
		case 'E': use_syslog = 0; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	rg_log_init(use_syslog == 1 || (use_syslog == -1 && !isatty(STDERR_FILENO)));

	/*
	 * Signals are taken by sigwait() below, never by another thread: block
	 * them before the first thread (the audit flusher) exists. A thread
	 * that left SIGTERM or SIGHUP unblocked would take one whenever the
	 * main thread is not in sigwait() (reloading, draining), and its
	 * default action would end rolegate on the spot.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/*
	 * A file that reaches RLIMIT_FSIZE (ulimit -f, systemd's LimitFSIZE=)
	 * raises SIGXFSZ, whose default action ended rolegate at the first
	 * record past it, mid-record, and again at each restart: dockerd then
	 * refused every call, as with no plugin (docs/redteam-round14-avail.md).
	 * Ignored, the write fails with EFBIG instead: the record fails as
	 * audit.on_error says, and a rotation makes room.
	 */
	signal(SIGXFSZ, SIG_IGN);

	p = rg_config_load(config, 0, &errs, &runtime_error);
	if (p == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("%s", RG_ERRLIST_LINE(&errs, i));
		rg_errlist_free(&errs);
		return runtime_error ? 2 : 1;   /* SPEC.md §2 */
	}
	if (socket_path == NULL)
		socket_path = p->plugin.socket;
	if (p->plugin.socket_group[0] != '\0') {
		struct group *g = getgrnam(p->plugin.socket_group);

		if (g == NULL) {
			log_warnx("plugin.socket_group: no group named %s", p->plugin.socket_group);
			rg_policy_free(p);
			return 1;
		}
		s.group = g->gr_gid;
	}
	s.call_max = p->plugin.max_body / 3 * 4 + 4 + RG_CALL_OVERHEAD;
	s.buffer_max = RG_CALLS_BUFFER_MAX > 4 * s.call_max ? RG_CALLS_BUFFER_MAX : 4 * s.call_max;
	threads = p->plugin.threads > 0 ? (unsigned)p->plugin.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	s.current = runtime_new(p, NULL, err, sizeof(err));
	if (s.current == NULL) {
		log_warnx("%s", err);
		rg_policy_free(p);
		return 1;
	}
	s.approved = rg_approvedfile_new(true);
	if (s.approved == NULL) {
		log_warnx("out of memory");
		goto out;
	}
	s.current->approved = s.approved;
	rg_approvedfile_preload(s.approved, p);
	state = rg_state_open(p->plugin.state, err, sizeof(err), note, sizeof(note));
	if (state == NULL) {
		log_warnx("cannot use the ownership state: %s", err);
		goto out;
	}
	if (note[0] != '\0')
		log_warnx("%s", note);
	s.current->state = state;
	s.state = state;
	memo = rg_bodymemo_new();
	if (memo == NULL) {
		log_warnx("out of memory");
		goto out;
	}
	s.current->memo = memo;
	runs = rg_runs_new("/proc", true);
	if (runs == NULL) {
		log_warnx("out of memory");
		goto out;
	}
	s.current->runs = runs;
	s.runs = runs;
	s.audit = rg_audit_open(&p->audit, err, sizeof(err));
	if (s.audit == NULL) {
		log_warnx("cannot open the audit log: %s", err);
		goto out;
	}

	/* before anything opens many files: the soft open-file limit up to the hard one */
	max_conns = rg_connlimit_setup(p->plugin.max_connections);
	s.conns = rg_connlimit_new(max_conns);
	if (s.conns == NULL) {
		log_warnx("out of memory");
		goto out;
	}
	/* Each call writes its own record, with no hand-off to the audit's I/O
	 * thread, when another server thread can answer should such a write
	 * stick on the disk: the watchdog then closes the stuck thread's
	 * connections (rg_audit_direct). One server thread is never in such a
	 * write (rg_direct_limit): with the log and the journal on one frozen
	 * disk, two could otherwise be stuck, and nothing answered. */
	rg_direct_limit((int)threads - 1);
	if (threads >= 2 && rg_audit_direct(s.audit, shed_stuck, s.conns) < 0)
		log_warnx("cannot start the audit watchdog: records are written by its I/O thread");
	/* The same for the state's journal lines (rg_state_direct). */
	if (threads >= 2 && rg_state_direct(state, shed_stuck, s.conns) < 0)
		log_warnx("cannot start the journal's watchdog: its lines are written by its I/O thread");
	fd = systemd_socket();
	activated = fd >= 0;
	if (!activated && (mkdir_parent(socket_path) < 0 || (fd = bind_socket(socket_path, s.group)) < 0))
		goto out;
	/*
	 * poll(), not epoll: with epoll and a thread pool, MHD_quiesce_daemon()
	 * (SIGTERM) races the workers removing the listen socket from their
	 * epoll sets, and the loser's EPOLL_CTL_DEL fails with ENOENT inside an
	 * MHD_PANIC: rolegate aborted on about one SIGTERM in four under load
	 * (tests/hostile, ops). poll() costs nothing measurable at the handful
	 * of keep-alive connections dockerd holds (bench/rolegate-bench).
	 */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
			MHD_ALLOW_SUSPEND_RESUME,
			0, NULL, NULL, handle, &s,
			MHD_OPTION_LISTEN_SOCKET, fd,
			MHD_OPTION_THREAD_POOL_SIZE, threads,
			MHD_OPTION_CONNECTION_LIMIT, max_conns,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)p->plugin.idle_timeout,
			/* Bodies are copied out into call->buf as they come, so a
			 * connection's MHD pool only holds headers and the read
			 * buffer: half the default 32 KiB is plenty for dockerd's
			 * headers, and less memory to touch per connection. */
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)RG_MHD_CONN_MEMORY,
			MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
			MHD_OPTION_NOTIFY_CONNECTION, rg_connlimit_notify, s.conns,
			MHD_OPTION_END);
	if (d == NULL) {
		log_warnx("cannot start the HTTP server on %s", socket_path);
		close(fd);
		goto out;
	}
	log_info("serving %s with %u threads, at most %u connections (config %s)",
			activated ? "the systemd socket" : socket_path, threads, max_conns, config);
	rg_log_started();
	if (ready_fd >= 0) {
		if (write(ready_fd, "\n", 1) != 1)
			log_warn("cannot write to --ready-fd %d", ready_fd);
		close(ready_fd);
	}

	sigdelset(&set, SIGPIPE);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(&s, config);
			continue;
		}
		break;
	}
	log_info("stopping: finishing %d call(s) in flight", atomic_load(&s.inflight));
	atomic_store(&s.draining, true);
	fd = MHD_quiesce_daemon(d);
	for (int i = 0; i < RG_DRAIN_SECONDS * 100 && atomic_load(&s.inflight) > 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (i >= RG_DRAIN_ARRIVING_SECONDS * 100 && atomic_load(&s.deciding) == 0)
			break;      /* only calls that stalled arriving are left */
		if (i >= RG_DRAIN_ARRIVING_SECONDS * 100 &&
		    (rg_audit_writer_stuck(s.audit) || rg_state_writer_stuck(s.state)))
			break;      /* the ones left wait on a disk that does not answer */
		nanosleep(&ts, NULL);
	}
	/*
	 * A call still awaiting its record (the disk hangs in fdatasync) is
	 * suspended, and libmicrohttpd must not stop with one: answer them now
	 * as lost records, and give the server threads a moment to send that.
	 */
	pthread_mutex_lock(&s.lock);
	if (s.current->dir != NULL)
		rg_directory_fail_pending(s.current->dir);
	pthread_mutex_unlock(&s.lock);
	rg_audit_fail_pending(s.audit);
	rg_state_fail_pending(s.state);
	for (int i = 0; i < 100 && atomic_load(&s.deciding) > 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (rg_audit_writer_stuck(s.audit) || rg_state_writer_stuck(s.state)) {
		/* A server thread is in a write the disk does not complete, and
		 * MHD_stop_daemon would wait for it as long: leave everything it
		 * may touch as it is (the kernel ends it with the process). */
		log_warnx("a server thread is still in a write on the %s's disk: stopping without it",
				rg_audit_writer_stuck(s.audit) ? "audit log" : "ownership journal");
		if (!activated)
			unlink(socket_path);
		return 0;
	}
	MHD_stop_daemon(d);
	if (fd >= 0)
		close(fd);
	if (!activated)
		unlink(socket_path);
	rc = 0;
out:
	rg_connlimit_free(s.conns);
	rg_audit_close(s.audit);
	release(s.current);
	rg_approvedfile_free(s.approved);
	/* After the last call (compacts the journal into a snapshot). */
	rg_state_close(state);
	rg_bodymemo_free(memo);
	rg_runs_free(runs);
	/* The last checkpoint and records are queued for syslog: a daemon that
	 * does not read gets RG_SYSLOG_DRAIN_MS, not the exit. */
	if (!rg_syslogq_drain(RG_SYSLOG_DRAIN_MS))
		fprintf(stderr, "rolegate: the syslog daemon did not take the last messages\n");
	return rc;
}
