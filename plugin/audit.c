/*
 * The audit log writer. One lock orders the records (seq and prev must be
 * assigned in file order); the only slow thing done outside it is the
 * group-commit fdatasync of sync = "batch", which a flusher thread runs for
 * every record written so far while the others keep appending (redis's
 * appendfsync vocabulary, PostgreSQL's group commit). Callers waiting for
 * their record leave a waiter and are told by callback, so that serve need
 * not hold a server thread per waiting call: one fdatasync then covers every
 * call in flight, not just one per server thread. Only an allowed mutating
 * request waits (SPEC.md §3); every other record is answered once written,
 * and the flusher's timer makes it durable within RG_AUDIT_BATCH_MS.
 *
 * Failure rules: a record is either wholly in the file or not at all (a
 * failed write is cut back with ftruncate); the chain advances only over
 * records that were written; a file whose tail we cannot make sense of is
 * not continued (fail closed, the operator decides).
 */
#define _GNU_SOURCE        /* pthread_setname_np */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "rolegate/audit.h"
#include "rolegate/iolane.h"
#include "rolegate/syslogq.h"
#include "rolegate/secret.h"
#include "rolegate/log.h"
#include "rolegate/directwrite.h"
#include "rolegate/monocond.h"

/* How often append looks whether the log was renamed under it (logrotate). */
#define ROTATION_CHECK_US 1000000
/* The head file is replaced at most this often (it may lag; verify accepts that). */
#define HEAD_INTERVAL_US 10000
/* How long close waits for the head and checkpoint threads before leaving them in a stuck call. */
#define WORKER_JOIN_S 2
/* The tail read to recover the chain starts at this and grows to TAIL_MAX. */
#define TAIL_START (64 * 1024)
#define TAIL_MAX (4 * RG_AUDIT_LINE_MAX)
/*
 * sync = "batch": the flusher starts the fdatasync of records nobody waits
 * for this long after the oldest of them was written, half the bound, so the
 * fdatasync itself has the other half.
 */
#define FLUSH_TIMER_US (RG_AUDIT_BATCH_MS * 1000 / 2)

struct rg_audit {
	pthread_mutex_t lock;
	pthread_cond_t synced;     /* a fdatasync finished (syncing went false) */
	pthread_cond_t work;       /* the flusher has waiters to serve, or must stop */
	char *path;
	enum rg_sync sync;
	bool syslog;
	struct rg_audit_mac *mac;

	int fd;
	dev_t dev;
	ino_t ino;
	off_t end;                 /* offset just past the last complete record */
	bool dirty;                /* bytes past end may exist: cut them before writing */
	struct rg_audit_chain chain;
	struct rg_audit_buf buf;
	bool need_rotate_record;   /* a new file still lacks its first (rotate) record */
	/* Every write(2) and fdatasync of the log runs in a lane of its own and
	 * is waited for at most RG_IOLANE_MS: a disk that stops answering fails
	 * the records (audit.on_error) instead of holding this lock, and with it
	 * every call, for as long as it lasts (rolegate/iolane.h). Two lanes: a
	 * flush that hangs while writes still reach the page cache leaves reads
	 * and denies answered under sync = "batch". */
	struct rg_iolane *wlane, *slane;
	bool leak;                 /* a lane or the head thread is stuck on the disk: close frees nothing */
	struct opener *opening;    /* an open of the path given up on, still in the kernel (open_bounded) */
	/*
	 * Direct writes (rg_audit_direct): a call's record is written by the
	 * calling thread itself, outside the lock (write_direct), which spares
	 * the lane's two context switches per call. Whoever formats, writes,
	 * cuts or replaces the file first waits for such a write (wait_writer),
	 * at most until it has lasted RG_IOLANE_MS: then it is declared stuck,
	 * every record fails at once until it comes back, and the stuck hook is
	 * told which thread is in it (the watch thread shared with the state's
	 * journal declares it when nobody else comes to look;
	 * rolegate/directwrite.h).
	 */
	bool direct;
	struct rg_direct dw;       /* under lock */

	bool syncing;              /* the flusher is in fdatasync outside the lock */
	int64_t unsynced_since;    /* monotonic µs: the oldest record no fdatasync covers yet; 0 none */
	bool flusher_asleep;       /* in a wait on work, not yet signalled: signal to wake it */
	bool flusher_timed;        /* that wait has a deadline (records await the timer) */
	bool timer_failing;        /* the last timed flush failed (warned once per streak) */
	struct rg_audit_waiter *waiters;  /* newest first; settled ones await their callback */
	bool has_flusher;
	bool stopping;
	pthread_t flusher_thread;
	int64_t next_check;        /* monotonic µs */
	int64_t next_open;         /* monotonic µs: the next try to open a log that could
	                            * not be opened at start (a->fd is -1 meanwhile) */

	/* Head file, relink and checkpoints (SPEC.md §6); see the functions
	 * under "Head file, unlinked log, checkpoints" below. */
	char host[256];            /* gethostname(), written in every record */
	char *head_path;           /* PATH.head; NULL with sync = "none" */
	struct rg_audit_chain durable;   /* the newest record known durable */
	struct rg_audit_buf replay;      /* bytes written since the last durable look at the path */
	uint64_t replay_from;            /* seq of the first record in replay */
	int checkpoint;            /* seconds; 0 = off */
	bool has_checkpointer;
	bool cp_stopping;
	pthread_cond_t cp_wake;
	pthread_t checkpoint_thread;
	/* The head file is written by its own thread, newest durable point
	 * first, outside the writer's lock (a rename costs a journal commit). */
	struct rg_audit_mac *head_mac;   /* the head thread's own (not thread-safe) */
	struct rg_audit_chain head_want, head_done;
	bool has_header, head_stopping;
	bool head_idle;            /* the head thread waits for a new durable point (not its interval) */
	pthread_cond_t head_wake;
	pthread_t head_thread;
};

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void *flusher(void *arg);
static void durable_point(struct rg_audit *a, const struct rg_audit_chain *c);
static void durable_point_linked(struct rg_audit *a, const struct rg_audit_chain *c);
static bool ensure_linked(struct rg_audit *a, bool path_due, off_t *size);
static int start_checkpoints(struct rg_audit *a);
static void stop_checkpoints(struct rg_audit *a);
static int start_head(struct rg_audit *a);
static void stop_head(struct rg_audit *a);
static int wait_writer(struct rg_audit *a);
static int write_line(struct rg_audit *a, const char *p, size_t n);
static int cut_dirty(struct rg_audit *a);
static void stop_watch(struct rg_audit *a);

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int rg_audit_load_key(const char *path, unsigned char **key, size_t *keylen, char *err,
		size_t errlen)
{
	/* One reader for every secret file (rolegate/secret.h): check and serve agree. */
	if (rg_secret_read(path, "audit.key_file", RG_AUDIT_KEY_MIN, RG_AUDIT_KEY_MAX, key, keylen,
			err, errlen) != RG_SECRET_OK)
		return -1;
	return 0;
}

/* Creates the missing parent directories of path, mode 0700. */
static int make_parents(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(dir)) {
		errf(err, errlen, "%s: path too long", path);
		return -1;
	}
	memcpy(dir, path, len + 1);
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			errf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* fsyncs the directory holding path, so a newly created log survives a crash. */
static void sync_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	if (strlen(path) >= sizeof(dir))
		return;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		return;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/*
 * Opens the log file at path for append, creating it 0600, and takes the
 * writer's lock on it. Returns the fd, or with err filled -2 when the path
 * cannot be opened or created (a read-only or full filesystem, an I/O error:
 * worth trying again later) and -1 otherwise (not a regular file, locked by
 * another rolegate).
 */
static int open_log(const char *path, struct stat *st, char *err, size_t errlen)
{
	bool created = false;
	int fd;

	if (make_parents(path, err, errlen) < 0)
		return -2;
	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
		created = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		errf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -2;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		errf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		errf(err, errlen, "%s is in use by another rolegate process (%s)", path,
				errno == EWOULDBLOCK ? "locked" : strerror(errno));
		close(fd);
		return -1;
	}
	if (created)
		sync_parent(path);
	return fd;
}

/*
 * open_log in a thread of its own, waited for at most RG_IOLANE_MS. On a
 * frozen or dead filesystem, creating the path or even its parents
 * (mkdir(2) of one that exists still waits for the filesystem to thaw) and
 * fsyncing the directory sleep in the kernel for as long as it lasts; the
 * rotation (logrotate's rename and create, SIGHUP) and the relink open the
 * path under the writer's lock, so one such open stopped every call and
 * every later SIGHUP or SIGTERM (docs/redteam-round14-avail.md). An open
 * given up on is remembered (a->opening): until it comes back every open
 * fails at once, and its descriptor, if any, is closed then (its flock
 * would refuse the next open). Locked; returns as open_log.
 */
struct opener {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;    /* monotonic clock */
	int refs;                  /* the caller's and the thread's */
	bool done;
	char *path;
	int fd;                    /* open_log's result */
	struct stat st;
	char err[512];
};

static void opener_release(struct opener *o)
{
	bool last;

	pthread_mutex_lock(&o->lock);
	last = --o->refs == 0;
	pthread_mutex_unlock(&o->lock);
	if (!last)
		return;
	if (o->fd >= 0)
		close(o->fd);
	pthread_cond_destroy(&o->done_cv);
	pthread_mutex_destroy(&o->lock);
	free(o->path);
	free(o);
}

static void *opener_main(void *arg)
{
	struct opener *o = arg;

	pthread_setname_np(pthread_self(), "rg-audit-open");
	o->fd = open_log(o->path, &o->st, o->err, sizeof(o->err));
	pthread_mutex_lock(&o->lock);
	o->done = true;
	pthread_cond_signal(&o->done_cv);
	pthread_mutex_unlock(&o->lock);
	opener_release(o);
	return NULL;
}

/* Whether an open given up on is still in the kernel (locked); forgets it once back. */
static bool opener_stuck(struct rg_audit *a)
{
	bool done;

	if (a->opening == NULL)
		return false;
	pthread_mutex_lock(&a->opening->lock);
	done = a->opening->done;
	pthread_mutex_unlock(&a->opening->lock);
	if (!done)
		return true;
	log_warnx("the disk under %s answers again: an open given up on completed", a->path);
	opener_release(a->opening);
	a->opening = NULL;
	return false;
}

static int open_bounded(struct rg_audit *a, struct stat *st, char *err, size_t errlen)
{
	struct opener *o;
	pthread_attr_t attr;
	pthread_t t;
	int64_t deadline;
	struct timespec ts;
	int fd, rc;

	if (opener_stuck(a)) {
		errf(err, errlen, "cannot open %s: an open of it has not completed in %d ms (the disk "
				"does not answer)", a->path, RG_IOLANE_MS);
		return -2;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL || (o->path = strdup(a->path)) == NULL) {
		free(o);
		errf(err, errlen, "cannot open %s: out of memory", a->path);
		return -2;
	}
	pthread_mutex_init(&o->lock, NULL);
	(void)rg_monocond_init(&o->done_cv);
	o->refs = 2;
	o->fd = -1;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, opener_main, o);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		o->refs = 1;
		opener_release(o);
		errf(err, errlen, "cannot open %s: no thread to open it in: %s", a->path, strerror(rc));
		return -2;
	}
	deadline = rg_monotonic_us() + (int64_t)RG_IOLANE_MS * 1000;
	ts = rg_monotonic_ts(deadline);
	pthread_mutex_lock(&o->lock);
	while (!o->done && pthread_cond_timedwait(&o->done_cv, &o->lock, &ts) != ETIMEDOUT)
		;
	if (!o->done) {
		pthread_mutex_unlock(&o->lock);
		a->opening = o;
		log_errx("the disk under %s has not completed an open in %d ms: gave up on it; until "
				"it does, every open of the log fails at once", a->path, RG_IOLANE_MS);
		errf(err, errlen, "cannot open %s: the disk has not completed an open in %d ms",
				a->path, RG_IOLANE_MS);
		return -2;
	}
	fd = o->fd;
	o->fd = -1;                /* ours now */
	*st = o->st;
	if (fd < 0)
		errf(err, errlen, "%s", o->err);
	pthread_mutex_unlock(&o->lock);
	opener_release(o);
	return fd;
}

/* What the tail of a log file says: where its chain stands, and torn bytes after it. */
struct tail {
	bool any;              /* a record was found */
	struct rg_audit_chain chain;
	off_t good_end;        /* offset just past the last valid record (and its '\n') */
	bool need_newline;     /* the last record is complete but lacks its '\n' */
	size_t torn_bytes;     /* bytes after good_end, less a final '\n' */
	unsigned char torn_sha256[RG_AUDIT_DIGEST_LEN];
	bool torn_ends_newline;
};

static ssize_t pread_all(int fd, char *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * Finds the last valid record in buf[0..n), the last n bytes of a file of
 * size bytes. Only whole lines count: a line reaching the start of the window
 * may begin before it. Returns 1 found, 0 not in this window.
 */
static int scan_tail(const char *buf, size_t n, off_t size, struct tail *t)
{
	off_t base = size - (off_t)n;
	bool terminated = n > 0 && buf[n - 1] == '\n';
	size_t end = terminated ? n - 1 : n;

	for (;;) {
		size_t start = end;
		struct rg_audit_record r;
		const char *why;
		int ok;

		while (start > 0 && buf[start - 1] != '\n')
			start--;
		if (start == 0 && base > 0)
			return 0;
		ok = rg_audit_record_parse(buf + start, end - start, &r, &why) == 0;
		if (ok) {
			t->any = true;
			t->chain.seq = r.seq;
			memcpy(t->chain.hash, r.hash, sizeof(r.hash));
			t->need_newline = !terminated;
			t->good_end = base + (off_t)end + (terminated ? 1 : 0);
		}
		rg_audit_record_clear(&r);
		if (ok)
			return 1;
		if (start == 0)
			return 0;
		end = start - 1;  /* the line before, without its '\n' */
		terminated = true;
	}
}

/*
 * Reads the tail of the file open at fd (size bytes) into t. Returns 0, or -1
 * with err filled when the tail holds no valid record within TAIL_MAX bytes.
 * A file without any newline and no valid record is one torn first line.
 */
static int read_tail(int fd, const char *path, off_t size, struct tail *t, char *err, size_t errlen)
{
	size_t window = TAIL_START, n = 0;
	char *buf = NULL;
	int found = 0;

	memset(t, 0, sizeof(*t));
	if (size == 0)
		return 0;
	for (;;) {
		char *nb;

		n = (off_t)window < size ? window : (size_t)size;
		nb = realloc(buf, n);
		if (nb == NULL) {
			errf(err, errlen, "out of memory");
			free(buf);
			return -1;
		}
		buf = nb;
		if (pread_all(fd, buf, n, size - (off_t)n) != (ssize_t)n) {
			errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			free(buf);
			return -1;
		}
		found = scan_tail(buf, n, size, t);
		if (found != 0 || (off_t)n == size || window >= TAIL_MAX)
			break;
		window *= 4;
	}
	if (found == 0 && !((off_t)n == size && memchr(buf, '\n', n) == NULL)) {
		free(buf);
		errf(err, errlen, "%s holds no valid rolegate record in its last %zu bytes; refusing "
				"to continue its chain (move it and its .head aside to start a new log)", path, n);
		return -1;
	}
	if (t->good_end < size) {
		/* Torn bytes after the last record: bound into the chain by a torn record. */
		const char *p = buf + (size_t)(t->good_end - (size - (off_t)n));
		size_t len = (size_t)(size - t->good_end);

		t->torn_ends_newline = p[len - 1] == '\n';
		/* A crash leaves part of one line; a complete line that is not a
		 * valid record was put there by someone: not ours to seal as torn. */
		if (memchr(p, '\n', len) != NULL) {
			errf(err, errlen, "%s ends in a complete line that is not a valid record "
					"(changed after it was written, not torn by a crash); refusing to "
					"continue its chain (run rolegate log verify, then move it and its .head aside)", path);
			free(buf);
			return -1;
		}
		t->torn_bytes = len;
		if (rg_audit_sha256(p, len, t->torn_sha256) < 0) {
			errf(err, errlen, "cannot compute SHA-256");
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}

/*
 * Keeps what was written since the last durable look at the path, to write
 * it again should the file turn out unlinked (relink). Out of memory only
 * weakens that guarantee: said once, never fatal to the record.
 */
static void keep_for_replay(struct rg_audit *a, const char *p, size_t n)
{
	char *grown;

	if (a->replay.len + n <= a->replay.cap) {
		memcpy(a->replay.p + a->replay.len, p, n);
		a->replay.len += n;
		return;
	}
	grown = realloc(a->replay.p, (a->replay.len + n) * 2);
	if (grown == NULL) {
		log_warnx("out of memory keeping audit records for a possible relink");
		return;
	}
	a->replay.p = grown;
	a->replay.cap = (a->replay.len + n) * 2;
	memcpy(a->replay.p + a->replay.len, p, n);
	a->replay.len += n;
}

/*
 * Waits (locked) until no caller is in a direct write. Returns 0, or -1
 * with errno ETIMEDOUT when that write is stuck (it has lasted RG_IOLANE_MS):
 * then nothing may be written, cut or replaced until it comes back.
 */
static int wait_writer(struct rg_audit *a)
{
	return rg_direct_wait(&a->dw);
}

/*
 * Waits (locked) until neither a direct write nor a fdatasync is in flight,
 * before the file is replaced. Returns 0, or -1 (ETIMEDOUT) as wait_writer.
 */
static int wait_idle(struct rg_audit *a)
{
	for (;;) {
		if (wait_writer(a) < 0)
			return -1;
		if (!a->syncing)
			return 0;
		pthread_cond_wait(&a->synced, &a->lock);
	}
}

/*
 * A call's record (a->buf), written by the calling thread itself
 * (rg_audit_direct), outside the lock so that a disk that stops answering
 * holds this thread alone; the others wait for it in wait_writer, and
 * nobody touches a->buf, a->fd, a->end or the chain meanwhile. Otherwise,
 * or when bytes must be cut first (dirty), the lane writes it. Locked on
 * entry and return. Returns 0 or -1 (errno set), as write_line.
 */
static int write_direct(struct rg_audit *a)
{
	const char *p = a->buf.p;
	size_t n = a->buf.len;
	int fd = a->fd, r, saved;

	if (wait_writer(a) < 0)
		return -1;
	/* (no direct write left: rg_direct_limit) */
	if (!a->direct || a->dirty || rg_iolane_stuck(a->wlane) || !rg_direct_begin(&a->dw))
		return write_line(a, p, n);
	pthread_mutex_unlock(&a->lock);
	r = rg_write_all(fd, p, n);
	saved = errno;
	pthread_mutex_lock(&a->lock);
	if (rg_direct_end(&a->dw)) {
		/* Given up on: its call failed. The next write (the lane's) cuts it back. */
		a->dirty = true;
		log_warnx("the disk under %s answers again: a write given up on completed after %lld ms "
				"(%s)", a->path, (long long)((rg_monotonic_us() - a->dw.since) / 1000),
				r == 0 ? "done; cut back at the next record" : strerror(saved));
		errno = ETIMEDOUT;
		return -1;
	}
	if (r == 0) {
		a->end += (off_t)n;
		keep_for_replay(a, p, n);
		return 0;
	}
	/* Never leave half a record (a short write, then EFBIG or ENOSPC): cut
	 * it now, in the lane; should that fail, the next write cuts it. */
	a->dirty = true;
	(void)cut_dirty(a);
	errno = saved;
	return -1;
}

/*
 * Writes buf[0..n) after the last complete record, whole or not at all.
 * Locked. Returns 0 or -1 (errno set).
 */
static int write_line(struct rg_audit *a, const char *p, size_t n)
{
	int saved;
	struct stat st;

	if (wait_writer(a) < 0)
		return -1;
	/* the lane cuts what a failed write left (dirty) before it writes */
	if (rg_iolane_run(a->wlane, RG_IOLANE_WRITE, a->fd, a->dirty ? a->end : -1, p, n) == 0) {
		a->dirty = false;
		a->end += (off_t)n;
		keep_for_replay(a, p, n);
		return 0;
	}
	saved = errno;
	/* Never leave half a record: it would read as tampering in mid-file. */
	a->dirty = true;
	/* A write given up on (ETIMEDOUT) may still land: the next write cuts it
	 * back, in the lane, once the disk answers; here it would hang. */
	if (saved != ETIMEDOUT && fstat(a->fd, &st) == 0 && st.st_size >= a->end &&
	    ftruncate(a->fd, a->end) == 0)
		a->dirty = st.st_size < a->end;
	errno = saved;
	return -1;
}

/*
 * Cuts what a failed or given-up write left past the last complete record
 * (dirty), in the lane, before the file is left for another (rotation) or
 * closed. That cut used to come only with the next record, in the same
 * file: a record given up on (its call refused, or its connection closed)
 * that the thawed disk then completed stayed in a rotated file, and the new
 * file's rotate record took its seq (a broken chain across the two), or the
 * next serve continued after it (docs/redteam-round14-avail.md). Locked.
 * Returns 0, or -1 (errno set; the bytes and dirty stay).
 */
static int cut_dirty(struct rg_audit *a)
{
	if (!a->dirty || a->fd < 0)
		return 0;
	if (rg_iolane_run(a->wlane, RG_IOLANE_WRITE, a->fd, a->end, NULL, 0) < 0)
		return -1;
	a->dirty = false;
	return 0;
}

/* fdatasync of fd in the sync lane: 0, or -1 (ETIMEDOUT: the disk does not answer). */
static int sync_log(struct rg_audit *a, int fd)
{
	return rg_iolane_run(a->slane, RG_IOLANE_SYNC, fd, -1, NULL, 0);
}

static void now_realtime(struct timespec *t)
{
	clock_gettime(CLOCK_REALTIME, t);
}

/* Appends a system record (prefix: bytes to write before it, e.g. "\n"). Locked. */
static int append_system(struct rg_audit *a, const char *prefix, const struct rg_audit_system *s)
{
	struct rg_audit_chain next;
	struct timespec t;
	size_t plen = strlen(prefix);

	struct rg_audit_system hs = *s;

	if (wait_writer(a) < 0)
		return -1;
	hs.host = a->host;
	now_realtime(&t);
	if (rg_audit_format_system(&a->buf, &a->chain, &t, &hs, a->mac, &next) < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (plen > 0) {
		/* One write: a crash leaves either nothing or the whole recovery. */
		char *joined = malloc(plen + a->buf.len);
		int r;

		if (joined == NULL)
			return -1;
		memcpy(joined, prefix, plen);
		memcpy(joined + plen, a->buf.p, a->buf.len);
		r = write_line(a, joined, plen + a->buf.len);
		free(joined);
		if (r < 0)
			return -1;
	} else if (write_line(a, a->buf.p, a->buf.len) < 0) {
		return -1;
	}
	a->chain = next;
	if (a->syslog)
		rg_syslogq_send(LOG_AUTHPRIV | LOG_INFO, a->buf.p, a->buf.len - 1);
	return 0;
}

static int write_rotate_record(struct rg_audit *a, const char *note)
{
	struct rg_audit_system s = { .event = RG_AUDIT_EVENT_ROTATE, .note = note };

	if (append_system(a, "", &s) < 0)
		return -1;
	a->need_rotate_record = false;
	return 0;
}

/*
 * Brings a freshly opened file's chain up: from its own tail, or (empty file)
 * from "<path>.1" left by a rotation while rolegate was down.
 */
static int recover(struct rg_audit *a, off_t size, char *err, size_t errlen)
{
	char rotated[PATH_MAX + 3];
	char note[PATH_MAX + 128];
	struct tail t;
	struct rg_audit_system s = { .event = RG_AUDIT_EVENT_TORN };
	int fd;
	struct stat st;

	if (size > 0) {
		if (read_tail(a->fd, a->path, size, &t, err, errlen) < 0)
			return -1;
		a->chain = t.chain;
		a->end = t.good_end;
		if (t.need_newline) {
			/* A complete record without its newline: just finish the line. */
			a->end = size;
			if (write_line(a, "\n", 1) < 0) {
				errf(err, errlen, "cannot write to %s: %s", a->path, strerror(errno));
				return -1;
			}
			return 0;
		}
		if (t.good_end == size)
			return 0;
		/* Keep the torn bytes (evidence), end their line, and say so in the chain. */
		a->end = size;
		s.torn_bytes = t.torn_bytes;
		memcpy(s.torn_sha256, t.torn_sha256, sizeof(s.torn_sha256));
		snprintf(note, sizeof(note), "continuing after a torn record of %zu bytes at the end "
				"of the log (the writer stopped mid-record)", t.torn_bytes);
		s.note = note;
		if (append_system(a, t.torn_ends_newline ? "" : "\n", &s) < 0) {
			errf(err, errlen, "cannot write to %s: %s", a->path, strerror(errno));
			return -1;
		}
		log_warnx("%s: %s", a->path, note);
		return 0;
	}

	a->end = 0;
	snprintf(rotated, sizeof(rotated), "%s.1", a->path);
	/* O_NONBLOCK: a FIFO at PATH.1 blocked open(2) for good, so serve never
	 * became ready and SIGTERM waited (docs/redteam-round12-avail.md); it is
	 * no rotated log, as a directory there is not (the head still shows a cut). */
	fd = open(rotated, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;  /* a brand-new log: seq 1, prev zeros */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return 0;
	}
	if (read_tail(fd, rotated, st.st_size, &t, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	a->chain = t.chain;
	if (t.good_end < st.st_size) {
		s.torn_bytes = t.torn_bytes;
		memcpy(s.torn_sha256, t.torn_sha256, sizeof(s.torn_sha256));
		snprintf(note, sizeof(note), "continues %s, whose last %zu bytes are a torn record",
				rotated, t.torn_bytes);
		s.note = note;
		if (append_system(a, "", &s) < 0) {
			errf(err, errlen, "cannot write to %s: %s", a->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	snprintf(note, sizeof(note), "continues %s (log rotated while rolegate was stopped)", rotated);
	if (write_rotate_record(a, note) < 0) {
		errf(err, errlen, "cannot write to %s: %s", a->path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Reads the head file the last run left (a->head_path) into *c. Returns 1
 * when it names a record (sealed with this key), 0 when there is none, -1
 * when it is unreadable or not one this key sealed (said at LOG_ERR: it is
 * replaced at the first durable point, like any stale head).
 */
static int read_old_head(struct rg_audit *a, struct rg_audit_chain *c)
{
	char text[RG_AUDIT_HEAD_MAX], host[RG_AUDIT_HEAD_MAX];
	struct stat st;
	ssize_t n;
	int fd, r;

	fd = open(a->head_path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_errx("the audit head file %s cannot be read: %s", a->head_path,
				fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = pread_all(fd, text, sizeof(text), 0);
	close(fd);
	r = n > 0 ? rg_audit_head_parse(text, (size_t)n, host, c, a->head_mac) : -1;
	if (r < 0) {
		log_errx("the audit head file %s is %s; it will be replaced", a->head_path,
				r == -2 ? "sealed with another key, or was changed" :
				"not one rolegate wrote");
		return -1;
	}
	return 1;
}

/*
 * The head file names the newest record that was durable when the last run
 * wrote it (SPEC.md §6). A log that now ends before that record, or ends
 * at its seq with another one, lost records while rolegate was stopped (cut
 * back, emptied, removed). Only the tail is read: a log that goes on past
 * the head's seq is taken as it is (writing records that chain on needs the
 * key, with one). Continuing from the cut would reuse their seqs and
 * replace the very head that shows the loss, laundering it; refusing to
 * start would make the removal a way to stop Docker. So the chain goes on
 * after the head's seq with a gap record saying what was found (log verify
 * reports it as a break), and the loss is logged at LOG_ERR. Locked, or
 * before any thread runs. Returns 0 or -1 (errno set: the record failed).
 */
static int check_head(struct rg_audit *a)
{
	char note[512], hex[RG_AUDIT_HEX_LEN + 1];
	struct rg_audit_chain head;
	struct rg_audit_system s = { .event = RG_AUDIT_EVENT_GAP };
	uint64_t have = a->chain.seq;

	if (a->head_path == NULL || read_old_head(a, &head) <= 0)
		return 0;
	if (head.seq < have ||
	    (head.seq == have && memcmp(head.hash, a->chain.hash, sizeof(head.hash)) == 0))
		return 0;
	rg_audit_hex(head.hash, hex);
	snprintf(note, sizeof(note), "the log ended at seq %llu, but its head file named seq "
			"%llu (hash %s): records up to seq %llu were removed while rolegate was "
			"stopped; continuing at seq %llu", (unsigned long long)have,
			(unsigned long long)head.seq, hex, (unsigned long long)head.seq,
			(unsigned long long)head.seq + 1);
	s.note = note;
	a->chain.seq = head.seq;   /* the gap record takes head.seq + 1; prev stays the tail's */
	if (append_system(a, "", &s) < 0)
		return -1;
	log_errx("%s: %s", a->path, note);
	return 0;
}

/*
 * Opens the log at a->path and brings its chain up (recover, check_head),
 * durable. Returns 0; -2 when the file cannot be opened or created (a->fd
 * stays -1: try again later); -1 when it must not be continued (err says
 * why). Locked, or before any thread runs.
 */
static int open_file(struct rg_audit *a, char *err, size_t errlen)
{
	struct stat st;
	int fd = open_bounded(a, &st, err, errlen);

	if (fd < 0)
		return fd;
	a->fd = fd;
	a->dev = st.st_dev;
	a->ino = st.st_ino;
	a->dirty = false;
	memset(&a->chain, 0, sizeof(a->chain));   /* an earlier try may have read a tail */
	if (recover(a, st.st_size, err, errlen) < 0)
		return -1;
	if (check_head(a) < 0) {
		errf(err, errlen, "cannot write to %s: %s", a->path, strerror(errno));
		return -1;
	}
	if (a->sync != RG_SYNC_NONE && sync_log(a, a->fd) < 0) {
		errf(err, errlen, "cannot sync %s: %s", a->path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The log could not be opened at start: try again, at most once a second
 * (forced: at once). A file that opens but cannot be continued (its tail,
 * a write, a sync) is closed and tried again the same way. Returns whether
 * the log is open. Locked.
 */
static bool retry_open(struct rg_audit *a, bool forced)
{
	char err[512];
	int64_t now = rg_monotonic_us();
	int r;

	if (a->fd >= 0)
		return true;
	if (!forced && now < a->next_open)
		return false;
	a->next_open = now + ROTATION_CHECK_US;
	r = open_file(a, err, sizeof(err));
	if (r < 0) {
		if (a->fd >= 0) {
			close(a->fd);
			a->fd = -1;
		}
		log_errx("cannot open the audit log: %s", err);
		return false;
	}
	a->next_check = now + ROTATION_CHECK_US;
	durable_point(a, &a->chain);
	log_warnx("the audit log %s is open again, at seq %llu", a->path,
			(unsigned long long)a->chain.seq);
	return true;
}

struct rg_audit *rg_audit_open(const struct rg_audit_config *c, char *err, size_t errlen)
{
	struct rg_audit *a;
	unsigned char *key = NULL;
	size_t keylen = 0;

	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->path = strdup(c->path)) == NULL) {
		errf(err, errlen, "out of memory");
		free(a);
		return NULL;
	}
	a->fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->synced, NULL);
	(void)rg_monocond_init(&a->work);     /* the flusher's timer */
	a->sync = c->sync;
	a->syslog = c->syslog;
	a->checkpoint = c->checkpoint;
	a->replay_from = 1;
	(void)rg_monocond_init(&a->cp_wake);    /* the checkpoint interval */
	(void)rg_monocond_init(&a->head_wake);  /* the head thread's interval */
	(void)rg_direct_init(&a->dw, &a->lock, "");  /* named in rg_audit_direct */
	if (gethostname(a->host, sizeof(a->host) - 1) < 0)
		strcpy(a->host, "unknown");
	a->wlane = rg_iolane_new("write", c->path);
	a->slane = rg_iolane_new("fdatasync", c->path);
	if (a->wlane == NULL || a->slane == NULL) {
		errf(err, errlen, "cannot start the audit log's I/O threads");
		goto fail;
	}
	if (a->sync != RG_SYNC_NONE &&
	    (a->head_path = malloc(strlen(c->path) + sizeof(".head"))) != NULL)
		sprintf(a->head_path, "%s.head", c->path);
	if (c->key_file != NULL && c->key_file[0] != '\0' &&
	    rg_audit_load_key(c->key_file, &key, &keylen, err, errlen) < 0)
		goto fail;
	a->mac = rg_audit_mac_new(key, keylen);
	a->head_mac = rg_audit_mac_new(key, keylen);
	if (key != NULL)
		OPENSSL_cleanse(key, keylen);
	free(key);
	if (a->mac == NULL || a->head_mac == NULL) {
		errf(err, errlen, "cannot set up SHA-256 (OpenSSL)");
		goto fail;
	}
	if (a->syslog || a->checkpoint > 0)
		openlog("rolegate", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (open_file(a, err, errlen) == -1)
		goto fail;
	if (a->fd < 0) {
		/* A filesystem that cannot hold the log now (read-only after an
		 * error, full, not mounted yet) must not keep serve, and so
		 * dockerd, down: records fail (audit.on_error) until it can. */
		log_errx("cannot open the audit log: %s; every record fails (audit.on_error) until "
				"it can be opened (tried again at most once a second)", err);
	}
	if (start_head(a) < 0) {
		errf(err, errlen, "cannot start the audit head file thread");
		goto fail;
	}
	durable_point(a, &a->chain);
	if (start_checkpoints(a) < 0) {
		errf(err, errlen, "cannot start the audit checkpoint thread");
		goto fail;
	}
	a->next_check = rg_monotonic_us() + ROTATION_CHECK_US;
	if (a->sync == RG_SYNC_BATCH) {
		if (pthread_create(&a->flusher_thread, NULL, flusher, a) != 0) {
			errf(err, errlen, "cannot start the audit flusher thread");
			goto fail;
		}
		a->has_flusher = true;
	}
	return a;
fail:
	rg_audit_close(a);
	return NULL;
}

/*
 * Settles the waiters whose records are covered by a finished fdatasync
 * (locked); the flusher calls them back once it has let go of the lock. A
 * record whose fdatasync failed stays failed: after an fsync error Linux may
 * have dropped the dirty pages, so a later successful sync proves nothing.
 */
static void settle_waiters(struct rg_audit *a, uint64_t through, int result)
{
	for (struct rg_audit_waiter *w = a->waiters; w != NULL; w = w->next) {
		if (!w->settled && w->seq <= through) {
			w->settled = true;
			w->result = result;
		}
	}
}

/*
 * Takes the settled waiters off the list, oldest first. Locked. A waiter
 * without a callback is a blocking caller's (flush_in_thread), which takes
 * itself off.
 */
static struct rg_audit_waiter *take_settled(struct rg_audit *a)
{
	struct rg_audit_waiter **pp = &a->waiters, *out = NULL;

	while (*pp != NULL) {
		struct rg_audit_waiter *w = *pp;

		if (w->settled && w->done != NULL) {
			*pp = w->next;
			w->next = out;
			out = w;
		} else {
			pp = &w->next;
		}
	}
	return out;
}

/* Calls back taken waiters; never under the lock (a callback may take others). */
static void call_back(struct rg_audit_waiter *w)
{
	while (w != NULL) {
		struct rg_audit_waiter *next = w->next;  /* w may be gone once called */

		w->done(w->arg, w->result);
		w = next;
	}
}

static bool unsettled(const struct rg_audit *a)
{
	for (const struct rg_audit_waiter *w = a->waiters; w != NULL; w = w->next) {
		if (!w->settled)
			return true;
	}
	return false;
}

/*
 * One fdatasync for every record written so far, outside the lock (locked
 * on entry and return). Settles the waiters it covered; returns its result.
 */
static int flush(struct rg_audit *a)
{
	uint64_t through = a->chain.seq;
	struct rg_audit_chain covered = a->chain;
	int fd = a->fd, r;

	a->syncing = true;
	a->unsynced_since = 0;     /* this fdatasync covers every record written so far */
	pthread_mutex_unlock(&a->lock);
	r = sync_log(a, fd) == 0 ? 0 : -1;
	pthread_mutex_lock(&a->lock);
	a->syncing = false;
	pthread_cond_broadcast(&a->synced);
	if (r == 0 && fd == a->fd)
		durable_point(a, &covered);
	settle_waiters(a, through, r);
	return r;
}

/*
 * When the flusher must next run a fdatasync, in monotonic µs: at once (1)
 * for a caller waiting on its record; FLUSH_TIMER_US after the oldest record
 * no fdatasync covers yet; 0 when there is nothing to flush. Locked.
 */
static int64_t flush_due(const struct rg_audit *a)
{
	if (unsettled(a))
		return 1;
	if (a->unsynced_since != 0)
		return a->unsynced_since + FLUSH_TIMER_US;
	return 0;
}

/* Whether settled waiters await the flusher's callback. Locked. */
static bool any_settled(const struct rg_audit *a)
{
	for (const struct rg_audit_waiter *w = a->waiters; w != NULL; w = w->next) {
		if (w->settled && w->done != NULL)
			return true;
	}
	return false;
}

/* Wakes the flusher if it sleeps; once, however many records come meanwhile. Locked. */
static void wake_flusher(struct rg_audit *a)
{
	if (a->flusher_asleep) {
		a->flusher_asleep = false;
		pthread_cond_signal(&a->work);
	}
}

/*
 * A record nobody waits for was written (sync = "batch"): the flusher's timer
 * must cover it. Only the first such record since the last fdatasync wakes a
 * flusher that sleeps without a deadline; later ones ride on that deadline,
 * so a stream of reads costs no thread hand-off per record. Locked.
 */
static void note_unsynced(struct rg_audit *a)
{
	if (a->unsynced_since != 0)
		return;
	a->unsynced_since = rg_monotonic_us();
	if (!a->flusher_timed)
		wake_flusher(a);
}

/*
 * The flusher's wait policy (locked): sleeps until a fdatasync is due (a
 * waiter, or the timer of unwaited records) or settled waiters await their
 * callback. Returns false once asked to stop with nobody waiting: close
 * syncs whatever the timer had not reached yet.
 */
static bool await_work(struct rg_audit *a)
{
	for (;;) {
		int64_t due;

		if (a->syncing) {
			/* a blocking caller flushes in its thread (append); then see */
			pthread_cond_wait(&a->synced, &a->lock);
			continue;
		}
		if (any_settled(a))
			return true;
		if (a->stopping && a->waiters == NULL)
			return false;
		due = flush_due(a);
		if (due != 0 && (a->stopping || due <= rg_monotonic_us()))
			return true;
		a->flusher_asleep = true;
		a->flusher_timed = due != 0;
		if (due == 0) {
			pthread_cond_wait(&a->work, &a->lock);
		} else {
			struct timespec ts = rg_monotonic_ts(due);

			pthread_cond_timedwait(&a->work, &a->lock, &ts);
		}
		a->flusher_asleep = a->flusher_timed = false;
	}
}

/* A timed fdatasync failed: the answers went out already, so say it once per streak. Locked. */
static void timer_result(struct rg_audit *a, int r)
{
	if (r < 0 && !a->timer_failing)
		log_warnx("cannot flush the audit log %s (fdatasync failed): records answered before "
				"their flush (reads, denies, responses) may not be durable", a->path);
	else if (r == 0 && a->timer_failing)
		log_info("the audit log %s flushes again", a->path);
	a->timer_failing = r < 0;
}

/*
 * sync = "batch": one fdatasync for every record written so far when a
 * caller waits or the timer is due, then the callbacks of everyone it
 * covered. Stops once asked to and nobody waits.
 */
static void *flusher(void *arg)
{
	struct rg_audit *a = arg;

	pthread_setname_np(pthread_self(), "rg-flusher");   /* names in perf, top -H, gdb */
	pthread_mutex_lock(&a->lock);
	while (await_work(a)) {
		struct rg_audit_waiter *done;
		int64_t due = flush_due(a);

		if (due != 0 && (due == 1 || due <= rg_monotonic_us() || a->stopping)) {
			bool timed = due != 1;
			int r = flush(a);

			if (timed)
				timer_result(a, r);
		}
		done = take_settled(a);
		pthread_mutex_unlock(&a->lock);
		call_back(done);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/*
 * Switches to a new file at the path (locked; the caller made it idle:
 * wait_idle). The old file is made durable first, and everyone waiting on
 * it answered.
 */
static int switch_file(struct rg_audit *a)
{
	char err[512];
	char note[128];
	struct stat st;
	int fd, r = 0;

	fd = open_bounded(a, &st, err, sizeof(err));
	if (fd < 0) {
		log_warnx("audit log rotation: %s", err);
		return -1;
	}
	/* The old file ends at its last complete record, or it is not left:
	 * records go on there (still reachable by its new name) until it is. */
	if (cut_dirty(a) < 0) {
		log_warn("audit log rotation: cannot cut a record given up on from the end of the "
				"old file (will retry)");
		close(fd);
		return -1;
	}
	if (a->sync != RG_SYNC_NONE)
		r = sync_log(a, a->fd);
	a->unsynced_since = 0;
	settle_waiters(a, a->chain.seq, r == 0 ? 0 : -1);
	wake_flusher(a);
	close(a->fd);
	a->fd = fd;
	a->dev = st.st_dev;
	a->ino = st.st_ino;
	a->end = st.st_size;
	a->dirty = false;
	a->need_rotate_record = true;
	if (r == 0)
		durable_point(a, &a->chain);   /* the old file, still reachable by its new name */
	snprintf(note, sizeof(note), "log reopened after rotation; the previous file ends at seq %llu",
			(unsigned long long)a->chain.seq);
	if (write_rotate_record(a, note) < 0)
		log_warn("cannot write to the new audit log %s (will retry)", a->path);
	else if (a->sync == RG_SYNC_BATCH)
		note_unsynced(a);
	return 0;
}

/*
 * Whether the path now names another file than the one open. Locked. A
 * missing path counts only when asked to create it (SIGHUP): noticing a
 * rename by ourselves, we wait for logrotate's `create` instead of racing it.
 */
static bool renamed(struct rg_audit *a, bool missing_counts)
{
	struct stat st;

	if (stat(a->path, &st) < 0)
		return missing_counts && errno == ENOENT;
	return st.st_dev != a->dev || st.st_ino != a->ino;
}

/*
 * Someone cut the open file (logrotate's copytruncate, which we advise
 * against): what follows is a new file in all but inode, so it starts with a
 * rotate record, and a failed write must never "cut back" past its end.
 * size is the file's size from ensure_linked's fstat, -1 if unknown. Locked.
 */
static void check_truncated(struct rg_audit *a, off_t size)
{
	if (size < 0 || size >= a->end)
		return;
	log_warnx("%s was truncated by another program (copytruncate?); use rename rotation",
			a->path);
	a->end = size;
	a->dirty = false;
	if (write_rotate_record(a, "the log was truncated by another program; continuing") < 0)
		a->need_rotate_record = true;
}

/* ---- Head file, unlinked log, checkpoints (SPEC.md §6) ---- */

/* e with the writer's host name, in *copy. */
static const struct rg_audit_entry *with_host(const struct rg_audit *a,
		const struct rg_audit_entry *e, struct rg_audit_entry *copy)
{
	*copy = *e;
	if (copy->host == NULL)
		copy->host = a->host;
	return copy;
}

/*
 * Replaces PATH.head (write a temporary, rename over) naming c. Not fsynced:
 * after a crash it may name an older record, which verify accepts; it never
 * names a record that is not durable, since it is written only after the
 * fdatasync that covered c. The head thread's, unlocked (its own MAC).
 */
static void write_head(struct rg_audit *a, const struct rg_audit_chain *c)
{
	char text[RG_AUDIT_HEAD_MAX], tmp[PATH_MAX];
	int n, fd;

	if (a->head_path == NULL || c->seq == 0)
		return;
	n = rg_audit_head_format(text, a->host, c, a->head_mac);
	if (n < 0 || snprintf(tmp, sizeof(tmp), "%s.tmp", a->head_path) >= (int)sizeof(tmp))
		return;
	/* A fresh file of our own: whatever is at tmp (a FIFO would block this
	 * thread in open(2) for good, and SIGTERM then waits for it) goes first. */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) < 0 ||
	    rename(tmp, a->head_path) < 0) {
		if (fd >= 0)
			(void)unlink(tmp);
		log_warn("cannot replace the audit head file %s", a->head_path);
	}
}

/* Records through seq are durable where a path leads: no need to keep them. */
static void drop_replayed(struct rg_audit *a, uint64_t through)
{
	size_t off = 0;

	if (through >= a->chain.seq) {
		a->replay.len = 0;
		a->replay_from = a->chain.seq + 1;
		return;
	}
	/* One record per line; replay starts at replay_from. */
	while (a->replay_from <= through && off < a->replay.len) {
		const char *nl = memchr(a->replay.p + off, '\n', a->replay.len - off);

		if (nl == NULL)
			break;
		off = (size_t)(nl - a->replay.p) + 1;
		a->replay_from++;
	}
	memmove(a->replay.p, a->replay.p + off, a->replay.len - off);
	a->replay.len -= off;
}

/*
 * The records through c are durable (or, with sync = "none", written):
 * check that a path still leads to them (relinking if not), then name c in
 * the head file and in later checkpoints. Locked. The one hook the flush
 * paths call.
 */
static void durable_point(struct rg_audit *a, const struct rg_audit_chain *c)
{
	if (!ensure_linked(a, false, NULL))
		return;
	durable_point_linked(a, c);
}

/*
 * durable_point without its fstat, for sync = "none": append looked at the
 * open file (fstat) just before the write, under the same lock; "none"
 * promises nothing past the write, so a second look right after it is not
 * worth a system call per record.
 */
static void durable_point_linked(struct rg_audit *a, const struct rg_audit_chain *c)
{
	if (c->seq <= a->durable.seq)
		return;
	a->durable = *c;
	drop_replayed(a, c->seq);
	if (a->has_header) {
		a->head_want = *c;
		/* during its interval the head thread takes the newest point when it
		 * wakes anyway: a wake per fdatasync would only cost two futex calls */
		if (a->head_idle)
			pthread_cond_signal(&a->head_wake);
	}
}

/*
 * The open file has no name left (someone unlinked it, or renamed another
 * file over it): records written there are lost with it. Reopen the path,
 * write there again what went to the old file since the last durable look,
 * then a relink record saying so, and warn at LOG_ERR. Locked.
 */
static bool relink(struct rg_audit *a, const char *what)
{
	char err[512], note[PATH_MAX + 256];
	struct rg_audit_buf again = a->replay;
	struct rg_audit_system s = { .event = RG_AUDIT_EVENT_RELINK };
	uint64_t from = a->replay_from;
	uint64_t nrecords = a->chain.seq >= from ? a->chain.seq - from + 1 : 0;
	struct stat st;
	int fd;

	fd = open_bounded(a, &st, err, sizeof(err));
	if (fd < 0) {
		/* Keep what is to be written again for the next attempt. */
		log_errx("the audit log %s was %s and cannot be reopened: %s", a->path, what, err);
		return false;
	}
	close(a->fd);
	a->fd = fd;
	a->dev = st.st_dev;
	a->ino = st.st_ino;
	a->end = st.st_size;
	a->dirty = false;
	a->need_rotate_record = false;
	/* write_line keeps what it writes for the next relink: start afresh. */
	memset(&a->replay, 0, sizeof(a->replay));
	if (again.len > 0 && write_line(a, again.p, again.len) < 0)
		log_warn("cannot write records again to the reopened audit log %s", a->path);
	rg_audit_buf_free(&again);
	snprintf(note, sizeof(note), "the log file was %s while open; reopened %s and wrote "
			"again the %llu records that may have gone only to the old file",
			what, a->path, (unsigned long long)nrecords);
	s.note = note;
	s.replay_from = nrecords > 0 ? from : 0;
	if (append_system(a, "", &s) < 0)
		log_warn("cannot write to the reopened audit log %s", a->path);
	a->replay_from = nrecords > 0 ? from : a->chain.seq;
	if (a->sync != RG_SYNC_NONE)
		(void)sync_log(a, a->fd);
	log_errx("the audit log %s was %s while rolegate wrote to it; reopened the path and "
			"wrote again %llu records (seq %llu on)", a->path, what,
			(unsigned long long)nrecords, (unsigned long long)from);
	return true;
}

/*
 * Before every write and after every flush: a file with no link left (its
 * fstat says st_nlink == 0: unlinked, or another file renamed over it) is
 * relinked. Whether the path now names another file (logrotate renamed
 * ours) is looked at only when path_due and at most once a second
 * (a->next_check): a renamed file is still reachable, so that can wait,
 * and a stat of the path on every call was a fifth of a read's system
 * calls. *size (if not NULL) gets the open file's size when the file kept
 * is the one that was open, else -1. Locked.
 */
static bool ensure_linked(struct rg_audit *a, bool path_due, off_t *size)
{
	struct stat fst, pst;
	bool look;
	int64_t now;

	if (size != NULL)
		*size = -1;
again:
	if (a->fd < 0 || fstat(a->fd, &fst) < 0)
		return false;
	look = false;
	if (path_due && (now = rg_monotonic_us()) >= a->next_check) {
		a->next_check = now + ROTATION_CHECK_US;
		look = true;
	}
	if (fst.st_nlink > 0 &&
	    (!look || stat(a->path, &pst) < 0 || (pst.st_dev == a->dev && pst.st_ino == a->ino))) {
		if (size != NULL)
			*size = fst.st_size;
		return true;
	}
	/*
	 * Something to do: first let a fdatasync or a direct write in flight
	 * finish (the wait lets go of the lock, and another thread may act
	 * meanwhile), then look again before acting on what may be stale. The
	 * lock is then held through to the act: nothing is in flight.
	 */
	if (a->syncing || a->dw.writing) {
		if (wait_idle(a) < 0)
			return false;
		a->next_check = 0;     /* the path is looked at again, whatever the clock says */
		goto again;
	}
	/* Looked at after the path: a file renamed over ours shows in both. */
	if (fstat(a->fd, &fst) < 0)
		return false;
	if (fst.st_nlink == 0)
		return relink(a, stat(a->path, &pst) == 0 ? "replaced by another file" : "unlinked");
	(void)switch_file(a);
	return true;
}

/*
 * The head thread: writes the head for the newest durable point, skipping
 * those that came meanwhile (a stale head is safe; one rename per flush
 * under load would cost a journal commit each). Drains before it stops.
 */
static void *header(void *arg)
{
	struct rg_audit *a = arg;
	struct timespec next = { 0, 0 };

	pthread_setname_np(pthread_self(), "rg-head");
	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct rg_audit_chain c;

		a->head_idle = true;
		while (!a->head_stopping && a->head_want.seq <= a->head_done.seq)
			pthread_cond_wait(&a->head_wake, &a->lock);
		a->head_idle = false;
		/*
		 * At most one head every HEAD_INTERVAL_US: under load a durable
		 * point comes with every fdatasync, and each replacement (open,
		 * write, rename) was a third of a create's system calls. The
		 * newest point is taken once the interval is over; at close
		 * (head_stopping) it is written at once.
		 */
		while (!a->head_stopping &&
		       pthread_cond_timedwait(&a->head_wake, &a->lock, &next) != ETIMEDOUT)
			;
		if (a->head_want.seq <= a->head_done.seq)
			break;
		c = a->head_want;
		pthread_mutex_unlock(&a->lock);
		write_head(a, &c);
		next = rg_monotonic_ts(rg_monotonic_us() + HEAD_INTERVAL_US);
		pthread_mutex_lock(&a->lock);
		a->head_done = c;
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/*
 * The head writer and the checkpointer are both a thread that sleeps on its
 * own condition until its stopping flag is set under a->lock: one way to
 * start and one way to stop them.
 */
static int start_worker(struct rg_audit *a, void *(*fn)(void *), pthread_t *thread, bool *running)
{
	if (pthread_create(thread, NULL, fn, a) != 0)
		return -1;
	*running = true;
	return 0;
}

static void stop_worker(struct rg_audit *a, pthread_t *thread, bool *running, bool *stopping,
		pthread_cond_t *wake)
{
	struct timespec until;

	if (!*running)
		return;
	pthread_mutex_lock(&a->lock);
	*stopping = true;
	pthread_cond_signal(wake);
	pthread_mutex_unlock(&a->lock);
	/* The head thread's open, write and rename may be stuck on a disk that
	 * does not answer: SIGTERM must still end serve. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WORKER_JOIN_S;
	if (pthread_timedjoin_np(*thread, NULL, &until) != 0) {
		pthread_detach(*thread);
		a->leak = true;
		log_warnx("an audit log thread is still in a call on a disk that does not answer: "
				"left it there");
	}
	*running = false;
}

static int start_head(struct rg_audit *a)
{
	if (a->head_path == NULL)
		return 0;
	return start_worker(a, header, &a->head_thread, &a->has_header);
}

static void stop_head(struct rg_audit *a)
{
	stop_worker(a, &a->head_thread, &a->has_header, &a->head_stopping, &a->head_wake);
}

/* Sends one checkpoint line naming the newest durable record. */
static void send_checkpoint(struct rg_audit *a)
{
	char hex[RG_AUDIT_HEX_LEN + 1], line[512];
	struct rg_audit_chain c;
	int n;

	pthread_mutex_lock(&a->lock);
	c = a->durable;
	pthread_mutex_unlock(&a->lock);
	if (c.seq == 0)
		return;
	rg_audit_hex(c.hash, hex);
	n = snprintf(line, sizeof(line), "rolegate checkpoint host=%s seq=%llu hash=%s", a->host,
			(unsigned long long)c.seq, hex);
	if (n > 0 && (size_t)n < sizeof(line))
		rg_syslogq_send(LOG_AUTHPRIV | LOG_INFO, line, (size_t)n);
}

/* Every audit.checkpoint seconds, and once at close. */
static void *checkpointer(void *arg)
{
	struct rg_audit *a = arg;
	struct timespec due;

	pthread_setname_np(pthread_self(), "rg-checkpoint");
	/* Monotonic: on the wall clock, a clock set forward a day sent a
	 * day's checkpoints back to back (51 060 in 4 s with checkpoint = 1),
	 * and one set back sent none for as long. */
	clock_gettime(CLOCK_MONOTONIC, &due);
	pthread_mutex_lock(&a->lock);
	while (!a->cp_stopping) {
		due.tv_sec += a->checkpoint;
		while (!a->cp_stopping &&
		       pthread_cond_timedwait(&a->cp_wake, &a->lock, &due) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&a->lock);
		send_checkpoint(a);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static int start_checkpoints(struct rg_audit *a)
{
	if (a->checkpoint <= 0)
		return 0;
	return start_worker(a, checkpointer, &a->checkpoint_thread, &a->has_checkpointer);
}

static void stop_checkpoints(struct rg_audit *a)
{
	stop_worker(a, &a->checkpoint_thread, &a->has_checkpointer, &a->cp_stopping, &a->cp_wake);
}

/*
 * A write nobody else comes to wait for (the server thread in it holds
 * dockerd's calls on its other connections) is declared stuck by the
 * shared watch thread (rolegate/directwrite.h).
 */
static void stop_watch(struct rg_audit *a)
{
	rg_direct_unwatch(&a->dw);
}

int rg_audit_direct(struct rg_audit *a, void (*stuck)(void *arg, pthread_t thread), void *arg)
{
	if (a->dw.watched)
		return 0;
	a->dw.what = a->path;
	if (rg_direct_watch(&a->dw, stuck, arg) < 0)
		return -1;
	pthread_mutex_lock(&a->lock);
	a->direct = true;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

bool rg_audit_writer_stuck(struct rg_audit *a)
{
	bool stuck;

	if (a == NULL)
		return false;
	pthread_mutex_lock(&a->lock);
	stuck = rg_direct_stuck(&a->dw);
	pthread_mutex_unlock(&a->lock);
	return stuck;
}

int rg_audit_reopen(struct rg_audit *a)
{
	int r = 0;

	if (a == NULL)
		return 0;
	pthread_mutex_lock(&a->lock);
	if (wait_idle(a) < 0)
		r = -1;
	else if (a->fd < 0)
		r = retry_open(a, true) ? 0 : -1;
	else if (renamed(a, true))
		r = switch_file(a);
	pthread_mutex_unlock(&a->lock);
	return r;
}

/*
 * A blocking caller's group commit (sync = "batch", locked), without a
 * thread hand-off: its waiter (no callback) joins the list; while a
 * fdatasync runs, which may have begun before the record was written, it
 * waits for that one; then, unless that one covered the record, it runs the
 * next itself, for every record written so far. Concurrent blocking callers
 * share flushes as the flusher's waiters do, and a call alone in flight is
 * spared two hand-offs (about 40 µs here) even while a timed flush runs.
 * Returns the result of the first fdatasync that covered the record.
 */
static int flush_in_thread(struct rg_audit *a, struct rg_audit_waiter *w, uint64_t seq)
{
	struct rg_audit_waiter **pp = &a->waiters;

	w->seq = seq;
	w->settled = false;
	w->next = a->waiters;
	a->waiters = w;
	while (!w->settled) {
		if (a->syncing)
			pthread_cond_wait(&a->synced, &a->lock);
		else
			(void)flush(a);
	}
	while (*pp != w)
		pp = &(*pp)->next;
	*pp = w->next;
	/* this flush may have settled others' waiters: their callbacks are the flusher's */
	if (any_settled(a))
		wake_flusher(a);
	return w->result;
}

/*
 * Appends a record (see rg_audit_append_async). With durable false (sync =
 * "batch"), it is answered once written and the flusher's timer covers it. A
 * caller that will block anyway (flush_here: w has no callback) takes part
 * in the group commit in its own thread (flush_in_thread).
 */
static int append(struct rg_audit *a, const struct rg_audit_entry *e, struct rg_audit_waiter *w,
		bool durable, bool flush_here)
{
	struct rg_audit_chain next;
	struct rg_audit_entry he;
	struct timespec t;
	off_t size;
	int r = 0;

	pthread_mutex_lock(&a->lock);
	if (wait_writer(a) < 0)
		goto fail;
	if (a->fd < 0 && !retry_open(a, false)) {
		errno = EIO;
		goto fail;
	}
	(void)ensure_linked(a, true, &size);
	check_truncated(a, size);
	if (a->need_rotate_record && write_rotate_record(a, "log reopened after rotation") < 0)
		goto fail;
	/* Stamped under the lock, so that time never goes back as seq goes up. */
	now_realtime(&t);
	if (rg_audit_format(&a->buf, &a->chain, &t, with_host(a, e, &he), a->mac, &next) < 0 ||
	    write_direct(a) < 0)
		goto fail;
	a->chain = next;
	/* queued, in chain order: a syslog daemon that stops reading never holds the lock */
	if (a->syslog)
		rg_syslogq_send(LOG_AUTHPRIV | LOG_INFO, a->buf.p, a->buf.len - 1);
	if (a->sync == RG_SYNC_ALWAYS) {
		r = sync_log(a, a->fd) == 0 ? 0 : -1;
		if (r == 0)
			durable_point(a, &a->chain);
	} else if (a->sync == RG_SYNC_NONE) {
		durable_point_linked(a, &a->chain);
	} else if (a->sync == RG_SYNC_BATCH && !durable) {
		note_unsynced(a);
	} else if (a->sync == RG_SYNC_BATCH && flush_here) {
		r = flush_in_thread(a, w, next.seq);
	} else if (a->sync == RG_SYNC_BATCH) {
		w->seq = next.seq;
		w->settled = false;
		w->next = a->waiters;
		a->waiters = w;
		wake_flusher(a);
		r = 1;
	}
	pthread_mutex_unlock(&a->lock);
	return r;
fail:
	pthread_mutex_unlock(&a->lock);
	return -1;
}

int rg_audit_append_async(struct rg_audit *a, const struct rg_audit_entry *e, struct rg_audit_waiter *w)
{
	return append(a, e, w, true, false);
}

int rg_audit_append_written(struct rg_audit *a, const struct rg_audit_entry *e)
{
	return append(a, e, NULL, false, false) == 0 ? 0 : -1;
}

int rg_audit_append(struct rg_audit *a, const struct rg_audit_entry *e)
{
	struct rg_audit_waiter w = { .done = NULL };  /* served in this thread: flush_in_thread */

	return append(a, e, &w, true, true) == 0 ? 0 : -1;
}

void rg_audit_fail_pending(struct rg_audit *a)
{
	struct rg_audit_waiter *done;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	settle_waiters(a, UINT64_MAX, -1);
	done = take_settled(a);
	pthread_cond_broadcast(&a->synced);  /* blocking callers (flush_in_thread) look again */
	pthread_mutex_unlock(&a->lock);
	call_back(done);
}

void rg_audit_close(struct rg_audit *a)
{
	if (a == NULL)
		return;
	stop_checkpoints(a);
	if (a->has_flusher) {
		/* The flusher serves everyone still waiting before it stops. */
		pthread_mutex_lock(&a->lock);
		a->stopping = true;
		wake_flusher(a);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->flusher_thread, NULL);
	}
	stop_watch(a);
	pthread_mutex_lock(&a->lock);
	/* a blocking caller's own flush, or a direct write (stuck: left there) */
	if (wait_idle(a) < 0)
		a->leak = true;
	else if (a->fd >= 0) {
		/* the next serve must not continue after a record given up on */
		if (cut_dirty(a) < 0)
			log_warn("cannot cut a record given up on from the end of %s", a->path);
		if (a->sync != RG_SYNC_NONE && sync_log(a, a->fd) == 0)
			durable_point(a, &a->chain);
		close(a->fd);
	}
	pthread_mutex_unlock(&a->lock);
	stop_head(a);      /* after the last durable point: the head names it */
	if (a->opening != NULL) {
		/* an open given up on: its thread holds a reference of its own and
		 * frees it (closing what it opened) whenever the disk lets it go */
		opener_release(a->opening);
		a->opening = NULL;
	}
	if (!rg_iolane_free(a->wlane))
		a->leak = true;
	if (!rg_iolane_free(a->slane))
		a->leak = true;
	if (a->leak) {
		/* a thread is still in a write, fdatasync or rename on a disk that
		 * does not answer, and may touch a when it comes back: leave it all
		 * (serve exits next) */
		log_warnx("the audit log's disk still does not answer: left its I/O thread in its call");
		return;
	}
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->synced);
	pthread_cond_destroy(&a->work);
	pthread_cond_destroy(&a->cp_wake);
	pthread_cond_destroy(&a->head_wake);
	rg_direct_destroy(&a->dw);
	rg_audit_mac_free(a->head_mac);
	rg_audit_buf_free(&a->replay);
	free(a->head_path);
	rg_audit_mac_free(a->mac);
	rg_audit_buf_free(&a->buf);
	free(a->path);
	free(a);
}
