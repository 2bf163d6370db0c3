/*
 * A filesystem that never answers: a FUSE mount whose daemon never reads
 * /dev/fuse (no libfuse: the kernel's own mount). Every lookup under it
 * waits, as under an NFS hard mount whose server is gone. For
 * tests/hostile/hung-path.sh.
 *
 * usage: hangfs DIR   mounts at DIR, prints "ready", waits for SIGTERM or
 *                     SIGINT, then detaches the mount and closes the device
 *                     (which ends every waiting call with an error).
 * exit 77 when FUSE is not available.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char opts[128];
	sigset_t set;
	int fd, sig;

	if (argc != 2) {
		fprintf(stderr, "usage: hangfs DIR\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0) {
		perror("hangfs: /dev/fuse");
		return 77;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("hangfs", argv[1], "fuse.hangfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("hangfs: mount");
		return 77;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	umount2(argv[1], MNT_DETACH);
	close(fd);
	return 0;
}
