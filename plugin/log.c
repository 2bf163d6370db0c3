#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "rolegate/log.h"

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

static void vlog(int prio, const char *err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog(int prio, const char *err, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (collecting) {
		if (prio != LOG_INFO && err != NULL)
			snprintf(collected, sizeof(collected), "%.900s: %.100s", msg, err);
		else if (prio != LOG_INFO)
			snprintf(collected, sizeof(collected), "%s", msg);
		return;
	}
	if (to_syslog) {
		if (err != NULL)
			syslog(prio, "%s: %s", msg, err);
		else
			syslog(prio, "%s", msg);
		if (!starting || prio == LOG_INFO)
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
