#ifndef ROLEGATE_CACHEFILE_H
#define ROLEGATE_CACHEFILE_H

/*
 * The directory's answers on disk (identity.ldap.cache_file), so that a
 * restart during an LDAP outage locks out nobody the cache knew. The file
 * format: JSON lines, a header {"rolegate-ldap-cache":1} and then one
 * {"user":..., "negative":bool, "groups":[...], "fetched":MS} per answer,
 * fetched in milliseconds since the epoch (wall clock: it must mean the same
 * after a reboot). Used by directory/dircache.c (rolegate/directory.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rolegate/strv.h"

struct rg_cached_answer {
	char *user;
	bool negative;             /* the directory said "no such user" */
	struct rg_strv groups;
	int64_t fetched;           /* ms since the epoch */
};

/*
 * Reads path. A missing file is 0 answers. The file must be a regular file
 * owned by the user rolegate runs as, with no access for group or others
 * (whoever can write it could give themselves any group); otherwise, and
 * when it is larger than max_bytes or not in the format above, returns -1
 * with err set and nothing read. Entries with an invalid user or group name
 * are skipped. Returns 0 with *out (free with rg_cached_answers_free) and *n.
 */
int rg_cachefile_read(const char *path, size_t max_bytes, struct rg_cached_answer **out, size_t *n,
		char *err, size_t errlen);

/*
 * Writes the n answers to path atomically: a temporary file beside it (mode
 * 0600), fsync, rename over path, fsync of the directory. Creates the
 * directory (0700) when it is missing. Returns 0, or -1 with err set (path
 * is then as it was).
 */
int rg_cachefile_write(const char *path, const struct rg_cached_answer *a, size_t n,
		char *err, size_t errlen);

void rg_cached_answers_free(struct rg_cached_answer *a, size_t n);

#endif
