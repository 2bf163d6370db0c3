/*
 * Fuzz target: request-target normalization and the route table
 * (rg_route_classify, rg_query_get). Input: "METHOD\nURI" (no newline: the
 * whole input is the URI of a GET).
 *
 * Properties: a refused target is "unknown" with no object; an accepted one
 * has a canonical absolute path (no "//", "." or ".." segment), bounded
 * object, a query inside the URI; classifying is deterministic; and a
 * target that is already in dockerd's normal form means the same with the
 * "/v1.41" prefix the docker CLI adds.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rolegate/route.h"

static bool canonical(const char *p)
{
	if (p[0] != '/')
		return false;
	if (strstr(p, "//") != NULL || strstr(p, "/./") != NULL || strstr(p, "/../") != NULL)
		return false;
	size_t n = strlen(p);
	if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
		return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rg_route a, b;
	const char *err = NULL, *err2 = NULL;
	char *input, *method, *uri, *nl, *prefixed;
	char value[RG_OBJECT_MAX];
	int r, r2;

	if (size > 3 * RG_PATH_MAX)
		return 0;
	input = malloc(size + 1);
	fuzz_assert(input != NULL);
	memcpy(input, data, size);
	input[size] = '\0';
	nl = memchr(input, '\n', size);
	if (nl != NULL) {
		*nl = '\0';
		method = input;
		uri = nl + 1;
	} else {
		method = (char *)"GET";
		uri = input;
	}

	r = rg_route_classify(method, uri, &a, &err);
	fuzz_assert(r == 0 || r == -1);
	fuzz_assert(a.command != NULL);
	fuzz_assert(strnlen(a.object, RG_OBJECT_MAX) < RG_OBJECT_MAX);
	fuzz_assert(strnlen(a.path, RG_PATH_MAX) < RG_PATH_MAX);
	if (r < 0) {
		fuzz_assert(err != NULL && err[0] != '\0');
		fuzz_assert(strcmp(a.command, "unknown") == 0);
		fuzz_assert(a.object[0] == '\0');
	} else {
		size_t ulen = strlen(uri);

		fuzz_assert(canonical(a.path));
		fuzz_assert(a.query != NULL);
		fuzz_assert(a.query[0] == '\0' || (a.query > uri && a.query <= uri + ulen));
		if (strcmp(a.command, "unknown") != 0)
			fuzz_assert(strchr(a.command, '.') != NULL);
		/* The query helpers on whatever query came out. */
		if (rg_query_get(a.query, "name", value, sizeof(value)) == 0)
			fuzz_assert(strlen(value) < sizeof(value));
		rg_query_get(a.query, "fromImage", value, sizeof(value));
		rg_query_get(a.query, "", value, 1);
	}

	/* Deterministic. */
	r2 = rg_route_classify(method, uri, &b, &err2);
	fuzz_assert(r2 == r);
	fuzz_assert(strcmp(a.command, b.command) == 0);
	fuzz_assert(strcmp(a.object, b.object) == 0);
	fuzz_assert(strcmp(a.path, b.path) == 0);

	/* A target dockerd's router would see unchanged ("/containers/json?all=1":
	 * no escapes, no version prefix) means the same under "/v1.41". */
	if (r == 0 && uri[0] == '/' && strncmp(uri, a.path, strlen(a.path)) == 0 &&
	    (uri[strlen(a.path)] == '\0' || uri[strlen(a.path)] == '?') &&
	    strlen(uri) + 7 < 3 * RG_PATH_MAX) {
		prefixed = malloc(strlen(uri) + 7);
		fuzz_assert(prefixed != NULL);
		strcpy(prefixed, "/v1.41");
		strcat(prefixed, uri);
		r2 = rg_route_classify(method, prefixed, &b, &err2);
		if (r2 == 0) {
			fuzz_assert(strcmp(a.command, b.command) == 0);
			fuzz_assert(strcmp(a.object, b.object) == 0);
			fuzz_assert(strcmp(a.path, b.path) == 0);
		} else {
			/* Only the length can differ. */
			fuzz_assert(strlen(prefixed) >= RG_PATH_MAX - 8);
		}
		free(prefixed);
	}
	free(input);
	return 0;
}
