/*
 * What the LD_PRELOAD shims of the audit tests (failsync.c, durable.c)
 * share: they replace fdatasync() and fsync() and call the real ones.
 * Include after defining _GNU_SOURCE (RTLD_NEXT).
 */
#ifndef ROLEGATE_TEST_PRELOAD_H
#define ROLEGATE_TEST_PRELOAD_H

#include <dlfcn.h>

int fdatasync(int fd);
int fsync(int fd);

/* The real function; POSIX's way past ISO C's ban on object-to-function casts. */
static inline int (*real_fn(const char *name))(int)
{
	int (*fn)(int);

	*(void **)&fn = dlsym(RTLD_NEXT, name);
	return fn;
}

#endif
