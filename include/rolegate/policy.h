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
#include "rolegate/nameindex.h"
#include "rolegate/strv.h"

#define RG_DEFAULT_SOCKET "/run/docker/plugins/rolegate.sock"
#define RG_DEFAULT_MAX_BODY 4194304
#define RG_MAX_BODY_LIMIT (64 * 1024 * 1024)
#define RG_MAX_THREADS 256
#define RG_DEFAULT_STATE "/var/lib/rolegate/state"
#define RG_DEFAULT_LDAP_CACHE "/var/lib/rolegate/ldap.cache"
#define RG_DEFAULT_IDLE_TIMEOUT 300
#define RG_MAX_CONNECTIONS_LIMIT 1000000

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

/* SPEC.md §3 roles.*.constraints.owner: whose objects a role acts on (§4, ownership). */
enum rg_owner_scope {
	RG_OWNER_ANY = 0,      /* absent: any object */
	RG_OWNER_SELF,         /* "self": objects this user created */
	RG_OWNER_ROLE,         /* "role": objects created under this role */
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
	/* Image provenance and networks (SPEC.md §3, §4; docs/constraints.md). */
	enum rg_tristate pinned_images; /* RG_YES: images only as name@sha256:... */
	char *approved_images;         /* absolute path of the approved-digests file, or NULL */
	int approved_images_line;      /* where approved_images is set, for check's FILE:LINE */
	bool has_networks;
	struct rg_strv networks;       /* globs over network names a container may join */
	bool has_network_drivers;
	struct rg_strv network_drivers; /* drivers network create may use ("" = "bridge") */
	enum rg_owner_scope owner;
	/* Issue 14: settings that reach past the container. */
	bool has_max_limits;
	long long max_memory;          /* bytes; 0 = memory not bounded */
	long long max_pids;            /* 0 = PIDs not bounded */
	double max_cpus;               /* 0 = CPUs not bounded */
	bool has_runtimes;
	struct rg_strv runtimes;       /* OCI runtime names ("" always fine) */
	enum rg_tristate cgroup_parent;  /* false: no custom cgroup parent */
	bool has_sysctls;
	struct rg_strv sysctls;        /* names, or "prefix.*" */
	bool has_log_drivers;
	struct rg_strv log_drivers;    /* log driver names ("" always fine) */
	bool has_image_targets;
	struct rg_strv image_targets;  /* repository prefixes local names may take */
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
	char *cache_file;      /* answers kept across restarts; "" = memory only */
	int uri_line;          /* where uri, bind_password_file and cache_file are set (0 = absent), */
	int bind_password_file_line; /* for the checks that need libldap or the file system */
	int cache_file_line;
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
	int key_file_line;     /* where key_file is set (0 = absent) */
	bool syslog;
	enum rg_on_error on_error;
	int checkpoint;        /* seconds between syslog checkpoints; 0 = off */
};

struct rg_plugin_config {
	char *socket;
	char *socket_group;    /* "" = root only */
	int socket_group_line; /* where socket_group is set (0 = absent), for the group check */
	size_t max_body;
	int threads;           /* 0 = one per core */
	char *state;           /* directory of the ownership state (§4) */
	int max_connections;   /* 0 = derived from the open-file limit */
	int idle_timeout;      /* seconds an idle connection is kept */
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
	int roles_line;        /* where roles is set (0 = absent) */
	struct rg_audit_config audit;

	/* Built by rg_policy_parse, so that neither loading nor a decision walks
	 * every user or role (100 000 users, 10 000 roles): */
	struct rg_name_index user_index;       /* identity.users: name -> index into users */
	struct rg_name_index role_user_index;  /* roles.*.users: name -> role indices, ascending */
	struct rg_name_index role_group_index; /* roles.*.groups: name -> role indices, ascending */
	/* The first 12 hex digits of the SHA-256 of the file's bytes (SPEC.md
	 * §6 `policy`): which configuration decided. */
	char revision[RG_POLICY_REVISION_LEN + 1];
};

/*
 * Parses and validates the configuration text[0..len) (not necessarily
 * NUL-terminated), read from path: path only names the file in messages and
 * in p->path, nothing is read from it (the daemon reads it,
 * rolegate/policyfile.h). The revision is that of these bytes. Returns a new
 * policy (free with rg_policy_free), or NULL with every problem appended to
 * errs (file, line, message), sorted by line. Nothing outside the returned
 * object is changed. An @include in the text is the one exception to "no
 * I/O": libconfig opens the included file itself.
 */
struct rg_policy *rg_policy_parse(const char *text, size_t len, const char *path,
		struct rg_errlist *errs);

/* Frees a policy. NULL-safe. */
void rg_policy_free(struct rg_policy *p);

/* The static groups of user (identity.users), or NULL when none listed. */
const struct rg_strv *rg_policy_static_groups(const struct rg_policy *p, const char *user);

/*
 * The roles that apply to user or any of groups (roles naming the user in
 * users, or naming one of the groups), as indices into p->roles in config
 * order, without duplicates. Returns their number (0 with *out NULL when
 * none), or -1 when out of memory. Free *out with free(). Its cost depends
 * on the caller's groups and roles, not on the size of the policy.
 */
long rg_policy_roles_for(const struct rg_policy *p, const char *user, const struct rg_strv *groups,
		size_t **out);

/*
 * Copies src into dst, strings included, for a holder that outlives the
 * policy src belongs to (the LDAP client is kept across reloads that leave
 * the settings alone). Returns 0, or -1 when out of memory with dst empty.
 * Free with rg_ldap_config_clear.
 */
int rg_ldap_config_copy(struct rg_ldap_config *dst, const struct rg_ldap_config *src);

/* Frees the strings of c and sets them to NULL. */
void rg_ldap_config_clear(struct rg_ldap_config *c);

/* Whether two LDAP settings are the same (a reload may then keep the cache). */
bool rg_ldap_config_equal(const struct rg_ldap_config *a, const struct rg_ldap_config *b);

/* Whether pattern (a glob over command names, '*' matching any run of
 * characters, dots included) matches command. */
bool rg_pattern_match(const char *pattern, const char *command);

#endif
