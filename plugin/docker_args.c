/* Translation of docker command lines into API requests (work in progress). */
#include <stdio.h>
#include <stdlib.h>

#include "rolegate/explain.h"

int rg_docker_translate(int argc, char **argv, struct rg_docker_request *out, char *err, size_t errlen)
{
	(void)argc;
	(void)argv;
	(void)out;
	snprintf(err, errlen, "docker command lines are not translated yet");
	return -1;
}

void rg_docker_request_clear(struct rg_docker_request *r)
{
	free(r->method);
	free(r->uri);
	free(r->body);
	r->method = r->uri = r->body = NULL;
}
