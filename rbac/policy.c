/*
 * Configuration loading (SPEC.md §3). Every key is checked against a schema:
 * unknown keys, wrong types and bad values are errors, reported all at once as
 * "FILE:LINE: message". The result is a fresh, immutable struct rg_policy.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>
#include <openssl/evp.h>

#include "rolegate/policy.h"
#include "rolegate/route.h"

enum kind {
	K_STRING,
	K_INT,
	K_BOOL,
	K_STRINGS,   /* array or list of strings */
	K_GROUP,
	K_LIST,      /* list of groups */
};

struct key {
	const char *name;
	enum kind kind;
};

struct loader {
	const char *path;
	struct rg_errlist *errs;
};

static const char *kind_name(enum kind k)
{
	switch (k) {
	case K_STRING: return "a string";
	case K_INT: return "an integer";
	case K_BOOL: return "true or false";
	case K_STRINGS: return "a list of strings";
	case K_GROUP: return "a group { ... }";
	case K_LIST: return "a list ( { ... }, ... )";
	}
	return "?";
}

static const char *file_of(const struct loader *l, const config_setting_t *s)
{
	const char *f = config_setting_source_file(s);

	return f != NULL ? f : l->path;
}

static void err(const struct loader *l, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err(const struct loader *l, const config_setting_t *s, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_errlist_add(l->errs, "%s:%d: %s", file_of(l, s), config_setting_source_line(s), msg);
}

static bool has_kind(const config_setting_t *s, enum kind k)
{
	int t = config_setting_type(s);

	switch (k) {
	case K_STRING: return t == CONFIG_TYPE_STRING;
	case K_INT: return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
	case K_BOOL: return t == CONFIG_TYPE_BOOL;
	case K_GROUP: return t == CONFIG_TYPE_GROUP;
	case K_LIST: return t == CONFIG_TYPE_LIST;
	case K_STRINGS:
		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			return false;
		for (int i = 0; i < config_setting_length(s); i++) {
			if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) != CONFIG_TYPE_STRING)
				return false;
		}
		return true;
	}
	return false;
}

/* The full name of a setting, for messages ("roles.dev.allow", "identity.users[1].groups"). */
static const char *full_name(const config_setting_t *s, char *buf, size_t len)
{
	char parts[16][80];
	size_t n = 0, off = 0;

	for (; s != NULL && config_setting_parent(s) != NULL && n < 16; s = config_setting_parent(s)) {
		if (config_setting_name(s) != NULL)
			snprintf(parts[n++], sizeof(parts[0]), ".%s", config_setting_name(s));
		else
			snprintf(parts[n++], sizeof(parts[0]), "[%d]", config_setting_index(s));
	}
	buf[0] = '\0';
	while (n-- > 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s", parts[n] + (off == 0 && parts[n][0] == '.'));
	return buf;
}

/*
 * Checks every child of group against keys: unknown names and wrong kinds are
 * errors. Returns the number of problems found.
 */
static int check_keys(const struct loader *l, const config_setting_t *group, const struct key *keys)
{
	int bad = 0;
	char name[256];

	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *c = config_setting_get_elem(group, (unsigned)i);
		const struct key *k;

		for (k = keys; k->name != NULL; k++) {
			if (strcmp(k->name, config_setting_name(c)) == 0)
				break;
		}
		if (k->name == NULL) {
			err(l, c, "unknown setting '%s'", full_name(c, name, sizeof(name)));
			bad++;
		} else if (!has_kind(c, k->kind)) {
			err(l, c, "'%s' must be %s", full_name(c, name, sizeof(name)), kind_name(k->kind));
			bad++;
		}
	}
	return bad;
}

/* Typed getters: the kind was checked by check_keys, so a mismatch means absent. */
static const config_setting_t *child(const config_setting_t *g, const char *name, enum kind k)
{
	const config_setting_t *c;

	if (g == NULL)
		return NULL;
	c = config_setting_get_member(g, name);
	return (c != NULL && has_kind(c, k)) ? c : NULL;
}

static int get_string(const config_setting_t *g, const char *name, const char *def, char **out)
{
	const config_setting_t *c = child(g, name, K_STRING);

	*out = strdup(c != NULL ? config_setting_get_string(c) : def);
	return *out != NULL ? 0 : -1;
}

static bool get_bool(const config_setting_t *g, const char *name, bool def)
{
	const config_setting_t *c = child(g, name, K_BOOL);

	return c != NULL ? config_setting_get_bool(c) != 0 : def;
}

static enum rg_tristate get_tristate(const config_setting_t *g, const char *name)
{
	const config_setting_t *c = child(g, name, K_BOOL);

	if (c == NULL)
		return RG_UNSET;
	return config_setting_get_bool(c) ? RG_YES : RG_NO;
}

/* Copies a list of strings; returns whether the key was present. */
static bool get_strings(const struct loader *l, const config_setting_t *g, const char *name,
		struct rg_strv *out)
{
	const config_setting_t *c = child(g, name, K_STRINGS);

	if (c == NULL)
		return false;
	for (int i = 0; i < config_setting_length(c); i++) {
		if (rg_strv_push(out, config_setting_get_string_elem(c, i)) < 0)
			err(l, c, "out of memory");
	}
	return true;
}

/* Checks an integer setting's range; returns the value or def when absent. */
static long long get_ranged(const struct loader *l, const config_setting_t *g, const char *name,
		long long def, long long min, long long max)
{
	const config_setting_t *c = child(g, name, K_INT);
	long long v;
	char buf[256];

	if (c == NULL)
		return def;
	v = config_setting_get_int64(c);
	if (v < min || v > max) {
		err(l, c, "'%s' must be between %lld and %lld", full_name(c, buf, sizeof(buf)), min, max);
		return def;
	}
	return v;
}

/* Maps a string setting onto an enum through a NULL-terminated name list. */
static int get_enum(const struct loader *l, const config_setting_t *g, const char *name,
		const char *const *names, int def)
{
	const config_setting_t *c = child(g, name, K_STRING);
	const char *v;
	char buf[256], choices[256];
	size_t off = 0;

	if (c == NULL)
		return def;
	v = config_setting_get_string(c);
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], v) == 0)
			return i;
		off += (size_t)snprintf(choices + off, sizeof(choices) - off, "%s\"%s\"",
				i > 0 ? ", " : "", names[i]);
	}
	err(l, c, "'%s' must be one of %s, not \"%s\"", full_name(c, buf, sizeof(buf)), choices, v);
	return def;
}

static const struct key plugin_keys[] = {
	{ "socket", K_STRING }, { "socket_group", K_STRING }, { "max_body", K_INT },
	{ "threads", K_INT }, { NULL, K_STRING },
};

static void load_plugin(const struct loader *l, const config_setting_t *g, struct rg_plugin_config *pc)
{
	const config_setting_t *c;

	if (g != NULL)
		check_keys(l, g, plugin_keys);
	if (get_string(g, "socket", RG_DEFAULT_SOCKET, &pc->socket) < 0 ||
	    get_string(g, "socket_group", "", &pc->socket_group) < 0)
		rg_errlist_add(l->errs, "%s: out of memory", l->path);
	if ((c = child(g, "socket", K_STRING)) != NULL && pc->socket[0] != '/')
		err(l, c, "'plugin.socket' must be an absolute path");
	pc->max_body = (size_t)get_ranged(l, g, "max_body", RG_DEFAULT_MAX_BODY, 0, RG_MAX_BODY_LIMIT);
	pc->threads = (int)get_ranged(l, g, "threads", 0, 0, RG_MAX_THREADS);
}

static const struct key user_keys[] = {
	{ "name", K_STRING }, { "groups", K_STRINGS }, { NULL, K_STRING },
};

static const struct key ldap_keys[] = {
	{ "uri", K_STRING }, { "starttls", K_BOOL }, { "ca_file", K_STRING },
	{ "bind_dn", K_STRING }, { "bind_password_file", K_STRING },
	{ "user_base", K_STRING }, { "user_filter", K_STRING },
	{ "group_base", K_STRING }, { "group_filter", K_STRING },
	{ "group_name_attr", K_STRING }, { "nested", K_BOOL }, { "timeout_ms", K_INT },
	{ "cache_ttl", K_INT }, { "negative_ttl", K_INT }, { "stale_ttl", K_INT },
	{ NULL, K_STRING },
};

static void load_ldap(const struct loader *l, const config_setting_t *g, struct rg_ldap_config *lc)
{
	static const char *const required[] = { "uri", "user_base", "group_base", NULL };
	int bad = 0;

	lc->enabled = g != NULL;
	if (g != NULL)
		check_keys(l, g, ldap_keys);
	for (int i = 0; g != NULL && required[i] != NULL; i++) {
		const config_setting_t *c = child(g, required[i], K_STRING);

		if (c == NULL || config_setting_get_string(c)[0] == '\0') {
			err(l, g, "'identity.ldap.%s' is required", required[i]);
			bad++;
		}
	}
	bad |= get_string(g, "uri", "", &lc->uri);
	bad |= get_string(g, "ca_file", "", &lc->ca_file);
	bad |= get_string(g, "bind_dn", "", &lc->bind_dn);
	bad |= get_string(g, "bind_password_file", "", &lc->bind_password_file);
	bad |= get_string(g, "user_base", "", &lc->user_base);
	bad |= get_string(g, "user_filter", "(&(objectClass=inetOrgPerson)(uid=%u))", &lc->user_filter);
	bad |= get_string(g, "group_base", "", &lc->group_base);
	bad |= get_string(g, "group_filter", "(|(member=%d)(uniqueMember=%d)(memberUid=%u))",
			&lc->group_filter);
	bad |= get_string(g, "group_name_attr", "cn", &lc->group_name_attr);
	(void)bad;
	lc->starttls = get_bool(g, "starttls", false);
	lc->nested = get_bool(g, "nested", true);
	lc->timeout_ms = (int)get_ranged(l, g, "timeout_ms", 2000, 1, 600000);
	lc->cache_ttl = (int)get_ranged(l, g, "cache_ttl", 300, 0, 86400 * 30);
	lc->negative_ttl = (int)get_ranged(l, g, "negative_ttl", 30, 0, 86400 * 30);
	lc->stale_ttl = (int)get_ranged(l, g, "stale_ttl", 3600, 0, 86400 * 30);
	if (g != NULL && lc->bind_dn[0] != '\0' && lc->bind_password_file[0] == '\0')
		err(l, g, "'identity.ldap.bind_dn' needs 'bind_password_file'");
	/* A filter that does not name the user would match everyone's groups. */
	if (g != NULL && strstr(lc->user_filter, "%u") == NULL)
		err(l, child(g, "user_filter", K_STRING) != NULL ? child(g, "user_filter", K_STRING) : g,
				"'identity.ldap.user_filter' must contain %%u (the user name)");
	if (g != NULL && strstr(lc->group_filter, "%d") == NULL && strstr(lc->group_filter, "%u") == NULL)
		err(l, child(g, "group_filter", K_STRING) != NULL ? child(g, "group_filter", K_STRING) : g,
				"'identity.ldap.group_filter' must contain %%d (the user's DN) or %%u");
	if (g != NULL && lc->starttls && strncmp(lc->uri, "ldaps://", 8) == 0)
		err(l, child(g, "starttls", K_BOOL), "'identity.ldap.starttls' cannot be used with an ldaps:// uri");
}

static const struct key identity_keys[] = {
	{ "unauthenticated", K_STRING }, { "users", K_LIST }, { "ldap", K_GROUP },
	{ NULL, K_STRING },
};

static void load_identity(const struct loader *l, const config_setting_t *g, struct rg_policy *p)
{
	const config_setting_t *users;

	if (g != NULL)
		check_keys(l, g, identity_keys);
	if (get_string(g, "unauthenticated", "", &p->unauthenticated) < 0)
		rg_errlist_add(l->errs, "%s: out of memory", l->path);
	users = child(g, "users", K_LIST);
	if (users != NULL && config_setting_length(users) > 0) {
		p->users = calloc((size_t)config_setting_length(users), sizeof(*p->users));
		if (p->users == NULL)
			rg_errlist_add(l->errs, "%s: out of memory", l->path);
	}
	for (int i = 0; p->users != NULL && i < config_setting_length(users); i++) {
		const config_setting_t *u = config_setting_get_elem(users, (unsigned)i);
		struct rg_static_user *su = &p->users[p->nusers];
		const config_setting_t *name;

		if (config_setting_type(u) != CONFIG_TYPE_GROUP) {
			err(l, u, "each entry of 'identity.users' must be a group { name = ...; groups = [...]; }");
			continue;
		}
		check_keys(l, u, user_keys);
		name = child(u, "name", K_STRING);
		if (name == NULL || config_setting_get_string(name)[0] == '\0') {
			err(l, u, "an entry of 'identity.users' has no 'name'");
			continue;
		}
		if (rg_policy_static_groups(p, config_setting_get_string(name)) != NULL) {
			err(l, name, "user '%s' is listed twice in 'identity.users'",
					config_setting_get_string(name));
			continue;
		}
		get_string(u, "name", "", &su->name);
		get_strings(l, u, "groups", &su->groups);
		p->nusers++;
	}
	load_ldap(l, child(g, "ldap", K_GROUP), &p->ldap);
}

static const struct key constraint_keys[] = {
	{ "privileged", K_BOOL }, { "host_namespaces", K_BOOL }, { "capabilities", K_STRINGS },
	{ "devices", K_BOOL }, { "unconfined", K_BOOL }, { "bind_mounts", K_STRINGS },
	{ "registries", K_STRINGS }, { "require_limits", K_STRINGS }, { "exec_user", K_STRINGS },
	{ NULL, K_STRING },
};

/*
 * Lexically normalizes an absolute path in place: collapses "//", resolves
 * "." and "..", drops a trailing '/'. Returns 0, or -1 when not absolute.
 */
static int normalize_abs_path(char *path)
{
	char *out = path;
	const char *in = path;

	if (*in != '/')
		return -1;
	while (*in != '\0') {
		const char *seg;
		size_t len;

		while (*in == '/')
			in++;
		seg = in;
		while (*in != '\0' && *in != '/')
			in++;
		len = (size_t)(in - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
	return 0;
}

static void load_constraints(const struct loader *l, const config_setting_t *g, struct rg_constraints *c)
{
	struct rg_strv limits = { 0 };
	const config_setting_t *s;

	c->privileged = c->host_namespaces = c->devices = c->unconfined = RG_UNSET;
	if (g == NULL)
		return;
	check_keys(l, g, constraint_keys);
	c->privileged = get_tristate(g, "privileged");
	c->host_namespaces = get_tristate(g, "host_namespaces");
	c->devices = get_tristate(g, "devices");
	c->unconfined = get_tristate(g, "unconfined");

	c->has_capabilities = get_strings(l, g, "capabilities", &c->capabilities);
	for (size_t i = 0; i < c->capabilities.n; i++) {
		char *cap = c->capabilities.v[i];
		size_t skip = strncasecmp(cap, "CAP_", 4) == 0 ? 4 : 0;

		/* Stored without the CAP_ prefix, as dockerd normalizes CapAdd. */
		for (size_t j = 0; skip > 0 && (j == 0 || cap[j - 1] != '\0'); j++)
			cap[j] = cap[j + skip];
		if (cap[strspn(cap, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] != '\0' ||
		    cap[0] == '\0')
			err(l, child(g, "capabilities", K_STRINGS), "capability '%s' is not a capability name", cap);
		for (char *q = cap; *q != '\0'; q++)
			*q = (char)toupper((unsigned char)*q);
	}

	c->has_bind_mounts = get_strings(l, g, "bind_mounts", &c->bind_mounts);
	for (size_t i = 0; i < c->bind_mounts.n; i++) {
		if (normalize_abs_path(c->bind_mounts.v[i]) < 0)
			err(l, child(g, "bind_mounts", K_STRINGS), "bind mount '%s' is not an absolute path",
					c->bind_mounts.v[i]);
	}

	c->has_registries = get_strings(l, g, "registries", &c->registries);
	for (size_t i = 0; i < c->registries.n; i++) {
		const char *r = c->registries.v[i];

		if (r[0] == '\0' || strchr(r, '@') != NULL || r[strlen(r) - 1] == '/')
			err(l, child(g, "registries", K_STRINGS),
					"registry '%s' must be a registry host or repository prefix", r);
	}

	c->has_require_limits = get_strings(l, g, "require_limits", &limits);
	for (size_t i = 0; i < limits.n; i++) {
		if (strcmp(limits.v[i], "memory") == 0)
			c->require_limits |= RG_LIMIT_MEMORY;
		else if (strcmp(limits.v[i], "pids") == 0)
			c->require_limits |= RG_LIMIT_PIDS;
		else if (strcmp(limits.v[i], "cpu") == 0)
			c->require_limits |= RG_LIMIT_CPU;
		else
			err(l, child(g, "require_limits", K_STRINGS),
					"require_limits entry '%s' must be \"memory\", \"pids\" or \"cpu\"", limits.v[i]);
	}
	rg_strv_free(&limits);

	c->has_exec_user = get_strings(l, g, "exec_user", &c->exec_user);
	s = child(g, "exec_user", K_STRINGS);
	for (size_t i = 0; i < c->exec_user.n; i++) {
		const char *u = c->exec_user.v[i];

		if (u[0] == '\0' || (u[0] == '!' && u[1] == '\0'))
			err(l, s, "exec_user entries must be a user name, uid, or !name");
	}
}

static const struct key role_keys[] = {
	{ "groups", K_STRINGS }, { "users", K_STRINGS }, { "allow", K_STRINGS },
	{ "deny", K_STRINGS }, { "constraints", K_GROUP }, { NULL, K_STRING },
};

/* A command pattern: lower-case letters, digits, '.', '_', '*'. */
static bool valid_pattern(const char *pat)
{
	if (*pat == '\0')
		return false;
	for (; *pat != '\0'; pat++) {
		if (!islower((unsigned char)*pat) && !isdigit((unsigned char)*pat) &&
		    *pat != '.' && *pat != '_' && *pat != '*')
			return false;
	}
	return true;
}

struct pattern_probe {
	const char *pattern;
	bool matched;
};

static void probe_route(const char *method, const char *pattern, const char *command, void *arg)
{
	struct pattern_probe *probe = arg;

	(void)method;
	(void)pattern;
	if (!probe->matched)
		probe->matched = rg_pattern_match(probe->pattern, command);
}

/* Whether pat names at least one command of the route table, or "unknown". */
static bool names_a_command(const char *pat)
{
	struct pattern_probe probe = { pat, rg_pattern_match(pat, "unknown") };

	if (!probe.matched)
		rg_route_foreach(probe_route, &probe);
	return probe.matched;
}

/*
 * A pattern must be a glob of command-name characters and must name at least
 * one command: a typo such as "contianer.*" would otherwise silently grant
 * (allow) or fail to forbid (deny) nothing at all.
 */
static void check_patterns(const struct loader *l, const config_setting_t *role, const char *key,
		const struct rg_strv *pats)
{
	const config_setting_t *c = child(role, key, K_STRINGS);
	char name[256];

	for (size_t i = 0; i < pats->n; i++) {
		if (!valid_pattern(pats->v[i]))
			err(l, c, "'%s' pattern '%s' is not a command glob (e.g. \"container.*\")",
					full_name(c, name, sizeof(name)), pats->v[i]);
		else if (!names_a_command(pats->v[i]))
			err(l, c, "'%s' pattern '%s' matches no command (see rolegate(1), COMMAND NAMES)",
					full_name(c, name, sizeof(name)), pats->v[i]);
	}
}

static void load_roles(const struct loader *l, const config_setting_t *g, struct rg_policy *p)
{
	int n;

	if (g == NULL)
		return;
	n = config_setting_length(g);
	if (n == 0)
		return;
	p->roles = calloc((size_t)n, sizeof(*p->roles));
	if (p->roles == NULL) {
		rg_errlist_add(l->errs, "%s: out of memory", l->path);
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *rs = config_setting_get_elem(g, (unsigned)i);
		struct rg_role *r = &p->roles[p->nroles];

		if (config_setting_type(rs) != CONFIG_TYPE_GROUP) {
			err(l, rs, "role '%s' must be a group { ... }", config_setting_name(rs));
			continue;
		}
		check_keys(l, rs, role_keys);
		r->name = strdup(config_setting_name(rs));
		r->line = config_setting_source_line(rs);
		get_strings(l, rs, "groups", &r->groups);
		get_strings(l, rs, "users", &r->users);
		get_strings(l, rs, "allow", &r->allow);
		get_strings(l, rs, "deny", &r->deny);
		check_patterns(l, rs, "allow", &r->allow);
		check_patterns(l, rs, "deny", &r->deny);
		load_constraints(l, child(rs, "constraints", K_GROUP), &r->constraints);
		p->nroles++;
	}
}

static const struct key audit_keys[] = {
	{ "path", K_STRING }, { "sync", K_STRING }, { "responses", K_STRING },
	{ "key_file", K_STRING }, { "syslog", K_BOOL }, { "on_error", K_STRING },
	{ "checkpoint", K_INT }, { NULL, K_STRING },
};

static void load_audit(const struct loader *l, const config_setting_t *g, struct rg_audit_config *ac)
{
	static const char *const syncs[] = { "always", "batch", "none", NULL };
	static const char *const responses[] = { "all", "mutating", "none", NULL };
	static const char *const on_error[] = { "deny", "allow", NULL };
	const config_setting_t *c;

	if (g != NULL)
		check_keys(l, g, audit_keys);
	if (get_string(g, "path", "/var/log/rolegate/decisions.log", &ac->path) < 0 ||
	    get_string(g, "key_file", "", &ac->key_file) < 0)
		rg_errlist_add(l->errs, "%s: out of memory", l->path);
	if ((c = child(g, "path", K_STRING)) != NULL && ac->path[0] != '/')
		err(l, c, "'audit.path' must be an absolute path");
	ac->sync = (enum rg_sync)get_enum(l, g, "sync", syncs, RG_SYNC_BATCH);
	ac->responses = (enum rg_responses)get_enum(l, g, "responses", responses, RG_RESPONSES_MUTATING);
	ac->on_error = (enum rg_on_error)get_enum(l, g, "on_error", on_error, RG_ON_ERROR_DENY);
	ac->syslog = get_bool(g, "syslog", false);
	ac->checkpoint = (int)get_ranged(l, g, "checkpoint", 60, 0, RG_CHECKPOINT_MAX);
}

/*
 * The revision of the file at path: the first 12 hex digits of the SHA-256
 * of its bytes. Read separately from libconfig's parse; a file replaced
 * between the two reads is a reload race the next SIGHUP settles.
 * Returns 0, or -1 when the file cannot be read.
 */
static int file_revision(const char *path, char out[RG_POLICY_REVISION_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rbe");
	size_t n;
	int rc = -1;

	if (ctx == NULL || f == NULL || !EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL))
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (!EVP_DigestUpdate(ctx, buf, n))
			goto out;
	}
	if (ferror(f) || !EVP_DigestFinal_ex(ctx, d, &dlen))
		goto out;
	for (size_t i = 0; i < RG_POLICY_REVISION_LEN / 2; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[RG_POLICY_REVISION_LEN] = '\0';
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static const struct key top_keys[] = {
	{ "plugin", K_GROUP }, { "identity", K_GROUP }, { "roles", K_GROUP }, { "audit", K_GROUP },
	{ NULL, K_STRING },
};

/* The line number of a "FILE:LINE: message" string (0 if none). */
static long line_of(const char *msg)
{
	const char *colon = msg != NULL ? strstr(msg, ".conf:") : NULL;

	if (colon == NULL && msg != NULL)
		colon = strchr(msg, ':');
	else if (colon != NULL)
		colon += 5;
	return colon != NULL ? strtol(colon + 1, NULL, 10) : 0;
}

/*
 * Orders the messages added since `from` by line, so that a reader can walk
 * the file top to bottom (the loader visits sections in schema order).
 * Insertion sort: stable, and the lists are short.
 */
static void sort_by_line(struct rg_errlist *errs, size_t from)
{
	for (size_t i = from + 1; i < errs->n; i++) {
		char *m = errs->msg[i];
		size_t j = i;

		while (j > from && line_of(errs->msg[j - 1]) > line_of(m)) {
			errs->msg[j] = errs->msg[j - 1];
			j--;
		}
		errs->msg[j] = m;
	}
}

struct rg_policy *rg_policy_load(const char *path, struct rg_errlist *errs)
{
	struct loader l = { path, errs };
	struct rg_policy *p;
	const config_setting_t *root;
	config_t cfg;
	size_t before = errs->n + errs->lost;

	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			rg_errlist_add(errs, "%s: cannot read the file", path);
		else
			rg_errlist_add(errs, "%s:%d: %s",
					config_error_file(&cfg) != NULL ? config_error_file(&cfg) : path,
					config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->path = strdup(path)) == NULL) {
		rg_errlist_add(errs, "%s: out of memory", path);
		free(p);
		config_destroy(&cfg);
		return NULL;
	}
	p->refs = 1;
	root = config_root_setting(&cfg);
	check_keys(&l, root, top_keys);
	load_plugin(&l, child(root, "plugin", K_GROUP), &p->plugin);
	load_identity(&l, child(root, "identity", K_GROUP), p);
	load_roles(&l, child(root, "roles", K_GROUP), p);
	load_audit(&l, child(root, "audit", K_GROUP), &p->audit);
	config_destroy(&cfg);
	if (file_revision(path, p->revision) < 0)
		rg_errlist_add(errs, "%s: cannot read the file", path);
	sort_by_line(errs, before);
	if (errs->n + errs->lost != before) {
		rg_policy_free(p);
		return NULL;
	}
	return p;
}

static void free_constraints(struct rg_constraints *c)
{
	rg_strv_free(&c->capabilities);
	rg_strv_free(&c->bind_mounts);
	rg_strv_free(&c->registries);
	rg_strv_free(&c->exec_user);
}

void rg_policy_free(struct rg_policy *p)
{
	if (p == NULL)
		return;
	free(p->path);
	free(p->plugin.socket);
	free(p->plugin.socket_group);
	free(p->unauthenticated);
	for (size_t i = 0; i < p->nusers; i++) {
		free(p->users[i].name);
		rg_strv_free(&p->users[i].groups);
	}
	free(p->users);
	free(p->ldap.uri);
	free(p->ldap.ca_file);
	free(p->ldap.bind_dn);
	free(p->ldap.bind_password_file);
	free(p->ldap.user_base);
	free(p->ldap.user_filter);
	free(p->ldap.group_base);
	free(p->ldap.group_filter);
	free(p->ldap.group_name_attr);
	for (size_t i = 0; i < p->nroles; i++) {
		struct rg_role *r = &p->roles[i];

		free(r->name);
		rg_strv_free(&r->groups);
		rg_strv_free(&r->users);
		rg_strv_free(&r->allow);
		rg_strv_free(&r->deny);
		free_constraints(&r->constraints);
	}
	free(p->roles);
	free(p->audit.path);
	free(p->audit.key_file);
	free(p);
}

const struct rg_strv *rg_policy_static_groups(const struct rg_policy *p, const char *user)
{
	for (size_t i = 0; i < p->nusers; i++) {
		if (p->users[i].name != NULL && strcmp(p->users[i].name, user) == 0)
			return &p->users[i].groups;
	}
	return NULL;
}

bool rg_pattern_match(const char *pat, const char *cmd)
{
	/* Iterative glob with single backtrack point: linear enough for short names. */
	const char *star = NULL, *resume = NULL;

	while (*cmd != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = cmd;
		} else if (*pat == *cmd) {
			pat++;
			cmd++;
		} else if (star != NULL) {
			pat = star + 1;
			cmd = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

bool rg_ldap_config_equal(const struct rg_ldap_config *a, const struct rg_ldap_config *b)
{
	return a->enabled == b->enabled && str_eq(a->uri, b->uri) && a->starttls == b->starttls &&
		str_eq(a->ca_file, b->ca_file) && str_eq(a->bind_dn, b->bind_dn) &&
		str_eq(a->bind_password_file, b->bind_password_file) &&
		str_eq(a->user_base, b->user_base) && str_eq(a->user_filter, b->user_filter) &&
		str_eq(a->group_base, b->group_base) && str_eq(a->group_filter, b->group_filter) &&
		str_eq(a->group_name_attr, b->group_name_attr) && a->nested == b->nested &&
		a->timeout_ms == b->timeout_ms && a->cache_ttl == b->cache_ttl &&
		a->negative_ttl == b->negative_ttl && a->stale_ttl == b->stale_ttl;
}
