#ifndef ROLEGATE_APPROVEDFILE_H
#define ROLEGATE_APPROVEDFILE_H

/*
 * The daemon's copies of the approved-images files (approved_images,
 * SPEC.md §3): read on first use, re-read when the file changed (one
 * stat(2) per lookup: a rename, the documented update, gives a new inode),
 * and handed to the engine through struct rg_approved_source. serve,
 * explain and test share this code, so they read a file alike; check uses
 * rg_approvedfile_check().
 *
 * A file that cannot be used (missing, unreadable, wrong owner or mode,
 * too large, malformed) refuses every image to the roles that name it, and
 * is logged at LOG_ERR: once when it becomes unusable, then at most once
 * every RG_APPROVEDFILE_LOG_INTERVAL seconds while it stays so.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/approved.h"
#include "rolegate/errlist.h"
#include "rolegate/policy.h"

/* Largest approved-images file read (about 150 000 named entries). */
#define RG_APPROVEDFILE_MAX (16 * 1024 * 1024)
#define RG_APPROVEDFILE_LOG_INTERVAL 60

struct rg_approvedfile;

/* A new, empty set of files; log_reads: also log each successful read at
 * LOG_INFO (serve; explain and test stay quiet). Returns NULL when out of
 * memory. */
struct rg_approvedfile *rg_approvedfile_new(bool log_reads);

/* Frees the set. NULL-safe. No lookup may be running. */
void rg_approvedfile_free(struct rg_approvedfile *f);

/* Fills src with lookups answered from f (valid while f lives). */
void rg_approvedfile_source(struct rg_approvedfile *f, struct rg_approved_source *src);

/* Reads every approved_images file p names now, so that a problem is
 * logged when serve starts or reloads rather than at the first request. */
void rg_approvedfile_preload(struct rg_approvedfile *f, const struct rg_policy *p);

enum rg_approvedfile_status {
	RG_APPROVEDFILE_OK = 0,
	RG_APPROVEDFILE_MALFORMED = 1,   /* read; lines in errs */
	RG_APPROVEDFILE_UNSAFE = 2,      /* wrong type, owner or mode; err says which */
	RG_APPROVEDFILE_UNREADABLE = 3,  /* cannot be opened or read; err says why */
};

/*
 * Reads path as serve reads it (`rolegate check`). On success *a (may be
 * NULL when not wanted) holds the parsed list. MALFORMED appends each bad
 * line to errs as "PATH:LINE: message"; UNSAFE and UNREADABLE write one
 * message naming the file to err.
 */
enum rg_approvedfile_status rg_approvedfile_read(const char *path, struct rg_approved **a,
		struct rg_errlist *errs, char *err, size_t errlen);

#endif
