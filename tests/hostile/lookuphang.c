/*
 * A filesystem whose root answers and whose every name under it never
 * does: an NFS hard mount whose server went away after the root's
 * attributes were cached (each name is a LOOKUP of its own, and hangs). A
 * FUSE without libfuse: answers INIT and the root's GETATTR (cached a day),
 * never a LOOKUP. For tests/hostile/hung-names.sh.
 *
 * usage: lookuphang DIR   mounts at DIR, prints "ready", serves until
 *                         SIGTERM or SIGINT, then detaches the mount and
 *                         closes the device (every waiting call then fails).
 * exit 77 when FUSE is not available.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static const char *dir;
static int fd = -1;
static char buf[1 << 20];

static void end(int sig)
{
	(void)sig;
	umount2(dir, MNT_DETACH);
	close(fd);
	_exit(0);
}

static void reply(uint64_t unique, int err, const void *p, size_t n)
{
	char out[sizeof(struct fuse_out_header) + sizeof(struct fuse_init_out) + sizeof(struct fuse_attr_out)];
	struct fuse_out_header h = { .len = (uint32_t)(sizeof(h) + n), .error = err, .unique = unique };

	memcpy(out, &h, sizeof(h));
	if (n > 0)
		memcpy(out + sizeof(h), p, n);
	if (write(fd, out, h.len) < 0)
		perror("lookuphang: write");
}

int main(int argc, char **argv)
{
	char opts[128];

	if (argc != 2) {
		fprintf(stderr, "usage: lookuphang DIR\n");
		return 2;
	}
	dir = argv[1];
	if ((fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0) {
		perror("lookuphang: /dev/fuse");
		return 77;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd);
	if (mount("lookuphang", dir, "fuse.lookuphang", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("lookuphang: mount");
		return 77;
	}
	signal(SIGTERM, end);
	signal(SIGINT, end);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		struct fuse_in_header in;

		if (n < (ssize_t)sizeof(in))
			return 0;
		memcpy(&in, buf, sizeof(in));
		if (in.opcode == FUSE_INIT) {
			struct fuse_init_in ii;
			struct fuse_init_out o = { .major = FUSE_KERNEL_VERSION, .max_readahead = 65536,
				.max_write = 65536, .max_background = 16, .congestion_threshold = 12 };

			memcpy(&ii, buf + sizeof(in), sizeof(ii));
			o.minor = ii.minor < 31 ? ii.minor : 31;
			reply(in.unique, 0, &o, sizeof(o));
		} else if (in.opcode == FUSE_GETATTR && in.nodeid == FUSE_ROOT_ID) {
			struct fuse_attr_out o = { .attr_valid = 86400 };

			o.attr.ino = FUSE_ROOT_ID;
			o.attr.mode = 040755;
			o.attr.nlink = 2;
			o.attr.blksize = 4096;
			reply(in.unique, 0, &o, sizeof(o));
		} else if (in.opcode != FUSE_LOOKUP && in.opcode != FUSE_FORGET &&
		           in.opcode != FUSE_BATCH_FORGET && in.opcode != FUSE_INTERRUPT) {
			reply(in.unique, -ENOSYS, NULL, 0);
		}
		/* a LOOKUP is never answered */
	}
}
