#ifndef ROLEGATE_BODYMEMO_H
#define ROLEGATE_BODYMEMO_H

/*
 * The parsed bodies of allowed requests, kept for their AuthZRes. dockerd
 * sends a response call with the very bytes of the request it answers
 * (User, RequestMethod, RequestURI, RequestBody), and the response phase
 * reads that body again (the role that allowed it, the mounts a create
 * records, the object a create names). Parsing it twice was a third of a
 * create's cost. A response whose request is found here adopts the parse
 * of its request; any other is parsed as before. The same bytes give the
 * same tree, validated already: nothing is decided differently.
 *
 * Bounded: RG_BODYMEMO_ENTRIES requests of at most RG_BODYMEMO_BODY_MAX
 * bytes (a few MB at worst with their trees); the oldest goes first, so a
 * request whose AuthZRes never comes (or needs no decision) is gone after
 * that many more. Thread-safe.
 */

#include <stdbool.h>

#include "rolegate/request.h"

#define RG_BODYMEMO_ENTRIES 32
#define RG_BODYMEMO_BODY_MAX (8 * 1024)

struct rg_bodymemo;

struct rg_bodymemo *rg_bodymemo_new(void);
void rg_bodymemo_free(struct rg_bodymemo *m);

/* Keeps req's parsed body (a reference to it) for its response; m may be NULL. */
void rg_bodymemo_put(struct rg_bodymemo *m, const struct rg_request *req);

/*
 * For a response call: when the request it carries (user, method, URI, body
 * bytes) was kept, req adopts its parsed body and the entry is dropped.
 * Returns whether it did. m may be NULL (nothing kept).
 */
bool rg_bodymemo_take(struct rg_bodymemo *m, struct rg_request *req);

#endif
