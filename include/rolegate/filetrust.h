#ifndef ROLEGATE_FILETRUST_H
#define ROLEGATE_FILETRUST_H

/*
 * Who may change what rolegate obeys. Whoever can write the configuration
 * or an approved-images list decides who may do what on Docker, that is,
 * holds root on the host: such a file must be owned by root or by the user
 * rolegate runs as and not be writable by group or others, and so must
 * the directory it is in (a rename into it replaces the file), unless the
 * directory is sticky, as /tmp is: there no one replaces a file they do
 * not own.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Whether st (of path: "the file", "the directory" in what) may be trusted; else err says why. */
bool rg_filetrust_ok(const char *path, const struct stat *st, const char *what, char *err,
		size_t errlen);

/*
 * The same for path itself and its directory, by stat(2), and for the
 * directory of the file a symbolic link leads to (realpath(3)); a path that
 * cannot be examined is err.
 */
bool rg_filetrust_path(const char *path, char *err, size_t errlen);

#endif
