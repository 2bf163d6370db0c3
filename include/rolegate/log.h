#ifndef ROLEGATE_LOG_H
#define ROLEGATE_LOG_H

/*
 * Daemon diagnostics (OpenBSD style): log_warn appends strerror(errno),
 * log_warnx does not. To stderr, or to syslog (LOG_DAEMON) after
 * rg_log_init(true). Decisions go to the audit log, not here.
 */

#include <stdbool.h>

void rg_log_init(bool use_syslog);
/* Start-up is over: in syslog mode, warnings stop being echoed to stderr. */
void rg_log_started(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* At LOG_ERR: something an operator must act on (the audit log unlinked). */
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Warnings (not log_info) that repeat with the same format more than 5 times
 * within 10 s are held back and counted; the next one printed says how many. In syslog mode a
 * warning also goes to stderr when /dev/log is absent.
 */

#endif
