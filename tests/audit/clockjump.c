/*
 * clockjump.so: an LD_PRELOAD for tests/audit/clockjump.sh. While the file
 * named by $RG_CLOCK_BEHIND exists, clock_gettime(CLOCK_REALTIME) reads a
 * day early: a wall clock that is then set forward a day, as seen by a
 * process that took its times before. Each "rolegate checkpoint" line that
 * serve sends to syslog is appended to the file $RG_CHECKPOINTS instead, so
 * that the test counts them without a syslog daemon.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int clock_gettime(clockid_t id, struct timespec *ts);
void syslog(int pri, const char *fmt, ...);
void __syslog_chk(int pri, int flag, const char *fmt, ...);

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	const char *flag = getenv("RG_CLOCK_BEHIND");
	struct stat st;
	int r;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "clock_gettime");
	r = real(id, ts);
	if (r == 0 && id == CLOCK_REALTIME && flag != NULL && stat(flag, &st) == 0)
		ts->tv_sec -= 86400;
	return r;
}

__attribute__((format(printf, 1, 0)))
static void note(const char *fmt, va_list ap)
{
	const char *path = getenv("RG_CHECKPOINTS");
	char line[1024];
	FILE *f;

	/* the text, not the format: serve's syslog queue sends "%.*s" */
	vsnprintf(line, sizeof(line), fmt, ap);
	if (path == NULL || strncmp(line, "rolegate checkpoint", 19) != 0)
		return;
	f = fopen(path, "a");
	if (f == NULL)
		return;
	fprintf(f, "%s\n", line);
	fclose(f);
}

__attribute__((format(printf, 2, 3)))
void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	(void)pri;
	va_start(ap, fmt);
	note(fmt, ap);
	va_end(ap);
}

/* What syslog() becomes under _FORTIFY_SOURCE. */
__attribute__((format(printf, 3, 4)))
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)pri;
	(void)flag;
	va_start(ap, fmt);
	note(fmt, ap);
	va_end(ap);
}
