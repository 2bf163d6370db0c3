/*
 * Go-compatible JSON key folding. See include/rolegate/gojson.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/gojson.h"

/* UTF-8 of the two non-ASCII runes that fold onto ASCII letters. */
#define LONG_S "\xc5\xbf"      /* U+017F LATIN SMALL LETTER LONG S -> s */
#define KELVIN "\xe2\x84\xaa"  /* U+212A KELVIN SIGN -> k */

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * Writes the folded form of key into out: ASCII lower-cased, the long s and
 * Kelvin sign replaced by 's' and 'k', all other bytes kept. Two keys that Go
 * could bind to the same field have equal folded forms. Returns the length.
 */
static size_t fold(const char *key, char *out)
{
	size_t n = 0;

	while (*key != '\0') {
		if (strncmp(key, LONG_S, 2) == 0) {
			out[n++] = 's';
			key += 2;
		} else if (strncmp(key, KELVIN, 3) == 0) {
			out[n++] = 'k';
			key += 3;
		} else {
			out[n++] = (char)ascii_lower((unsigned char)*key++);
		}
	}
	out[n] = '\0';
	return n;
}

bool rg_gojson_key_matches(const char *field, const char *jkey)
{
	while (*field != '\0') {
		int f = ascii_lower((unsigned char)*field);

		if (f == 's' && strncmp(jkey, LONG_S, 2) == 0)
			jkey += 2;
		else if (f == 'k' && strncmp(jkey, KELVIN, 3) == 0)
			jkey += 3;
		else if (ascii_lower((unsigned char)*jkey) == f)
			jkey++;
		else
			return false;
		field++;
	}
	return *jkey == '\0';
}

json_t *rg_json_get(const json_t *obj, const char *field)
{
	const char *key;
	json_t *val;
	json_t *exact;

	if (!json_is_object(obj))
		return NULL;
	/* Fast path: the exact spelling, as the docker CLI sends it. */
	exact = json_object_get(obj, field);
	if (exact != NULL)
		return exact;
	json_object_foreach((json_t *)obj, key, val) {
		if (rg_gojson_key_matches(field, key))
			return val;
	}
	return NULL;
}

json_t *rg_json_path(const json_t *obj, const char *const *fields)
{
	const json_t *cur = obj;

	for (; *fields != NULL && cur != NULL; fields++)
		cur = rg_json_get(cur, *fields);
	return (json_t *)cur;
}

/*
 * Values of these fields are Go maps, whose keys are data (label names,
 * driver options) matched exactly: "a" and "A" are different labels there.
 */
static bool is_map_field(const char *key)
{
	static const char *const maps[] = {
		"Labels", "Options", "DriverOpts", "Sysctls", "StorageOpt", "Tmpfs",
		"Annotations", "ExposedPorts", "Volumes", "PortBindings", "Config",
		"BuildArgs", "EndpointsConfig", NULL,
	};

	for (size_t i = 0; maps[i] != NULL; i++) {
		if (rg_gojson_key_matches(maps[i], key))
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One allocation per object: the pointer array and every folded key in one
 * block (a folded key is never longer than the key), rather than one per key.
 */
static int check_object_keys(const json_t *obj, const char **errstr)
{
	size_t n = json_object_size(obj);
	size_t bytes = 0;
	char **folded, *text;
	const char *key;
	json_t *val;
	size_t i = 0;
	int rc = 0;

	if (n < 2)
		return 0;
	json_object_foreach((json_t *)obj, key, val)
		bytes += strlen(key) + 1;
	if (bytes > (SIZE_MAX - n * sizeof(*folded)) ||
	    (folded = malloc(n * sizeof(*folded) + bytes)) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	text = (char *)(folded + n);
	json_object_foreach((json_t *)obj, key, val) {
		if (i == n)
			break;
		folded[i++] = text;
		text += fold(key, text) + 1;
	}
	qsort(folded, i, sizeof(*folded), cmp_str);
	for (size_t j = 1; j < i; j++) {
		if (strcmp(folded[j - 1], folded[j]) == 0) {
			*errstr = "the request body has two keys that differ only in case";
			rc = -1;
			break;
		}
	}
	free(folded);
	return rc;
}

static int check_value(const json_t *v, int depth, bool is_map, const char **errstr)
{
	const char *key;
	json_t *child;
	size_t i;

	if (depth > RG_JSON_MAX_DEPTH) {
		*errstr = "the request body nests too deeply";
		return -1;
	}
	if (json_is_object(v)) {
		if (!is_map && check_object_keys(v, errstr) < 0)
			return -1;
		json_object_foreach((json_t *)v, key, child) {
			if (check_value(child, depth + 1, !is_map && is_map_field(key), errstr) < 0)
				return -1;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			if (check_value(child, depth + 1, false, errstr) < 0)
				return -1;
		}
	}
	return 0;
}

json_t *rg_gojson_parse(const void *buf, size_t len, const char **errstr)
{
	json_error_t jerr;
	json_t *root;

	/* Exact duplicates are as ambiguous as folded ones: reject them too. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		*errstr = "the request body is not valid JSON";
		return NULL;
	}
	if (check_value(root, 0, false, errstr) < 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}
