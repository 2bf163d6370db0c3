#ifndef ROLEGATE_AUTHZ_H
#define ROLEGATE_AUTHZ_H

/*
 * One authorization call, end to end: decode, identify, decide, record,
 * answer. `rolegate serve` and `rolegate explain` both go through
 * rg_authz_decide(), so explain shows exactly what serve would answer.
 */

#include <stddef.h>

#include "rolegate/engine.h"
#include "rolegate/policy.h"
#include "rolegate/request.h"
#include "rolegate/runs.h"

struct rg_audit;
struct rg_audit_waiter;
struct rg_directory;
struct rg_approvedfile;
struct rg_bodymemo;
struct rg_runs;
struct rg_state;

/* What serve needs to answer a call; swapped as a whole on reload. */
struct rg_runtime {
	int refs;                  /* atomic; see plugin/serve.c */
	struct rg_policy *policy;
	struct rg_directory *dir;  /* NULL without identity.ldap */
	struct rg_approvedfile *approved; /* approved_images files (not owned: the
	                           * command's, kept across reloads); NULL = none readable */
	struct rg_state *state;    /* ownership (state.h); NULL = nothing tracked. Not owned */
	struct rg_bodymemo *memo;  /* request bodies kept for their responses (bodymemo.h);
	                            * NULL = none (explain, test). Not owned */
	struct rg_runs *runs;      /* running containers (runs.h); NULL = none known (test).
	                            * Not owned */
};

/*
 * Decides req as serve does: asks the directory for the caller's groups
 * (given, when non-NULL, replaces it and identity.users: explain --groups),
 * gathers the rest of the daemon's view (host filesystem, approved images,
 * the ownership state, read-locked meanwhile) and hands all of it to the
 * engine's one entry (engine.h). Returns 0 with out filled (clear with
 * rg_result_clear), or -1 with nothing decided when a directory lookup is
 * pending (rolegate/directory.h: make the call again once it is done).
 */
int rg_authz_decide(const struct rg_runtime *rt, struct rg_request *req,
		const struct rg_strv *given, struct rg_result *out);

/* The caller's identity as rg_authz_decide finds it (rolegate list). */
void rg_authz_identity(const struct rg_runtime *rt, const char *user, const char *authn,
		const struct rg_strv *given, struct rg_identity *id);

/*
 * The plugin protocol's answers as JSON text (free()), or NULL when out of
 * memory: {"Err": msg}, and {"Allow":true} or {"Allow":false,"Msg": msg}.
 */
char *rg_authz_err_json(const char *msg);
char *rg_authz_decision_json(bool allow, const char *msg);

/* The answer to one call. */
struct rg_authz_answer {
	int status;                /* HTTP status */
	char *json;                /* the answer (free()); NULL when out of memory */
	bool pending;              /* its record awaits the group commit: the waiter will be called */
	bool journaled;            /* it changed the ownership state: send it once that is
	                            * durable (rg_state_durable, SPEC.md §4) */
	char *if_lost;             /* pending: sent instead if the record is lost; NULL = send json */
	struct rg_runs_call lost;  /* with if_lost: what the request was let through for
	                            * (runs.h); rg_runs_call_refused when if_lost is sent */
	bool lookup_pending;       /* nothing decided yet: the caller's groups await a directory
	                            * lookup (rolegate/directory.h, rg_directory_call_begin); make
	                            * the call again once the waiter is called back */
};

/*
 * rg_authz_call for serve with audit.sync = "batch": when w is non-NULL the
 * call does not wait for its record's fdatasync; ans->pending then says that
 * w->done will be called (only for an allowed mutating request: every other
 * answer goes out once its record is written, SPEC.md §3), after which the caller sends ans->json, or
 * ans->if_lost when the result was -1 and if_lost is set. The caller frees
 * json and if_lost. With w NULL, behaves as rg_authz_call.
 */
void rg_authz_answer_call(const struct rg_runtime *rt, struct rg_audit *audit, struct rg_audit_waiter *w,
		enum rg_phase phase, const char *body, size_t len, struct rg_authz_answer *ans);

/*
 * A call larger than serve reads (plugin.max_body plus room for the rest of
 * the call): head[0..headlen) is its beginning, total its size. Records it
 * with what can be read of the beginning (user, method, URI), and answers a
 * request with a deny, a response with an allow (the request was carried
 * out already). Pending as in rg_authz_answer_call. busy: it was not read
 * because the calls in flight held as much as serve reads at once; the deny
 * says so.
 */
void rg_authz_answer_oversized(const struct rg_runtime *rt, struct rg_audit *audit,
		struct rg_audit_waiter *w, enum rg_phase phase, const char *head, size_t headlen,
		size_t total, bool busy, struct rg_authz_answer *ans);

/*
 * Answers one AuthZPlugin.AuthZReq / AuthZRes call whose JSON text is
 * body[0..len). Records the decision in audit (NULL = no log). Returns the
 * JSON answer (free with free()) and sets *http_status: 200 with
 * {"Allow":...} for a decision, 400/500 with {"Err":...} for a call that could
 * not be understood. Never returns an allow on an error path. Returns NULL
 * only when out of memory (the caller answers 500).
 */
char *rg_authz_call(const struct rg_runtime *rt, struct rg_audit *audit, enum rg_phase phase,
		const char *body, size_t len, int *http_status);

#endif
