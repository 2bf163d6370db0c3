#ifndef ROLEGATE_LDAP_H
#define ROLEGATE_LDAP_H

/*
 * The LDAP client (directory/ldap.c) that the directory cache (directory.h)
 * asks. One lookup: find the user's entry (user_base, user_filter with %u),
 * then its groups (group_base, group_filter with %d = the user's DN and %u =
 * the user name), then, when nested is set, the groups those groups belong
 * to, breadth first. Every value put into a filter is escaped with libldap's
 * ldap_bv2escaped_filter_value().
 *
 * Connections are opened lazily, kept in a small pool (one lookup uses one
 * connection at a time, so no lock is held during network I/O), and reopened
 * after the server drops them. URIs are tried in the configured order; one
 * that just failed to connect is tried after the others for
 * RG_LDAP_URI_HOLDOFF seconds. Every operation, connect included, is bounded
 * by timeout_ms.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/policy.h"
#include "rolegate/strv.h"

/* Nested groups are followed at most this many levels above the direct ones. */
#define RG_LDAP_MAX_DEPTH 8
/* A user's group list is cut at this many groups (a warning says so). */
#define RG_LDAP_MAX_GROUPS 1024
/* Group DNs put into one nested-group search filter. */
#define RG_LDAP_FILTER_BATCH 16
/* Connections kept open at most (one per concurrent lookup). */
#define RG_LDAP_MAX_CONNS 8
/* A connection idle for longer is reopened before use: firewalls forget
 * idle TCP connections without telling either end. */
#define RG_LDAP_IDLE_MAX 60
/* A URI that failed to connect is tried last for this many seconds. */
#define RG_LDAP_URI_HOLDOFF 30
/* Largest bind password file accepted, in bytes. */
#define RG_LDAP_SECRET_MAX 1024
/* Longest group name or DN accepted from the directory, in bytes. */
#define RG_LDAP_VALUE_MAX 4096

enum rg_ldap_status {
	RG_LDAP_FOUND,        /* the user exists; groups filled (possibly none) */
	RG_LDAP_NO_USER,      /* the directory has no such user */
	RG_LDAP_UNREACHABLE,  /* no answer: connect, TLS, bind, timeout, server down or busy */
	RG_LDAP_FAILED,       /* the directory answered with an error (two entries for
	                       * the user, a bad filter, a missing base...) */
};

struct rg_ldap;

/*
 * Creates a client for c. Reads the bind password file (see
 * rg_directory_new), validates the URIs and filters; does not connect.
 * Returns NULL with a message in err on failure.
 */
struct rg_ldap *rg_ldap_new(const struct rg_ldap_config *c, char *err, size_t errlen);

/*
 * Looks user up. On RG_LDAP_FOUND, groups receives the group names, sorted
 * and without duplicates (groups must be empty on entry; on any other status
 * it is left empty). detail receives a one-line diagnostic for the log when
 * something failed or was cut short (server, operation, libldap's message),
 * and "" otherwise; it never holds the password. Thread-safe.
 */
enum rg_ldap_status rg_ldap_lookup(struct rg_ldap *l, const char *user, struct rg_strv *groups,
		char *detail, size_t detaillen);

/*
 * Reads the bind password file again (the same checks as rg_ldap_new):
 * connections opened from now on bind with what it holds now. Returns 0
 * (also without a bind_dn), or -1 with a message in err, the old password
 * then staying in use. Thread-safe.
 */
int rg_ldap_reread_secret(struct rg_ldap *l, char *err, size_t errlen);

/* Connections opened so far (the first ones and every reconnect). */
unsigned long rg_ldap_connects(struct rg_ldap *l);

/* Closes all connections, wipes the password, frees l. NULL-safe. */
void rg_ldap_free(struct rg_ldap *l);

/*
 * Whether uri is one URI libldap parses (ldap_is_ldap_url, ldap_url_parse)
 * with scheme ldap, ldaps or ldapi. `rolegate check` and the client use
 * this one test (rolegate/config.h).
 */
bool rg_ldap_uri_valid(const char *uri);

/*
 * Whether s[0..len) is a usable name: non-empty, at most max bytes, valid
 * UTF-8, no control characters (C0, DEL, C1). Used for user names before
 * they reach a filter and for group names read from the directory.
 */
bool rg_ldap_name_valid(const char *s, size_t len, size_t max);

#endif
