#ifndef ROLEGATE_DIRECTWRITE_H
#define ROLEGATE_DIRECTWRITE_H

/*
 * A write(2) made by the calling server thread itself, outside its owner's
 * lock, and watched (the audit log's records, rg_audit_direct; the state's
 * journal lines, rg_state_direct): it spares the two context switches of an
 * I/O lane (iolane.h), and a disk that stops answering holds that one
 * thread only. One write at a time per owner: whoever writes, cuts or
 * replaces the file next waits for it (rg_direct_wait), at most until it
 * has lasted RG_IOLANE_MS; then it is declared stuck, the owner fails its
 * writes at once until it comes back, and on_stuck is told which thread is
 * in it (serve closes that thread's connections, so that dockerd gets EOF
 * instead of a hang). When nobody comes to wait, one watch thread shared by
 * every owner (rg_direct_watch) declares it, within RG_DIRECT_WATCH_US.
 *
 * Each stuck write keeps its thread, so with several owners (the log and
 * the journal, maybe on one disk) every server thread could end up stuck:
 * rg_direct_limit caps the threads in a direct write at once, all owners
 * together (serve: its threads less one), and a write beyond the cap goes
 * through the owner's I/O lane instead (rg_direct_begin says which), so one
 * server thread is always left to answer.
 *
 * All fields are guarded by the owner's mutex (lock), which the functions
 * below expect held, except rg_direct_watch and rg_direct_unwatch.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* How often the shared watch thread looks at the writes in flight. */
#define RG_DIRECT_WATCH_US 250000

struct rg_direct {
	pthread_mutex_t *lock;     /* the owner's */
	const char *what;          /* for the log: the file written ("the audit log PATH") */
	pthread_cond_t done;       /* writing went false (monotonic clock) */
	bool writing;              /* a thread is in its write(2), outside the lock */
	bool stuck;                /* ... declared stuck */
	bool laned;                /* ... through the owner's lane: its thread is not stuck */
	int64_t since;             /* monotonic µs */
	pthread_t writer;
	void (*on_stuck)(void *arg, pthread_t thread);
	void *on_stuck_arg;
	bool watched;
	struct rg_direct *next;    /* the watch list */
};

/* Sets d up for the owner's lock; what must outlive d. Returns 0 or -1. */
int rg_direct_init(struct rg_direct *d, pthread_mutex_t *lock, const char *what);
void rg_direct_destroy(struct rg_direct *d);

/* Waits until no write is in flight: 0, or -1 (errno ETIMEDOUT) when it is stuck. */
int rg_direct_wait(struct rg_direct *d);
/*
 * The calling thread begins its write (the lock is released around it):
 * true. False when rg_direct_limit threads are in direct writes already:
 * nothing is marked, and the caller writes through its lane (or marks it
 * with rg_direct_begin_laned to keep others out meanwhile).
 */
bool rg_direct_begin(struct rg_direct *d);
void rg_direct_begin_laned(struct rg_direct *d);
/* Its write is over: returns whether it had been declared stuck (then no longer). */
bool rg_direct_end(struct rg_direct *d);
/* Whether a write is in flight and declared stuck. */
bool rg_direct_stuck(const struct rg_direct *d);

/* At most n threads in direct writes at once, all owners together (default: no cap). */
void rg_direct_limit(int n);

/*
 * Puts d on the shared watch thread's list (started with the first) with
 * its stuck hook, or takes it off (stopped with the last). Not locked.
 * Returns 0 or -1.
 */
int rg_direct_watch(struct rg_direct *d, void (*on_stuck)(void *arg, pthread_t thread), void *arg);
void rg_direct_unwatch(struct rg_direct *d);

#endif
