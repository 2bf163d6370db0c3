#ifndef ROLEGATE_POLICY_H
#define ROLEGATE_POLICY_H

/*
 * The loaded configuration (SPEC.md §3): plugin settings, identity sources,
 * roles with their constraints, audit settings. A policy is immutable once
 * loaded; the daemon shares it between threads with a reference count and
 * swaps in a fresh one on SIGHUP only when it loaded cleanly.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/errlist.h"
#include "rolegate/strv.h"

#define RG_DEFAULT_SOCKET "/run/docker/plugins/rolegate.sock"
#define RG_DEFAULT_MAX_BODY 4194304
#define RG_MAX_BODY_LIMIT (64 * 1024 * 1024)
#define RG_MAX_THREADS 256

/* A yes/no constraint: absent means not restricted. */
enum rg_tristate {
	RG_UNSET = -1,
	RG_NO = 0,
	RG_YES = 1,
};

enum rg_limit {
	RG_LIMIT_MEMORY = 1 << 0,
	RG_LIMIT_PIDS = 1 << 1,
	RG_LIMIT_CPU = 1 << 2,
};

/* SPEC.md §3 roles.*.constraints. A has_* flag of false means the key was
 * absent, i.e. the role is not restricted on it. */
struct rg_constraints {
	enum rg_tristate privileged;
	enum rg_tristate host_namespaces;
	enum rg_tristate devices;
	enum rg_tristate unconfined;
	bool has_capabilities;
	struct rg_strv capabilities;   /* upper case, without "CAP_" */
	bool has_bind_mounts;
	struct rg_strv bind_mounts;    /* absolute, normalized, no trailing '/' */
	bool has_registries;
	struct rg_strv registries;     /* as written, e.g. "docker.io/library" */
	bool has_require_limits;
	unsigned require_limits;       /* enum rg_limit bits */
	bool has_exec_user;
	struct rg_strv exec_user;      /* "name" allows, "!name" forbids */
};

struct rg_role {
	char *name;
	int line;
	struct rg_strv groups;
	struct rg_strv users;
	struct rg_strv allow;
	struct rg_strv deny;
	struct rg_constraints constraints;
};

struct rg_static_user {
	char *name;
	struct rg_strv groups;
};

struct rg_ldap_config {
	bool enabled;
	char *uri;
	bool starttls;
	char *ca_file;
	char *bind_dn;
	char *bind_password_file;
	char *user_base;
	char *user_filter;
	char *group_base;
	char *group_filter;
	char *group_name_attr;
	bool nested;
	int timeout_ms;
	int cache_ttl;
	int negative_ttl;
	int stale_ttl;
};

enum rg_sync {
	RG_SYNC_ALWAYS,
	RG_SYNC_BATCH,
	RG_SYNC_NONE,
};

enum rg_responses {
	RG_RESPONSES_ALL,
	RG_RESPONSES_MUTATING,
	RG_RESPONSES_NONE,
};

enum rg_on_error {
	RG_ON_ERROR_DENY,
	RG_ON_ERROR_ALLOW,
};

/* Hex digits of a policy revision. */
#define RG_POLICY_REVISION_LEN 12
/* Longest audit.checkpoint, in seconds (a day). */
#define RG_CHECKPOINT_MAX 86400

struct rg_audit_config {
	char *path;
	enum rg_sync sync;
	enum rg_responses responses;
	char *key_file;        /* "" = plain SHA-256 chain */
	bool syslog;
	enum rg_on_error on_error;
	int checkpoint;        /* seconds between syslog checkpoints; 0 = off */
};

struct rg_plugin_config {
	char *socket;
	char *socket_group;    /* "" = root only */
	size_t max_body;
	int threads;           /* 0 = one per core */
};

struct rg_policy {
	int refs;              /* managed by the daemon (atomic), 1 after load */
	char *path;
	struct rg_plugin_config plugin;
	char *unauthenticated; /* "" = deny requests without identity */
	struct rg_static_user *users;
	size_t nusers;
	struct rg_ldap_config ldap;
	struct rg_role *roles;
	size_t nroles;
	struct rg_audit_config audit;
	/* The first 12 hex digits of the SHA-256 of the file's bytes (SPEC.md
	 * §6 `policy`): which configuration decided. */
	char revision[RG_POLICY_REVISION_LEN + 1];
};

/*
 * Loads and validates the configuration at path. Returns a new policy (free
 * with rg_policy_free), or NULL with every problem appended to errs as
 * "FILE:LINE: message". Nothing outside the returned object is changed.
 */
struct rg_policy *rg_policy_load(const char *path, struct rg_errlist *errs);

/* Frees a policy. NULL-safe. */
void rg_policy_free(struct rg_policy *p);

/* The static groups of user (identity.users), or NULL when none listed. */
const struct rg_strv *rg_policy_static_groups(const struct rg_policy *p, const char *user);

/* Whether two LDAP settings are the same (a reload may then keep the cache). */
bool rg_ldap_config_equal(const struct rg_ldap_config *a, const struct rg_ldap_config *b);

/* Whether pattern (a glob over command names, '*' matching any run of
 * characters, dots included) matches command. */
bool rg_pattern_match(const char *pattern, const char *command);

#endif
