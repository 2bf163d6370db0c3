/*
 * The directory cache (rolegate/directory.h): answers "which groups is this
 * user in" from memory when it can, asks the LDAP client (rolegate/ldap.h)
 * when it must, and decides what an outage means.
 *
 * Per user there is one entry: the last answer the directory gave (groups,
 * or "no such user") and when, plus the state of a lookup in flight. Only the
 * thread that makes a lookup talks to LDAP, with the lock released; threads
 * asking for the same user meanwhile sleep on a condition variable until it
 * is done and take its answer. Entries are in a hash table and an LRU list;
 * the table holds at most RG_DIRECTORY_MAX_USERS entries.
 *
 * The daemon's calls do not wait in their own thread: a call with a waiter
 * (rg_directory_call_begin) that needs a lookup queues its user for the
 * lookup threads (RG_DIRECTORY_WORKERS, started at the first such call),
 * hangs its waiter on the entry and returns; the lookup thread fills every
 * waiter of the entry and calls it back. The same threads refresh answers
 * that active users are about to outlive.
 *
 * The circuit breaker counts consecutive lookups that timed out. Once open,
 * no call waits for the directory: each is answered from what the cache
 * holds, while one probe every RG_DIRECTORY_PROBE_MS asks whether the
 * directory is back; the first answer closes it.
 *
 * Times are CLOCK_MONOTONIC milliseconds, so that setting the clock neither
 * expires every answer nor keeps them forever.
 */
#define _GNU_SOURCE        /* pthread_timedjoin_np */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "rolegate/cachefile.h"
#include "rolegate/directory.h"
#include "rolegate/ldap.h"
#include "rolegate/log.h"
#include "rolegate/monocond.h"

/* Outage messages are repeated at most this often (seconds). */
#define LOG_REPEAT 60
#define NBUCKETS 1024

struct entry {
	char *user;
	uint64_t hash;
	struct entry *hnext;          /* hash chain */
	struct entry *older, *newer;  /* LRU list */

	bool has_answer;              /* groups/negative hold a directory answer */
	bool negative;                /* the answer was "no such user" */
	struct rg_strv groups;
	int64_t fetched;              /* when the answer was obtained */
	int64_t retry_at;             /* after a failed refresh: don't ask again before */

	bool in_flight;               /* a thread is asking LDAP right now */
	unsigned gen;                 /* counts finished lookups */
	enum rg_ldap_status last;     /* outcome of the last finished lookup */
	unsigned waiters;             /* threads sleeping on this entry */
	bool queued;                  /* on the lookup threads' queue */
	int64_t queued_at;            /* when it was put there */
	bool probe;                   /* its lookup is the breaker's probe */
	bool dirty;                   /* answer not yet in cache_file */
	struct entry *qnext;
	struct rg_directory_waiter *async; /* suspended calls waiting for the lookup */
};

/* When a kind of message was last logged, and how many were dropped since. */
struct log_limit {
	int64_t last;
	unsigned long suppressed;
};

struct rg_directory {
	struct rg_ldap *ldap;
	int64_t cache_ttl, negative_ttl, stale_ttl, retry, wait; /* ms */
	/* answers fetched before this (monotonic ms) are not fresh: a reload
	 * has them asked again (rg_directory_expire) */
	int64_t fresh_after;

	pthread_mutex_t lock;         /* guards everything below */
	pthread_cond_t done;          /* a lookup finished */
	struct entry *buckets[NBUCKETS];
	struct entry lru;             /* sentinel: lru.newer is the oldest */
	size_t n;
	uint64_t seed;
	struct rg_directory_stats stats;
	bool down;                    /* the last lookup found the directory unreachable */
	struct log_limit log_down, log_failed, log_warn;

	int64_t timeout;              /* timeout_ms: a failed lookup this long was a timeout */
	unsigned timeouts;            /* consecutive lookups that timed out */
	bool open;                    /* the circuit breaker */
	int64_t next_probe;           /* while open: when the next probe may go */
	bool probing;                 /* a probe is in flight */

	pthread_cond_t work;          /* the queue got an entry, or stopping */
	struct entry *qhead, *qtail;  /* users to look up, oldest first */
	pthread_t workers[RG_DIRECTORY_WORKERS];
	unsigned nworkers;
	bool stopping;
	bool dirty;                   /* some answer is not yet in cache_file */

	char *cache_file;             /* NULL or "": memory only */
	bool saving;                  /* the writer thread runs */
	bool detached;                /* a successor owns cache_file: write it no more */
	bool last_save;               /* the writer makes its last save and ends */
	pthread_t writer;
	pthread_cond_t save;          /* wakes the writer (stopping) */
	struct log_limit log_save;
};

static _Thread_local struct rg_directory_waiter *call_waiter;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a over a random seed: user names come from outside. */
static uint64_t hash_of(const struct rg_directory *d, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ d->seed;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct rg_directory *rg_directory_new(const struct rg_ldap_config *c, char *err, size_t errlen)
{
	struct rg_directory *d;

	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->ldap = rg_ldap_new(c, err, errlen);
	if (d->ldap == NULL) {
		free(d);
		return NULL;
	}
	d->fresh_after = INT64_MIN; /* cache_file answers may predate the monotonic epoch */
	d->cache_ttl = (int64_t)c->cache_ttl * 1000;
	d->negative_ttl = (int64_t)c->negative_ttl * 1000;
	d->stale_ttl = (int64_t)c->stale_ttl * 1000;
	d->retry = (c->cache_ttl < RG_DIRECTORY_RETRY_MAX ? c->cache_ttl : RG_DIRECTORY_RETRY_MAX) * 1000LL;
	d->wait = (int64_t)c->timeout_ms * RG_DIRECTORY_WAIT_OPS;
	d->timeout = c->timeout_ms;
	if (c->cache_file != NULL && c->cache_file[0] != '\0' &&
	    (d->cache_file = strdup(c->cache_file)) == NULL) {
		rg_ldap_free(d->ldap);
		free(d);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->lru.older = d->lru.newer = &d->lru;
	if (getrandom(&d->seed, sizeof(d->seed), GRND_NONBLOCK) != (ssize_t)sizeof(d->seed))
		d->seed = (uint64_t)now_ms() ^ (uint64_t)(uintptr_t)d;
	pthread_mutex_init(&d->lock, NULL);
	(void)rg_monocond_init(&d->done);
	(void)rg_monocond_init(&d->work);
	(void)rg_monocond_init(&d->save);
	return d;
}

/* ---- entries (lock held) --------------------------------------------- */

static void lru_unlink(struct entry *e)
{
	e->older->newer = e->newer;
	e->newer->older = e->older;
}

/* Marks e most recently used. */
static void lru_touch(struct rg_directory *d, struct entry *e)
{
	lru_unlink(e);
	e->older = d->lru.older;
	e->newer = &d->lru;
	d->lru.older->newer = e;
	d->lru.older = e;
}

static void entry_remove(struct rg_directory *d, struct entry *e)
{
	struct entry **pp = &d->buckets[e->hash % NBUCKETS];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(e);
	d->n--;
	rg_strv_free(&e->groups);
	free(e->user);
	free(e);
}

/* Whether e may be dropped: nobody is asking about it right now. */
static bool entry_idle(const struct entry *e)
{
	return !e->in_flight && e->waiters == 0 && !e->queued && e->async == NULL;
}

/* Drops the least recently used idle entry. When every entry is busy (one
 * per thread at most) the table may briefly exceed its bound. */
static void evict_one(struct rg_directory *d)
{
	for (struct entry *e = d->lru.newer; e != &d->lru; e = e->newer) {
		if (entry_idle(e)) {
			entry_remove(d, e);
			d->stats.evictions++;
			return;
		}
	}
}

/* The entry for user, created (empty) when absent; NULL when out of memory. */
static struct entry *entry_get(struct rg_directory *d, const char *user)
{
	uint64_t h = hash_of(d, user);
	struct entry *e;

	for (e = d->buckets[h % NBUCKETS]; e != NULL; e = e->hnext) {
		if (e->hash == h && strcmp(e->user, user) == 0) {
			lru_touch(d, e);
			return e;
		}
	}
	if (d->n >= RG_DIRECTORY_MAX_USERS)
		evict_one(d);
	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->user = strdup(user)) == NULL) {
		free(e);
		return NULL;
	}
	e->hash = h;
	e->hnext = d->buckets[h % NBUCKETS];
	d->buckets[h % NBUCKETS] = e;
	e->older = e->newer = e;
	lru_touch(d, e);
	d->n++;
	return e;
}

/* An entry that never got an answer is of no use once nobody waits on it. */
static void entry_release(struct rg_directory *d, struct entry *e)
{
	if (!e->has_answer && entry_idle(e))
		entry_remove(d, e);
}

static bool fresh(const struct rg_directory *d, const struct entry *e, int64_t now)
{
	int64_t ttl = e->negative ? d->negative_ttl : d->cache_ttl;

	return e->has_answer && e->fetched >= d->fresh_after && now - e->fetched < ttl;
}

static bool stale_usable(const struct rg_directory *d, const struct entry *e, int64_t now)
{
	return e->has_answer && now - e->fetched < d->stale_ttl;
}

/* Appends e's groups to out; on failure out is as it was. */
static int copy_groups(const struct entry *e, struct rg_strv *out)
{
	size_t n0 = out->n;

	for (size_t i = 0; i < e->groups.n; i++) {
		if (rg_strv_push_unique(out, e->groups.v[i]) < 0) {
			while (out->n > n0)
				free(out->v[--out->n]);
			return -1;
		}
	}
	return 0;
}

static const char *const unreachable_msg = "the directory (LDAP) is unreachable and no cached answer is usable";
static const char *const failed_msg = "the directory (LDAP) lookup failed and no cached answer is usable";

/*
 * The answer after a failed lookup (or a wait that ran out): a stale answer
 * if one is young enough, else -1.
 */
static int answer_failure(struct rg_directory *d, struct entry *e, enum rg_ldap_status st,
		int64_t now, struct rg_strv *out, enum rg_group_source *source, const char **errstr)
{
	if (stale_usable(d, e, now) && copy_groups(e, out) == 0) {
		*source = RG_GROUPS_STALE;
		d->stats.stale++;
		return 0;
	}
	*errstr = st == RG_LDAP_FAILED ? failed_msg : unreachable_msg;
	d->stats.denied++;
	return -1;
}

/* ---- the lookup ------------------------------------------------------ */

/*
 * Whether a message of kind lim may be logged now (lock held). Fills note
 * with how many were dropped since the last one.
 */
static bool may_log(struct log_limit *lim, int64_t now, char *note, size_t notelen)
{
	if (lim->last != 0 && now - lim->last < LOG_REPEAT * 1000) {
		lim->suppressed++;
		return false;
	}
	if (lim->suppressed > 0)
		snprintf(note, notelen, " (%lu similar message(s) suppressed)", lim->suppressed);
	lim->last = now | 1;
	lim->suppressed = 0;
	return true;
}

/*
 * Logs the outcome of a lookup (rolegate/log.h: stderr, or syslog in the
 * daemon), outside the lock. The start and the end of an outage are always
 * reported; anything that repeats (the outage going on, failed lookups,
 * warnings about an answer) at most every LOG_REPEAT seconds per kind, so
 * that a busy host cannot flood the log.
 */
static void report(struct rg_directory *d, enum rg_ldap_status st, const char *user, const char *detail)
{
	const char *why = detail[0] != '\0' ? detail : "no details";
	char msg[1024], note[96] = "";
	int64_t now = now_ms();
	struct log_limit *lim = NULL;
	bool say = true;

	pthread_mutex_lock(&d->lock);
	if (st == RG_LDAP_UNREACHABLE) {
		lim = &d->log_down;
		if (!d->down)
			lim->last = 0;    /* a new outage is always news */
		d->down = true;
		snprintf(msg, sizeof(msg), "directory unreachable (looking up %s): %s", user, why);
	} else if (st == RG_LDAP_FAILED) {
		lim = &d->log_failed;
		snprintf(msg, sizeof(msg), "lookup failed (looking up %s): %s", user, why);
	} else if (d->down) {
		d->down = false;
		snprintf(msg, sizeof(msg), "directory answering again%s%s",
				detail[0] != '\0' ? ": " : "", detail);
	} else if (detail[0] != '\0') {
		lim = &d->log_warn;
		snprintf(msg, sizeof(msg), "looking up %s: %s", user, detail);
	} else {
		say = false;
	}
	if (lim != NULL)
		say = may_log(lim, now, note, sizeof(note));
	pthread_mutex_unlock(&d->lock);
	if (say)
		log_warnx("ldap: %s%s", msg, note);
}

/* Appends e's answer (lock held): the source and counter are the caller's. */
static int answer(struct rg_directory *d, struct entry *e, enum rg_group_source src,
		unsigned long *counter, struct rg_strv *out, enum rg_group_source *source,
		const char **errstr)
{
	if (copy_groups(e, out) < 0) {
		*errstr = "out of memory";
		d->stats.denied++;
		return -1;
	}
	*source = src;
	(*counter)++;
	return 0;
}

/*
 * Another thread is asking the directory about e: waits (lock held, released
 * while sleeping) until it is done, at most RG_DIRECTORY_WAIT_OPS *
 * timeout_ms, and answers with its outcome.
 */
static int wait_for_lookup(struct rg_directory *d, struct entry *e, struct rg_strv *out,
		enum rg_group_source *source, const char **errstr)
{
	unsigned gen = e->gen;
	int64_t deadline = now_ms() + d->wait;
	struct timespec ts = { .tv_sec = deadline / 1000, .tv_nsec = (deadline % 1000) * 1000000 };
	int ret;

	e->waiters++;
	while (e->gen == gen && pthread_cond_timedwait(&d->done, &d->lock, &ts) != ETIMEDOUT)
		;
	e->waiters--;
	if (e->gen == gen)
		ret = answer_failure(d, e, RG_LDAP_UNREACHABLE, now_ms(), out, source, errstr);
	else if (e->last == RG_LDAP_FOUND || e->last == RG_LDAP_NO_USER)
		ret = answer(d, e, RG_GROUPS_LDAP, &d->stats.shared, out, source, errstr);
	else
		ret = answer_failure(d, e, e->last, now_ms(), out, source, errstr);
	entry_release(d, e);
	return ret;
}

enum breaker_event { BREAKER_SAME, BREAKER_OPENED, BREAKER_CLOSED };

/*
 * Stores the outcome of a lookup of e that started at `started` (lock held),
 * wakes the threads sleeping on it and moves the circuit breaker. Takes got.
 */
static enum breaker_event store(struct rg_directory *d, struct entry *e, enum rg_ldap_status st,
		struct rg_strv *got, int64_t started)
{
	int64_t now = now_ms();
	enum breaker_event ev = BREAKER_SAME;

	e->in_flight = false;
	e->gen++;
	e->last = st;
	if (e->probe) {
		e->probe = false;
		d->probing = false;
	}
	pthread_cond_broadcast(&d->done);
	if (st == RG_LDAP_FOUND || st == RG_LDAP_NO_USER) {
		rg_strv_free(&e->groups);
		e->groups = *got;
		memset(got, 0, sizeof(*got));
		e->has_answer = true;
		e->negative = st == RG_LDAP_NO_USER;
		e->fetched = now;
		e->retry_at = 0;
		e->dirty = true;
		d->dirty = true;
		d->timeouts = 0;
		if (d->open) {
			d->open = false;
			ev = BREAKER_CLOSED;
		}
		return ev;
	}
	d->stats.failures++;
	e->retry_at = now + d->retry;
	if (st == RG_LDAP_FAILED) {
		d->timeouts = 0;     /* the server answered: it is not hung */
	} else if (now - started >= d->timeout && ++d->timeouts >= RG_DIRECTORY_BREAKER_TIMEOUTS &&
			!d->open) {
		d->open = true;
		d->next_probe = now + RG_DIRECTORY_PROBE_MS;
		d->stats.breaker_opened++;
		ev = BREAKER_OPENED;
	}
	return ev;
}

/*
 * Gives every suspended call waiting on e its answer (lock held): e's new
 * answer when the lookup got one, else what answer_failure() gives. The
 * waiters are moved onto *cb, to be called back once the lock is released.
 */
static void settle(struct rg_directory *d, struct entry *e, bool answered,
		struct rg_directory_waiter **cb)
{
	int64_t now = now_ms();

	while (e->async != NULL) {
		struct rg_directory_waiter *w = e->async;

		e->async = w->next;
		if (answered)
			w->ret = answer(d, e, RG_GROUPS_LDAP, &d->stats.fresh, &w->groups, &w->source,
					&w->errstr);
		else
			w->ret = answer_failure(d, e, e->last == RG_LDAP_FAILED ? RG_LDAP_FAILED :
					RG_LDAP_UNREACHABLE, now, &w->groups, &w->source, &w->errstr);
		w->has_result = true;
		w->next = *cb;
		*cb = w;
	}
}

/* Empties the lookup queue (lock held), answering its waiters at once. */
static void drain_queue(struct rg_directory *d, struct rg_directory_waiter **cb)
{
	while (d->qhead != NULL) {
		struct entry *e = d->qhead;

		d->qhead = e->qnext;
		e->qnext = NULL;
		e->queued = false;
		if (e->probe) {
			e->probe = false;
			d->probing = false;
		}
		settle(d, e, false, cb);
		entry_release(d, e);
	}
	d->qtail = NULL;
}

/* Calls the waiters back (lock not held); a waiter may be freed by its callback. */
static void call_back(struct rg_directory_waiter *cb)
{
	while (cb != NULL) {
		struct rg_directory_waiter *next = cb->next;

		cb->next = NULL;
		cb->done(cb->arg);
		cb = next;
	}
}

static void report_breaker(enum breaker_event ev)
{
	if (ev == BREAKER_OPENED)
		log_warnx("ldap: %d lookups in a row timed out: the directory is taken for hung; calls "
				"are answered at once from cached answers (stale up to stale_ttl) or denied, "
				"while a probe every %d ms asks whether it is back", RG_DIRECTORY_BREAKER_TIMEOUTS,
				RG_DIRECTORY_PROBE_MS);
	else if (ev == BREAKER_CLOSED)
		log_warnx("ldap: a probe got an answer: lookups resume");
}

/*
 * Asks the directory about e's user (lock held on entry and on return,
 * released during the lookup), stores the answer and wakes the threads and
 * calls waiting for it.
 */
static void run_lookup(struct rg_directory *d, struct entry *e)
{
	struct rg_strv got = { 0 };
	struct rg_directory_waiter *cb = NULL;
	enum rg_ldap_status st;
	enum breaker_event ev;
	char detail[768];
	int64_t started = now_ms();

	/* e cannot be evicted while in flight; its user name cannot change */
	e->in_flight = true;
	d->stats.lookups++;
	pthread_mutex_unlock(&d->lock);

	st = rg_ldap_lookup(d->ldap, e->user, &got, detail, sizeof(detail));
	report(d, st, e->user, detail);

	pthread_mutex_lock(&d->lock);
	ev = store(d, e, st, &got, started);
	rg_strv_free(&got);
	settle(d, e, st == RG_LDAP_FOUND || st == RG_LDAP_NO_USER, &cb);
	if (ev == BREAKER_OPENED)
		drain_queue(d, &cb);
	if (ev != BREAKER_SAME || cb != NULL) {
		e->waiters++;      /* not evicted while the lock is released */
		pthread_mutex_unlock(&d->lock);
		report_breaker(ev);
		call_back(cb);
		pthread_mutex_lock(&d->lock);
		e->waiters--;
	}
}

/* A lookup made in the calling thread (explain, test, or no lookup threads). */
static int lookup(struct rg_directory *d, struct entry *e, struct rg_strv *out,
		enum rg_group_source *source, const char **errstr)
{
	int ret;

	run_lookup(d, e);
	if (e->last == RG_LDAP_FOUND || e->last == RG_LDAP_NO_USER)
		ret = answer(d, e, RG_GROUPS_LDAP, &d->stats.fresh, out, source, errstr);
	else
		ret = answer_failure(d, e, e->last, now_ms(), out, source, errstr);
	entry_release(d, e);
	return ret;
}

/* ---- lookup threads -------------------------------------------------- */

static void *worker(void *arg)
{
	struct rg_directory *d = arg;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		struct entry *e;

		while (!d->stopping && d->qhead == NULL)
			pthread_cond_wait(&d->work, &d->lock);
		if (d->stopping)
			break;
		e = d->qhead;
		d->qhead = e->qnext;
		if (d->qhead == NULL)
			d->qtail = NULL;
		e->qnext = NULL;
		e->queued = false;
		/*
		 * Queued longer than a waiter would wait for a lookup: answered
		 * now as a directory that did not answer (stale or denied). A
		 * slow directory (each lookup just under timeout_ms) and a
		 * burst of uncached users otherwise made the last of them wait
		 * for every lookup ahead: 15 s behind 300 (round 8).
		 */
		if (now_ms() - e->queued_at > d->wait) {
			struct rg_directory_waiter *cb = NULL;

			if (e->probe) {
				e->probe = false;
				d->probing = false;
			}
			settle(d, e, false, &cb);
			entry_release(d, e);
			if (cb != NULL) {
				pthread_mutex_unlock(&d->lock);
				call_back(cb);
				pthread_mutex_lock(&d->lock);
			}
			continue;
		}
		run_lookup(d, e);
		entry_release(d, e);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* Starts the lookup threads once (lock held). Returns whether there are any. */
static bool have_workers(struct rg_directory *d)
{
	if (d->nworkers > 0 || d->stopping)
		return d->nworkers > 0;
	while (d->nworkers < RG_DIRECTORY_WORKERS &&
	       pthread_create(&d->workers[d->nworkers], NULL, worker, d) == 0)
		d->nworkers++;
	if (d->nworkers == 0)
		log_warnx("ldap: cannot start the lookup threads; lookups are made by the calls");
	return d->nworkers > 0;
}

/* Puts e on the lookup threads' queue (lock held), unless it is already. */
static void enqueue(struct rg_directory *d, struct entry *e)
{
	if (e->queued || e->in_flight)
		return;
	e->queued = true;
	e->queued_at = now_ms();
	e->qnext = NULL;
	if (d->qtail != NULL)
		d->qtail->qnext = e;
	else
		d->qhead = e;
	d->qtail = e;
	pthread_cond_signal(&d->work);
}

/* Hangs w on e until its lookup is done (lock held). Returns -1: the call waits. */
static int park(struct rg_directory *d, struct entry *e, struct rg_directory_waiter *w,
		const char **errstr)
{
	enqueue(d, e);
	w->pending = true;
	w->next = e->async;
	e->async = w;
	d->stats.suspended++;
	*errstr = "waiting for the directory (LDAP)";
	return -1;
}

/* Whether e's answer, still fresh, should be refreshed before it expires. */
static bool refresh_due(const struct rg_directory *d, const struct entry *e, int64_t now)
{
	int64_t ttl = e->negative ? d->negative_ttl : d->cache_ttl;

	return ttl > 0 && now - e->fetched >= ttl - ttl / RG_DIRECTORY_REFRESH_DIVISOR;
}

void rg_directory_call_begin(struct rg_directory_waiter *w)
{
	call_waiter = w;
	if (w != NULL)
		w->pending = false;
}

void rg_directory_call_end(void)
{
	call_waiter = NULL;
}

bool rg_directory_call_pending(void)
{
	return call_waiter != NULL && call_waiter->pending;
}

void rg_directory_waiter_clear(struct rg_directory_waiter *w)
{
	rg_strv_free(&w->groups);
	w->has_result = false;
	w->pending = false;
}

/* The answer a suspended call was given, again for the call made once it resumed. */
static int given_answer(struct rg_directory_waiter *w, struct rg_strv *out,
		enum rg_group_source *source, const char **errstr)
{
	size_t n0 = out->n;

	if (w->ret < 0) {
		*errstr = w->errstr;
		return -1;
	}
	for (size_t i = 0; i < w->groups.n; i++) {
		if (rg_strv_push_unique(out, w->groups.v[i]) < 0) {
			while (out->n > n0)
				free(out->v[--out->n]);
			*errstr = "out of memory";
			return -1;
		}
	}
	*source = w->source;
	return 0;
}

int rg_directory_groups(struct rg_directory *d, const char *user, struct rg_strv *out,
		enum rg_group_source *source, const char **errstr)
{
	struct rg_directory_waiter *w = call_waiter;
	struct entry *e;
	int64_t now;
	int ret;

	*errstr = NULL;
	if (w != NULL && w->has_result)
		return given_answer(w, out, source, errstr);
	pthread_mutex_lock(&d->lock);
	if (user == NULL || !rg_ldap_name_valid(user, strlen(user), RG_DIRECTORY_NAME_MAX)) {
		*errstr = "invalid user name";
		d->stats.denied++;
		pthread_mutex_unlock(&d->lock);
		return -1;
	}
	e = entry_get(d, user);
	if (e == NULL) {
		*errstr = "out of memory";
		d->stats.denied++;
		pthread_mutex_unlock(&d->lock);
		return -1;
	}
	now = now_ms();
	if (w != NULL && !have_workers(d))
		w = NULL;
	if (fresh(d, e, now)) {
		ret = answer(d, e, RG_GROUPS_CACHE, &d->stats.hits, out, source, errstr);
		/* an active user never waits for an expired answer */
		if (w != NULL && !d->open && !e->in_flight && !e->queued && refresh_due(d, e, now)) {
			enqueue(d, e);
			d->stats.refreshes++;
		}
	} else if (d->open) {
		/* the directory hangs: nobody waits, one probe at a time asks */
		bool probe = now >= d->next_probe && !d->probing && !e->in_flight && !e->queued;

		if (probe) {
			d->probing = true;
			e->probe = true;
			d->next_probe = now + RG_DIRECTORY_PROBE_MS;
		}
		if (probe && w == NULL) {
			ret = lookup(d, e, out, source, errstr);
		} else {
			if (probe)
				enqueue(d, e);
			d->stats.fast_failures++;
			ret = answer_failure(d, e, RG_LDAP_UNREACHABLE, now, out, source, errstr);
			entry_release(d, e);
		}
	} else if (w != NULL && (e->in_flight || e->queued) && stale_usable(d, e, now)) {
		/*
		 * The answer expired while its refresh (started before the expiry,
		 * or by another call) is still on its way: the refresh is late,
		 * which only a slow directory makes it. Answer from the cache now
		 * rather than make an active user wait for the directory; the
		 * refresh lands within one lookup's time.
		 */
		d->stats.stale++;
		ret = copy_groups(e, out) == 0 ? 0 : -1;
		if (ret == 0)
			*source = RG_GROUPS_STALE;
		else
			*errstr = "out of memory";
	} else if (w != NULL && (e->in_flight || e->queued || now >= e->retry_at ||
			!stale_usable(d, e, now))) {
		ret = park(d, e, w, errstr);
	} else if (e->in_flight || e->queued) {
		ret = wait_for_lookup(d, e, out, source, errstr);
	} else if (now < e->retry_at && stale_usable(d, e, now)) {
		/* a refresh failed a moment ago: don't make this request wait for another */
		ret = answer_failure(d, e, e->last, now, out, source, errstr);
	} else {
		ret = lookup(d, e, out, source, errstr);
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

void rg_directory_fail_pending(struct rg_directory *d)
{
	struct rg_directory_waiter *cb = NULL;

	pthread_mutex_lock(&d->lock);
	drain_queue(d, &cb);
	for (struct entry *e = d->lru.newer; e != &d->lru; e = e->newer)
		settle(d, e, false, &cb);
	pthread_mutex_unlock(&d->lock);
	call_back(cb);
}

/* ---- cache_file ------------------------------------------------------ */

static int64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The answers worth keeping (lock held), with wall-clock times. */
static struct rg_cached_answer *snapshot(struct rg_directory *d, size_t *n)
{
	int64_t now = now_ms(), real = realtime_ms();
	struct rg_cached_answer *a = calloc(d->n > 0 ? d->n : 1, sizeof(*a));

	*n = 0;
	if (a == NULL)
		return NULL;
	for (struct entry *e = d->lru.newer; e != &d->lru; e = e->newer) {
		struct rg_cached_answer *x = &a[*n];

		if (!stale_usable(d, e, now))
			continue;
		x->user = strdup(e->user);
		x->negative = e->negative;
		x->fetched = real - (now - e->fetched);
		if (x->user == NULL || copy_groups(e, &x->groups) < 0) {
			rg_cached_answers_free(a, *n + 1);
			*n = 0;
			return NULL;
		}
		e->dirty = false;
		(*n)++;
	}
	return a;
}

/* Writes cache_file if answers changed (lock held, released while writing). */
static void save(struct rg_directory *d)
{
	struct rg_cached_answer *a;
	char err[512], note[96] = "";
	size_t n;
	int rc;
	bool say;

	if (!d->dirty || d->detached)
		return;
	d->dirty = false;
	a = snapshot(d, &n);
	if (a == NULL) {
		d->dirty = true;
		return;
	}
	pthread_mutex_unlock(&d->lock);
	rc = rg_cachefile_write(d->cache_file, a, n, err, sizeof(err));
	rg_cached_answers_free(a, n);
	pthread_mutex_lock(&d->lock);
	if (rc == 0) {
		d->stats.saved++;
		return;
	}
	d->dirty = true;
	say = may_log(&d->log_save, now_ms(), note, sizeof(note));
	pthread_mutex_unlock(&d->lock);
	if (say)
		log_warnx("ldap: cannot keep the answers in cache_file: %s%s", err, note);
	pthread_mutex_lock(&d->lock);
}

static void *writer(void *arg)
{
	struct rg_directory *d = arg;

	pthread_mutex_lock(&d->lock);
	while (!d->last_save) {
		int64_t at = now_ms() + RG_DIRECTORY_SAVE_MS;
		struct timespec ts = { .tv_sec = at / 1000, .tv_nsec = (at % 1000) * 1000000 };

		pthread_cond_timedwait(&d->save, &d->lock, &ts);
		if (!d->stopping)
			save(d);
	}
	/* the last save, after the workers' last answers (rg_directory_free):
	 * here, so that a disk that does not answer holds this thread only */
	save(d);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

void rg_directory_detach_cache_file(struct rg_directory *d)
{
	pthread_mutex_lock(&d->lock);
	d->detached = true;
	pthread_mutex_unlock(&d->lock);
}

size_t rg_directory_use_cache_file(struct rg_directory *d, bool read)
{
	struct rg_cached_answer *a;
	char err[512];
	size_t n, loaded = 0;
	int64_t now, real;

	if (d->cache_file == NULL)
		return 0;
	a = NULL;
	n = 0;
	if (read && rg_cachefile_read(d->cache_file, RG_DIRECTORY_FILE_MAX, &a, &n, err, sizeof(err)) < 0) {
		log_warnx("ldap: cache_file %s", err);
		a = NULL;
		n = 0;
	}
	pthread_mutex_lock(&d->lock);
	now = now_ms();
	real = realtime_ms();
	for (size_t i = 0; i < n; i++) {
		/* a time in the future (the clock was set back) counts as now */
		int64_t age = real - a[i].fetched < 0 ? 0 : real - a[i].fetched;
		struct entry *e;

		if (age >= d->stale_ttl || (e = entry_get(d, a[i].user)) == NULL || e->has_answer)
			continue;
		e->groups = a[i].groups;
		memset(&a[i].groups, 0, sizeof(a[i].groups));
		e->has_answer = true;
		e->negative = a[i].negative;
		e->fetched = now - age;
		loaded++;
	}
	/*
	 * Read back, an answer is stale, never fresh: it is served only while
	 * the directory cannot be asked (what the file is for: a restart
	 * during an outage locks nobody out). Restarting rolegate is what an
	 * operator does to make a removal from a group take effect, as a
	 * reload is (rg_directory_expire); an answer read back as fresh kept
	 * the removed group until cache_ttl (red team round 16).
	 */
	if (read)
		d->fresh_after = now;
	d->stats.loaded = loaded;
	if (pthread_create(&d->writer, NULL, writer, d) == 0)
		d->saving = true;
	else
		log_warnx("ldap: cannot start the thread that writes cache_file; answers stay in memory");
	pthread_mutex_unlock(&d->lock);
	rg_cached_answers_free(a, n);
	if (loaded > 0)
		log_info("ldap: %zu answer(s) read from %s", loaded, d->cache_file);
	return loaded;
}

void rg_directory_expire(struct rg_directory *d)
{
	pthread_mutex_lock(&d->lock);
	d->fresh_after = now_ms();
	pthread_mutex_unlock(&d->lock);
}

int rg_directory_reread_secret(struct rg_directory *d, char *err, size_t errlen)
{
	return rg_ldap_reread_secret(d->ldap, err, errlen);
}

void rg_directory_stats(struct rg_directory *d, struct rg_directory_stats *st)
{
	pthread_mutex_lock(&d->lock);
	*st = d->stats;
	st->users = d->n;
	st->breaker_open = d->open;
	pthread_mutex_unlock(&d->lock);
	st->connects = rg_ldap_connects(d->ldap);
}

void rg_directory_free(struct rg_directory *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_broadcast(&d->work);
	pthread_cond_broadcast(&d->save);
	pthread_mutex_unlock(&d->lock);
	for (unsigned i = 0; i < d->nworkers; i++)
		pthread_join(d->workers[i], NULL);
	if (d->saving) {
		struct timespec until;

		pthread_mutex_lock(&d->lock);
		d->last_save = true;
		pthread_cond_broadcast(&d->save);
		pthread_mutex_unlock(&d->lock);
		/*
		 * cache_file on a frozen or dead filesystem: mkdir(2), mkstemp,
		 * fsync and rename sleep there until it answers. This ran in the
		 * caller (serve's main thread at SIGTERM, or whichever thread
		 * dropped a reloaded directory): SIGTERM then waited for the thaw
		 * (docs/redteam-round14-avail.md). The writer is waited for
		 * RG_DIRECTORY_STOP_MS; past that it is left there, with d, which
		 * it may still touch (serve exits next, or the directory was
		 * replaced by a reload).
		 */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += RG_DIRECTORY_STOP_MS / 1000;
		if (pthread_timedjoin_np(d->writer, NULL, &until) != 0) {
			log_warnx("ldap: cache_file %s: its disk has not completed a save in %d ms: "
					"stopping without it", d->cache_file, RG_DIRECTORY_STOP_MS);
			pthread_detach(d->writer);
			rg_directory_fail_pending(d);
			return;
		}
	}
	rg_directory_fail_pending(d);
	while (d->lru.newer != &d->lru)
		entry_remove(d, d->lru.newer);
	rg_ldap_free(d->ldap);
	pthread_cond_destroy(&d->done);
	pthread_cond_destroy(&d->work);
	pthread_cond_destroy(&d->save);
	pthread_mutex_destroy(&d->lock);
	free(d->cache_file);
	free(d);
}
