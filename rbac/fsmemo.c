/* One decision's view of the host filesystem, remembered (fsmemo.h). */
#include <stdlib.h>
#include <string.h>

#include "rolegate/fsmemo.h"

/* The entry for path, made when missing; NULL when the memo is full or memory ran out. */
static struct rg_fsmemo_entry *entry(struct rg_fsmemo *m, const char *path)
{
	struct rg_fsmemo_entry *e;

	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->e[i].path, path) == 0)
			return &m->e[i];
	}
	if (m->n >= RG_FSMEMO_ENTRIES)
		return NULL;
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	if ((e->path = strdup(path)) == NULL)
		return NULL;
	e->lstat_err = -1;
	e->link_len = -2;
	m->n++;
	return e;
}

static int memo_lstat(void *arg, const char *path, struct stat *st)
{
	struct rg_fsmemo *m = arg;
	struct rg_fsmemo_entry *e = entry(m, path);

	if (e == NULL)
		return m->under->lstat(m->under->arg, path, st);
	if (e->lstat_err < 0)
		e->lstat_err = m->under->lstat(m->under->arg, path, &e->st);
	if (e->lstat_err == 0)
		*st = e->st;
	return e->lstat_err;
}

static ssize_t memo_readlink(void *arg, const char *path, char *buf, size_t len)
{
	struct rg_fsmemo *m = arg;
	struct rg_fsmemo_entry *e = entry(m, path);
	size_t n;

	if (e == NULL || (e->link_len == -2 && (e->link = malloc(len)) == NULL))
		return m->under->readlink(m->under->arg, path, buf, len);
	if (e->link_len == -2) {
		e->link_cap = len;
		e->link_len = m->under->readlink(m->under->arg, path, e->link, len);
	}
	if (e->link_len < 0)
		return -1;
	/* a target that filled the first buffer may be longer: a larger
	 * buffer asks again */
	if ((size_t)e->link_len >= e->link_cap && len > e->link_cap)
		return m->under->readlink(m->under->arg, path, buf, len);
	n = (size_t)e->link_len < len ? (size_t)e->link_len : len;
	memcpy(buf, e->link, n);
	return (ssize_t)n;
}

void rg_fsmemo_init(struct rg_fsmemo *m, const struct rg_fs *under)
{
	memset(m, 0, sizeof(*m));
	m->under = under;
	m->fs = (struct rg_fs){ .lstat = memo_lstat, .readlink = memo_readlink, .arg = m };
}

const struct rg_fs *rg_fsmemo_view(struct rg_fsmemo *m)
{
	return m->under != NULL ? &m->fs : NULL;
}

void rg_fsmemo_clear(struct rg_fsmemo *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].path);
		free(m->e[i].link);
	}
	m->n = 0;
}
