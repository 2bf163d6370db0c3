#ifndef ROLEGATE_DIRECTORY_H
#define ROLEGATE_DIRECTORY_H

/*
 * The directory: a user's groups as the LDAP server knows them (SPEC.md §3
 * identity.ldap), behind a cache so that Docker does not wait on LDAP for
 * every request, and so that an outage neither locks everyone out (stale
 * answers, up to stale_ttl old) nor lets anyone in (no usable answer = the
 * caller denies).
 *
 * directory/dircache.c implements this interface on top of the LDAP client in
 * directory/ldap.c (rolegate/ldap.h).
 *
 * Every function is safe to call from any number of threads at once, except
 * rg_directory_free(), which must run alone. Diagnostics (which server
 * failed and why, the start and end of an outage, a group list cut short)
 * go to log_warnx() (rolegate/log.h), rate-limited; never a password.
 * libldap may write to a connection the server closed: SIGPIPE must be
 * ignored or blocked in every thread that calls in.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/decide.h"
#include "rolegate/policy.h"
#include "rolegate/strv.h"

/* At most this many users are cached; the least recently used is evicted. */
#define RG_DIRECTORY_MAX_USERS 4096
/* Longest user name the directory accepts, in bytes. */
#define RG_DIRECTORY_NAME_MAX 256
/*
 * After a failed refresh, a stale answer is served without asking LDAP again
 * for min(cache_ttl, this many seconds): an outage must not make every
 * request wait for a timeout, and a fresh answer would have been reused for
 * cache_ttl anyway.
 */
#define RG_DIRECTORY_RETRY_MAX 10
/*
 * A thread waiting for another thread's lookup of the same user gives up
 * after this many operation timeouts (timeout_ms each): a lookup is at least
 * a connect and a search. A lookup still queued after as long is answered
 * as failed (stale or denied) instead of being made: a slow directory and a
 * burst of users must not make calls wait for the whole queue.
 */
#define RG_DIRECTORY_WAIT_OPS 2
/*
 * The circuit breaker: after this many consecutive lookups that timed out
 * (took timeout_ms or longer and got no answer), the directory is taken for
 * hung. Until a probe gets an answer, calls that need a lookup are answered
 * at once: from a stale answer (within stale_ttl), else denied.
 */
#define RG_DIRECTORY_BREAKER_TIMEOUTS 3
/* While the breaker is open, one lookup (a probe) is let through this often (ms). */
#define RG_DIRECTORY_PROBE_MS 2000
/* cache_file is written at most this often (ms) while answers change. */
#define RG_DIRECTORY_SAVE_MS 1000
/* Stopping waits this long for the last save of cache_file (ms): its disk may not answer. */
#define RG_DIRECTORY_STOP_MS 5000
/* A cache_file larger than this is not read (bytes). */
#define RG_DIRECTORY_FILE_MAX (64 * 1024 * 1024)
/* Threads that make lookups for suspended calls and background refreshes. */
#define RG_DIRECTORY_WORKERS 8
/* An answer used in the last quarter of cache_ttl is refreshed in the background. */
#define RG_DIRECTORY_REFRESH_DIVISOR 4

struct rg_directory;

/* Counters for tests, the benchmark and diagnostics. */
struct rg_directory_stats {
	unsigned long lookups;     /* lookups sent to the directory (one per flight) */
	unsigned long fresh;       /* answered by a lookup made for the call */
	unsigned long hits;        /* answered from the cache within cache_ttl/negative_ttl */
	unsigned long shared;      /* answered by waiting for another thread's lookup */
	unsigned long stale;       /* answered with a stale answer during an outage */
	unsigned long failures;    /* lookups that got no answer from the directory */
	unsigned long denied;      /* calls that returned -1 */
	unsigned long evictions;   /* users dropped to keep the cache bounded */
	unsigned long connects;    /* LDAP connections opened (reconnects included) */
	size_t users;              /* users currently cached */
	unsigned long suspended;   /* calls that waited for a lookup without holding their thread */
	unsigned long refreshes;   /* background refreshes of answers about to expire */
	unsigned long breaker_opened; /* times the circuit breaker opened */
	unsigned long fast_failures;  /* calls answered at once because the breaker is open */
	bool breaker_open;         /* now */
	unsigned long loaded;      /* answers read from cache_file at start */
	unsigned long saved;       /* times cache_file was written */
};

/*
 * A call that must not hold its thread while the directory is asked (serve:
 * a libmicrohttpd connection, suspended meanwhile). Zero it, set done and
 * arg, and bracket the call with rg_directory_call_begin/end: a
 * rg_directory_groups() made in between that would have to wait returns -1
 * and marks the waiter pending (rg_directory_call_pending()); done(arg) is
 * called later from a lookup thread, once the answer (or the failure) is in
 * the waiter. Then make the same call again, bracketed with the same waiter:
 * rg_directory_groups() returns that answer. Free with
 * rg_directory_waiter_clear().
 */
struct rg_directory_waiter {
	void (*done)(void *arg);
	void *arg;
	/* private to dircache.c */
	bool pending;
	bool has_result;
	int ret;
	enum rg_group_source source;
	const char *errstr;
	struct rg_strv groups;
	struct rg_directory_waiter *next;
};

/* Makes w the waiter of the calls this thread makes until rg_directory_call_end(). */
void rg_directory_call_begin(struct rg_directory_waiter *w);
void rg_directory_call_end(void);
/* Whether this thread's waiter was made pending since rg_directory_call_begin(). */
bool rg_directory_call_pending(void);
void rg_directory_waiter_clear(struct rg_directory_waiter *w);

/*
 * Keeps the answers in the file c->cache_file named (SPEC.md §3
 * identity.ldap.cache_file; "" = memory only), for the daemon: when read
 * is set (at start; not on a reload that changed the LDAP settings, whose
 * answers would be the old settings'), reads what the file holds now (answers older than stale_ttl are dropped; the file is
 * ignored, with a warning, unless it is a regular file owned by the user
 * rolegate runs as that group and others cannot access), then writes it
 * again, at most once every RG_DIRECTORY_SAVE_MS while answers change and
 * when d is freed: a temporary file, mode 0600, renamed over it. A failure
 * is logged (rate-limited) and changes nothing else. Returns the number of
 * answers read.
 */
size_t rg_directory_use_cache_file(struct rg_directory *d, bool read);

/* d no longer writes cache_file (a reload replaced it with a directory made
 * with other settings, which owns the file from now on). */
void rg_directory_detach_cache_file(struct rg_directory *d);

/*
 * Answers every pending waiter now as a failure (stale answer or deny), for
 * a daemon that stops: no call may stay suspended. Lookups in flight finish
 * on their own.
 */
void rg_directory_fail_pending(struct rg_directory *d);

/*
 * Creates a directory client for c (c->enabled must be true). Does not
 * connect yet: the first lookup does. Reads bind_password_file now (when
 * bind_dn is set) and refuses a file that is not a regular file, is
 * accessible by group or others, or is not owned by root or the current
 * user; checks that the URIs parse and the filters hold their placeholders.
 * Nothing is copied from c after this returns: c may be freed. Returns NULL
 * with a message in err (never containing the password) on failure.
 */
struct rg_directory *rg_directory_new(const struct rg_ldap_config *c, char *err, size_t errlen);

/*
 * Appends the directory groups of user to out (skipping names already in
 * out). Returns 0 with *source set to RG_GROUPS_LDAP (a lookup made for this
 * call, or one this call waited for), RG_GROUPS_CACHE (an answer within
 * cache_ttl, or negative_ttl for an unknown user) or RG_GROUPS_STALE (the
 * directory could not answer; an answer younger than stale_ttl was used). A
 * user the directory does not know is 0 with no groups appended.
 *
 * Returns -1 with out unchanged and *errstr set to a static message in plain
 * words when no usable answer exists, e.g. "the directory (LDAP) is
 * unreachable and no cached answer is usable", or "invalid user name" (empty,
 * longer than RG_DIRECTORY_NAME_MAX bytes, not UTF-8, or holding control
 * characters). The caller must deny on -1.
 *
 * Concurrent calls for the same user that needs a lookup cause one lookup;
 * the others wait for it (at most RG_DIRECTORY_WAIT_OPS * timeout_ms). No
 * lock is held during network I/O.
 */
int rg_directory_groups(struct rg_directory *d, const char *user, struct rg_strv *out,
		enum rg_group_source *source, const char **errstr);

/*
 * For a reload that keeps d (and its cache) because identity.ldap did not
 * change: reads bind_password_file again, with the same checks as
 * rg_directory_new, so that a rotated password takes effect (for new
 * connections; open ones stay bound). Returns 0 (also without a bind_dn),
 * or -1 with a message in err; the old password then stays in use.
 */
int rg_directory_reread_secret(struct rg_directory *d, char *err, size_t errlen);

/*
 * For a reload that keeps d: every cached answer is taken as expired, so
 * the next call for each user asks the directory again (a user removed from
 * a group loses the role from the next request on, not cache_ttl later),
 * while an answer the directory cannot renew is still served as stale
 * (within stale_ttl): a reload during an outage locks nobody out.
 */
void rg_directory_expire(struct rg_directory *d);

/* Copies the counters into st. */
void rg_directory_stats(struct rg_directory *d, struct rg_directory_stats *st);

/* Closes the connections and frees d. NULL-safe. No call may be in progress. */
void rg_directory_free(struct rg_directory *d);

#endif
