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
/*
 * For the CLI (explain, test), single-threaded: keep the last warning instead
 * of printing it, so that a runtime error is reported as one line naming
 * what failed (SPEC.md §2). rg_log_collected() returns it ("" = none).
 */
void rg_log_collect(bool on);
const char *rg_log_collected(void);
/* At LOG_ERR: something that refuses requests until an admin fixes it, something
 * an operator must act on (a refused reload), or something lost (an ownership
 * record not written). */
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Warnings (not log_info) that repeat with the same format more than 5 times
 * within 10 s are held back and counted; the next one printed says how many. In syslog mode a
 * warning also goes to stderr when /dev/log is absent.
 */

#endif
