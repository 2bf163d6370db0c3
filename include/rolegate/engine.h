#ifndef ROLEGATE_ENGINE_H
#define ROLEGATE_ENGINE_H

/*
 * The engine's one entry. The daemon (and explain, test, the stand-in)
 * hands it a decoded call plus what only a daemon can know, and gets back
 * one result: who the caller is, the decision, and the call's log record.
 * Identity merging, object extraction, the response phase and the record's
 * fields all live behind rg_engine_decide(). Pure: no I/O (the host
 * filesystem is read through the view's fs), no logging, no globals.
 */

#include <stdbool.h>

#include "rolegate/audit_record.h"
#include "rolegate/decide.h"
#include "rolegate/identity.h"
#include "rolegate/policy.h"
#include "rolegate/request.h"

struct rg_approved_source;
struct rg_fs;
struct rg_owners;
struct rg_run_gate;

/* What only the daemon can know about a call; every pointer is borrowed. */
struct rg_engine_view {
	const struct rg_policy *policy;
	struct rg_groups_answer groups;           /* the directory's answer (identity.h) */
	const struct rg_fs *fs;                   /* the host filesystem (hostfs.h) */
	struct rg_owners *owners;                 /* the ownership state; NULL = nothing tracked */
	const struct rg_approved_source *approved;/* approved_images; NULL refuses them all */
	long long now;                            /* Unix seconds (ownership last use; 0 = don't) */
	const struct rg_run_gate *runs;           /* running containers (copyup.h); NULL = no daemon */
};

/* One call's outcome: free with rg_result_clear(). */
struct rg_result {
	struct rg_identity id;
	struct rg_decision d;         /* verdict, command, roles, role and rule or reason and msg */
	struct rg_audit_entry record; /* the call's record (SPEC.md §6), pointing into id, d and
	                               * the request; the writer adds host, seq and time */
	bool waits_for_disk;          /* an allowed mutating request: it changes the host, so
	                               * under sync = "batch" it is answered once durable */
	bool changes_owners;          /* a 2xx answer the ownership state follows (state.h) */
	bool recorded;                /* the record goes to the log (audit.responses) */
};

/*
 * The user whose groups the daemon asks the directory for: the user dockerd
 * names, else identity.unauthenticated when the call carries no
 * authentication at all; "" when nobody is to be asked (the call is denied).
 */
const char *rg_engine_user(const struct rg_policy *p, const struct rg_request *req);

/*
 * Whether the AuthZRes of an allowed request of command may need deciding
 * (rg_engine_response_needed, before its status is known).
 */
bool rg_engine_response_expected(const struct rg_policy *p, const char *command);

/*
 * Whether an AuthZRes needs deciding at all: it is recorded
 * (audit.responses) or it changes the ownership state. Every other response
 * is answered allow without a decision (the request was carried out).
 */
bool rg_engine_response_needed(const struct rg_policy *p, const struct rg_request *req);

/*
 * Decides req (either phase) with what v knows and fills out. A request is
 * allowed only by a role that allows it (rg_decide, SPEC.md §4); a response
 * is always allowed (dockerd has acted), and its record names the role that
 * allowed the request, decided again from the request it carries, or no
 * role with a note when the policy would not allow it now. Returns the
 * verdict. req must outlive out.
 */
enum rg_verdict rg_engine_decide(const struct rg_engine_view *v, struct rg_request *req,
		struct rg_result *out);

/*
 * The result for a call that could not be read whole (too large, malformed,
 * empty): req holds what could be read of it (NULL when nothing could), what
 * says why in plain words. A request is denied (its decision needed what
 * could not be read), a response allowed (already carried out); either way
 * the record says who asked, with what groups and roles, when known.
 */
void rg_engine_unreadable(const struct rg_engine_view *v, struct rg_request *req,
		enum rg_phase phase, const char *what, struct rg_result *out);

void rg_result_clear(struct rg_result *r);

#endif
