#ifndef ROLEGATE_HOSTPATH_H
#define ROLEGATE_HOSTPATH_H

/*
 * Host paths that a request asks dockerd to mount (the bind_mounts
 * constraint, SPEC.md §3). What gets mounted is decided by the kernel's
 * walk of the path, not by its spelling: symlinks are followed, and a ".."
 * after a symlink climbs from the link's target. So a path is judged by
 * where that walk ends on this host: the part that exists is resolved one
 * component at a time with lstat/readlink, as the kernel does, and the part
 * that does not exist yet is appended lexically.
 *
 * The filesystem is read only through the view fs (hostfs.h) the caller
 * passes: the daemon's is the host's (it must see the same one as dockerd),
 * a test's a table. A NULL fs resolves nothing: every path is an error,
 * never allowed. Nothing is changed. A symlink swapped in after the
 * decision (between container create and start) is not seen: see
 * docs/constraints.md.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/hostfs.h"
#include "rolegate/strv.h"

#define RG_HOSTPATH_MAX 4096
#define RG_HOSTPATH_MAX_LINKS 40   /* the kernel's MAXSYMLINKS */
/*
 * The most path components one walk may look up (the sum, over its lstat
 * calls, of the depth examined). A symlink planted in an allowed directory
 * can make each of its 40 expansions thousands of lookups; a real path takes
 * a few hundred. Beyond this the walk is refused, so one request cannot hold
 * a server thread (docs/redteam-round2.md).
 */
#define RG_HOSTPATH_MAX_STEPS 4096

/*
 * Go's path.Clean for a path taken as absolute (a relative path is read from
 * "/", dockerd's working directory): "//" collapsed, "." and ".." resolved
 * lexically, no trailing '/'. Returns 0, or -1 when out is too small.
 */
int rg_hostpath_clean(const char *path, char *out, size_t outlen);

/*
 * Resolves path the way the kernel walks it (a relative path from "/") and
 * writes the result, absolute and clean, into out. Returns 0, or -1 with
 * *errstr (static, plain words) when the walk cannot be completed: a symlink
 * loop, a result longer than outlen, a component that cannot be examined,
 * a NULL fs.
 */
int rg_hostpath_resolve(const struct rg_fs *fs, const char *path, char *out, size_t outlen,
		const char **errstr);

/* Whether the clean absolute path lies under root (clean, absolute),
 * matching whole components: "/srv/a" is under "/srv" and "/srv/a", not
 * under "/srv/ab"; everything is under "/". */
bool rg_hostpath_under(const char *path, const char *root);

enum rg_hostpath_verdict {
	RG_HOSTPATH_ALLOWED,
	RG_HOSTPATH_OUTSIDE,   /* lands outside every root */
	RG_HOSTPATH_ERROR,     /* could not be resolved: deny */
	RG_HOSTPATH_SPECIAL,   /* inside, but names a device node, socket or FIFO */
};

/*
 * Whether the host path `path`, as a request names it, lands under one of
 * roots (bind_mounts entries; compared as written, never resolved, since a
 * user may own a directory inside a root). Both readings are judged, and
 * both must land inside: the path dockerd cleans first (binds) and the raw
 * path the kernel gets as is (volume devices). On OUTSIDE, shown holds the
 * resolved path that landed outside; on ERROR, *errstr says why. A path
 * inside that names something other than a directory or a regular file (a
 * block or character device node, a socket, a FIFO: a container with the
 * default MKNOD capability can make a block node in a directory it shares
 * with the host), or a regular file with other hard links, is SPECIAL:
 * shown holds it, *errstr names what it is. A NULL fs is ERROR.
 */
enum rg_hostpath_verdict rg_hostpath_check(const struct rg_fs *fs, const struct rg_strv *roots,
		const char *path, char *shown, size_t shownlen, const char **errstr);

#endif
