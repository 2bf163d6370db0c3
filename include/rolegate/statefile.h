#ifndef ROLEGATE_STATEFILE_H
#define ROLEGATE_STATEFILE_H

/*
 * The text of the ownership state files (plugin.state, SPEC.md §3): one
 * JSON object per line. A file starts with a header line naming its kind
 * and generation, {"rolegate":"snapshot","gen":N} or
 * {"rolegate":"journal","gen":N}; every other line is one event
 * (ownership.h): {"op":"create","kind":"container","id":...,"name":...,
 * "user":...,"role":...,"created":T,"used":T,"binds":[...],"paths":[...],
 * "volumes":[...],"container":...,"driver":...,"opts":[...]},
 * {"op":"rename","kind":...,"id":...,"name":...}, {"op":"remove",...}.
 * A snapshot holds only creates (the whole state); a journal, the events
 * since the snapshot of the same generation.
 *
 * Text only, no I/O: the daemon writes the files (statefile_io.h) and reads
 * them (plugin/state.c).
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/ownership.h"

#define RG_STATEFILE_LINE_MAX (1024 * 1024)

/* One event as a line of JSON text ending in '\n' (free()); NULL when out of memory. */
char *rg_statefile_event_line(const struct rg_owner_event *ev);

/* The header line of a file of kind "snapshot" or "journal" (free()). */
char *rg_statefile_header(const char *kind, unsigned long gen);

/* Where rg_statefile_snapshot sends each line (line[0..len), ending in
 * '\n'); returns 0, or -1 to stop. */
typedef int (*rg_statefile_sink)(const char *line, size_t len, void *arg);

/*
 * The snapshot of o with generation gen, one line at a time into sink: the
 * header, then one create per object. Returns 0, or -1 when out of memory
 * or the sink returned -1 (no line is sent after that).
 */
int rg_statefile_snapshot(const struct rg_owners *o, unsigned long gen, rg_statefile_sink sink,
		void *arg);

struct rg_statefile_result {
	unsigned long gen;    /* the header's generation */
	bool stale;           /* a journal older than want_gen: nothing applied */
	bool torn;            /* the last line had no newline (a crash mid-write): dropped */
	size_t good_len;      /* bytes up to the end of the last complete line */
	size_t events;        /* events applied */
};

/*
 * Reads a whole state file text[0..len) of the given kind and applies its
 * events to o. For a journal, want_gen is the snapshot's generation: an
 * older journal is stale (nothing applied), a newer one an error; for a
 * snapshot want_gen is ignored. An empty text is an empty file of
 * generation want_gen. Returns 0, or -1 with err set to "line N: message"
 * (o may then hold part of the file: discard it).
 */
int rg_statefile_read(const char *text, size_t len, const char *kind, unsigned long want_gen,
		struct rg_owners *o, struct rg_statefile_result *res, char *err, size_t errlen);

#endif
