/* Connections to the plugin socket: limit, idle tracking, shedding (rolegate/connlimit.h). */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "rolegate/connlimit.h"
#include "rolegate/log.h"

/* One open connection. The fd stays valid while it is tracked: libmicrohttpd
 * notifies MHD_CONNECTION_NOTIFY_CLOSED (which takes the lock) before it
 * closes the socket. */
struct tracked {
	int fd;
	bool shed;                     /* shut down by us, not yet closed */
	bool idle;                     /* on the idle list */
	bool has_cred;                 /* SO_PEERCRED read when it opened */
	struct ucred cred;             /* fixed at connect(2): read once, not per call */
	struct tracked *older, *newer; /* idle list, oldest first */
	struct tracked *prev, *next;   /* every tracked connection */
	bool has_owner;                /* a call was decided on it, in owner */
	pthread_t owner;               /* the server thread that serves it */
};

struct rg_connlimit {
	pthread_mutex_t lock;
	unsigned limit;
	unsigned high;                 /* shed when this many are open */
	unsigned open;                 /* tracked and not shed */
	struct tracked idle;           /* sentinel: idle.newer is the oldest */
	struct tracked all;            /* sentinel of every tracked connection */
	unsigned long shed_total;
	unsigned long unreported;      /* shed since the last warning */
	int64_t last_warn;             /* monotonic s; 0 = never */
};

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

unsigned rg_connlimit_setup(int configured)
{
	struct rlimit rl;
	rlim_t soft, derived;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		rl.rlim_cur = rl.rlim_max = 1024;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit raised = { rl.rlim_max, rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl.rlim_cur = rl.rlim_max;
		else
			log_warn("cannot raise the open-file limit from %llu to %llu",
					(unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	}
	soft = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ? 1048576 : rl.rlim_cur;
	derived = soft > RG_FD_RESERVE + 16 ? soft - RG_FD_RESERVE : 16;
	if (configured <= 0)
		return (unsigned)derived;
	if ((rlim_t)configured > derived) {
		log_warnx("plugin.max_connections = %d does not fit the open-file limit (%llu); "
				"using %llu (raise LimitNOFILE= in the unit)", configured,
				(unsigned long long)soft, (unsigned long long)derived);
		return (unsigned)derived;
	}
	return (unsigned)configured;
}

struct rg_connlimit *rg_connlimit_new(unsigned limit)
{
	struct rg_connlimit *cl = calloc(1, sizeof(*cl));
	unsigned margin = limit / 16 > RG_CONN_MARGIN ? limit / 16 : RG_CONN_MARGIN;

	if (cl == NULL)
		return NULL;
	pthread_mutex_init(&cl->lock, NULL);
	cl->limit = limit;
	cl->high = limit > margin ? limit - margin : 1;
	cl->idle.older = cl->idle.newer = &cl->idle;
	cl->all.prev = cl->all.next = &cl->all;
	return cl;
}

void rg_connlimit_free(struct rg_connlimit *cl)
{
	if (cl == NULL)
		return;
	pthread_mutex_destroy(&cl->lock);
	free(cl);
}

static void unlink_idle(struct tracked *t)
{
	if (!t->idle)
		return;
	t->older->newer = t->newer;
	t->newer->older = t->older;
	t->idle = false;
}

static void append_idle(struct rg_connlimit *cl, struct tracked *t)
{
	unlink_idle(t);
	t->older = cl->idle.older;
	t->newer = &cl->idle;
	cl->idle.older->newer = t;
	cl->idle.older = t;
	t->idle = true;
}

/* Closes the oldest idle connections (lock held) until fewer than high are open. */
static void shed(struct rg_connlimit *cl, const struct tracked *keep)
{
	while (cl->open >= cl->high) {
		struct tracked *t = cl->idle.newer;

		if (t == &cl->idle)
			return;          /* every connection is in a call: nothing to shed */
		if (t == keep) {
			if (t->newer == &cl->idle)
				return;
			t = t->newer;
		}
		unlink_idle(t);
		t->shed = true;
		cl->open--;
		cl->shed_total++;
		cl->unreported++;
		(void)shutdown(t->fd, SHUT_RDWR);
	}
}

/* The rate-limited warning (lock held; logs after releasing it). */
static void warn_shed(struct rg_connlimit *cl)
{
	int64_t now = now_s();
	unsigned long n;
	unsigned open, limit;

	if (cl->unreported == 0 || (cl->last_warn != 0 && now - cl->last_warn < RG_CONN_WARN_SECONDS)) {
		pthread_mutex_unlock(&cl->lock);
		return;
	}
	n = cl->unreported;
	open = cl->open;
	limit = cl->limit;
	cl->unreported = 0;
	cl->last_warn = now;
	pthread_mutex_unlock(&cl->lock);
	log_warnx("connections: closed %lu idle connection(s), the oldest first, to stay below the "
			"limit (%u open, limit %u: plugin.max_connections or the open-file limit)",
			n, open, limit);
}

void rg_connlimit_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		enum MHD_ConnectionNotificationCode toe)
{
	struct rg_connlimit *cl = cls;
	struct tracked *t = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		socklen_t len;

		t = calloc(1, sizeof(*t));
		*socket_context = t;
		if (t == NULL || ci == NULL) {
			/* untracked: never shed, never counted */
			free(t);
			*socket_context = NULL;
			return;
		}
		t->fd = ci->connect_fd;
		len = sizeof(t->cred);
		t->has_cred = getsockopt(t->fd, SOL_SOCKET, SO_PEERCRED, &t->cred, &len) == 0 &&
			len == sizeof(t->cred);
		pthread_mutex_lock(&cl->lock);
		cl->open++;
		t->prev = cl->all.prev;
		t->next = &cl->all;
		cl->all.prev->next = t;
		cl->all.prev = t;
		/* idle until it sends a call: a flood of silent connections goes first */
		append_idle(cl, t);
		shed(cl, t);
		warn_shed(cl);      /* releases the lock */
		return;
	}
	if (t == NULL)
		return;
	pthread_mutex_lock(&cl->lock);
	unlink_idle(t);
	t->prev->next = t->next;
	t->next->prev = t->prev;
	if (!t->shed)
		cl->open--;
	pthread_mutex_unlock(&cl->lock);
	free(t);
	*socket_context = NULL;
}

static struct tracked *tracked_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void rg_connlimit_busy(struct rg_connlimit *cl, struct MHD_Connection *c)
{
	struct tracked *t = tracked_of(c);

	if (cl == NULL || t == NULL)
		return;
	pthread_mutex_lock(&cl->lock);
	unlink_idle(t);
	/* the call's handler runs in the thread that serves c */
	t->owner = pthread_self();
	t->has_owner = true;
	pthread_mutex_unlock(&cl->lock);
}

void rg_connlimit_shed_thread(struct rg_connlimit *cl, pthread_t thread)
{
	unsigned long n = 0;

	if (cl == NULL)
		return;
	pthread_mutex_lock(&cl->lock);
	for (struct tracked *t = cl->all.next; t != &cl->all; t = t->next) {
		if (t->shed || (t->has_owner && !pthread_equal(t->owner, thread)))
			continue;
		unlink_idle(t);
		t->shed = true;
		cl->open--;
		(void)shutdown(t->fd, SHUT_RDWR);
		n++;
	}
	pthread_mutex_unlock(&cl->lock);
	log_warnx("connections: closed %lu connection(s) served by a thread stuck on the disk "
			"(dockerd's calls on them fail instead of waiting)", n);
}

void rg_connlimit_idle(struct rg_connlimit *cl, struct MHD_Connection *c)
{
	struct tracked *t = tracked_of(c);

	if (cl == NULL || t == NULL)
		return;
	pthread_mutex_lock(&cl->lock);
	if (!t->shed)
		append_idle(cl, t);
	pthread_mutex_unlock(&cl->lock);
}

int rg_connlimit_peer(struct MHD_Connection *c, uid_t *uid, gid_t *gid)
{
	const struct tracked *t = tracked_of(c);

	/* cred is written before the connection is handed to any call: no lock */
	if (t == NULL || !t->has_cred)
		return -1;
	*uid = t->cred.uid;
	*gid = t->cred.gid;
	return 0;
}

unsigned rg_connlimit_open(struct rg_connlimit *cl)
{
	unsigned n;

	pthread_mutex_lock(&cl->lock);
	n = cl->open;
	pthread_mutex_unlock(&cl->lock);
	return n;
}

unsigned long rg_connlimit_shed(struct rg_connlimit *cl)
{
	unsigned long n;

	pthread_mutex_lock(&cl->lock);
	n = cl->shed_total;
	pthread_mutex_unlock(&cl->lock);
	return n;
}
