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

#include "rolegate/cfgint.h"
#include "rolegate/cfgsplit.h"
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
	struct rg_name_index *good_patterns;  /* patterns already found to name a command */
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
	rg_errlist_at(l->errs, file_of(l, s), config_setting_source_line(s), "%s", msg);
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

/* The line a member of g is set on, 0 when absent. */
static int line_of_child(const config_setting_t *g, const char *name)
{
	const config_setting_t *c = g != NULL ? config_setting_get_member(g, name) : NULL;

	return c != NULL ? config_setting_source_line(c) : 0;
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
	{ "threads", K_INT }, { "state", K_STRING }, { "max_connections", K_INT },
	{ "idle_timeout", K_INT }, { NULL, K_STRING },
};

static void load_plugin(const struct loader *l, const config_setting_t *g, struct rg_plugin_config *pc)
{
	const config_setting_t *c;

	if (g != NULL)
		check_keys(l, g, plugin_keys);
	if (get_string(g, "socket", RG_DEFAULT_SOCKET, &pc->socket) < 0 ||
	    get_string(g, "socket_group", "", &pc->socket_group) < 0)
		rg_errlist_at(l->errs, l->path, 0, "out of memory");
	pc->socket_group_line = line_of_child(g, "socket_group");
	if ((c = child(g, "socket", K_STRING)) != NULL && pc->socket[0] != '/')
		err(l, c, "'plugin.socket' must be an absolute path");
	pc->max_body = (size_t)get_ranged(l, g, "max_body", RG_DEFAULT_MAX_BODY, 0, RG_MAX_BODY_LIMIT);
	pc->threads = (int)get_ranged(l, g, "threads", 0, 0, RG_MAX_THREADS);
	if (get_string(g, "state", RG_DEFAULT_STATE, &pc->state) < 0)
		rg_errlist_at(l->errs, l->path, 0, "out of memory");
	if ((c = child(g, "state", K_STRING)) != NULL && pc->state[0] != '/')
		err(l, c, "'plugin.state' must be an absolute path");
	pc->max_connections = (int)get_ranged(l, g, "max_connections", 0, 0, RG_MAX_CONNECTIONS_LIMIT);
	pc->idle_timeout = (int)get_ranged(l, g, "idle_timeout", RG_DEFAULT_IDLE_TIMEOUT, 1, 86400);
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
	{ "cache_file", K_STRING }, { NULL, K_STRING },
};

/* An LDAP search filter's shape: one parenthesized item, parentheses balanced
 * (a literal parenthesis in a value is escaped as \28 / \29, RFC 4515), or
 * one bare item ("uid=%u"), which libldap accepts as if parenthesized. */
static bool ldap_filter_balanced(const char *f)
{
	int depth = 0;

	if (f == NULL)
		return false;
	if (f[0] != '(')
		return strchr(f, '=') != NULL && strpbrk(f, "()") == NULL;
	for (const char *c = f; *c != '\0'; c++) {
		if (*c == '(')
			depth++;
		else if (*c == ')' && --depth == 0)
			return c[1] == '\0';
		else if (depth < 0)
			return false;
	}
	return false;
}

/* An attribute description: a name (letter, then letters, digits, '-') or an OID. */
static bool ldap_attr_name(const char *a)
{
	if (a == NULL || !isalnum((unsigned char)a[0]))
		return false;
	for (; *a != '\0'; a++) {
		if (!isalnum((unsigned char)*a) && *a != '-' && *a != '.')
			return false;
	}
	return true;
}

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
	bad |= get_string(g, "cache_file", RG_DEFAULT_LDAP_CACHE, &lc->cache_file);
	(void)bad;
	lc->uri_line = line_of_child(g, "uri");
	lc->bind_password_file_line = line_of_child(g, "bind_password_file");
	lc->cache_file_line = line_of_child(g, "cache_file");
	/* Files read by check and by serve: relative, each would read its own working directory's. */
	for (int i = 0; g != NULL && i < 3; i++) {
		static const char *const keys[] = { "cache_file", "bind_password_file", "ca_file" };
		const char *v = i == 0 ? lc->cache_file : i == 1 ? lc->bind_password_file : lc->ca_file;

		if (v != NULL && v[0] != '\0' && v[0] != '/')
			err(l, child(g, keys[i], K_STRING),
					"'identity.ldap.%s' must be an absolute path or \"\"", keys[i]);
	}
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
	/* What the directory would refuse on every lookup (a bad filter, no attribute)
	 * is an error now, not a lockout when the first user logs in. */
	for (int i = 0; g != NULL && i < 2; i++) {
		const char *key = i == 0 ? "user_filter" : "group_filter";
		const char *f = i == 0 ? lc->user_filter : lc->group_filter;

		if (!ldap_filter_balanced(f))
			err(l, child(g, key, K_STRING) != NULL ? child(g, key, K_STRING) : g,
					"'identity.ldap.%s' is not an LDAP filter: \"(attr=value)\", "
					"parentheses balanced", key);
	}
	if (g != NULL && !ldap_attr_name(lc->group_name_attr))
		err(l, child(g, "group_name_attr", K_STRING) != NULL ? child(g, "group_name_attr", K_STRING) : g,
				"'identity.ldap.group_name_attr' must be an attribute name (\"cn\")");
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
		rg_errlist_at(l->errs, l->path, 0, "out of memory");
	users = child(g, "users", K_LIST);
	if (users != NULL && config_setting_length(users) > 0) {
		p->users = calloc((size_t)config_setting_length(users), sizeof(*p->users));
		if (p->users == NULL)
			rg_errlist_at(l->errs, l->path, 0, "out of memory");
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
		if (rg_name_index_get(&p->user_index, config_setting_get_string(name)) != NULL) {
			err(l, name, "user '%s' is listed twice in 'identity.users'",
					config_setting_get_string(name));
			continue;
		}
		get_string(u, "name", "", &su->name);
		get_strings(l, u, "groups", &su->groups);
		if (su->name == NULL || rg_name_index_add(&p->user_index, su->name, p->nusers) < 0)
			rg_errlist_at(l->errs, l->path, 0, "out of memory");
		p->nusers++;
	}
	load_ldap(l, child(g, "ldap", K_GROUP), &p->ldap);
}

static const struct key constraint_keys[] = {
	{ "privileged", K_BOOL }, { "host_namespaces", K_BOOL }, { "capabilities", K_STRINGS },
	{ "devices", K_BOOL }, { "unconfined", K_BOOL }, { "bind_mounts", K_STRINGS },
	{ "registries", K_STRINGS }, { "require_limits", K_STRINGS }, { "exec_user", K_STRINGS },
	{ "pinned_images", K_BOOL }, { "approved_images", K_STRING }, { "networks", K_STRINGS },
	{ "network_drivers", K_STRINGS },
	{ "owner", K_STRING },
	{ "max_limits", K_GROUP }, { "runtimes", K_STRINGS }, { "cgroup_parent", K_BOOL },
	{ "sysctls", K_STRINGS }, { "log_drivers", K_STRINGS }, { "image_targets", K_STRINGS },
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

/*
 * pinned_images, approved_images, networks, network_drivers. The approved
 * file itself is read by the daemon (and by `rolegate check`), not here:
 * loading a policy touches no file but the configuration.
 */
static void load_provenance(const struct loader *l, const config_setting_t *g,
		struct rg_constraints *c)
{
	const config_setting_t *s;
	char name[256];

	c->pinned_images = get_tristate(g, "pinned_images");
	if ((s = child(g, "approved_images", K_STRING)) != NULL) {
		const char *path = config_setting_get_string(s);

		if (path[0] != '/')
			err(l, s, "'%s' must be an absolute path, not \"%s\"",
					full_name(s, name, sizeof(name)), path);
		else if ((c->approved_images = strdup(path)) == NULL)
			err(l, s, "out of memory");
		c->approved_images_line = config_setting_source_line(s);
	}
	c->has_networks = get_strings(l, g, "networks", &c->networks);
	s = child(g, "networks", K_STRINGS);
	for (size_t i = 0; i < c->networks.n; i++) {
		const char *n = c->networks.v[i];

		/* A network name is never empty and holds no control or blank
		 * characters; such an entry is a typo that would match nothing. */
		if (n[0] == '\0' || n[strcspn(n, " \t\r\n\v\f")] != '\0')
			err(l, s, "networks entry '%s' must be a network name or glob (\"team-*\")", n);
	}
	c->has_network_drivers = get_strings(l, g, "network_drivers", &c->network_drivers);
	s = child(g, "network_drivers", K_STRINGS);
	for (size_t i = 0; i < c->network_drivers.n; i++) {
		const char *d = c->network_drivers.v[i];

		if (d[0] == '\0' || d[strcspn(d, " \t\r\n\v\f*")] != '\0')
			err(l, s, "network_drivers entry '%s' must be a driver name (\"bridge\", \"macvlan\")", d);
	}
}

/*
 * A memory size as docker's --memory reads it (units.RAMInBytes): a
 * number, optionally with a fraction, then an optional unit b, k, m, g, t
 * or p (powers of 1024, any case, "i" and "b" after it allowed: "8g",
 * "8GiB"). Returns the bytes, or -1 with *why set.
 */
static long long parse_size(const char *s, const char **why)
{
	static const char units[] = "kmgtp";
	const char *p = s, *u;
	double v = 0, frac = 0.1;
	int shift = 0;

	if (*p < '0' || *p > '9') {
		*why = *p == '-' ? "must not be negative" : "must start with a number";
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, frac /= 10)
			v += (*p - '0') * frac;
	}
	if (*p == ' ')
		p++;
	if (*p != '\0' && (u = strchr(units, tolower((unsigned char)*p))) != NULL) {
		shift = (int)(u - units + 1) * 10;
		p++;
		if (*p == 'i' || *p == 'I')
			p++;
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0') {
		*why = "has an unknown unit (use b, k, m, g, t or p)";
		return -1;
	}
	v *= (double)(1ULL << shift);
	if (v >= 9.2e18) {
		*why = "is too large";
		return -1;
	}
	return (long long)v;
}

/* roles.*.constraints.max_limits: { memory = "8g"; pids = 4096; cpus = 4.0; } */
static void load_max_limits(const struct loader *l, const config_setting_t *g, struct rg_constraints *c)
{
	const config_setting_t *s;
	char name[256];
	const char *why = NULL;
	bool cpus_seen = false;  /* cpu and cpus are one key (SPEC.md §4): both set is ambiguous */

	c->has_max_limits = true;
	for (int i = 0; i < config_setting_length(g); i++) {
		const char *k;

		s = config_setting_get_elem(g, (unsigned)i);
		k = config_setting_name(s);
		full_name(s, name, sizeof(name));
		if (strcmp(k, "memory") == 0) {
			if (config_setting_type(s) == CONFIG_TYPE_STRING) {
				c->max_memory = parse_size(config_setting_get_string(s), &why);
			} else if (has_kind(s, K_INT)) {
				c->max_memory = config_setting_get_int64(s);
				why = "must not be negative";
			} else {
				err(l, s, "'%s' must be a size (\"8g\") or a number of bytes", name);
				continue;
			}
			if (c->max_memory <= 0) {
				err(l, s, "'%s' %s", name, c->max_memory < 0 ? why : "must be above 0");
				c->max_memory = 1;   /* the policy is refused anyway */
			}
		} else if (strcmp(k, "pids") == 0) {
			if (!has_kind(s, K_INT)) {
				err(l, s, "'%s' must be an integer", name);
				continue;
			}
			c->max_pids = config_setting_get_int64(s);
			if (c->max_pids <= 0)
				err(l, s, "'%s' %s", name, c->max_pids < 0 ? "must not be negative" :
						"must be above 0");
		} else if (strcmp(k, "cpus") == 0 || strcmp(k, "cpu") == 0) {
			if (cpus_seen) {
				err(l, s, "'%s' is set twice: cpu and cpus are the same key", name);
				continue;
			}
			cpus_seen = true;
			if (has_kind(s, K_INT))
				c->max_cpus = (double)config_setting_get_int64(s);
			else if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
				c->max_cpus = config_setting_get_float(s);
			else {
				err(l, s, "'%s' must be a number of CPUs (4 or 0.5)", name);
				continue;
			}
			if (c->max_cpus < 0)
				err(l, s, "'%s' must not be negative", name);
			else if (!(c->max_cpus > 0) || c->max_cpus > 1e6)
				err(l, s, "'%s' must be above 0 and at most 1000000", name);
		} else {
			err(l, s, "unknown setting '%s' (max_limits takes memory, pids, cpus)", name);
		}
	}
}

/* A sysctl name or "prefix.*": letters, digits, '_', '-', '.', '/'. */
static bool valid_sysctl(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[0] == '.' || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-./*") != n)
		return false;
	/* '*' only as the last component */
	return strchr(s, '*') == NULL || (n >= 3 && strcmp(s + n - 2, ".*") == 0 &&
			strchr(s, '*') == s + n - 1);
}

/* The issue 14 keys: runtimes, cgroup_parent, sysctls, log_drivers,
 * image_targets, max_limits. */
static void load_reach_keys(const struct loader *l, const config_setting_t *g, struct rg_constraints *c)
{
	const config_setting_t *s;

	if ((s = child(g, "max_limits", K_GROUP)) != NULL)
		load_max_limits(l, s, c);
	c->cgroup_parent = get_tristate(g, "cgroup_parent");
	c->has_runtimes = get_strings(l, g, "runtimes", &c->runtimes);
	c->has_log_drivers = get_strings(l, g, "log_drivers", &c->log_drivers);
	c->has_sysctls = get_strings(l, g, "sysctls", &c->sysctls);
	for (size_t i = 0; i < c->sysctls.n; i++) {
		if (!valid_sysctl(c->sysctls.v[i]))
			err(l, child(g, "sysctls", K_STRINGS), "sysctl '%s' must be a sysctl name or "
					"\"prefix.*\"", c->sysctls.v[i]);
	}
	c->has_image_targets = get_strings(l, g, "image_targets", &c->image_targets);
	for (size_t i = 0; i < c->image_targets.n; i++) {
		const char *r = c->image_targets.v[i];

		if (r[0] == '\0' || strchr(r, '@') != NULL || r[strlen(r) - 1] == '/')
			err(l, child(g, "image_targets", K_STRINGS),
					"image target '%s' must be a registry host or repository prefix", r);
	}
}

/*
 * The capability names dockerd knows (moby's capabilities list: Linux's, up
 * to CAP_CHECKPOINT_RESTORE), without CAP_, and ALL. dockerd refuses a
 * create naming any other, so a name outside it in `capabilities` is a typo
 * that would silently allow nothing.
 */
static bool known_capability(const char *cap)
{
	static const char *const known[] = {
		"ALL", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
		"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
		"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE",
		"SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT",
		"SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
		"AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
		"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(cap, known[i]) == 0)
			return true;
	}
	return false;
}

static void load_constraints(const struct loader *l, const config_setting_t *g, struct rg_constraints *c)
{
	struct rg_strv limits = { 0 };
	const config_setting_t *s;

	c->privileged = c->host_namespaces = c->devices = c->unconfined = RG_UNSET;
	c->pinned_images = RG_UNSET;
	c->cgroup_parent = RG_UNSET;
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
		for (char *q = cap; *q != '\0'; q++)
			*q = (char)toupper((unsigned char)*q);
		if (!known_capability(cap))
			err(l, child(g, "capabilities", K_STRINGS), "capability '%s' is not a capability name "
					"(dockerd refuses an unknown capability; e.g. NET_BIND_SERVICE, or ALL)", cap);
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
		else if (strcmp(limits.v[i], "cpu") == 0 || strcmp(limits.v[i], "cpus") == 0)
			c->require_limits |= RG_LIMIT_CPU;
		else
			err(l, child(g, "require_limits", K_STRINGS),
					"require_limits entry '%s' must be \"memory\", \"pids\" or \"cpus\"", limits.v[i]);
	}
	rg_strv_free(&limits);

	c->has_exec_user = get_strings(l, g, "exec_user", &c->exec_user);
	s = child(g, "exec_user", K_STRINGS);
	for (size_t i = 0; i < c->exec_user.n; i++) {
		const char *u = c->exec_user.v[i];

		if (u[0] == '\0' || (u[0] == '!' && u[1] == '\0'))
			err(l, s, "exec_user entries must be a user name, uid, or !name");
	}
	load_provenance(l, g, c);

	c->owner = RG_OWNER_ANY;
	if ((s = child(g, "owner", K_STRING)) != NULL) {
		const char *v = config_setting_get_string(s);

		if (strcmp(v, "self") == 0)
			c->owner = RG_OWNER_SELF;
		else if (strcmp(v, "role") == 0)
			c->owner = RG_OWNER_ROLE;
		else {
			char buf[256];

			err(l, s, "'%s' must be one of \"self\", \"role\", not \"%s\"",
					full_name(s, buf, sizeof(buf)), v);
		}
	}
	load_reach_keys(l, g, c);
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

static void probe_command(const char *command, void *arg)
{
	struct pattern_probe *probe = arg;

	if (!probe->matched)
		probe->matched = rg_pattern_match(probe->pattern, command);
}

/* Whether pat names at least one command (rg_command_foreach), or "unknown". */
static bool names_a_command(const char *pat)
{
	struct pattern_probe probe = { pat, rg_pattern_match(pat, "unknown") };

	if (!probe.matched)
		rg_command_foreach(probe_command, &probe);
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
		/* each distinct pattern is matched against the route table once */
		if (rg_name_index_get(l->good_patterns, pats->v[i]) != NULL)
			continue;
		if (valid_pattern(pats->v[i]) && names_a_command(pats->v[i])) {
			if (rg_name_index_add(l->good_patterns, pats->v[i], 0) < 0)
				err(l, c, "out of memory");
			continue;
		}
		if (!valid_pattern(pats->v[i]))
			err(l, c, "'%s' pattern '%s' is not a command glob (e.g. \"container.*\")",
					full_name(c, name, sizeof(name)), pats->v[i]);
		else if (!names_a_command(pats->v[i]))
			err(l, c, "'%s' pattern '%s' matches no command (see rolegate(1), COMMAND NAMES)",
					full_name(c, name, sizeof(name)), pats->v[i]);
	}
}

/*
 * The roles, from the roles group of each of the n configurations (one, or
 * the chunks of rolegate/cfgsplit.h, in order). libconfig refuses a
 * duplicate name within one; a name index catches them across chunks.
 */
static void load_roles(const struct loader *l, const config_setting_t *const *groups, size_t ngroups,
		struct rg_policy *p)
{
	struct rg_name_index names = { 0 };
	size_t n = 0;

	for (size_t k = 0; k < ngroups; k++)
		n += groups[k] != NULL ? (size_t)config_setting_length(groups[k]) : 0;
	if (n == 0)
		return;
	p->roles = calloc(n, sizeof(*p->roles));
	if (p->roles == NULL) {
		rg_errlist_at(l->errs, l->path, 0, "out of memory");
		return;
	}
	for (size_t k = 0; k < ngroups; k++) {
		for (int i = 0; groups[k] != NULL && i < config_setting_length(groups[k]); i++) {
			const config_setting_t *rs = config_setting_get_elem(groups[k], (unsigned)i);
			struct rg_role *r = &p->roles[p->nroles];

			if (config_setting_type(rs) != CONFIG_TYPE_GROUP) {
				err(l, rs, "role '%s' must be a group { ... }", config_setting_name(rs));
				continue;
			}
			if (ngroups > 1 && rg_name_index_get(&names, config_setting_name(rs)) != NULL) {
				err(l, rs, "duplicate setting name");
				continue;
			}
			check_keys(l, rs, role_keys);
			r->name = strdup(config_setting_name(rs));
			r->line = config_setting_source_line(rs);
			if (r->name == NULL || (ngroups > 1 && rg_name_index_add(&names, r->name, p->nroles) < 0))
				rg_errlist_at(l->errs, l->path, 0, "out of memory");
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
	rg_name_index_free(&names);
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
		rg_errlist_at(l->errs, l->path, 0, "out of memory");
	if ((c = child(g, "path", K_STRING)) != NULL && ac->path[0] != '/')
		err(l, c, "'audit.path' must be an absolute path");
	ac->key_file_line = line_of_child(g, "key_file");
	/* check reads it from its own working directory, serve from its own (/ under systemd) */
	if ((c = child(g, "key_file", K_STRING)) != NULL && ac->key_file[0] != '\0' && ac->key_file[0] != '/')
		err(l, c, "'audit.key_file' must be an absolute path or \"\"");
	ac->sync = (enum rg_sync)get_enum(l, g, "sync", syncs, RG_SYNC_BATCH);
	ac->responses = (enum rg_responses)get_enum(l, g, "responses", responses, RG_RESPONSES_MUTATING);
	ac->on_error = (enum rg_on_error)get_enum(l, g, "on_error", on_error, RG_ON_ERROR_DENY);
	ac->syslog = get_bool(g, "syslog", false);
	ac->checkpoint = (int)get_ranged(l, g, "checkpoint", 60, 0, RG_CHECKPOINT_MAX);
}

/*
 * The revision of the configuration text: the first 12 hex digits of the
 * SHA-256 of its bytes, the very bytes that were parsed (there is no
 * @include: refuse_include). Returns 0, or -1 when OpenSSL fails.
 */
static int text_revision(const char *text, size_t len, char out[RG_POLICY_REVISION_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (!EVP_Digest(text, len, d, &dlen, EVP_sha256(), NULL))
		return -1;
	for (size_t i = 0; i < RG_POLICY_REVISION_LEN / 2; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[RG_POLICY_REVISION_LEN] = '\0';
	return 0;
}

static const struct key top_keys[] = {
	{ "plugin", K_GROUP }, { "identity", K_GROUP }, { "roles", K_GROUP }, { "audit", K_GROUP },
	{ NULL, K_STRING },
};

/* The role indices of p by user and by group (after the roles are loaded). */
static int index_roles(struct rg_policy *p)
{
	for (size_t i = 0; i < p->nroles; i++) {
		const struct rg_role *r = &p->roles[i];

		for (size_t j = 0; j < r->users.n; j++) {
			if (rg_name_index_add(&p->role_user_index, r->users.v[j], i) < 0)
				return -1;
		}
		for (size_t j = 0; j < r->groups.n; j++) {
			if (rg_name_index_add(&p->role_group_index, r->groups.v[j], i) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Parses text[0..len) into cfg; reports a syntax error. The text is read as
 * a stream rather than as a C string so that a NUL byte in it is the syntax
 * error it is in a file, not the end of the configuration. An @include
 * never gets here (refuse_include).
 */
static int parse(config_t *cfg, const char *path, const char *text, size_t len,
		struct rg_errlist *errs)
{
	FILE *f = len > 0 ? fmemopen((void *)text, len, "r") : NULL;
	int ok;

	if (len > 0 && f == NULL) {
		rg_errlist_at(errs, path, 0, "out of memory");
		return -1;
	}
	ok = f != NULL ? config_read(cfg, f) : config_read_string(cfg, "");
	if (f != NULL)
		fclose(f);
	if (ok == CONFIG_TRUE)
		return 0;
	rg_errlist_at(errs, config_error_file(cfg) != NULL ? config_error_file(cfg) : path,
			config_error_line(cfg), "%s", config_error_text(cfg));
	return -1;
}

/*
 * libconfig's scanner takes a line that begins (after blanks) with
 * "@include" as a directive and opens the file it names, relative to the
 * working directory. Such a file would escape the ownership check of the
 * configuration (filetrust.h), the policy revision and rbac's purity, and
 * check and serve could read different files: every such line is an error.
 * A line of a comment or string that looks like one is refused too.
 */
static bool refuse_include(const char *text, size_t len, const char *path, struct rg_errlist *errs)
{
	bool found = false;
	int line = 1;

	for (size_t i = 0; i < len; line++) {
		size_t j = i;

		while (j < len && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (len - j >= 8 && memcmp(text + j, "@include", 8) == 0) {
			rg_errlist_at(errs, path, line, "@include is not supported: put the settings in this "
					"file (an included file would escape its ownership check and policy revision)");
			found = true;
		}
		while (i < len && text[i] != '\n')
			i++;
		i++;
	}
	return found;
}

/* Roles per libconfig parse: libconfig's cost per group is quadratic in its size, and
 * each chunk is preceded by as many line ends as lines come before it. */
#define ROLES_PER_CHUNK 512

struct rg_policy *rg_policy_parse(const char *text, size_t len, const char *path,
		struct rg_errlist *errs)
{
	struct rg_name_index good_patterns = { 0 };
	struct loader l = { path, errs, &good_patterns };
	struct rg_policy *p = NULL;
	const config_setting_t *root;
	const config_setting_t **roles = NULL;
	config_t cfg, *chunks = NULL;
	struct rg_cfgsplit split = { 0 };
	size_t before = errs->n + errs->lost, nchunks = 0;
	int sr = rg_cfgsplit(text, len, ROLES_PER_CHUNK, &split);

	config_init(&cfg);
	if (refuse_include(text, len, path, errs))
		goto out;
	rg_cfg_check_wide_ints(text, len, path, errs);
	if (sr < 0) {
		rg_errlist_at(errs, path, 0, "out of memory");
		goto out;
	}
	/* A text that is not split is parsed as it is. */
	if (parse(&cfg, path, sr == 0 ? split.main : text, sr == 0 ? strlen(split.main) : len, errs) < 0)
		goto out;
	if (sr == 0) {
		chunks = calloc(split.nchunks, sizeof(*chunks));
		roles = calloc(split.nchunks, sizeof(*roles));
		if (chunks == NULL || roles == NULL) {
			rg_errlist_at(errs, path, 0, "out of memory");
			goto out;
		}
		for (; nchunks < split.nchunks; nchunks++) {
			config_init(&chunks[nchunks]);
			if (parse(&chunks[nchunks], path, split.chunks[nchunks], strlen(split.chunks[nchunks]),
					errs) < 0) {
				nchunks++;
				goto out;
			}
			roles[nchunks] = child(config_root_setting(&chunks[nchunks]), "roles", K_GROUP);
		}
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->path = strdup(path)) == NULL) {
		rg_errlist_at(errs, path, 0, "out of memory");
		free(p);
		p = NULL;
		goto out;
	}
	p->refs = 1;
	root = config_root_setting(&cfg);
	check_keys(&l, root, top_keys);
	load_plugin(&l, child(root, "plugin", K_GROUP), &p->plugin);
	load_identity(&l, child(root, "identity", K_GROUP), p);
	if (sr == 0) {
		load_roles(&l, roles, nchunks, p);
	} else {
		const config_setting_t *g = child(root, "roles", K_GROUP);

		load_roles(&l, &g, 1, p);
	}
	p->roles_line = line_of_child(root, "roles");
	load_audit(&l, child(root, "audit", K_GROUP), &p->audit);
	if (index_roles(p) < 0)
		rg_errlist_at(errs, path, 0, "out of memory");
	if (text_revision(text, len, p->revision) < 0)
		rg_errlist_at(errs, path, 0, "out of memory");
	rg_errlist_sort_by_line(errs, before);
	if (errs->n + errs->lost != before) {
		rg_policy_free(p);
		p = NULL;
	}
out:
	for (size_t i = 0; i < nchunks; i++)
		config_destroy(&chunks[i]);
	free(chunks);
	free(roles);
	config_destroy(&cfg);
	rg_cfgsplit_free(&split);
	rg_name_index_free(&good_patterns);
	return p;
}

static void free_constraints(struct rg_constraints *c)
{
	rg_strv_free(&c->capabilities);
	rg_strv_free(&c->bind_mounts);
	rg_strv_free(&c->registries);
	rg_strv_free(&c->exec_user);
	free(c->approved_images);
	rg_strv_free(&c->networks);
	rg_strv_free(&c->network_drivers);
	rg_strv_free(&c->runtimes);
	rg_strv_free(&c->sysctls);
	rg_strv_free(&c->log_drivers);
	rg_strv_free(&c->image_targets);
}

void rg_policy_free(struct rg_policy *p)
{
	if (p == NULL)
		return;
	free(p->path);
	free(p->plugin.socket);
	free(p->plugin.socket_group);
	free(p->plugin.state);
	free(p->unauthenticated);
	for (size_t i = 0; i < p->nusers; i++) {
		free(p->users[i].name);
		rg_strv_free(&p->users[i].groups);
	}
	free(p->users);
	rg_ldap_config_clear(&p->ldap);
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
	rg_name_index_free(&p->user_index);
	rg_name_index_free(&p->role_user_index);
	rg_name_index_free(&p->role_group_index);
	free(p->audit.path);
	free(p->audit.key_file);
	free(p);
}

const struct rg_strv *rg_policy_static_groups(const struct rg_policy *p, const char *user)
{
	const struct rg_name_slot *s = rg_name_index_get(&p->user_index, user);

	return s != NULL ? &p->users[s->idx[0]].groups : NULL;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Appends the indices of s to v (n used, cap allocated). */
static int append_slot(const struct rg_name_slot *s, size_t **v, size_t *n, size_t *cap)
{
	if (s == NULL)
		return 0;
	if (*n + s->n > *cap) {
		size_t ncap = (*n + s->n) * 2;
		size_t *nv = realloc(*v, ncap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	memcpy(*v + *n, s->idx, s->n * sizeof(**v));
	*n += s->n;
	return 0;
}

long rg_policy_roles_for(const struct rg_policy *p, const char *user, const struct rg_strv *groups,
		size_t **out)
{
	size_t *v = NULL, n = 0, cap = 0, k = 0;

	*out = NULL;
	if (append_slot(rg_name_index_get(&p->role_user_index, user), &v, &n, &cap) < 0)
		goto oom;
	for (size_t i = 0; groups != NULL && i < groups->n; i++) {
		if (append_slot(rg_name_index_get(&p->role_group_index, groups->v[i]), &v, &n, &cap) < 0)
			goto oom;
	}
	if (n == 0)
		return 0;
	/* config order, each role once */
	qsort(v, n, sizeof(*v), cmp_size);
	for (size_t i = 0; i < n; i++) {
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	}
	*out = v;
	return (long)k;
oom:
	free(v);
	return -1;
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

/* The string fields of struct rg_ldap_config, for copying and freeing them alike. */
#define LDAP_CONFIG_STRINGS(c) \
	{ &(c)->uri, &(c)->ca_file, &(c)->bind_dn, &(c)->bind_password_file, &(c)->user_base, \
	  &(c)->user_filter, &(c)->group_base, &(c)->group_filter, &(c)->group_name_attr, \
	  &(c)->cache_file }

int rg_ldap_config_copy(struct rg_ldap_config *dst, const struct rg_ldap_config *src)
{
	char **to[] = LDAP_CONFIG_STRINGS(dst);
	size_t n = sizeof(to) / sizeof(to[0]);

	*dst = *src;
	for (size_t i = 0; i < n; i++) {
		if (*to[i] != NULL && (*to[i] = strdup(*to[i])) == NULL) {
			while (++i < n)
				*to[i] = NULL;   /* still src's: not ours to free */
			rg_ldap_config_clear(dst);
			return -1;
		}
	}
	return 0;
}

void rg_ldap_config_clear(struct rg_ldap_config *c)
{
	char **s[] = LDAP_CONFIG_STRINGS(c);

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
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
		a->negative_ttl == b->negative_ttl && a->stale_ttl == b->stale_ttl &&
		str_eq(a->cache_file, b->cache_file);
}
