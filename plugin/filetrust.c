/* Who may change what rolegate obeys (rolegate/filetrust.h). */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rolegate/filetrust.h"

bool rg_filetrust_ok(const char *path, const struct stat *st, const char *what, char *err,
		size_t errlen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s %s is owned by uid %u; it must be owned by root or by the "
				"user rolegate runs as", what, path, (unsigned)st->st_uid);
		return false;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))) {
		snprintf(err, errlen, "%s %s is writable by group or others (mode %04o): chmod go-w %s",
				what, path, (unsigned)(st->st_mode & 07777), path);
		return false;
	}
	return true;
}

/* The directory of path (as named, not resolved) may be trusted. */
static bool dir_ok(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st) < 0) {
		snprintf(err, errlen, "cannot examine the directory of %s: %s", path, strerror(errno));
		return false;
	}
	return rg_filetrust_ok(dir, &st, "the directory", err, errlen);
}

bool rg_filetrust_path(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char real[PATH_MAX];

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "cannot examine %s: %s", path, strerror(errno));
		return false;
	}
	if (!rg_filetrust_ok(path, &st, "the file", err, errlen) || !dir_ok(path, err, errlen))
		return false;
	/*
	 * A symbolic link (the file, or a directory on the way) leads to the
	 * file that is read: whoever can write the directory it is in can
	 * replace it, whatever the link's own directory says.
	 */
	if (realpath(path, real) == NULL) {
		snprintf(err, errlen, "cannot resolve %s: %s", path, strerror(errno));
		return false;
	}
	return dir_ok(real, err, errlen);
}
