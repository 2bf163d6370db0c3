#ifndef ROLEGATE_AUDIT_H
#define ROLEGATE_AUDIT_H

/*
 * The audit log writer (SPEC.md §6): appends one hash-chained record per
 * decision to audit.path, as durably as audit.sync asks, and optionally to
 * syslog. The record format and the chain are in audit_record.h.
 *
 * One writer per log: the file is locked (flock) while open, so a second
 * `rolegate serve` on the same log fails to open it instead of forking the
 * chain.
 */

#include <stddef.h>

#include "rolegate/audit_record.h"
#include "rolegate/policy.h"

struct rg_audit;

/*
 * Opens (creating with mode 0600, missing parent directories 0700) the log at
 * c->path for append, and recovers seq and the last hash from its tail. When
 * the log is missing or empty and "<path>.1" exists (logrotate renamed it
 * while rolegate was down), the chain continues from that file. A torn tail
 * (crash mid-write) is kept, terminated, and described by a "torn" system
 * record, so the chain continues after it. Loads the HMAC key from
 * c->key_file if set (see rg_audit_load_key). Opens syslog when c->syslog.
 * Returns NULL with err filled on failure (no log, no serve: fail closed).
 */
struct rg_audit *rg_audit_open(const struct rg_audit_config *c, char *err, size_t errlen);

/*
 * Appends one record. Thread-safe. Returns 0 once the record is as durable as
 * c->sync asks (always: fdatasync'd before returning; batch: group commit,
 * concurrent callers share one fdatasync and each returns only after its own
 * record is durable; none: written to the file), or -1 when it could not be
 * written or made durable (ENOSPC, EIO...); the caller then applies
 * audit.on_error. A failed write leaves no partial line: the file is cut back
 * to the last complete record, so appends succeed again when space returns.
 * Also notices a rename of the log (logrotate) and continues in a new file.
 */
int rg_audit_append(struct rg_audit *a, const struct rg_audit_entry *e);

/*
 * Reopens the path if the file there is not the one open (after logrotate
 * renamed it): the new file's first record is a "rotate" system record whose
 * prev is the old file's last hash, and seq continues. Called on SIGHUP.
 * Returns 0, or -1 (the old file stays open and in use).
 */
int rg_audit_reopen(struct rg_audit *a);

/* Flushes (fdatasync) and closes. NULL-safe. */
void rg_audit_close(struct rg_audit *a);

/*
 * Reads an HMAC key file: its bytes, less trailing "\n"/"\r\n", are the key.
 * Refuses a file that group or others may read or write, that is not a
 * regular file, or whose key is shorter than RG_AUDIT_KEY_MIN or longer than
 * RG_AUDIT_KEY_MAX bytes. Returns 0 with *key (free with free(); caller
 * should cleanse) and *keylen, or -1 with err filled.
 */
int rg_audit_load_key(const char *path, unsigned char **key, size_t *keylen, char *err,
		size_t errlen);

#endif
