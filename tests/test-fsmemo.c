/* One decision's view of the host, remembered (rbac/fsmemo.c): each path is
 * asked once; a link target that filled the first buffer is asked again. */
#include <errno.h>
#include <string.h>

#include "rolegate/fsmemo.h"
#include "test.h"

static int lstats, readlinks;

static int count_lstat(void *arg, const char *path, struct stat *st)
{
	(void)arg;
	lstats++;
	if (strcmp(path, "/missing") == 0)
		return ENOENT;
	memset(st, 0, sizeof(*st));
	st->st_mode = strcmp(path, "/link") == 0 ? S_IFLNK | 0777 : S_IFDIR | 0755;
	return 0;
}

static ssize_t count_readlink(void *arg, const char *path, char *buf, size_t len)
{
	const char *target = "/a/long/target";
	size_t n = strlen(target) < len ? strlen(target) : len;

	(void)arg;
	(void)path;
	readlinks++;
	memcpy(buf, target, n);
	return (ssize_t)n;
}

int main(void)
{
	const struct rg_fs under = { .lstat = count_lstat, .readlink = count_readlink, .arg = NULL };
	struct rg_fsmemo m;
	const struct rg_fs *fs;
	struct stat st;
	char buf[64];

	rg_fsmemo_init(&m, NULL);
	test_assert(rg_fsmemo_view(&m) == NULL);
	rg_fsmemo_init(&m, &under);
	fs = rg_fsmemo_view(&m);
	test_assert(fs != NULL);
	for (int i = 0; i < 3; i++) {
		test_assert(fs->lstat(fs->arg, "/srv", &st) == 0 && S_ISDIR(st.st_mode));
		test_assert(fs->lstat(fs->arg, "/missing", &st) == ENOENT);
	}
	test_assert(lstats == 2);
	/* a cut target (it filled the buffer) is asked again with a larger one */
	test_assert(fs->readlink(fs->arg, "/link", buf, 4) == 4);
	test_assert(fs->readlink(fs->arg, "/link", buf, sizeof(buf)) == 14);
	test_assert(memcmp(buf, "/a/long/target", 14) == 0);
	if (readlinks != 2) test_fail("readlinks %d", readlinks);
	rg_fsmemo_clear(&m);
	rg_fsmemo_init(&m, &under);
	fs = rg_fsmemo_view(&m);
	test_assert(fs->readlink(fs->arg, "/link", buf, sizeof(buf)) == 14);
	test_assert(fs->readlink(fs->arg, "/link", buf, sizeof(buf)) == 14);
	test_assert(readlinks == 3);
	/* past RG_FSMEMO_ENTRIES paths, each is asked every time */
	for (int i = 0; i < RG_FSMEMO_ENTRIES + 4; i++) {
		char p[32];

		snprintf(p, sizeof(p), "/p%d", i);
		test_assert(fs->lstat(fs->arg, p, &st) == 0);
		test_assert(fs->lstat(fs->arg, p, &st) == 0);
	}
	test_assert(lstats == 2 + (RG_FSMEMO_ENTRIES - 1) + 2 * 5);
	rg_fsmemo_clear(&m);
	printf("fsmemo: ok\n");
	return 0;
}
