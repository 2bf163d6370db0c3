#ifndef ROLEGATE_STATE_H
#define ROLEGATE_STATE_H

/*
 * The ownership state of the daemon (SPEC.md §4, plugin.state): the model
 * (ownership.h) behind a read-write lock, persisted in a directory as a
 * snapshot plus an append-only journal (statefile.h). Every event is
 * written to the journal under the lock and made durable by a flusher
 * thread (group commit) before the AuthZRes that caused it is answered
 * (rg_state_durable): no server thread and no decision waits for the disk.
 * The journal is folded into a new snapshot (written aside, then renamed)
 * when it grows and when the daemon stops.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "rolegate/ownership.h"
#include "rolegate/request.h"

#define RG_STATE_COMPACT_MIN 4096   /* journal events before a compaction is considered */

struct rg_state;

/*
 * Opens the state directory dir, creating it (0700) when missing: it must
 * be a directory owned by the effective user (root for serve) with no
 * access for group or others. Loads the snapshot and the journal; a torn
 * last journal entry is dropped (and *note says so, else note is ""). Takes
 * a lock on the directory for the life of the process. Returns NULL with
 * err set ("FILE:LINE: message" for a corrupt file) on failure.
 */
struct rg_state *rg_state_open(const char *dir, char *err, size_t errlen, char *note, size_t notelen);

/*
 * Reads the state in dir as serve left it, without locking or changing it
 * (`rolegate state`, `explain --state`). Returns a new model, or NULL with
 * err set as rg_state_open does; *note reports a torn last entry.
 */
struct rg_owners *rg_state_read_dir(const char *dir, char *err, size_t errlen, char *note, size_t notelen);

/* A state in memory only, starting from a copy of o (NULL = empty): explain and test. */
struct rg_state *rg_state_memory(const struct rg_owners *o);

/* Compacts (when on disk: the snapshot also saves last-use times) and frees. NULL-safe. */
void rg_state_close(struct rg_state *s);

/*
 * Read access to the model for one decision: rg_state_read_begin returns
 * the model (valid until rg_state_read_end); NULL-safe (returns NULL).
 */
struct rg_owners *rg_state_read_begin(struct rg_state *s);
void rg_state_read_end(struct rg_state *s);

/*
 * Applies what the AuthZRes req confirms (rg_owner_events) for the caller
 * user and the role that allowed the request: journaled (see
 * rg_state_durable), then applied. A create whose record cannot be written is not applied (the
 * object stays unowned) and is logged at LOG_ERR, as is an answer without
 * an id. Returns the number of events applied, or -1.
 */
int rg_state_observe(struct rg_state *s, struct rg_request *req, const char *user, const char *role);

/* A call waiting for the events it journaled to be durable. */
struct rg_state_waiter {
	/* Called once, from the flusher thread under none of its locks, when a
	 * fdatasync (or compaction) covering them is over, failed or not (a
	 * failure is logged; the answer is allow all the same), or by
	 * rg_state_fail_pending. */
	void (*done)(void *arg);
	void *arg;
	unsigned long long seq;
	struct rg_state_waiter *next;
};

/*
 * After rg_state_observe wrote events: returns 0 when every event written
 * so far is durable already (or the state is in memory only), 1 when
 * w->done will be called once they are. With w NULL it waits in this
 * thread instead, and returns 0.
 */
int rg_state_durable(struct rg_state *s, struct rg_state_waiter *w);

/*
 * Calls back every waiter now, and every later rg_state_durable returns 0
 * at once: for shutting down while the disk hangs, as the audit log's.
 */
void rg_state_fail_pending(struct rg_state *s);

/*
 * From now on a call's journal lines are written by its own thread once it
 * has let the state's write lock go, not through the journal's I/O thread
 * (rolegate/directwrite.h): for serve with two server threads or more,
 * before the first call. A write the disk does not complete in
 * RG_IOLANE_MS is declared stuck (by the shared watch thread when nobody
 * waits for it), stuck(arg, thread) hears which thread is in it, and until
 * it comes back every event fails its write at once (a create stays
 * unowned; SPEC §4). Returns 0, or -1 (the lane stays). NULL-safe.
 */
int rg_state_direct(struct rg_state *s, void (*stuck)(void *arg, pthread_t thread), void *arg);

/* Whether a direct journal write is in flight and declared stuck. NULL-safe. */
bool rg_state_writer_stuck(struct rg_state *s);

/*
 * A container inspect or list answer (req, AuthZRes) that names a tracked
 * container by a name its record lacks (rg_owner_names_learned) renames
 * the record, as rg_state_observe. Cheap when it does not: a read lock.
 */
void rg_state_learn_names(struct rg_state *s, struct rg_request *req);

#endif
