/*
 * The daemon's approved-images files (plugin/approvedfile.c): read on first
 * use, replaced by rename without a restart, refused while unusable (half
 * written, wrong mode or owner, missing, not a regular file), and read by
 * `check` with the same verdicts. Works in a private temporary directory.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rolegate/approvedfile.h"
#include "test.h"

#define A "sha256:d6a7cd2a7371b1a15d543196979ff74fdb027023ebf187d5d329be11055c77fd"
#define B "sha256:9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91"

static char dir[] = "/tmp/rg-approvedfile.XXXXXX";
static char path[256];

/* Writes text to a temporary file beside path and renames it over path, as
 * the documentation tells the pipeline to. */
static void replace(const char *text, mode_t mode)
{
	char tmp[300];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	test_assert(f != NULL);
	test_assert(fputs(text, f) >= 0);
	test_assert(fclose(f) == 0);
	test_assert(chmod(tmp, mode) == 0);
	test_assert(rename(tmp, path) == 0);
}

static enum rg_approved_answer ask(const struct rg_approved_source *src, const char *ref,
		char *why, size_t whylen)
{
	struct rg_imageref img;
	const char *err;

	test_assert(rg_imageref_parse(ref, &img, &err) == 0);
	why[0] = '\0';
	return src->lookup(src->arg, path, &img, why, whylen);
}

static enum rg_approvedfile_status read_status(char *err, size_t errlen)
{
	struct rg_errlist errs = { 0 };
	struct rg_approved *a = NULL;
	enum rg_approvedfile_status rc = rg_approvedfile_read(path, &a, &errs, err, errlen);

	test_assert((rc == RG_APPROVEDFILE_OK) == (a != NULL));
	test_assert((rc == RG_APPROVEDFILE_MALFORMED) == !rg_errlist_empty(&errs));
	rg_approved_free(a);
	rg_errlist_free(&errs);
	return rc;
}

/* Lookups from several threads while the file is replaced under them: every
 * version is valid, so no lookup may find it unusable. */
static atomic_bool stop;
static atomic_int unusable, answered;

static void *asker(void *arg)
{
	const struct rg_approved_source *src = arg;
	char why[512];

	while (!atomic_load(&stop)) {
		if (ask(src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE) {
			if (atomic_fetch_add(&unusable, 1) == 0)
				fprintf(stderr, "unusable: %s\n", why);
		}
		atomic_fetch_add(&answered, 1);
	}
	return NULL;
}

static void test_concurrent(const struct rg_approved_source *src)
{
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		test_assert(pthread_create(&t[i], NULL, asker, (void *)src) == 0);
	for (int i = 0; i < 300; i++)
		replace(i % 2 ? "# odd\n" A "\n" : "# even\n" B "\n", 0644);
	atomic_store(&stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	test_assert(atomic_load(&answered) > 0);
	test_assert(atomic_load(&unusable) == 0);
}

int main(void)
{
	struct rg_approvedfile *f = rg_approvedfile_new(false);
	struct rg_approved_source src;
	char why[512], err[512];

	test_assert(f != NULL);
	test_assert(mkdtemp(dir) != NULL);
	test_assert(chmod(dir, 0755) == 0);
	snprintf(path, sizeof(path), "%s/approved", dir);
	rg_approvedfile_source(f, &src);

	/* missing: every image refused, with the reason */
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE);
	test_assert(strstr(why, "No such file or directory") != NULL);
	test_assert(read_status(err, sizeof(err)) == RG_APPROVEDFILE_UNREADABLE);

	/* the first version approves A */
	replace("# v1\n" A "\n", 0644);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_YES);
	test_assert(ask(&src, "busybox@" B, why, sizeof(why)) == RG_APPROVED_NO);
	test_assert(read_status(err, sizeof(err)) == RG_APPROVEDFILE_OK);

	/* replaced by rename: the next lookup sees B, and A is gone */
	replace("# v2\nbusybox@" B "\n", 0644);
	test_assert(ask(&src, "busybox@" B, why, sizeof(why)) == RG_APPROVED_YES);
	test_assert(ask(&src, "docker.io/library/busybox:1@" B, why, sizeof(why)) == RG_APPROVED_YES);
	test_assert(ask(&src, "localhost:5000/busybox@" B, why, sizeof(why)) == RG_APPROVED_NO);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_NO);

	/* caught half-written: malformed, everything refused, even what was approved */
	replace(A "\nbusybox@sha256:9d75", 0644);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE);
	test_assert(strstr(why, "approved:2: the last line does not end with a newline") != NULL);
	test_assert(read_status(err, sizeof(err)) == RG_APPROVEDFILE_MALFORMED);
	/* ... until it parses again */
	replace(A "\nbusybox@" B "\n", 0644);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_YES);

	/* writable by others: anyone could approve an image */
	test_assert(chmod(path, 0666) == 0);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE);
	test_assert(strstr(why, "is writable by group or others (mode 0666)") != NULL);
	test_assert(read_status(err, sizeof(err)) == RG_APPROVEDFILE_UNSAFE);
	test_assert(chmod(path, 0644) == 0);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_YES);

	/* a directory others may write: the file could be renamed over */
	test_assert(chmod(dir, 0777) == 0);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE);
	test_assert(strstr(why, "the directory") != NULL);
	test_assert(read_status(err, sizeof(err)) == RG_APPROVEDFILE_UNSAFE);
	test_assert(chmod(dir, 0755) == 0);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_YES);

	/* owned by someone else (only root can give a file away) */
	if (geteuid() == 0) {
		test_assert(chown(path, 4242, 4242) == 0);
		test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE);
		test_assert(strstr(why, "is owned by uid 4242") != NULL);
		test_assert(read_status(err, sizeof(err)) == RG_APPROVEDFILE_UNSAFE);
		test_assert(chown(path, 0, 0) == 0);
	}

	/* not a regular file: a FIFO must not hang the daemon */
	test_assert(unlink(path) == 0);
	test_assert(mkfifo(path, 0644) == 0);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE);
	test_assert(strstr(why, "is not a regular file") != NULL);
	test_assert(read_status(err, sizeof(err)) == RG_APPROVEDFILE_UNSAFE);
	test_assert(unlink(path) == 0);

	/* (While one thread reads a changed file, the others answer from the
	 * state before the change: bring it up to date first.) */
	replace(A "\n", 0644);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_YES);
	test_concurrent(&src);

	/* removed: refused again */
	test_assert(unlink(path) == 0);
	test_assert(ask(&src, "busybox@" A, why, sizeof(why)) == RG_APPROVED_UNUSABLE);

	/* without a set of files there is nothing to ask */
	rg_approvedfile_source(NULL, &src);
	test_assert(src.lookup == NULL);

	rg_approvedfile_free(f);
	test_assert(rmdir(dir) == 0);
	printf("approvedfile: ok\n");
	return 0;
}
