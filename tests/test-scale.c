/*
 * Large policies (issue 17): a roles group cut into chunks for libconfig
 * (rbac/cfgsplit.c) loads exactly as one parse would (order, line numbers,
 * errors, duplicates across chunks), and the name indexes answer who holds
 * which role as the linear scans did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rolegate/decide.h"
#include "rolegate/policy.h"
#include "test.h"

#define NROLES 1000

/* Parses text; errs receives the problems. */
static struct rg_policy *load(const char *text, struct rg_errlist *errs)
{
	return rg_policy_parse(text, strlen(text), "scale.conf", errs);
}

/* A config with NROLES roles, one per line from line 5; role i holds group gi
 * and user ui; line `bad` (0 = none) gets a pattern naming no command, and
 * role `dup` (0 = none) is named like role 1. */
static char *big(int bad, int dup)
{
	size_t cap = 200 * NROLES + 1024, off = 0;
	char *t = malloc(cap);

	test_assert(t != NULL);
	off += (size_t)snprintf(t + off, cap - off,
			"# roles = { not = this; }; a comment that looks like the group\n"
			"identity = { users = ( { name = \"roles\"; groups = [\"g7\"]; } ); };\n"
			"audit = { path = \"/tmp/x.log\"; };\n"
			"roles = {\n");
	for (int i = 1; i <= NROLES; i++)
		off += (size_t)snprintf(t + off, cap - off,
				"  r%d = { groups = [\"g%d\", \"all\"]; users = [\"u%d\"]; allow = [\"%s\"]; }%s\n",
				i == dup ? 1 : i, i, i, i + 4 == bad ? "contianer.*" : "container.list",
				i % 3 == 0 ? "," : ";");
	snprintf(t + off, cap - off, "};\n");
	return t;
}

static void test_chunks(void)
{
	struct rg_errlist errs = { 0 };
	char *text = big(0, 0);
	struct rg_policy *p = load(text, &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", RG_ERRLIST_LINE(&errs, i));
	test_assert(p != NULL);
	test_assert(p->nroles == NROLES);
	for (size_t i = 0; i < p->nroles; i++) {
		char name[32];

		snprintf(name, sizeof(name), "r%zu", i + 1);
		test_str_eq(p->roles[i].name, name);
		test_assert(p->roles[i].line == (int)i + 5);
	}
	test_assert(p->nusers == 1);
	rg_policy_free(p);
	free(text);

	/* an error in a late chunk names its own line */
	text = big(905, 0);
	p = load(text, &errs);
	test_assert(p == NULL && errs.n == 1);
	test_assert(strstr(RG_ERRLIST_LINE(&errs, 0), ":905: 'roles.r901.allow' pattern 'contianer.*' matches no command") != NULL);
	rg_errlist_free(&errs);
	free(text);

	/* the same name in two chunks is a duplicate, as libconfig says within one */
	text = big(0, 700);
	p = load(text, &errs);
	test_assert(p == NULL && errs.n == 1);
	test_assert(strstr(RG_ERRLIST_LINE(&errs, 0), ":704: duplicate setting name") != NULL);
	rg_errlist_free(&errs);
	free(text);
}

static void test_roles_for(void)
{
	struct rg_errlist errs = { 0 };
	char *text = big(0, 0);
	struct rg_policy *p = load(text, &errs);
	struct rg_strv groups = { 0 };
	size_t *idx;
	long n;

	test_assert(p != NULL);
	test_assert(rg_policy_static_groups(p, "roles") != NULL);
	test_assert(rg_policy_static_groups(p, "nobody") == NULL);
	rg_strv_push(&groups, "g900");
	rg_strv_push(&groups, "g3");
	rg_strv_push(&groups, "g900");
	n = rg_policy_roles_for(p, "u42", &groups, &idx);
	test_assert(n == 3 && idx[0] == 2 && idx[1] == 41 && idx[2] == 899);
	free(idx);
	rg_strv_free(&groups);
	rg_strv_push(&groups, "all");
	n = rg_policy_roles_for(p, "u1", &groups, &idx);
	test_assert(n == NROLES);
	for (long i = 0; i < n; i++)
		test_assert(idx[i] == (size_t)i);
	free(idx);
	rg_strv_free(&groups);
	n = rg_policy_roles_for(p, "nobody", NULL, &idx);
	test_assert(n == 0 && idx == NULL);
	rg_policy_free(p);
	free(text);
}

int main(void)
{
	test_chunks();
	test_roles_for();
	return 0;
}
