#include <errno.h>
#include <paths.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "rolegate/log.h"
#include "rolegate/syslogq.h"

static bool to_syslog;
/* Until the daemon is up, warnings also go to stderr: a config or socket
 * error at start must reach the person (or unit) that started it. */
static bool starting = true;
/* The CLI collects diagnostics instead of printing them (rg_log_collect). */
static bool collecting;
static char collected[1024];

void rg_log_init(bool use_syslog)
{
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("rolegate", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*
 * Repeats of one warning (the same format) beyond RATE_BURST within
 * RATE_WINDOW seconds are counted, not printed: a disk that fails every write must not flood the
 * journal with one line per Docker API call. The next one printed after the
 * window says how many were held back.
 */
#define RATE_WINDOW 10
#define RATE_BURST 5
#define RATE_SLOTS 32

static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char *fmt;
	time_t since;
	unsigned long shown;
	unsigned long held;
} rate[RATE_SLOTS];

/* Whether to print a message of fmt now; *held: how many were held back before it. */
static bool rate_ok(const char *fmt, unsigned long *held)
{
	struct timespec now;
	size_t i, oldest = 0;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &now);
	*held = 0;
	pthread_mutex_lock(&rate_lock);
	for (i = 0; i < RATE_SLOTS && rate[i].fmt != fmt; i++) {
		if (rate[i].since < rate[oldest].since)
			oldest = i;
	}
	if (i == RATE_SLOTS) {
		i = oldest;
		rate[i].fmt = fmt;
		rate[i].since = now.tv_sec;
		rate[i].shown = 1;
		rate[i].held = 0;
		ok = true;
	} else if (now.tv_sec - rate[i].since >= RATE_WINDOW) {
		*held = rate[i].held;
		rate[i].since = now.tv_sec;
		rate[i].shown = 1;
		rate[i].held = 0;
		ok = true;
	} else if (rate[i].shown < RATE_BURST) {
		rate[i].shown++;
		ok = true;
	} else {
		rate[i].held++;
		ok = false;
	}
	pthread_mutex_unlock(&rate_lock);
	return ok;
}

/* Whether syslog(3) has somewhere to go: without /dev/log it drops silently. */
static bool syslog_reachable(void)
{
	struct stat st;

	return stat(_PATH_LOG, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void vlog(int prio, const char *err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog(int prio, const char *err, const char *fmt, va_list ap)
{
	char msg[1024];
	unsigned long held = 0;
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (collecting) {
		if (prio != LOG_INFO && err != NULL)
			snprintf(collected, sizeof(collected), "%.900s: %.100s", msg, err);
		else if (prio != LOG_INFO)
			snprintf(collected, sizeof(collected), "%s", msg);
		return;
	}
	if (prio != LOG_INFO && !rate_ok(fmt, &held))
		return;
	n = strlen(msg);
	if (held > 0)
		snprintf(msg + n, sizeof(msg) - n, " (and %lu more like it in the last %d s)", held,
				RATE_WINDOW);
	if (to_syslog) {
		char line[1200];
		int len = err != NULL ? snprintf(line, sizeof(line), "%s: %s", msg, err) :
				snprintf(line, sizeof(line), "%s", msg);

		/* queued: a syslog daemon that stops reading must not stop the caller */
		if (len > 0)
			rg_syslogq_send(prio, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
		if ((!starting || prio == LOG_INFO) && syslog_reachable())
			return;
	}
	if (err != NULL)
		fprintf(stderr, "rolegate: %s: %s\n", msg, err);
	else
		fprintf(stderr, "rolegate: %s\n", msg);
}

void rg_log_started(void)
{
	starting = false;
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, err, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, NULL, fmt, ap);
	va_end(ap);
}

void rg_log_collect(bool on)
{
	collecting = on;
	collected[0] = '\0';
}

const char *rg_log_collected(void)
{
	return collected;
}
