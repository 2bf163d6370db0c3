#ifndef ROLEGATE_EXPLAIN_H
#define ROLEGATE_EXPLAIN_H

/*
 * What `rolegate explain` and `rolegate test` share: building a runtime from
 * a config file, deciding one hypothetical request through rg_authz_decide()
 * (the path serve takes), and printing it. A docker command line is run by
 * the stand-in daemon (standin.h), which decides each of its requests here.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "rolegate/engine.h"

/* The daemon's runtime (authz.h): explain and test decide through the path
 * serve takes, without knowing what it holds. */
struct rg_runtime;

struct rg_explanation {
	struct rg_request req;
	struct rg_result r;    /* the engine's result (engine.h) */
};

/* A runtime for config (with an LDAP client when need_dir and configured),
 * or NULL with the problems printed to stderr and *status the exit status
 * (1 an invalid configuration, 2 a runtime error). Close with
 * rg_runtime_close(). */
struct rg_runtime *rg_runtime_open(const char *config, bool need_dir, int *status);
void rg_runtime_close(struct rg_runtime *rt);
const struct rg_policy *rg_runtime_policy(const struct rg_runtime *rt);

/* The identity of user (with a TLS certificate) as serve finds it; given as
 * in rg_explain_one. Clear with rg_identity_clear(). */
void rg_explain_identity(const struct rg_runtime *rt, const char *user, const struct rg_strv *given,
		struct rg_identity *id);

/* Decides one request as serve would. user "" is the Unix socket. given
 * replaces group lookups when non-NULL. Returns 0 (ex filled; clear with
 * rg_explanation_clear) or -1 with err. */
int rg_explain_one(const struct rg_runtime *rt, const char *user, const struct rg_strv *given,
		const char *method, const char *uri, const unsigned char *body, size_t body_len,
		struct rg_explanation *ex, char *err, size_t errlen);
void rg_explanation_clear(struct rg_explanation *ex);

/*
 * Ownership simulation (SPEC.md §2, explain/test): when ex was allowed and
 * its command creates, renames or removes an object, feeds a made-up 2xx
 * answer (a fresh 64-hex id) into rt's state, so that later requests see
 * the object as the caller's. Returns what rg_explain_observe does.
 */
int rg_explain_simulate(const struct rg_runtime *rt, struct rg_explanation *ex);

/*
 * Feeds an answer to ex's request (status, and its body: borrowed, may be
 * NULL) into rt's state exactly as serve feeds dockerd's AuthZRes: the
 * stand-in daemon's real answers, or rg_explain_simulate's made-up ones.
 * Only an allowed request answered 2xx changes anything. Returns the number
 * of changes applied, or -1.
 */
int rg_explain_observe(const struct rg_runtime *rt, struct rg_explanation *ex, int status,
		json_t *answer);

/* Replaces rt's (empty) simulated state by a copy of the plugin.state in
 * dir. Returns 0, or -1 with the reason on stderr. */
int rg_runtime_use_state(struct rg_runtime *rt, const char *dir);

/*
 * Prints ex as explain's text block (user, request, command, object, groups,
 * roles, decision, role and rule or reason and message).
 */
void rg_explanation_print(const struct rg_explanation *ex, FILE *f);

/*
 * ex as a JSON object whose fields are named as in the log record (SPEC.md
 * §2, §6), with `mutating` (§5). Returns a new reference, or NULL when out of
 * memory.
 */
json_t *rg_explanation_json(const struct rg_explanation *ex);

/* Reads a body file ("-" = stdin) into a new buffer. Returns 0 or -1 with err. */
int rg_read_body_file(const char *path, unsigned char **out, size_t *len, char *err, size_t errlen);

/* Splits "g1,g2" into out. Returns 0 or -1 (no memory). */
int rg_split_groups(const char *list, struct rg_strv *out);

#endif
