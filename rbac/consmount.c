/*
 * Constraint checks on host paths, volumes and plugin privileges. See
 * include/rolegate/consmount.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rolegate/consmount.h"
#include "rolegate/gojson.h"
#include "rolegate/hostpath.h"

bool rg_consmount_restricted(const struct rg_constraints *c)
{
	char root[RG_HOSTPATH_MAX];

	if (!c->has_bind_mounts)
		return false;
	for (size_t i = 0; i < c->bind_mounts.n; i++) {
		if (rg_hostpath_clean(c->bind_mounts.v[i], root, sizeof(root)) == 0 &&
				strcmp(root, "/") == 0)
			return false;
	}
	return true;
}

static bool is_unset(const json_t *v)
{
	return v == NULL || json_is_null(v);
}

/* Counts one more host path of the request; -1 (deny) past the limit. */
static int too_many_paths(struct rg_conscheck *k)
{
	if (++k->host_paths <= RG_CONSMOUNT_MAX_HOST_PATHS)
		return 0;
	return rg_conscheck_deny(k, "%s that names more than %d host paths (bind_mounts)", k->what,
			RG_CONSMOUNT_MAX_HOST_PATHS);
}

int rg_consmount_host_path(struct rg_conscheck *k, const char *path, const char *phrase)
{
	char shown[RG_HOSTPATH_MAX], list[256];
	char q1[RG_CONSCHECK_QUOTE_MAX + 1], q2[RG_CONSCHECK_QUOTE_MAX + 1];
	const struct rg_strv *roots = &k->c->bind_mounts;
	const char *err = "";

	if (!rg_consmount_restricted(k->c))
		return 0;
	if (too_many_paths(k) < 0)
		return -1;
	switch (rg_hostpath_check(roots, path, shown, sizeof(shown), &err)) {
	case RG_HOSTPATH_ALLOWED:
		return 0;
	case RG_HOSTPATH_ERROR:
		return rg_conscheck_deny(k, "%s %s (%s)", phrase, rg_conscheck_quote(path, q1, sizeof(q1)),
				err);
	case RG_HOSTPATH_OUTSIDE:
		break;
	}
	rg_strv_join(roots, ", ", list, sizeof(list));
	if (roots->n == 0)
		strcpy(list, "none");
	rg_conscheck_quote(path, q1, sizeof(q1));
	/* Say where it really goes when that is not what it says. */
	if (strcmp(path, shown) == 0)
		return rg_conscheck_deny(k, "%s %s (allowed: %s)", phrase, q1, list);
	return rg_conscheck_deny(k, "%s %s, which resolves to %s (allowed: %s)", phrase, q1,
			rg_conscheck_quote(shown, q2, sizeof(q2)), list);
}

int rg_consmount_binds(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	char field[64], src[RG_HOSTPATH_MAX], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const json_t *binds = rg_json_get(hc, "Binds");
	const json_t *from = rg_json_get(hc, "VolumesFrom");
	long n;

	if (!rg_consmount_restricted(k->c))
		return 0;
	snprintf(field, sizeof(field), "%sBinds", prefix);
	n = rg_conscheck_strings(k, binds, field);
	if (n < 0)
		return -1;
	for (size_t i = 0; i < (size_t)n; i++) {
		const char *spec = rg_conscheck_str_at(binds, i);
		size_t len = strcspn(spec, ":");

		/* dockerd (ParseMountRaw): one part is a container path (an
		 * anonymous volume); a source starting with '/' is a host path;
		 * any other source names a volume. */
		if (spec[len] == '\0' || spec[0] != '/')
			continue;
		if (len >= sizeof(src))
			return rg_conscheck_deny(k, "mount host path %s (the path is too long)",
					rg_conscheck_quote(spec, q, sizeof(q)));
		memcpy(src, spec, len);
		src[len] = '\0';
		if (rg_consmount_host_path(k, src, "mount host path") < 0)
			return -1;
	}
	snprintf(field, sizeof(field), "%sVolumesFrom", prefix);
	n = rg_conscheck_strings(k, from, field);
	if (n < 0)
		return -1;
	if (n > 0)
		return rg_conscheck_deny(k, "mount the volumes of container %s (%s), whose host paths "
				"cannot be checked", rg_conscheck_quote(rg_conscheck_str_at(from, 0), q, sizeof(q)),
				field);
	return 0;
}

static int mount_volume(struct rg_conscheck *k, const json_t *m, const char *field)
{
	const json_t *vo, *dc, *opts;
	const char *driver;
	char f[128];

	snprintf(f, sizeof(f), "%s[].VolumeOptions", field);
	if (rg_conscheck_object(k, rg_json_get(m, "VolumeOptions"), f, &vo) < 0)
		return -1;
	snprintf(f, sizeof(f), "%s[].VolumeOptions.DriverConfig", field);
	if (rg_conscheck_object(k, rg_json_get(vo, "DriverConfig"), f, &dc) < 0)
		return -1;
	snprintf(f, sizeof(f), "%s[].VolumeOptions.DriverConfig.Name", field);
	if (rg_conscheck_string(k, rg_json_get(dc, "Name"), f, &driver) < 0)
		return -1;
	snprintf(f, sizeof(f), "%s[].VolumeOptions.DriverConfig.Options", field);
	opts = rg_json_get(dc, "Options");
	return rg_consmount_volume(k, driver, opts, f, "mount a volume that");
}

int rg_consmount_mounts(struct rg_conscheck *k, const json_t *mounts, const char *field)
{
	char f[128], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *type, *source;
	size_t i;
	json_t *m;

	if (is_unset(mounts))
		return 0;
	if (!json_is_array(mounts))
		return rg_conscheck_malformed(k, field, "a list of mounts");
	json_array_foreach(mounts, i, m) {
		if (is_unset(m))
			continue;    /* a zero Mount: dockerd refuses its empty type */
		if (!json_is_object(m))
			return rg_conscheck_malformed(k, field, "a list of mounts");
		snprintf(f, sizeof(f), "%s[].Type", field);
		if (rg_conscheck_string(k, rg_json_get(m, "Type"), f, &type) < 0)
			return -1;
		snprintf(f, sizeof(f), "%s[].Source", field);
		if (rg_conscheck_string(k, rg_json_get(m, "Source"), f, &source) < 0)
			return -1;
		if (strcasecmp(type, "bind") == 0 || strcasecmp(type, "npipe") == 0) {
			if (rg_consmount_host_path(k, source, "mount host path") < 0)
				return -1;
		} else if (strcasecmp(type, "volume") == 0) {
			if (mount_volume(k, m, field) < 0)
				return -1;
		} else if (strcasecmp(type, "image") == 0) {
			if (rg_conscheck_image(k, source, "mount image") < 0)
				return -1;
		} else if (strcasecmp(type, "tmpfs") != 0 && strcasecmp(type, "cluster") != 0 &&
				rg_consmount_restricted(k->c)) {
			/* dockerd refuses unknown types; so does this, rather than guess. */
			return rg_conscheck_deny(k, "use mount type '%s' (%s[].Type)",
					rg_conscheck_quote(type, q, sizeof(q)), field);
		}
	}
	return 0;
}

/* Whether the comma-separated mount options o ask for a bind mount. */
static bool has_bind(const char *o)
{
	while (*o != '\0') {
		size_t len = strcspn(o, ",");

		if ((len == 4 && strncasecmp(o, "bind", 4) == 0) ||
				(len == 5 && strncasecmp(o, "rbind", 5) == 0))
			return true;
		o += len;
		if (*o == ',')
			o++;
	}
	return false;
}

/* Filesystem types that, without a bind, reach no host path: a fresh tmpfs,
 * or a network share. */
static bool detached_type(const char *type)
{
	static const char *const types[] = { "tmpfs", "nfs", "nfs4", "cifs", "smb3" };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(type, types[i]) == 0)
			return true;
	}
	return false;
}

/* Checks every absolute path in the values of mount options o
 * ("lowerdir=/a:/b,upperdir=/c"). Sets *found when there was one. */
static int option_paths(struct rg_conscheck *k, const char *o, const char *phrase, bool *found)
{
	char path[RG_HOSTPATH_MAX];

	while (*o != '\0') {
		size_t len = strcspn(o, ",");
		const char *eq = memchr(o, '=', len);
		const char *v = eq != NULL ? eq + 1 : o + len;

		while (v < o + len) {
			size_t plen = strcspn(v, ":,");

			if (*v == '/') {
				*found = true;
				if (plen >= sizeof(path))
					return rg_conscheck_deny(k, "%s a host path that is too long", phrase);
				memcpy(path, v, plen);
				path[plen] = '\0';
				if (rg_consmount_host_path(k, path, phrase) < 0)
					return -1;
			}
			v += plen;
			if (*v == ':')
				v++;
		}
		o += len;
		if (*o == ',')
			o++;
	}
	return 0;
}

int rg_consmount_volume(struct rg_conscheck *k, const char *driver, const json_t *opts,
		const char *field, const char *phrase)
{
	char f[160], words[128], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *type, *o, *device;
	bool bind, found = false;

	if (!rg_consmount_restricted(k->c) || is_unset(opts))
		return 0;
	if (!json_is_object(opts))
		return rg_conscheck_malformed(k, field, "a map of strings");
	if (json_object_size(opts) == 0)
		return 0;
	if (driver[0] != '\0' && strcasecmp(driver, "local") != 0)
		return rg_conscheck_deny(k, "%s uses volume driver %s with options, which cannot be "
				"checked (%s)", phrase, rg_conscheck_quote(driver, q, sizeof(q)), field);
	/* The local driver reads exactly these keys (a Go map: exact spelling)
	 * and refuses any other. */
	snprintf(f, sizeof(f), "%s.type", field);
	if (rg_conscheck_string(k, json_object_get(opts, "type"), f, &type) < 0)
		return -1;
	snprintf(f, sizeof(f), "%s.o", field);
	if (rg_conscheck_string(k, json_object_get(opts, "o"), f, &o) < 0)
		return -1;
	snprintf(f, sizeof(f), "%s.device", field);
	if (rg_conscheck_string(k, json_object_get(opts, "device"), f, &device) < 0)
		return -1;
	bind = has_bind(o);
	if (!bind && (detached_type(type) || (type[0] == '\0' && device[0] == '\0')))
		return 0;
	/* mount(device, ..., type, o) from dockerd's mount namespace: with
	 * bind, device is a host path (a relative one from dockerd's "/"). */
	if (bind || device[0] == '/') {
		found = true;
		snprintf(words, sizeof(words), "%s binds host path", phrase);
		if (rg_consmount_host_path(k, device, words) < 0)
			return -1;
	}
	snprintf(words, sizeof(words), "%s mounts host path", phrase);
	if (option_paths(k, o, words, &found) < 0)
		return -1;
	if (!found)
		return rg_conscheck_deny(k, "%s mounts a '%s' filesystem from the host (%s.type)", phrase,
				rg_conscheck_quote(type, q, sizeof(q)), field);
	return 0;
}

/* Whether a plugin privilege could reach what k's constraints restrict. */
static bool host_restricted(const struct rg_constraints *c)
{
	return c->privileged == RG_NO || c->host_namespaces == RG_NO || c->devices == RG_NO ||
		(c->has_capabilities && !rg_strv_has(&c->capabilities, "ALL")) ||
		rg_consmount_restricted(c);
}

static int plugin_privilege(struct rg_conscheck *k, const char *name, const json_t *values,
		long n, const char *field)
{
	char words[128], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const struct rg_constraints *c = k->c;

	for (size_t i = 0; i < (size_t)n; i++) {
		const char *v = rg_conscheck_str_at(values, i);

		if (strcasecmp(name, "network") == 0) {
			if (c->host_namespaces == RG_NO && strcasecmp(v, "host") == 0)
				return rg_conscheck_deny(k, "%s that uses the host's network namespace (%s network=host)",
						k->what, field);
		} else if (strcasecmp(name, "mount") == 0) {
			snprintf(words, sizeof(words), "%s that mounts host path", k->what);
			if (rg_consmount_host_path(k, v, words) < 0)
				return -1;
		} else if (strcasecmp(name, "capabilities") == 0) {
			snprintf(words, sizeof(words), "%s with capability", k->what);
			if (rg_conscheck_capability(k, v, words) < 0)
				return -1;
		}
	}
	if ((strcasecmp(name, "host pid namespace") == 0 || strcasecmp(name, "host ipc namespace") == 0) &&
			c->host_namespaces == RG_NO)
		return rg_conscheck_deny(k, "%s that joins the %s (%s)", k->what, name, field);
	if ((strcasecmp(name, "device") == 0 || strcasecmp(name, "allow-all-devices") == 0) &&
			c->devices == RG_NO)
		return rg_conscheck_deny(k, "%s that uses host devices (%s %s)", k->what, field,
				rg_conscheck_quote(name, q, sizeof(q)));
	/* A plugin runs as root in the host's context: any privilege makes it
	 * a privileged container, and a privilege this code does not know is
	 * not assumed harmless. */
	if (c->privileged == RG_NO)
		return rg_conscheck_deny(k, "%s that asks for host privileges (%s %s)", k->what, field,
				rg_conscheck_quote(name, q, sizeof(q)));
	if (strcasecmp(name, "network") != 0 && strcasecmp(name, "mount") != 0 &&
	    strcasecmp(name, "capabilities") != 0 && strcasecmp(name, "host pid namespace") != 0 &&
	    strcasecmp(name, "host ipc namespace") != 0 && strcasecmp(name, "device") != 0 &&
	    strcasecmp(name, "allow-all-devices") != 0 && host_restricted(c))
		return rg_conscheck_deny(k, "%s that asks for the unknown privilege '%s' (%s)", k->what,
				rg_conscheck_quote(name, q, sizeof(q)), field);
	return 0;
}

int rg_consmount_plugin_privileges(struct rg_conscheck *k, const json_t *privs, const char *field)
{
	char f[128];
	const char *name;
	size_t i;
	json_t *p;

	if (!host_restricted(k->c) || is_unset(privs))
		return 0;
	if (!json_is_array(privs))
		return rg_conscheck_malformed(k, field, "a list of privileges");
	json_array_foreach(privs, i, p) {
		const json_t *values;
		long n;

		if (is_unset(p))
			continue;
		if (!json_is_object(p))
			return rg_conscheck_malformed(k, field, "a list of privileges");
		snprintf(f, sizeof(f), "%s[].Name", field);
		if (rg_conscheck_string(k, rg_json_get(p, "Name"), f, &name) < 0)
			return -1;
		snprintf(f, sizeof(f), "%s[].Value", field);
		values = rg_json_get(p, "Value");
		n = rg_conscheck_strings(k, values, f);
		if (n < 0)
			return -1;
		if (plugin_privilege(k, name, values, n, field) < 0)
			return -1;
	}
	return 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t slen = strlen(suffix);

	return len >= slen && strncasecmp(s + len - slen, suffix, slen) == 0;
}

int rg_consmount_plugin_settings(struct rg_conscheck *k, const json_t *args)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	long n = rg_conscheck_strings(k, args, "the settings");

	if (n < 0)
		return -1;
	for (size_t i = 0; i < (size_t)n; i++) {
		const char *s = rg_conscheck_str_at(args, i);
		size_t klen = strcspn(s, "=");

		if (s[klen] != '=')
			continue;
		/* "<mount>.source=/path" and "<device>.path=/dev/x" (moby's
		 * plugin settables) point a plugin at the host. */
		if (ends_with(s, klen, ".source") &&
				rg_consmount_host_path(k, s + klen + 1, "point a plugin mount at host path") < 0)
			return -1;
		if (ends_with(s, klen, ".path") && k->c->devices == RG_NO)
			return rg_conscheck_deny(k, "point a plugin device at host device %s",
					rg_conscheck_quote(s + klen + 1, q, sizeof(q)));
	}
	return 0;
}
