/*
 * durable.so: an LD_PRELOAD probe for the crash-loss test. After each
 * fdatasync() or fsync() that succeeds it appends "INODE SIZE START END" to
 * the file named by $RG_DURABLE_LOG, SIZE being the file's size when the
 * flush began (every byte below it was on disk when the call returned),
 * START and END the call's CLOCK_REALTIME in µs. A power cut loses
 * the rest; the test simulates one by cutting the log after kill -9 at the
 * largest SIZE recorded for its inode (the page cache, which survives kill
 * -9, would otherwise hide what was never flushed).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int fdatasync(int fd);
int fsync(int fd);

/* The real function; POSIX's way past ISO C's ban on object-to-function casts. */
static int (*real_fn(const char *name))(int)
{
	int (*fn)(int);

	*(void **)&fn = dlsym(RTLD_NEXT, name);
	return fn;
}

static long long realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int flush(const char *name, int fd)
{
	int (*real)(int) = real_fn(name);
	const char *out = getenv("RG_DURABLE_LOG");
	struct stat st;
	long long t0;
	int r, ok, o;

	if (real == NULL)
		return -1;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	t0 = realtime_us();
	r = real(fd);
	if (r == 0 && ok && out != NULL && (o = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		char line[128];
		int n = snprintf(line, sizeof(line), "%llu %lld %lld %lld\n",
				(unsigned long long)st.st_ino, (long long)st.st_size, t0, realtime_us());

		if (write(o, line, (size_t)n) != n) {
			/* nothing to do: the test reads a missing line as an older, smaller size */
		}
		close(o);
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
