/*
 * The daemon's ownership state on disk (plugin/state.c): a create dockerd
 * confirmed whose record cannot be written (here: a journal line over
 * RG_STATEFILE_LINE_MAX, from a container with 256 long bind paths) is not
 * applied, and the name it took leaves the old record all the same (SPEC.md
 * §4: "A create under a name rolegate already tracks drops the old
 * record's name"), so that the name never resolves to the old owner.
 * The same when the journal's write(2) itself fails (the file size limit,
 * EFBIG). Both with the journal's I/O thread and with direct writes
 * (rg_state_direct: the line is written after the create was applied, and
 * a failed write takes the create back).
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rolegate/hostfs.h"
#include "rolegate/ownership.h"
#include "rolegate/state.h"
#include "rolegate/statefile.h"
#include "test.h"

#define OLD_ID "0000000000000000000000000000000000000000000000000000000000000001"
#define NEW_ID "0000000000000000000000000000000000000000000000000000000000000002"
#define DB_OLD "0000000000000000000000000000000000000000000000000000000000000003"
#define DB_NEW "0000000000000000000000000000000000000000000000000000000000000004"

/* An AuthZRes of a container create named name with body, answered 201 with id. */
static int created(struct rg_state *s, const char *user, const char *name, const char *body, const char *id)
{
	struct rg_request req;
	const char *err = NULL;
	char uri[256], answer[128];
	int n;

	snprintf(uri, sizeof(uri), "/v1.41/containers/create?name=%s", name);
	if (rg_request_init(&req, user, "TLS", "POST", uri, (const unsigned char *)body, strlen(body),
			64 << 20, &err) < 0)
		test_fail("rg_request_init: %s", err);
	req.phase = RG_PHASE_RESPONSE;
	req.status = 201;
	snprintf(answer, sizeof(answer), "{\"Id\":\"%s\",\"Warnings\":[]}", id);
	req.response_json = json_loads(answer, 0, NULL);
	req.fs = &rg_fs_host;   /* as serve sets it */
	n = rg_state_observe(s, &req, user, "ops");
	rg_request_clear(&req);
	return n;
}

/* A create body with 256 distinct bind paths of about 4000 characters. */
static char *huge_body(void)
{
	size_t cap = 4 << 20, off = 0;
	char *b = malloc(cap), seg[201];

	test_assert(b != NULL);
	memset(seg, 'a', 200);
	seg[200] = '\0';
	off += (size_t)snprintf(b + off, cap - off, "{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[");
	for (int i = 0; i < RG_OWNERS_LIST_MAX; i++) {
		off += (size_t)snprintf(b + off, cap - off, "%s\"/d%03d", i > 0 ? "," : "", i);
		for (int j = 0; j < 19; j++)
			off += (size_t)snprintf(b + off, cap - off, "/%s", seg);
		off += (size_t)snprintf(b + off, cap - off, ":/m%d\"", i);
	}
	snprintf(b + off, cap - off, "]}}");
	return b;
}

static void run(bool direct)
{
	char tmpl[] = "/tmp/rolegate-statedir.XXXXXX", dir[64], err[512], note[256], cmd[128], path[96];
	const struct rg_object *obj;
	struct rg_owners *o;
	struct rg_state *s;
	struct rlimit was, lim;
	struct stat st;
	char *body;

	test_assert(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s/state", tmpl);
	s = rg_state_open(dir, err, sizeof(err), note, sizeof(note));
	if (s == NULL)
		test_fail("rg_state_open: %s", err);
	if (direct)
		test_assert(rg_state_direct(s, NULL, NULL) == 0);

	test_assert(created(s, "bob", "web", "{\"Image\":\"b\"}", OLD_ID) == 1);
	o = rg_state_read_begin(s);
	test_assert(rg_owners_resolve(o, RG_OBJ_CONTAINER, "web", 12, 0, &obj) == RG_RESOLVED);
	test_str_eq(obj->user, "bob");
	rg_state_read_end(s);

	/* alice's create under the same name cannot be journaled */
	body = huge_body();
	test_assert(created(s, "alice", "web", body, NEW_ID) >= 0);
	free(body);
	o = rg_state_read_begin(s);
	test_assert(rg_owners_resolve(o, RG_OBJ_CONTAINER, "web", 12, 0, &obj) == RG_UNKNOWN);
	test_assert(rg_owners_resolve(o, RG_OBJ_CONTAINER, NEW_ID, 12, 0, &obj) == RG_UNKNOWN);
	test_assert(rg_owners_resolve(o, RG_OBJ_CONTAINER, OLD_ID, 12, 0, &obj) == RG_RESOLVED);
	test_str_eq(obj->user, "bob");
	test_str_eq(obj->name, "");
	rg_state_read_end(s);

	/* bob's data, then alice's create under its name whose write fails (EFBIG) */
	test_assert(created(s, "bob", "data", "{\"Image\":\"b\"}", DB_OLD) == 1);
	snprintf(path, sizeof(path), "%s/journal", dir);
	test_assert(stat(path, &st) == 0);
	test_assert(getrlimit(RLIMIT_FSIZE, &was) == 0);
	lim = was;
	lim.rlim_cur = (rlim_t)st.st_size + 16;
	test_assert(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	test_assert(created(s, "alice", "data", "{\"Image\":\"b\"}", DB_NEW) >= 0);
	o = rg_state_read_begin(s);
	test_assert(rg_owners_resolve(o, RG_OBJ_CONTAINER, DB_NEW, 12, 0, &obj) == RG_UNKNOWN);
	test_assert(rg_owners_resolve(o, RG_OBJ_CONTAINER, "data", 12, 0, &obj) == RG_UNKNOWN);
	test_assert(rg_owners_resolve(o, RG_OBJ_CONTAINER, DB_OLD, 12, 0, &obj) == RG_RESOLVED);
	test_str_eq(obj->user, "bob");
	rg_state_read_end(s);
	test_assert(setrlimit(RLIMIT_FSIZE, &was) == 0);

	rg_state_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	test_assert(system(cmd) == 0);
}

int main(void)
{
	signal(SIGXFSZ, SIG_IGN);    /* as serve: the write fails with EFBIG */
	run(false);
	run(true);
	printf("statedir: ok\n");
	return 0;
}
