/* The syslog queue: serve never waits for the syslog daemon (rolegate/syslogq.h). */
#define _GNU_SOURCE        /* pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "rolegate/monocond.h"
#include "rolegate/syslogq.h"

struct msg {
	struct msg *next;
	int prio;
	size_t len;
	char text[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;       /* a message queued, or the queue emptied */
static struct msg *head, *tail;
static size_t queued_bytes;
static bool sending;              /* the thread is in syslog(3) */
static unsigned long dropped;     /* since the last report */
static bool started, start_failed;
static pthread_t thread;

static void *sender(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "rg-syslog");
	pthread_mutex_lock(&lock);
	for (;;) {
		struct msg *m;
		unsigned long lost;

		while (head == NULL)
			pthread_cond_wait(&wake, &lock);
		m = head;
		head = m->next;
		if (head == NULL)
			tail = NULL;
		queued_bytes -= m->len;
		lost = dropped;
		dropped = 0;
		sending = true;
		pthread_mutex_unlock(&lock);
		if (lost > 0)
			syslog(LOG_DAEMON | LOG_ERR, "%lu syslog messages (diagnostics, audit records "
					"or checkpoints) were dropped: the syslog daemon did not take them; "
					"the audit log itself has every record", lost);
		syslog(m->prio, "%.*s", (int)m->len, m->text);
		free(m);
		pthread_mutex_lock(&lock);
		sending = false;
		pthread_cond_broadcast(&wake);
	}
	return NULL;
}

/* Starts the sender once. Locked. */
static bool ensure_started(void)
{
	if (started || start_failed)
		return started;
	if (rg_monocond_init(&wake) != 0 || pthread_create(&thread, NULL, sender, NULL) != 0) {
		start_failed = true;
		return false;
	}
	pthread_detach(thread);
	started = true;
	return true;
}

void rg_syslogq_send(int prio, const char *text, size_t len)
{
	struct msg *m;

	pthread_mutex_lock(&lock);
	if (!ensure_started()) {
		pthread_mutex_unlock(&lock);
		syslog(prio, "%.*s", (int)len, text);   /* no thread: as before */
		return;
	}
	if (queued_bytes + len > RG_SYSLOGQ_MAX_BYTES ||
	    (m = malloc(sizeof(*m) + len)) == NULL) {
		dropped++;
		pthread_mutex_unlock(&lock);
		return;
	}
	m->next = NULL;
	m->prio = prio;
	m->len = len;
	memcpy(m->text, text, len);
	if (tail != NULL)
		tail->next = m;
	else
		head = m;
	tail = m;
	queued_bytes += len;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
}

bool rg_syslogq_drain(int ms)
{
	struct timespec until = rg_monotonic_ts(rg_monotonic_us() + (int64_t)ms * 1000);
	bool done;

	pthread_mutex_lock(&lock);
	while (started && (head != NULL || sending) &&
	       pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
		;
	done = !started || (head == NULL && !sending);
	pthread_mutex_unlock(&lock);
	return done;
}
