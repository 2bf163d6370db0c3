/*
 * The engine's one entry (rbac/engine.c): identity merging from the
 * daemon's directory answer, the decision, the response phase and the
 * record's fields, as serve, explain and test get them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/engine.h"
#include "rolegate/errlist.h"
#include "rolegate/ownership.h"
#include "test.h"

/* The engine is handed its policy parsed from text, as the daemon hands it the file's bytes. */
static struct rg_policy *load_text(const char *text)
{
	struct rg_errlist errs = { 0 };
	struct rg_policy *p = rg_policy_parse(text, strlen(text), "engine.conf", &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i));
	rg_errlist_free(&errs);
	test_assert(p != NULL);
	return p;
}

static const char config[] =
	"identity = { unauthenticated = \"robot\";\n"
	"  users = ( { name = \"alice\"; groups = [\"dev\"]; }, { name = \"frank\"; groups = [\"wide\"]; } ); };\n"
	"audit = { responses = \"mutating\"; };\n"
	"roles = {\n"
	"  viewer = { groups = [\"dev\", \"ops\"]; allow = [\"container.list\", \"container.inspect\"]; };\n"
	"  dev = { groups = [\"dev\"]; allow = [\"container.*\"]; constraints = { privileged = false; }; };\n"
	"  ops = { groups = [\"ops\"]; allow = [\"*\"]; };\n"
	"  bots = { users = [\"robot\"]; allow = [\"container.list\"]; };\n"
	"  wide = { groups = [\"wide\"]; allow = [\"*\"]; constraints = { owner = \"self\"; }; };\n"
	"};\n";

static void request(struct rg_request *req, const char *user, const char *authn, const char *method,
		const char *uri, const char *body)
{
	const char *err = NULL;

	test_assert(rg_request_init(req, user, authn, method, uri, (const unsigned char *)body,
			body != NULL ? strlen(body) : 0, 1 << 20, &err) == 0);
}

static bool has(const struct rg_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0)
			return true;
	}
	return false;
}

/* identity.users merged with the directory's answer, once each. */
static void test_identity(const struct rg_policy *p)
{
	struct rg_strv dir = { 0 };
	struct rg_engine_view v = { .policy = p };
	struct rg_request req;
	struct rg_result r;

	rg_strv_push(&dir, "ops");
	rg_strv_push(&dir, "dev");
	v.groups = (struct rg_groups_answer){ .groups = &dir, .source = RG_GROUPS_LDAP };
	request(&req, "alice", "TLS", "GET", "/v1.41/containers/json", NULL);
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_assert(r.id.groups.n == 2 && has(&r.id.groups, "dev") && has(&r.id.groups, "ops"));
	test_assert(r.id.source == RG_GROUPS_LDAP);
	test_str_eq(r.d.role, "viewer");
	test_assert(!r.waits_for_disk && r.recorded);
	rg_result_clear(&r);

	/* a stale answer is used, and the record says so */
	v.groups.source = RG_GROUPS_STALE;
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_str_eq(r.record.note, "groups from stale cache (directory unreachable)");
	rg_result_clear(&r);

	/* the directory down: a static user keeps its static groups... */
	v.groups = (struct rg_groups_answer){ .source = RG_GROUPS_UNAVAILABLE, .error = "down" };
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_assert(r.id.groups.n == 1 && has(&r.id.groups, "dev"));
	rg_result_clear(&r);
	rg_request_clear(&req);

	/* ...anybody else is refused with the directory's reason */
	request(&req, "bob", "TLS", "GET", "/v1.41/containers/json", NULL);
	test_assert(rg_engine_decide(&v, &req, &r) == RG_DENY);
	test_str_eq(r.d.reason, "down");
	test_str_eq(r.record.reason, "down");
	rg_result_clear(&r);

	/* explain --groups replaces identity.users and the directory */
	rg_strv_free(&dir);
	rg_strv_push(&dir, "ops");
	v.groups = (struct rg_groups_answer){ .groups = &dir, .source = RG_GROUPS_GIVEN };
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_assert(r.id.groups.n == 1 && has(&r.id.groups, "ops"));
	rg_result_clear(&r);
	rg_request_clear(&req);

	/* no authentication: identity.unauthenticated... */
	v.groups = (struct rg_groups_answer){ 0 };
	request(&req, "", "", "GET", "/v1.41/containers/json", NULL);
	test_str_eq(rg_engine_user(p, &req), "robot");
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_str_eq(r.id.user, "robot");
	test_str_eq(r.record.user, "robot");
	rg_result_clear(&r);
	rg_request_clear(&req);

	/* ...never for a certificate without a CN, even with groups at hand */
	v.groups = (struct rg_groups_answer){ .groups = &dir, .source = RG_GROUPS_GIVEN };
	request(&req, "", "TLS", "GET", "/v1.41/containers/json", NULL);
	test_str_eq(rg_engine_user(p, &req), "");
	test_assert(rg_engine_decide(&v, &req, &r) == RG_DENY);
	test_assert(strstr(r.d.reason, "empty CN") != NULL);
	rg_result_clear(&r);
	rg_request_clear(&req);
	rg_strv_free(&dir);
}

/* A request's record: command, object from the body, details, revision, durability. */
static void test_request_record(const struct rg_policy *p)
{
	struct rg_engine_view v = { .policy = p };
	struct rg_request req;
	struct rg_result r;

	request(&req, "alice", "TLS", "POST", "/v1.41/containers/create?name=web",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1048576}}");
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_str_eq(r.record.command, "container.create");
	test_str_eq(r.record.object, "web");
	test_str_eq(r.record.role, "dev");
	test_assert(r.record.reason == NULL);
	test_str_eq(r.record.policy, p->revision);
	test_assert(r.record.phase == RG_PHASE_REQUEST && r.record.decision == RG_ALLOW);
	test_assert(json_is_object(r.record.details));
	test_str_eq(json_string_value(json_object_get(r.record.details, "image")), "docker.io/library/busybox:latest");
	test_assert(r.waits_for_disk && r.recorded && !r.changes_owners);
	/* the view is lent for the decision only */
	test_assert(req.owners == NULL && req.approved == NULL);
	rg_result_clear(&r);
	rg_request_clear(&req);

	/* a deny: reason and message, never a role, never waiting for the disk */
	request(&req, "alice", "TLS", "POST", "/v1.41/containers/create",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}");
	test_assert(rg_engine_decide(&v, &req, &r) == RG_DENY);
	test_assert(r.record.role == NULL && r.record.reason != NULL);
	test_assert(strstr(r.d.msg, "alice (roles: viewer, dev) may not") == r.d.msg);
	test_assert(!r.waits_for_disk && r.recorded);
	rg_result_clear(&r);
	rg_request_clear(&req);
}

/* An AuthZRes: always allowed; its record names the role that allowed the request. */
static void test_response(const struct rg_policy *p)
{
	struct rg_engine_view v = { .policy = p };
	struct rg_request req;
	struct rg_result r;

	request(&req, "alice", "TLS", "POST", "/v1.41/containers/create?name=web",
			"{\"Image\":\"busybox\"}");
	req.phase = RG_PHASE_RESPONSE;
	req.status = 201;
	req.response_json = json_pack("{s:s}", "Id", "0123456789abcdef0123456789abcdef");
	test_assert(rg_engine_response_needed(p, &req));
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	/* not viewer (alice's first role): dev allowed the create */
	test_str_eq(r.record.role, "dev");
	test_str_eq(r.record.id, "0123456789abcdef0123456789abcdef");
	test_assert(r.record.status == 201 && r.record.details == NULL && r.record.note == NULL);
	test_assert(r.changes_owners && r.recorded && !r.waits_for_disk);
	rg_result_clear(&r);

	/* refused answers change nothing */
	req.status = 409;
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_assert(!r.changes_owners && r.recorded);
	rg_result_clear(&r);
	json_decref(req.response_json);
	req.response_json = NULL;
	rg_request_clear(&req);

	/* a request the policy would not allow now: allowed, no role, a note */
	request(&req, "alice", "TLS", "POST", "/v1.41/containers/create",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}");
	req.phase = RG_PHASE_RESPONSE;
	req.status = 201;
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_assert(r.record.role == NULL && r.record.reason == NULL);
	test_assert(r.record.note != NULL && strstr(r.record.note, "would not be allowed now") != NULL);
	rg_result_clear(&r);
	rg_request_clear(&req);

	/* a volume's id is its Name (SPEC.md §4): the record of its create carries it, so
	 * log query --object finds a volume whose name the daemon generated */
	request(&req, "alice", "TLS", "POST", "/v1.41/volumes/create", "{}");
	req.phase = RG_PHASE_RESPONSE;
	req.status = 201;
	req.response_json = json_pack("{s:s,s:s}", "Name", "3f0c1a2b", "Driver", "local");
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	test_str_eq(r.record.id, "3f0c1a2b");
	rg_result_clear(&r);
	json_decref(req.response_json);
	req.response_json = NULL;
	rg_request_clear(&req);

	/* responses = "mutating": a read's answer needs no decision */
	request(&req, "alice", "TLS", "GET", "/v1.41/containers/json", NULL);
	req.phase = RG_PHASE_RESPONSE;
	req.status = 200;
	test_assert(!rg_engine_response_needed(p, &req));
	rg_request_clear(&req);
}

/* A call that could not be read whole: who asked, as far as known. */
static void test_unreadable(const struct rg_policy *p)
{
	struct rg_engine_view v = { .policy = p };
	struct rg_request req;
	struct rg_result r;

	rg_engine_unreadable(&v, NULL, RG_PHASE_REQUEST, "not JSON", &r);
	test_assert(r.d.verdict == RG_DENY && r.record.decision == RG_DENY);
	test_str_eq(r.record.command, "unknown");
	test_str_eq(r.record.reason, "not JSON");
	test_str_eq(r.record.user, "");
	test_str_eq(r.record.uri, "");
	test_assert(r.recorded && !r.waits_for_disk);
	rg_result_clear(&r);

	request(&req, "alice", "TLS", "POST", "/v1.41/containers/create", NULL);
	rg_engine_unreadable(&v, &req, RG_PHASE_RESPONSE, "too large", &r);
	test_assert(r.record.decision == RG_ALLOW && r.record.role == NULL);
	test_str_eq(r.record.note, "too large");
	test_str_eq(r.record.command, "container.create");
	test_assert(r.d.roles.n == 2 && has(&r.d.roles, "dev"));
	rg_result_clear(&r);
	rg_request_clear(&req);

	/*
	 * A config, service or task list too large to be read, to a role with
	 * owner: refused, it could show other users' objects (red team round
	 * 13). Other lists, and roles without owner, are allowed as before.
	 */
	request(&req, "frank", "TLS", "GET", "/v1.41/configs", NULL);
	rg_engine_unreadable(&v, &req, RG_PHASE_RESPONSE, "too large", &r);
	test_assert(r.d.verdict == RG_DENY && r.record.decision == RG_DENY && r.recorded);
	test_str_eq(r.d.msg, "frank (roles: wide) may not use config.list: the answer is larger than "
			"rolegate reads (plugin.max_body), so it could show other users' objects; filter the "
			"list to yours");
	rg_result_clear(&r);
	rg_request_clear(&req);
	request(&req, "frank", "TLS", "GET", "/v1.41/containers/json", NULL);
	rg_engine_unreadable(&v, &req, RG_PHASE_RESPONSE, "too large", &r);
	test_assert(r.d.verdict == RG_ALLOW);
	rg_result_clear(&r);
	rg_request_clear(&req);
	request(&req, "alice", "TLS", "GET", "/v1.41/tasks", NULL);
	rg_engine_unreadable(&v, &req, RG_PHASE_RESPONSE, "too large", &r);
	test_assert(r.d.verdict == RG_ALLOW);
	rg_result_clear(&r);
	rg_request_clear(&req);
}

/* The answer to a judged list, decided at the response phase (red team round 13). */
static void test_judged_answer(const struct rg_policy *p)
{
	struct rg_owners *o = rg_owners_new(0);
	struct rg_engine_view v = { .policy = p, .owners = o, .now = 10 };
	struct rg_request req;
	struct rg_result r;

	test_assert(o != NULL);
	request(&req, "frank", "TLS", "GET", "/v1.41/services", NULL);
	req.phase = RG_PHASE_RESPONSE;
	req.status = 200;
	req.response_json = json_loads("[{\"ID\":\"opssvc0000000000000000001\"}]", 0, NULL);
	test_assert(rg_engine_response_needed(p, &req));
	test_assert(rg_engine_decide(&v, &req, &r) == RG_DENY);
	test_assert(r.recorded && r.record.decision == RG_DENY && !r.changes_owners);
	test_assert(strstr(r.d.msg, "list services: the answer shows service opssvc0000000000000000001, "
			"not created by frank") != NULL);
	rg_result_clear(&r);
	json_decref(req.response_json);
	req.response_json = json_loads("[]", 0, NULL);
	test_assert(rg_engine_decide(&v, &req, &r) == RG_ALLOW);
	rg_result_clear(&r);
	rg_request_clear(&req);
	rg_owners_free(o);
}

int main(void)
{
	struct rg_policy *p = load_text(config);

	test_identity(p);
	test_request_record(p);
	test_response(p);
	test_unreadable(p);
	test_judged_answer(p);
	rg_policy_free(p);
	printf("engine: ok\n");
	return 0;
}
