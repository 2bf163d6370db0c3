/*
 * I/O lanes (rolegate/iolane.h): a thread per lane, one job at a time. The
 * job's bytes and descriptor are the lane's own copies, so a caller that
 * gave up on a job may go on (free or reuse its buffer, close its fd) while
 * the lane's thread is still in the write.
 */
#define _GNU_SOURCE        /* pthread_setname_np */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/iolane.h"
#include "rolegate/log.h"
#include "rolegate/monocond.h"

struct rg_iolane {
	pthread_mutex_t lock;
	pthread_cond_t wake;       /* a job was posted, or stop */
	pthread_cond_t done_cv;    /* the job is done (monotonic: the caller's deadline) */
	char *what, *path;
	pthread_t thread;
	bool stopping;
	/* The job: posted by a caller, taken by the thread; busy from posting
	 * until the caller has its result (or, abandoned, until it is done). */
	bool posted, busy, done, abandoned;
	enum rg_iolane_op op;
	int fd;
	off_t cut_to;
	char *buf;
	size_t len, cap;
	int result, err;
	int64_t since;             /* monotonic µs, when the job was posted */
};

/* The job itself, outside the lane's lock. Returns 0 or -1 (errno set). */
static int run_job(struct rg_iolane *l)
{
	if (l->op == RG_IOLANE_SYNC)
		return fdatasync(l->fd);
	if (l->cut_to >= 0) {
		struct stat st;

		if (fstat(l->fd, &st) < 0 || (st.st_size > l->cut_to && ftruncate(l->fd, l->cut_to) < 0))
			return -1;
	}
	return rg_write_all(l->fd, l->buf, l->len);
}

int rg_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *lane_main(void *arg)
{
	struct rg_iolane *l = arg;

	pthread_setname_np(pthread_self(), l->op == RG_IOLANE_SYNC ? "rg-io-sync" : "rg-io-write");
	pthread_mutex_lock(&l->lock);
	for (;;) {
		int r, err;

		while (!l->posted && !l->stopping)
			pthread_cond_wait(&l->wake, &l->lock);
		if (!l->posted)
			break;
		l->posted = false;
		pthread_mutex_unlock(&l->lock);
		r = run_job(l);
		err = errno;
		close(l->fd);      /* the job's own dup (rg_iolane_run) */
		pthread_mutex_lock(&l->lock);
		l->result = r;
		l->err = err;
		l->done = true;
		if (l->abandoned) {
			/* nobody waits for this result: the lane is free again */
			l->busy = false;
			log_warnx("the disk under %s answers again: a %s that a call gave up on completed "
					"after %lld ms (%s)", l->path, l->what,
					(long long)((rg_monotonic_us() - l->since) / 1000),
					r == 0 ? "done" : strerror(err));
		}
		pthread_cond_signal(&l->done_cv);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct rg_iolane *rg_iolane_new(const char *what, const char *path)
{
	struct rg_iolane *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->what = strdup(what);
	l->path = strdup(path);
	/* the thread's name comes from op before any job */
	l->op = strstr(what, "sync") != NULL ? RG_IOLANE_SYNC : RG_IOLANE_WRITE;
	if (l->what == NULL || l->path == NULL)
		goto fail;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	if (rg_monocond_init(&l->done_cv) < 0 || pthread_create(&l->thread, NULL, lane_main, l) != 0) {
		pthread_cond_destroy(&l->wake);
		pthread_mutex_destroy(&l->lock);
		goto fail;
	}
	return l;
fail:
	free(l->what);
	free(l->path);
	free(l);
	return NULL;
}

int rg_iolane_run(struct rg_iolane *l, enum rg_iolane_op op, int fd, off_t cut_to,
		const char *p, size_t n)
{
	int64_t deadline;
	struct timespec ts;
	int r, err;

	pthread_mutex_lock(&l->lock);
	if (l->busy) {
		/* still in a job someone gave up on: the disk is stuck */
		pthread_mutex_unlock(&l->lock);
		errno = ETIMEDOUT;
		return -1;
	}
	if (n > l->cap) {
		char *b = realloc(l->buf, n);

		if (b == NULL) {
			pthread_mutex_unlock(&l->lock);
			errno = ENOMEM;
			return -1;
		}
		l->buf = b;
		l->cap = n;
	}
	/* The job gets a descriptor of its own: a caller that gave up on it may
	 * close fd, and the number may then name another file, which a late
	 * ftruncate or write of this job must not touch. */
	l->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (l->fd < 0) {
		pthread_mutex_unlock(&l->lock);
		return -1;
	}
	if (n > 0)
		memcpy(l->buf, p, n);
	l->len = n;
	l->op = op;
	l->cut_to = cut_to;
	l->since = rg_monotonic_us();
	l->posted = l->busy = true;
	l->done = l->abandoned = false;
	pthread_cond_signal(&l->wake);
	deadline = l->since + (int64_t)RG_IOLANE_MS * 1000;
	ts = rg_monotonic_ts(deadline);
	while (!l->done && pthread_cond_timedwait(&l->done_cv, &l->lock, &ts) != ETIMEDOUT)
		;
	if (!l->done) {
		l->abandoned = true;
		pthread_mutex_unlock(&l->lock);
		log_errx("the disk under %s has not completed a %s in %d ms: gave up on it; until it "
				"does, every such call fails at once", l->path, l->what, RG_IOLANE_MS);
		errno = ETIMEDOUT;
		return -1;
	}
	r = l->result;
	err = l->err;
	l->busy = false;
	pthread_mutex_unlock(&l->lock);
	errno = err;
	return r;
}

bool rg_iolane_stuck(struct rg_iolane *l)
{
	bool stuck;

	pthread_mutex_lock(&l->lock);
	stuck = l->busy && l->abandoned;
	pthread_mutex_unlock(&l->lock);
	return stuck;
}

bool rg_iolane_free(struct rg_iolane *l)
{
	bool stuck;

	if (l == NULL)
		return true;
	pthread_mutex_lock(&l->lock);
	l->stopping = true;
	stuck = l->busy;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->lock);
	if (stuck) {
		/* in a write or fdatasync that may never return: leave it there */
		pthread_detach(l->thread);
		return false;
	}
	pthread_join(l->thread, NULL);
	pthread_cond_destroy(&l->wake);
	pthread_cond_destroy(&l->done_cv);
	pthread_mutex_destroy(&l->lock);
	free(l->buf);
	free(l->what);
	free(l->path);
	free(l);
	return true;
}
