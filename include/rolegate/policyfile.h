#ifndef ROLEGATE_POLICYFILE_H
#define ROLEGATE_POLICYFILE_H

/*
 * Reading the configuration file for the engine: rbac/ parses text it is
 * given (rg_policy_parse); the daemon and the commands read the file here,
 * once, so that the policy and its revision come from the same bytes.
 */

#include "rolegate/errlist.h"
#include "rolegate/policy.h"

/* Largest configuration file read (bytes): room for tens of thousands of
 * static users. */
#define RG_POLICY_FILE_MAX (64 * 1024 * 1024)

/*
 * Reads the configuration at path and parses it (rg_policy_parse). Returns
 * a new policy, or NULL with every problem in errs; a file that cannot be
 * read (missing, not a regular file, over RG_POLICY_FILE_MAX) is the one
 * error "PATH: cannot read the file: why", and sets
 * *unreadable (if not NULL): a runtime error (exit 2, SPEC.md §2), where
 * a file that reads but does not parse is an invalid one (exit 1).
 */
struct rg_policy *rg_policy_load(const char *path, struct rg_errlist *errs, bool *unreadable);

#endif
