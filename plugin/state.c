/*
 * The daemon's ownership state (state.h): the model behind a lock, the
 * journal and the snapshot on disk.
 *
 * Files in plugin.state: "snapshot" (the whole state at generation N),
 * "journal" (events since: header gen N, one event per line), "lock".
 *
 * An event is written to the journal (one write(2)) under the lock and
 * applied, or, with direct writes (rg_state_direct), applied under the lock
 * and written by the calling thread right after it lets the lock go; it is
 * made durable by the flusher thread, out of the lock and
 * off the server threads: a slow or hung disk then delays the journal's
 * durability, never a decision (docs/availability-round8.md). The page
 * cache keeps what was written through a crash of rolegate; only a power
 * cut can lose the last moment's events, and those objects stay unowned.
 *
 * Compaction runs on the flusher too, in two steps. Under the read lock
 * (decisions go on; events wait) it writes "snapshot.next" and an empty
 * "journal.next" of gen N+1, unsynced, and appends go to journal.next from
 * then on. With no lock it syncs and renames snapshot.next over "snapshot",
 * then journal.next over "journal". A crash in between leaves journal.next
 * (gen N+1 beside snapshot N, or gen N+1 beside snapshot N+1 and a stale
 * journal N): it holds the events after the switch and is read last. Such
 * a start folds everything into a new snapshot of a later generation first.
 */
#define _GNU_SOURCE        /* pthread_timedjoin_np, pthread_rwlock_clockwrlock */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/directwrite.h"
#include "rolegate/iolane.h"
#include "rolegate/log.h"
#include "rolegate/monocond.h"
#include "rolegate/ownercheck.h"
#include "rolegate/state.h"
#include "rolegate/statefile.h"
#include "rolegate/statefile_io.h"

#define RG_STATE_FILE_MAX (1024L * 1024 * 1024)  /* a state file larger than this is refused */
#define RG_STATE_EXPIRE_EVERY 3600               /* seconds between expiry sweeps */
#define RG_STATE_STOP_SECONDS 5                  /* waited for the flusher at exit */

struct rg_state {
	pthread_rwlock_t lock;
	struct rg_owners *owners;
	char *dir;             /* NULL: memory only */
	int dirfd, lockfd;
	/* The journal appended to: written under the write lock, replaced by
	 * the flusher's compaction under the read lock (which excludes every
	 * writer), synced by the flusher with no lock. */
	int journal;
	unsigned long gen;     /* the journal's generation */
	size_t journal_events;
	long long last_expire;

	/* The flusher (on disk only). */
	pthread_t flusher;
	bool flusher_started;
	pthread_mutex_t flush_lock; /* guards the fields below */
	pthread_cond_t flush_wake;  /* work for the flusher, or it stopped */
	pthread_cond_t settled_wake; /* a flush is over: for rg_state_durable(NULL) */
	unsigned long long written; /* batches of events written (wake_flusher calls) */
	unsigned long long settled; /* of those, how many a finished flush covers */
	struct rg_state_waiter *waiters;
	bool released;         /* rg_state_fail_pending: nobody waits any more */
	bool dirty;            /* events written since the flusher last began a fdatasync */
	bool compact_due;
	bool sync_failed;      /* the last fdatasync or compaction failed: compact at the next event */
	bool stopping;
	bool stopped;          /* the flusher has returned */
	/* Owned by the flusher: a compaction whose second step has not succeeded yet. */
	int next_snapshot;     /* snapshot.next, open; -1 none */
	/*
	 * Read-only: the directory would not take a write at start (a
	 * filesystem remounted read-only after an error, a full disk). The
	 * model read is served, and no journal is open, so a create stays
	 * unowned as SPEC §4 says of a record that cannot be written (a
	 * removal or rename is applied in memory). The flusher retries each
	 * second; read and cleared under flush_lock.
	 */
	bool read_only;
	int read_only_errno;   /* why, for the records that fail meanwhile */
	unsigned long long changes; /* model changes, a lost create's forgotten name too (under
	                            * the write lock): recover() compares */
	/*
	 * A disk that stops answering (docs/redteam-round13-avail.md). The
	 * journal's write(2) runs in a lane, waited for RG_IOLANE_MS at most
	 * (rolegate/iolane.h), or in the calling thread with no lock held
	 * (direct, below). disk_since is when the flusher began its step
	 * on the disk (monotonic µs; 0: not on it): one that has not come back
	 * in RG_IOLANE_MS is stuck, and a create's answer does not wait longer
	 * than that for its flush (the watchdog answers those already waiting).
	 * locked_since is the same for the writes it makes under the read lock
	 * (a compaction's first step): an event waits no longer for the write
	 * lock, and not at all once that is stuck.
	 */
	struct rg_iolane *jlane;
	_Atomic int64_t disk_since;
	_Atomic int64_t locked_since;
	pthread_t watchdog;
	bool watchdog_started;
	pthread_cond_t watch_wake;  /* stop, under flush_lock */
	bool disk_stuck;            /* the watchdog said so (once per streak), under flush_lock */
	/*
	 * Direct writes (rg_state_direct, with two server threads or more): an
	 * event's line is appended to jbuf under the write lock (and
	 * flush_lock), applied, and written by the calling thread once it has
	 * let the write lock go (journal_write_direct): a disk that stops
	 * answering then holds that thread alone, never the lock every decision
	 * takes. One such write at a time, in jbuf's order (dw, under
	 * flush_lock; rolegate/directwrite.h); whoever comes next writes what
	 * the others appended meanwhile. A compaction folds jbuf into its
	 * snapshot. Otherwise the line goes through jlane under the write lock.
	 */
	bool direct;
	struct rg_direct dw;
	char *jbuf;                 /* lines applied, not yet written (under flush_lock) */
	size_t jlen, jcap;
	struct jundo *undo;         /* the creates among them (under flush_lock) */
	size_t nundo, undocap;
};

/* A create whose line is not written yet: taken back should its write fail (SPEC §4). */
struct jundo {
	enum rg_obj_kind kind;
	char *id;
};

static void free_undo(struct jundo *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(u[i].id);
}

/* Whether since (disk_since, locked_since) is RG_IOLANE_MS or more ago. */
static bool stuck_since(const _Atomic int64_t *since)
{
	int64_t t = atomic_load(since);

	return t != 0 && rg_monotonic_us() - t >= (int64_t)RG_IOLANE_MS * 1000;
}

/* Whether the flusher has been in one step on the disk for RG_IOLANE_MS or more. */
static bool disk_stuck(struct rg_state *s)
{
	return stuck_since(&s->disk_since);
}

static long long now_s(void)
{
	return (long long)time(NULL);
}

static struct rg_state *state_new(void)
{
	struct rg_state *s = calloc(1, sizeof(*s));
	pthread_rwlockattr_t attr;
	int failed;

	if (s == NULL)
		return NULL;
	s->dirfd = s->lockfd = s->journal = s->next_snapshot = -1;
	/*
	 * Writers first: a decision holds the read lock for as long as it
	 * takes (a copy-up scan of /proc, host path lookups), and an answer
	 * waits RG_IOLANE_MS at most for the write lock before its object is
	 * left unowned. With glibc's default (readers first) one user's
	 * overlapping slow decisions kept every other user's creates out
	 * (round 16). No thread takes the read lock twice.
	 */
	if (pthread_rwlockattr_init(&attr) != 0)
		goto fail;
	failed = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) != 0 ||
		pthread_rwlock_init(&s->lock, &attr) != 0;
	pthread_rwlockattr_destroy(&attr);
	if (failed)
		goto fail;
	if (pthread_mutex_init(&s->flush_lock, NULL) != 0)
		goto fail_lock;
	/* the monotonic clock: stop_flusher's timed wait */
	if (rg_monocond_init(&s->flush_wake) != 0)
		goto fail_flush_lock;
	if (pthread_cond_init(&s->settled_wake, NULL) != 0)
		goto fail_flush_wake;
	(void)rg_monocond_init(&s->watch_wake);
	if (rg_direct_init(&s->dw, &s->flush_lock, "the ownership state") != 0)
		goto fail_settled_wake;
	return s;
fail_settled_wake:
	pthread_cond_destroy(&s->watch_wake);
	pthread_cond_destroy(&s->settled_wake);
fail_flush_wake:
	pthread_cond_destroy(&s->flush_wake);
fail_flush_lock:
	pthread_mutex_destroy(&s->flush_lock);
fail_lock:
	pthread_rwlock_destroy(&s->lock);
fail:
	free(s);
	return NULL;
}

static void state_free(struct rg_state *s)
{
	if (s->journal >= 0)
		close(s->journal);
	if (s->next_snapshot >= 0)
		close(s->next_snapshot);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	rg_owners_free(s->owners);
	free(s->jbuf);
	free_undo(s->undo, s->nundo);
	free(s->undo);
	rg_direct_destroy(&s->dw);
	pthread_cond_destroy(&s->watch_wake);
	pthread_cond_destroy(&s->settled_wake);
	pthread_cond_destroy(&s->flush_wake);
	pthread_mutex_destroy(&s->flush_lock);
	pthread_rwlock_destroy(&s->lock);
	free(s->dir);
	free(s);
}

struct rg_state *rg_state_memory(const struct rg_owners *o)
{
	struct rg_state *s = state_new();

	if (s == NULL)
		return NULL;
	s->owners = o != NULL ? rg_owners_copy(o) : rg_owners_new(0);
	if (s->owners == NULL) {
		state_free(s);
		return NULL;
	}
	return s;
}

/* The directory exists (made 0700 if missing), is ours and closed to others. */
static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	errno = 0;
	if (mkdir(dir, 0700) < 0 && errno == ENOENT) {
		/* /var/lib/rolegate on a fresh host */
		char parent[4096];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash != NULL && slash != parent) {
			*slash = '\0';
			if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s", parent, strerror(errno));
				return -1;
			}
		}
		errno = 0;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create the state directory %s: %s", dir, strerror(errno));
			return -1;
		}
	} else if (errno != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the state directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "plugin.state %s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "plugin.state %s must be a directory owned by %s with mode 0700 "
				"(it is owned by uid %u with mode %04o)", dir, geteuid() == 0 ? "root" : "this user",
				(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * Reads a whole file under the directory; *text NULL (and 0) when it does not
 * exist. Opened O_NONBLOCK: a FIFO there (root's mistake, or a test) would
 * block open(2) for good, serve would never become ready and SIGTERM would
 * wait for it (docs/redteam-round12-avail.md); now it is "not a regular file".
 */
static int slurp(struct rg_state *s, const char *name, char **text, size_t *len, char *err, size_t errlen)
{
	int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	size_t got = 0;

	*text = NULL;
	*len = 0;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s/%s: %s", s->dir, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > RG_STATE_FILE_MAX) {
		snprintf(err, errlen, "%s/%s: not a regular file of at most %ld bytes", s->dir, name,
				RG_STATE_FILE_MAX);
		close(fd);
		return -1;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (*text == NULL) {
		snprintf(err, errlen, "%s/%s: out of memory", s->dir, name);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

static int fsync_dir(struct rg_state *s)
{
	return fsync(s->dirfd);
}

/*
 * Writes a new file tmp holding the snapshot of o (or, o NULL, an empty
 * journal) of gen, not synced. Returns its descriptor (appending), or -1.
 * A fresh file of our own: whatever is at tmp goes first (nothing there is
 * worth keeping: the callers start a new file there). A FIFO left there
 * blocked open(2) for good; the compaction holds the read lock while here,
 * so every create's record, and then both server threads, waited behind it
 * and SIGTERM never ended serve (docs/redteam-round12-avail.md).
 */
static int write_new(struct rg_state *s, const char *tmp, const struct rg_owners *o, unsigned long gen)
{
	int fd, r, e;

	(void)unlinkat(s->dirfd, tmp, 0);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
			O_NONBLOCK, 0600);
	if (fd < 0)
		return -1;
	if (o != NULL) {
		r = rg_statefile_write_snapshot(fd, o, gen);
	} else {
		char *head = rg_statefile_header("journal", gen);

		r = head != NULL && write(fd, head, strlen(head)) == (ssize_t)strlen(head) ? 0 : -1;
		free(head);
	}
	if (r == 0)
		return fd;
	e = errno;
	close(fd);
	unlinkat(s->dirfd, tmp, 0);
	errno = e;
	return -1;
}

/*
 * Makes the file tmp (open as fd) durable and renames it over name, for
 * good. Repeatable after a failure: tmp already gone means renamed.
 */
static int put_in_place(struct rg_state *s, int fd, const char *tmp, const char *name)
{
	if (fsync(fd) < 0)
		return -1;
	if (renameat(s->dirfd, tmp, s->dirfd, name) < 0 && errno != ENOENT)
		return -1;
	return fsync_dir(s);
}

/* Replaces name by a durable file holding the snapshot (or an empty journal) of gen: at start. */
static int write_file(struct rg_state *s, const char *name, const struct rg_owners *o, unsigned long gen)
{
	char tmp[64];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if ((fd = write_new(s, tmp, o, gen)) < 0)
		return -1;
	r = put_in_place(s, fd, tmp, name);
	close(fd);
	if (r < 0)
		unlinkat(s->dirfd, tmp, 0);
	return r;
}

static int open_journal(struct rg_state *s)
{
	/* O_NONBLOCK: read_files saw a regular file, but one may have taken its place */
	s->journal = openat(s->dirfd, "journal", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	return s->journal < 0 ? -1 : 0;
}

/*
 * Compaction, first step: the flusher, holding the read lock, so that no
 * event is appended meanwhile. Writes snapshot.next and an empty
 * journal.next of the next generation, unsynced; appends go to
 * journal.next from now on.
 */
static int compact_begin(struct rg_state *s)
{
	int snap, journal;

	if ((snap = write_new(s, "snapshot.next", s->owners, s->gen + 1)) < 0)
		return -1;
	if ((journal = write_new(s, "journal.next", NULL, s->gen + 1)) < 0) {
		close(snap);
		unlinkat(s->dirfd, "snapshot.next", 0);
		return -1;
	}
	/* Lines applied but not yet written (direct writes) are in the model,
	 * and so in the snapshot: folded into it, counted as written (the flush
	 * after this compaction settles their calls). A direct write in flight
	 * goes to the old journal first; one that is stuck leaves the
	 * compaction for later. */
	pthread_mutex_lock(&s->flush_lock);
	if (rg_direct_wait(&s->dw) < 0) {
		pthread_mutex_unlock(&s->flush_lock);
		close(snap);
		close(journal);
		unlinkat(s->dirfd, "snapshot.next", 0);
		unlinkat(s->dirfd, "journal.next", 0);
		return -1;
	}
	if (s->jlen > 0) {
		s->jlen = 0;
		free_undo(s->undo, s->nundo);
		s->nundo = 0;
		s->written++;
		s->dirty = true;
	}
	close(s->journal);
	s->journal = journal;
	pthread_mutex_unlock(&s->flush_lock);
	s->gen++;
	s->journal_events = 0;
	s->next_snapshot = snap;
	return 0;
}

/*
 * Second step: the flusher, with no lock. The snapshot is put in place
 * before the journal, each durable before it is renamed. Until it has
 * succeeded no compaction begins again (it would truncate journal.next).
 */
static int compact_finish(struct rg_state *s)
{
	if (s->next_snapshot >= 0) {
		if (put_in_place(s, s->next_snapshot, "snapshot.next", "snapshot") < 0)
			return -1;
		close(s->next_snapshot);
		s->next_snapshot = -1;
	}
	return put_in_place(s, s->journal, "journal.next", "journal");
}

/*
 * A compaction, or the rest of one a failure cut short. Returns 0 or -1;
 * a failure is said once per streak (*warned), since every event retries.
 */
static int compact(struct rg_state *s, bool *pending, bool *warned)
{
	const char *what = NULL;
	int r;

	if (!*pending) {
		pthread_rwlock_rdlock(&s->lock);
		atomic_store(&s->locked_since, rg_monotonic_us());
		r = compact_begin(s);
		atomic_store(&s->locked_since, 0);
		pthread_rwlock_unlock(&s->lock);
		if (r < 0)
			what = "write a new ownership snapshot";
		else
			*pending = true;
	}
	if (what == NULL && compact_finish(s) < 0)
		what = "put the new ownership snapshot in place (journal.next holds the events since)";
	if (what == NULL) {
		*pending = *warned = false;
		return 0;
	}
	if (!*warned)
		log_warn("cannot %s in %s (retried at the next event)", what, s->dir);
	*warned = true;
	return -1;
}

/* The journal's fdatasync; a failure is said once per streak. */
static int sync_journal(struct rg_state *s, bool *warned)
{
	if (fdatasync(s->journal) == 0) {
		*warned = false;
		return 0;
	}
	if (!*warned)
		log_warn("cannot flush the ownership journal in %s (a power cut now could lose recent "
				"records; rewritten whole at the next event)", s->dir);
	*warned = true;
	return -1;
}

/*
 * A read-only state's way back: takes the lock, writes the model as the
 * snapshot of a new generation and an empty journal, each durable and
 * renamed into place with no lock held, and then, under the write lock,
 * opens the journal, unless an event came meanwhile (then the next try
 * writes it again). Returns 0 once writable.
 */
static int recover(struct rg_state *s, bool *warned)
{
	unsigned long gen;
	unsigned long long changes;
	int snap = -1, journal = -1;

	if (s->lockfd < 0 &&
	    (s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0 &&
	    flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		close(s->lockfd);
		s->lockfd = -1;
		errno = EWOULDBLOCK;
	}
	if (s->lockfd < 0)
		goto fail;
	pthread_rwlock_rdlock(&s->lock);
	gen = s->gen + 1;
	changes = s->changes;
	atomic_store(&s->locked_since, rg_monotonic_us());
	snap = write_new(s, "snapshot.tmp", s->owners, gen);
	atomic_store(&s->locked_since, 0);
	pthread_rwlock_unlock(&s->lock);
	if (snap < 0 || put_in_place(s, snap, "snapshot.tmp", "snapshot") < 0 ||
	    (journal = write_new(s, "journal.tmp", NULL, gen)) < 0 ||
	    put_in_place(s, journal, "journal.tmp", "journal") < 0)
		goto fail;
	close(snap);
	/* older than the snapshot now: stale to every reader, removed for tidiness */
	(void)unlinkat(s->dirfd, "journal.next", 0);
	(void)unlinkat(s->dirfd, "snapshot.next", 0);
	pthread_rwlock_wrlock(&s->lock);
	if (s->changes != changes) {
		pthread_rwlock_unlock(&s->lock);
		close(journal);
		return -1;
	}
	s->journal = journal;
	s->gen = gen;
	s->journal_events = 0;
	pthread_rwlock_unlock(&s->lock);
	log_warnx("the state directory %s takes writes again: new objects are recorded (generation %lu)",
			s->dir, gen);
	*warned = false;
	return 0;
fail:
	if (!*warned && errno == EWOULDBLOCK)
		log_warnx("the state directory %s is locked by another rolegate serve: staying read-only "
				"(retried every second)", s->dir);
	else if (!*warned)
		log_warn("the state directory %s is still not writable (retried every second)", s->dir);
	*warned = true;
	if (snap >= 0)
		close(snap);
	if (journal >= 0)
		close(journal);
	(void)unlinkat(s->dirfd, "snapshot.tmp", 0);
	(void)unlinkat(s->dirfd, "journal.tmp", 0);
	return -1;
}

/*
 * A flush covering the first covered batches is over: detaches the waiters
 * it settles (called back by the caller, unlocked). Under flush_lock.
 */
static struct rg_state_waiter *settle(struct rg_state *s, unsigned long long covered)
{
	struct rg_state_waiter *done = NULL, **p = &s->waiters;

	if (covered > s->settled)
		s->settled = covered;
	while (*p != NULL) {
		struct rg_state_waiter *w = *p;

		if (w->seq <= s->settled || s->released) {
			*p = w->next;
			w->next = done;
			done = w;
		} else {
			p = &w->next;
		}
	}
	pthread_cond_broadcast(&s->settled_wake);
	return done;
}

static void call_back(struct rg_state_waiter *w)
{
	while (w != NULL) {
		struct rg_state_waiter *next = w->next;

		w->done(w->arg);   /* may free w */
		w = next;
	}
}

/*
 * The flusher: makes written events durable (one fdatasync covers all
 * written before it began; group commit) and compacts, so that neither
 * waits on the disk in a server thread or under the lock a decision takes.
 */
static void *flusher_main(void *arg)
{
	struct rg_state *s = arg;
	/* each failure said once per streak, apart: one may fail while the other works */
	bool pending = false, compact_warned = false, sync_warned = false, recover_warned = true;

	pthread_mutex_lock(&s->flush_lock);
	for (;;) {
		struct rg_state_waiter *done;
		unsigned long long covered;
		bool compacting, sync;
		int r = 0;

		while (s->read_only && !s->stopping) {
			struct timespec until;

			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += 1;
			while (!s->stopping &&
			       pthread_cond_timedwait(&s->flush_wake, &s->flush_lock, &until) == 0)
				;
			if (s->stopping)
				break;
			pthread_mutex_unlock(&s->flush_lock);
			r = recover(s, &recover_warned);
			pthread_mutex_lock(&s->flush_lock);
			if (r == 0)
				s->read_only = false;
			r = 0;
		}
		while (!s->dirty && !s->compact_due && !s->stopping)
			pthread_cond_wait(&s->flush_wake, &s->flush_lock);
		if (s->stopping)
			break;
		compacting = s->compact_due || pending;
		sync = s->dirty;
		s->compact_due = s->dirty = false;
		/* written before this flush begins: covered by it */
		covered = s->written;
		pthread_mutex_unlock(&s->flush_lock);
		atomic_store(&s->disk_since, rg_monotonic_us());
		/* a finished compaction synced every event written before its end */
		if (compacting)
			r = compact(s, &pending, &compact_warned);
		if (sync && (!compacting || r < 0))
			r = sync_journal(s, &sync_warned) < 0 ? -1 : r;
		atomic_store(&s->disk_since, 0);
		pthread_mutex_lock(&s->flush_lock);
		if (s->disk_stuck) {
			s->disk_stuck = false;
			log_warnx("the disk under %s answers again", s->dir);
		}
		s->sync_failed = r < 0 || pending;
		/* a failure is logged; the calls go on (answered allow: done already) */
		done = settle(s, covered);
		pthread_mutex_unlock(&s->flush_lock);
		call_back(done);
		pthread_mutex_lock(&s->flush_lock);
	}
	s->stopped = true;
	pthread_cond_broadcast(&s->flush_wake);
	pthread_mutex_unlock(&s->flush_lock);
	return (void *)(long)pending;
}

/* Tells the flusher that events were written, or a compaction is due. Under the write lock. */
static void wake_flusher(struct rg_state *s, bool wrote, bool due)
{
	pthread_mutex_lock(&s->flush_lock);
	/* direct writes: counted when they are written (journal_write_direct) */
	s->written += wrote && !s->direct;
	s->dirty |= wrote && !s->direct;
	/* after a failure the next event rewrites the files from memory */
	s->compact_due |= due || (wrote && s->sync_failed);
	if (s->dirty || s->compact_due)
		pthread_cond_signal(&s->flush_wake);
	pthread_mutex_unlock(&s->flush_lock);
}

int rg_state_durable(struct rg_state *s, struct rg_state_waiter *w)
{
	unsigned long long want;
	int r = 0;

	if (s == NULL || !s->flusher_started)
		return 0;
	pthread_mutex_lock(&s->flush_lock);
	want = s->written;
	/* a flusher stuck on the disk: answered now (the watchdog says so) */
	if (w != NULL && s->settled < want && !s->released && !s->disk_stuck) {
		w->seq = want;
		w->next = s->waiters;
		s->waiters = w;
		r = 1;
	}
	while (w == NULL && s->settled < want && !s->released && !s->disk_stuck)
		pthread_cond_wait(&s->settled_wake, &s->flush_lock);
	pthread_mutex_unlock(&s->flush_lock);
	return r;
}

/*
 * The watchdog: once a second, whether the flusher has been on the disk for
 * RG_IOLANE_MS; then the creates waiting for their flush are answered (SPEC
 * §4: the answer is allow; the record is written, not yet durable), and
 * until the disk answers none waits. Never touches the disk itself.
 */
static void *watchdog_main(void *arg)
{
	struct rg_state *s = arg;

	pthread_mutex_lock(&s->flush_lock);
	while (!s->stopping) {
		struct timespec until;
		struct rg_state_waiter *done = NULL;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		(void)pthread_cond_timedwait(&s->watch_wake, &s->flush_lock, &until);
		if (s->stopping || !disk_stuck(s))
			continue;
		if (!s->disk_stuck) {
			s->disk_stuck = true;
			log_errx("the disk under %s has not answered the ownership journal for %d ms: "
					"creates are answered without waiting for their flush, and their "
					"records wait in the page cache", s->dir, RG_IOLANE_MS);
		}
		if (s->waiters != NULL)
			done = settle(s, s->written);
		pthread_cond_broadcast(&s->settled_wake);
		pthread_mutex_unlock(&s->flush_lock);
		call_back(done);
		pthread_mutex_lock(&s->flush_lock);
	}
	pthread_mutex_unlock(&s->flush_lock);
	return NULL;
}

void rg_state_fail_pending(struct rg_state *s)
{
	struct rg_state_waiter *done;

	if (s == NULL || !s->flusher_started)
		return;
	pthread_mutex_lock(&s->flush_lock);
	s->released = true;
	done = settle(s, 0);
	pthread_mutex_unlock(&s->flush_lock);
	call_back(done);
}

/* "DIR/NAME:N: message" for a corrupt state file (why is "line N: message"). */
static int corrupt(struct rg_state *s, const char *name, const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s/%s:%s", s->dir, name, why + strlen("line "));
	return -1;
}

struct files {
	struct rg_statefile_result journal;
	bool journal_missing;
	bool next;             /* journal.next was read: a compaction was cut short */
	bool torn;             /* a torn last entry was left out */
};

/*
 * Reads snapshot, journal and, after a compaction cut short, journal.next
 * into s->owners; s->gen is the newest generation read.
 */
static int read_files(struct rg_state *s, struct files *f, char *err, size_t errlen)
{
	struct rg_statefile_result res;
	unsigned long snap_gen;
	char *text;
	size_t len;
	char why[512];
	int r;

	memset(f, 0, sizeof(*f));
	if (slurp(s, "snapshot", &text, &len, err, errlen) < 0)
		return -1;
	res.gen = 0;
	r = text != NULL ? rg_statefile_read(text, len, "snapshot", 0, s->owners, &res, why, sizeof(why)) : 0;
	free(text);
	if (r < 0)
		return corrupt(s, "snapshot", why, err, errlen);
	snap_gen = s->gen = res.gen;

	if (slurp(s, "journal", &text, &len, err, errlen) < 0)
		return -1;
	f->journal_missing = text == NULL;
	r = text != NULL ? rg_statefile_read(text, len, "journal", s->gen, s->owners, &f->journal, why,
			sizeof(why)) : 0;
	free(text);
	if (r < 0)
		return corrupt(s, "journal", why, err, errlen);
	f->torn = f->journal.torn;

	if (slurp(s, "journal.next", &text, &len, err, errlen) < 0)
		return -1;
	if (text == NULL)
		return 0;
	/* gen N+1 beside the old snapshot N, or N+1 beside the new one (journal N stale) */
	r = rg_statefile_read(text, len, "journal", snap_gen + 1, s->owners, &res, why, sizeof(why));
	if (r == 0 && res.stale)
		r = rg_statefile_read(text, len, "journal", snap_gen, s->owners, &res, why, sizeof(why));
	free(text);
	if (r < 0)
		return corrupt(s, "journal.next", why, err, errlen);
	if (!res.stale) {
		f->next = true;
		f->torn |= res.torn;
		s->gen = res.gen;
	}
	return 0;
}

/* Whether errno says the filesystem takes no write now, rather than that the state is wrong. */
static bool unwritable(int e)
{
	return e == EROFS || e == ENOSPC || e == EDQUOT || e == EACCES || e == EPERM || e == EIO;
}

/*
 * Reads the files, then puts them in order for appending. When the
 * directory takes no write, the model read is kept and the state is
 * read-only (the files untouched: recover() writes them whole later).
 */
static int load(struct rg_state *s, char *err, size_t errlen, char *note, size_t notelen)
{
	struct files f;
	const char *fix = NULL;

	if (read_files(s, &f, err, errlen) < 0)
		return -1;
	s->journal_events = f.journal.events;
	if (s->read_only) {
		/* nothing to fix: recover() writes a new generation */
	} else if (f.next) {
		/* Everything into a snapshot beyond journal.next's generation, which
		 * then is stale: no crash from here on reads its events twice. */
		s->gen++;
		s->journal_events = 0;
		if (write_file(s, "snapshot", s->owners, s->gen) < 0 ||
		    write_file(s, "journal", NULL, s->gen) < 0 ||
		    (unlinkat(s->dirfd, "journal.next", 0) < 0 && errno != ENOENT))
			fix = "fold journal.next into a new snapshot";
	} else if (f.journal_missing || f.journal.stale || f.journal.good_len == 0) {
		/* none yet, already folded into the snapshot, or nothing but a torn header */
		if (write_file(s, "journal", NULL, s->gen) < 0)
			fix = "write a new journal";
	} else if (f.journal.torn) {
		int fd = openat(s->dirfd, "journal", O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

		/* cut the torn entry off, so that the next append starts a line */
		if (fd < 0 || ftruncate(fd, (off_t)f.journal.good_len) < 0 || fsync(fd) < 0)
			fix = "drop the torn last entry of the journal";
		if (fd >= 0)
			close(fd);
	}
	if (fix != NULL && !unwritable(errno)) {
		snprintf(err, errlen, "cannot %s in %s: %s", fix, s->dir, strerror(errno));
		return -1;
	}
	if (fix == NULL && !s->read_only) {
		/* a compaction cut short before its journal.next was written */
		(void)unlinkat(s->dirfd, "snapshot.next", 0);
		if (open_journal(s) < 0) {
			if (!unwritable(errno)) {
				snprintf(err, errlen, "cannot open %s/journal: %s", s->dir, strerror(errno));
				return -1;
			}
			fix = "open the journal";
		}
	}
	if (fix != NULL && !s->read_only) {
		s->read_only = true;
		s->read_only_errno = errno;
	}
	if (s->read_only)
		snprintf(note, notelen, "cannot write the state directory %s (%s): serving the %zu records "
				"read; new objects stay unowned until it can be written (retried every second)",
				s->dir, strerror(s->read_only_errno), rg_owners_count(s->owners));
	else if (f.torn)
		snprintf(note, notelen, "%s/journal: dropped a torn last entry (a crash while it was "
				"written; it was never acknowledged)", s->dir);
	return 0;
}

struct rg_owners *rg_state_read_dir(const char *dir, char *err, size_t errlen, char *note, size_t notelen)
{
	struct rg_state *s = state_new();
	struct rg_owners *o = NULL;
	struct files f;

	note[0] = '\0';
	if (s == NULL || (s->dir = strdup(dir)) == NULL || (s->owners = rg_owners_new(0)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir, strerror(errno));
		goto out;
	}
	if (read_files(s, &f, err, errlen) < 0)
		goto out;
	if (f.torn)
		snprintf(note, notelen, "%s/journal: a torn last entry (a crash while it was written) "
				"is left out", dir);
	o = s->owners;
	s->owners = NULL;
out:
	if (s != NULL)
		state_free(s);
	return o;
}

struct rg_state *rg_state_open(const char *dir, char *err, size_t errlen, char *note, size_t notelen)
{
	struct rg_state *s;

	note[0] = '\0';
	if (check_dir(dir, err, errlen) < 0)
		return NULL;
	if ((s = state_new()) == NULL || (s->dir = strdup(dir)) == NULL ||
	    (s->owners = rg_owners_new(0)) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (s != NULL)
			state_free(s);
		return NULL;
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (s->dirfd >= 0 &&
	    (s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 &&
	    unwritable(errno)) {
		s->read_only = true;
		s->read_only_errno = errno;
		/* a lock file that cannot be created: no other serve can write here either */
		s->lockfd = openat(s->dirfd, "lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	}
	if (s->dirfd < 0 || (s->lockfd < 0 && !s->read_only)) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir, strerror(errno));
		state_free(s);
		return NULL;
	}
	if (s->lockfd >= 0 && flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "the state directory %s is in use by another rolegate serve "
				"(give each its own plugin.state)", dir);
		state_free(s);
		return NULL;
	}
	if (load(s, err, errlen, note, notelen) < 0) {
		state_free(s);
		return NULL;
	}
	s->last_expire = now_s();
	rg_owners_expire(s->owners, s->last_expire);
	if (pthread_create(&s->flusher, NULL, flusher_main, s) != 0) {
		snprintf(err, errlen, "cannot start the ownership journal's flusher thread");
		state_free(s);
		return NULL;
	}
	s->flusher_started = true;
	s->jlane = rg_iolane_new("journal write", dir);
	if (s->jlane == NULL)
		log_warnx("cannot start the ownership journal's write thread: journal writes are made "
				"by the server threads");
	if (pthread_create(&s->watchdog, NULL, watchdog_main, s) == 0)
		s->watchdog_started = true;
	return s;
}

/*
 * Stops the flusher, waiting RG_STATE_STOP_SECONDS at most: a disk hung in
 * its fdatasync must not hang the daemon's exit (the page cache has the
 * events). Returns whether it stopped, and whether a compaction was left
 * unfinished.
 */
static bool stop_flusher(struct rg_state *s, bool *pending)
{
	struct timespec until;
	void *ret = NULL;
	bool stopped;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += RG_STATE_STOP_SECONDS;
	pthread_mutex_lock(&s->flush_lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->flush_wake);
	pthread_cond_signal(&s->watch_wake);
	while (!s->stopped && pthread_cond_timedwait(&s->flush_wake, &s->flush_lock, &until) == 0)
		;
	stopped = s->stopped;
	pthread_mutex_unlock(&s->flush_lock);
	if (!stopped) {
		log_warnx("the ownership journal's flusher is stuck on the disk under %s: not waiting for it",
				s->dir);
		return false;
	}
	pthread_join(s->flusher, &ret);
	*pending = ret != NULL;
	return true;
}

struct final_compaction {
	struct rg_state *s;
	bool pending;
};

static void *final_compaction(void *arg)
{
	struct final_compaction *fc = arg;
	bool warned = false;

	if (!fc->pending || compact(fc->s, &fc->pending, &warned) == 0)
		(void)compact(fc->s, &fc->pending, &warned);
	return NULL;
}

int rg_state_direct(struct rg_state *s, void (*stuck)(void *arg, pthread_t thread), void *arg)
{
	if (s == NULL || s->dir == NULL || s->direct)
		return 0;
	s->dw.what = s->dir;
	if (rg_direct_watch(&s->dw, stuck, arg) < 0)
		return -1;
	/* before the first call: no write in the lane, none under the lock */
	pthread_rwlock_wrlock(&s->lock);
	s->direct = true;
	pthread_rwlock_unlock(&s->lock);
	return 0;
}

bool rg_state_writer_stuck(struct rg_state *s)
{
	bool stuck;

	if (s == NULL || !s->direct)
		return false;
	pthread_mutex_lock(&s->flush_lock);
	stuck = rg_direct_stuck(&s->dw);
	pthread_mutex_unlock(&s->flush_lock);
	return stuck;
}

void rg_state_close(struct rg_state *s)
{
	bool pending = false;

	if (s == NULL)
		return;
	rg_direct_unwatch(&s->dw);
	/* A direct journal write still in flight: waited for RG_IOLANE_MS at
	 * most; one stuck on the disk still uses s (left to the exit). */
	if (s->direct) {
		int r;

		pthread_mutex_lock(&s->flush_lock);
		r = rg_direct_wait(&s->dw);
		pthread_mutex_unlock(&s->flush_lock);
		if (r < 0) {
			log_warnx("a journal write is still stuck on the disk under %s: no snapshot at exit",
					s->dir);
			return;
		}
	}
	/* The stuck flusher still uses s: left to the exit that follows. */
	if (s->flusher_started && !stop_flusher(s, &pending))
		return;
	if (s->watchdog_started)
		pthread_join(s->watchdog, NULL);
	/* A journal write still stuck on the disk: nothing more is written, and
	 * its lane still uses s (the page cache has the events). */
	if (s->jlane != NULL && !rg_iolane_free(s->jlane)) {
		log_warnx("the disk under %s still does not answer: no snapshot at exit", s->dir);
		return;
	}
	s->jlane = NULL;
	/* Always on disk: last-use times are saved only with a snapshot (a
	 * compaction cut short is finished first). In a thread waited for
	 * RG_STATE_STOP_SECONDS: a disk that stops answering now must not keep
	 * serve from exiting. */
	if (s->dir != NULL && s->journal >= 0) {
		struct final_compaction *fc = malloc(sizeof(*fc));
		struct timespec until;
		pthread_t t;

		if (fc == NULL)
			return;      /* the page cache has the events; exit follows */
		fc->s = s;
		fc->pending = pending;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += RG_STATE_STOP_SECONDS;
		if (pthread_create(&t, NULL, final_compaction, fc) != 0) {
			(void)final_compaction(fc);
		} else if (pthread_timedjoin_np(t, NULL, &until) != 0) {
			/* it still uses s and fc: left to the exit that follows */
			log_warnx("the disk under %s does not answer: left the snapshot at exit unwritten",
					s->dir);
			pthread_detach(t);
			return;
		}
		free(fc);
	}
	state_free(s);
}

struct rg_owners *rg_state_read_begin(struct rg_state *s)
{
	if (s == NULL)
		return NULL;
	pthread_rwlock_rdlock(&s->lock);
	return s->owners;
}

void rg_state_read_end(struct rg_state *s)
{
	if (s != NULL)
		pthread_rwlock_unlock(&s->lock);
}

/*
 * A direct write's line (rg_state_direct), appended to jbuf: written by
 * journal_write_direct once the write lock is let go. Fails at once while
 * a direct write is stuck on the disk. Under the write lock; frees line.
 */
static bool known_id(const struct rg_owners *o, const struct rg_owner_event *ev);

static int journal_queue(struct rg_state *s, const struct rg_owner_event *ev, char *line, size_t len)
{
	int r = 0;

	pthread_mutex_lock(&s->flush_lock);
	if (s->dw.stuck) {
		errno = ETIMEDOUT;
		r = -1;
	} else if (ev->op == RG_EV_CREATE && !known_id(s->owners, ev)) {
		/* as observe_sink: a create that writes a known record again stays applied */
		struct jundo *grown = s->undo;

		if (s->nundo == s->undocap)
			grown = realloc(s->undo, (s->undocap * 2 + 4) * sizeof(*grown));
		if (grown == NULL || (grown[s->nundo].id = strdup(ev->id)) == NULL) {
			if (grown != NULL && grown != s->undo) {
				s->undo = grown;
				s->undocap = s->undocap * 2 + 4;
			}
			errno = ENOMEM;
			r = -1;
		} else {
			if (grown != s->undo) {
				s->undo = grown;
				s->undocap = s->undocap * 2 + 4;
			}
			grown[s->nundo++].kind = ev->kind;
		}
	}
	if (r == 0 && s->jlen + len > s->jcap) {
		size_t cap = (s->jlen + len) * 2;
		char *grown = realloc(s->jbuf, cap);

		if (grown == NULL) {
			errno = ENOMEM;
			r = -1;
			if (ev->op == RG_EV_CREATE && s->nundo > 0 &&
			    strcmp(s->undo[s->nundo - 1].id, ev->id) == 0)
				free(s->undo[--s->nundo].id);
		} else {
			s->jbuf = grown;
			s->jcap = cap;
		}
	}
	if (r == 0) {
		memcpy(s->jbuf + s->jlen, line, len);
		s->jlen += len;
	}
	pthread_mutex_unlock(&s->flush_lock);
	free(line);
	if (r == 0)
		s->journal_events++;
	return r;
}

/*
 * Writes the lines appended so far (jbuf), in the calling thread, with no
 * lock held over the write(2): one write at a time, in order; a thread
 * that finds one in flight waits for it (it may have taken this thread's
 * lines too), at most until it is declared stuck (then this thread's lines
 * wait in jbuf for it to come back, applied in memory, and the call goes
 * on). A failed write leaves the journal to be rewritten whole from memory
 * (a compaction, which holds every applied event). The flusher hears of
 * each write as wake_flusher's "wrote". Not under the write lock.
 */
/*
 * A direct write failed: the creates it held are taken back (SPEC §4: the
 * object stays unowned), before the compaction it asks for writes the model.
 */
static void undo_creates(struct rg_state *s, const struct jundo *u, size_t n)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += RG_IOLANE_MS / 1000;
	if (pthread_rwlock_clockwrlock(&s->lock, CLOCK_MONOTONIC, &until) != 0) {
		log_errx("cannot take back %zu unwritten create(s) in %s: the disk does not answer; "
				"they stay owned in memory until the next start", n, s->dir);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct rg_owner_event ev = { .op = RG_EV_REMOVE, .kind = u[i].kind, .id = u[i].id };

		log_errx("cannot record the creation of %s %.12s in %s/journal: it stays unowned",
				rg_obj_kind_name(u[i].kind), u[i].id, s->dir);
		s->changes++;
		(void)rg_owners_apply(s->owners, &ev);
	}
	pthread_rwlock_unlock(&s->lock);
}

static void journal_write_direct(struct rg_state *s)
{
	char *p = NULL;
	size_t cap = 0;
	struct jundo *u = NULL;
	size_t nu = 0, ucap = 0;

	pthread_mutex_lock(&s->flush_lock);
	while (s->jlen > 0 && rg_direct_wait(&s->dw) == 0 && s->jlen > 0) {
		size_t n = s->jlen, c = s->jcap, tucap = s->undocap;
		int fd = s->journal, r, saved;
		char *t = s->jbuf;
		struct jundo *tu = s->undo;
		bool direct;

		/* take the lines, leave this thread's empty buffer in their place */
		s->jbuf = p;
		s->jcap = cap;
		s->jlen = 0;
		p = t;
		cap = c;
		nu = s->nundo;
		s->undo = u;
		s->undocap = ucap;
		s->nundo = 0;
		u = tu;
		ucap = tucap;
		/* no direct write left (rg_direct_limit): through the lane, the
		 * others kept out all the same */
		if (!(direct = rg_direct_begin(&s->dw)))
			rg_direct_begin_laned(&s->dw);
		pthread_mutex_unlock(&s->flush_lock);
		if (direct || s->jlane == NULL)
			r = rg_write_all(fd, p, n);
		else
			r = rg_iolane_run(s->jlane, RG_IOLANE_WRITE, fd, -1, p, n);
		saved = errno;
		pthread_mutex_lock(&s->flush_lock);
		if (rg_direct_end(&s->dw))
			log_warnx("the disk under %s answers again: a journal write given up on completed "
					"after %lld ms (%s)", s->dir,
					(long long)((rg_monotonic_us() - s->dw.since) / 1000),
					r == 0 ? "done" : strerror(saved));
		if (r < 0) {
			/* The creates are taken back first; a short write leaves a
			 * torn line in mid-journal: the compaction replaces the
			 * journal, from the model. */
			log_errx("cannot write to %s/journal (%s): rewritten whole from memory at once",
					s->dir, strerror(saved));
			pthread_mutex_unlock(&s->flush_lock);
			undo_creates(s, u, nu);
			pthread_mutex_lock(&s->flush_lock);
			s->compact_due = true;
		}
		free_undo(u, nu);
		nu = 0;
		s->written++;
		s->dirty = true;
		pthread_cond_signal(&s->flush_wake);
	}
	pthread_mutex_unlock(&s->flush_lock);
	free(p);
	free(u);
}

/* Appends one line to the journal (the flusher makes it durable). Under the write lock. */
static int journal_append(struct rg_state *s, const struct rg_owner_event *ev)
{
	char *line;
	size_t len;
	ssize_t n;

	if (s->journal < 0) {
		errno = s->read_only_errno != 0 ? s->read_only_errno : EBADF;
		return -1;
	}
	line = rg_statefile_event_line(ev);
	if (line == NULL) {
		errno = ENOMEM;
		return -1;
	}
	len = strlen(line);
	/* The reader refuses longer lines: such a record is not kept (it stays unowned). */
	if (len > RG_STATEFILE_LINE_MAX) {
		free(line);
		errno = EFBIG;
		return -1;
	}
	if (s->direct)
		return journal_queue(s, ev, line, len);
	/* One write(2) of the whole line: a crash leaves it whole or torn at the end.
	 * In the lane: a disk that does not answer fails it (ETIMEDOUT) in
	 * RG_IOLANE_MS, not holding the write lock, and so every call, for good. */
	n = s->jlane != NULL ? (rg_iolane_run(s->jlane, RG_IOLANE_WRITE, s->journal, -1, line, len) == 0 ?
			(ssize_t)len : -1) : write(s->journal, line, len);
	free(line);
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	s->journal_events++;
	return 0;
}

/* A create dockerd already reported (only a replayed call repeats an id): nothing to write. */
static bool already_recorded(const struct rg_owners *o, const struct rg_owner_event *ev)
{
	const struct rg_object *obj;

	if (ev->op != RG_EV_CREATE ||
	    rg_owners_resolve(o, ev->kind, ev->id, 0, 0, &obj) != RG_RESOLVED)
		return false;
	return strcmp(obj->id, ev->id) == 0 && strcmp(obj->user, ev->user) == 0 &&
		strcmp(obj->role, ev->role != NULL ? ev->role : "") == 0 &&
		strcmp(obj->name, ev->name != NULL ? ev->name : "") == 0 &&
		/* a network connect writes the record again with more in its settings */
		strcmp(obj->settings != NULL ? obj->settings : "", ev->settings != NULL ? ev->settings : "") == 0;
}

/*
 * Whether ev writes again a record the model holds (a network connect's
 * settings): lost from the journal, it is still applied in memory, as a
 * rename is, since keeping the old settings would judge the container on
 * fewer networks than it has.
 */
static bool known_id(const struct rg_owners *o, const struct rg_owner_event *ev)
{
	const struct rg_object *obj;

	return rg_owners_resolve(o, ev->kind, ev->id, 0, 0, &obj) == RG_RESOLVED &&
		strcmp(obj->id, ev->id) == 0;
}

static int observe_sink(const struct rg_owner_event *ev, void *arg)
{
	struct rg_state *s = arg;

	if (already_recorded(s->owners, ev))
		return 0;

	/* Every way on from here changes the model (a lost create forgets its
	 * name): recover() must see it, or its snapshot keeps the old holder. */
	s->changes++;
	if (s->dir != NULL && journal_append(s, ev) < 0) {
		log_errx("cannot record the %s %s %.12s in %s/journal (%s): %s", ev->op == RG_EV_CREATE ?
				"creation of" : ev->op == RG_EV_RENAME ? "rename of" : "removal of",
				rg_obj_kind_name(ev->kind), ev->id, s->dir, strerror(errno),
				ev->op == RG_EV_CREATE ? "it stays unowned" : "applied in memory only");
		/* Unowned is the safe side: a lost create is not applied, a rename or
		 * removal is; the name a lost create took leaves its old holder. */
		if (ev->op == RG_EV_CREATE && !known_id(s->owners, ev)) {
			rg_owners_forget_name(s->owners, ev->kind, ev->name);
			return 0;
		}
	}
	if (rg_owners_apply(s->owners, ev) < 0) {
		log_errx("cannot keep the record of %s %.12s (out of memory or malformed): it stays unowned",
				rg_obj_kind_name(ev->kind), ev->id);
		if (ev->op == RG_EV_CREATE)
			rg_owners_forget_name(s->owners, ev->kind, ev->name);
		return 0;
	}
	return 0;
}

void rg_state_learn_names(struct rg_state *s, struct rg_request *req)
{
	bool learned;

	/* every response comes here: most are not such answers, and take no lock */
	if (s == NULL || !rg_owner_names_answer(req))
		return;
	pthread_rwlock_rdlock(&s->lock);
	learned = rg_owner_names_learned(s->owners, req);
	pthread_rwlock_unlock(&s->lock);
	if (learned)
		(void)rg_state_observe(s, req, "", "");
}

int rg_state_observe(struct rg_state *s, struct rg_request *req, const char *user, const char *role)
{
	const char *why = NULL;
	long long now = now_s();
	size_t written;
	int n;

	if (s == NULL)
		return 0;
	if (s->dir != NULL) {
		/* The flusher's compaction holds the read lock while it writes: on a
		 * disk that does not answer, wait for it RG_IOLANE_MS at most, and
		 * not at all once it is known stuck. SPEC §4: a create whose record
		 * cannot be written is answered, unowned. */
		struct timespec until;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += RG_IOLANE_MS / 1000;
		if (stuck_since(&s->locked_since) ||
		    pthread_rwlock_clockwrlock(&s->lock, CLOCK_MONOTONIC, &until) != 0) {
			log_errx("cannot record %s %s by %s in %s: the disk under it does not answer; "
					"a created object stays unowned", req->method, req->uri,
					user != NULL && user[0] != '\0' ? user : "an unnamed caller", s->dir);
			return 0;
		}
	} else {
		pthread_rwlock_wrlock(&s->lock);
	}
	written = s->journal_events;
	n = rg_owner_events(s->owners, req, user, role, now, observe_sink, s, &why);
	if (n < 0)
		log_errx("%s %s by %s: %s; no owner is recorded", req->method, req->uri,
				user != NULL && user[0] != '\0' ? user : "an unnamed caller", why != NULL ? why : "error");
	if (now - s->last_expire >= RG_STATE_EXPIRE_EVERY) {
		rg_owners_expire(s->owners, now);
		s->last_expire = now;
	}
	/* Compact once the journal outgrows the state. */
	if (s->dir != NULL)
		wake_flusher(s, s->journal_events != written, s->journal_events >= RG_STATE_COMPACT_MIN &&
				s->journal_events >= rg_owners_count(s->owners));
	pthread_rwlock_unlock(&s->lock);
	if (s->direct)
		journal_write_direct(s);
	return n;
}
