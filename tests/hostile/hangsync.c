/*
 * hangsync.so: an LD_PRELOAD fault injector for tests/hostile/hung-disk.sh.
 * While the file named by $RG_HANGSYNC exists, fdatasync() and fsync() do
 * not return, as on a disk that has stopped answering (a dead iSCSI path, a
 * storage controller reset); once it is removed they go on to the real
 * ones. A flag file holding "fsync" hangs fsync() only (rolegate's
 * compaction; the journal's fdatasync goes on). A hung disk is hard to make otherwise, and it is where a daemon
 * that syncs in the wrong thread stops serving.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../audit/preload.h"

/* Whether the flag file exists and hangs this call (fsync_call: fsync()). */
static int hangs(int fsync_call)
{
	const char *flag = getenv("RG_HANGSYNC");
	char what[16] = "";
	FILE *f;

	if (flag == NULL || (f = fopen(flag, "r")) == NULL)
		return 0;
	if (fgets(what, sizeof(what), f) == NULL)
		what[0] = '\0';
	fclose(f);
	return fsync_call || strncmp(what, "fsync", 5) != 0;
}

static void hang_while_flagged(int fsync_call)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };

	while (hangs(fsync_call))
		nanosleep(&tick, NULL);
}

int fdatasync(int fd)
{
	int (*real)(int) = real_fn("fdatasync");

	hang_while_flagged(0);
	return real != NULL ? real(fd) : -1;
}

int fsync(int fd)
{
	int (*real)(int) = real_fn("fsync");

	hang_while_flagged(1);
	return real != NULL ? real(fd) : -1;
}
