#ifndef ROLEGATE_TEST_FAKEFS_H
#define ROLEGATE_TEST_FAKEFS_H

/*
 * A host filesystem made of a table, for tests and fuzzers that link rbac/
 * alone (hostfs.h): no real file is looked at. Each entry is one path and
 * what lstat says of it; every proper prefix of an entry's path is a
 * directory (so only leaves need listing), "/" is a directory, anything
 * else does not exist (ENOENT, or ENOTDIR below a non-directory).
 *
 * Not modelled: a path through a symbolic link (the kernel would follow it;
 * the engine resolves links itself and should never ask). Such a lookup
 * fails with EIO and is counted in `unmodelled`, which a test checks is 0.
 * Not thread-safe (the counters); tests and fuzzers run one thread.
 */

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "rolegate/hostfs.h"

struct fakefs_entry {
	const char *path;     /* absolute, clean */
	mode_t mode;          /* S_IFDIR, S_IFREG, S_IFLNK, S_IFBLK, S_IFCHR, S_IFIFO, S_IFSOCK */
	const char *target;   /* S_IFLNK: the link's text */
	nlink_t nlink;        /* 0 reads as 1 */
	int err;              /* non-zero: lstat of this path, or below it, fails with it */
};

struct fakefs {
	struct fakefs_entry *v;   /* owned copies */
	size_t n;
	unsigned long lstats, readlinks, unmodelled;
};

/* Adds the entries of table[0..n) (copied). Exits on out of memory. */
void fakefs_load(struct fakefs *f, const struct fakefs_entry *table, size_t n);

/* Adds one entry whose path is a printf format (target copied too). */
void fakefs_add(struct fakefs *f, mode_t mode, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The last entry added: to set nlink or err after fakefs_add. */
struct fakefs_entry *fakefs_last(struct fakefs *f);

/* The engine's view of f (borrows f). */
struct rg_fs fakefs_view(struct fakefs *f);

/* Frees what f holds; leaves it empty. */
void fakefs_free(struct fakefs *f);

#endif
