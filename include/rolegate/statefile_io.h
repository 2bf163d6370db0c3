#ifndef ROLEGATE_STATEFILE_IO_H
#define ROLEGATE_STATEFILE_IO_H

/*
 * The daemon's side of the ownership state files (statefile.h formats the
 * text; this writes it). Lives in plugin/: rbac/ does no I/O.
 */

#include "rolegate/ownership.h"

/* Writes a snapshot of o to fd with generation gen (rg_statefile_snapshot's
 * lines, each written whole across short writes). Returns 0, or -1 with
 * errno set (ENOMEM when out of memory). Does not sync. */
int rg_statefile_write_snapshot(int fd, const struct rg_owners *o, unsigned long gen);

#endif
