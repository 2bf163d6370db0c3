#ifndef ROLEGATE_STANDIN_H
#define ROLEGATE_STANDIN_H

/*
 * The stand-in daemon behind `rolegate explain -- docker ARGS...` and the
 * `-- docker` cases of `rolegate test` (SPEC.md §2): the installed docker
 * client (or docker-compose) runs against a daemon rolegate serves on a
 * private temporary Unix socket, and every API request the client sends is
 * decided with rg_explain_one(), the path serve takes, in the order it
 * arrives. The stand-in gives minimal valid answers so that the client goes
 * on (an id for a create, 204 for a start, an attach that ends at once, a
 * wait that says 0) and answers a denied request with 403, as dockerd does.
 *
 * Nothing reaches a real dockerd: ARGS that choose a daemon are refused
 * (rg_standin_check_args), the client runs with DOCKER_HOST = the stand-in,
 * DOCKER_CONFIG = an empty private directory and no other DOCKER_* variable,
 * on a pseudo-terminal, and is killed after a timeout.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/explain.h"

#define RG_STANDIN_API_VERSION "1.41"   /* what the stand-in advertises by default */
#define RG_STANDIN_TIMEOUT 10           /* seconds the client may take */
#define RG_STANDIN_MAX_CALLS 256        /* requests decided per command line */
#define RG_STANDIN_OUTPUT_MAX 16384     /* bytes of the client's output kept */

struct rg_standin_opts {
	const struct rg_runtime *rt;
	const char *user;               /* "" = the Unix socket */
	const struct rg_strv *given;    /* replaces the directory lookup when non-NULL */
	const char *api_version;        /* NULL = RG_STANDIN_API_VERSION */
	const char *state_dir;          /* --state: a copy of a real ownership state, or NULL */
	const char *cwd;                /* directory the client runs in; NULL = ours */
	unsigned timeout;               /* seconds; 0 = RG_STANDIN_TIMEOUT */
};

/* One API request the client sent, as decided. */
struct rg_standin_call {
	struct rg_explanation ex;
	bool ping;                      /* _ping: printed, not part of the verdict */
	bool upgrade;                   /* the client asked to hijack the connection */
};

struct rg_standin_result {
	struct rg_standin_call *calls;  /* in the order they arrived */
	size_t n;
	bool truncated;                 /* more than RG_STANDIN_MAX_CALLS: the rest were refused */
	int client_status;              /* the client's exit status; -1 when killed */
	bool timed_out;
	unsigned timeout;               /* the limit it ran under, in seconds */
	char *output;                   /* what the client printed (\r removed), NUL-terminated */
};

/*
 * Refuses a command line that would choose another daemon, or that is not a
 * docker or docker-compose command line: argv[0] must be "docker" or
 * "docker-compose". Returns 0, or -1 with err saying which word and why.
 */
int rg_standin_check_args(int argc, char **argv, char *err, size_t errlen);

/*
 * Runs argv (checked with rg_standin_check_args) against the stand-in and
 * fills res (clear with rg_standin_result_clear). Returns 0 once the client
 * ran, whatever its exit status (see res), or -1 with err when it could not be
 * run (refused ARGS, no client on PATH, the private socket could not be set
 * up, interrupted). A client that does not finish in time is killed: 0 with
 * res->timed_out.
 */
int rg_standin_run(const struct rg_standin_opts *o, int argc, char **argv,
		struct rg_standin_result *res, char *err, size_t errlen);
void rg_standin_result_clear(struct rg_standin_result *res);

/*
 * Whether dir can be the --state of a simulation (a directory rolegate can
 * read); false with err otherwise. The ownership state it holds (SPEC.md §4)
 * is handed to the simulation through the hook in cli/standin_sim.h.
 */
bool rg_standin_state_ok(const char *dir, char *err, size_t errlen);

/*
 * The request that decides (SPEC.md §2): the first deny (not _ping); else the
 * first mutating request; else the last request. NULL when there was none.
 */
const struct rg_standin_call *rg_standin_deciding(const struct rg_standin_result *res);

/* Whether any request other than _ping was denied. */
bool rg_standin_denied(const struct rg_standin_result *res);

/*
 * The client's own message for a failure: its output's last non-empty lines
 * (at most errlen bytes), or a description of how it ended.
 */
void rg_standin_client_error(const struct rg_standin_result *res, char *out, size_t outlen);

#endif
