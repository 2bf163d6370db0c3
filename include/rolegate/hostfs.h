#ifndef ROLEGATE_HOSTFS_H
#define ROLEGATE_HOSTFS_H

/*
 * The engine's view of the host filesystem: the two questions host path
 * resolution (hostpath.h) asks, and nothing else. rbac/ does no I/O; the
 * daemon passes the real lstat/readlink (plugin/hostfs.c, rg_fs_host), and
 * tests and fuzzers a table of their own (tests/fakefs.c). The view is
 * reached through rg_request.fs; NULL there means "no view", and every
 * host path is then refused, never allowed.
 *
 * Both functions must be safe to call from several threads at once (serve
 * decides calls in parallel) and must not change anything.
 */

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct rg_fs {
	/*
	 * lstat(2) of path (absolute, clean: no ".", "..", "//" or trailing
	 * '/'). Fills st (the engine reads st_mode and st_nlink) and returns 0,
	 * or returns the errno value: ENOENT and ENOTDIR say the path does not
	 * exist (dockerd will create it), anything else that it cannot be
	 * examined (the path is refused).
	 */
	int (*lstat)(void *arg, const char *path, struct stat *st);
	/*
	 * readlink(2) of path (as for lstat; a symbolic link): writes up to len
	 * bytes of the target into buf, not NUL-terminated, and returns how
	 * many; -1 when it cannot be read. A return of len means the target may
	 * have been cut (the engine refuses it).
	 */
	ssize_t (*readlink)(void *arg, const char *path, char *buf, size_t len);
	void *arg;             /* passed to both, as is */
};

/*
 * The host's own filesystem, as the daemon (and explain, test, the stand-in
 * daemon: they decide as serve does) sees it: lstat(2) and readlink(2).
 * Defined in plugin/hostfs.c; rbac/ never names it, so tests and fuzzers
 * that link rbac/ alone cannot reach the real filesystem by accident.
 */
extern const struct rg_fs rg_fs_host;

#endif
