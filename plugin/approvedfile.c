/*
 * The daemon's copies of the approved-images files: see
 * include/rolegate/approvedfile.h. One mutex guards the set; a lookup
 * holds it for a stat comparison and a binary search. A file that changed
 * is read and parsed without the lock (a large list takes a while), by one
 * thread, while the others go on answering from the list before the change.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/approvedfile.h"
#include "rolegate/filetrust.h"
#include "rolegate/log.h"

/* Problems quoted in one LOG_ERR line about a malformed file. */
#define SHOWN_PROBLEMS 3

struct file {
	char *path;
	bool read;                /* list or why reflects the version below */
	struct stat version;      /* the file as last read (dev, ino, size, times) */
	struct stat dir_version;  /* its directory then (owner and mode matter) */
	int stat_errno;           /* the last stat(2) failed with this (0: it did not) */
	bool loading;             /* a thread is reading a new version (without the lock) */
	struct rg_approved *list; /* NULL: unusable, why says why */
	char why[512];
	time_t logged;            /* last LOG_ERR about it */
	unsigned long refused;    /* lookups refused since then */
	struct file *next;
};

struct rg_approvedfile {
	pthread_mutex_t lock;
	struct file *files;
	bool log_reads;
};

struct rg_approvedfile *rg_approvedfile_new(bool log_reads)
{
	struct rg_approvedfile *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	pthread_mutex_init(&f->lock, NULL);
	f->log_reads = log_reads;
	return f;
}

void rg_approvedfile_free(struct rg_approvedfile *f)
{
	if (f == NULL)
		return;
	while (f->files != NULL) {
		struct file *next = f->files->next;

		rg_approved_free(f->files->list);
		free(f->files->path);
		free(f->files);
		f->files = next;
	}
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* Whoever can write the file, or its directory, decides which images run (filetrust.h). */
static enum rg_approvedfile_status check_owner(const char *path, const struct stat *st,
		const char *what, char *err, size_t errlen)
{
	return rg_filetrust_ok(path, st, what, err, errlen) ? RG_APPROVEDFILE_OK : RG_APPROVEDFILE_UNSAFE;
}

/* rg_approvedfile_read, also giving the fstat of what was read. */
static enum rg_approvedfile_status read_file(const char *path, struct rg_approved **out,
		struct stat *st, struct stat *dst, struct rg_errlist *errs, char *err, size_t errlen)
{
	enum rg_approvedfile_status rc;
	char dir[4096], *buf;
	size_t n = 0;
	int fd;

	if (out != NULL)
		*out = NULL;
	memset(st, 0, sizeof(*st));
	memset(dst, 0, sizeof(*dst));
	/* O_NONBLOCK: a FIFO put in its place must not hang the caller. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return RG_APPROVEDFILE_UNREADABLE;
	}
	if (fstat(fd, st) < 0) {
		snprintf(err, errlen, "cannot examine %s: %s", path, strerror(errno));
		close(fd);
		return RG_APPROVEDFILE_UNREADABLE;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return RG_APPROVEDFILE_UNSAFE;
	}
	rc = check_owner(path, st, "the file", err, errlen);
	snprintf(dir, sizeof(dir), "%s", path);
	if (rc == RG_APPROVEDFILE_OK && stat(dirname(dir), dst) == 0)
		rc = check_owner(dir, dst, "the directory", err, errlen);
	/* Through a symbolic link, the directory of the file that is read counts too. */
	if (rc == RG_APPROVEDFILE_OK && !rg_filetrust_path(path, err, errlen))
		rc = RG_APPROVEDFILE_UNSAFE;
	if (rc != RG_APPROVEDFILE_OK) {
		close(fd);
		return rc;
	}
	if (st->st_size > RG_APPROVEDFILE_MAX) {
		rg_errlist_at(errs, path, 0, "larger than %d bytes", RG_APPROVEDFILE_MAX);
		close(fd);
		return RG_APPROVEDFILE_MALFORMED;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "cannot read %s: out of memory", path);
		close(fd);
		return RG_APPROVEDFILE_UNREADABLE;
	}
	/* Read what fstat saw; a file that grows meanwhile is read again on
	 * the next lookup (its size or times differ). */
	while (n < (size_t)st->st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st->st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return RG_APPROVEDFILE_UNREADABLE;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	{
		struct rg_approved *a = rg_approved_parse(path, buf, n, errs);

		free(buf);
		if (a == NULL)
			return RG_APPROVEDFILE_MALFORMED;
		if (out != NULL)
			*out = a;
		else
			rg_approved_free(a);
	}
	return RG_APPROVEDFILE_OK;
}

enum rg_approvedfile_status rg_approvedfile_read(const char *path, struct rg_approved **a,
		struct rg_errlist *errs, char *err, size_t errlen)
{
	struct stat st, dst;

	return read_file(path, a, &st, &dst, errs, err, errlen);
}

static struct file *find(struct rg_approvedfile *f, const char *path)
{
	struct file *e;

	for (e = f->files; e != NULL; e = e->next) {
		if (strcmp(e->path, path) == 0)
			return e;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->path = strdup(path)) == NULL) {
		free(e);
		return NULL;
	}
	e->next = f->files;
	f->files = e;
	return e;
}

static bool same_version(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
		a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
		a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
		a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void log_unusable(struct file *e, time_t now)
{
	log_errx("approved_images %s cannot be used, so every image is refused to the roles that "
			"name it: %s", e->path, e->why);
	e->logged = now;
	e->refused = 0;
}

/* What one read of the file gave, made without the lock. */
struct reading {
	enum rg_approvedfile_status rc;
	struct rg_approved *list;  /* on OK */
	struct stat version;       /* what was read, file and directory */
	struct stat dir_version;
	char why[512];             /* otherwise */
};

static void read_into(const char *path, struct reading *r)
{
	struct rg_errlist errs = { 0 };
	char err[512] = "";

	r->list = NULL;
	r->rc = read_file(path, &r->list, &r->version, &r->dir_version, &errs, err, sizeof(err));
	r->why[0] = '\0';
	if (r->rc == RG_APPROVEDFILE_MALFORMED) {
		size_t off = (size_t)snprintf(r->why, sizeof(r->why), "malformed:");

		for (size_t i = 0; i < errs.n && i < SHOWN_PROBLEMS && off < sizeof(r->why); i++)
			off += (size_t)snprintf(r->why + off, sizeof(r->why) - off, "%s %s",
					i > 0 ? ";" : "", RG_ERRLIST_LINE(&errs, i));
		if (errs.n + errs.lost > SHOWN_PROBLEMS && off < sizeof(r->why))
			snprintf(r->why + off, sizeof(r->why) - off, " (and %zu more problems)",
					errs.n + errs.lost - SHOWN_PROBLEMS);
	} else if (r->rc != RG_APPROVEDFILE_OK) {
		snprintf(r->why, sizeof(r->why), "%s", err);
	}
	rg_errlist_free(&errs);
	/* A malformed file keeps the version read, so the same bytes are not
	 * parsed again; anything else unusable is tried again on the next
	 * lookup (a chmod of the directory changes nothing the file's stat
	 * shows). */
	if (r->rc != RG_APPROVEDFILE_OK && r->rc != RG_APPROVEDFILE_MALFORMED) {
		memset(&r->version, 0, sizeof(r->version));
		memset(&r->dir_version, 0, sizeof(r->dir_version));
	}
}

/* Makes r e's state (under the lock; takes r->list) and logs what changed. */
static void apply(struct file *e, struct reading *r, bool log_reads, time_t now)
{
	bool was_usable = e->read && e->list != NULL;
	char old_why[sizeof(e->why)];

	snprintf(old_why, sizeof(old_why), "%s", e->read ? e->why : "");
	rg_approved_free(e->list);
	e->list = r->list;
	e->version = r->version;
	e->dir_version = r->dir_version;
	e->read = true;
	e->stat_errno = 0;
	snprintf(e->why, sizeof(e->why), "%s", r->why);
	if (r->rc == RG_APPROVEDFILE_OK) {
		/* A file that was logged as unusable is logged as usable again. */
		if (log_reads || (!was_usable && e->logged))
			log_info("approved_images %s: %zu digest%s%s", e->path, e->list->n,
					e->list->n == 1 ? "" : "s",
					was_usable || !e->logged ? "" : " (usable again)");
		e->logged = 0;
		return;
	}
	/* A new problem is logged at once; the same one again only by the clock. */
	if (strcmp(old_why, e->why) != 0)
		log_unusable(e, now);
}

/* stat(2) of path and of its directory, before taking the lock. Returns 0,
 * or the errno of the file's stat. */
static int stat_both(const char *path, struct stat *st, struct stat *dst)
{
	char dir[4096];

	memset(dst, 0, sizeof(*dst));
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), dst) < 0)
		memset(dst, 0, sizeof(*dst));
	return stat(path, st) == 0 ? 0 : errno;
}

/*
 * Finds path's entry and brings it up to date with the file: returns it
 * with f->lock held, or NULL (unlocked) when out of memory. A file that
 * changed is read and parsed without the lock, by one thread at a time;
 * meanwhile the others answer from the state before the change.
 */
static struct file *current(struct rg_approvedfile *f, const char *path, time_t now)
{
	struct stat st, dst;
	int stat_errno = stat_both(path, &st, &dst);
	struct reading r;
	struct file *e;

	pthread_mutex_lock(&f->lock);
	e = find(f, path);
	if (e == NULL) {
		pthread_mutex_unlock(&f->lock);
		return NULL;
	}
	if (stat_errno != 0) {
		if (e->read && e->stat_errno == stat_errno)
			return e;
		rg_approved_free(e->list);
		e->list = NULL;
		e->read = true;
		e->stat_errno = stat_errno;
		memset(&e->version, 0, sizeof(e->version));
		memset(&e->dir_version, 0, sizeof(e->dir_version));
		snprintf(e->why, sizeof(e->why), "cannot open %s: %s", e->path, strerror(stat_errno));
		log_unusable(e, now);
		return e;
	}
	if (e->read && e->stat_errno == 0 && same_version(&e->version, &st) &&
	    same_version(&e->dir_version, &dst))
		return e;
	if (e->read && e->loading)
		return e;
	e->loading = true;
	pthread_mutex_unlock(&f->lock);
	read_into(path, &r);
	pthread_mutex_lock(&f->lock);
	e->loading = false;
	apply(e, &r, f->log_reads, now);
	return e;
}

static enum rg_approved_answer lookup(void *arg, const char *path, const struct rg_imageref *img,
		char *why, size_t whylen)
{
	struct rg_approvedfile *f = arg;
	enum rg_approved_answer answer;
	time_t now = time(NULL);
	struct file *e = current(f, path, now);

	if (e == NULL) {
		snprintf(why, whylen, "out of memory");
		return RG_APPROVED_UNUSABLE;
	}
	if (e->list != NULL) {
		answer = rg_approved_has(e->list, img) ? RG_APPROVED_YES : RG_APPROVED_NO;
	} else {
		answer = RG_APPROVED_UNUSABLE;
		snprintf(why, whylen, "%s", e->why);
		e->refused++;
		if (now - e->logged >= RG_APPROVEDFILE_LOG_INTERVAL) {
			log_errx("approved_images %s is still unusable (%lu images refused since the "
					"last message): %s", e->path, e->refused, e->why);
			e->logged = now;
			e->refused = 0;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return answer;
}

void rg_approvedfile_source(struct rg_approvedfile *f, struct rg_approved_source *src)
{
	src->lookup = f != NULL ? lookup : NULL;
	src->arg = f;
}

void rg_approvedfile_preload(struct rg_approvedfile *f, const struct rg_policy *p)
{
	time_t now = time(NULL);

	if (f == NULL)
		return;
	for (size_t i = 0; i < p->nroles; i++) {
		const char *path = p->roles[i].constraints.approved_images;

		if (path != NULL && current(f, path, now) != NULL)
			pthread_mutex_unlock(&f->lock);
	}
}
