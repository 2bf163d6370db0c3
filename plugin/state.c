/*
 * The daemon's ownership state (state.h): the model behind a lock, the
 * journal and the snapshot on disk.
 *
 * Files in plugin.state: "snapshot" (the whole state at generation N),
 * "journal" (events since: header gen N, one event per line), "lock".
 * Compaction writes "snapshot.tmp" with gen N+1, fsyncs, renames it over
 * "snapshot", then does the same for an empty "journal" of gen N+1. A crash
 * in between leaves a journal of gen N beside a snapshot of gen N+1: it is
 * already folded in, and skipped at the next start.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/log.h"
#include "rolegate/ownercheck.h"
#include "rolegate/state.h"
#include "rolegate/statefile.h"
#include "rolegate/statefile_io.h"

#define RG_STATE_FILE_MAX (1024L * 1024 * 1024)  /* a state file larger than this is refused */
#define RG_STATE_EXPIRE_EVERY 3600               /* seconds between expiry sweeps */

struct rg_state {
	pthread_rwlock_t lock;
	struct rg_owners *owners;
	char *dir;             /* NULL: memory only */
	int dirfd, lockfd, journal;
	unsigned long gen;
	size_t journal_events;
	long long last_expire;
};

static long long now_s(void)
{
	return (long long)time(NULL);
}

static struct rg_state *state_new(void)
{
	struct rg_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->dirfd = s->lockfd = s->journal = -1;
	if (pthread_rwlock_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void state_free(struct rg_state *s)
{
	if (s->journal >= 0)
		close(s->journal);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	rg_owners_free(s->owners);
	pthread_rwlock_destroy(&s->lock);
	free(s->dir);
	free(s);
}

struct rg_state *rg_state_memory(const struct rg_owners *o)
{
	struct rg_state *s = state_new();

	if (s == NULL)
		return NULL;
	s->owners = o != NULL ? rg_owners_copy(o) : rg_owners_new(0);
	if (s->owners == NULL) {
		state_free(s);
		return NULL;
	}
	return s;
}

/* The directory exists (made 0700 if missing), is ours and closed to others. */
static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	errno = 0;
	if (mkdir(dir, 0700) < 0 && errno == ENOENT) {
		/* /var/lib/rolegate on a fresh host */
		char parent[4096];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash != NULL && slash != parent) {
			*slash = '\0';
			if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s", parent, strerror(errno));
				return -1;
			}
		}
		errno = 0;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create the state directory %s: %s", dir, strerror(errno));
			return -1;
		}
	} else if (errno != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the state directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "plugin.state %s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "plugin.state %s must be a directory owned by %s with mode 0700 "
				"(it is owned by uid %u with mode %04o)", dir, geteuid() == 0 ? "root" : "this user",
				(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Reads a whole file under the directory; *text NULL (and 0) when it does not exist. */
static int slurp(struct rg_state *s, const char *name, char **text, size_t *len, char *err, size_t errlen)
{
	int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	size_t got = 0;

	*text = NULL;
	*len = 0;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s/%s: %s", s->dir, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > RG_STATE_FILE_MAX) {
		snprintf(err, errlen, "%s/%s: not a regular file of at most %ld bytes", s->dir, name,
				RG_STATE_FILE_MAX);
		close(fd);
		return -1;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (*text == NULL) {
		snprintf(err, errlen, "%s/%s: out of memory", s->dir, name);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

static int fsync_dir(struct rg_state *s)
{
	return fsync(s->dirfd);
}

/* Replaces name by a file holding the snapshot (or, o NULL, an empty journal) of gen. */
static int write_file(struct rg_state *s, const char *name, const struct rg_owners *o, unsigned long gen)
{
	char tmp[64];
	int fd, r = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (o != NULL) {
		r = rg_statefile_write_snapshot(fd, o, gen);
	} else {
		char *head = rg_statefile_header("journal", gen);

		r = head != NULL && write(fd, head, strlen(head)) == (ssize_t)strlen(head) ? 0 : -1;
		free(head);
	}
	if (r == 0 && fsync(fd) < 0)
		r = -1;
	close(fd);
	if (r == 0 && renameat(s->dirfd, tmp, s->dirfd, name) < 0)
		r = -1;
	if (r == 0 && fsync_dir(s) < 0)
		r = -1;
	if (r < 0)
		unlinkat(s->dirfd, tmp, 0);
	return r;
}

static int open_journal(struct rg_state *s)
{
	s->journal = openat(s->dirfd, "journal", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	return s->journal < 0 ? -1 : 0;
}

/*
 * Folds the journal into a new snapshot (caller holds the write lock).
 * On failure the journal goes on as before, unless the new snapshot is in
 * place and the new journal is not: then writes fail (and are logged)
 * until a compaction succeeds, since appends to the old journal would be
 * skipped at the next start.
 */
static int compact(struct rg_state *s)
{
	if (write_file(s, "snapshot", s->owners, s->gen + 1) < 0) {
		log_warn("cannot write the ownership snapshot in %s", s->dir);
		return -1;
	}
	if (s->journal >= 0)
		close(s->journal);
	s->journal = -1;
	s->gen++;
	if (write_file(s, "journal", NULL, s->gen) < 0 || open_journal(s) < 0) {
		log_warn("cannot start a new ownership journal in %s", s->dir);
		return -1;
	}
	s->journal_events = 0;
	return 0;
}

static int load(struct rg_state *s, char *err, size_t errlen, char *note, size_t notelen)
{
	struct rg_statefile_result res;
	char *text;
	size_t len;
	char why[512];

	if (slurp(s, "snapshot", &text, &len, err, errlen) < 0)
		return -1;
	if (text != NULL && rg_statefile_read(text, len, "snapshot", 0, s->owners, &res, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s/snapshot:%s", s->dir, why + strlen("line "));
		free(text);
		return -1;
	}
	s->gen = text != NULL ? res.gen : 0;
	free(text);
	if (slurp(s, "journal", &text, &len, err, errlen) < 0)
		return -1;
	if (text == NULL)
		return write_file(s, "journal", NULL, s->gen) < 0 || open_journal(s) < 0 ?
			(snprintf(err, errlen, "cannot create %s/journal: %s", s->dir, strerror(errno)), -1) : 0;
	if (rg_statefile_read(text, len, "journal", s->gen, s->owners, &res, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s/journal:%s", s->dir, why + strlen("line "));
		free(text);
		return -1;
	}
	free(text);
	s->journal_events = res.events;
	if (res.stale || res.good_len == 0) {
		/* already folded into the snapshot, or nothing but a torn header */
		if (write_file(s, "journal", NULL, s->gen) < 0) {
			snprintf(err, errlen, "cannot rewrite %s/journal: %s", s->dir, strerror(errno));
			return -1;
		}
	} else if (res.torn) {
		int fd = openat(s->dirfd, "journal", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

		/* cut the torn entry off, so that the next append starts a line */
		if (fd < 0 || ftruncate(fd, (off_t)res.good_len) < 0 || fsync(fd) < 0) {
			snprintf(err, errlen, "cannot drop the torn last entry of %s/journal: %s", s->dir,
					strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	if (res.torn)
		snprintf(note, notelen, "%s/journal: dropped a torn last entry (a crash while it was "
				"written; it was never acknowledged)", s->dir);
	if (open_journal(s) < 0) {
		snprintf(err, errlen, "cannot open %s/journal: %s", s->dir, strerror(errno));
		return -1;
	}
	return 0;
}

struct rg_owners *rg_state_read_dir(const char *dir, char *err, size_t errlen, char *note, size_t notelen)
{
	struct rg_statefile_result res;
	struct rg_state *s = state_new();
	struct rg_owners *o = NULL;
	char *text = NULL, why[512];
	size_t len;

	note[0] = '\0';
	if (s == NULL || (s->dir = strdup(dir)) == NULL || (s->owners = rg_owners_new(0)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir, strerror(errno));
		goto out;
	}
	if (slurp(s, "snapshot", &text, &len, err, errlen) < 0)
		goto out;
	if (text != NULL && rg_statefile_read(text, len, "snapshot", 0, s->owners, &res, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s/snapshot:%s", dir, why + strlen("line "));
		goto out;
	}
	s->gen = text != NULL ? res.gen : 0;
	free(text);
	if (slurp(s, "journal", &text, &len, err, errlen) < 0)
		goto out;
	if (text != NULL && rg_statefile_read(text, len, "journal", s->gen, s->owners, &res, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s/journal:%s", dir, why + strlen("line "));
		goto out;
	}
	if (text != NULL && res.torn)
		snprintf(note, notelen, "%s/journal: a torn last entry (a crash while it was written) "
				"is left out", dir);
	o = s->owners;
	s->owners = NULL;
out:
	free(text);
	if (s != NULL)
		state_free(s);
	return o;
}

struct rg_state *rg_state_open(const char *dir, char *err, size_t errlen, char *note, size_t notelen)
{
	struct rg_state *s;

	note[0] = '\0';
	if (check_dir(dir, err, errlen) < 0)
		return NULL;
	if ((s = state_new()) == NULL || (s->dir = strdup(dir)) == NULL ||
	    (s->owners = rg_owners_new(0)) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (s != NULL)
			state_free(s);
		return NULL;
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (s->dirfd < 0 ||
	    (s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir, strerror(errno));
		state_free(s);
		return NULL;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "the state directory %s is in use by another rolegate serve "
				"(give each its own plugin.state)", dir);
		state_free(s);
		return NULL;
	}
	if (load(s, err, errlen, note, notelen) < 0) {
		state_free(s);
		return NULL;
	}
	s->last_expire = now_s();
	rg_owners_expire(s->owners, s->last_expire);
	return s;
}

void rg_state_close(struct rg_state *s)
{
	if (s == NULL)
		return;
	/* Always on disk: last-use times are saved only with a snapshot. */
	if (s->dir != NULL && s->journal >= 0)
		compact(s);
	state_free(s);
}

struct rg_owners *rg_state_read_begin(struct rg_state *s)
{
	if (s == NULL)
		return NULL;
	pthread_rwlock_rdlock(&s->lock);
	return s->owners;
}

void rg_state_read_end(struct rg_state *s)
{
	if (s != NULL)
		pthread_rwlock_unlock(&s->lock);
}

/* Appends one line to the journal and makes it durable. */
static int journal_append(struct rg_state *s, const struct rg_owner_event *ev)
{
	char *line;
	size_t len;
	ssize_t n;

	if (s->journal < 0) {
		errno = EBADF;
		return -1;
	}
	line = rg_statefile_event_line(ev);
	if (line == NULL) {
		errno = ENOMEM;
		return -1;
	}
	len = strlen(line);
	/* The reader refuses longer lines: such a record is not kept (it stays unowned). */
	if (len > RG_STATEFILE_LINE_MAX) {
		free(line);
		errno = EFBIG;
		return -1;
	}
	/* One write(2) of the whole line: a crash leaves it whole or torn at the end. */
	n = write(s->journal, line, len);
	free(line);
	if (n != (ssize_t)len || fdatasync(s->journal) < 0) {
		if (n >= 0 && n != (ssize_t)len)
			errno = EIO;
		return -1;
	}
	s->journal_events++;
	return 0;
}

/* A create dockerd already reported (only a replayed call repeats an id): nothing to write. */
static bool already_recorded(const struct rg_owners *o, const struct rg_owner_event *ev)
{
	const struct rg_object *obj;

	if (ev->op != RG_EV_CREATE ||
	    rg_owners_resolve(o, ev->kind, ev->id, 0, 0, &obj) != RG_RESOLVED)
		return false;
	return strcmp(obj->id, ev->id) == 0 && strcmp(obj->user, ev->user) == 0 &&
		strcmp(obj->role, ev->role != NULL ? ev->role : "") == 0 &&
		strcmp(obj->name, ev->name != NULL ? ev->name : "") == 0 &&
		/* a network connect writes the record again with more in its settings */
		strcmp(obj->settings != NULL ? obj->settings : "", ev->settings != NULL ? ev->settings : "") == 0;
}

/*
 * Whether ev writes again a record the model holds (a network connect's
 * settings): lost from the journal, it is still applied in memory, as a
 * rename is, since keeping the old settings would judge the container on
 * fewer networks than it has.
 */
static bool known_id(const struct rg_owners *o, const struct rg_owner_event *ev)
{
	const struct rg_object *obj;

	return rg_owners_resolve(o, ev->kind, ev->id, 0, 0, &obj) == RG_RESOLVED &&
		strcmp(obj->id, ev->id) == 0;
}

static int observe_sink(const struct rg_owner_event *ev, void *arg)
{
	struct rg_state *s = arg;

	if (already_recorded(s->owners, ev))
		return 0;

	if (s->dir != NULL && journal_append(s, ev) < 0) {
		log_errx("cannot record the %s %s %.12s in %s/journal (%s): %s", ev->op == RG_EV_CREATE ?
				"creation of" : ev->op == RG_EV_RENAME ? "rename of" : "removal of",
				rg_obj_kind_name(ev->kind), ev->id, s->dir, strerror(errno),
				ev->op == RG_EV_CREATE ? "it stays unowned" : "applied in memory only");
		/* Unowned is the safe side: a lost create is not applied, a rename or
		 * removal is; the name a lost create took leaves its old holder. */
		if (ev->op == RG_EV_CREATE && !known_id(s->owners, ev)) {
			rg_owners_forget_name(s->owners, ev->kind, ev->name);
			return 0;
		}
	}
	if (rg_owners_apply(s->owners, ev) < 0) {
		log_errx("cannot keep the record of %s %.12s (out of memory or malformed): it stays unowned",
				rg_obj_kind_name(ev->kind), ev->id);
		if (ev->op == RG_EV_CREATE)
			rg_owners_forget_name(s->owners, ev->kind, ev->name);
		return 0;
	}
	return 0;
}

void rg_state_learn_names(struct rg_state *s, struct rg_request *req)
{
	bool learned;

	/* every response comes here: most are not such answers, and take no lock */
	if (s == NULL || !rg_owner_names_answer(req))
		return;
	pthread_rwlock_rdlock(&s->lock);
	learned = rg_owner_names_learned(s->owners, req);
	pthread_rwlock_unlock(&s->lock);
	if (learned)
		(void)rg_state_observe(s, req, "", "");
}

int rg_state_observe(struct rg_state *s, struct rg_request *req, const char *user, const char *role)
{
	const char *why = NULL;
	long long now = now_s();
	int n;

	if (s == NULL)
		return 0;
	pthread_rwlock_wrlock(&s->lock);
	n = rg_owner_events(s->owners, req, user, role, now, observe_sink, s, &why);
	if (n < 0)
		log_errx("%s %s by %s: %s; no owner is recorded", req->method, req->uri,
				user != NULL && user[0] != '\0' ? user : "an unnamed caller", why != NULL ? why : "error");
	if (now - s->last_expire >= RG_STATE_EXPIRE_EVERY) {
		rg_owners_expire(s->owners, now);
		s->last_expire = now;
	}
	/* Compact once the journal outgrows the state (or retry a failed one). */
	if (s->dir != NULL && (s->journal < 0 || (s->journal_events >= RG_STATE_COMPACT_MIN &&
			s->journal_events >= rg_owners_count(s->owners))))
		compact(s);
	pthread_rwlock_unlock(&s->lock);
	return n;
}
