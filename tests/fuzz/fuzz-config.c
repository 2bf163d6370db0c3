/*
 * Fuzz target: the configuration parser (rg_policy_parse) on arbitrary file
 * contents, and the decision engine on whatever policy loads.
 *
 * Properties: a policy is returned exactly when no error was reported; every
 * error names the file (printed "FILE:LINE: message" or "FILE: message"); a loaded
 * policy decides a few fixed requests with a consistent answer (an allow
 * names a deciding role that is one of the caller's roles, a deny says why).
 *
 * Inputs with "@include" are skipped: a config that includes other files is
 * the administrator's own business (and would let the fuzzer read any
 * file, /dev/zero included).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../fakefs.h"
#include "fuzz.h"
#include "rolegate/decide.h"
#include "rolegate/policy.h"
#include "rolegate/request.h"

static const char path[] = "fuzz.conf";

struct probe {
	const char *user, *method, *uri, *body;
};

static const struct probe probes[] = {
	{ "alice", "HEAD", "/_ping", NULL },
	{ "", "GET", "/v1.41/containers/json", NULL },
	{ "alice", "POST", "/v1.41/containers/create?name=web",
	  "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/srv/projects/a:/a\"],"
	  "\"CapAdd\":[\"NET_ADMIN\"],\"Memory\":1048576,\"PidsLimit\":10}}" },
	{ "bob", "POST", "/v1.41/containers/web/exec", "{\"User\":\"root\",\"Cmd\":[\"sh\"]}" },
	{ "john.doe", "POST", "/v1.41/images/create?fromImage=registry.example.org/app&tag=1", NULL },
};

/* The host the probes' bind paths are resolved on: a table, never the real
 * filesystem (a fuzzed config may name any path). */
static const struct fakefs_entry host_table[] = {
	{ .path = "/srv/projects/a", .mode = S_IFDIR },
	{ .path = "/srv/projects/up", .mode = S_IFLNK, .target = ".." },
};
static struct fakefs host;
static struct rg_fs host_view;

static void decide_probe(const struct rg_policy *p, const struct probe *pr)
{
	struct rg_request req;
	struct rg_identity id = { 0 };
	struct rg_decision d;
	const struct rg_strv *groups;
	const char *err = NULL;

	if (rg_request_init(&req, pr->user, pr->user[0] != '\0' ? "TLS" : "", pr->method, pr->uri,
			(const unsigned char *)pr->body, pr->body != NULL ? strlen(pr->body) : 0,
			p->plugin.max_body, &err) < 0)
		return;
	id.user = pr->user[0] != '\0' ? pr->user : p->unauthenticated;
	groups = rg_policy_static_groups(p, id.user);
	for (size_t i = 0; groups != NULL && i < groups->n; i++)
		rg_strv_push_unique(&id.groups, groups->v[i]);
	req.fs = &host_view;
	rg_decide(p, &id, &req, &d);
	if (d.verdict == RG_ALLOW) {
		fuzz_assert(d.role != NULL);
		fuzz_assert(rg_strv_has(&d.roles, d.role));
	} else {
		fuzz_assert(d.verdict == RG_DENY);
		fuzz_assert(d.msg[0] != '\0');
	}
	rg_decision_clear(&d);
	rg_strv_free(&id.groups);
	rg_request_clear(&req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;

	if (size > 256 * 1024)
		return 0;
	for (size_t i = 0; i + 8 <= size; i++) {
		if (data[i] == '@' && strncasecmp((const char *)data + i, "@include", 8) == 0)
			return 0;
	}
	p = rg_policy_parse((const char *)data, size, path, &errs);
	if (p == NULL) {
		fuzz_assert(!rg_errlist_empty(&errs));
		for (size_t i = 0; i < errs.n; i++) {
			const struct rg_err *e = &errs.v[i];

			if (e->msg == NULL)
				continue;
			if (e->file == NULL || strcmp(e->file, path) != 0)
				fprintf(stderr, "error without the file name: %s\n", RG_ERRLIST_LINE(&errs, i));
			fuzz_assert(e->file != NULL && strcmp(e->file, path) == 0 && e->line >= 0);
		}
	} else {
		fuzz_assert(rg_errlist_empty(&errs));
		if (host.n == 0) {
			fakefs_load(&host, host_table, sizeof(host_table) / sizeof(host_table[0]));
			host_view = fakefs_view(&host);
		}
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			decide_probe(p, &probes[i]);
		rg_policy_free(p);
	}
	rg_errlist_free(&errs);
	return 0;
}
