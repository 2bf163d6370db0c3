#ifndef ROLEGATE_GOJSON_H
#define ROLEGATE_GOJSON_H

/*
 * JSON as dockerd's Go decoder (encoding/json) reads it. Go matches object
 * keys to struct fields case-insensitively, with Unicode simple folding (so
 * "ſ" U+017F matches 's' and "K" U+212A matches 'k'), and when two keys fold
 * to the same field the last one wins. A plugin that looks up keys exactly
 * would read "Privileged" while dockerd obeys "privileged": so every lookup
 * here folds like Go, and an object with two keys that fold alike is refused.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define RG_JSON_MAX_DEPTH 64

/*
 * Parses buf[0..len) (need not be NUL-terminated). Returns a new reference,
 * or NULL with *errstr set (static, plain words) when the text is not valid
 * JSON, nests deeper than RG_JSON_MAX_DEPTH, or holds an object (outside Go
 * map-typed fields such as Labels) with two keys equal under Go's folding.
 */
json_t *rg_gojson_parse(const void *buf, size_t len, const char **errstr);

/*
 * Whether the object key `jkey` (from JSON) selects the struct field `field`
 * (ASCII) the way Go's decoder decides it.
 */
bool rg_gojson_key_matches(const char *field, const char *jkey);

/*
 * Looks up field in obj with Go folding. Returns the borrowed value or NULL
 * (absent, or obj not an object). Objects parsed by rg_gojson_parse never
 * hold two matching keys.
 */
json_t *rg_json_get(const json_t *obj, const char *field);

/* Convenience: rg_json_get along a path of fields, e.g. {"HostConfig","Binds",NULL}. */
json_t *rg_json_path(const json_t *obj, const char *const *fields);

#endif
