/*
 * A minimal HTTP/1.1 client for a plugin's Unix socket. See rgclient.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "rgclient.h"

/* What dockerd 20.10's plugin client sends (bench/calls/headers.txt). */
#define DOCKERD_HEADERS "Host: \r\nUser-Agent: Go-http-client/1.1\r\n" \
	"Accept: application/vnd.docker.plugins.v1.2+json\r\n"

int rgc_call_init_raw(struct rgc_call *c, const char *name, const char *path,
		const char *extra_headers, const char *body, size_t body_len)
{
	int hlen;
	char head[1024];

	memset(c, 0, sizeof(*c));
	hlen = snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\n" DOCKERD_HEADERS
			"Content-Length: %zu\r\n%s\r\n", path, body_len,
			extra_headers != NULL ? extra_headers : "");
	if (hlen < 0 || (size_t)hlen >= sizeof(head))
		return -1;
	c->name = strdup(name);
	c->bytes = malloc((size_t)hlen + body_len + 1);
	if (c->name == NULL || c->bytes == NULL) {
		rgc_call_free(c);
		return -1;
	}
	memcpy(c->bytes, head, (size_t)hlen);
	if (body_len > 0)
		memcpy(c->bytes + hlen, body, body_len);
	c->len = (size_t)hlen + body_len;
	c->bytes[c->len] = '\0';
	c->body = c->bytes + hlen;
	c->body_len = body_len;
	return 0;
}

int rgc_call_init(struct rgc_call *c, const char *name, bool response_phase,
		const char *body, size_t body_len)
{
	int rc = rgc_call_init_raw(c, name, response_phase ? "/AuthZPlugin.AuthZRes" :
			"/AuthZPlugin.AuthZReq", NULL, body, body_len);

	c->response_phase = response_phase;
	return rc;
}

void rgc_call_free(struct rgc_call *c)
{
	free(c->name);
	free(c->bytes);
	memset(c, 0, sizeof(*c));
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static bool listed(const char *only, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = only; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rgc_calls_load(const char *dir, const char *only, struct rgc_call **calls)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0;
	int n = 0;

	*calls = NULL;
	if (d == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char **grown;

		if (len < 10 || (strcmp(de->d_name + len - 9, ".req.json") != 0 &&
				strcmp(de->d_name + len - 9, ".res.json") != 0))
			continue;
		grown = realloc(names, (nnames + 1) * sizeof(*names));
		if (grown == NULL || (grown[nnames] = strdup(de->d_name)) == NULL) {
			free(grown != NULL ? grown : names);
			closedir(d);
			return -1;
		}
		names = grown;
		nnames++;
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), cmp_name);
	*calls = calloc(nnames > 0 ? nnames : 1, sizeof(**calls));
	for (size_t i = 0; i < nnames && *calls != NULL; i++) {
		char path[4096], name[256];
		size_t len = 0;
		char *text;

		snprintf(name, sizeof(name), "%.*s", (int)(strlen(names[i]) - 5), names[i]);
		if (only != NULL && !listed(only, name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = read_file(path, &len);
		if (text == NULL) {
			fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
			n = -1;
			break;
		}
		if (rgc_call_init(&(*calls)[n], name, strstr(name, ".res") != NULL, text, len) < 0) {
			free(text);
			n = -1;
			break;
		}
		free(text);
		n++;
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (n <= 0) {
		if (n == 0)
			fprintf(stderr, "no calls (*.req.json, *.res.json%s%s) in %s\n",
					only != NULL ? " named " : "", only != NULL ? only : "", dir);
		rgc_calls_free(*calls, n < 0 ? (int)nnames : 0);
		*calls = NULL;
		return -1;
	}
	return n;
}

void rgc_calls_free(struct rgc_call *calls, int n)
{
	for (int i = 0; calls != NULL && i < n; i++)
		rgc_call_free(&calls[i]);
	free(calls);
}

int rgc_connect(struct rgc_conn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	c->fd = -1;
	c->len = c->off = 0;
	if (c->buf == NULL && (c->buf = malloc(RGC_RESPONSE_MAX)) == NULL)
		return -1;
	if (c->body == NULL && (c->body = malloc(RGC_RESPONSE_MAX + 1)) == NULL)
		return -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

void rgc_disconnect(struct rgc_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = c->off = 0;
}

void rgc_close(struct rgc_conn *c)
{
	rgc_disconnect(c);
	free(c->buf);
	free(c->body);
	c->buf = c->body = NULL;
	c->len = c->off = 0;
}

int rgc_send(struct rgc_conn *c, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Finds the end of the header block in buf[0..len): the offset after
 * "\r\n\r\n", or 0. */
static size_t header_end(const char *buf, size_t len)
{
	for (size_t i = 3; i < len; i++) {
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
			return i + 1;
	}
	return 0;
}

/* The value of header name in the header block, or NULL; sets *vlen. */
static const char *header_value(const char *head, size_t hlen, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *p = memchr(head, '\n', hlen);

	while (p != NULL && (size_t)(p + 1 - head) < hlen) {
		const char *line = p + 1;
		const char *eol = memchr(line, '\n', hlen - (size_t)(line - head));

		if (eol == NULL)
			break;
		if ((size_t)(eol - line) > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *v = line + nlen + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			if (*vlen > 0 && v[*vlen - 1] == '\r')
				(*vlen)--;
			return v;
		}
		p = eol;
	}
	return NULL;
}

static int fill(struct rgc_conn *c, int timeout_ms, const char **err)
{
	ssize_t n;

	if (c->len == RGC_RESPONSE_MAX) {
		*err = "the answer is too long";
		return -1;
	}
	if (timeout_ms >= 0) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int r;

		do
			r = poll(&pfd, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			*err = "timed out waiting for the answer";
			errno = ETIMEDOUT;
			return -1;
		}
	}
	do
		n = recv(c->fd, c->buf + c->len, RGC_RESPONSE_MAX - c->len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		*err = "the connection failed";
		return -1;
	}
	if (n == 0) {
		*err = "the server closed the connection";
		errno = ECONNRESET;
		return -1;
	}
	c->len += (size_t)n;
	return 0;
}

int rgc_recv(struct rgc_conn *c, struct rgc_response *r, int timeout_ms)
{
	size_t hend, clen = 0, vlen;
	const char *v;

	memset(r, 0, sizeof(*r));
	/* Drop the previous answer; keep anything pipelined after it. */
	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	while ((hend = header_end(c->buf, c->len)) == 0) {
		if (fill(c, timeout_ms, &r->err) < 0)
			return -1;
	}
	if (hend < 12 || strncmp(c->buf, "HTTP/1.", 7) != 0) {
		r->err = "not an HTTP answer";
		return -1;
	}
	r->status = atoi(c->buf + 9);
	v = header_value(c->buf, hend, "Content-Length", &vlen);
	if (v == NULL) {
		r->err = "an answer without Content-Length";
		return -1;
	}
	clen = strtoul(v, NULL, 10);
	if (clen > RGC_RESPONSE_MAX - hend) {
		r->err = "the answer is too long";
		return -1;
	}
	v = header_value(c->buf, hend, "Connection", &vlen);
	r->close = v != NULL && vlen == 5 && strncasecmp(v, "close", 5) == 0;
	while (c->len < hend + clen) {
		if (fill(c, timeout_ms, &r->err) < 0)
			return -1;
	}
	memcpy(c->body, c->buf + hend, clen);
	c->body[clen] = '\0';
	r->body = c->body;
	r->body_len = clen;
	c->off = hend + clen;
	return 0;
}

int rgc_roundtrip(struct rgc_conn *c, const struct rgc_call *call, struct rgc_response *r,
		int timeout_ms)
{
	if (rgc_send(c, call->bytes, call->len) < 0) {
		memset(r, 0, sizeof(*r));
		r->err = "cannot send the call";
		return -1;
	}
	return rgc_recv(c, r, timeout_ms);
}

enum rgc_verdict rgc_verdict_of(const struct rgc_response *r)
{
	json_t *o, *allow;
	enum rgc_verdict v = RGC_GARBLED;

	if (r->status != 200)
		return RGC_ERROR;
	o = json_loadb(r->body, r->body_len, 0, NULL);
	allow = json_object_get(o, "Allow");
	if (json_object_get(o, "Err") != NULL && json_string_length(json_object_get(o, "Err")) > 0)
		v = RGC_ERROR;
	else if (json_is_true(allow))
		v = RGC_ALLOW;
	else if (json_is_false(allow))
		v = RGC_DENY;
	json_decref(o);
	return v;
}

const char *rgc_verdict_name(enum rgc_verdict v)
{
	switch (v) {
	case RGC_ALLOW: return "allow";
	case RGC_DENY: return "deny";
	case RGC_ERROR: return "error";
	case RGC_GARBLED: break;
	}
	return "garbled";
}

long long rgc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long rgc_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

long rgc_cpu_ms(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long utime, stime;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Fields after the command name (which may hold spaces): state is 3rd,
	 * utime the 14th and stime the 15th. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			&utime, &stime) != 2)
		return -1;
	return (long)((utime + stime) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

int rgc_sched(pid_t pid, struct rgc_sched *s)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	/* Per thread: /proc/PID/status counts the main thread's switches only. */
	while ((de = readdir(d)) != NULL) {
		char file[512], line[256];
		unsigned long long run = 0;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/schedstat", path, de->d_name);
		f = fopen(file, "r");
		if (f != NULL) {
			if (fscanf(f, "%llu", &run) == 1)
				s->cpu_ns += (long long)run;
			fclose(f);
		}
		snprintf(file, sizeof(file), "%s/%s/status", path, de->d_name);
		f = fopen(file, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0)
				s->voluntary += strtol(line + 24, NULL, 10);
			else if (strncmp(line, "nonvoluntary_ctxt_switches:", 27) == 0)
				s->involuntary += strtol(line + 27, NULL, 10);
		}
		fclose(f);
	}
	closedir(d);
	return 0;
}
