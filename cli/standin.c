/*
 * The stand-in daemon (see include/rolegate/standin.h): a private Unix
 * socket served by libmicrohttpd, the installed docker client run against
 * it on a pseudo-terminal, and every request decided by rg_explain_one().
 *
 * Threads: libmicrohttpd's one internal thread answers the client; the
 * caller's thread runs the client and reads its terminal. The calls list is
 * only read after MHD_stop_daemon() has joined that thread.
 */
#define _XOPEN_SOURCE 700   /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "rolegate/authz.h"
#include "rolegate/route.h"
#include "rolegate/standin.h"
#include "standin_sim.h"

/* dockerd forwards a body to the plugin only below this size (moby pkg/authorization). */
#define RG_STANDIN_BODY_MAX (1024 * 1024)

extern char **environ;

struct standin {
	const struct rg_standin_opts *o;
	struct rg_sim sim;
	struct rg_standin_result *res;
};

/* One request on the stand-in's socket, from the URI callback to completion. */
struct standin_req {
	char *uri;                  /* as the client sent it: path and query, not decoded */
	bool started;
	bool keep_body;             /* dockerd would forward this body to the plugin */
	unsigned char *body;
	size_t len, cap;
};

static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct standin_req *r = calloc(1, sizeof(*r));

	(void)cls; (void)c;   /* the callback's signature */
	if (r != NULL)
		r->uri = strdup(uri);
	return r;
}

/*
 * Whether dockerd would hand this body to the plugin: JSON by media type,
 * a declared length below 1 MiB, not the credentials of /auth.
 */
static bool forwarded_body(struct MHD_Connection *c, const char *uri)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	size_t path_len = strcspn(uri, "?");
	long n;

	if (ct == NULL || cl == NULL)
		return false;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, "application/json", 16) != 0 || strchr("; \t", ct[16]) == NULL)
		return false;
	if (path_len >= 5 && strncmp(uri + path_len - 5, "/auth", 5) == 0)
		return false;
	n = strtol(cl, NULL, 10);
	return n > 0 && n < RG_STANDIN_BODY_MAX;
}

static bool wants_upgrade(struct MHD_Connection *c)
{
	const char *u = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_UPGRADE);

	return u != NULL && u[0] != '\0';
}

/* The hijacked stream ends at once: the container printed nothing and is gone. */
static void upgraded(void *cls, struct MHD_Connection *c, void *req_cls, const char *extra_in,
		size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	(void)cls; (void)c; (void)req_cls; (void)extra_in; (void)extra_in_size; (void)sock;   /* the callback's signature */
	MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

static enum MHD_Result send_reply(struct standin *s, struct MHD_Connection *c, struct rg_sim_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int status = r->status;

	if (r->upgrade) {
		resp = MHD_create_response_for_upgrade(upgraded, NULL);
		status = MHD_HTTP_SWITCHING_PROTOCOLS;
	} else {
		resp = MHD_create_response_from_buffer(r->len, r->body != NULL ? r->body : (void *)"",
				MHD_RESPMEM_MUST_COPY);
	}
	if (resp == NULL)
		return MHD_NO;
	if (r->upgrade) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
		MHD_add_response_header(resp, "Content-Type", "application/vnd.docker.raw-stream");
	} else if (r->content_type != NULL) {
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	}
	/* What dockerd puts on every answer; the client negotiates its version from them. */
	MHD_add_response_header(resp, "Api-Version", s->sim.api_version);
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	MHD_add_response_header(resp, "Ostype", "linux");
	MHD_add_response_header(resp, "Server", "Docker/20.10.24 (linux; rolegate stand-in)");
	if (r->plugin_name != NULL)
		MHD_add_response_header(resp, "Docker-Plugin-Name", r->plugin_name);
	if (r->path_stat != NULL)
		MHD_add_response_header(resp, "X-Docker-Container-Path-Stat", r->path_stat);
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Decides the request, remembers the decision, answers as dockerd would. */

/*
 * Feeds the stand-in's answer to an allowed request into the simulated
 * ownership state (SPEC.md §2, §4) exactly as serve feeds dockerd's AuthZRes:
 * what this command line (or an earlier case of `rolegate test`) created is
 * the caller's in the requests that follow.
 */
static void observe(const struct rg_runtime *rt, struct rg_explanation *ex, const struct rg_sim_reply *reply)
{
	json_t *answer = reply->body != NULL ? json_loadb(reply->body, reply->len, 0, NULL) : NULL;

	rg_explain_observe(rt, ex, reply->status, answer);
	json_decref(answer);
}

static enum MHD_Result decide_and_answer(struct standin *s, struct MHD_Connection *c, const char *method,
		struct standin_req *r)
{
	struct rg_standin_result *res = s->res;
	struct rg_standin_call *call;
	struct rg_sim_reply reply;
	char err[256];
	enum MHD_Result ret;

	if (res->n == RG_STANDIN_MAX_CALLS) {
		res->truncated = true;
		memset(&reply, 0, sizeof(reply));
		rg_standin_sim_denied("rolegate explain decides at most 256 requests per command line", &reply);
		ret = send_reply(s, c, &reply);
		rg_standin_sim_reply_clear(&reply);
		return ret;
	}
	call = &res->calls[res->n];
	memset(call, 0, sizeof(*call));
	call->upgrade = wants_upgrade(c);
	if (rg_explain_one(s->o->rt, s->o->user, s->o->given, method, r->uri,
			r->keep_body ? r->body : NULL, r->keep_body ? r->len : 0, &call->ex, err, sizeof(err)) < 0)
		return MHD_NO;   /* out of memory: the client sees the connection drop */
	res->n++;
	call->ping = strcmp(call->ex.r.d.command, "system.ping") == 0;
	if (call->ex.r.d.verdict == RG_ALLOW) {
		rg_standin_sim_answer(&s->sim, &call->ex.req, call->upgrade, &reply);
		observe(s->o->rt, &call->ex, &reply);
	} else {
		rg_standin_sim_denied(call->ex.r.d.msg, &reply);
	}
	ret = send_reply(s, c, &reply);
	rg_standin_sim_reply_clear(&reply);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
		const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct standin *s = cls;
	struct standin_req *r = *con_cls;

	(void)url; (void)version;   /* the callback's signature */
	if (r == NULL || r->uri == NULL)
		return MHD_NO;
	if (!r->started) {
		r->started = true;
		r->keep_body = forwarded_body(c, r->uri);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* Bodies dockerd would not forward (a build context) are read and dropped. */
		if (r->keep_body) {
			if (r->len + *upload_size >= RG_STANDIN_BODY_MAX) {
				r->keep_body = false;
			} else {
				if (r->len + *upload_size > r->cap) {
					size_t cap = r->len + *upload_size + 4096;
					unsigned char *nb = realloc(r->body, cap);

					if (nb == NULL)
						return MHD_NO;
					r->body = nb;
					r->cap = cap;
				}
				memcpy(r->body + r->len, upload_data, *upload_size);
				r->len += *upload_size;
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return decide_and_answer(s, c, method, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct standin_req *r = *con_cls;

	(void)cls; (void)c; (void)toe;   /* the callback's signature */
	if (r != NULL) {
		free(r->uri);
		free(r->body);
		free(r);
	}
	*con_cls = NULL;
}

/* The client's full path: argv0 looked up in PATH as execvp would, or NULL. */
static char *find_client(const char *argv0)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (path == NULL || (copy = strdup(path)) == NULL)
		return NULL;
	for (char *d = strtok_r(copy, ":", &save); d != NULL && found == NULL; d = strtok_r(NULL, ":", &save)) {
		char candidate[4096];
		struct stat st;

		snprintf(candidate, sizeof(candidate), "%s/%s", d[0] != '\0' ? d : ".", argv0);
		if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
			found = strdup(candidate);
	}
	free(copy);
	return found;
}

/*
 * The client's environment: ours without any DOCKER_* (DOCKER_HOST,
 * DOCKER_CONTEXT, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION...)
 * or BUILDX_* variable, then DOCKER_HOST = the stand-in and DOCKER_CONFIG = an
 * empty private directory (no contexts, no credential helpers). Built before
 * the fork: the child only calls execve.
 */
static char **client_env(const char *sock, const char *config)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "DOCKER_", 7) == 0 || strncmp(environ[i], "BUILDX_", 7) == 0)
			continue;
		env[k++] = environ[i];
	}
	env[k] = malloc(strlen(sock) + 32);
	env[k + 1] = malloc(strlen(config) + 32);
	if (env[k] == NULL || env[k + 1] == NULL) {
		free(env[k]);
		free(env[k + 1]);
		free(env);
		return NULL;
	}
	sprintf(env[k], "DOCKER_HOST=unix://%s", sock);
	sprintf(env[k + 1], "DOCKER_CONFIG=%s", config);
	return env;
}

static void free_env(char **env)
{
	size_t n = 0;

	if (env == NULL)
		return;
	while (env[n] != NULL)
		n++;
	/* the last two are ours */
	if (n >= 2) {
		free(env[n - 1]);
		free(env[n - 2]);
	}
	free(env);
}

static int bind_private(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "the stand-in socket path %s is too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		umask(old);
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;   /* the callback's signature */
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps the client's output (bounded), without the terminal's carriage returns. */
static void keep_output(struct rg_standin_result *res, size_t *len, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && *len < RG_STANDIN_OUTPUT_MAX; i++) {
		if (buf[i] != '\r')
			res->output[(*len)++] = buf[i];
	}
	res->output[*len] = '\0';
}

/* Reads what is ready on fd into the output; false once fd is closed (EOF, or EIO for a terminal). */
static bool read_some(int fd, struct rg_standin_result *res, size_t *len)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0)
		keep_output(res, len, buf, (size_t)n);
	return n > 0 || (n < 0 && errno == EINTR);
}

/*
 * Reads the client's terminal and standard output until both close, then
 * reaps the client; kills its process group when the deadline passes or a
 * signal arrives. Returns 0, or -1 when interrupted.
 */
static int watch_client(pid_t pid, int master, int out, unsigned timeout, struct rg_standin_result *res)
{
	long long deadline = now_ms() + (long long)timeout * 1000;
	struct pollfd p[2] = { { .fd = master, .events = POLLIN }, { .fd = out, .events = POLLIN } };
	size_t len = 0;
	int status;

	for (;;) {
		long long left = deadline - now_ms();
		pid_t w;

		if (interrupted || left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			res->client_status = -1;
			res->timed_out = !interrupted;
			return interrupted ? -1 : 0;
		}
		if (p[0].fd >= 0 || p[1].fd >= 0) {
			if (poll(p, 2, (int)(left > 100 ? 100 : left)) > 0) {
				for (int i = 0; i < 2; i++) {
					if (p[i].fd >= 0 && p[i].revents != 0 && !read_some(p[i].fd, res, &len))
						p[i].fd = -1;
				}
			}
		} else {
			poll(NULL, 0, 10);   /* both closed: the client is about to exit */
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			/* What the client wrote just before exiting. */
			for (int i = 0; i < 2; i++) {
				while (p[i].fd >= 0 && poll(&p[i], 1, 0) > 0 && read_some(p[i].fd, res, &len))
					;
			}
			res->client_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			return 0;
		}
	}
}

int rg_standin_run(const struct rg_standin_opts *o, int argc, char **argv,
		struct rg_standin_result *res, char *err, size_t errlen)
{
	struct standin s = { .o = o, .res = res };
	struct MHD_Daemon *d = NULL;
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term, old_hup;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char dir[] = "/tmp/rolegate-standin.XXXXXX", sock[64], config[64];
	char *client = NULL, **env = NULL, **args = NULL;
	int fd = -1, master = -1, out[2] = { -1, -1 }, rc = -1;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->client_status = -1;
	if (rg_standin_check_args(argc, argv, err, errlen) < 0)
		return -1;
	client = find_client(argv[0]);
	if (client == NULL) {
		snprintf(err, errlen, "no %s client on PATH: explaining a %s command line runs the installed "
				"client (install it, or explain METHOD URI instead)", argv[0], argv[0]);
		return -1;
	}
	res->calls = calloc(RG_STANDIN_MAX_CALLS, sizeof(*res->calls));
	res->output = calloc(1, RG_STANDIN_OUTPUT_MAX + 1);
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (res->calls == NULL || res->output == NULL || args == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	res->timeout = o->timeout != 0 ? o->timeout : RG_STANDIN_TIMEOUT;
	s.sim.api_version = o->api_version != NULL ? o->api_version : RG_STANDIN_API_VERSION;
	s.sim.compose = strcmp(argv[0], "docker-compose") == 0;
	s.sim.state_dir = o->state_dir;
	s.sim.state = o->rt->state;

	/* mkdtemp makes the directory 0700: nobody else can reach the socket or the config. */
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "cannot create a private directory in /tmp: %s", strerror(errno));
		goto out_free;
	}
	snprintf(sock, sizeof(sock), "%s/docker.sock", dir);
	snprintf(config, sizeof(config), "%s/config", dir);
	if (mkdir(config, 0700) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", config, strerror(errno));
		goto out_dir;
	}
	if ((fd = bind_private(sock, err, errlen)) < 0)
		goto out_dir;
	env = client_env(sock, config);
	if (env == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out_dir;
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_UPGRADE |
			MHD_USE_ITC, 0, NULL, NULL, handle, &s,
			MHD_OPTION_LISTEN_SOCKET, fd,
			MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL,
			MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			MHD_OPTION_CONNECTION_TIMEOUT, res->timeout + 5,
			MHD_OPTION_END);
	if (d == NULL) {
		snprintf(err, errlen, "cannot start the stand-in daemon on %s", sock);
		goto out_dir;
	}

	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	/*
	 * Standard input and error are the terminal (`-t` needs one); standard
	 * output is a pipe, as when a user redirects `docker export` or
	 * `docker save`, which refuse to write to a terminal.
	 */
	if (pipe(out) < 0 || fcntl(out[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(out[1], F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out_dir;
	}
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		snprintf(err, errlen, "cannot start %s on a pseudo-terminal: %s", client, strerror(errno));
	} else if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);   /* main() ignores it; the client expects the default */
		if (dup2(out[1], STDOUT_FILENO) < 0 || (o->cwd != NULL && chdir(o->cwd) < 0))
			_exit(127);
		execve(client, args, env);
		_exit(127);
	} else {
		close(out[1]);
		out[1] = -1;
		rc = watch_client(pid, master, out[0], res->timeout, res);
		if (rc < 0)
			snprintf(err, errlen, "interrupted");
		close(master);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
out_dir:
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (d != NULL)
		MHD_stop_daemon(d);
	if (fd >= 0)
		close(fd);
	rg_standin_sim_clear(&s.sim);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
out_free:
	free_env(env);
	free(args);
	free(client);
	if (rc < 0)
		rg_standin_result_clear(res);
	return rc;
}

bool rg_standin_state_ok(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) || access(dir, R_OK | X_OK) < 0) {
		snprintf(err, errlen, "%s: not a readable directory", dir);
		return false;
	}
	return true;
}

void rg_standin_result_clear(struct rg_standin_result *res)
{
	for (size_t i = 0; res->calls != NULL && i < res->n; i++)
		rg_explanation_clear(&res->calls[i].ex);
	free(res->calls);
	free(res->output);
	memset(res, 0, sizeof(*res));
}

const struct rg_standin_call *rg_standin_deciding(const struct rg_standin_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		if (!res->calls[i].ping && res->calls[i].ex.r.d.verdict != RG_ALLOW)
			return &res->calls[i];
	}
	for (size_t i = 0; i < res->n; i++) {
		if (!res->calls[i].ping && rg_command_mutating(res->calls[i].ex.r.d.command))
			return &res->calls[i];
	}
	return res->n > 0 ? &res->calls[res->n - 1] : NULL;
}

bool rg_standin_denied(const struct rg_standin_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		if (!res->calls[i].ping && res->calls[i].ex.r.d.verdict != RG_ALLOW)
			return true;
	}
	return false;
}

void rg_standin_client_error(const struct rg_standin_result *res, char *out, size_t outlen)
{
	const char *text = res->output != NULL ? res->output : "";
	size_t len = strlen(text);

	if (res->timed_out) {
		snprintf(out, outlen, "the client did not finish within %u s (killed)", res->timeout);
		return;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	if (len == 0) {
		snprintf(out, outlen, "the client exited with status %d and printed nothing", res->client_status);
		return;
	}
	/* The tail: the client's error comes last. */
	if (len > outlen - 1) {
		text += len - (outlen - 1);
		len = outlen - 1;
	}
	snprintf(out, outlen, "%.*s", (int)len, text);
}
