/*
 * Watched direct writes (rolegate/directwrite.h): the bookkeeping the audit
 * log and the state's journal share, and the one watch thread of both.
 */
#define _GNU_SOURCE        /* pthread_setname_np, pthread_cond_clockwait */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "rolegate/directwrite.h"
#include "rolegate/iolane.h"
#include "rolegate/log.h"
#include "rolegate/monocond.h"

/* Direct writes that may still begin (rg_direct_limit), all owners together. */
static _Atomic int free_slots = INT_MAX;
static _Atomic int slot_cap = INT_MAX;

void rg_direct_limit(int n)
{
	int was = atomic_exchange(&slot_cap, n);

	atomic_fetch_add(&free_slots, n - was);
}

int rg_direct_init(struct rg_direct *d, pthread_mutex_t *lock, const char *what)
{
	*d = (struct rg_direct){ .lock = lock, .what = what };
	return rg_monocond_init(&d->done);
}

void rg_direct_destroy(struct rg_direct *d)
{
	pthread_cond_destroy(&d->done);
}

/* The write in flight has lasted RG_IOLANE_MS: said once; on_stuck hears which thread is in it. */
static void declare(struct rg_direct *d)
{
	if (d->stuck)
		return;
	d->stuck = true;
	log_errx("the disk under %s has not completed a write in %d ms: gave up on it; until it "
			"does, every write there fails at once", d->what, RG_IOLANE_MS);
	/* a lane's write: the thread that waits for it comes back by itself */
	if (d->on_stuck != NULL && !d->laned)
		d->on_stuck(d->on_stuck_arg, d->writer);
}

int rg_direct_wait(struct rg_direct *d)
{
	while (d->writing) {
		int64_t until = d->since + (int64_t)RG_IOLANE_MS * 1000;
		struct timespec ts = rg_monotonic_ts(until);

		if (d->stuck || rg_monotonic_us() >= until) {
			declare(d);
			errno = ETIMEDOUT;
			return -1;
		}
		pthread_cond_timedwait(&d->done, d->lock, &ts);
	}
	return 0;
}

bool rg_direct_begin(struct rg_direct *d)
{
	int n = atomic_load(&free_slots);

	do {
		if (n <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&free_slots, &n, n - 1));
	d->writing = true;
	d->laned = false;
	d->since = rg_monotonic_us();
	d->writer = pthread_self();
	return true;
}

void rg_direct_begin_laned(struct rg_direct *d)
{
	d->writing = d->laned = true;
	d->since = rg_monotonic_us();
	d->writer = pthread_self();
}

bool rg_direct_end(struct rg_direct *d)
{
	bool was = d->stuck;

	if (!d->laned)
		atomic_fetch_add(&free_slots, 1);
	d->writing = d->stuck = d->laned = false;
	pthread_cond_broadcast(&d->done);
	return was;
}

bool rg_direct_stuck(const struct rg_direct *d)
{
	return d->writing && d->stuck;
}

/* The watch thread and its list (every rg_direct watched). */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_wake = PTHREAD_COND_INITIALIZER;   /* stop */
static struct rg_direct *watched;
static pthread_t watch_thread;
static bool watch_running;
static unsigned long watch_gen;   /* a thread runs while it is the one it started with */

static void *watch(void *arg)
{
	unsigned long gen = (unsigned long)arg;

	pthread_setname_np(pthread_self(), "rg-direct-watch");
	pthread_mutex_lock(&watch_lock);
	while (watch_gen == gen) {
		struct timespec ts;

		for (struct rg_direct *d = watched; d != NULL; d = d->next) {
			pthread_mutex_lock(d->lock);
			if (d->writing && rg_monotonic_us() - d->since >= (int64_t)RG_IOLANE_MS * 1000)
				declare(d);
			pthread_mutex_unlock(d->lock);
		}
		ts = rg_monotonic_ts(rg_monotonic_us() + RG_DIRECT_WATCH_US);
		pthread_cond_clockwait(&watch_wake, &watch_lock, CLOCK_MONOTONIC, &ts);
	}
	pthread_mutex_unlock(&watch_lock);
	return NULL;
}

int rg_direct_watch(struct rg_direct *d, void (*on_stuck)(void *arg, pthread_t thread), void *arg)
{
	int r = 0;

	pthread_mutex_lock(&watch_lock);
	if (d->watched)
		goto out;
	if (!watch_running) {
		if (pthread_create(&watch_thread, NULL, watch, (void *)watch_gen) != 0) {
			r = -1;
			goto out;
		}
		watch_running = true;
	}
	pthread_mutex_lock(d->lock);
	d->on_stuck = on_stuck;
	d->on_stuck_arg = arg;
	pthread_mutex_unlock(d->lock);
	d->watched = true;
	d->next = watched;
	watched = d;
out:
	pthread_mutex_unlock(&watch_lock);
	return r;
}

void rg_direct_unwatch(struct rg_direct *d)
{
	bool join = false;
	pthread_t t;

	pthread_mutex_lock(&watch_lock);
	if (d->watched) {
		for (struct rg_direct **p = &watched; *p != NULL; p = &(*p)->next) {
			if (*p == d) {
				*p = d->next;
				break;
			}
		}
		d->watched = false;
		pthread_mutex_lock(d->lock);
		d->on_stuck = NULL;
		pthread_mutex_unlock(d->lock);
		if (watched == NULL && watch_running) {
			watch_gen++;
			pthread_cond_broadcast(&watch_wake);
			t = watch_thread;
			join = true;
			watch_running = false;
		}
	}
	pthread_mutex_unlock(&watch_lock);
	if (join)
		pthread_join(t, NULL);
}
