/*
 * plugin/bodymemo.c: a response adopts the parse of its own request only:
 * same user, method, URI and body bytes; any other is parsed as before.
 */
#include <stdio.h>

#include <jansson.h>

#include "rolegate/bodymemo.h"
#include "test.h"

#define BODY "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"/srv/a:/a\"]}}"

/* A request call as dockerd sends it, decoded; parsed when parse is set. */
static void request(struct rg_request *req, const char *user, const char *uri, const char *body,
		bool parse)
{
	const char *errstr = NULL, *why = NULL;

	if (rg_request_init(req, user, "TLS", "POST", uri, (const unsigned char *)body, strlen(body),
			1 << 20, &errstr) < 0)
		test_fail("init: %s", errstr);
	if (parse)
		test_assert(rg_request_body(req, &why) != NULL);
}

int main(void)
{
	struct rg_bodymemo *m = rg_bodymemo_new();
	struct rg_request req, res;

	test_assert(m != NULL);
	/* a NULL memo (explain, test) keeps and finds nothing */
	request(&req, "bob", "/v1.41/containers/create", BODY, true);
	rg_bodymemo_put(NULL, &req);
	request(&res, "bob", "/v1.41/containers/create", BODY, false);
	test_assert(!rg_bodymemo_take(NULL, &res));
	test_assert(res.body_state == RG_BODY_RAW);
	rg_request_clear(&res);

	/* the same call: the response adopts the request's tree, once */
	rg_bodymemo_put(m, &req);
	request(&res, "bob", "/v1.41/containers/create", BODY, false);
	test_assert(rg_bodymemo_take(m, &res));
	test_assert(res.body_state == RG_BODY_PARSED && res.body_json == req.body_json);
	rg_request_clear(&res);
	request(&res, "bob", "/v1.41/containers/create", BODY, false);
	test_assert(!rg_bodymemo_take(m, &res));
	rg_request_clear(&res);

	/* the tree outlives the request that made it */
	rg_bodymemo_put(m, &req);
	rg_request_clear(&req);
	request(&res, "bob", "/v1.41/containers/create", BODY, false);
	test_assert(rg_bodymemo_take(m, &res));
	test_str_eq(json_string_value(json_object_get(res.body_json, "Image")), "busybox");
	rg_request_clear(&res);

	/* another user, URI or byte: not the same request */
	request(&req, "bob", "/v1.41/containers/create", BODY, true);
	rg_bodymemo_put(m, &req);
	request(&res, "eve", "/v1.41/containers/create", BODY, false);
	test_assert(!rg_bodymemo_take(m, &res));
	rg_request_clear(&res);
	request(&res, "bob", "/v1.41/containers/create?name=x", BODY, false);
	test_assert(!rg_bodymemo_take(m, &res));
	rg_request_clear(&res);
	request(&res, "bob", "/v1.41/containers/create",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"/srv/b:/a\"]}}", false);
	test_assert(!rg_bodymemo_take(m, &res));
	test_assert(res.body_state == RG_BODY_RAW);
	rg_request_clear(&res);
	/* a body already parsed is left alone */
	request(&res, "bob", "/v1.41/containers/create", BODY, true);
	test_assert(!rg_bodymemo_take(m, &res));
	rg_request_clear(&res);
	rg_request_clear(&req);

	/* a body never parsed (nothing read it) is not kept */
	request(&req, "bob", "/v1.41/containers/x/start", "{}", false);
	rg_bodymemo_put(m, &req);
	request(&res, "bob", "/v1.41/containers/x/start", "{}", false);
	test_assert(!rg_bodymemo_take(m, &res));
	rg_request_clear(&res);
	rg_request_clear(&req);

	/* bounded: the oldest request goes once RG_BODYMEMO_ENTRIES more are kept */
	request(&req, "bob", "/v1.41/volumes/create", "{\"Name\":\"first\"}", true);
	rg_bodymemo_put(m, &req);
	rg_request_clear(&req);
	for (int i = 0; i < RG_BODYMEMO_ENTRIES; i++) {
		char body[64];

		snprintf(body, sizeof(body), "{\"Name\":\"v%d\"}", i);
		request(&req, "bob", "/v1.41/volumes/create", body, true);
		rg_bodymemo_put(m, &req);
		rg_request_clear(&req);
	}
	request(&res, "bob", "/v1.41/volumes/create", "{\"Name\":\"first\"}", false);
	test_assert(!rg_bodymemo_take(m, &res));
	rg_request_clear(&res);
	request(&res, "bob", "/v1.41/volumes/create", "{\"Name\":\"v31\"}", false);
	test_assert(rg_bodymemo_take(m, &res));
	rg_request_clear(&res);

	rg_bodymemo_free(m);
	printf("bodymemo: ok\n");
	return 0;
}
