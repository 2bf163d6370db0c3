#ifndef ROLEGATE_DETAILS_H
#define ROLEGATE_DETAILS_H

/*
 * The `details` of a record (SPEC.md §6): what a request asks dockerd to
 * apply that an auditor wants to find later ("who ran a privileged
 * container", "who mounted /srv"), read from the decoded request the way
 * the constraints read it. Pure: bind paths are resolved through req->fs
 * (hostpath.h), as the bind_mounts check does, and written as given where
 * they cannot be (a NULL fs).
 */

#include <jansson.h>

#include "rolegate/request.h"

/*
 * The details of req: a new object holding, each only when set, image,
 * entrypoint and cmd (what a container, an exec or a service runs),
 * privileged, binds (host paths as resolved), volumes, caps, devices,
 * network, pid, ipc, userns, user, security_opt, runtime and limits
 * ({"memory": BYTES, "pids": N, "cpus": X}); lists are arrays. NULL when
 * the command carries none of them, its body cannot be read, or out of
 * memory: a record without details, never a failed decision.
 *
 * A list of more than RG_AUDIT_LIST_MAX entries, or a value longer than
 * RG_AUDIT_FIELD_MAX (audit_record.h), is cut, and "cut" lists the keys
 * that were: rg_details_cut() says so.
 */
json_t *rg_details_of(struct rg_request *req);

/*
 * NULL when details (rg_details_of) hold all the request asks for; else
 * the keys that were cut, as one string ("binds, cmd") in buf. A mutating
 * request whose details are cut is refused (engine.c): its record could not
 * say what it does.
 */
const char *rg_details_cut(const json_t *details, char *buf, size_t len);

#endif
