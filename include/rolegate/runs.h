#ifndef ROLEGATE_RUNS_H
#define ROLEGATE_RUNS_H

/*
 * The daemon's half of the copy-up gate (copyup.h): which containers run
 * now (the kernel's list of processes: a container's processes are in a
 * cgroup whose path holds its id), which starts and copying creates were
 * let through and await their answer. One per serve (or explain), shared
 * by every thread; its own lock, held only over a short list.
 */

#include <stdbool.h>

#include "rolegate/copyup.h"

struct rg_request;

#define RG_RUNS_MAX 4096            /* copying creates awaiting their answer */
#define RG_RUNS_USER_MAX 64         /* ... of one user */
#define RG_RUNS_EXPIRY (3600LL)     /* seconds after which a copying create whose answer
                                     * never came is dropped */
#define RG_RUNS_STARTS_MAX 4096     /* starts and stops awaiting their answer: past it the
                                     * oldest is dropped (never a refusal) */
#define RG_RUNS_START_EXPIRY (600LL) /* ... and after this many seconds */

struct rg_runs;

/*
 * proc: where the kernel's processes are ("/proc"). flights: whether what
 * is let through is remembered until its answer (serve); a simulation
 * (explain, test) has no answers from a daemon, only the kernel's list.
 * NULL when out of memory.
 */
struct rg_runs *rg_runs_new(const char *proc, bool flights);
void rg_runs_free(struct rg_runs *r);

/* The engine's view of it (rg_engine_view.runs); NULL for r NULL. */
const struct rg_run_gate *rg_runs_gate(const struct rg_runs *r);

/*
 * The answer (AuthZRes, any status) to a create, start, restart or unpause:
 * what its request was let through for is over. Every response comes here;
 * others are ignored without the lock.
 */
void rg_runs_answered(struct rg_runs *r, const struct rg_request *req);

/*
 * A request (AuthZReq) let through may be answered deny after all: its
 * record could not be written, now (rg_runs_refused) or at the group
 * commit, after the request itself is gone (serve keeps its rg_runs_call
 * and calls rg_runs_call_refused). Either way it is forgotten, as if never
 * let through: no answer will come to end its hold.
 */
struct rg_runs_call {
	int kind;                   /* < 0: the call lets nothing through */
	unsigned char key[32];
};
void rg_runs_call_of(const struct rg_request *req, struct rg_runs_call *out);
void rg_runs_call_refused(struct rg_runs *r, const struct rg_runs_call *c);
void rg_runs_refused(struct rg_runs *r, const struct rg_request *req);

/* dockerd (re)started: it activated the plugin. It may have started any
 * container with a restart policy: no container counts as stopped. */
void rg_runs_daemon_started(struct rg_runs *r);

#endif
