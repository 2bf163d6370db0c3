/*
 * ack-load: drives the real `rolegate serve` over its socket the way dockerd
 * does, and says when each answer came, for the crash-loss test
 * (tests/audit/crashloss.sh).
 *
 *   ack-load SOCKET CONNS COUNT KINDS
 *
 * Each of CONNS keep-alive connections (a thread each) sends COUNT calls,
 * cycling through KINDS, letters for the kinds of call SPEC.md §3 treats
 * apart under sync = "batch":
 *   m  an allowed mutating request: alice (ops) POST /containers/m-C-I/start
 *   r  an allowed read: alice GET /containers/json?r=C-I
 *   d  a deny: mallory (no roles) GET /containers/json?d=C-I
 *   c  the AuthZRes of alice's container create named c-C-I, answered 201
 *      with the id 0…0PPPPPPPPCCCCCCCCIIIIIIII (hex, P the pid), which the ownership state
 *      records (tests/hostile/hung-disk.sh)
 * After each answer it prints, with a single write(2) so that nothing is
 * half-printed when the server dies, "KIND C I TIME_US VERDICT", TIME_US
 * being CLOCK_REALTIME in microseconds, VERDICT allow/deny/error. A
 * connection stops at its first call without an answer (the server was
 * killed). Exit 0 when every answer had the expected verdict, 1 otherwise,
 * 2 on setup errors.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rgclient.h"

struct job {
	const char *sock;
	const char *kinds;
	int conn;
	long count;
};

static atomic_long wrong;

static long long realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Standard base64 of src[0..len) into dst (room for 4 * ((len + 2) / 3) + 1). */
static void base64(char *dst, const unsigned char *src, size_t len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)src[i] << 16 | (i + 1 < len ? (unsigned long)src[i + 1] << 8 : 0) |
			(i + 2 < len ? src[i + 2] : 0);

		*dst++ = abc[v >> 18 & 63];
		*dst++ = abc[v >> 12 & 63];
		*dst++ = i + 1 < len ? abc[v >> 6 & 63] : '=';
		*dst++ = i + 2 < len ? abc[v & 63] : '=';
	}
	*dst = '\0';
}

/* The call of kind k for connection c, number i. Returns 0 or -1. */
static int make_call(struct rgc_call *call, char k, int c, long i)
{
	char body[1024];
	int n;

	if (k == 'c') {
		char answer[128], answer64[192], request64[64];
		static const char request[] = "{\"Image\":\"busybox\"}";

		n = snprintf(answer, sizeof(answer), "{\"Id\":\"%040d%08x%08x%08lx\",\"Warnings\":[]}", 0,
				(unsigned)getpid(), (unsigned)c, (unsigned long)i);
		base64(answer64, (const unsigned char *)answer, (size_t)n);
		base64(request64, (const unsigned char *)request, sizeof(request) - 1);
		n = snprintf(body, sizeof(body), "{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\","
				"\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create?name=c-%d-%ld\","
				"\"RequestBody\":\"%s\",\"RequestHeaders\":{\"Content-Type\":\"application/json\"},"
				"\"ResponseStatusCode\":201,\"ResponseBody\":\"%s\"}", c, i, request64, answer64);
		return rgc_call_init(call, "ack-load", true, body, (size_t)n);
	}
	if (k == 'm')
		n = snprintf(body, sizeof(body), "{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\","
				"\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/m-%d-%ld/start\"}",
				c, i);
	else
		n = snprintf(body, sizeof(body), "{\"User\":\"%s\",\"UserAuthNMethod\":\"TLS\","
				"\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/containers/json?%c=%d-%ld\"}",
				k == 'd' ? "mallory" : "alice", k, c, i);
	return rgc_call_init(call, "ack-load", false, body, (size_t)n);
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct rgc_conn conn = { .fd = -1 };
	size_t nk = strlen(j->kinds);

	if (rgc_connect(&conn, j->sock) < 0) {
		fprintf(stderr, "ack-load: cannot connect to %s\n", j->sock);
		return NULL;
	}
	for (long i = 0; i < j->count; i++) {
		char k = j->kinds[(size_t)(i + j->conn) % nk], line[128];
		struct rgc_call call;
		struct rgc_response r;
		enum rgc_verdict v;
		int n;

		if (make_call(&call, k, j->conn, i) < 0)
			break;
		if (rgc_roundtrip(&conn, &call, &r, 30000) < 0) {
			rgc_call_free(&call);
			break;
		}
		rgc_call_free(&call);
		v = rgc_verdict_of(&r);
		if (v != (k == 'd' ? RGC_DENY : RGC_ALLOW))
			atomic_fetch_add(&wrong, 1);
		n = snprintf(line, sizeof(line), "%c %d %ld %lld %s\n", k, j->conn, i, realtime_us(),
				rgc_verdict_name(v));
		if (write(STDOUT_FILENO, line, (size_t)n) != n)
			break;
	}
	rgc_close(&conn);
	return NULL;
}

int main(int argc, char **argv)
{
	struct job jobs[256];
	pthread_t t[256];
	int conns;

	if (argc != 5 || (conns = atoi(argv[2])) < 1 || conns > 256 || atol(argv[3]) < 1 ||
	    strspn(argv[4], "mrdc") != strlen(argv[4]) || argv[4][0] == '\0') {
		fprintf(stderr, "usage: ack-load SOCKET CONNS COUNT KINDS (letters m, r, d, c)\n");
		return 2;
	}
	for (int c = 0; c < conns; c++) {
		jobs[c] = (struct job){ argv[1], argv[4], c, atol(argv[3]) };
		if (pthread_create(&t[c], NULL, run, &jobs[c]) != 0)
			return 2;
	}
	for (int c = 0; c < conns; c++)
		pthread_join(t[c], NULL);
	return atomic_load(&wrong) == 0 ? 0 : 1;
}
