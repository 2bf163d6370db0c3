/*
 * A host filesystem made of a table (fakefs.h), answering the two
 * questions of hostfs.h as lstat(2) and readlink(2) would.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakefs.h"

static char *copy(const char *s)
{
	char *c = s != NULL ? strdup(s) : NULL;

	if (s != NULL && c == NULL) {
		fprintf(stderr, "fakefs: out of memory\n");
		exit(1);
	}
	return c;
}

static void push(struct fakefs *f, const struct fakefs_entry *e)
{
	struct fakefs_entry *v = realloc(f->v, (f->n + 1) * sizeof(*v));

	if (v == NULL) {
		fprintf(stderr, "fakefs: out of memory\n");
		exit(1);
	}
	f->v = v;
	f->v[f->n] = *e;
	f->v[f->n].path = copy(e->path);
	f->v[f->n].target = copy(e->target);
	f->n++;
}

void fakefs_load(struct fakefs *f, const struct fakefs_entry *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		push(f, &table[i]);
}

void fakefs_add(struct fakefs *f, mode_t mode, const char *target, const char *fmt, ...)
{
	char path[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	push(f, &(struct fakefs_entry){ .path = path, .mode = mode, .target = target });
}

struct fakefs_entry *fakefs_last(struct fakefs *f)
{
	return f->n > 0 ? &f->v[f->n - 1] : NULL;
}

/* The entry for path[0..len) exactly, or NULL. */
static const struct fakefs_entry *find(const struct fakefs *f, const char *path, size_t len)
{
	for (size_t i = f->n; i-- > 0;) {
		if (strlen(f->v[i].path) == len && strncmp(f->v[i].path, path, len) == 0)
			return &f->v[i];
	}
	return NULL;
}

/* Whether path[0..len) is a proper prefix (whole components) of some entry. */
static bool implied_dir(const struct fakefs *f, const char *path, size_t len)
{
	if (len == 1 && path[0] == '/')
		return true;
	for (size_t i = 0; i < f->n; i++) {
		if (strlen(f->v[i].path) > len && strncmp(f->v[i].path, path, len) == 0 &&
		    f->v[i].path[len] == '/')
			return true;
	}
	return false;
}

/*
 * What path names: its entry (NULL for a directory that is only implied),
 * or an errno value, looking at each directory on the way as the kernel
 * would.
 */
static int lookup(struct fakefs *f, const char *path, const struct fakefs_entry **out)
{
	size_t len = strlen(path);

	*out = NULL;
	if (path[0] != '/')
		return EINVAL;
	/* Every directory above path, shortest first. */
	for (size_t i = 1; i < len; i++) {
		const struct fakefs_entry *e;

		if (path[i] != '/')
			continue;
		e = find(f, path, i);
		if (e != NULL && e->err != 0)
			return e->err;
		if (e != NULL && S_ISLNK(e->mode)) {
			f->unmodelled++;
			return EIO;
		}
		if (e != NULL && !S_ISDIR(e->mode))
			return ENOTDIR;
		if (e == NULL && !implied_dir(f, path, i))
			return ENOENT;
	}
	*out = find(f, path, len);
	if (*out != NULL)
		return (*out)->err;
	return implied_dir(f, path, len) ? 0 : ENOENT;
}

static int fake_lstat(void *arg, const char *path, struct stat *st)
{
	struct fakefs *f = arg;
	const struct fakefs_entry *e;
	int err;

	f->lstats++;
	err = lookup(f, path, &e);
	if (err != 0)
		return err;
	memset(st, 0, sizeof(*st));
	st->st_mode = (e != NULL ? e->mode : S_IFDIR) | 0755;
	st->st_nlink = e != NULL && e->nlink != 0 ? e->nlink : 1;
	return 0;
}

static ssize_t fake_readlink(void *arg, const char *path, char *buf, size_t len)
{
	struct fakefs *f = arg;
	const struct fakefs_entry *e;
	size_t n;

	f->readlinks++;
	if (lookup(f, path, &e) != 0 || e == NULL || !S_ISLNK(e->mode) || e->target == NULL)
		return -1;
	n = strlen(e->target);
	if (n > len)
		n = len;
	memcpy(buf, e->target, n);
	return (ssize_t)n;
}

struct rg_fs fakefs_view(struct fakefs *f)
{
	return (struct rg_fs){ .lstat = fake_lstat, .readlink = fake_readlink, .arg = f };
}

void fakefs_free(struct fakefs *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free((char *)f->v[i].path);
		free((char *)f->v[i].target);
	}
	free(f->v);
	*f = (struct fakefs){ 0 };
}
