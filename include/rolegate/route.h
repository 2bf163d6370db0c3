#ifndef ROLEGATE_ROUTE_H
#define ROLEGATE_ROUTE_H

/*
 * The route table: which command (SPEC.md §5) a request means, and on what
 * object. The request target is decoded exactly the way dockerd's router
 * (gorilla/mux over Go's net/url) decodes it: the path is percent-decoded
 * once, the optional "/v[0-9.]+" prefix and the query are set aside, and the
 * whole path is matched, anchored, against dockerd's own route patterns
 * ("{name:.*}" spans segments, so image names may hold '/' and ':').
 * Targets dockerd would redirect or refuse ("//", "/./", "/../", bad
 * percent-encoding) are refused here rather than guessed.
 * Nothing here allocates; the classifier is a few string compares.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define RG_PATH_MAX 4096
#define RG_OBJECT_MAX 512

struct rg_route {
	const char *command;          /* static string: "container.create", ..., or "unknown" */
	char path[RG_PATH_MAX];       /* normalized path: percent-decoded once, /vN.NN prefix removed, no query */
	const char *query;            /* points into the caller's uri after '?', or "" */
	char object[RG_OBJECT_MAX];   /* SPEC.md §5; "" when none, or when it comes from the body */
};

/*
 * Normalizes `uri` (as dockerd sends it in RequestUri: origin-form
 * "/v1.41/containers/json?all=1" or absolute-form "http://host/path") and
 * classifies method + path. Returns 0 on success (command may be "unknown"),
 * or -1 with *errstr (static, plain words) when the target must be denied
 * rather than guessed: a path that is not canonical ("//", "/./", "/../"),
 * bad percent-encoding, a NUL or control byte, a path or object that is too
 * long. On -1, out->command is "unknown" and out->path and out->object are "".
 * out->query borrows from uri: keep uri alive while using it.
 */
int rg_route_classify(const char *method, const char *uri, struct rg_route *out,
		const char **errstr);

/*
 * For commands whose object lives in the body (container.create without
 * ?name=: body "Image", normalized; service/volume/network/secret/config
 * create: body "Name"), fills out->object from the decoded body if it is
 * still "". Keys are looked up the way Go's decoder does (gojson.h).
 * body may be NULL; a missing or non-string value leaves the object "".
 */
void rg_route_object_from_body(const char *command, const json_t *body, struct rg_route *out);

/*
 * Looks up `name` in the query string (without '?') the way Go's
 * url.ParseQuery and Values.Get do: pairs split on '&', key and value
 * percent-decoded with '+' as space, the first pair with that exact key wins,
 * pairs with ';' or bad escapes are skipped. Copies the value into out.
 * Returns 0 if present (the value may be ""), -1 if absent or longer than
 * outlen - 1 (out then holds "").
 */
int rg_query_get(const char *query, const char *name, char *out, size_t outlen);

/*
 * Whether command (a name from the route table, "unknown" or NULL) is
 * mutating (SPEC.md §5): anything that is not a pure read. Unknown commands
 * count as mutating.
 */
bool rg_command_mutating(const char *command);

/*
 * Every value of `name`, in order (dockerd's r.Form[name]): start with
 * *cursor = query; returns 0 with the next value in out, -1 when there is
 * none left, -2 when a value does not fit in out or holds a NUL byte.
 */
int rg_query_next(const char **cursor, const char *name, char *out, size_t outlen);

/*
 * Whether some value in the query that Go's url.ParseQuery keeps (pairs with
 * ';' or a bad escape are skipped) decodes to max bytes or more, or to a NUL
 * byte: a value rg_query_get() with outlen = max reads as absent while
 * dockerd reads it whole.
 */
bool rg_query_unreadable(const char *query, size_t max);

/*
 * The route table itself, for tests and `rolegate explain`: calls fn once per
 * entry (method, dockerd pattern, command), in matching order.
 */
void rg_route_foreach(void (*fn)(const char *method, const char *pattern,
		const char *command, void *arg), void *arg);

/*
 * Every command name a request can be classified as, except "unknown": the
 * commands of the route table (a name once per route that has it) and those
 * a route's query decides (image.import, from POST /images/create). For
 * what names commands to people: pattern checks, `rolegate list`.
 */
void rg_command_foreach(void (*fn)(const char *command, void *arg), void *arg);

#endif
