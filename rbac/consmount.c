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

/* Propagation that lets mounts cross between the host and the container
 * (shared and slave, and their recursive forms); private and rprivate keep
 * them apart. dockerd compares exactly; the checks ignore case. */
static const char *const shared_propagation[] = {
	"shared", "rshared", "slave", "rslave", NULL,
};

/* Mount flag words that make a bind mount. */
static const char *const bind_words[] = { "bind", "rbind", NULL };

/* Whether s[0..len) is an entry of the NULL-terminated list. */
static bool in_list(const char *const *list, const char *s, size_t len)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strlen(list[i]) == len && strncmp(list[i], s, len) == 0)
			return true;
	}
	return false;
}

static bool in_list_nocase(const char *const *list, const char *s, size_t len)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0)
			return true;
	}
	return false;
}

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

bool rg_consmount_restarts(const json_t *hc)
{
	const json_t *rp = rg_json_get(hc, "RestartPolicy"), *name;

	if (is_unset(rp))
		return false;
	name = rg_json_get(rp, "Name");
	if (!json_is_object(rp) || (!is_unset(name) && !json_is_string(name)))
		return true;
	return json_is_string(name) && json_string_value(name)[0] != '\0' &&
		strcmp(json_string_value(name), "no") != 0;
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
	switch (rg_hostpath_check(k->fs, roots, path, shown, sizeof(shown), &err)) {
	case RG_HOSTPATH_ALLOWED:
		return 0;
	case RG_HOSTPATH_ERROR:
		return rg_conscheck_deny(k, "%s %s (%s)", phrase, rg_conscheck_quote(path, q1, sizeof(q1)),
				err);
	case RG_HOSTPATH_SPECIAL:
		return rg_conscheck_deny(k, "%s %s, which is %s (only directories and regular files "
				"may be mounted)", phrase, rg_conscheck_quote(shown, q1, sizeof(q1)), err);
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

/* The mode part of a Binds entry ("src:dst:ro,rshared"): no shared or
 * slave propagation under bind_mounts. */
static int binds_propagation(struct rg_conscheck *k, const char *spec, const char *field)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *mode = strrchr(spec, ':');

	/* "src:dst" has no mode; the last ':' of "src:dst:mode" starts it. */
	if (mode == NULL || mode == spec + strcspn(spec, ":"))
		return 0;
	for (mode++; *mode != '\0';) {
		size_t len = strcspn(mode, ",");

		if (in_list_nocase(shared_propagation, mode, len))
			return rg_conscheck_deny(k, "mount %s with %.*s propagation (only private or "
					"rprivate under bind_mounts) (%s)", rg_conscheck_quote(spec, q, sizeof(q)),
					(int)len, mode, field);
		mode += len;
		if (*mode == ',')
			mode++;
	}
	return 0;
}

int rg_consmount_binds(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	char field[64], src[RG_HOSTPATH_MAX], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const json_t *binds = rg_json_get(hc, "Binds");
	const json_t *from = rg_json_get(hc, "VolumesFrom");
	long n;

	if (!rg_consmount_restricted(k->c))
		return 0;
	rg_conscheck_field(field, sizeof(field), prefix, "Binds");
	n = rg_conscheck_strings(k, binds, field);
	if (n < 0)
		return -1;
	for (size_t i = 0; i < (size_t)n; i++) {
		const char *spec = rg_conscheck_str_at(binds, i);
		size_t len = strcspn(spec, ":");

		/* dockerd (ParseMountRaw): one part is a container path (an
		 * anonymous volume); a source starting with '/' is a host path;
		 * any other source names a volume. */
		if (spec[len] == '\0')
			continue;
		if (binds_propagation(k, spec, field) < 0)
			return -1;
		if (spec[0] != '/')
			continue;
		if (len >= sizeof(src))
			return rg_conscheck_deny(k, "mount host path %s (the path is too long)",
					rg_conscheck_quote(spec, q, sizeof(q)));
		memcpy(src, spec, len);
		src[len] = '\0';
		if (rg_consmount_host_path(k, src, "mount host path") < 0)
			return -1;
	}
	rg_conscheck_field(field, sizeof(field), prefix, "VolumesFrom");
	n = rg_conscheck_strings(k, from, field);
	if (n < 0)
		return -1;
	if (n > 0)
		return rg_conscheck_deny(k, "mount the volumes of container %s (%s), whose host paths "
				"cannot be checked", rg_conscheck_quote(rg_conscheck_str_at(from, 0), q, sizeof(q)),
				field);
	return 0;
}

/*
 * runc finds in the container's /dev what it confines the container with:
 * it masks the kernel's paths (/proc/kcore, /proc/keys, /proc/timer_list...)
 * by binding /dev/null over them, and binds the terminal on /dev/console.
 * A volume or host directory mounted at /dev is shared with whoever else
 * mounts it (another container, a user on the host), and runc before
 * 1.2.8/1.3.3 follows a symlink left there as /dev/null (CVE-2025-31133)
 * or /dev/console (CVE-2025-52565): the masks then show what the symlink
 * names (red team round 11 read /proc/timer_list through /proc/keys). So a
 * bind or volume may not be mounted at /dev or under it; a tmpfs, the
 * container's own, may. dockerd cleans the target as path.Clean does.
 */
static int dev_target(struct rg_conscheck *k, const char *target, size_t len, const char *field)
{
	char t[RG_HOSTPATH_MAX], clean[RG_HOSTPATH_MAX], q[RG_CONSCHECK_QUOTE_MAX + 1];

	if (len >= sizeof(t))
		return rg_conscheck_deny(k, "mount a volume at a path that is too long (%s)", field);
	memcpy(t, target, len);
	t[len] = '\0';
	if (rg_hostpath_clean(t, clean, sizeof(clean)) < 0)
		return rg_conscheck_deny(k, "mount a volume at a path that is too long (%s)", field);
	if (strcmp(clean, "/dev") != 0 && strncmp(clean, "/dev/", 5) != 0)
		return 0;
	return rg_conscheck_deny(k, "mount a volume or host path at %s (%s): runc masks the "
			"kernel's paths with the /dev/null it finds there, which a shared mount can replace "
			"(unconfined; a tmpfs is fine)",
			rg_conscheck_quote(t, q, sizeof(q)), field);
}

int rg_consmount_dev_targets(struct rg_conscheck *k, const json_t *hc, const json_t *config,
		const char *prefix)
{
	char field[64];
	const json_t *binds, *mounts, *vols, *m, *unused;
	const char *type, *target, *key;
	long n;
	size_t i;

	if (k->c->unconfined != RG_NO)
		return 0;
	rg_conscheck_field(field, sizeof(field), prefix, "Binds");
	binds = rg_json_get(hc, "Binds");
	n = rg_conscheck_strings(k, binds, field);
	if (n < 0)
		return -1;
	for (i = 0; i < (size_t)n; i++) {
		/* ParseMountRaw: "dst" (an anonymous volume), "src:dst", "src:dst:mode" */
		const char *spec = rg_conscheck_str_at(binds, i);
		const char *dst = strchr(spec, ':') != NULL ? strchr(spec, ':') + 1 : spec;

		if (dev_target(k, dst, strcspn(dst, ":"), field) < 0)
			return -1;
	}
	rg_conscheck_field(field, sizeof(field), prefix, "Mounts[].Target");
	mounts = rg_json_get(hc, "Mounts");
	if (json_is_array(mounts)) {
		json_array_foreach(mounts, i, m) {
			if (!json_is_object(m))
				continue;    /* refused or ignored by rg_consmount_mounts() */
			if (rg_conscheck_string(k, rg_json_get(m, "Type"), field, &type) < 0 ||
			    rg_conscheck_string(k, rg_json_get(m, "Target"), field, &target) < 0)
				return -1;
			if (strcasecmp(type, "tmpfs") != 0 &&
			    dev_target(k, target, strlen(target), field) < 0)
				return -1;
		}
	}
	/* Config.Volumes: anonymous volumes, shared by their id. */
	vols = config != NULL ? rg_json_get(config, "Volumes") : NULL;
	if (json_is_object(vols)) {
		json_object_foreach((json_t *)vols, key, unused) {
			if (dev_target(k, key, strlen(key), "Volumes") < 0)
				return -1;
		}
	}
	return 0;
}

static int mount_volume(struct rg_conscheck *k, const json_t *m, const char *field)
{
	const json_t *vo, *dc, *opts;
	const char *driver;
	char f[128];

	rg_conscheck_field(f, sizeof(f), field, "[].VolumeOptions");
	if (rg_conscheck_object(k, rg_json_get(m, "VolumeOptions"), f, &vo) < 0)
		return -1;
	rg_conscheck_field(f, sizeof(f), field, "[].VolumeOptions.DriverConfig");
	if (rg_conscheck_object(k, rg_json_get(vo, "DriverConfig"), f, &dc) < 0)
		return -1;
	rg_conscheck_field(f, sizeof(f), field, "[].VolumeOptions.DriverConfig.Name");
	if (rg_conscheck_string(k, rg_json_get(dc, "Name"), f, &driver) < 0)
		return -1;
	rg_conscheck_field(f, sizeof(f), field, "[].VolumeOptions.DriverConfig.Options");
	opts = rg_json_get(dc, "Options");
	return rg_consmount_volume(k, driver, opts, f, "mount a volume that");
}

/* Mounts[].BindOptions.Propagation: private or rprivate (or unset). */
static int bind_options(struct rg_conscheck *k, const json_t *m, const char *field)
{
	char f[128], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const json_t *bo;
	const char *prop;

	if (!rg_consmount_restricted(k->c))
		return 0;
	rg_conscheck_field(f, sizeof(f), field, "[].BindOptions");
	if (rg_conscheck_object(k, rg_json_get(m, "BindOptions"), f, &bo) < 0)
		return -1;
	rg_conscheck_field(f, sizeof(f), field, "[].BindOptions.Propagation");
	if (rg_conscheck_string(k, rg_json_get(bo, "Propagation"), f, &prop) < 0)
		return -1;
	if (prop[0] == '\0' || strcasecmp(prop, "private") == 0 || strcasecmp(prop, "rprivate") == 0)
		return 0;
	return rg_conscheck_deny(k, "mount with %s propagation (only private or rprivate under "
			"bind_mounts) (%s)", rg_conscheck_quote(prop, q, sizeof(q)), f);
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
		rg_conscheck_field(f, sizeof(f), field, "[].Type");
		if (rg_conscheck_string(k, rg_json_get(m, "Type"), f, &type) < 0)
			return -1;
		rg_conscheck_field(f, sizeof(f), field, "[].Source");
		if (rg_conscheck_string(k, rg_json_get(m, "Source"), f, &source) < 0)
			return -1;
		if (bind_options(k, m, field) < 0)
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

/*
 * Local volumes (moby volume/local). dockerd mounts DriverOpts "device" on
 * the volume's directory with filesystem "type" and options "o", from its
 * own mount namespace and working directory ("/"): every host path in
 * them reaches the host, a relative one from "/". moby/sys/mount turns the
 * flag words of "o" into mount flags and passes every other option to the
 * filesystem as data. Each part is judged below; an option that cannot be
 * classified is refused, never passed.
 */

/* Flag words of moby/sys/mount that change nothing reaching the host. */
static const char *const safe_flags[] = {
	"defaults", "ro", "rw", "nosuid", "nodev", "noexec", "sync", "async", "dirsync",
	"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime",
	"strictatime", "nostrictatime", "private", "rprivate", NULL,
};


/* tmpfs options: sizes, modes and owners, never a path. */
static const char *const tmpfs_keys[] = {
	"size", "nr_blocks", "nr_inodes", "mode", "uid", "gid", "huge", "mpol", NULL,
};
static const char *const tmpfs_words[] = { "inode32", "inode64", "noswap", NULL };

/* overlay options: the three directory options, and switches. */
static const char *const overlay_path_keys[] = { "lowerdir", "upperdir", "workdir", NULL };
static const char *const overlay_keys[] = {
	"redirect_dir", "index", "metacopy", "xino", "nfs_export", "uuid", NULL,
};
static const char *const overlay_words[] = { "volatile", "userxattr", NULL };

/* Network filesystems: the host kernel mounts them from the host's network
 * namespace (addr= may name the host itself or a server that trusts the
 * host), and cifs reads credentials= files on the host. */
static const char *const network_types[] = {
	"nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "9p", NULL,
};

/* Whether the comma-separated mount options o ask for a bind mount. */
static bool has_bind(const char *o)
{
	while (*o != '\0') {
		size_t len = strcspn(o, ",");

		if (in_list_nocase(bind_words, o, len))
			return true;
		o += len;
		if (*o == ',')
			o++;
	}
	return false;
}

/*
 * One host path named in a volume's options (path[0..len)): it must be
 * absolute (the kernel resolves a relative one from dockerd's working
 * directory, "/"), and then is judged like a bind source.
 */
static int option_path(struct rg_conscheck *k, const char *path, size_t len, const char *phrase)
{
	char p[RG_HOSTPATH_MAX], resolved[RG_HOSTPATH_MAX];
	char q[RG_CONSCHECK_QUOTE_MAX + 1], q2[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *err = "";

	if (len == 0)
		return rg_conscheck_deny(k, "%s '' (an empty path)", phrase);
	if (len >= sizeof(p))
		return rg_conscheck_deny(k, "%s a host path that is too long", phrase);
	memcpy(p, path, len);
	p[len] = '\0';
	if (p[0] != '/') {
		if (rg_hostpath_resolve(k->fs, p, resolved, sizeof(resolved), &err) < 0)
			return rg_conscheck_deny(k, "%s %s (relative, and %s)", phrase,
					rg_conscheck_quote(p, q, sizeof(q)), err);
		return rg_conscheck_deny(k, "%s %s (relative, resolves to %s)", phrase,
				rg_conscheck_quote(p, q, sizeof(q)), rg_conscheck_quote(resolved, q2, sizeof(q2)));
	}
	return rg_consmount_host_path(k, p, phrase);
}

enum fs_kind {
	FS_NONE,      /* nothing is mounted */
	FS_BIND,      /* device is a host path */
	FS_TMPFS,
	FS_OVERLAY,
};

/* Judges the options o of a volume of kind fs. */
static int volume_options(struct rg_conscheck *k, const char *o, enum fs_kind fs,
		const char *field, const char *phrase)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1], words[160], opt[256];

	rg_conscheck_field(words, sizeof(words), phrase, " mounts host path");
	while (*o != '\0') {
		size_t len = strcspn(o, ",");
		const char *eq = memchr(o, '=', len);
		size_t klen = eq != NULL ? (size_t)(eq - o) : len;
		const char *v = eq != NULL ? eq + 1 : NULL;
		size_t vlen = eq != NULL ? len - klen - 1 : 0;

		snprintf(opt, sizeof(opt), "%.*s", (int)(len < 200 ? len : 200), o);
		rg_conscheck_quote(opt, q, sizeof(q));
		if (len == 0)
			goto next;
		/* The kernel's option parsers take '\' as an escape (overlay's
		 * "\:" and "\,"): a value read two ways is refused. */
		if (memchr(o, '\\', len) != NULL)
			return rg_conscheck_deny(k, "%s uses the mount option %s, whose escapes cannot "
					"be checked (%s.o)", phrase, q, field);
		if (v == NULL && in_list_nocase(shared_propagation, o, len))
			return rg_conscheck_deny(k, "%s uses %s mount propagation (only private or "
					"rprivate under bind_mounts) (%s.o)", phrase, q, field);
		if (v == NULL && (in_list(safe_flags, o, len) ||
				(fs == FS_BIND && in_list_nocase(bind_words, o, len)) ||
				(fs == FS_TMPFS && in_list(tmpfs_words, o, len)) ||
				(fs == FS_OVERLAY && in_list(overlay_words, o, len))))
			goto next;
		if (v != NULL && fs == FS_TMPFS && in_list(tmpfs_keys, o, klen) &&
				memchr(v, '/', vlen) == NULL)
			goto next;
		if (v != NULL && fs == FS_OVERLAY && in_list(overlay_keys, o, klen) &&
				memchr(v, '/', vlen) == NULL)
			goto next;
		if (v != NULL && fs == FS_OVERLAY && in_list(overlay_path_keys, o, klen)) {
			/* lowerdir is a ':'-separated list; the others one path. */
			while (true) {
				size_t plen = strcspn(v, ":,");

				if (plen > vlen)
					plen = vlen;
				if (option_path(k, v, plen, words) < 0)
					return -1;
				if (plen >= vlen || v[plen] != ':')
					break;
				vlen -= plen + 1;
				v += plen + 1;
			}
			goto next;
		}
		if (v != NULL && memchr(v, '/', vlen) != NULL)
			return rg_conscheck_deny(k, "%s passes the host path option %s, which cannot be "
					"checked (%s.o)", phrase, q, field);
		return rg_conscheck_deny(k, "%s uses the mount option %s, which cannot be checked "
				"(%s.o)", phrase, q, field);
next:
		o += len;
		if (*o == ',')
			o++;
	}
	return 0;
}

/*
 * A tmpfs size= value as the kernel's memparse reads it, in bytes; -1 for
 * what is not judged here: 0 (no limit), a percentage of the host's
 * memory, hex or octal spellings, anything but digits and one suffix.
 */
static long long tmpfs_bytes(const char *v, size_t len)
{
	static const char suffixes[] = "kmgtpe";
	unsigned long long n = 0;
	size_t i = 0;

	if (len == 0 || v[0] == '0')
		return -1;
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > 100000000000000000ULL)   /* 1e17: no overflow below */
			return -1;
		n = n * 10 + (unsigned)(v[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i + 1 == len) {
		const char *s = strchr(suffixes, v[i] | 0x20);

		if (s == NULL || *s == '\0')
			return -1;
		for (long shift = (s - suffixes + 1) * 10; shift > 0; shift -= 10) {
			if (n > (1ULL << 53))
				return -1;
			n <<= 10;
		}
	} else if (i != len) {
		return -1;
	}
	return n > (1ULL << 62) ? -1 : (long long)n;
}

/*
 * max_limits on a local tmpfs volume: its pages are charged to the
 * container that writes them, and stay in the host's memory after that
 * container is gone, as long as any container keeps the volume mounted
 * (red team round 12: four -m 64m containers left 200 MB in one; without
 * size= the kernel allows half the host's memory). So it must carry a
 * size= at most max_limits.memory, as a container would. size= bounds
 * pages only: each file's inode and dentry are kernel memory, charged and
 * kept the same way, and the kernel's default nr_inodes is half the host's
 * pages (red team round 16: three -m 64m containers left 208 714 empty
 * files, 220 MB of slab, in a size=64m volume that df showed empty). So it
 * must carry nr_inodes= too, at most max_limits.memory /
 * RG_CONSMOUNT_TMPFS_INODE_BYTES.
 */
static int tmpfs_volume_size(struct rg_conscheck *k, const char *driver, const json_t *opts,
		const char *field, const char *phrase)
{
	long long max = k->c->max_memory, size = -2, inodes = -2;
	char q[RG_CONSCHECK_QUOTE_MAX + 1], opt[256];
	const json_t *type, *o;
	const char *s;

	if (max <= 0 || is_unset(opts) || !json_is_object(opts) ||
	    (driver[0] != '\0' && strcasecmp(driver, "local") != 0))
		return 0;
	type = json_object_get(opts, "type");
	o = json_object_get(opts, "o");
	if (!json_is_string(type) || strcmp(json_string_value(type), "tmpfs") != 0)
		return 0;
	/* Go decodes "o": null as "", a tmpfs without size= (review of round 12) */
	if (o != NULL && !json_is_string(o) && !json_is_null(o))
		return rg_conscheck_malformed(k, field, "a map of strings");
	s = json_is_string(o) ? json_string_value(o) : "";
	if (has_bind(s))
		return 0;
	/* The kernel takes the last size= or nr_blocks=: each is judged. */
	while (*s != '\0') {
		size_t len = strcspn(s, ","), n = len < 200 ? len : 200;

		/* a copy, not snprintf("%.*s"): gcc -fsanitize=undefined warns of a NULL there */
		memcpy(opt, s, n);
		opt[n] = '\0';
		rg_conscheck_quote(opt, q, sizeof(q));
		if (len >= 10 && strncmp(s, "nr_blocks=", 10) == 0)
			return rg_conscheck_deny(k, "%s is a tmpfs sized by %s: give size= at most "
					"max_limits.memory (%lld bytes) (%s.o)", phrase, q, max, field);
		if (len >= 5 && strncmp(s, "size=", 5) == 0) {
			size = tmpfs_bytes(s + 5, len - 5);
			if (size < 0 || size > max)
				return rg_conscheck_deny(k, "%s is a tmpfs of %s: the host keeps its pages "
						"after the container that wrote them is gone; at most "
						"max_limits.memory (%lld bytes) (%s.o)", phrase, q, max, field);
		}
		if (len >= 10 && strncmp(s, "nr_inodes=", 10) == 0) {
			inodes = tmpfs_bytes(s + 10, len - 10);
			if (inodes < 0 || inodes > max / RG_CONSMOUNT_TMPFS_INODE_BYTES)
				return rg_conscheck_deny(k, "%s is a tmpfs of %s: each file is kernel "
						"memory the host keeps after the container that made it is gone; "
						"at most max_limits.memory / %lld (%lld) (%s.o)", phrase, q,
						RG_CONSMOUNT_TMPFS_INODE_BYTES,
						max / RG_CONSMOUNT_TMPFS_INODE_BYTES, field);
		}
		s += len;
		if (*s == ',')
			s++;
	}
	if (inodes == -2 && size != -2)
		return rg_conscheck_deny(k, "%s is a tmpfs without nr_inodes= (as many files as half "
				"the host's memory pages): each file is kernel memory the host keeps after the "
				"container that made it is gone; give nr_inodes= at most %lld, e.g. "
				"o=size=64m,nr_inodes=16k (%s.o)", phrase,
				max / RG_CONSMOUNT_TMPFS_INODE_BYTES, field);
	if (size == -2)
		return rg_conscheck_deny(k, "%s is a tmpfs without size= (half the host's memory): "
				"the host keeps its pages after the container that wrote them is gone; "
				"give size= at most max_limits.memory (%lld bytes) (%s.o)", phrase, max, field);
	return 0;
}

int rg_consmount_volume(struct rg_conscheck *k, const char *driver, const json_t *opts,
		const char *field, const char *phrase)
{
	char f[160], words[160], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *type, *o, *device, *key;
	enum fs_kind fs;
	json_t *val;

	if (tmpfs_volume_size(k, driver, opts, field, phrase) < 0)
		return -1;
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
	 * and refuses any other; so does this. */
	json_object_foreach((json_t *)opts, key, val) {
		static const char *const keys[] = { "type", "o", "device", "size", NULL };

		snprintf(f, sizeof(f), "%s.%s", field, key);
		if (!json_is_string(val) && !json_is_null(val))
			return rg_conscheck_malformed(k, f, "a string");
		if (!in_list(keys, key, strlen(key)))
			return rg_conscheck_deny(k, "%s sets the volume option %s, which cannot be "
					"checked (%s)", phrase, rg_conscheck_quote(key, q, sizeof(q)), field);
	}
	rg_conscheck_field(f, sizeof(f), field, ".type");
	if (rg_conscheck_string(k, json_object_get(opts, "type"), f, &type) < 0)
		return -1;
	rg_conscheck_field(f, sizeof(f), field, ".o");
	if (rg_conscheck_string(k, json_object_get(opts, "o"), f, &o) < 0)
		return -1;
	rg_conscheck_field(f, sizeof(f), field, ".device");
	if (rg_conscheck_string(k, json_object_get(opts, "device"), f, &device) < 0)
		return -1;
	rg_conscheck_quote(type, q, sizeof(q));
	/* dockerd mounts only when device or type is set. */
	if (type[0] == '\0' && device[0] == '\0')
		fs = FS_NONE;
	else if (has_bind(o))
		fs = FS_BIND;   /* the kernel ignores the type of a bind */
	else if (strcmp(type, "tmpfs") == 0)
		fs = FS_TMPFS;
	else if (strcmp(type, "overlay") == 0)
		fs = FS_OVERLAY;
	else if (in_list(network_types, type, strlen(type)))
		return rg_conscheck_deny(k, "%s mounts the network filesystem type %s, which the host "
				"mounts from its own network with its own files (%s.type)", phrase, q, field);
	else if (type[0] == '\0')
		return rg_conscheck_deny(k, "%s mounts device %s without a filesystem type (%s.type)",
				phrase, rg_conscheck_quote(device, q, sizeof(q)), field);
	else
		return rg_conscheck_deny(k, "%s mounts filesystem type %s from the host: a block "
				"device or kernel state; only bind, tmpfs and overlay volumes can be checked "
				"(%s.type)", phrase, q, field);
	if (fs == FS_NONE)
		return 0;
	if (fs == FS_BIND) {
		rg_conscheck_field(words, sizeof(words), phrase, " binds host path");
		if (option_path(k, device, strlen(device), words) < 0)
			return -1;
	}
	/* tmpfs and overlay ignore device (it is only the name the mount
	 * shows); one that looks like a path is judged all the same. */
	if (fs != FS_BIND && strchr(device, '/') != NULL) {
		rg_conscheck_field(words, sizeof(words), phrase, " names host path");
		if (option_path(k, device, strlen(device), words) < 0)
			return -1;
	}
	snprintf(f, sizeof(f), "%s", field);
	return volume_options(k, o, fs, f, phrase);
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
		rg_conscheck_field(f, sizeof(f), field, "[].Name");
		if (rg_conscheck_string(k, rg_json_get(p, "Name"), f, &name) < 0)
			return -1;
		rg_conscheck_field(f, sizeof(f), field, "[].Value");
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
		size_t dot = klen;

		/* moby's newSettable: the field follows the name's last '.'
		 * (not a leading one; dot is one past it, 0 for none). Without
		 * a field, or with an empty one ("data.="), dockerd sets the
		 * settable's only field, a mount's source or a device's path:
		 * "data=/etc" pointed an operator's plugin mount at the host's
		 * /etc (red team round 10). What the name is (variable, mount,
		 * device) is in the plugin's config, unseen: refused. */
		while (dot > 0 && s[dot - 1] != '.')
			dot--;
		if ((dot <= 1 || dot == klen) &&
				(rg_consmount_restricted(k->c) || k->c->devices == RG_NO))
			return rg_conscheck_deny(k, "configure plugin setting %s without naming its field "
					"(dockerd then sets a mount's source or a device's path): write "
					"NAME.value= for a variable or argument, NAME.source= for a mount",
					rg_conscheck_quote(s, q, sizeof(q)));
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
