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
 *
 * And, differentially: rg_request_decode() reads every input as
 * json_loadb(JSON_REJECT_DUPLICATES) + rg_request_from_call() does (same
 * success or failure, same errstr, same fields), except that it may accept a
 * text jansson refuses for a duplicate key nested below the call's members;
 * then it must read it as jansson does without that check.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz.h"
#include "rolegate/authz.h"
#include "rolegate/policy.h"
#include "rolegate/policyfile.h"
#include "rolegate/request.h"

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
	"             \"volume.*\", \"network.*\", \"exec.*\",\n"
	"             \"service.*\", \"secret.*\", \"config.*\"];\n"
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
	"      max_limits = { memory = \"8g\"; pids = 4096; cpus = 4.0; };\n"
	"      runtimes = [\"runc\"]; cgroup_parent = false; sysctls = [\"net.core.*\"];\n"
	"      log_drivers = [\"json-file\"]; image_targets = [\"registry.example.org/team\"];\n"
	"    };\n"
	"  };\n"
	"  auditor = { groups = [\"auditors\"]; allow = [\"*.list\", \"*.inspect\", \"system.info\"]; };\n"
	"};\n"
	"audit = { path = \"/nonexistent/rolegate-fuzz.log\"; responses = \"all\"; };\n";

#define MAX_BODY 65536 /* as in the configuration above */

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
	rt.policy = rg_policy_load(path, &errs, NULL);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i));
	unlink(path);
	fuzz_assert(rt.policy != NULL);
	rg_errlist_free(&errs);
}

/*
 * Whether the call has what any decision needs; without it, never allow.
 * Read by the decoder authz.c uses, which the differential check below holds
 * to jansson's reading.
 */
static bool well_formed(enum rg_phase phase, const uint8_t *data, size_t size)
{
	struct rg_request req;
	const char *errstr;

	if (rg_request_decode(&req, phase, (const char *)data, size, MAX_BODY, &errstr) < 0)
		return false;
	rg_request_clear(&req);
	return true;
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

/* How many arrays and objects are open before data[pos]. */
static int depth_at(const uint8_t *data, size_t pos)
{
	int depth = 0;
	bool in_string = false;

	for (size_t i = 0; i < pos; i++) {
		if (in_string) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				in_string = false;
		} else if (data[i] == '"') {
			in_string = true;
		} else if (data[i] == '{' || data[i] == '[') {
			depth++;
		} else if (data[i] == '}' || data[i] == ']') {
			depth--;
		}
	}
	return depth;
}

static bool same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same(int ra, const char *aerr, const struct rg_request *a, int rb, const char *berr,
		const struct rg_request *b)
{
	if (ra != rb)
		return false;
	if (ra < 0)
		return same_str(aerr, berr);
	return same_str(a->user, b->user) && same_str(a->authn, b->authn) &&
		same_str(a->method, b->method) && same_str(a->uri, b->uri) &&
		a->body_state == b->body_state && a->body_len == b->body_len &&
		(a->body == NULL) == (b->body == NULL) &&
		(a->body == NULL || memcmp(a->body, b->body, a->body_len) == 0) &&
		same_str(a->content_type, b->content_type) && a->status == b->status &&
		a->peer_cert == b->peer_cert && a->peer_cns == b->peer_cns &&
		same_str(a->route.command, b->route.command) &&
		(a->route_err == NULL) == (b->route_err == NULL) &&
		same_str(a->route_err, b->route_err) &&
		(a->response_json == NULL) == (b->response_json == NULL) &&
		(a->response_json == NULL || json_equal(a->response_json, b->response_json));
}

/*
 * Whether the decoder reads new_in as jansson + rg_request_from_call read
 * old_in, a duplicate key nested below the call's members aside (then the
 * decoder must read it as jansson does without JSON_REJECT_DUPLICATES).
 */
static bool agree(enum rg_phase phase, const uint8_t *old_in, size_t old_len, const uint8_t *new_in,
		size_t new_len)
{
	struct rg_request a, b;
	const char *aerr = NULL, *berr = NULL;
	/* jansson leaves its code byte unset when the text parses and the call
	 * is refused after (a User without UserAuthNMethod) */
	json_error_t jerr = { 0 };
	int ra = rg_request_decode_jansson(&a, phase, (const char *)old_in, old_len, JSON_REJECT_DUPLICATES,
			MAX_BODY, &aerr, &jerr);
	int rb = rg_request_decode(&b, phase, (const char *)new_in, new_len, MAX_BODY, &berr);
	bool ok = same(ra, aerr, &a, rb, berr, &b);

	if (!ok && ra < 0 && json_error_code(&jerr) == json_error_duplicate_key &&
	    jerr.position >= 0 && depth_at(old_in, (size_t)jerr.position) > 1) {
		rg_request_clear(&a);
		ra = rg_request_decode_jansson(&a, phase, (const char *)old_in, old_len, 0, MAX_BODY, &aerr,
				&jerr);
		ok = same(ra, aerr, &a, rb, berr, &b);
	}
	rg_request_clear(&a);
	rg_request_clear(&b);
	return ok;
}

static bool alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * data without the NUL bytes jansson's lexer loses: one that ends a number
 * or true/false/null is "ungot" into a buffer where NUL means empty, so that
 * jansson reads "[1\0]" as "[1]". The decoder refuses such text. Returns the
 * new length (< size when something was dropped); *out is malloc'd.
 */
static size_t drop_lost_nul(const uint8_t *data, size_t size, uint8_t **out)
{
	bool in_string = false;
	size_t n = 0;

	*out = malloc(size + 1);
	fuzz_assert(*out != NULL);
	for (size_t i = 0; i < size; i++) {
		if (in_string) {
			if (data[i] == '\\' && i + 1 < size)
				(*out)[n++] = data[i++];
			else if (data[i] == '"')
				in_string = false;
		} else if (data[i] == '"') {
			in_string = true;
		} else if (data[i] == '\0' && i > 0 && alnum(data[i - 1]) &&
			   (i + 1 == size || (data[i + 1] != '\0' &&
			    strchr(" \t\r\n,]}", data[i + 1]) != NULL))) {
			continue; /* lost */
		}
		(*out)[n++] = data[i];
	}
	return n;
}

static void differential(enum rg_phase phase, const uint8_t *data, size_t size)
{
	struct rg_request b;
	const char *berr = NULL;
	uint8_t *stripped;
	size_t n;

	if (agree(phase, data, size, data, size))
		return;
	/* Only a NUL byte jansson loses may make a difference, and the decoder refuses it. */
	n = drop_lost_nul(data, size, &stripped);
	fuzz_assert(n < size);
	fuzz_assert(rg_request_decode(&b, phase, (const char *)data, size, MAX_BODY, &berr) < 0);
	fuzz_assert(strcmp(berr, "the authorization call is not valid JSON") == 0);
	fuzz_assert(agree(phase, data, size, stripped, n));
	free(stripped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (rt.policy == NULL)
		setup();
	if (size > 512 * 1024)
		return 0;
	check(RG_PHASE_REQUEST, data, size, well_formed(RG_PHASE_REQUEST, data, size));
	check(RG_PHASE_RESPONSE, data, size, well_formed(RG_PHASE_RESPONSE, data, size));
	differential(RG_PHASE_REQUEST, data, size);
	differential(RG_PHASE_RESPONSE, data, size);
	return 0;
}
