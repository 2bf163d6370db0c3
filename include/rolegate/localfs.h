#ifndef ROLEGATE_LOCALFS_H
#define ROLEGATE_LOCALFS_H

/*
 * Whether a path is on a filesystem that answers lstat from this host
 * alone (ext4, xfs, btrfs, tmpfs, overlay...), by the mount table
 * (/proc/self/mountinfo, read again when the kernel says it changed). The
 * host view (plugin/hostfs.c) calls lstat and readlink there directly, and
 * sends everything else (NFS, CIFS, FUSE, autofs, a type it does not know,
 * a table it cannot read) to its watched helper threads: a hand-off per
 * call cost a create's decision half its throughput with 8 connections.
 * Thread-safe.
 */

#include <stdbool.h>

/* path: absolute and clean (hostfs.h). *mount: the kernel's id of the
 * mount path is on (mountinfo's first field), -1 when not known. */
bool rg_localfs(const char *path, long *mount);

#endif
