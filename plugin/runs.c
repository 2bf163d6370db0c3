/*
 * Running containers, for the copy-up gate (runs.h, copyup.h).
 *
 * A copying create is let through only when none of the recorded
 * containers that mount its volumes runs now or is being started, and no
 * start of one is let through until the create's answer is in. The list of
 * what awaits its answer ("in flight") and the check of it are under one
 * lock; the kernel is asked between two holds of the lock, with the
 * create's volumes already held, so a start either came before (it is in
 * the list, or its container's processes are in the kernel's) or after (it
 * sees the hold and is refused).
 *
 * dockerd sends the AuthZRes of every request it carried out (a failure as
 * status 0), after its handler: that is when a create's copy is over. A
 * call is matched to its answer by its user, method, URI and body. One
 * whose answer never comes (dockerd stopped meanwhile, an answer too large
 * to read) is dropped after RG_RUNS_EXPIRY (a copying create) or
 * RG_RUNS_START_EXPIRY (a start or stop). Starts and stops are never
 * refused for lack of room (the oldest is dropped: it counts as started
 * then, as the kernel shows it); copying creates are, past RG_RUNS_MAX in
 * all or RG_RUNS_USER_MAX of one user, so that one user's unanswered
 * creates cannot refuse everyone's.
 *
 * A container with a restart policy counts as running whatever the kernel
 * says (dockerd starts it again by itself), unless a `docker stop` of it
 * was answered 2xx since its last start: a stop
 * cancels its restarts, until it is started again (by a call, which clears
 * the mark, and voids a stop still in flight) or dockerd starts (which
 * activates the plugin again: rg_runs_daemon_started clears every mark).
 * The marks are in memory only: after a restart of rolegate every such
 * container counts as running again.
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "rolegate/conscheck.h"
#include "rolegate/request.h"
#include "rolegate/runs.h"

enum flight_kind { FLIGHT_COPY, FLIGHT_START, FLIGHT_STOP };

struct flight {
	enum flight_kind kind;
	unsigned char key[32];      /* SHA-256 of the call (call_key) */
	long long since;            /* monotonic seconds */
	struct rg_strv volumes;     /* copy: the volumes held; start: the container's */
	char *id;                   /* start, stop: the container's id; NULL when not known */
	char *user;                 /* copy: who asked */
	bool void_;                 /* stop: the container was started meanwhile */
	unsigned long long ticket;  /* this flight's own number */
};

#define RG_RUNS_STOPPED_MAX 65536   /* marks kept; past it, all are dropped */
#define STOPPED_BUCKETS 4096

/* A container seen stopped (by id). */
struct mark {
	struct mark *next;
	char id[];
};

struct rg_runs {
	struct rg_run_gate gate;
	pthread_mutex_t lock;
	struct flight *f;
	size_t n;
	char *proc;
	bool flights;               /* remember what is let through (runs.h) */
	struct mark *stopped[STOPPED_BUCKETS];
	size_t nstopped;
	unsigned long long tickets; /* the last flight's number */
};

static size_t bucket(const char *id)
{
	size_t h = 5381;

	for (; *id != '\0'; id++)
		h = h * 33 + (unsigned char)*id;
	return h % STOPPED_BUCKETS;
}

/* Locked: the mark of id, as the link that points to it (NULL when none). */
static struct mark **find_mark(struct rg_runs *r, const char *id)
{
	struct mark **m = &r->stopped[bucket(id)];

	while (*m != NULL && strcmp((*m)->id, id) != 0)
		m = &(*m)->next;
	return *m != NULL ? m : NULL;
}

static void unmark(struct rg_runs *r, const char *id)
{
	struct mark **m = find_mark(r, id), *gone;

	if (m == NULL)
		return;
	gone = *m;
	*m = gone->next;
	free(gone);
	r->nstopped--;
}

static void unmark_all(struct rg_runs *r)
{
	for (size_t b = 0; b < STOPPED_BUCKETS; b++) {
		while (r->stopped[b] != NULL) {
			struct mark *m = r->stopped[b];

			r->stopped[b] = m->next;
			free(m);
		}
	}
	r->nstopped = 0;
}

/* Locked. Out of memory, no mark: the container counts as running (the safe side). */
static void mark(struct rg_runs *r, const char *id)
{
	size_t n = strlen(id) + 1;
	struct mark *m;

	if (find_mark(r, id) != NULL)
		return;
	if (r->nstopped >= RG_RUNS_STOPPED_MAX)
		unmark_all(r);
	if ((m = malloc(sizeof(*m) + n)) == NULL)
		return;
	memcpy(m->id, id, n);
	m->next = r->stopped[bucket(id)];
	r->stopped[bucket(id)] = m;
	r->nstopped++;
}

static long long mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

static int call_key(const struct rg_request *req, unsigned char key[32])
{
	const char *parts[] = { req->user, req->method, req->uri };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	/* each part with its NUL: "ab"+"c" and "a"+"bc" differ */
	for (size_t i = 0; ok && i < sizeof(parts) / sizeof(parts[0]); i++)
		ok = EVP_DigestUpdate(ctx, parts[i] != NULL ? parts[i] : "",
				strlen(parts[i] != NULL ? parts[i] : "") + 1) == 1;
	if (ok && req->body != NULL)
		ok = EVP_DigestUpdate(ctx, req->body, req->body_len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, key, &len) == 1 && len == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static void drop(struct rg_runs *r, size_t i)
{
	rg_strv_free(&r->f[i].volumes);
	free(r->f[i].id);
	free(r->f[i].user);
	r->f[i] = r->f[--r->n];
}

/* Locked: drops what waited for an answer too long (runs.h). */
static void expire(struct rg_runs *r, long long now)
{
	for (size_t i = 0; i < r->n;) {
		if (now - r->f[i].since > (r->f[i].kind == FLIGHT_COPY ? RG_RUNS_EXPIRY :
				RG_RUNS_START_EXPIRY))
			drop(r, i);
		else
			i++;
	}
}

/* Locked: whether there is room for one more flight of kind for user; for
 * a start or stop, makes room by dropping the oldest of them. */
static bool room(struct rg_runs *r, enum flight_kind kind, const char *user)
{
	size_t copies = 0, mine = 0, others = 0, oldest = r->n;

	for (size_t i = 0; i < r->n; i++) {
		if (r->f[i].kind == FLIGHT_COPY) {
			copies++;
			mine += strcmp(r->f[i].user, user) == 0;
		} else {
			others++;
			if (oldest == r->n || r->f[i].since < r->f[oldest].since)
				oldest = i;
		}
	}
	if (kind == FLIGHT_COPY)
		return copies < RG_RUNS_MAX && mine < RG_RUNS_USER_MAX;
	if (others >= RG_RUNS_STARTS_MAX && oldest < r->n)
		drop(r, oldest);
	return true;
}

static bool shares(const struct rg_strv *a, const struct rg_strv *b, const char **which)
{
	for (size_t i = 0; a != NULL && b != NULL && i < a->n; i++) {
		if (rg_strv_has(b, a->v[i])) {
			*which = a->v[i];
			return true;
		}
	}
	return false;
}

/* Locked: adds a flight (takes id); its number in *ticket when not NULL.
 * -1 when the list is full or memory ran out. */
static int add(struct rg_runs *r, enum flight_kind kind, const char *user, const unsigned char key[32],
		const struct rg_strv *volumes, char *id, unsigned long long *ticket)
{
	struct flight *f;

	if (!r->flights) {
		free(id);
		return 0;
	}
	if (!room(r, kind, user) || (f = realloc(r->f, (r->n + 1) * sizeof(*f))) == NULL) {
		free(id);
		return -1;
	}
	r->f = f;
	f = &r->f[r->n];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	memcpy(f->key, key, 32);
	f->since = mono_s();
	f->id = id;
	if (kind == FLIGHT_COPY && (f->user = strdup(user)) == NULL) {
		free(id);
		return -1;
	}
	f->ticket = ++r->tickets;
	if (ticket != NULL)
		*ticket = f->ticket;
	for (size_t i = 0; volumes != NULL && i < volumes->n; i++) {
		if (rg_strv_push(&f->volumes, volumes->v[i]) < 0) {
			rg_strv_free(&f->volumes);
			free(id);
			return -1;
		}
	}
	r->n++;
	return 0;
}

/* Locked: the oldest flight of kind with key; r->n when none. */
static size_t find_key(const struct rg_runs *r, enum flight_kind kind, const unsigned char key[32])
{
	size_t best = r->n;

	for (size_t i = 0; i < r->n; i++) {
		if (r->f[i].kind == kind && memcmp(r->f[i].key, key, 32) == 0 &&
		    (best == r->n || r->f[i].since < r->f[best].since))
			best = i;
	}
	return best;
}

/* Locked: removes the flight numbered ticket (not another one with the
 * same key: two identical creates each hold until their own answer). */
static void remove_ticket(struct rg_runs *r, unsigned long long ticket)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->f[i].ticket == ticket) {
			drop(r, i);
			return;
		}
	}
}

/*
 * Which of ids has a process now: its index, -1 for none, -2 when the
 * kernel's list cannot be read (then none can be said not to run). A
 * container's processes are in a cgroup whose path holds its full id
 * (docker/ID, docker-ID.scope, PARENT/ID, whatever the driver), as seen
 * from the host's cgroup namespace; /proc/PID/cgroup names it.
 */
static long running_one(const char *proc, const struct rg_strv *ids)
{
	char path[512], buf[8192];
	struct dirent *e;
	long found = -1;
	DIR *d;

	if (ids->n == 0)
		return -1;
	if ((d = opendir(proc)) == NULL)
		return -2;
	errno = 0;
	while (found == -1 && (e = readdir(d)) != NULL) {
		ssize_t n;
		int fd;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/cgroup", proc, e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;   /* gone meanwhile */
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (size_t i = 0; i < ids->n && found == -1; i++) {
			if (strlen(ids->v[i]) >= 12 && strstr(buf, ids->v[i]) != NULL)
				found = (long)i;
		}
		errno = 0;
	}
	if (found == -1 && errno != 0)
		found = -2;
	closedir(d);
	return found;
}

static int gate_copy(void *arg, const struct rg_request *req, const struct rg_strv *volumes,
		const struct rg_strv *watch, char *why, size_t len)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	struct rg_runs *r = arg;
	unsigned char key[32];
	const char *vol = volumes->v[0], *starting = NULL;
	unsigned long long ticket = 0;
	long running;
	int added;

	if (call_key(req, key) < 0) {
		snprintf(why, len, "create a container now (out of memory)");
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	expire(r, mono_s());
	added = add(r, FLIGHT_COPY, req->user != NULL ? req->user : "", key, volumes, NULL, &ticket);
	pthread_mutex_unlock(&r->lock);
	if (added < 0) {
		snprintf(why, len, "create a container that copies into volume %s now: %d such creates "
				"(%d of one user) already await their answer; try again",
				rg_conscheck_quote(vol, q, sizeof(q)), RG_RUNS_MAX, RG_RUNS_USER_MAX);
		return -1;
	}

	running = running_one(r->proc, watch);

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; running == -1 && starting == NULL && i < r->n; i++) {
		const struct flight *f = &r->f[i];

		if (f->kind == FLIGHT_START && (f->id == NULL || rg_strv_has(watch, f->id)) &&
		    (f->id != NULL || watch->n > 0))
			starting = f->id != NULL ? f->id : "";
	}
	if (running != -1 || starting != NULL)
		remove_ticket(r, ticket);
	pthread_mutex_unlock(&r->lock);

	if (running == -2) {
		snprintf(why, len, "mount volume %s so that dockerd copies the image's files into it: "
				"whether container %.12s, which mounts it, runs cannot be told (%s cannot be "
				"read); add nocopy (bind_mounts)", rg_conscheck_quote(vol, q, sizeof(q)),
				watch->v[0], r->proc);
		return -1;
	}
	if (running >= 0 || starting != NULL) {
		const char *id = running >= 0 ? watch->v[running] : starting;

		snprintf(why, len, "mount volume %s so that dockerd copies the image's files into it "
				"while container %.12s, which mounts it, %s: a process there can redirect the "
				"copy onto the host; add nocopy (-v %s:PATH:nocopy, --mount ...,volume-nocopy), "
				"or stop that container first (bind_mounts)",
				rg_conscheck_quote(vol, q, sizeof(q)), id[0] != '\0' ? id : "(not known)",
				running >= 0 ? "is running" : "is being started", vol);
		return -1;
	}
	return 0;
}

static int gate_start(void *arg, const struct rg_request *req, const char *id,
		const struct rg_strv *volumes, char *why, size_t len)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1], qv[RG_CONSCHECK_QUOTE_MAX + 1];
	struct rg_runs *r = arg;
	const char *held = NULL, *verb = req->route.command != NULL ?
		strchr(req->route.command, '.') + 1 : "start";
	unsigned char key[32];
	char *copy = NULL;
	int added;

	if (call_key(req, key) < 0 || (id != NULL && (copy = strdup(id)) == NULL)) {
		snprintf(why, len, "%s a container now (out of memory)", verb);
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	expire(r, mono_s());
	for (size_t i = 0; held == NULL && i < r->n; i++) {
		const struct flight *f = &r->f[i];

		/* a container rolegate cannot tell may mount any of them */
		if (f->kind == FLIGHT_COPY && (id == NULL ? (held = f->volumes.v[0]) != NULL :
				shares(volumes, &f->volumes, &held)))
			break;
	}
	if (held == NULL && id != NULL) {
		/* started: no longer down, and a stop in flight is outrun */
		unmark(r, id);
		for (size_t i = 0; i < r->n; i++) {
			if (r->f[i].kind == FLIGHT_STOP && r->f[i].id != NULL && strcmp(r->f[i].id, id) == 0)
				r->f[i].void_ = true;
		}
	}
	added = held == NULL ? add(r, FLIGHT_START, "", key, NULL, copy, NULL) : 0;
	if (held != NULL)
		free(copy);
	pthread_mutex_unlock(&r->lock);

	rg_conscheck_quote(req->route.object, q, sizeof(q));
	if (held != NULL) {
		snprintf(why, len, "%s container %s now: a create is copying an image's files into "
				"volume %s, which %s; try again once it is done (bind_mounts)", verb, q,
				rg_conscheck_quote(held, qv, sizeof(qv)),
				id != NULL ? "it mounts" : "it may mount (rolegate has no record of it)");
		return -1;
	}
	if (added < 0) {
		snprintf(why, len, "%s container %s now (out of memory)", verb, q);
		return -1;
	}
	return 0;
}

static void gate_stop(void *arg, const struct rg_request *req, const char *id)
{
	struct rg_runs *r = arg;
	unsigned char key[32];
	char *copy;

	if (id == NULL || call_key(req, key) < 0 || (copy = strdup(id)) == NULL)
		return;   /* no mark comes of it: counts as running */
	pthread_mutex_lock(&r->lock);
	expire(r, mono_s());
	(void)add(r, FLIGHT_STOP, "", key, NULL, copy, NULL);
	pthread_mutex_unlock(&r->lock);
}

static bool gate_stopped(void *arg, const char *id)
{
	struct rg_runs *r = arg;
	bool down;

	pthread_mutex_lock(&r->lock);
	down = find_mark(r, id) != NULL;
	pthread_mutex_unlock(&r->lock);
	return down;
}

void rg_runs_daemon_started(struct rg_runs *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	unmark_all(r);
	pthread_mutex_unlock(&r->lock);
}

/* The kind of flight a call's command lets through; -1 for none. */
static int kind_of(const struct rg_request *req)
{
	const char *c = req->route.command;

	if (c == NULL)
		return -1;
	if (strcmp(c, "container.create") == 0)
		return FLIGHT_COPY;
	if (strcmp(c, "container.start") == 0 || strcmp(c, "container.restart") == 0 ||
	    strcmp(c, "container.unpause") == 0)
		return FLIGHT_START;
	if (strcmp(c, "container.stop") == 0)
		return FLIGHT_STOP;
	return -1;
}

/* The flight c was let through for is over: answered (status: how it
 * went), or refused after all. */
static void land(struct rg_runs *r, const struct rg_runs_call *c, bool answered, int status)
{
	size_t i;

	if (r == NULL || c->kind < 0)
		return;
	pthread_mutex_lock(&r->lock);
	i = find_key(r, (enum flight_kind)c->kind, c->key);
	/* down: stopped (2xx). dockerd 20.10 shows a stop of a container that
	 * was not running (304) as status 0, as a failure: no mark then */
	if (answered && i < r->n && c->kind == FLIGHT_STOP && !r->f[i].void_ && r->f[i].id != NULL &&
	    status >= 200 && status <= 299)
		mark(r, r->f[i].id);
	if (i < r->n)
		drop(r, i);
	pthread_mutex_unlock(&r->lock);
}

void rg_runs_call_of(const struct rg_request *req, struct rg_runs_call *out)
{
	out->kind = kind_of(req);
	if (out->kind >= 0 && call_key(req, out->key) < 0)
		out->kind = -1;
}

void rg_runs_answered(struct rg_runs *r, const struct rg_request *req)
{
	struct rg_runs_call c;

	if (r == NULL)
		return;
	rg_runs_call_of(req, &c);
	land(r, &c, true, req->status);
}

void rg_runs_call_refused(struct rg_runs *r, const struct rg_runs_call *c)
{
	land(r, c, false, 0);
}

void rg_runs_refused(struct rg_runs *r, const struct rg_request *req)
{
	struct rg_runs_call c;

	if (r == NULL)
		return;
	rg_runs_call_of(req, &c);
	land(r, &c, false, 0);
}

struct rg_runs *rg_runs_new(const char *proc, bool flights)
{
	struct rg_runs *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->proc = strdup(proc)) == NULL) {
		free(r);
		return NULL;
	}
	r->flights = flights;
	pthread_mutex_init(&r->lock, NULL);
	r->gate = (struct rg_run_gate){ .arg = r, .copy = gate_copy, .start = gate_start,
		.stop = gate_stop, .stopped = gate_stopped };
	return r;
}

void rg_runs_free(struct rg_runs *r)
{
	if (r == NULL)
		return;
	while (r->n > 0)
		drop(r, r->n - 1);
	unmark_all(r);
	free(r->f);
	free(r->proc);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

const struct rg_run_gate *rg_runs_gate(const struct rg_runs *r)
{
	return r != NULL ? &r->gate : NULL;
}
