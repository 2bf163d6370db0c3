/*
 * Writing the ownership state files (statefile_io.h): the text comes from
 * rbac/statefile.c, the write(2) calls are made here.
 */
#include <errno.h>
#include <unistd.h>

#include "rolegate/statefile.h"
#include "rolegate/statefile_io.h"

struct out {
	int fd;
	int err;   /* errno of the write that failed, or 0 */
};

/* Writes all of buf, across short writes and EINTR. */
static int write_line(const char *buf, size_t len, void *arg)
{
	struct out *o = arg;

	while (len > 0) {
		ssize_t n = write(o->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->err = n < 0 ? errno : EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int rg_statefile_write_snapshot(int fd, const struct rg_owners *o, unsigned long gen)
{
	struct out out = { .fd = fd, .err = 0 };

	if (rg_statefile_snapshot(o, gen, write_line, &out) == 0)
		return 0;
	/* No write failed: rbac ran out of memory formatting a line. */
	errno = out.err != 0 ? out.err : ENOMEM;
	return -1;
}
