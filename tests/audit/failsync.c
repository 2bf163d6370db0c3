/*
 * failsync.so: an LD_PRELOAD fault injector for the audit tests. While the
 * file named by $RG_FAILSYNC exists, fdatasync() and fsync() fail with EIO,
 * as on a disk that has started to fail; otherwise they are the real ones.
 * A full disk is easy to make (tests/audit/diskfull.sh); a failing flush is
 * not, short of device-mapper, and this is the path where a plugin could
 * answer before its record is safe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "preload.h"

static int failing(void)
{
	const char *flag = getenv("RG_FAILSYNC");

	return flag != NULL && access(flag, F_OK) == 0;
}

/* The real name(fd), or EIO while the flag file exists. */
static int flush(const char *name, int fd)
{
	int (*real)(int) = real_fn(name);

	if (failing() || real == NULL) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}

int fdatasync(int fd)
{
	return flush("fdatasync", fd);
}

int fsync(int fd)
{
	return flush("fsync", fd);
}
