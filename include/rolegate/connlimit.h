#ifndef ROLEGATE_CONNLIMIT_H
#define ROLEGATE_CONNLIMIT_H

/*
 * Connections to the plugin socket (SPEC.md §3 plugin.max_connections,
 * plugin.idle_timeout), so that a flood of idle connections never locks
 * dockerd out. serve raises its soft open-file limit to the hard one at
 * start and derives the connection limit from it; libmicrohttpd enforces
 * the limit (MHD_OPTION_CONNECTION_LIMIT) and the idle timeout
 * (MHD_OPTION_CONNECTION_TIMEOUT). This module tracks which connections
 * are idle (no call in progress), oldest first, through libmicrohttpd's
 * connection notifications, and when the open ones come within
 * RG_CONN_MARGIN of the limit it closes the ones idle longest (shutdown(2)
 * of their socket: libmicrohttpd then sees the end and closes them), so
 * that a new connection is always accepted. A rate-limited warning says so.
 */

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include <microhttpd.h>

/* File descriptors kept for everything but connections: the audit log, LDAP,
 * the state, syslog, the listening socket. */
#define RG_FD_RESERVE 64
/* Connections are shed once fewer than this many (or a sixteenth of the
 * limit, if larger) remain below the limit. */
#define RG_CONN_MARGIN 8
/* The shedding warning is repeated at most this often (seconds). */
#define RG_CONN_WARN_SECONDS 60

struct rg_connlimit;

/*
 * Raises the soft RLIMIT_NOFILE to the hard one (logging when it cannot)
 * and returns the connection limit: configured (plugin.max_connections), or
 * when 0 the open-file limit less RG_FD_RESERVE; a configured value the
 * open-file limit cannot hold is lowered to it, with a warning.
 */
unsigned rg_connlimit_setup(int configured);

/* Tracking for a server of at most limit connections. NULL when out of memory. */
struct rg_connlimit *rg_connlimit_new(unsigned limit);
/* Frees cl. NULL-safe. Every connection must be closed. */
void rg_connlimit_free(struct rg_connlimit *cl);

/* The MHD_OPTION_NOTIFY_CONNECTION callback; cls is the rg_connlimit. */
void rg_connlimit_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		enum MHD_ConnectionNotificationCode toe);
/* The whole call on c has arrived and is being decided: c is not idle. A
 * connection still sending a call stays idle (sheddable): it may never finish. */
void rg_connlimit_busy(struct rg_connlimit *cl, struct MHD_Connection *c);
/* The call on c is answered (queued) or over: c is idle from now, the newest idle. */
void rg_connlimit_idle(struct rg_connlimit *cl, struct MHD_Connection *c);
/*
 * The peer's uid and gid (SO_PEERCRED), read once when c opened: 0, or -1
 * when c is not tracked or the read failed (the caller asks the socket).
 */
int rg_connlimit_peer(struct MHD_Connection *c, uid_t *uid, gid_t *gid);
/*
 * Closes (shutdown(2)) every connection thread serves, and those no call has
 * shown the thread of yet: thread is stuck in the kernel (its own audit
 * write on a disk that stopped answering: rg_audit_direct) and would leave
 * them unanswered for as long; dockerd sees them end, its calls on them fail
 * (denied), and it connects again, to a thread that answers.
 */
void rg_connlimit_shed_thread(struct rg_connlimit *cl, pthread_t thread);
/* Connections open now (tracked and not shed). */
unsigned rg_connlimit_open(struct rg_connlimit *cl);
/* Connections closed to make room so far. */
unsigned long rg_connlimit_shed(struct rg_connlimit *cl);

#endif
