/*
 * docker-args-dump docker ARGS...: prints what rg_docker_translate() makes of
 * a docker command line, as one JSON line {"method", "uri", "body"} (body:
 * the JSON text or null), for tests/test-docker-args.sh to compare with what
 * the real docker CLI sends. Exit 0, or 1 with the translator's error on
 * stderr.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "rolegate/explain.h"

int main(int argc, char **argv)
{
	struct rg_docker_request r = { 0 };
	char err[512];
	json_t *out;
	char *text;

	if (argc < 2) {
		fprintf(stderr, "usage: docker-args-dump docker ARGS...\n");
		return 2;
	}
	if (rg_docker_translate(argc - 1, argv + 1, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	out = json_pack("{s:s, s:s, s:s?}", "method", r.method, "uri", r.uri, "body", r.body);
	text = out != NULL ? json_dumps(out, JSON_COMPACT) : NULL;
	if (text == NULL) {
		fprintf(stderr, "out of memory\n");
		rg_docker_request_clear(&r);
		json_decref(out);
		return 2;
	}
	printf("%s\n", text);
	free(text);
	json_decref(out);
	rg_docker_request_clear(&r);
	return 0;
}
