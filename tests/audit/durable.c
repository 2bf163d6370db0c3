/*
 * durable.so: an LD_PRELOAD probe for the crash-loss test. Around each
 * fdatasync() or fsync() of a regular file it appends to the file named by
 * $RG_DURABLE_LOG "B INODE START TID" before the call and, when it
 * succeeded, "E INODE SIZE START END TID" after: SIZE is the file's size
 * when the flush began (every byte below it was on disk when the call
 * returned), START and END the call's CLOCK_REALTIME in µs, TID the thread.
 * A "B" without its "E" is a flush still running (or failed) at the end. A power cut loses
 * the rest; the test simulates one by cutting the log after kill -9 at the
 * largest SIZE recorded for its inode (the page cache, which survives kill
 * -9, would otherwise hide what was never flushed).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "preload.h"

static long long realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One line to out, with one write(2) (O_APPEND: lines of threads never mix). */
static void note(const char *out, const char *line, int n)
{
	int o = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (o < 0)
		return;
	if (write(o, line, (size_t)n) != n) {
		/* nothing to do: the test reads a missing line as a flush it did not see */
	}
	close(o);
}

static int flush(const char *name, int fd)
{
	int (*real)(int) = real_fn(name);
	const char *out = getenv("RG_DURABLE_LOG");
	unsigned long tid = (unsigned long)pthread_self();
	char line[160];
	struct stat st;
	long long t0;
	int r, ok, n;

	if (real == NULL)
		return -1;
	ok = out != NULL && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	t0 = realtime_us();
	if (ok) {
		n = snprintf(line, sizeof(line), "B %llu %lld %lu\n", (unsigned long long)st.st_ino,
				t0, tid);
		note(out, line, n);
	}
	r = real(fd);
	if (r == 0 && ok) {
		n = snprintf(line, sizeof(line), "E %llu %lld %lld %lld %lu\n",
				(unsigned long long)st.st_ino, (long long)st.st_size, t0, realtime_us(), tid);
		note(out, line, n);
	}
	return r;
}

int fdatasync(int fd)
{
	return flush("fdatasync", fd);
}

int fsync(int fd)
{
	return flush("fsync", fd);
}
