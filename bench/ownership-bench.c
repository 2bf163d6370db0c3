/*
 * ownership-bench: the per-call cost of ownership (SPEC.md §4) with few and
 * with many tracked objects. For each size it fills a model with that many
 * containers (and as many execs and volumes as a tenth of it), then times,
 * in nanoseconds per call, one thread:
 *
 *   resolve-name    a container by its name
 *   resolve-id      by its full id
 *   resolve-prefix  by a 12-character id prefix
 *   resolve-miss    a name nobody has
 *   decide-owned    rg_decide of exec.create on the caller's own container
 *                   under owner = "self" (the whole decision, body included)
 *   decide-free     the same call by a role without owner (no lookup)
 *   create          rg_owners_apply of one more container
 *
 *   ownership-bench [--sizes 100,100000] [--ms N]
 *
 * It prints figures; nothing is pass/fail.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/decide.h"
#include "rolegate/ownership.h"
#include "rolegate/policy.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void id_of(size_t i, char out[65])
{
	unsigned long long z = (i + 1) * 0x9e3779b97f4a7c15ULL;

	for (int k = 0; k < 4; k++) {
		z ^= z >> 31;
		z *= 0xbf58476d1ce4e5b9ULL;
		snprintf(out + 16 * k, 17, "%016llx", z);
	}
}

static struct rg_owners *fill(size_t n)
{
	struct rg_owners *o = rg_owners_new(n * 2 + 1000);

	for (size_t i = 0; i < n; i++) {
		char id[65], name[32], user[32];
		struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = RG_OBJ_CONTAINER, .id = id,
			.name = name, .user = user, .role = "developer", .created = (long long)i,
			.used = (long long)i };

		id_of(i, id);
		snprintf(name, sizeof(name), "box%zu", i);
		snprintf(user, sizeof(user), "user%zu", i % 1000);
		if (rg_owners_apply(o, &ev) < 0)
			abort();
		if (i % 10 == 0) {
			char eid[65];
			struct rg_owner_event x = { .op = RG_EV_CREATE, .kind = RG_OBJ_EXEC, .id = eid,
				.user = user, .role = "developer", .container = id };

			id_of(i + ((size_t)1 << 40), eid);
			ev.kind = RG_OBJ_VOLUME;
			ev.id = ev.name = name;
			if (rg_owners_apply(o, &x) < 0 || rg_owners_apply(o, &ev) < 0)
				abort();
		}
	}
	return o;
}

struct ctx {
	struct rg_owners *o;
	struct rg_policy *p;
	size_t n;
	const char *user;
	size_t i;
	char (*ids)[65];       /* made ahead, so that only the lookup is timed */
	char (*names)[32];
	char (*uris)[96];
};

static void prepare(struct ctx *c)
{
	c->ids = malloc(c->n * sizeof(*c->ids));
	c->names = malloc(c->n * sizeof(*c->names));
	c->uris = malloc(c->n * sizeof(*c->uris));
	if (c->ids == NULL || c->names == NULL || c->uris == NULL)
		abort();
	for (size_t i = 0; i < c->n; i++) {
		id_of(i, c->ids[i]);
		snprintf(c->names[i], sizeof(c->names[i]), "box%zu", i);
		snprintf(c->uris[i], sizeof(c->uris[i]), "/v1.41/containers/box%zu/exec", i);
	}
}

typedef void (*op_fn)(struct ctx *c);

static void op_name(struct ctx *c)
{
	const struct rg_object *obj;

	if (rg_owners_resolve(c->o, RG_OBJ_CONTAINER, c->names[c->i++ % c->n], 12, 1, &obj) != RG_RESOLVED)
		abort();
}

static void op_id(struct ctx *c)
{
	const struct rg_object *obj;

	if (rg_owners_resolve(c->o, RG_OBJ_CONTAINER, c->ids[c->i++ % c->n], 12, 1, &obj) != RG_RESOLVED)
		abort();
}

static void op_prefix(struct ctx *c)
{
	char id[13];
	const struct rg_object *obj;

	memcpy(id, c->ids[c->i++ % c->n], 12);
	id[12] = '\0';
	if (rg_owners_resolve(c->o, RG_OBJ_CONTAINER, id, 12, 1, &obj) != RG_RESOLVED)
		abort();
}

static void op_miss(struct ctx *c)
{
	const struct rg_object *obj;

	c->i++;
	if (rg_owners_resolve(c->o, RG_OBJ_CONTAINER, "nobody-has-this", 12, 1, &obj) != RG_UNKNOWN)
		abort();
}

static void decide_as(struct ctx *c, const char *user, const char *group, bool want_allow)
{
	static const char body[] = "{\"User\":\"1000\",\"Cmd\":[\"ls\"]}";
	char u[32];
	struct rg_identity id = { .user = u, .source = RG_GROUPS_GIVEN };
	struct rg_request req;
	struct rg_decision d;
	const char *errstr;
	size_t k = c->i++ % c->n;
	char *g = (char *)group;

	id.groups.v = &g;
	id.groups.n = 1;
	snprintf(u, sizeof(u), "%s", user != NULL ? user : "");
	if (user == NULL)
		snprintf(u, sizeof(u), "user%zu", k % 1000);
	if (rg_request_init(&req, u, "TLS", "POST", c->uris[k], (const unsigned char *)body, sizeof(body) - 1,
			1 << 20, &errstr) < 0)
		abort();
	req.owners = c->o;
	req.now = 1;
	if ((rg_decide(c->p, &id, &req, &d) == RG_ALLOW) != want_allow) {
		fprintf(stderr, "unexpected decision: %s\n", d.msg);
		abort();
	}
	rg_decision_clear(&d);
	rg_request_clear(&req);
}

static void op_decide_owned(struct ctx *c)
{
	decide_as(c, NULL, "dev", true);
}

static void op_decide_free(struct ctx *c)
{
	decide_as(c, "olga", "open", true);
}

static void op_create(struct ctx *c)
{
	char id[65], name[32];
	struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = RG_OBJ_CONTAINER, .id = id,
		.name = name, .user = "u", .role = "developer", .created = 1, .used = 1 };

	id_of(c->n + c->i, id);
	snprintf(name, sizeof(name), "new%zu", c->i++);
	if (rg_owners_apply(c->o, &ev) < 0)
		abort();
}

static double run(struct ctx *c, op_fn fn, double ms)
{
	double start = now_ns(), end = start + ms * 1e6, t;
	size_t n = 0;

	do {
		for (int i = 0; i < 256; i++)
			fn(c);
		n += 256;
		t = now_ns();
	} while (t < end);
	return (t - start) / (double)n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "ms", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct { const char *name; op_fn fn; } ops[] = {
		{ "resolve-name", op_name }, { "resolve-id", op_id }, { "resolve-prefix", op_prefix },
		{ "resolve-miss", op_miss }, { "decide-owned", op_decide_owned },
		{ "decide-free", op_decide_free }, { "create", op_create },
	};
	static const char conf[] = "roles = {\n"
		"  developer = { groups = [\"dev\"]; allow = [\"*\"];\n"
		"    constraints = { owner = \"self\"; exec_user = [\"!root\"]; }; };\n"
		"  open = { groups = [\"open\"]; allow = [\"*\"]; constraints = { exec_user = [\"!root\"]; }; };\n"
		"};\n";
	char sizes_buf[256] = "100,100000";
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;
	double ms = 300;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': snprintf(sizes_buf, sizeof(sizes_buf), "%s", optarg); break;
		case 'm': ms = atof(optarg); break;
		default:
			fprintf(stderr, "usage: ownership-bench [--sizes N,N...] [--ms N]\n");
			return 2;
		}
	}
	p = rg_policy_parse(conf, strlen(conf), "ownership-bench.conf", &errs);
	if (p == NULL) {
		fprintf(stderr, "ownership-bench: %s\n", errs.n > 0 ? RG_ERRLIST_LINE(&errs, 0) : "config");
		return 2;
	}
	printf("%-16s", "ns per call");
	for (char *s = sizes_buf; *s != '\0'; s += strcspn(s, ",") + (s[strcspn(s, ",")] != '\0'))
		printf("  %10zu objects", (size_t)strtoul(s, NULL, 10));
	printf("\n");
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		printf("%-16s", ops[k].name);
		for (char *s = sizes_buf; *s != '\0'; s += strcspn(s, ",") + (s[strcspn(s, ",")] != '\0')) {
			size_t n = (size_t)strtoul(s, NULL, 10);
			struct ctx c = { .o = fill(n), .p = p, .n = n };

			prepare(&c);
			printf("  %18.0f", run(&c, ops[k].fn, ms));
			fflush(stdout);
			rg_owners_free(c.o);
			free(c.ids);
			free(c.names);
			free(c.uris);
		}
		printf("\n");
	}
	rg_policy_free(p);
	return 0;
}
