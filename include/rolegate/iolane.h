#ifndef ROLEGATE_IOLANE_H
#define ROLEGATE_IOLANE_H

/*
 * An I/O lane: one thread that runs a file's write(2)s (or its fdatasyncs)
 * for callers that wait at most RG_IOLANE_MS for each.
 *
 * A disk that stops answering (a frozen filesystem: fsfreeze, `dmsetup
 * suspend`, an LVM snapshot; a dead path under dm-multipath or iSCSI; an NFS
 * hard mount) holds write(2) and fdatasync in an uninterruptible sleep for
 * as long as it lasts. Made by a server thread under the audit writer's
 * lock, such a call stopped every Docker call, reads and denies included
 * (docs/redteam-round13-avail.md). Through a lane the caller gives up after
 * RG_IOLANE_MS (the call then fails with ETIMEDOUT); the lane's thread stays
 * in the call, and until it comes back every further job fails at once with
 * ETIMEDOUT, so that nobody waits on a disk known to be stuck. A call's
 * own record is the exception: the server thread writes it itself, watched
 * instead (rg_audit_direct in rolegate/audit.h), since a hand-off per call
 * costs more than the rest of a read.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a caller waits for a write(2) or a fdatasync: a disk that has not
 * completed one in 5 s is down for the callers (and a slow but working disk,
 * under load, completes one in well under a second). */
#define RG_IOLANE_MS 5000

enum rg_iolane_op {
	RG_IOLANE_WRITE,   /* cut the file back to cut_to (if >= 0), then write every byte */
	RG_IOLANE_SYNC,    /* fdatasync */
};

struct rg_iolane;

/* Starts a lane named what ("audit write", "audit fdatasync") for the file
 * at path (messages only). Returns NULL when out of memory or threads. */
struct rg_iolane *rg_iolane_new(const char *what, const char *path);

/*
 * Runs op on fd in the lane and waits at most RG_IOLANE_MS for it. Returns 0,
 * or -1 with errno: the call's own, or ETIMEDOUT when it did not complete in
 * time or the lane is still in a job a caller gave up on (then nothing was
 * done). p[0..n) and fd are copied (fd as a dup): the caller may reuse the
 * buffer and close fd once this returns. Only one caller at a time (the
 * caller's lock orders them).
 */
int rg_iolane_run(struct rg_iolane *l, enum rg_iolane_op op, int fd, off_t cut_to,
		const char *p, size_t n);

/* write(2) of every byte of p[0..n) to fd, through EINTR: 0, or -1 (errno set). */
int rg_write_all(int fd, const char *p, size_t n);

/* Whether the lane is in a job a caller gave up on (the disk is stuck). */
bool rg_iolane_stuck(struct rg_iolane *l);

/*
 * Stops the lane. Returns true when it stopped; false when its thread is
 * still stuck in a job: it is then left there (detached; the lane is freed
 * by nobody: at exit the process ends it), and nothing a job could touch may
 * be freed by the caller.
 */
bool rg_iolane_free(struct rg_iolane *l);

#endif
