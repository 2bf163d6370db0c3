/*
 * Hostile clients and operations under load, against the real
 * `rolegate serve` on a temporary socket.
 *
 *   hostile ROLEGATE CALLS-DIR inputs   malformed and abusive calls
 *   hostile ROLEGATE CALLS-DIR ops      reload, drain and restart under load
 *
 * CALLS-DIR holds the dockerd calls captured by bench/capture-calls.sh
 * (bench/calls); they are the "normal requests" that must keep working.
 *
 * inputs: truncated and invalid JSON, invalid base64, bodies far over the
 * cap (counted and chunked), thousands of headers, deeply nested JSON, NUL
 * bytes and invalid UTF-8, a client sending a byte a second while others are
 * served, clients that disconnect mid-request, 1000 simultaneous
 * connections. Every call must be answered with an error or a deny (never
 * allow), and after each case the plugin must still be alive and answer
 * normal calls correctly.
 *
 * ops: SIGHUP reloads while 8 connections send calls (no call lost, every
 * answer right); a broken config on reload keeps the old one (and says so in
 * the log); a storm of SIGHUPs does not end it; SIGTERM drains (a call in flight is answered and recorded in the
 * audit log, exit status 0); a restart on a socket kept open by the caller
 * (socket activation, as the systemd socket unit does) refuses no
 * connection and loses no call that a client retries on a closed keep-alive
 * connection, as dockerd's plugin client does.
 *
 * RG_TEST_WRAPPER (e.g. "valgrind --error-exitcode=99 ...", set by the
 * valgrind test setup) runs the daemon under that command; its exit status
 * is then checked too. Timeouts scale by 10 under a wrapper.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "rgclient.h"

static int failures, checks;
static int scale = 1;          /* timeouts multiply by this under a wrapper */

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		fflush(stdout); \
	} \
} while (0)

static void section(const char *title)
{
	printf("== %s\n", title);
	fflush(stdout);
}

/* ---- the daemon ---------------------------------------------------------- */

static char dir[] = "/tmp/rghostile.XXXXXX";
static char sock_path[256], conf_path[256], log_path[256], audit_path[256];
static const char *rolegate;
static pid_t daemon_pid;

static const char config_template[] =
	"plugin = {\n"
	"  state = \"%s/state\";\n"
	"  max_body = 65536;\n"
	"  threads = 2;\n"
	"};\n"
	"identity = {\n"
	"  unauthenticated = \"\";\n"
	"  users = (\n"
	"    %s"
	"    { name = \"bob\"; groups = [\"auditors\"]; }\n"
	"  );\n"
	"};\n"
	"roles = {\n"
	"  ops = { groups = [\"docker-ops\"]; allow = [\"*\"]; };\n"
	"  auditor = { groups = [\"auditors\"]; allow = [\"*.list\", \"*.inspect\", \"system.*\"]; };\n"
	"  developer = {\n"
	"    groups = [\"developers\"];\n"
	"    allow = [\"container.*\", \"system.*\"];\n"
	"    constraints = {\n"
	"      privileged = false;\n"
	"      require_limits = [\"memory\"];\n"
	"      bind_mounts = [\"/tmp/rolegate-bench-projects\"];\n"
	"    };\n"
	"  };\n"
	"%s"
	"};\n"
	"audit = {\n"
	"  path = \"%s\";\n"
	"  sync = \"batch\";\n"
	"};\n";

#define ALICE_OPS "{ name = \"alice\"; groups = [\"docker-ops\"]; },\n"
#define ALICE_DEV "{ name = \"alice\"; groups = [\"developers\"]; },\n"
#define ALICE_AUDITOR "{ name = \"alice\"; groups = [\"auditors\"]; },\n"

/* Writes the config (atomically: a reload never reads half a file). */
static void write_config(const char *alice, const char *extra_role, const char *raw)
{
	char tmp[300];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", conf_path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		perror(tmp);
		exit(2);
	}
	if (raw != NULL)
		fputs(raw, f);
	else
		fprintf(f, config_template, dir, alice, extra_role, audit_path);
	if (fclose(f) != 0 || rename(tmp, conf_path) != 0) {
		perror(conf_path);
		exit(2);
	}
}

static int count_in_log(const char *needle)
{
	FILE *f = fopen(log_path, "r");
	char line[4096];
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, needle) != NULL)
			n++;
	}
	fclose(f);
	return n;
}

/* Prints the daemon's log (its last 60 lines). */
static void dump_log(void)
{
	FILE *f = fopen(log_path, "r");
	char lines[60][512];
	int n = 0;

	while (f != NULL && fgets(lines[n % 60], sizeof(lines[0]), f) != NULL)
		n++;
	if (f != NULL)
		fclose(f);
	printf("--- %s (last %d lines)\n", log_path, n < 60 ? n : 60);
	for (int i = n < 60 ? 0 : n - 60; i < n; i++)
		fputs(lines[i % 60], stdout);
	printf("---\n");
}

/*
 * Starts `rolegate serve` (under RG_TEST_WRAPPER when set). listen_fd >= 0
 * is handed over as a systemd socket (fd 3, LISTEN_FDS=1). Waits for the
 * readiness byte. Returns the pid, or -1.
 */
static pid_t start_daemon(int listen_fd)
{
	const char *wrapper = getenv("RG_TEST_WRAPPER");
	char *argv[64];
	char wbuf[1024], readyarg[16];
	int argc = 0, pfd[2], r;
	struct pollfd p;
	char byte;
	pid_t pid;

	if (wrapper != NULL && wrapper[0] != '\0') {
		snprintf(wbuf, sizeof(wbuf), "%s", wrapper);
		for (char *t = strtok(wbuf, " "); t != NULL && argc < 48; t = strtok(NULL, " "))
			argv[argc++] = t;
	}
	argv[argc++] = (char *)rolegate;
	argv[argc++] = (char *)"serve";
	argv[argc++] = (char *)"-c";
	argv[argc++] = conf_path;
	if (listen_fd < 0) {
		argv[argc++] = (char *)"--socket";
		argv[argc++] = sock_path;
	}
	argv[argc++] = (char *)"--ready-fd";
	argv[argc++] = readyarg;
	argv[argc++] = (char *)"--stderr";
	argv[argc] = NULL;
	snprintf(readyarg, sizeof(readyarg), "4");

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDONLY);
		char pidbuf[32];

		dup2(null, STDIN_FILENO);
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
		/* Out of the way first, so that placing one cannot clobber the other. */
		dup2(pfd[1], 1020);
		if (listen_fd >= 0)
			dup2(listen_fd, 1021);
		dup2(1020, 4);
		if (listen_fd >= 0) {
			dup2(1021, 3);
			snprintf(pidbuf, sizeof(pidbuf), "%ld", (long)getpid());
			setenv("LISTEN_PID", pidbuf, 1);
			setenv("LISTEN_FDS", "1", 1);
		}
		for (int fd = 5; fd < 1024; fd++)
			close(fd);
		if (listen_fd < 0)
			close(3);
		execvp(argv[0], argv);
		fprintf(stderr, "hostile: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	p.fd = pfd[0];
	p.events = POLLIN;
	do
		r = poll(&p, 1, 30000 * scale);
	while (r < 0 && errno == EINTR);
	if (r <= 0 || read(pfd[0], &byte, 1) != 1) {
		close(pfd[0]);
		fprintf(stderr, "rolegate serve did not become ready; log %s:\n", log_path);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		dump_log();
		return -1;
	}
	close(pfd[0]);
	return pid;
}

/* Waits up to ms for pid to exit; returns its exit status, 128+signal, or -1. */
static int wait_exit(pid_t pid, int ms)
{
	int status;

	for (int i = 0; i < ms / 10; i++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	return -1;
}

static bool alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* ---- calls --------------------------------------------------------------- */

static struct rgc_call *calls;
static int ncalls;

static const struct rgc_call *find_call(const char *name)
{
	for (int i = 0; i < ncalls; i++) {
		if (strcmp(calls[i].name, name) == 0)
			return &calls[i];
	}
	fprintf(stderr, "no call %s in the calls directory\n", name);
	exit(2);
}

static char *b64(const void *data, size_t len)
{
	char *out = malloc(len / 3 * 4 + 8);

	if (out == NULL)
		exit(2);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* An AuthZReq for user with method, uri and (when non-NULL) body. */
static char *make_call(const char *user, const char *method, const char *uri, const char *body,
		size_t body_len)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "User", user, "UserAuthNMethod",
			user[0] != '\0' ? "TLS" : "", "RequestMethod", method, "RequestUri", uri);
	char *text;

	if (body != NULL) {
		char *enc = b64(body, body_len);

		json_object_set_new(o, "RequestBody", json_string(enc));
		free(enc);
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		exit(2);
	return text;
}

/* One call on a fresh connection. Returns the verdict, or -1 with *err set. */
static int one_call(const struct rgc_call *c, const char **err)
{
	struct rgc_conn conn = { .fd = -1 };
	struct rgc_response r;
	int v = -1;

	*err = NULL;
	if (rgc_connect(&conn, sock_path) < 0) {
		*err = strerror(errno);
	} else if (rgc_roundtrip(&conn, c, &r, 10000 * scale) < 0) {
		*err = r.err;
	} else {
		v = (int)rgc_verdict_of(&r);
	}
	rgc_close(&conn);
	return v;
}

/* The plugin is alive and decides normal calls right. */
static void still_serving(const char *after)
{
	const char *err;
	int v;

	CHECK(alive(daemon_pid), "rolegate serve died after %s", after);
	v = one_call(find_call("tls-ps.req"), &err);
	CHECK(v == RGC_ALLOW, "after %s, a normal call (alice: container list) got %s", after,
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
	v = one_call(find_call("tls-create.req"), &err);
	CHECK(v == RGC_ALLOW, "after %s, a normal create by alice got %s", after,
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
}

/*
 * Sends raw bytes on a fresh connection and reads one answer. Returns the
 * verdict, or -1 when no answer came (*err says why).
 */
static int raw_call(const void *bytes, size_t len, int timeout_ms, int *status, const char **err)
{
	struct rgc_conn conn = { .fd = -1 };
	struct rgc_response r;
	int v = -1;

	*status = 0;
	*err = NULL;
	if (rgc_connect(&conn, sock_path) < 0) {
		*err = strerror(errno);
		rgc_close(&conn);
		return -1;
	}
	if (rgc_send(&conn, bytes, len) < 0) {
		/* The server may answer and close before reading everything. */
		*err = "the server stopped reading";
	}
	if (rgc_recv(&conn, &r, timeout_ms) == 0) {
		*status = r.status;
		v = (int)rgc_verdict_of(&r);
		*err = NULL;
	} else if (*err == NULL) {
		*err = r.err;
	}
	rgc_close(&conn);
	return v;
}

/* A call body in an AuthZReq POST; the answer must not be allow. */
static void expect_refused(const char *what, const char *body, size_t len)
{
	struct rgc_call c;
	int status;
	const char *err;
	int v;

	if (rgc_call_init(&c, what, false, body, len) < 0)
		exit(2);
	v = raw_call(c.bytes, c.len, 20000 * scale, &status, &err);
	CHECK(v == RGC_DENY || v == RGC_ERROR, "%s: want an error or a deny, got %s (HTTP %d)", what,
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v), status);
	rgc_call_free(&c);
}

/* ---- inputs -------------------------------------------------------------- */

static void case_truncated(void)
{
	const struct rgc_call *c = find_call("tls-create.req");
	int n = 0;

	section("truncated calls (every prefix length in steps of 97 bytes)");
	for (size_t cut = 0; cut < c->body_len; cut += 97, n++) {
		char what[64];

		snprintf(what, sizeof(what), "tls-create.req cut at %zu bytes", cut);
		expect_refused(what, c->body, cut);
	}
	printf("   %d truncated calls\n", n);
	still_serving("truncated calls");
}

static void case_invalid_json(void)
{
	static const char *const bad[] = {
		"", "null", "[]", "\"x\"", "{", "}", "{\"RequestMethod\":\"GET\"",
		"{\"RequestMethod\":1,\"RequestUri\":\"/_ping\"}",
		"{\"RequestMethod\":\"GET\",\"RequestUri\":[]}",
		"{\"RequestMethod\":\"GET\"}",
		"{\"User\":\"alice\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/_ping\",\"RequestMethod\":\"GET\"}",
		"{\"User\":\"alice\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\"} trailing",
		"{\"User\":\"alice\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\",}",
		"{'User':'alice'}",
		"\xef\xbb\xbf{\"User\":\"alice\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\"}",
		"{\"User\":\"alice\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\",\"RequestBody\":7}",
		"{\"User\":\"alice\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\",\"User\":\"bob\"}",
		NULL,
	};

	section("invalid JSON");
	for (int i = 0; bad[i] != NULL; i++) {
		char what[128];

		snprintf(what, sizeof(what), "invalid call #%d %.40s", i, bad[i]);
		expect_refused(what, bad[i], strlen(bad[i]));
	}
	still_serving("invalid JSON");
}

static void case_invalid_base64(void)
{
	static const char *const bad[] = {
		"!!!!", "abc", "YQ=", "Y=Q=", " YWJj", "YWJj\\n", "YW=j", "====", "eyJ9", "e30=e30=",
		"eyJJbWFnZSI6ImJ1c3lib3gifQ", NULL,
	};

	section("invalid base64 bodies");
	for (int i = 0; bad[i] != NULL; i++) {
		char body[512], what[64];

		snprintf(body, sizeof(body), "{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\","
				"\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create\","
				"\"RequestBody\":\"%s\"}", bad[i]);
		snprintf(what, sizeof(what), "RequestBody \"%s\"", bad[i]);
		expect_refused(what, body, strlen(body));
	}
	still_serving("invalid base64");
}

static void case_oversized(void)
{
	size_t big = 10 * 1024 * 1024;
	char *body = malloc(big), *call;
	struct rgc_conn conn = { .fd = -1 };
	struct rgc_response r;
	const char *err;
	int status, v;

	section("bodies far over the cap (max_body = 64 KiB)");
	if (body == NULL)
		exit(2);
	/* A valid create whose body is 10 MiB of JSON: over the call cap. */
	{
		static const char pre[] = "{\"Image\":\"busybox\",\"Labels\":{\"a\":\"";
		static const char post[] = "\"}}";

		memcpy(body, pre, sizeof(pre) - 1);
		memset(body + sizeof(pre) - 1, 'x', big - (sizeof(pre) - 1) - (sizeof(post) - 1));
		memcpy(body + big - (sizeof(post) - 1), post, sizeof(post) - 1);
	}
	call = make_call("alice", "POST", "/v1.41/containers/create", body, big);
	expect_refused("a 10 MiB create body (14 MB call)", call, strlen(call));
	free(call);
	/* 200 KiB: under the call cap, over max_body. */
	call = make_call("alice", "POST", "/v1.41/containers/create", body, 200 * 1024);
	expect_refused("a 200 KiB create body", call, strlen(call));
	free(call);
	/* 10 MiB, chunked. */
	{
		const char head[] = "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: \r\n"
			"Transfer-Encoding: chunked\r\n\r\n";
		char line[64];
		size_t sent = 0;

		rgc_connect(&conn, sock_path);
		rgc_send(&conn, head, sizeof(head) - 1);
		call = make_call("alice", "POST", "/v1.41/containers/create", body, big);
		for (size_t len = strlen(call); sent < len;) {
			size_t n = len - sent < 65536 ? len - sent : 65536;

			snprintf(line, sizeof(line), "%zx\r\n", n);
			if (rgc_send(&conn, line, strlen(line)) < 0 || rgc_send(&conn, call + sent, n) < 0 ||
			    rgc_send(&conn, "\r\n", 2) < 0)
				break;
			sent += n;
		}
		rgc_send(&conn, "0\r\n\r\n", 5);
		v = rgc_recv(&conn, &r, 20000 * scale) == 0 ? (int)rgc_verdict_of(&r) : -1;
		CHECK(v == RGC_DENY || v == RGC_ERROR, "a 14 MB chunked call: want an error or a deny, got %s",
				v < 0 ? r.err : rgc_verdict_name((enum rgc_verdict)v));
		rgc_close(&conn);
		free(call);
	}
	/* A Content-Length of a terabyte, a little data, then gone. */
	{
		const char head[] = "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: \r\n"
			"Content-Length: 1099511627776\r\n\r\n{\"User\":";

		conn = (struct rgc_conn){ .fd = -1 };
		if (rgc_connect(&conn, sock_path) == 0)
			rgc_send(&conn, head, sizeof(head) - 1);
		usleep(100000);
		rgc_close(&conn);
	}
	/* A Content-Length that does not fit in 64 bits. */
	{
		const char head[] = "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: \r\n"
			"Content-Length: 99999999999999999999999\r\n\r\n{}";

		v = raw_call(head, sizeof(head) - 1, 10000 * scale, &status, &err);
		CHECK(v == RGC_ERROR || v < 0, "an impossible Content-Length: got %s",
				v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
	}
	free(body);
	still_serving("oversized bodies");
}

static void case_headers(void)
{
	size_t cap = 5000 * 40 + 4096, len = 0;
	char *req = malloc(cap);
	const struct rgc_call *c = find_call("tls-ping.req");
	const char *err;
	int status, v;

	section("thousands of headers");
	if (req == NULL)
		exit(2);
	len += (size_t)sprintf(req, "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: \r\n"
			"Content-Length: %zu\r\n", c->body_len);
	for (int i = 0; i < 5000; i++)
		len += (size_t)sprintf(req + len, "X-Hostile-%d: %d\r\n", i, i);
	len += (size_t)sprintf(req + len, "\r\n");
	memcpy(req + len, c->body, c->body_len);
	len += c->body_len;
	v = raw_call(req, len, 10000 * scale, &status, &err);
	CHECK(v == RGC_ERROR && status >= 400, "5000 headers: want an HTTP error, got %s (HTTP %d)",
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v), status);
	/* One header line of 1 MB. */
	free(req);
	req = malloc(1024 * 1024 + 4096);
	if (req == NULL)
		exit(2);
	len = (size_t)sprintf(req, "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: \r\nX-Long: ");
	memset(req + len, 'a', 1024 * 1024);
	len += 1024 * 1024;
	len += (size_t)sprintf(req + len, "\r\nContent-Length: %zu\r\n\r\n", c->body_len);
	memcpy(req + len, c->body, c->body_len);
	len += c->body_len;
	v = raw_call(req, len, 10000 * scale, &status, &err);
	CHECK(v == RGC_ERROR && status >= 400, "a 1 MB header: want an HTTP error, got %s (HTTP %d)",
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v), status);
	free(req);
	still_serving("thousands of headers");
}

static char *nested(size_t depth, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s = malloc(pl + 2 * depth + sl + 1);

	if (s == NULL)
		exit(2);
	memcpy(s, prefix, pl);
	memset(s + pl, '[', depth);
	memset(s + pl + depth, ']', depth);
	memcpy(s + pl + 2 * depth, suffix, sl + 1);
	return s;
}

static void case_nesting(void)
{
	char *s, *call;

	section("deeply nested JSON");
	/* The call itself: 100 000 levels. */
	s = nested(100000, "", "");
	expect_refused("a call nested 100000 deep", s, strlen(s));
	free(s);
	s = nested(100000, "{\"User\":\"alice\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\",\"X\":", "}");
	expect_refused("a ping carrying a member nested 100000 deep", s, strlen(s));
	free(s);
	/* The body: 20 000 levels (past the Go-compatible reader's limit). */
	s = nested(20000, "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1},\"Cmd\":", "}");
	call = make_call("alice", "POST", "/v1.41/containers/create", s, strlen(s));
	expect_refused("a create body nested 20000 deep", call, strlen(call));
	free(call);
	free(s);
	/* Objects rather than arrays, for a developer (the body is inspected). */
	{
		size_t depth = 5000, n = 0;
		char *o = malloc(depth * 6 + 64);

		if (o == NULL)
			exit(2);
		n += (size_t)sprintf(o, "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1},\"Labels\":");
		for (size_t i = 0; i < depth; i++)
			n += (size_t)sprintf(o + n, "{\"a\":");
		n += (size_t)sprintf(o + n, "1");
		for (size_t i = 0; i < depth + 1; i++)
			o[n++] = '}';
		o[n] = '\0';
		call = make_call("alice", "POST", "/v1.41/containers/create", o, n);
		expect_refused("a create body of 5000 nested objects", call, strlen(call));
		free(call);
		free(o);
	}
	still_serving("deeply nested JSON");
}

/* Sends SIGHUP and waits for the daemon to log the outcome. Returns 1 on
 * "reloaded", 0 on "failed", -1 when nothing was logged. */
static int reload(void)
{
	int ok0 = count_in_log("reloaded "), bad0 = count_in_log("stays in force");

	kill(daemon_pid, SIGHUP);
	for (int i = 0; i < 200 * scale; i++) {
		if (count_in_log("reloaded ") > ok0)
			return 1;
		if (count_in_log("stays in force") > bad0)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void case_nul_utf8(void)
{
	static const char *const bad[] = {
		/* NUL bytes escaped in the call's strings */
		"{\"User\":\"alice\\u0000root\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\"}",
		"{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\\u0000\",\"RequestUri\":\"/_ping\"}",
		"{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"DELETE\",\"RequestUri\":\"/containers/web\\u0000/json\"}",
		/* invalid UTF-8 raw in the call */
		"{\"User\":\"al\xff\xfeice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\"}",
		"{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\xc0\xaf\"}",
		"{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/\xed\xa0\x80\"}",
		/* percent-encoded NUL in the path */
		"{\"User\":\"bob\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/a%00b/kill\"}",
		NULL,
	};
	static const char *const bodies[] = {
		"{\"Image\":\"busy\\u0000box\",\"HostConfig\":{\"Memory\":1}}",
		"{\"Image\":\"busybox\xff\",\"HostConfig\":{\"Memory\":1}}",
		"{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1,\"Privileged\":true}}",
		"{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1,\"Bind\xc5\xbf\":[\"/etc:/x\"]}}",
		"{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1,\"binds\":[\"/etc:/x\"]}}",
		"{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1,\"Binds\":[\"/tmp/rolegate-bench-projects/../../etc:/x\"]}}",
		"{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1,\"privileged\":false,\"Privileged\":true}}",
		NULL,
	};
	const char *err;
	int v;

	section("NUL bytes and invalid UTF-8");
	for (int i = 0; bad[i] != NULL; i++) {
		char what[64];

		snprintf(what, sizeof(what), "NUL / invalid UTF-8 call #%d", i);
		expect_refused(what, bad[i], strlen(bad[i]));
	}
	/* The same in bodies (alice is a developer here: constraints read the body). */
	for (int i = 0; bodies[i] != NULL; i++) {
		char what[64], *call = make_call("alice", "POST", "/v1.41/containers/create", bodies[i],
				strlen(bodies[i]));

		snprintf(what, sizeof(what), "NUL / invalid UTF-8 / folded key body #%d", i);
		expect_refused(what, call, strlen(call));
		free(call);
	}
	/* ...while a clean body from the same developer is allowed. */
	{
		const char ok[] = "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1048576}}";
		char *call = make_call("alice", "POST", "/v1.41/containers/create", ok, sizeof(ok) - 1);
		struct rgc_call c;
		int status;

		rgc_call_init(&c, "clean", false, call, strlen(call));
		v = raw_call(c.bytes, c.len, 10000 * scale, &status, &err);
		CHECK(v == RGC_ALLOW, "a clean create by a developer: want allow, got %s",
				v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
		rgc_call_free(&c);
		free(call);
	}
	still_serving("NUL bytes and invalid UTF-8");
}

struct slow_arg {
	int seconds;
	int sent;
	bool answered;
};

static void *slow_client(void *p)
{
	struct slow_arg *a = p;
	const struct rgc_call *c = find_call("tls-ps.req");
	struct rgc_conn conn = { .fd = -1 };
	struct rgc_response r;

	if (rgc_connect(&conn, sock_path) < 0)
		return NULL;
	for (int i = 0; i < a->seconds && (size_t)i < c->len; i++) {
		if (rgc_send(&conn, c->bytes + i, 1) < 0)
			break;
		a->sent++;
		sleep(1);
	}
	/* Not finished: the answer must not come (the call is incomplete). */
	a->answered = rgc_recv(&conn, &r, 100) == 0;
	rgc_close(&conn);
	return NULL;
}

static void case_slow_client(void)
{
	struct slow_arg a = { .seconds = 5 };
	const struct rgc_call *c = find_call("tls-ps.req");
	struct rgc_conn conn = { .fd = -1 };
	pthread_t t;
	long long start = rgc_now_ns(), worst = 0;
	int served = 0, wrong = 0;

	section("a client sending a byte a second for 5 s, others served meanwhile");
	pthread_create(&t, NULL, slow_client, &a);
	rgc_connect(&conn, sock_path);
	while (rgc_now_ns() - start < 5500000000LL) {
		struct rgc_response r;
		long long t0 = rgc_now_ns();

		if (rgc_roundtrip(&conn, c, &r, 5000 * scale) < 0) {
			wrong++;
			rgc_disconnect(&conn);
			rgc_connect(&conn, sock_path);
		} else {
			long long dt = rgc_now_ns() - t0;

			served++;
			if (dt > worst)
				worst = dt;
			if (rgc_verdict_of(&r) != RGC_ALLOW)
				wrong++;
		}
		usleep(20000);
	}
	rgc_close(&conn);
	pthread_join(t, NULL);
	printf("   slow client sent %d bytes; %d normal calls served meanwhile, slowest %.1f ms\n",
			a.sent, served, (double)worst / 1e6);
	CHECK(a.sent >= 4, "the slow client could send only %d bytes", a.sent);
	CHECK(!a.answered, "an incomplete call was answered");
	CHECK(wrong == 0 && served >= 50, "normal calls during the slow client: %d served, %d wrong",
			served, wrong);
	CHECK(worst < 1000000000LL * scale, "a normal call waited %.0f ms behind the slow client",
			(double)worst / 1e6);
	still_serving("a slow client");
}

static void case_disconnects(void)
{
	const struct rgc_call *c = find_call("tls-create.req");

	section("clients that disconnect mid-request (300 of them)");
	for (int i = 0; i < 100; i++) {
		struct rgc_conn conn = { .fd = -1 };
		size_t cut = (size_t)(i + 1) * c->len / 101;

		/* Part of the headers or body, then close. */
		if (rgc_connect(&conn, sock_path) == 0)
			rgc_send(&conn, c->bytes, cut);
		rgc_close(&conn);
	}
	for (int i = 0; i < 100; i++) {
		struct rgc_conn conn = { .fd = -1 };

		/* The whole call, then close before the answer. */
		if (rgc_connect(&conn, sock_path) == 0)
			rgc_send(&conn, c->bytes, c->len);
		rgc_close(&conn);
	}
	for (int i = 0; i < 100; i++) {
		struct rgc_conn conn = { .fd = -1 };
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		/* Reset (RST) half-way through the body. */
		if (rgc_connect(&conn, sock_path) == 0) {
			setsockopt(conn.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			rgc_send(&conn, c->bytes, c->len / 2 + (size_t)i);
		}
		rgc_close(&conn);
	}
	still_serving("300 disconnects");
}

static void case_many_connections(void)
{
	enum { N = 1000 };
	static struct rgc_conn conns[N];
	const struct rgc_call *c = find_call("tls-ping.req");
	int connected = 0, answered = 0, allowed = 0;
	const char *first_err = NULL;

	section("1000 simultaneous connections, each with a call in flight");
	for (int i = 0; i < N; i++) {
		conns[i] = (struct rgc_conn){ .fd = -1 };
		if (rgc_connect(&conns[i], sock_path) < 0) {
			if (first_err == NULL)
				first_err = strerror(errno);
			continue;
		}
		connected++;
	}
	for (int i = 0; i < N; i++) {
		if (conns[i].fd >= 0)
			rgc_send(&conns[i], c->bytes, c->len);
	}
	for (int i = 0; i < N; i++) {
		struct rgc_response r;

		if (conns[i].fd < 0)
			continue;
		if (rgc_recv(&conns[i], &r, 30000 * scale) == 0) {
			answered++;
			if (rgc_verdict_of(&r) == RGC_ALLOW)
				allowed++;
		} else if (first_err == NULL) {
			first_err = r.err;
		}
	}
	for (int i = 0; i < N; i++)
		rgc_close(&conns[i]);
	printf("   %d connected, %d answered, %d allowed\n", connected, answered, allowed);
	CHECK(connected == N && answered == N && allowed == N,
			"1000 connections: %d connected, %d answered, %d allowed (first problem: %s)",
			connected, answered, allowed, first_err != NULL ? first_err : "none");
	still_serving("1000 connections");
}

static void case_protocol(void)
{
	const struct rgc_call *c = find_call("tls-ping.req");
	struct rgc_conn conn = { .fd = -1 };
	const char *err;
	int status, v, ok = 0;
	char *pipelined;

	section("protocol odds: other methods and paths, pipelining");
	v = raw_call("GET /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: \r\n\r\n", 47, 10000 * scale, &status, &err);
	CHECK(v == RGC_ERROR, "a GET: want an error, got %s", v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
	v = raw_call("POST /AuthZPlugin.Nope HTTP/1.1\r\nHost: \r\nContent-Length: 2\r\n\r\n{}", 64,
			10000 * scale, &status, &err);
	CHECK(v == RGC_ERROR && status == 404, "an unknown endpoint: got %s (HTTP %d)",
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v), status);
	v = raw_call("BREW /pot HTCPCP/1.0\r\n\r\n", 24, 10000 * scale, &status, &err);
	CHECK(v == RGC_ERROR || v < 0, "garbage request line: got %s",
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
	/* Ten calls in one write; ten answers, in order. */
	pipelined = malloc(c->len * 10);
	if (pipelined == NULL)
		exit(2);
	for (int i = 0; i < 10; i++)
		memcpy(pipelined + c->len * (size_t)i, c->bytes, c->len);
	rgc_connect(&conn, sock_path);
	rgc_send(&conn, pipelined, c->len * 10);
	for (int i = 0; i < 10; i++) {
		struct rgc_response r;

		if (rgc_recv(&conn, &r, 10000 * scale) < 0)
			break;
		ok += rgc_verdict_of(&r) == RGC_ALLOW;
	}
	rgc_close(&conn);
	free(pipelined);
	CHECK(ok == 10, "10 pipelined calls: %d allowed answers", ok);
	still_serving("protocol odds");
}

/* ---- operations under load ---------------------------------------------- */

struct load {
	atomic_bool stop;
	bool retry;                /* resend on a closed keep-alive connection (dockerd does) */
	atomic_long sent, allowed, other, lost, refused, retried;
	const char *first_problem;
};

static void *load_main(void *p)
{
	struct load *l = p;
	struct rgc_conn conn = { .fd = -1 };
	bool up = false;
	long i = 0;

	while (!atomic_load(&l->stop)) {
		const struct rgc_call *c = &calls[i++ % ncalls];
		struct rgc_response r;
		int tries = 0;

		if (strstr(c->name, "tls-") != c->name)
			continue;          /* the unauthenticated calls are denied */
		atomic_fetch_add(&l->sent, 1);
		for (;;) {
			if (!up) {
				if (rgc_connect(&conn, sock_path) < 0) {
					atomic_fetch_add(&l->refused, 1);
					l->first_problem = "connect() failed";
					usleep(1000);
					if (++tries > 5000) {
						atomic_fetch_add(&l->lost, 1);
						break;
					}
					continue;
				}
				up = true;
			}
			if (rgc_roundtrip(&conn, c, &r, 30000 * scale) == 0) {
				if (c->response_phase || rgc_verdict_of(&r) == RGC_ALLOW)
					atomic_fetch_add(&l->allowed, 1);
				else
					atomic_fetch_add(&l->other, 1);
				if (r.close) {
					rgc_disconnect(&conn);
					up = false;
				}
				break;
			}
			rgc_disconnect(&conn);
			up = false;
			if (!l->retry || ++tries > 100) {
				atomic_fetch_add(&l->lost, 1);
				l->first_problem = r.err;
				break;
			}
			atomic_fetch_add(&l->retried, 1);
		}
	}
	rgc_close(&conn);
	return NULL;
}

static void start_load(struct load *l, pthread_t *t, int n)
{
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, load_main, l);
}

static void stop_load(struct load *l, pthread_t *t, int n)
{
	atomic_store(&l->stop, true);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void ops_reload_under_load(void)
{
	struct load l = { .retry = false };
	pthread_t t[8];
	int ok = 0;

	section("SIGHUP reload x 20 while 8 connections send calls");
	start_load(&l, t, 8);
	usleep(300000);
	for (int i = 0; i < 20; i++) {
		write_config(ALICE_OPS, i % 2 == 0 ? "  extra = { users = [\"carol\"]; allow = [\"system.ping\"]; };\n" : "",
				NULL);
		ok += reload() == 1;
		usleep(50000);
	}
	usleep(300000);
	stop_load(&l, t, 8);
	printf("   %d reloads; %ld calls sent, %ld allowed, %ld other answers, %ld lost\n", ok,
			atomic_load(&l.sent), atomic_load(&l.allowed), atomic_load(&l.other),
			atomic_load(&l.lost));
	CHECK(ok == 20, "only %d of 20 reloads were logged as done", ok);
	CHECK(atomic_load(&l.lost) == 0 && atomic_load(&l.other) == 0 &&
			atomic_load(&l.allowed) == atomic_load(&l.sent) && atomic_load(&l.sent) > 100,
			"calls during reloads: %ld sent, %ld allowed, %ld other, %ld lost (%s)",
			atomic_load(&l.sent), atomic_load(&l.allowed), atomic_load(&l.other),
			atomic_load(&l.lost), l.first_problem != NULL ? l.first_problem : "-");
}

static void ops_broken_reload(void)
{
	const char *err;
	int v;

	section("a broken config on reload keeps the old one");
	/* In force: alice is ops. Broken syntax: */
	write_config(NULL, NULL, "roles = { ops = { allow = [\"*\"] ; ;; }\n");
	CHECK(reload() == 0, "a config with a syntax error was not reported as a failed reload");
	v = one_call(find_call("tls-create.req"), &err);
	CHECK(v == RGC_ALLOW, "after a failed reload alice's create got %s (the old config allows it)",
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
	/* Valid syntax, invalid config (an unknown key), that would deny alice: */
	write_config(NULL, NULL, "identity = { users = (); };\nroles = { };\naudit = { path = \"/x\"; bogus = 1; };\n");
	CHECK(reload() == 0, "a config with an unknown key was not reported as a failed reload");
	v = one_call(find_call("tls-create.req"), &err);
	CHECK(v == RGC_ALLOW, "after a second failed reload alice's create got %s",
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
	CHECK(count_in_log("previous configuration stays in force") >= 2,
			"the log does not say that the previous configuration stays in force");
	/* A good config that changes the answer is taken. */
	write_config(ALICE_AUDITOR, "", NULL);
	CHECK(reload() == 1, "a good config was not reloaded");
	v = one_call(find_call("tls-create.req"), &err);
	CHECK(v == RGC_DENY, "alice as an auditor creating a container: want deny, got %s",
			v < 0 ? err : rgc_verdict_name((enum rgc_verdict)v));
	write_config(ALICE_OPS, "", NULL);
	CHECK(reload() == 1, "the original config was not reloaded");
}

/*
 * Signals come when they come: a SIGHUP while the main thread is busy
 * reloading must wait for it, not be taken by another thread whose default
 * action would end rolegate (a thread started before the signals were
 * blocked did exactly that, about one storm of 300 SIGHUPs in one).
 */
static void ops_signal_storm(void)
{
	struct load l = { .retry = false };
	pthread_t t[4];
	long sent = 0;
	struct timespec start, now;
	const char *err;
	int v;

	section("a storm of SIGHUPs for 2 s while 4 connections send calls");
	start_load(&l, t, 4);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (kill(daemon_pid, SIGHUP) == 0)
			sent++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 2 && alive(daemon_pid));
	usleep(300000);
	stop_load(&l, t, 4);
	printf("   %ld SIGHUPs sent; %ld calls sent, %ld allowed, %ld lost\n", sent,
			atomic_load(&l.sent), atomic_load(&l.allowed), atomic_load(&l.lost));
	CHECK(alive(daemon_pid), "rolegate died in a storm of SIGHUPs (%ld sent)", sent);
	v = one_call(find_call("tls-ping.req"), &err);
	CHECK(v == RGC_ALLOW, "after the storm a ping got %s", v < 0 ? err :
			rgc_verdict_name((enum rgc_verdict)v));
	CHECK(atomic_load(&l.lost) == 0 && atomic_load(&l.other) == 0,
			"calls during the storm: %ld other, %ld lost (%s)", atomic_load(&l.other),
			atomic_load(&l.lost), l.first_problem != NULL ? l.first_problem : "-");
}

static void ops_drain(void)
{
	struct load l = { .retry = false };
	pthread_t t[4];
	char *call, *req;
	struct rgc_conn conn = { .fd = -1 };
	struct rgc_response r;
	int rc, v = -1;
	size_t half;

	section("SIGTERM drains: a call in flight is answered and recorded, exit 0");
	call = make_call("alice", "POST", "/v1.41/containers/drain-marker/start", NULL, 0);
	if (call == NULL)
		exit(2);
	req = malloc(strlen(call) + 512);
	if (req == NULL)
		exit(2);
	sprintf(req, "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: \r\nContent-Length: %zu\r\n\r\n%s",
			strlen(call), call);
	half = strlen(req) - strlen(call) / 2;
	start_load(&l, t, 4);
	usleep(200000);
	rgc_connect(&conn, sock_path);
	rgc_send(&conn, req, half);
	usleep(200000);            /* the call is in flight: headers and half the body read */
	kill(daemon_pid, SIGTERM);
	usleep(300000);
	CHECK(alive(daemon_pid), "rolegate exited with a call in flight");
	rgc_send(&conn, req + half, strlen(req) - half);
	if (rgc_recv(&conn, &r, 10000 * scale) == 0)
		v = (int)rgc_verdict_of(&r);
	CHECK(v == RGC_ALLOW, "the call in flight at SIGTERM got %s", v < 0 ? r.err :
			rgc_verdict_name((enum rgc_verdict)v));
	rgc_close(&conn);
	rc = wait_exit(daemon_pid, 40000 * scale);
	stop_load(&l, t, 4);
	printf("   exit status %d; background load: %ld sent, %ld answered, %ld without answer after "
			"SIGTERM\n", rc, atomic_load(&l.sent), atomic_load(&l.allowed) + atomic_load(&l.other),
			atomic_load(&l.lost));
	CHECK(rc == 0, "rolegate serve exited with status %d after SIGTERM", rc);
	CHECK(atomic_load(&l.other) == 0, "%ld calls got a wrong answer while draining",
			atomic_load(&l.other));
	{
		FILE *f = fopen(audit_path, "r");
		char line[8192];
		bool found = false;

		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			if (strstr(line, "drain-marker") != NULL && strstr(line, "\"allow\"") != NULL)
				found = true;
		}
		if (f != NULL)
			fclose(f);
		CHECK(found, "the drained call is not in the audit log %s", audit_path);
	}
	free(req);
	free(call);
	daemon_pid = 0;
}

static void ops_restart_kept_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct load l = { .retry = true };
	pthread_t t[8];
	int fd, rc;

	section("restart on a kept socket (socket activation) under load");
	unlink(sock_path);
	strcpy(sa.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0) {
		perror("listen");
		exit(2);
	}
	daemon_pid = start_daemon(fd);
	CHECK(daemon_pid > 0, "rolegate serve did not start on a socket handed over");
	if (daemon_pid <= 0)
		return;
	start_load(&l, t, 8);
	usleep(300000);
	for (int i = 0; i < 3; i++) {
		long long t0 = rgc_now_ns();

		kill(daemon_pid, SIGTERM);
		rc = wait_exit(daemon_pid, 40000 * scale);
		CHECK(rc == 0, "restart %d: rolegate exited with status %d", i + 1, rc);
		/* Connections kept alive by busy clients must not hold the drain
		 * open until its 30 s limit. */
		CHECK(rgc_now_ns() - t0 < 5000000000LL * scale,
				"restart %d: rolegate took %.1f s to drain under load", i + 1,
				(double)(rgc_now_ns() - t0) / 1e9);
		usleep(200000);    /* calls queue in the kept socket meanwhile */
		daemon_pid = start_daemon(fd);
		CHECK(daemon_pid > 0, "restart %d: rolegate did not come back", i + 1);
		if (daemon_pid <= 0)
			break;
		usleep(300000);
	}
	stop_load(&l, t, 8);
	printf("   %ld calls sent, %ld allowed, %ld retried on a closed connection, %ld refused "
			"connections, %ld lost\n", atomic_load(&l.sent), atomic_load(&l.allowed),
			atomic_load(&l.retried), atomic_load(&l.refused), atomic_load(&l.lost));
	CHECK(atomic_load(&l.refused) == 0, "%ld connections were refused during restarts",
			atomic_load(&l.refused));
	CHECK(atomic_load(&l.lost) == 0 && atomic_load(&l.other) == 0 &&
			atomic_load(&l.allowed) == atomic_load(&l.sent),
			"calls across restarts: %ld sent, %ld allowed, %ld other, %ld lost (%s)",
			atomic_load(&l.sent), atomic_load(&l.allowed), atomic_load(&l.other),
			atomic_load(&l.lost), l.first_problem != NULL ? l.first_problem : "-");
	close(fd);
}

/* ---- main ---------------------------------------------------------------- */

static void cleanup(void)
{
	char cmd[300];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	if (getenv("RG_TEST_KEEP") != NULL) {
		fprintf(stderr, "kept %s\n", dir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	bool ops;
	int rc;

	if (argc != 4 || (strcmp(argv[3], "inputs") != 0 && strcmp(argv[3], "ops") != 0)) {
		fprintf(stderr, "usage: %s ROLEGATE CALLS-DIR inputs|ops\n", argv[0]);
		return 2;
	}
	rolegate = argv[1];
	ops = strcmp(argv[3], "ops") == 0;
	if (getenv("RG_TEST_WRAPPER") != NULL && getenv("RG_TEST_WRAPPER")[0] != '\0')
		scale = 10;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* 1000 client sockets here, 1000 in the daemon (which inherits this). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < 2100) {
			printf("SKIP: cannot raise the open files limit to 2100 (hard limit %ld)\n",
					(long)rl.rlim_max);
			return 77;
		}
	}
	ncalls = rgc_calls_load(argv[2], NULL, &calls);
	if (ncalls < 0)
		return 2;
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	atexit(cleanup);
	snprintf(sock_path, sizeof(sock_path), "%s/rg.sock", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/rolegate.conf", dir);
	snprintf(log_path, sizeof(log_path), "%s/rolegate.log", dir);
	snprintf(audit_path, sizeof(audit_path), "%s/decisions.log", dir);
	/* inputs: alice is a developer, whose constraints need the body, so
	 * that every broken body matters to the decision. (A role without
	 * constraints is decided without reading the body at all.) */
	write_config(ops ? ALICE_OPS : ALICE_DEV, "", NULL);
	daemon_pid = start_daemon(-1);
	if (daemon_pid < 0)
		return 1;

	if (!ops) {
		case_truncated();
		case_invalid_json();
		case_invalid_base64();
		case_oversized();
		case_headers();
		case_nesting();
		case_nul_utf8();
		case_slow_client();
		case_disconnects();
		case_many_connections();
		case_protocol();
		section("SIGTERM after all that");
		kill(daemon_pid, SIGTERM);
		rc = wait_exit(daemon_pid, 40000 * scale);
		CHECK(rc == 0, "rolegate serve exited with status %d after SIGTERM", rc);
		daemon_pid = 0;
	} else {
		ops_reload_under_load();
		ops_broken_reload();
		ops_signal_storm();
		ops_drain();
		ops_restart_kept_socket();
		if (daemon_pid > 0) {
			kill(daemon_pid, SIGTERM);
			rc = wait_exit(daemon_pid, 40000 * scale);
			CHECK(rc == 0, "rolegate serve exited with status %d after SIGTERM", rc);
			daemon_pid = 0;
		}
	}
	if (failures > 0)
		dump_log();
	printf("%d checks, %d failed\n", checks, failures);
	rgc_calls_free(calls, ncalls);
	return failures > 0 ? 1 : 0;
}
