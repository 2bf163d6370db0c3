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
 * privileged, binds (host paths as resolved), volumes, caps, devices,
 * network, pid, ipc, userns, user, security_opt, runtime and limits
 * ({"memory": BYTES, "pids": N, "cpus": X}); lists are arrays. NULL when
 * the command carries none of them, its body cannot be read, or out of
 * memory: a record without details, never a failed decision.
 */
json_t *rg_details_of(struct rg_request *req);

#endif
