/*
 * The daemon's view of the host filesystem (hostfs.h): the real lstat and
 * readlink, answered as the kernel answers them now. rolegate must run in
 * dockerd's mount namespace for this to be the filesystem dockerd mounts
 * from (SPEC.md §1: both run on the host).
 *
 * A filesystem that stops answering (an NFS hard mount whose server is
 * gone, a FUSE daemon that stopped reading) holds lstat(2) and readlink(2)
 * for as long as it lasts. Made by a server thread in a decision, under the
 * ownership state's read lock, one such call held the thread, and the next
 * change of the state (a create's answer) waited for the lock with every
 * decision behind it: a user with a path on such a mount under an allowed
 * directory stopped Docker with one `docker run -v`. So each call runs in
 * a helper thread, and the caller waits RG_HOSTFS_MS at most: then it gets
 * ETIMEDOUT (the engine refuses the path: "cannot be examined"), and the
 * helper is left in the call (a path on a local filesystem, by the mount
 * table, is asked directly: localfs.h). A later call on that path or under it,
 * or on the same mount, fails at once while the helper is stuck (one create
 * looks a path up several times: each would wait again; an NFS export whose
 * root answers from the cache hangs each name under it on its own). At most RG_HOSTFS_THREADS
 * helpers exist; while that many are stuck, every call fails at once, so
 * that nobody waits on a filesystem known not to answer. A helper that
 * comes back serves again.
 */
#define _GNU_SOURCE        /* pthread_cond_clockwait: a static condition on CLOCK_MONOTONIC */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/hostfs.h"
#include "rolegate/monocond.h"
#include "rolegate/localfs.h"

#define RG_HOSTFS_MS 2000        /* a local disk answers in well under that */
#define RG_HOSTFS_THREADS 16     /* helpers at most, stuck ones included */

enum op { OP_LSTAT, OP_READLINK };

/* One call. Owned by its caller until the caller gives up on it (abandoned):
 * then by the helper that runs it. */
struct job {
	enum op op;
	char path[PATH_MAX];
	long mount;                /* its filesystem's mount id, -1 when not known */
	struct stat st;
	char buf[PATH_MAX];
	size_t len;
	ssize_t n;                 /* readlink's result */
	int err;                   /* errno of the call, 0 on success */
	bool started, done, abandoned;
	struct job *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;       /* a job was queued */
	pthread_cond_t done;       /* a job was done */
	struct job *head, *tail;
	unsigned threads, idle, stuck;
	struct job *stuck_jobs[RG_HOSTFS_THREADS];   /* the abandoned ones still running */
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	NULL, NULL, 0, 0, 0, { NULL } };

/* Locked: whether j's path is a stuck job's path or under it, or on the
 * same mount: one hung NFS export whose root answers from the cache would
 * otherwise take a helper per name under it, and with all of them stuck
 * every other user's paths on other such filesystems fail (round 16). */
static bool under_stuck(const struct job *j)
{
	for (unsigned i = 0; i < pool.stuck; i++) {
		const char *p = pool.stuck_jobs[i]->path;
		size_t n = strlen(p);

		if (j->mount >= 0 && pool.stuck_jobs[i]->mount == j->mount)
			return true;
		if (strncmp(j->path, p, n) == 0 && (j->path[n] == '\0' || j->path[n] == '/' ||
				(n == 1 && p[0] == '/')))
			return true;
	}
	return false;
}

static void run(struct job *j)
{
	if (j->op == OP_LSTAT) {
		j->err = lstat(j->path, &j->st) == 0 ? 0 : errno != 0 ? errno : EIO;
	} else {
		j->n = readlink(j->path, j->buf, j->len);
		j->err = j->n < 0 ? errno : 0;
	}
}

static void *helper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		struct job *j;

		while (pool.head == NULL) {
			pool.idle++;
			pthread_cond_wait(&pool.work, &pool.lock);
			pool.idle--;
		}
		j = pool.head;
		pool.head = j->next;
		if (pool.head == NULL)
			pool.tail = NULL;
		j->started = true;
		pthread_mutex_unlock(&pool.lock);
		run(j);
		pthread_mutex_lock(&pool.lock);
		j->done = true;
		if (j->abandoned) {
			/* its caller gave up: this helper was counted stuck */
			for (unsigned i = 0; i < pool.stuck; i++) {
				if (pool.stuck_jobs[i] == j)
					pool.stuck_jobs[i] = pool.stuck_jobs[--pool.stuck];
			}
			free(j);
		} else {
			pthread_cond_broadcast(&pool.done);
		}
	}
	return NULL;
}

/* Locked: one more helper when none is idle, up to the bound. */
static void grow(void)
{
	pthread_attr_t attr;
	pthread_t t;

	if (pool.idle > 0 || pool.threads >= RG_HOSTFS_THREADS)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* a helper makes two system calls: a small stack will do */
	pthread_attr_setstacksize(&attr, 64 * 1024 + 2 * PATH_MAX);
	if (pthread_create(&t, &attr, helper, NULL) == 0)
		pool.threads++;
	pthread_attr_destroy(&attr);
}

/* Locked: takes a job that no helper started off the queue. */
static void unqueue(struct job *j)
{
	struct job **p = &pool.head, *prev = NULL;

	for (; *p != NULL; prev = *p, p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			if (pool.tail == j)
				pool.tail = prev;
			return;
		}
	}
}

/* Runs j in a helper; 0 when it completed (its err and results are set), or
 * ETIMEDOUT (j is then the helper's, or freed: never touch it again). */
static int submit(struct job *j)
{
	struct timespec until = rg_monotonic_ts(rg_monotonic_us() + (int64_t)RG_HOSTFS_MS * 1000);
	int r = 0;

	pthread_mutex_lock(&pool.lock);
	if (pool.stuck >= RG_HOSTFS_THREADS || under_stuck(j)) {
		pthread_mutex_unlock(&pool.lock);
		free(j);
		return ETIMEDOUT;
	}
	j->next = NULL;
	if (pool.tail != NULL)
		pool.tail->next = j;
	else
		pool.head = j;
	pool.tail = j;
	grow();
	pthread_cond_signal(&pool.work);
	while (!j->done && r != ETIMEDOUT)
		r = pthread_cond_clockwait(&pool.done, &pool.lock, CLOCK_MONOTONIC, &until);
	if (!j->done) {
		if (j->started) {
			j->abandoned = true;
			pool.stuck_jobs[pool.stuck++] = j;
		} else {
			unqueue(j);
			free(j);
		}
		pthread_mutex_unlock(&pool.lock);
		return ETIMEDOUT;
	}
	pthread_mutex_unlock(&pool.lock);
	return 0;
}

static struct job *job_new(enum op op, const char *path, long mount)
{
	struct job *j;
	size_t n = strlen(path);

	if (n >= PATH_MAX || (j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->op = op;
	j->mount = mount;
	memcpy(j->path, path, n + 1);
	return j;
}

static int host_lstat(void *arg, const char *path, struct stat *st)
{
	struct job *j;
	long mount;
	int err;

	(void)arg;
	/* a local filesystem answers at once: no hand-off (localfs.h) */
	if (rg_localfs(path, &mount))
		return lstat(path, st) == 0 ? 0 : errno != 0 ? errno : EIO;
	j = job_new(OP_LSTAT, path, mount);
	if (j == NULL)
		return strlen(path) >= PATH_MAX ? ENAMETOOLONG : ENOMEM;
	if (submit(j) != 0)
		return ETIMEDOUT;
	err = j->err;
	if (err == 0)
		*st = j->st;
	free(j);
	return err;
}

static ssize_t host_readlink(void *arg, const char *path, char *buf, size_t len)
{
	struct job *j;
	long mount;
	ssize_t n;

	(void)arg;
	if (rg_localfs(path, &mount))
		return readlink(path, buf, len);
	j = job_new(OP_READLINK, path, mount);
	if (j == NULL) {
		errno = ENOMEM;
		return -1;
	}
	j->len = len < sizeof(j->buf) ? len : sizeof(j->buf);
	if (submit(j) != 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	n = j->n;
	if (n > 0)
		memcpy(buf, j->buf, (size_t)n);
	errno = j->err;
	free(j);
	return n;
}

const struct rg_fs rg_fs_host = {
	.lstat = host_lstat,
	.readlink = host_readlink,
	.arg = NULL,
};
