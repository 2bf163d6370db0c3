/*
 * Host path resolution (rbac/hostpath.c) as decision tables over a fake
 * host (fakefs.h): what the kernel's walk of a path reaches, and whether a
 * bind_mounts root may mount it. No real file is looked at, so a block
 * device node or an unreadable directory needs no root to set up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rolegate/hostpath.h"
#include "fakefs.h"
#include "test.h"

#define ROOT "/srv/projects"

/* The fake host. Directories above each entry exist implicitly. */
static const struct fakefs_entry host_table[] = {
	{ .path = ROOT "/app", .mode = S_IFDIR },
	{ .path = ROOT "/app/file", .mode = S_IFREG },
	{ .path = ROOT "/app/hardlink", .mode = S_IFREG, .nlink = 2 },   /* ln /etc/shadow */
	{ .path = ROOT "/app/blk", .mode = S_IFBLK },    /* mknod by a container with MKNOD */
	{ .path = ROOT "/app/chr", .mode = S_IFCHR },
	{ .path = ROOT "/app/fifo", .mode = S_IFIFO },
	{ .path = ROOT "/app/sock", .mode = S_IFSOCK },
	{ .path = ROOT "/app/private", .mode = S_IFDIR, .err = EACCES },  /* lstat fails below it */
	{ .path = ROOT "/app/gone", .mode = S_IFREG, .err = EIO },
	{ .path = ROOT "/escape", .mode = S_IFLNK, .target = "/" },
	{ .path = ROOT "/rel", .mode = S_IFLNK, .target = "../.." },
	{ .path = ROOT "/link", .mode = S_IFLNK, .target = "/srv/outside/deep" },
	{ .path = ROOT "/inner", .mode = S_IFLNK, .target = "app" },
	{ .path = ROOT "/blklink", .mode = S_IFLNK, .target = "app/blk" },
	{ .path = ROOT "/loop1", .mode = S_IFLNK, .target = "loop2" },
	{ .path = ROOT "/loop2", .mode = S_IFLNK, .target = "loop1" },
	{ .path = ROOT "/self", .mode = S_IFLNK, .target = "self/x" },
	{ .path = ROOT "/unreadable", .mode = S_IFLNK, .target = NULL },   /* readlink fails */
	{ .path = ROOT "/x", .mode = S_IFDIR },
	{ .path = "/srv/outside/deep", .mode = S_IFDIR },
	{ .path = "/srv/projects-secret", .mode = S_IFDIR },
	{ .path = "/etc/shadow", .mode = S_IFREG },
};

static struct fakefs host;
static struct rg_fs view;
static unsigned cases;

/* rg_hostpath_resolve: where the walk ends (want), or NULL and a phrase of the error. */
static const struct {
	const char *path, *want, *err;
} resolve_cases[] = {
	{ "/", "/", NULL },
	{ ROOT "/app/file", ROOT "/app/file", NULL },
	/* links: absolute (from "/"), relative (from the link's directory) */
	{ ROOT "/escape/etc/shadow", "/etc/shadow", NULL },
	{ ROOT "/inner/file", ROOT "/app/file", NULL },
	{ ROOT "/rel/etc", "/etc", NULL },
	/* ".." after a link climbs from its target, not from the link */
	{ ROOT "/link/../x/y", "/srv/outside/x/y", NULL },
	{ ROOT "/escape/etc/../usr", "/usr", NULL },
	{ ROOT "/inner/../x", ROOT "/x", NULL },
	/* ".." at "/" stays at "/" */
	{ "/../../etc", "/etc", NULL },
	/* relative paths are walked from "/", dockerd's working directory */
	{ "srv/projects/inner/file", ROOT "/app/file", NULL },
	{ "etc/../srv", "/srv", NULL },
	/* past a missing component, the rest is appended as written */
	{ ROOT "/new/escape/../y", ROOT "/new/y", NULL },
	{ ROOT "/app/file/x", ROOT "/app/file/x", NULL },          /* ENOTDIR: missing */
	/* refused: loops, a component that cannot be examined, a link that
	 * cannot be read */
	{ ROOT "/loop1", NULL, "too many levels of symbolic links" },
	{ ROOT "/self", NULL, "too many levels of symbolic links" },
	{ ROOT "/app/private/x", NULL, "a component of the path cannot be examined" },
	{ ROOT "/app/private", NULL, "a component of the path cannot be examined" },
	{ ROOT "/app/gone", NULL, "a component of the path cannot be examined" },
	{ ROOT "/unreadable/x", NULL, "a symbolic link in the path cannot be read" },
};

/* rg_hostpath_check under bind_mounts = [ROOT]: the verdict, and what
 * shown (OUTSIDE, SPECIAL) or *errstr (ERROR, SPECIAL) must contain. */
static const struct {
	const char *path;
	enum rg_hostpath_verdict want;
	const char *shown, *err;
} check_cases[] = {
	{ ROOT, RG_HOSTPATH_ALLOWED, ROOT, NULL },
	{ ROOT "/app", RG_HOSTPATH_ALLOWED, ROOT "/app", NULL },
	{ ROOT "/app/new/dir", RG_HOSTPATH_ALLOWED, ROOT "/app/new/dir", NULL },
	{ ROOT "/app/file", RG_HOSTPATH_ALLOWED, ROOT "/app/file", NULL },
	{ ROOT "/inner/file", RG_HOSTPATH_ALLOWED, ROOT "/app/file", NULL },
	{ "srv/projects/app", RG_HOSTPATH_ALLOWED, ROOT "/app", NULL },
	{ ROOT "//app/./", RG_HOSTPATH_ALLOWED, ROOT "/app", NULL },
	/* outside: by spelling, by a link, by ".." after a link */
	{ "/srv", RG_HOSTPATH_OUTSIDE, "/srv", NULL },
	{ "/srv/projects-secret", RG_HOSTPATH_OUTSIDE, "/srv/projects-secret", NULL },
	{ ROOT "/../projects-secret", RG_HOSTPATH_OUTSIDE, "/srv/projects-secret", NULL },
	{ ROOT "/escape", RG_HOSTPATH_OUTSIDE, "/", NULL },
	{ ROOT "/rel/etc", RG_HOSTPATH_OUTSIDE, "/etc", NULL },
	{ ROOT "/link/../x", RG_HOSTPATH_OUTSIDE, "/srv/outside/x", NULL },
	/* inside, but not a directory or a file with one name */
	{ ROOT "/app/blk", RG_HOSTPATH_SPECIAL, ROOT "/app/blk", "a block device node" },
	{ ROOT "/blklink", RG_HOSTPATH_SPECIAL, ROOT "/app/blk", "a block device node" },
	{ ROOT "/app/../app/chr", RG_HOSTPATH_SPECIAL, ROOT "/app/chr", "a character device node" },
	{ ROOT "/app/fifo", RG_HOSTPATH_SPECIAL, ROOT "/app/fifo", "a FIFO" },
	{ ROOT "/app/sock", RG_HOSTPATH_SPECIAL, ROOT "/app/sock", "a socket" },
	{ ROOT "/app/hardlink", RG_HOSTPATH_SPECIAL, ROOT "/app/hardlink", "other hard links" },
	/* cannot be judged: refused */
	{ ROOT "/loop2/x", RG_HOSTPATH_ERROR, NULL, "too many levels of symbolic links" },
	{ ROOT "/app/private/x", RG_HOSTPATH_ERROR, NULL, "cannot be examined" },
	{ ROOT "/unreadable", RG_HOSTPATH_ERROR, NULL, "cannot be read" },
};

static void test_resolve(void)
{
	for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
		char out[RG_HOSTPATH_MAX];
		const char *err = NULL;
		int r = rg_hostpath_resolve(&view, resolve_cases[i].path, out, sizeof(out), &err);

		cases++;
		if (resolve_cases[i].want != NULL) {
			if (r != 0)
				test_fail("resolve %s: %s", resolve_cases[i].path, err);
			if (strcmp(out, resolve_cases[i].want) != 0)
				test_fail("resolve %s: %s, want %s", resolve_cases[i].path, out,
						resolve_cases[i].want);
		} else if (r == 0) {
			test_fail("resolve %s: %s, want an error", resolve_cases[i].path, out);
		} else if (err == NULL || strstr(err, resolve_cases[i].err) == NULL) {
			test_fail("resolve %s: error \"%s\" lacks \"%s\"", resolve_cases[i].path,
					err != NULL ? err : "(null)", resolve_cases[i].err);
		}
	}
}

static void test_check(void)
{
	struct rg_strv roots = { 0 };

	test_assert(rg_strv_push(&roots, ROOT "/") == 0);   /* roots are cleaned */
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		char shown[RG_HOSTPATH_MAX];
		const char *err = NULL;
		enum rg_hostpath_verdict v = rg_hostpath_check(&view, &roots, check_cases[i].path, shown,
				sizeof(shown), &err);

		cases++;
		if (v != check_cases[i].want)
			test_fail("check %s: verdict %d, want %d (%s)", check_cases[i].path, (int)v,
					(int)check_cases[i].want, err != NULL ? err : shown);
		if (check_cases[i].shown != NULL && strcmp(shown, check_cases[i].shown) != 0)
			test_fail("check %s: shown %s, want %s", check_cases[i].path, shown, check_cases[i].shown);
		if (check_cases[i].err != NULL && (err == NULL || strstr(err, check_cases[i].err) == NULL))
			test_fail("check %s: error \"%s\" lacks \"%s\"", check_cases[i].path,
					err != NULL ? err : "(null)", check_cases[i].err);
	}
	rg_strv_free(&roots);
}

/* No view of the host (or half of one): every path is refused, none allowed. */
static void test_no_view(void)
{
	const struct rg_fs half = { .lstat = view.lstat, .readlink = NULL, .arg = view.arg };
	const struct rg_fs *views[] = { NULL, &half };
	struct rg_strv roots = { 0 };
	char out[RG_HOSTPATH_MAX];
	const char *err;

	test_assert(rg_strv_push(&roots, "/") == 0);
	for (size_t i = 0; i < 2; i++) {
		err = NULL;
		test_assert(rg_hostpath_resolve(views[i], "/", out, sizeof(out), &err) < 0);
		test_assert(err != NULL && strstr(err, "cannot be examined") != NULL);
		err = NULL;
		test_assert(rg_hostpath_check(views[i], &roots, ROOT "/app", out, sizeof(out), &err) ==
				RG_HOSTPATH_ERROR);
		test_str_eq(err, "the host's filesystem cannot be examined: no view of it was given");
		cases += 2;
	}
	rg_strv_free(&roots);
}

/*
 * The walk is bounded: 40 links of 400 lookups each are refused after
 * RG_HOSTPATH_MAX_STEPS, not ground through (docs/redteam-round2.md), and
 * the lookups the fake counted stay near the cap; one such link is walked.
 */
static void test_step_cap(void)
{
	char target[4096], path[1024], out[RG_HOSTPATH_MAX];
	const char *err = NULL;
	struct fakefs slow = { 0 };
	struct rg_fs slow_view;

	fakefs_load(&slow, host_table, sizeof(host_table) / sizeof(host_table[0]));
	target[0] = '\0';
	for (int i = 0; i < 400; i++)
		strcat(target, i == 0 ? "x/.." : "/x/..");
	fakefs_add(&slow, S_IFLNK, target, ROOT "/slow");
	slow_view = fakefs_view(&slow);

	snprintf(path, sizeof(path), ROOT "/slow/app");
	test_assert(rg_hostpath_resolve(&slow_view, path, out, sizeof(out), &err) == 0);
	test_str_eq(out, ROOT "/app");
	snprintf(path, sizeof(path), ROOT);
	for (int i = 0; i < 40; i++)
		strcat(path, "/slow");
	slow.lstats = 0;
	test_assert(rg_hostpath_resolve(&slow_view, path, out, sizeof(out), &err) < 0);
	test_assert(strstr(err, "too many steps") != NULL);
	/* each lstat costs at least one step: never more lookups than the cap */
	test_assert(slow.lstats > 0 && slow.lstats <= RG_HOSTPATH_MAX_STEPS);
	test_assert(slow.unmodelled == 0);
	fakefs_free(&slow);
	cases += 3;
}

/* A link whose target fills the buffer may have been cut: refused. */
static void test_long_target(void)
{
	static char target[RG_HOSTPATH_MAX + 1];
	struct fakefs f = { 0 };
	struct rg_fs v;
	char out[RG_HOSTPATH_MAX];
	const char *err = NULL;

	memset(target, 'a', RG_HOSTPATH_MAX);
	fakefs_add(&f, S_IFLNK, target, ROOT "/long");
	v = fakefs_view(&f);
	test_assert(rg_hostpath_resolve(&v, ROOT "/long", out, sizeof(out), &err) < 0);
	test_assert(strstr(err, "cannot be read") != NULL);
	fakefs_free(&f);
	cases++;
}

int main(void)
{
	fakefs_load(&host, host_table, sizeof(host_table) / sizeof(host_table[0]));
	view = fakefs_view(&host);
	test_resolve();
	test_check();
	test_no_view();
	test_step_cap();
	test_long_target();
	/* hostpath.c never asked the fake through a symbolic link */
	test_assert(host.unmodelled == 0);
	fakefs_free(&host);
	printf("hostpath: %u cases passed\n", cases);
	return 0;
}
