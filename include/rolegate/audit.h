#ifndef ROLEGATE_AUDIT_H
#define ROLEGATE_AUDIT_H

/*
 * The audit log writer (SPEC.md §6): appends one hash-chained record per
 * decision to audit.path, as durably as audit.sync asks, and optionally to
 * syslog. The record format and the chain are in audit_record.h.
 *
 * One writer per log: the file is locked (flock) while open, so a second
 * `rolegate serve` on the same log fails to open it instead of forking the
 * chain.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rolegate/audit_record.h"
#include "rolegate/policy.h"

struct rg_audit;

/*
 * sync = "batch": a record nobody waits for (rg_audit_append_written) is
 * durable within this many milliseconds of its write: the writer's flusher
 * thread runs the group commit on a timer, not only for the next caller that
 * waits (SPEC.md §3).
 */
#define RG_AUDIT_BATCH_MS 10

/*
 * Opens (creating with mode 0600, missing parent directories 0700) the log at
 * c->path for append, and recovers seq and the last hash from its tail. When
 * the log is missing or empty and "<path>.1" exists (logrotate renamed it
 * while rolegate was down), the chain continues from that file. A torn tail
 * (crash mid-write) is kept, terminated, and described by a "torn" system
 * record, so the chain continues after it. Loads the HMAC key from
 * c->key_file if set (see rg_audit_load_key). Opens syslog when c->syslog.
 * A log that ends before the record its head file (PATH.head) names lost
 * records while rolegate was stopped: the chain goes on after the head's
 * seq with a "gap" record, never reusing their seqs. A log that cannot be
 * opened or created (a read-only or full filesystem) is not fatal: appends
 * fail (audit.on_error) and try to open it again, at most once a second.
 * Returns NULL with err filled when the log must not be continued (locked
 * by another rolegate, not a regular file, a tail that is not a record).
 */
struct rg_audit *rg_audit_open(const struct rg_audit_config *c, char *err, size_t errlen);

/*
 * Appends one record. Thread-safe. Returns 0 once the record is as durable as
 * c->sync asks (always: fdatasync'd before returning; batch: group commit,
 * concurrent callers share one fdatasync and each returns only after its own
 * record is durable; none: written to the file), or -1 when it could not be
 * written or made durable (ENOSPC, EIO...); the caller then applies
 * audit.on_error. A failed write leaves no partial line: the file is cut back
 * to the last complete record, so appends succeed again when space returns.
 * Also notices a rename of the log (logrotate) and continues in a new file.
 */
int rg_audit_append(struct rg_audit *a, const struct rg_audit_entry *e);

/*
 * Appends one record that the caller answers without waiting for the disk:
 * with sync = "batch", returns 0 once written (write(2)), and the record is
 * durable within RG_AUDIT_BATCH_MS (the next group commit, run by the
 * flusher's timer if no durable caller comes first); with "always" and
 * "none", as rg_audit_append. For what SPEC.md §3 lets go out before its
 * record is durable: reads, denies and response records. Thread-safe.
 * Returns -1 when the record could not be written (or, "always", flushed);
 * a flush that fails later is logged by the writer.
 */
int rg_audit_append_written(struct rg_audit *a, const struct rg_audit_entry *e);

/*
 * Someone waiting for a record to be durable (sync = "batch"). The caller
 * sets done and arg and keeps the waiter alive until done is called; the rest
 * is the writer's.
 */
struct rg_audit_waiter {
	/* Called once (never NULL), from the writer's flusher thread and under none of its
	 * locks: result 0 when the record is durable, -1 when its fdatasync
	 * failed (the caller then applies audit.on_error). */
	void (*done)(void *arg, int result);
	void *arg;
	uint64_t seq;
	int result;
	bool settled;
	struct rg_audit_waiter *next;
};

/*
 * rg_audit_append without waiting for the group commit: returns 1 when the
 * record is written and w->done will be called once a fdatasync covering it
 * has finished (sync = "batch" only), 0 when it is already as durable as
 * c->sync asks (w unused), -1 when it could not be written or, with
 * "always", flushed (w unused).
 */
int rg_audit_append_async(struct rg_audit *a, const struct rg_audit_entry *e, struct rg_audit_waiter *w);

/*
 * Calls back every pending waiter with -1 now. For shutting down while the
 * disk hangs in fdatasync: nothing may stay waiting when the server stops.
 */
void rg_audit_fail_pending(struct rg_audit *a);

/*
 * Reopens the path if the file there is not the one open (after logrotate
 * renamed it): the new file's first record is a "rotate" system record whose
 * prev is the old file's last hash, and seq continues. A log that could not
 * be opened at start is tried again at once. Called on SIGHUP.
 * Returns 0, or -1 (the old file stays open and in use).
 */
int rg_audit_reopen(struct rg_audit *a);

/*
 * Lets each caller write its own record, with no hand-off to the writer's
 * I/O thread (two context switches less per call: most of what a read
 * costs). Only for a server with another thread to go on serving: should
 * the disk stop answering in the middle of such a write (a frozen or dead
 * filesystem), the thread stays in the kernel until the disk answers. The
 * others wait for it at most RG_IOLANE_MS (rolegate/iolane.h); then it is
 * declared stuck, every record fails at once until it comes back (and is
 * cut back: its call failed), and stuck(arg, thread) is called once, under
 * the writer's lock, so that the server can end the connections that thread
 * serves and would leave unanswered. Returns 0, or -1 (no watchdog thread).
 */
int rg_audit_direct(struct rg_audit *a, void (*stuck)(void *arg, pthread_t thread), void *arg);

/* Whether a caller's own write (rg_audit_direct) is stuck in the kernel now. */
bool rg_audit_writer_stuck(struct rg_audit *a);

/* Serves every pending waiter, flushes (fdatasync) and closes. NULL-safe. */
void rg_audit_close(struct rg_audit *a);

/*
 * Reads an HMAC key file: its bytes, less trailing "\n"/"\r\n", are the key.
 * Refuses a file that group or others may read or write, that is not a
 * regular file, or whose key is shorter than RG_AUDIT_KEY_MIN or longer than
 * RG_AUDIT_KEY_MAX bytes. Returns 0 with *key (free with free(); caller
 * should cleanse) and *keylen, or -1 with err filled.
 */
int rg_audit_load_key(const char *path, unsigned char **key, size_t *keylen, char *err,
		size_t errlen);

#endif
