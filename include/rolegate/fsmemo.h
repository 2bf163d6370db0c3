#ifndef ROLEGATE_FSMEMO_H
#define ROLEGATE_FSMEMO_H

/*
 * One decision's view of the host filesystem (hostfs.h), remembered: a
 * create's bind is resolved by the constraint check, the record's details
 * and the ownership checks, each asking lstat of the same components, and
 * the daemon answers each in a helper thread (plugin/hostfs.c). The memo
 * asks once per path and decision, and the whole decision sees one answer
 * per path. Pure: the answers come from the view it wraps.
 */

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "rolegate/hostfs.h"

#define RG_FSMEMO_ENTRIES 32       /* paths remembered; more are asked each time */

struct rg_fsmemo_entry {
	char *path;
	int lstat_err;             /* -1: lstat not asked yet */
	struct stat st;
	ssize_t link_len;          /* -2: readlink not asked yet */
	size_t link_cap;           /* the buffer it was asked with */
	char *link;
};

struct rg_fsmemo {
	struct rg_fs fs;           /* the view to hand on: answers from the memo */
	const struct rg_fs *under; /* the view it asks */
	struct rg_fsmemo_entry e[RG_FSMEMO_ENTRIES];
	size_t n;
};

/* Starts a memo over under (may be NULL: then rg_fsmemo_view is NULL too). */
void rg_fsmemo_init(struct rg_fsmemo *m, const struct rg_fs *under);

/* The memo's view, or NULL when it wraps none. */
const struct rg_fs *rg_fsmemo_view(struct rg_fsmemo *m);

void rg_fsmemo_clear(struct rg_fsmemo *m);

#endif
