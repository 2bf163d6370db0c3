#ifndef ROLEGATE_SYSLOGQ_H
#define ROLEGATE_SYSLOGQ_H

/*
 * Everything serve sends to syslog (diagnostics, audit records with
 * audit.syslog, checkpoints) goes through one queue and one sender thread.
 * syslog(3) writes to /dev/log with a blocking send: a syslog daemon that
 * stops reading (journald or rsyslogd hung, its queue full) blocked every
 * thread that logged, the audit writer under its lock among them, and so
 * every Docker API call. rg_syslogq_send never blocks: it queues a copy, and
 * when RG_SYSLOGQ_MAX_BYTES are queued already it drops the message and
 * counts it. Once the daemon takes messages again, the sender first says at
 * LOG_ERR how many were dropped. Thread-safe; the thread starts on the first
 * message.
 */

#include <stdbool.h>
#include <stddef.h>

/* What may wait for a stalled daemon: a few thousand records. */
#define RG_SYSLOGQ_MAX_BYTES (8 * 1024 * 1024)

/* Queues text[0..len) for syslog(3) at prio (facility | level). */
void rg_syslogq_send(int prio, const char *text, size_t len);

/*
 * Waits up to ms milliseconds for the queue to be sent (at exit: the last
 * checkpoint). Returns whether it was; a daemon that does not read is left
 * behind, with the thread blocked in it.
 */
bool rg_syslogq_drain(int ms);

#endif
