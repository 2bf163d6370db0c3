/*
 * I/O lanes (plugin/iolane.c): a job a caller gave up on must, when the
 * disk answers again, touch the file it was given and nothing else, even
 * though the caller has closed that fd and the number now names another
 * file. The stuck disk is this file's own ftruncate(2), which holds until
 * released (it replaces libc's for the lane, linked into this program).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rolegate/iolane.h"
#include "test.h"

static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cv = PTHREAD_COND_INITIALIZER;
static bool hold;

int ftruncate(int fd, off_t len)
{
	pthread_mutex_lock(&hold_lock);
	while (hold)
		pthread_cond_wait(&hold_cv, &hold_lock);
	pthread_mutex_unlock(&hold_lock);
	return (int)syscall(SYS_ftruncate, fd, len);
}

static void release(void)
{
	pthread_mutex_lock(&hold_lock);
	hold = false;
	pthread_cond_broadcast(&hold_cv);
	pthread_mutex_unlock(&hold_lock);
}

static off_t size_of(const char *path)
{
	struct stat st;

	test_assert(stat(path, &st) == 0);
	return st.st_size;
}

int main(void)
{
	char dir[] = "/tmp/rg-iolane-XXXXXX";
	char a[64], b[64], got[16] = { 0 };
	struct rg_iolane *l;
	int fa, fb, i;

	test_assert(mkdtemp(dir) != NULL);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	fa = open(a, O_RDWR | O_APPEND | O_CREAT | O_TRUNC, 0600);  /* as the log is */
	test_assert(fa >= 0 && write(fa, "xxxx", 4) == 4);
	l = rg_iolane_new("write", a);
	test_assert(l != NULL);

	/* A write that cuts a (to 2 bytes) first: the cut hangs, the caller gives up. */
	hold = true;
	errno = 0;
	test_assert(rg_iolane_run(l, RG_IOLANE_WRITE, fa, 2, "data", 4) == -1 && errno == ETIMEDOUT);
	test_assert(rg_iolane_stuck(l));
	/* further jobs fail at once */
	test_assert(rg_iolane_run(l, RG_IOLANE_WRITE, fa, -1, "more", 4) == -1 && errno == ETIMEDOUT);

	/* The caller closes its fd; the number comes back for another file. */
	test_assert(close(fa) == 0);
	fb = open(b, O_RDWR | O_APPEND | O_CREAT | O_TRUNC, 0600);
	test_assert(fb == fa);

	release();
	for (i = 0; i < 500 && rg_iolane_stuck(l); i++)
		usleep(10000);
	test_assert(!rg_iolane_stuck(l));

	/* the late job finished on a, as given; b is untouched */
	test_assert(size_of(b) == 0);
	test_assert(size_of(a) == 6);
	fa = open(a, O_RDONLY);
	test_assert(fa >= 0 && read(fa, got, sizeof(got)) == 6);
	test_str_eq(got, "xxdata");

	/* the lane works again */
	test_assert(rg_iolane_run(l, RG_IOLANE_WRITE, fb, -1, "ok", 2) == 0);
	test_assert(size_of(b) == 2);
	test_assert(rg_iolane_free(l));
	close(fa);
	close(fb);
	unlink(a);
	unlink(b);
	rmdir(dir);
	return 0;
}
