/* Unit tests for rbac/policy.c and rbac/decide.c: patterns, defaults,
 * decisions without constraints. */
#include <stdio.h>
#include <unistd.h>

#include "rolegate/decide.h"
#include "rolegate/policy.h"
#include "test.h"

static void test_patterns(void)
{
	test_assert(rg_pattern_match("*", "container.create"));
	test_assert(rg_pattern_match("*", "unknown"));
	test_assert(rg_pattern_match("container.*", "container.archive.get"));
	test_assert(!rg_pattern_match("container.*", "containers.list"));
	test_assert(!rg_pattern_match("container.*", "container"));
	test_assert(rg_pattern_match("*.list", "image.list"));
	test_assert(!rg_pattern_match("*.list", "image.listx"));
	test_assert(rg_pattern_match("*.inspect", "exec.inspect"));
	test_assert(rg_pattern_match("image.build.*", "image.build.prune"));
	test_assert(!rg_pattern_match("image.build", "image.build.prune"));
	test_assert(rg_pattern_match("*.*.get", "container.archive.get"));
	test_assert(rg_pattern_match("c*e", "container.create"));
	test_assert(!rg_pattern_match("", "x"));
	test_assert(rg_pattern_match("**", "x"));
}

static struct rg_policy *load_text(const char *text)
{
	struct rg_errlist errs = { 0 };
	struct rg_policy *p = rg_policy_parse(text, strlen(text), "test.conf", &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i));
	rg_errlist_free(&errs);
	return p;
}

static void test_defaults(void)
{
	struct rg_policy *p = load_text("");

	test_assert(p != NULL);
	test_str_eq(p->plugin.socket, "/run/docker/plugins/rolegate.sock");
	test_str_eq(p->plugin.socket_group, "");
	test_assert(p->plugin.max_body == 4194304);
	test_assert(p->plugin.threads == 0);
	test_str_eq(p->unauthenticated, "");
	test_assert(!p->ldap.enabled);
	test_str_eq(p->audit.path, "/var/log/rolegate/decisions.log");
	test_assert(p->audit.sync == RG_SYNC_BATCH);
	test_assert(p->audit.responses == RG_RESPONSES_MUTATING);
	test_assert(p->audit.on_error == RG_ON_ERROR_DENY);
	test_assert(!p->audit.syslog);
	rg_policy_free(p);

	p = load_text("identity = { ldap = { uri = \"ldap://127.0.0.1\"; user_base = \"dc=x\"; "
			"group_base = \"dc=x\"; }; };");
	test_assert(p != NULL);
	test_assert(p->ldap.enabled);
	test_str_eq(p->ldap.user_filter, "(&(objectClass=inetOrgPerson)(uid=%u))");
	test_str_eq(p->ldap.group_filter, "(|(member=%d)(uniqueMember=%d)(memberUid=%u))");
	test_str_eq(p->ldap.group_name_attr, "cn");
	test_assert(p->ldap.nested && !p->ldap.starttls);
	test_assert(p->ldap.timeout_ms == 2000 && p->ldap.cache_ttl == 300);
	test_assert(p->ldap.negative_ttl == 30 && p->ldap.stale_ttl == 3600);
	rg_policy_free(p);
}

static void test_constraint_parsing(void)
{
	struct rg_policy *p = load_text(
		"roles = { dev = { allow = [\"*\"]; constraints = {\n"
		"  privileged = false; capabilities = [\"cap_net_admin\", \"CHOWN\"];\n"
		"  bind_mounts = [\"/srv//projects/./a/../\", \"/\"]; require_limits = [\"memory\", \"cpu\"];\n"
		"}; }; open = { allow = [\"*\"]; }; };");
	const struct rg_constraints *c;

	test_assert(p != NULL && p->nroles == 2);
	c = &p->roles[0].constraints;
	test_assert(c->privileged == RG_NO);
	test_assert(c->host_namespaces == RG_UNSET);
	test_assert(c->has_capabilities && c->capabilities.n == 2);
	test_str_eq(c->capabilities.v[0], "NET_ADMIN");
	test_str_eq(c->capabilities.v[1], "CHOWN");
	test_str_eq(c->bind_mounts.v[0], "/srv/projects");
	test_str_eq(c->bind_mounts.v[1], "/");
	test_assert(c->require_limits == (RG_LIMIT_MEMORY | RG_LIMIT_CPU));
	test_assert(!c->has_registries && !c->has_exec_user);
	c = &p->roles[1].constraints;
	test_assert(c->privileged == RG_UNSET && !c->has_bind_mounts && c->require_limits == 0);
	rg_policy_free(p);
}

/* rg_decide without a body: roles, allow/deny, unauthenticated handling. */
static void test_decide(void)
{
	struct rg_policy *p = load_text(
		"identity = { unauthenticated = \"robot\"; users = ( { name = \"alice\"; groups = [\"ops\"]; } ); };\n"
		"roles = { ops = { groups = [\"ops\"]; allow = [\"*\"]; deny = [\"plugin.*\"]; };\n"
		"  bots = { users = [\"robot\"]; allow = [\"container.list\"]; }; };");
	struct rg_identity id = { .user = "alice" };
	struct rg_request req;
	struct rg_decision d;
	const char *err;

	test_assert(p != NULL);
	rg_strv_push(&id.groups, "ops");
	test_assert(rg_request_init(&req, "alice", "TLS", "GET", "/v1.41/containers/json", NULL, 0,
			p->plugin.max_body, &err) == 0);
	test_assert(rg_decide(p, &id, &req, &d) == RG_ALLOW);
	test_str_eq(d.role, "ops");
	test_str_eq(d.rule, "*");
	test_str_eq(d.command, "container.list");
	rg_decision_clear(&d);
	rg_request_clear(&req);

	test_assert(rg_request_init(&req, "alice", "TLS", "POST", "/v1.41/plugins/x/enable", NULL, 0,
			p->plugin.max_body, &err) == 0);
	test_assert(rg_decide(p, &id, &req, &d) == RG_DENY);
	test_str_eq(d.msg, "alice (roles: ops) may not use plugin.enable");
	rg_decision_clear(&d);
	rg_request_clear(&req);
	rg_strv_free(&id.groups);

	/* A request path that is not canonical is denied, whatever the role. */
	id.user = "alice";
	rg_strv_push(&id.groups, "ops");
	test_assert(rg_request_init(&req, "alice", "TLS", "GET", "/v1.41/containers/../json", NULL, 0,
			p->plugin.max_body, &err) == 0);
	test_assert(rg_decide(p, &id, &req, &d) == RG_DENY);
	rg_decision_clear(&d);
	rg_request_clear(&req);
	rg_strv_free(&id.groups);

	/* An identity error (directory down) is a deny even for a powerful user. */
	id.user = "alice";
	id.error = "the directory (LDAP) is unreachable and no cached answer is usable";
	rg_strv_push(&id.groups, "ops");
	test_assert(rg_request_init(&req, "alice", "TLS", "GET", "/_ping", NULL, 0,
			p->plugin.max_body, &err) == 0);
	test_assert(rg_decide(p, &id, &req, &d) == RG_DENY);
	test_assert(strstr(d.msg, "unreachable") != NULL);
	rg_decision_clear(&d);
	rg_request_clear(&req);
	rg_strv_free(&id.groups);
	/* A form-encoded body can override the query inside dockerd: denied. */
	{
		json_error_t jerr;
		json_t *call = json_loads("{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"POST\","
				"\"RequestUri\":\"/v1.41/images/create?fromSrc=-\",\"RequestHeaders\":"
				"{\"Content-Type\":\"application/x-www-form-urlencoded\"}}", 0, &jerr);

		test_assert(call != NULL);
		test_assert(rg_request_from_call(&req, RG_PHASE_REQUEST, call, p->plugin.max_body, &err) == 0);
		json_decref(call);
		id.user = "alice";
		id.error = NULL;
		rg_strv_push(&id.groups, "ops");
		test_assert(rg_decide(p, &id, &req, &d) == RG_DENY);
		test_assert(strstr(d.msg, "may not send a form body") != NULL);
		rg_decision_clear(&d);
		rg_request_clear(&req);
		rg_strv_free(&id.groups);
	}
	rg_policy_free(p);
}

/*
 * rg_policy_parse: the text it is given and nothing else (no file read, no
 * NUL needed at the end), its revision from those bytes, errors as data
 * sorted by line whatever order the loader found them in.
 */
static void test_parse_text(void)
{
	static const char good[] = "roles = { r = { users = [\"u\"]; allow = [\"*\"]; }; };\n";
	static const char nul[] = "roles = { r = { users = [\"u\"]; allow = [\"*\"]; }; };\n\0 junk\n";
	static const char bad[] =
		"audit = { sync = \"sometimes\"; };\n"           /* audit is loaded last */
		"plugin = { threads = \"many\"; };\n"
		"roles = { r = { users = [\"u\"]; allow = [\"*\"]; }; };\n";
	char buf[sizeof(good) + 8];
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;

	/* not NUL-terminated: what follows the length is not read */
	memcpy(buf, good, sizeof(good) - 1);
	memcpy(buf + sizeof(good) - 1, "garbage!", 8);
	p = rg_policy_parse(buf, sizeof(good) - 1, "t.conf", &errs);
	test_assert(p != NULL && rg_errlist_empty(&errs));
	test_str_eq(p->path, "t.conf");
	test_str_eq(p->revision, "73fe2ed778e9");   /* sha256sum of good, 12 digits */
	rg_policy_free(p);

	/* a NUL byte is a syntax error, as in a file, not the end of the text */
	p = rg_policy_parse(nul, sizeof(nul) - 1, "t.conf", &errs);
	test_assert(p == NULL && errs.n == 1);
	test_str_eq(errs.v[0].file, "t.conf");
	test_assert(errs.v[0].line == 2);
	test_str_eq(RG_ERRLIST_LINE(&errs, 0), "t.conf:2: syntax error");
	rg_errlist_free(&errs);

	p = rg_policy_parse(bad, sizeof(bad) - 1, "t.conf", &errs);
	test_assert(p == NULL && errs.n == 2);
	test_assert(errs.v[0].line == 1 && errs.v[1].line == 2);
	test_str_eq(errs.v[0].file, "t.conf");
	test_assert(strncmp(RG_ERRLIST_LINE(&errs, 0), "t.conf:1: 'audit.sync'", 22) == 0);
	test_assert(strncmp(RG_ERRLIST_LINE(&errs, 1), "t.conf:2: 'plugin.threads'", 26) == 0);
	rg_errlist_free(&errs);

	/* printed forms: with a line, without one, without a file */
	rg_errlist_at(&errs, "f.conf", 0, "cannot read the file");
	rg_errlist_add(&errs, "plain %d", 1);
	test_str_eq(RG_ERRLIST_LINE(&errs, 0), "f.conf: cannot read the file");
	test_str_eq(RG_ERRLIST_LINE(&errs, 1), "plain 1");
	rg_errlist_free(&errs);
}

/* The LDAP client's copy of identity.ldap outlives the policy it came from. */
static void test_ldap_config_copy(void)
{
	static const char text[] =
		"identity = { ldap = { uri = \"ldap://127.0.0.1:1\"; user_base = \"ou=people,dc=x\";\n"
		"  group_base = \"ou=groups,dc=x\"; cache_file = \"/var/cache/rg\"; }; };\n"
		"roles = { r = { users = [\"u\"]; allow = [\"*\"]; }; };\n";
	struct rg_errlist errs = { 0 };
	struct rg_policy *p = rg_policy_parse(text, sizeof(text) - 1, "t.conf", &errs);
	struct rg_ldap_config c;

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i));
	test_assert(p != NULL && p->ldap.enabled);
	test_assert(rg_ldap_config_copy(&c, &p->ldap) == 0);
	test_assert(rg_ldap_config_equal(&c, &p->ldap));
	test_assert(c.uri != p->ldap.uri && c.user_filter != p->ldap.user_filter);
	rg_policy_free(p);   /* the copy stands alone */
	test_str_eq(c.uri, "ldap://127.0.0.1:1");
	test_str_eq(c.group_base, "ou=groups,dc=x");
	test_str_eq(c.cache_file, "/var/cache/rg");
	rg_ldap_config_clear(&c);
	test_assert(c.uri == NULL && c.cache_file == NULL);
}

int main(void)
{
	test_patterns();
	test_parse_text();
	test_ldap_config_copy();
	test_defaults();
	test_constraint_parsing();
	test_decide();
	printf("test-policy: ok\n");
	return 0;
}
