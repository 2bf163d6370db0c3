#ifndef ROLEGATE_BENCH_RGCLIENT_H
#define ROLEGATE_BENCH_RGCLIENT_H

/*
 * A minimal HTTP/1.1 client for a plugin's Unix socket, speaking the way
 * dockerd's plugin client does (keep-alive, Content-Length bodies, the
 * headers captured in bench/calls/headers.txt). Used by rolegate-bench and
 * by the hostile-input and operations tests, which must not depend on the
 * code they test. Every function returns -1 on failure with errno set, or a
 * message in the response's err.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The longest answer read; a plugin's answers are small. */
#define RGC_RESPONSE_MAX (256 * 1024)

/* One call ready to send: request line, headers and body. */
struct rgc_call {
	char *name;            /* e.g. "tls-create.req" */
	bool response_phase;   /* AuthZRes rather than AuthZReq */
	char *bytes;           /* the whole HTTP request */
	size_t len;
	char *body;            /* the JSON body alone (points into bytes) */
	size_t body_len;
};

struct rgc_response {
	int status;            /* HTTP status, 0 when none was read */
	char *body;            /* NUL-terminated; owned by the connection, valid
	                        * until its next rgc_recv */
	size_t body_len;
	bool close;            /* the server will close the connection */
	const char *err;       /* on -1: what went wrong, in plain words */
};

struct rgc_conn {
	int fd;
	char *buf;             /* RGC_RESPONSE_MAX bytes read from the socket */
	char *body;            /* the last answer's body, NUL-terminated */
	size_t len;            /* bytes buffered (responses may be pipelined) */
	size_t off;            /* start of the unread bytes */
};

/* Builds a POST of body to /AuthZPlugin.AuthZReq (or .AuthZRes) with
 * dockerd's headers. Returns 0, or -1 when out of memory. */
int rgc_call_init(struct rgc_call *c, const char *name, bool response_phase,
		const char *body, size_t body_len);
/* Builds a POST with any path and extra header lines ("K: V\r\n..."). */
int rgc_call_init_raw(struct rgc_call *c, const char *name, const char *path,
		const char *extra_headers, const char *body, size_t body_len);
void rgc_call_free(struct rgc_call *c);

/* Loads every *.req.json and *.res.json of dir, in name order, keeping those
 * whose name (without ".json") is in the comma-separated list only (NULL:
 * all). Returns the count (> 0), or -1 with a message on stderr. */
int rgc_calls_load(const char *dir, const char *only, struct rgc_call **calls);
void rgc_calls_free(struct rgc_call *calls, int n);

/* Connects to the Unix socket path. c must be zeroed before its first use
 * (its buffers are kept across reconnects). Returns 0 or -1. */
int rgc_connect(struct rgc_conn *c, const char *path);
/* Closes the socket (after rgc_connect succeeded), keeping the buffers for
 * the next rgc_connect. */
void rgc_disconnect(struct rgc_conn *c);
/* Closes the socket and frees the buffers. */
void rgc_close(struct rgc_conn *c);

/* Writes all of buf. Returns 0 or -1. */
int rgc_send(struct rgc_conn *c, const void *buf, size_t len);

/* Reads one response. timeout_ms < 0 waits forever. Returns 0, or -1
 * (connection closed, malformed response, timeout) with r->err set. */
int rgc_recv(struct rgc_conn *c, struct rgc_response *r, int timeout_ms);

/* rgc_send + rgc_recv. */
int rgc_roundtrip(struct rgc_conn *c, const struct rgc_call *call, struct rgc_response *r,
		int timeout_ms);

/* What an answer says. */
enum rgc_verdict {
	RGC_ALLOW,             /* 200 with "Allow":true */
	RGC_DENY,              /* 200 with "Allow":false */
	RGC_ERROR,             /* any other status, or an "Err" answer */
	RGC_GARBLED,           /* 200 that is neither: a bug */
};
enum rgc_verdict rgc_verdict_of(const struct rgc_response *r);
const char *rgc_verdict_name(enum rgc_verdict v);

/* Monotonic time in nanoseconds. */
long long rgc_now_ns(void);

/* Reads VmRSS of pid in kB from /proc, or -1. */
long rgc_rss_kb(pid_t pid);

/* CPU time (user + system, all threads) of pid in ms from /proc, or -1. */
long rgc_cpu_ms(pid_t pid);

/* Scheduler figures of every thread of pid, summed (threads that exited are
 * not counted; the servers measured keep theirs). */
struct rgc_sched {
	long long cpu_ns;      /* time on a CPU (/proc/PID/task/TID/schedstat) */
	long voluntary;        /* context switches: blocked (waits, I/O) */
	long involuntary;      /* context switches: preempted */
};
int rgc_sched(pid_t pid, struct rgc_sched *s);

#endif
