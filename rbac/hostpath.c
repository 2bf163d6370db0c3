/*
 * Host paths judged by where the kernel's walk ends. See
 * include/rolegate/hostpath.h. Every look at the host goes through the
 * struct rg_fs the caller passes (hostfs.h): this file makes no system call.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rolegate/hostpath.h"

static const char no_view[] = "the host's filesystem cannot be examined: no view of it was given";

static bool usable(const struct rg_fs *fs)
{
	return fs != NULL && fs->lstat != NULL && fs->readlink != NULL;
}

/* The next component of p (skipping slashes): its start, and *len; NULL at the end. */
static const char *next_component(const char *p, size_t *len)
{
	while (*p == '/')
		p++;
	if (*p == '\0')
		return NULL;
	*len = strcspn(p, "/");
	return p;
}

/*
 * A path under construction is kept without its leading "/": "" is the
 * root, "/a/b" is two components. push appends one, pop drops the last
 * (never above the root, as ".." at "/" stays at "/").
 */
static int push(char *out, size_t *n, size_t outlen, const char *comp, size_t len)
{
	if (*n + 1 + len + 1 > outlen)
		return -1;
	out[(*n)++] = '/';
	memcpy(out + *n, comp, len);
	*n += len;
	out[*n] = '\0';
	return 0;
}

static void pop(char *out, size_t *n)
{
	while (*n > 0 && out[--*n] != '/')
		;
	out[*n] = '\0';
}

static int finish(char *out, size_t n, size_t outlen)
{
	if (n > 0)
		return 0;
	if (outlen < 2)
		return -1;
	strcpy(out, "/");
	return 0;
}

int rg_hostpath_clean(const char *path, char *out, size_t outlen)
{
	const char *comp;
	size_t len, n = 0;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	while ((comp = next_component(path, &len)) != NULL) {
		path = comp + len;
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.')
			pop(out, &n);
		else if (push(out, &n, outlen, comp, len) < 0)
			return -1;
	}
	return finish(out, n, outlen);
}

/* Adds the depth of path (the lookups an lstat of it costs) to *steps;
 * -1 past RG_HOSTPATH_MAX_STEPS. */
static int walk_steps(const char *path, unsigned long *steps)
{
	for (; *path != '\0'; path++) {
		if (*path == '/')
			++*steps;
	}
	return *steps > RG_HOSTPATH_MAX_STEPS ? -1 : 0;
}

int rg_hostpath_resolve(const struct rg_fs *fs, const char *path, char *out, size_t outlen,
		const char **errstr)
{
	char rest[2 * RG_HOSTPATH_MAX];   /* what is left to walk */
	char target[RG_HOSTPATH_MAX];
	const char *p = rest, *comp;
	size_t len, n = 0;
	int links = 0;
	bool missing = false;
	unsigned long steps = 0;

	if (!usable(fs)) {
		*errstr = no_view;
		return -1;
	}
	if (outlen == 0 || strlen(path) >= sizeof(rest)) {
		*errstr = "the path is too long";
		return -1;
	}
	strcpy(rest, path);
	out[0] = '\0';
	while ((comp = next_component(p, &len)) != NULL) {
		struct stat st;
		ssize_t tlen;
		int err;

		p = comp + len;
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			pop(out, &n);
			continue;
		}
		if (push(out, &n, outlen, comp, len) < 0) {
			*errstr = "the path is too long";
			return -1;
		}
		/* Past the first missing component there is nothing to follow. */
		if (missing)
			continue;
		if (walk_steps(out, &steps) < 0) {
			*errstr = "the path takes too many steps to resolve";
			return -1;
		}
		if ((err = fs->lstat(fs->arg, out, &st)) != 0) {
			if (err == ENOENT || err == ENOTDIR) {
				missing = true;
				continue;
			}
			*errstr = "a component of the path cannot be examined";
			return -1;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > RG_HOSTPATH_MAX_LINKS) {
			*errstr = "the path has too many levels of symbolic links";
			return -1;
		}
		tlen = fs->readlink(fs->arg, out, target, sizeof(target));
		if (tlen < 0 || (size_t)tlen >= sizeof(target)) {
			*errstr = "a symbolic link in the path cannot be read";
			return -1;
		}
		target[tlen] = '\0';
		/* The link is replaced by its target, walked from the link's
		 * directory (or from "/"), then the rest of the path. */
		pop(out, &n);
		if (target[0] == '/') {
			n = 0;
			out[0] = '\0';
		}
		if (strlen(target) + 1 + strlen(p) >= sizeof(rest)) {
			*errstr = "the path is too long";
			return -1;
		}
		memmove(rest + strlen(target) + 1, p, strlen(p) + 1);
		memcpy(rest, target, strlen(target));
		rest[strlen(target)] = '/';
		p = rest;
	}
	if (finish(out, n, outlen) < 0) {
		*errstr = "the path is too long";
		return -1;
	}
	return 0;
}

bool rg_hostpath_under(const char *path, const char *root)
{
	size_t rlen = strlen(root);

	if (strcmp(root, "/") == 0)
		return path[0] == '/';
	return rlen > 0 && strncmp(path, root, rlen) == 0 && (path[rlen] == '\0' || path[rlen] == '/');
}

static bool under_any(const struct rg_strv *roots, const char *path)
{
	char root[RG_HOSTPATH_MAX];

	for (size_t i = 0; i < roots->n; i++) {
		if (rg_hostpath_clean(roots->v[i], root, sizeof(root)) == 0 &&
				rg_hostpath_under(path, root))
			return true;
	}
	return false;
}

/*
 * What the resolved path names when that is neither a directory nor a
 * regular file with one name (NULL for those, and for a path that does not
 * exist yet: dockerd creates a missing bind source as a directory). The walk above
 * left no symlink in it, so lstat sees the object the kernel would mount.
 */
static const char *special_kind(const struct rg_fs *fs, const char *resolved)
{
	struct stat st;
	int err = fs->lstat(fs->arg, resolved, &st);

	if (err != 0)
		return err == ENOENT || err == ENOTDIR ? NULL : "cannot be examined";
	if (S_ISDIR(st.st_mode))
		return NULL;
	/* A second name of a file elsewhere (ln /etc/shadow, where the kernel's
	 * protected_hardlinks is off) is that file, wherever the link lies. */
	if (S_ISREG(st.st_mode))
		return st.st_nlink > 1 ? "a file with other hard links (the same file may live "
			"outside the allowed directories)" : NULL;
	if (S_ISBLK(st.st_mode))
		return "a block device node";
	if (S_ISCHR(st.st_mode))
		return "a character device node";
	if (S_ISSOCK(st.st_mode))
		return "a socket";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO";
	return "neither a directory nor a regular file";
}

enum rg_hostpath_verdict rg_hostpath_check(const struct rg_fs *fs, const struct rg_strv *roots,
		const char *path, char *shown, size_t shownlen, const char **errstr)
{
	char cleaned[RG_HOSTPATH_MAX];
	char readings[2][RG_HOSTPATH_MAX];

	snprintf(shown, shownlen, "%s", path);
	if (rg_hostpath_clean(path, cleaned, sizeof(cleaned)) < 0) {
		*errstr = "the path is too long";
		return RG_HOSTPATH_ERROR;
	}
	if (rg_hostpath_resolve(fs, cleaned, readings[0], sizeof(readings[0]), errstr) < 0 ||
			rg_hostpath_resolve(fs, path, readings[1], sizeof(readings[1]), errstr) < 0)
		return RG_HOSTPATH_ERROR;
	for (size_t i = 0; i < 2; i++) {
		if (!under_any(roots, readings[i])) {
			snprintf(shown, shownlen, "%s", readings[i]);
			return RG_HOSTPATH_OUTSIDE;
		}
	}
	for (size_t i = 0; i < 2; i++) {
		const char *kind = special_kind(fs, readings[i]);

		if (kind != NULL) {
			snprintf(shown, shownlen, "%s", readings[i]);
			*errstr = kind;
			return RG_HOSTPATH_SPECIAL;
		}
	}
	snprintf(shown, shownlen, "%s", readings[0]);
	return RG_HOSTPATH_ALLOWED;
}
