#ifndef ROLEGATE_STANDIN_SIM_H
#define ROLEGATE_STANDIN_SIM_H

/*
 * The stand-in daemon's simulated engine (plugin-internal): what it answers
 * to an allowed request, and the objects this command line created, so that
 * later requests (an inspect, a start by id) see them as dockerd would.
 *
 * Ownership hook (SPEC.md §4): rg_standin_sim_created() is where a create the
 * stand-in answered would be recorded, as the caller's, in the ownership
 * state the engine decides with (started empty, or from a copy of
 * `--state DIR`), so that a container created earlier in the same command
 * line is the caller's own. Until that state exists (rbac/ownership.c), the
 * record is only the stand-in's own list below.
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/request.h"
#include "rolegate/route.h"
#include "rolegate/state.h"

#define RG_SIM_MAX_OBJECTS 128
#define RG_SIM_ID_LEN 64

struct rg_sim_object {
	const char *kind;               /* "container", "exec", "volume", "network" (static) */
	char id[RG_SIM_ID_LEN + 1];
	char name[256];                 /* "" when none */
	char container[RG_OBJECT_MAX];  /* an exec's container, as the client named it */
	char *create_body;              /* the create's JSON body (containers), or NULL */
};

struct rg_sim {
	const char *api_version;
	bool compose;                   /* the client is docker-compose: see standin_answer.c */
	struct rg_sim_object obj[RG_SIM_MAX_OBJECTS];
	size_t n;
	unsigned serial;                /* makes each new id different, reproducibly */
	const char *state_dir;          /* --state DIR, for the ownership state (not read yet) */
	struct rg_state *state;         /* the simulated ownership state (NULL = none): the ids of
	                                 * secrets and configs a service names (standin_answer.c) */
};

/* What the stand-in sends back. */
struct rg_sim_reply {
	int status;
	char *body;                     /* malloc()ed, may be NULL (no body) */
	size_t len;
	const char *content_type;       /* static */
	bool upgrade;                   /* 101: hijack the connection, then close it */
	char *path_stat;                /* X-Docker-Container-Path-Stat (docker cp), or NULL */
	char *plugin_name;              /* Docker-Plugin-Name (plugin install), or NULL */
};

/*
 * The answer to an allowed request req (decoded, command from the route
 * table). upgrade says the client asked to hijack the connection. Records
 * creates in sim. Never fails: out of memory gives a 500.
 */
void rg_standin_sim_answer(struct rg_sim *sim, struct rg_request *req, bool upgrade, struct rg_sim_reply *out);

/* The 403 dockerd sends for a denied request. */
void rg_standin_sim_denied(const char *msg, struct rg_sim_reply *out);

void rg_standin_sim_reply_clear(struct rg_sim_reply *r);
void rg_standin_sim_clear(struct rg_sim *sim);

/* The ownership hook (see above): a create the stand-in answered. */
void rg_standin_sim_created(struct rg_sim *sim, const struct rg_sim_object *o);

#endif
