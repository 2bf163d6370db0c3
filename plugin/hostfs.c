/*
 * The daemon's view of the host filesystem (hostfs.h): the real lstat and
 * readlink, answered as the kernel answers them now. rolegate must run in
 * dockerd's mount namespace for this to be the filesystem dockerd mounts
 * from (SPEC.md §1: both run on the host).
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rolegate/hostfs.h"

static int host_lstat(void *arg, const char *path, struct stat *st)
{
	(void)arg;
	if (lstat(path, st) == 0)
		return 0;
	/* errno is never 0 after a failure, but a 0 here would read as success. */
	return errno != 0 ? errno : EIO;
}

static ssize_t host_readlink(void *arg, const char *path, char *buf, size_t len)
{
	(void)arg;
	return readlink(path, buf, len);
}

const struct rg_fs rg_fs_host = {
	.lstat = host_lstat,
	.readlink = host_readlink,
	.arg = NULL,
};
