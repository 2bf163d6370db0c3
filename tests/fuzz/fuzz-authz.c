/*
 * Fuzz target: one authorization call from dockerd, end to end except the
 * audit log: rg_authz_call() decodes the call (outer JSON, base64 body, the
 * body as Go reads it), classifies the route, resolves the caller from
 * static users and decides, under a fixed test configuration. The input is
 * the call's JSON text, tried as an AuthZReq and as an AuthZRes.
 *
 * Properties: an answer always comes back (only out of memory is NULL) and
 * is JSON; 200 carries a boolean "Allow", anything else an "Err"; a request
 * that is not a JSON object with a string RequestMethod and RequestUri is
 * never allowed; a response-phase call never denies.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz.h"
#include "rolegate/authz.h"
#include "rolegate/policy.h"

static const char config[] =
	"plugin = { max_body = 65536; };\n"
	"identity = {\n"
	"  unauthenticated = \"automation\";\n"
	"  users = (\n"
	"    { name = \"automation\"; groups = [\"ci\"]; },\n"
	"    { name = \"alice\"; groups = [\"docker-ops\"]; },\n"
	"    { name = \"john.doe\"; groups = [\"developers\", \"Domain Users\"]; },\n"
	"    { name = \"bob\"; groups = [\"auditors\"]; }\n"
	"  );\n"
	"};\n"
	"roles = {\n"
	"  ops = { groups = [\"docker-ops\"]; allow = [\"*\"]; };\n"
	"  ci = { groups = [\"ci\"]; allow = [\"image.*\", \"container.list\", \"system.ping\"]; };\n"
	"  developer = {\n"
	"    groups = [\"developers\"];\n"
	"    allow = [\"container.*\", \"image.pull\", \"image.list\", \"image.inspect\", \"system.*\",\n"
	"             \"volume.*\", \"network.list\", \"network.inspect\", \"exec.*\"];\n"
	"    deny = [\"container.commit\", \"container.archive.put\"];\n"
	"    constraints = {\n"
	"      privileged = false;\n"
	"      host_namespaces = false;\n"
	"      capabilities = [\"NET_BIND_SERVICE\"];\n"
	"      devices = false;\n"
	"      unconfined = false;\n"
	"      bind_mounts = [\"/srv/projects\"];\n"
	"      registries = [\"registry.example.org\", \"docker.io/library\"];\n"
	"      require_limits = [\"memory\", \"pids\"];\n"
	"      exec_user = [\"!root\", \"!0\"];\n"
	"    };\n"
	"  };\n"
	"  auditor = { groups = [\"auditors\"]; allow = [\"*.list\", \"*.inspect\", \"system.info\"]; };\n"
	"};\n"
	"audit = { path = \"/nonexistent/rolegate-fuzz.log\"; responses = \"all\"; };\n";

static struct rg_runtime rt;

static void setup(void)
{
	char path[] = "/tmp/rolegate-fuzz-authz.XXXXXX";
	struct rg_errlist errs = { 0 };
	int fd = mkstemp(path);

	fuzz_assert(fd >= 0);
	fuzz_assert(write(fd, config, sizeof(config) - 1) == (ssize_t)(sizeof(config) - 1));
	close(fd);
	rt.refs = 1;
	rt.policy = rg_policy_load(path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	unlink(path);
	fuzz_assert(rt.policy != NULL);
	rg_errlist_free(&errs);
}

/* Whether the call has what any decision needs; without it, never allow. */
static bool well_formed(const uint8_t *data, size_t size)
{
	json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	bool ok = json_is_object(o) && json_is_string(json_object_get(o, "RequestMethod")) &&
		json_is_string(json_object_get(o, "RequestUri"));

	json_decref(o);
	return ok;
}

static void check(enum rg_phase phase, const uint8_t *data, size_t size, bool ok)
{
	int status = 0;
	char *out = rg_authz_call(&rt, NULL, phase, (const char *)data, size, &status);
	json_t *o, *allow;

	if (out == NULL)
		return; /* out of memory: the server answers 500 */
	o = json_loads(out, 0, NULL);
	fuzz_assert(json_is_object(o));
	allow = json_object_get(o, "Allow");
	if (status == 200) {
		fuzz_assert(json_is_boolean(allow));
		if (json_is_true(allow))
			fuzz_assert(ok);
		if (phase == RG_PHASE_RESPONSE)
			fuzz_assert(json_is_true(allow));
		else if (json_is_false(allow))
			fuzz_assert(json_is_string(json_object_get(o, "Msg")));
	} else {
		fuzz_assert(status >= 400 && status < 600);
		fuzz_assert(!json_is_true(allow));
		fuzz_assert(json_is_string(json_object_get(o, "Err")));
	}
	json_decref(o);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool ok;

	if (rt.policy == NULL)
		setup();
	if (size > 512 * 1024)
		return 0;
	ok = well_formed(data, size);
	check(RG_PHASE_REQUEST, data, size, ok);
	check(RG_PHASE_RESPONSE, data, size, ok);
	return 0;
}
