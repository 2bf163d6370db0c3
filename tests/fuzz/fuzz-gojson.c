/*
 * Fuzz target: the Go-compatible JSON reader (rg_gojson_parse, rg_json_get,
 * rg_json_path, rg_gojson_key_matches) and the object-from-body rule that
 * uses it.
 *
 * Properties: what parses re-serializes and parses again (the folding check
 * and the depth limit are properties of the value, not of its spelling);
 * every key of a parsed object is found by rg_json_get under its own name,
 * and Go folding is symmetric in case for ASCII names.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rolegate/gojson.h"
#include "rolegate/route.h"

static const char *const paths[][4] = {
	{ "HostConfig", "Privileged", NULL },
	{ "HostConfig", "Binds", NULL },
	{ "HostConfig", "CapAdd", NULL },
	{ "Image", NULL },
	{ "Name", NULL },
	{ "User", NULL },
};

static void check_keys(const json_t *v, int depth)
{
	const char *key;
	json_t *child;
	size_t i;

	if (depth > RG_JSON_MAX_DEPTH + 1)
		return;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			fuzz_assert(rg_json_get(v, key) != NULL);
			fuzz_assert(rg_gojson_key_matches(key, key));
			check_keys(child, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			check_keys(child, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *err = NULL, *err2 = NULL;
	json_t *root, *again;
	char *text;

	if (size > 1024 * 1024)
		return 0;
	root = rg_gojson_parse(data, size, &err);
	if (root == NULL) {
		fuzz_assert(err != NULL && err[0] != '\0');
		return 0;
	}
	check_keys(root, 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		rg_json_path(root, paths[i]);
	if (json_is_object(root)) {
		static struct rg_route route;

		route.object[0] = '\0';
		rg_route_object_from_body("container.create", root, &route);
		fuzz_assert(strnlen(route.object, RG_OBJECT_MAX) < RG_OBJECT_MAX);
		route.object[0] = '\0';
		rg_route_object_from_body("volume.create", root, &route);
		fuzz_assert(strnlen(route.object, RG_OBJECT_MAX) < RG_OBJECT_MAX);
	}

	text = json_dumps(root, JSON_ENCODE_ANY | JSON_COMPACT);
	fuzz_assert(text != NULL);
	again = rg_gojson_parse(text, strlen(text), &err2);
	if (again == NULL)
		fprintf(stderr, "re-parse failed: %s\n", err2);
	fuzz_assert(again != NULL);
	fuzz_assert(json_equal(root, again));
	json_decref(again);
	free(text);
	json_decref(root);

	/* Folding on the raw bytes as a key: case changes of ASCII letters
	 * never change whether a field matches. */
	if (size > 0 && size < 64 && memchr(data, '\0', size) == NULL) {
		char key[64], upper[64];

		memcpy(key, data, size);
		key[size] = '\0';
		for (size_t i = 0; i <= size; i++)
			upper[i] = (char)toupper((unsigned char)key[i]);
		fuzz_assert(rg_gojson_key_matches("HostConfig", key) ==
				rg_gojson_key_matches("HostConfig", upper));
		fuzz_assert(rg_gojson_key_matches("Privileged", key) ==
				rg_gojson_key_matches("privileged", key));
	}
	return 0;
}
