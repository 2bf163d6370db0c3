#ifndef ROLEGATE_CONFIG_H
#define ROLEGATE_CONFIG_H

/*
 * The one validation (SPEC.md §4, "Configuration changes"): what `rolegate
 * check` accepts is what `serve` accepts at start and on reload (SIGHUP),
 * because all three call rg_config_load(). On top of the schema checks of
 * rg_policy_parse() (rbac/, pure; the file read by rg_policy_load(),
 * rolegate/policyfile.h) it makes the checks that need the host:
 *
 *   - the file is not empty and defines at least one role: an empty or
 *     truncated file (an editor or a deployment tool cut short) would
 *     otherwise deny every request, or worse, reload as such;
 *   - every LDAP URI parses with libldap (ldap_is_ldap_url, ldap_url_parse),
 *     with scheme ldap, ldaps or ldapi;
 *   - unless RG_CONFIG_OFFLINE: bind_password_file and key_file are read
 *     through rg_secret_read() (owner, mode, size), and the LDAP client is
 *     built once (its TLS context, hence ca_file) and thrown away;
 *   - unless RG_CONFIG_OFFLINE: plugin.socket_group names a group of this
 *     host (serve refuses to start otherwise).
 */

#include <stdbool.h>

#include "rolegate/errlist.h"
#include "rolegate/policy.h"

enum {
	RG_CONFIG_OFFLINE = 1 << 0,  /* skip the files on this host (check --offline) */
};

/*
 * Loads and validates path. Returns the policy, or NULL with every problem
 * in errs as "FILE:LINE: message" (or "FILE: message"). *runtime_error is set
 * when one of the problems is that a file could not be read at all (exit 2
 * for check) rather than that the configuration is wrong (exit 1).
 */
struct rg_policy *rg_config_load(const char *path, unsigned flags, struct rg_errlist *errs,
		bool *runtime_error);

#endif
