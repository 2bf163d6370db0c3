/*
 * The ownership model as a decision table (rbac/ownership.c, ownercheck.c,
 * ownerevent.c): steps run in order against one model, each an event in
 * (a daemon's answer, through rg_owners_observe, as serve feeds it), a
 * reference resolved, or a request decided through rg_decide() with the
 * model as input. The config is written to a temporary directory DIR, and
 * bind_mounts names DIR/projects on a fake host (fakefs.h): a project
 * directory there is later swapped for a symlink to /, to show that a start
 * re-checks what a create recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rolegate/decide.h"
#include "rolegate/details.h"
#include "rolegate/ownercheck.h"
#include "rolegate/ownership.h"
#include "rolegate/policy.h"
#include "rolegate/statefile.h"
#include "fakefs.h"
#include "test.h"

#define ID_OPS "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2"
#define ID_BOB "b0b0b0b0b0b01111111111111111111111111111111111111111111111111111"
#define ID_BOB2 "b0b0b0b0b0b02222222222222222222222222222222222222222222222222222"
#define ID_EXEC "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1"
#define ID_NET "4e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e"
#define ID_UNSEEN "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ZID8 "0000000000000000000000000000000000000000000000000000000000000008"
#define ID_BOBNET "b0b4e7b0b4e7b0b4e7b0b4e7b0b4e7b0b4e7b0b4e7b0b4e7b0b4e7b0b4e7b0b4"
#define ID_BOBHEX "cafe0123beef0000000000000000000000000000000000000000000000000000"
#define ID_WEB "3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3eb3"
#define ID_WEB2 "3eb2222222222222222222222222222222222222222222222222222222222222"
#define ID_DB "db2e3caea27c01de42f2de17b9a2960c8d8f4e9118b42f456fd722497afb78c1"
#define ID_EXECDB "edb0edb0edb0edb0edb0edb0edb0edb0edb0edb0edb0edb0edb0edb0edb0edb0"
#define ID_TEAM "7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7ea7"

static struct rg_policy *policy;
static struct rg_owners *model;
static char dir[256];
static unsigned steps;
static struct fakefs host;
static struct rg_fs host_view;   /* req.fs of every step */

static const char config_fmt[] =
	"identity = { users = (\n"
	"  { name = \"alice\"; groups = [\"ops\"]; },\n"
	"  { name = \"bob\"; groups = [\"dev\"]; },\n"
	"  { name = \"dave\"; groups = [\"dev\"]; },\n"
	"  { name = \"erin\"; groups = [\"team\"]; },\n"
	"  { name = \"frank\"; groups = [\"team\"]; },\n"
	"  { name = \"olga\"; groups = [\"open\"]; },\n"
	"  { name = \"nina\"; groups = [\"net\"]; },\n"
	"  { name = \"uma\"; groups = [\"uexec\"]; },\n"
	"  { name = \"uli\"; groups = [\"ux\"]; }\n"
	"); };\n"
	"roles = {\n"
	"  ops = { groups = [\"ops\"]; allow = [\"*\"]; };\n"
	"  developer = { groups = [\"dev\"]; allow = [\"*\"];\n"
	"    constraints = { owner = \"self\"; bind_mounts = [\"%s/projects\"]; }; };\n"
	"  team = { groups = [\"team\"]; allow = [\"container.*\", \"exec.*\", \"volume.*\"];\n"
	"    constraints = { owner = \"role\"; }; };\n"
	"  open = { groups = [\"open\"]; allow = [\"*\"]; constraints = { bind_mounts = [\"%s/projects\"]; }; };\n"
	"  netdev = { groups = [\"net\"]; allow = [\"*\"]; constraints = { networks = [\"bridge\"]; }; };\n"
	"  userdev = { groups = [\"uexec\"]; allow = [\"*\"];\n"
	"    constraints = { owner = \"self\"; privileged = false; exec_user = [\"!root\", \"!0\"]; }; };\n"
	"  userexec = { groups = [\"ux\"]; allow = [\"*\"]; constraints = { exec_user = [\"!root\", \"!0\"]; }; };\n"
	"};\n";

/* An answer from dockerd: the AuthZRes of method uri (body) with status and answer. */
static void answer(const char *user, const char *role, const char *method, const char *uri,
		const char *body, int status, const char *response, int want_events)
{
	struct rg_request req;
	const char *errstr = NULL, *why = NULL;
	int n;

	steps++;
	if (rg_request_init(&req, user, "TLS", method, uri, (const unsigned char *)body,
			body != NULL ? strlen(body) : 0, 1 << 20, &errstr) < 0)
		test_fail("%s %s: %s", method, uri, errstr);
	req.phase = RG_PHASE_RESPONSE;
	req.status = status;
	req.response_json = response != NULL ? json_loads(response, 0, NULL) : NULL;
	req.fs = &host_view;
	n = rg_owners_observe(model, &req, user, role, 1000 + (long long)steps, &why);
	if (n != want_events)
		test_fail("answer %d to %s %s: %d events, want %d (%s)", status, method, uri, n, want_events,
				why != NULL ? why : "-");
	rg_request_clear(&req);
}

/*
 * olga's volume create of name (body) answered as dockerd answers it: CreatedAt
 * age seconds from the answer's time, with the answer's labels and options.
 */
static void volume_answer(const char *name, int age, const char *labels, const char *options,
		const char *body, int want_events)
{
	char response[512], created[32];
	time_t born = (time_t)(1000 + steps + 1 + age);
	struct tm tm;

	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&born, &tm));
	snprintf(response, sizeof(response), "{\"Name\":\"%s\",\"Driver\":\"local\",\"CreatedAt\":\"%s\","
			"\"Labels\":%s,\"Options\":%s,\"Scope\":\"local\"}", name, created, labels, options);
	answer("olga", "open", "POST", "/v1.41/volumes/create", body, 201, response, want_events);
}

static void decide(const char *user, const char *method, const char *uri, const char *body,
		const char *want, const char *text)
{
	struct rg_identity id = { .user = user, .source = RG_GROUPS_STATIC };
	const struct rg_strv *groups = rg_policy_static_groups(policy, user);
	struct rg_request req;
	struct rg_decision d;
	const char *errstr = NULL;

	steps++;
	if (groups != NULL)
		id.groups = *groups;
	if (rg_request_init(&req, user, "TLS", method, uri, (const unsigned char *)body,
			body != NULL ? strlen(body) : 0, 1 << 20, &errstr) < 0)
		test_fail("%s %s: %s", method, uri, errstr);
	req.owners = model;
	req.fs = &host_view;
	req.now = 5000;
	rg_decide(policy, &id, &req, &d);
	if (strcmp(want, d.verdict == RG_ALLOW ? "allow" : "deny") != 0)
		test_fail("%s %s %s: want %s, got %s (%s)", user, method, uri, want,
				d.verdict == RG_ALLOW ? "allow" : "deny", d.verdict == RG_ALLOW ? d.role : d.msg);
	if (text != NULL && strstr(d.msg, text) == NULL)
		test_fail("%s %s %s: message \"%s\" lacks \"%s\"", user, method, uri, d.msg, text);
	rg_decision_clear(&d);
	rg_request_clear(&req);
}

/* decide() at the AuthZRes: the request answered with status and response (a list's answer). */
static void decide_answer(const char *user, const char *uri, int status, const char *response,
		const char *want, const char *text)
{
	struct rg_identity id = { .user = user, .source = RG_GROUPS_STATIC };
	const struct rg_strv *groups = rg_policy_static_groups(policy, user);
	struct rg_request req;
	struct rg_decision d;
	const char *errstr = NULL;

	steps++;
	if (groups != NULL)
		id.groups = *groups;
	if (rg_request_init(&req, user, "TLS", "GET", uri, NULL, 0, 1 << 20, &errstr) < 0)
		test_fail("GET %s: %s", uri, errstr);
	req.phase = RG_PHASE_RESPONSE;
	req.status = status;
	req.response_json = response != NULL ? json_loads(response, 0, NULL) : NULL;
	req.owners = model;
	req.fs = &host_view;
	req.now = 5000;
	rg_decide(policy, &id, &req, &d);
	if (strcmp(want, d.verdict == RG_ALLOW ? "allow" : "deny") != 0)
		test_fail("%s's answer %d to GET %s: want %s, got %s (%s)", user, status, uri, want,
				d.verdict == RG_ALLOW ? "allow" : "deny", d.verdict == RG_ALLOW ? d.role : d.msg);
	if (text != NULL && strstr(d.msg, text) == NULL)
		test_fail("%s GET %s: message \"%s\" lacks \"%s\"", user, uri, d.msg, text);
	rg_decision_clear(&d);
	rg_request_clear(&req);
}

static void resolve(enum rg_obj_kind kind, const char *ref, size_t min, enum rg_resolve want,
		const char *want_id)
{
	const struct rg_object *obj;
	enum rg_resolve r = rg_owners_resolve(model, kind, ref, min, 0, &obj);

	steps++;
	if (r != want)
		test_fail("resolve %s %s: %d, want %d", rg_obj_kind_name(kind), ref, r, want);
	if (want_id != NULL && (obj == NULL || strcmp(obj->id, want_id) != 0))
		test_fail("resolve %s %s: id %s, want %s", rg_obj_kind_name(kind), ref,
				obj != NULL ? obj->id : "(none)", want_id);
}

static void events_and_resolution(void)
{
	/* alice (ops) runs a container with the host's root mounted */
	answer("alice", "ops", "POST", "/v1.41/containers/create?name=opsbox",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"/:/host\"]}}", 201,
			"{\"Id\":\"" ID_OPS "\",\"Warnings\":[]}", 1);
	/* a failed create (status 0, no body) records nothing; a 2xx without an id is an error */
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=ghost", "{\"Image\":\"x\"}", 0, NULL, 0);
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=ghost", "{\"Image\":\"x\"}", 201,
			"{\"Warnings\":[]}", -1);
	resolve(RG_OBJ_CONTAINER, "ghost", 12, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_CONTAINER, "opsbox", 12, RG_RESOLVED, ID_OPS);
	resolve(RG_OBJ_CONTAINER, "/opsbox", 12, RG_RESOLVED, ID_OPS);
	resolve(RG_OBJ_CONTAINER, ID_OPS, 12, RG_RESOLVED, ID_OPS);
	resolve(RG_OBJ_CONTAINER, "a1b2c3d4e5f6", 12, RG_RESOLVED, ID_OPS);
	/* what the create asked of the host is kept with it (consinside.h) */
	{
		const struct rg_object *obj;

		test_assert(rg_owners_resolve(model, RG_OBJ_CONTAINER, ID_OPS, 0, 0, &obj) == RG_RESOLVED);
		test_str_eq(obj->settings, "/v1.41/containers/create\n{\"HostConfig\":{\"Binds\":[\"/:/host\"]}}");
	}
	resolve(RG_OBJ_CONTAINER, "a1b2c3", 12, RG_SHORT_PREFIX, NULL);
	resolve(RG_OBJ_CONTAINER, "a1b2c3", 0, RG_RESOLVED, ID_OPS);
	resolve(RG_OBJ_CONTAINER, "a1b2c3d4e5f6ff", 12, RG_UNKNOWN, NULL);

	/* bob's two containers share a 12-character prefix: ambiguous there */
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=mine", "{\"Image\":\"busybox\"}", 201,
			"{\"Id\":\"" ID_BOB "\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/containers/create", "{\"Image\":\"busybox\"}", 201,
			"{\"Id\":\"" ID_BOB2 "\"}", 1);
	resolve(RG_OBJ_CONTAINER, "b0b0b0b0b0b0", 12, RG_AMBIGUOUS, NULL);
	resolve(RG_OBJ_CONTAINER, "b0b0b0b0b0b01", 12, RG_RESOLVED, ID_BOB);

	/* a rename moves the name only on 2xx */
	answer("bob", "developer", "POST", "/v1.41/containers/mine/rename?name=renamed", NULL, 0, NULL, 0);
	resolve(RG_OBJ_CONTAINER, "mine", 12, RG_RESOLVED, ID_BOB);
	answer("bob", "developer", "POST", "/v1.41/containers/mine/rename?name=renamed", NULL, 204, NULL, 1);
	resolve(RG_OBJ_CONTAINER, "mine", 12, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_CONTAINER, "renamed", 12, RG_RESOLVED, ID_BOB);

	/* a create under a tracked name takes it from the old record */
	answer("alice", "ops", "POST", "/v1.41/containers/create?name=renamed", "{\"Image\":\"busybox\"}", 201,
			"{\"Id\":\"0000000000000000000000000000000000000000000000000000000000000001\"}", 1);
	resolve(RG_OBJ_CONTAINER, "renamed", 12, RG_RESOLVED,
			"0000000000000000000000000000000000000000000000000000000000000001");
	resolve(RG_OBJ_CONTAINER, ID_BOB, 12, RG_RESOLVED, ID_BOB);
	answer("bob", "developer", "POST", "/v1.41/containers/" ID_BOB "/rename?name=mine", NULL, 204, NULL, 1);

	/*
	 * rename_unknown (red team round 3): bob's "gone" went unseen (docker
	 * run --rm); a container rolegate does not know is renamed to "gone".
	 * The stale record loses the name: bob must not own that container by
	 * it. A failed rename changes nothing; the record keeps its id.
	 */
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=gone", "{\"Image\":\"b\"}", 201,
			"{\"Id\":\"" ZID8 "\"}", 1);
	answer("alice", "ops", "POST", "/v1.41/containers/" ID_UNSEEN "/rename?name=gone", NULL, 0, NULL, 0);
	resolve(RG_OBJ_CONTAINER, "gone", 12, RG_RESOLVED, ZID8);
	answer("alice", "ops", "POST", "/v1.41/containers/" ID_UNSEEN "/rename?name=gone", NULL, 204, NULL, 1);
	resolve(RG_OBJ_CONTAINER, "gone", 12, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_CONTAINER, ZID8, 12, RG_RESOLVED, ZID8);
	/* by a name rolegate does not know, to a free name: nothing to take */
	answer("alice", "ops", "POST", "/v1.41/containers/unseen/rename?name=freename", NULL, 204, NULL, 1);
	resolve(RG_OBJ_CONTAINER, "freename", 12, RG_UNKNOWN, NULL);
	answer("bob", "developer", "DELETE", "/v1.41/containers/" ZID8, NULL, 204, NULL, 1);

	/*
	 * A rename or removal by a short id prefix (red team round 12): dockerd
	 * takes a name first, so alice's `docker rename db db-old` of a
	 * container rolegate does not know renamed dave's, whose id begins with
	 * db, and dave's exec by db-old reached hers. Under 12 characters the
	 * prefix names no record: the rename only takes the name from records
	 * holding it, a removal changes nothing; 12 characters still do.
	 */
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=grind", "{\"Image\":\"b\"}", 201,
			"{\"Id\":\"" ID_DB "\"}", 1);
	answer("alice", "ops", "POST", "/v1.41/containers/db/rename?name=db-old", NULL, 204, NULL, 1);
	resolve(RG_OBJ_CONTAINER, "db-old", 12, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_CONTAINER, "grind", 12, RG_RESOLVED, ID_DB);
	answer("alice", "ops", "DELETE", "/v1.41/containers/db2e", NULL, 204, NULL, 0);
	resolve(RG_OBJ_CONTAINER, "grind", 12, RG_RESOLVED, ID_DB);
	/* an exec by such a prefix is not recorded as in dave's container */
	answer("alice", "ops", "POST", "/v1.41/containers/db/exec", "{\"Cmd\":[\"id\"]}", 201,
			"{\"Id\":\"" ID_EXECDB "\"}", 1);
	{
		const struct rg_object *e;

		test_assert(rg_owners_resolve(model, RG_OBJ_EXEC, ID_EXECDB, 0, 0, &e) == RG_RESOLVED);
		test_str_eq(e->container, "db");
	}
	answer("alice", "ops", "POST", "/v1.41/containers/db2e3caea27c/rename?name=grind2", NULL, 204, NULL, 1);
	resolve(RG_OBJ_CONTAINER, "grind2", 12, RG_RESOLVED, ID_DB);
	answer("bob", "developer", "DELETE", "/v1.41/containers/db2e3caea27c", NULL, 204, NULL, 1);
	resolve(RG_OBJ_CONTAINER, ID_DB, 12, RG_UNKNOWN, NULL);

	/* a create dockerd confirmed that could not be recorded still takes its
	 * name from the old record (plugin/state.c): the name is no longer its */
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=stale", "{\"Image\":\"b\"}", 201,
			"{\"Id\":\"0000000000000000000000000000000000000000000000000000000000000007\"}", 1);
	resolve(RG_OBJ_CONTAINER, "stale", 12, RG_RESOLVED,
			"0000000000000000000000000000000000000000000000000000000000000007");
	rg_owners_forget_name(model, RG_OBJ_CONTAINER, "stale");
	rg_owners_forget_name(model, RG_OBJ_CONTAINER, "nosuchname");
	rg_owners_forget_name(model, RG_OBJ_CONTAINER, "");
	resolve(RG_OBJ_CONTAINER, "stale", 12, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_CONTAINER, "0000000000000000000000000000000000000000000000000000000000000007", 12,
			RG_RESOLVED, "0000000000000000000000000000000000000000000000000000000000000007");
	answer("bob", "developer", "DELETE", "/v1.41/containers/0000000000000000000000000000000000000000000000000000000000000007",
			NULL, 204, NULL, 1);

	/* a 64-hex name is never taken for a name: dockerd reads it as an id first */
	answer("alice", "ops", "POST", "/v1.41/containers/create?name=" ID_TEAM, "{\"Image\":\"b\"}", 201,
			"{\"Id\":\"0000000000000000000000000000000000000000000000000000000000000002\"}", 1);
	resolve(RG_OBJ_CONTAINER, ID_TEAM, 12, RG_UNKNOWN, NULL);

	/* alice execs into opsbox; an exec is found by its full id only */
	answer("alice", "ops", "POST", "/v1.41/containers/opsbox/exec", "{\"Cmd\":[\"sh\"]}", 201,
			"{\"Id\":\"" ID_EXEC "\"}", 1);
	resolve(RG_OBJ_EXEC, ID_EXEC, 12, RG_RESOLVED, ID_EXEC);
	resolve(RG_OBJ_EXEC, "e1e1e1e1e1e1e1", 12, RG_UNKNOWN, NULL);

	/* volumes: by name; one made implicitly by a create is the creator's */
	answer("alice", "ops", "POST", "/v1.41/volumes/create",
			"{\"Name\":\"hostetc\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}",
			201, "{\"Name\":\"hostetc\",\"Driver\":\"local\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}", 1);
	answer("olga", "open", "POST", "/v1.41/containers/create?name=olgabox",
			"{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[\"olgadata:/d\"]}}", 201,
			"{\"Id\":\"0000000000000000000000000000000000000000000000000000000000000003\"}", 2);
	resolve(RG_OBJ_VOLUME, "olgadata", 12, RG_RESOLVED, "olgadata");
	/* --volume-driver: an implicit volume is recorded with the driver it was made with */
	answer("olga", "open", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[\"plugvol:/d\",\"olgadata:/e\"],"
			"\"VolumeDriver\":\"localpersist\"}}", 201,
			"{\"Id\":\"0000000000000000000000000000000000000000000000000000000000000005\"}", 2);
	{
		const struct rg_object *v;

		test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "plugvol", 0, 0, &v) == RG_RESOLVED);
		test_str_eq(v->driver, "localpersist");
		test_str_eq(v->user, "olga");
		test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "olgadata", 0, 0, &v) == RG_RESOLVED);
		test_str_eq(v->driver, "");
	}
	answer("olga", "open", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"mntvol\","
			"\"Target\":\"/m\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\"}}}]}}", 201,
			"{\"Id\":\"0000000000000000000000000000000000000000000000000000000000000006\"}", 2);
	{
		const struct rg_object *v;

		test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "mntvol", 0, 0, &v) == RG_RESOLVED);
		test_str_eq(v->driver, "");
	}
	answer("bob", "developer", "POST", "/v1.41/volumes/create", "{\"Name\":\"bobvol\"}", 201,
			"{\"Name\":\"bobvol\",\"Driver\":\"local\"}", 1);

	/* dockerd answers a create of an existing volume with it: it stays its creator's */
	answer("olga", "open", "POST", "/v1.41/volumes/create", "{\"Name\":\"bobvol\"}", 201,
			"{\"Name\":\"bobvol\",\"Driver\":\"local\"}", 0);
	answer("olga", "open", "POST", "/v1.41/volumes/create", "{\"Name\":\"oldvol\"}", 201,
			"{\"Name\":\"oldvol\",\"Driver\":\"local\",\"CreatedAt\":\"1970-01-01T00:00:10+00:00\"}", 0);
	resolve(RG_OBJ_VOLUME, "oldvol", 12, RG_UNKNOWN, NULL);
	volume_answer("freshvol", 0, "null", "null", "{\"Name\":\"freshvol\"}", 1);
	resolve(RG_OBJ_VOLUME, "freshvol", 12, RG_RESOLVED, "freshvol");
	/*
	 * An unknown volume's CreatedAt is its _data's ctime, which moves when a
	 * file is made at its top: a minute's slack gave dave an operator's
	 * volume written to a minute before (red team round 12). 10 s old is
	 * older than the call; an answer that does not echo the request's labels
	 * or options is of a volume that existed.
	 */
	volume_answer("touchedvol", -10, "null", "null", "{\"Name\":\"touchedvol\"}", 0);
	resolve(RG_OBJ_VOLUME, "touchedvol", 12, RG_UNKNOWN, NULL);
	volume_answer("labelvol", 0, "{\"app\":\"shop\"}", "null",
			"{\"Name\":\"labelvol\",\"Labels\":{\"mine\":\"1\"}}", 0);
	volume_answer("labelvol", 0, "null", "null", "{\"Name\":\"labelvol\",\"Labels\":{\"mine\":\"1\"}}", 0);
	volume_answer("optvol", 0, "null", "{\"type\":\"tmpfs\"}", "{\"Name\":\"optvol\"}", 0);
	resolve(RG_OBJ_VOLUME, "labelvol", 12, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_VOLUME, "optvol", 12, RG_UNKNOWN, NULL);
	/* a new volume's answer echoes them: {} and null are both empty */
	volume_answer("echovol", 0, "{\"mine\":\"1\"}", "{\"type\":\"tmpfs\",\"device\":\"tmpfs\"}",
			"{\"Name\":\"echovol\",\"Labels\":{\"mine\":\"1\"},"
			"\"DriverOpts\":{\"device\":\"tmpfs\",\"type\":\"tmpfs\"}}", 1);
	volume_answer("emptyvol", 0, "{}", "null", "{\"Name\":\"emptyvol\",\"Labels\":null,\"DriverOpts\":{}}", 1);
	resolve(RG_OBJ_VOLUME, "echovol", 12, RG_RESOLVED, "echovol");
	resolve(RG_OBJ_VOLUME, "emptyvol", 12, RG_RESOLVED, "emptyvol");
	/*
	 * A record whose volume went unseen (a prune's answer too large to
	 * read): a create whose answer shows it made the volume takes the
	 * record from another user (red team round 13). An old answer, one that
	 * does not echo the request, or one without CreatedAt keeps it; the
	 * record's own user re-creating it changes nothing.
	 */
	{
		const struct rg_object *obj;

		answer("bob", "developer", "POST", "/v1.41/volumes/create", "{\"Name\":\"pgdata\"}", 201,
				"{\"Name\":\"pgdata\",\"Driver\":\"local\"}", 1);
		volume_answer("pgdata", -10, "null", "null", "{\"Name\":\"pgdata\"}", 0);
		volume_answer("pgdata", 0, "{\"app\":\"x\"}", "null", "{\"Name\":\"pgdata\"}", 0);
		answer("olga", "open", "POST", "/v1.41/volumes/create", "{\"Name\":\"pgdata\"}", 201,
				"{\"Name\":\"pgdata\",\"Driver\":\"local\"}", 0);
		test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "pgdata", 0, 0, &obj) == RG_RESOLVED &&
				strcmp(obj->user, "bob") == 0);
		volume_answer("pgdata", 0, "null", "null", "{\"Name\":\"pgdata\"}", 1);
		test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "pgdata", 0, 0, &obj) == RG_RESOLVED &&
				strcmp(obj->user, "olga") == 0);
		volume_answer("pgdata", 0, "null", "null", "{\"Name\":\"pgdata\"}", 0);
	}

	/* networks: alice's */
	answer("alice", "ops", "POST", "/v1.41/networks/create", "{\"Name\":\"opsnet\"}", 201,
			"{\"Id\":\"" ID_NET "\",\"Warning\":\"\"}", 1);
	resolve(RG_OBJ_NETWORK, "opsnet", 12, RG_RESOLVED, ID_NET);
	resolve(RG_OBJ_NETWORK, "4e74e74e74e7", 12, RG_RESOLVED, ID_NET);

	/* networks: bob's */
	answer("bob", "developer", "POST", "/v1.41/networks/create", "{\"Name\":\"bobnet\"}", 201,
			"{\"Id\":\"" ID_BOBNET "\",\"Warning\":\"\"}", 1);

	/* the team role: erin creates, frank (same role) may act */
	answer("erin", "team", "POST", "/v1.41/containers/create?name=teambox", "{\"Image\":\"b\"}", 201,
			"{\"Id\":\"" ID_TEAM "\"}", 1);
}

/*
 * A network connect adds the network to the container's settings: an
 * operator's container created on the default network and connected to
 * infra later was judged on its create alone, and a role limited to bridge
 * exec'd into it, on infra (red team round 9). dockerd answers every
 * connect with status 0, done or failed.
 */
static void connect_widens(void)
{
	const struct rg_object *obj;
	const char *exec = "{\"Cmd\":[\"id\"]}";

	answer("alice", "ops", "POST", "/v1.41/containers/create?name=web",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"default\"}}", 201,
			"{\"Id\":\"" ID_WEB "\",\"Warnings\":[]}", 1);
	decide("nina", "POST", "/v1.41/containers/web/exec", exec, "allow", NULL);
	answer("alice", "ops", "POST", "/v1.41/networks/infra/connect", "{\"Container\":\"web\"}", 0, NULL, 1);
	decide("nina", "POST", "/v1.41/containers/web/exec", exec, "deny",
			"exec in container web, which was created to do what this role may not: join network infra");
	decide("nina", "POST", "/v1.41/containers/web/start", NULL, "deny", "join network infra");
	/* the record stays alice's, its name and creation time kept */
	test_assert(rg_owners_resolve(model, RG_OBJ_CONTAINER, "web", 0, 0, &obj) == RG_RESOLVED);
	test_str_eq(obj->id, ID_WEB);
	test_str_eq(obj->user, "alice");
	test_assert(obj->created == 1000 + (long long)steps - 4);
	/* EndpointConfig.NetworkID is the network dockerd joins */
	answer("alice", "ops", "POST", "/v1.41/containers/create?name=web2",
			"{\"Image\":\"busybox\"}", 201, "{\"Id\":\"" ID_WEB2 "\",\"Warnings\":[]}", 1);
	answer("alice", "ops", "POST", "/v1.41/networks/bridge/connect",
			"{\"Container\":\"" ID_WEB2 "\",\"EndpointConfig\":{\"NetworkID\":\"infra2\"}}", 0, NULL, 1);
	decide("nina", "POST", "/v1.41/containers/web2/exec", exec, "deny", "join network infra2");
	/* a container rolegate does not know: nothing to write */
	answer("alice", "ops", "POST", "/v1.41/networks/infra/connect", "{\"Container\":\"elsewhere\"}", 0, NULL, 0);
	answer("alice", "ops", "DELETE", "/v1.41/containers/web", NULL, 204, NULL, 1);
	answer("alice", "ops", "DELETE", "/v1.41/containers/web2", NULL, 204, NULL, 1);
}

/*
 * A start through API < 1.24 replaces the container's HostConfig with its
 * body's (read even from a chunked body the plugin never sees): an
 * operator's plain container started with {"Binds":["/:/host"]} was still
 * judged on its create, and a restricted role exec'd into the host's /
 * (red team round 9). Its settings go: refused to restricted roles.
 */
static void legacy_start_drops_settings(void)
{
	const char *exec = "{\"Cmd\":[\"id\"]}";

	answer("alice", "ops", "POST", "/v1.41/containers/create?name=old", "{\"Image\":\"busybox\"}", 201,
			"{\"Id\":\"" ID_WEB "\",\"Warnings\":[]}", 1);
	decide("olga", "POST", "/v1.41/containers/old/exec", exec, "allow", NULL);
	/* a start of today's API changes nothing */
	answer("alice", "ops", "POST", "/v1.24/containers/old/start", NULL, 204, NULL, 0);
	decide("olga", "POST", "/v1.41/containers/old/exec", exec, "allow", NULL);
	/* an old one, done or failed (status 0) */
	answer("alice", "ops", "POST", "/v1.23/containers/old/start", "{\"Binds\":[\"/:/host\"]}", 0, NULL, 1);
	decide("olga", "POST", "/v1.41/containers/old/exec", exec, "deny",
			"exec in container old: rolegate has no record of how it was created");
	decide("alice", "POST", "/v1.41/containers/old/exec", exec, "allow", NULL);
	/* the record is still alice's: a restricted role without owner knows it by name */
	resolve(RG_OBJ_CONTAINER, "old", 0, RG_RESOLVED, ID_WEB);
	answer("alice", "ops", "POST", "/v1.23/containers/old/start", NULL, 204, NULL, 0);
	answer("alice", "ops", "DELETE", "/v1.41/containers/old", NULL, 204, NULL, 1);
	/* the version is the decoded path's first segment: "/v1.23%2F..." is
	 * API 1.23 to dockerd (red team round 14) */
	answer("alice", "ops", "POST", "/v1.41/containers/create?name=old2", "{\"Image\":\"busybox\"}",
			201, "{\"Id\":\"" ID_WEB2 "\",\"Warnings\":[]}", 1);
	answer("alice", "ops", "POST", "/v1.24%2Fcontainers/old2/start", NULL, 204, NULL, 0);
	decide("olga", "POST", "/v1.41/containers/old2/exec", exec, "allow", NULL);
	answer("alice", "ops", "POST", "/v1.23%2Fcontainers/old2/start", "{\"Binds\":[\"/:/host\"]}", 204,
			NULL, 1);
	decide("olga", "POST", "/v1.41/containers/old2/exec", exec, "deny",
			"exec in container old2: rolegate has no record of how it was created");
	answer("alice", "ops", "DELETE", "/v1.41/containers/old2", NULL, 204, NULL, 1);
}

#define ID_U1000 "a0a0a0a0a0a01000100010001000100010001000100010001000100010001000"
#define ID_UROOT "a0a0a0a0a0a00000000000000000000000000000000000000000000000000000"
#define ID_UEXEC "e0e0e0e0e0e01000100010001000100010001000100010001000100010001000"
#define ID_UEXEC2 "e0e0e0e0e0e00000000000000000000000000000000000000000000000000000"

/*
 * An exec that names no user runs as its container's user (dockerd starts
 * it from the container's process), so a container created with `-u 1000`
 * (compose's `user: "1000"`) takes `docker exec web sh` under exec_user
 * (workflows round 11: compose exec without --user was refused as root).
 * A container created without a user runs the image's, unknown: refused.
 */
/* The details.user of an exec in ref with body (details.h), "" for none. */
static const char *exec_detail_user(const char *ref, const char *body)
{
	static char out[64];
	struct rg_request req;
	const char *errstr = NULL;
	char uri[256];
	json_t *d;

	steps++;
	snprintf(uri, sizeof(uri), "/v1.41/containers/%s/exec", ref);
	if (rg_request_init(&req, "uma", "TLS", "POST", uri, (const unsigned char *)body, strlen(body),
			1 << 20, &errstr) < 0)
		test_fail("%s: %s", uri, errstr);
	req.owners = model;
	d = rg_details_of(&req);
	snprintf(out, sizeof(out), "%s", d != NULL && json_string_value(json_object_get(d, "user")) != NULL ?
			json_string_value(json_object_get(d, "user")) : "");
	json_decref(d);
	rg_request_clear(&req);
	return out;
}

static void exec_default_user(void)
{
	const char *exec = "{\"Cmd\":[\"id\"]}";

	answer("uma", "userdev", "POST", "/v1.41/containers/create?name=app1000",
			"{\"Image\":\"b\",\"User\":\"1000\"}", 201, "{\"Id\":\"" ID_U1000 "\"}", 1);
	answer("uma", "userdev", "POST", "/v1.41/containers/create?name=approot",
			"{\"Image\":\"b\",\"user\":\"0:0\"}", 201, "{\"Id\":\"" ID_UROOT "\"}", 1);
	decide("uma", "POST", "/v1.41/containers/app1000/exec", exec, "allow", NULL);
	decide("uma", "POST", "/v1.41/containers/" ID_U1000 "/exec", exec, "allow", NULL);
	decide("uma", "POST", "/v1.41/containers/approot/exec", exec, "deny", "uma (roles: userdev) may not exec as root");
	decide("uma", "POST", "/v1.41/containers/app1000/exec", "{\"User\":\"0\"}", "deny", "exec as root");
	/* the record's details say the user dockerd runs it as */
	test_str_eq(exec_detail_user("app1000", exec), "1000");
	test_str_eq(exec_detail_user("app1000", "{\"User\":\"0\"}"), "0");
	test_str_eq(exec_detail_user("approot", exec), "0:0");
	test_str_eq(exec_detail_user("a0a0a0a0a0a", exec), "");
	test_str_eq(exec_detail_user("unknown", exec), "");
	/* the exec's record keeps the user it runs as: its start is judged with it */
	answer("uma", "userdev", "POST", "/v1.41/containers/app1000/exec", exec, 201,
			"{\"Id\":\"" ID_UEXEC "\"}", 1);
	decide("uma", "POST", "/v1.41/exec/" ID_UEXEC "/start", "{}", "allow", NULL);
	answer("uma", "userdev", "POST", "/v1.41/containers/approot/exec", exec, 201,
			"{\"Id\":\"" ID_UEXEC2 "\"}", 1);
	decide("uma", "POST", "/v1.41/exec/" ID_UEXEC2 "/start", "{}", "deny", "exec as root");
	/* without owner: by the full id, the name or a 12+ prefix; a shorter one
	 * could be the exact name of a container rolegate does not know */
	decide("uli", "POST", "/v1.41/containers/app1000/exec", exec, "allow", NULL);
	decide("uli", "POST", "/v1.41/containers/a0a0a0a0a0a010/exec", exec, "allow", NULL);
	decide("uli", "POST", "/v1.41/containers/a0a0a0a0a0a/exec", exec, "deny",
			"exec as root (no user given: the image's default user)");
	decide("uli", "POST", "/v1.41/containers/unknown/exec", exec, "deny", "no user given");
	answer("uma", "userdev", "DELETE", "/v1.41/containers/app1000", NULL, 204, NULL, 1);
	answer("uma", "userdev", "DELETE", "/v1.41/containers/approot", NULL, 204, NULL, 1);
	decide("uli", "POST", "/v1.41/containers/app1000/exec", exec, "deny", "no user given");
}

static void decisions(void)
{
	char body[1024];

	/* the round-1 hole: bob acting on alice's -v /:/host container */
	decide("bob", "POST", "/v1.41/containers/opsbox/exec", "{\"User\":\"1000\",\"Cmd\":[\"sh\"]}", "deny",
			"bob (roles: developer) may not exec in container opsbox: not created by bob");
	decide("bob", "GET", "/v1.41/containers/opsbox/logs", NULL, "deny", "read the logs of container opsbox");
	decide("bob", "GET", "/v1.41/containers/opsbox/archive?path=/host/etc/shadow", NULL, "deny",
			"copy files out of container opsbox");
	decide("bob", "PUT", "/v1.41/containers/opsbox/archive?path=/", "", "deny", "copy files into");
	decide("bob", "POST", "/v1.41/containers/opsbox/attach?stream=1", NULL, "deny", "attach to container");
	decide("bob", "POST", "/v1.41/containers/opsbox/stop", NULL, "deny", "stop container opsbox");
	decide("bob", "DELETE", "/v1.41/containers/opsbox", NULL, "deny", "remove container opsbox");
	decide("bob", "POST", "/v1.41/containers/a1b2c3d4e5f6/start", NULL, "deny", "not created by bob");
	decide("bob", "POST", "/v1.41/containers/a1b2/start", NULL, "deny", "shorter than 12");
	decide("bob", "POST", "/v1.41/containers/b0b0b0b0b0b0/stop", NULL, "deny", "more than one object");
	decide("bob", "POST", "/v1.41/exec/" ID_EXEC "/start", "{}", "deny", "not created by bob");
	decide("bob", "GET", "/v1.41/exec/" ID_EXEC "/json", NULL, "deny", "not created by bob");
	decide("bob", "POST", "/v1.41/commit?container=opsbox&repo=x", NULL, "deny", "commit container opsbox");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"NetworkMode\":\"container:opsbox\"}}", "deny",
			"share the network namespace of container opsbox");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"PidMode\":\"container:opsbox\"}}", "deny", "PID namespace");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Links\":[\"opsbox:db\"]}}", "deny", "link to container opsbox");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"NetworkMode\":\"opsnet\"}}", "deny", "join network opsnet");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"opsnet\":{}}}}", "deny", "join network");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"NetworkMode\":\"bridge\"}}", "allow", NULL);
	decide("bob", "GET", "/v1.41/networks/bridge", NULL, "allow", NULL);
	/* the predefined networks are nobody's: usable under owner, by name, with one's own container */
	decide("bob", "POST", "/v1.41/networks/bridge/connect", "{\"Container\":\"mine\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/none/connect", "{\"Container\":\"mine\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/bridge/disconnect", "{\"Container\":\"mine\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/bridge/connect", "{\"Container\":\"opsbox\"}", "deny",
			"connect container opsbox: not created by bob");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"NetworkMode\":\"none\"},"
			"\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{}}}}", "allow", NULL);
	decide("bob", "GET", "/v1.41/networks/opsnet", NULL, "deny", "not created by bob");
	/* the message reads as a sentence: "bob (roles: developer) may not use container.prune: ..." */
	decide("bob", "POST", "/v1.41/containers/prune", NULL, "deny",
			"bob (roles: developer) may not use container.prune: prune acts on every user's objects");
	decide("bob", "POST", "/v1.41/volumes/prune", NULL, "deny", "may not use volume.prune: prune");
	/* every prune, images and build cache included: each acts on everyone's */
	decide("bob", "POST", "/v1.41/networks/prune", NULL, "deny", "network.prune: prune acts on every user's objects");
	decide("bob", "POST", "/v1.41/images/prune", NULL, "deny", "image.prune: prune acts on every user's objects (owner = \"self\")");
	decide("bob", "POST", "/v1.41/build/prune", NULL, "deny", "image.build.prune: prune acts on every user's objects");
	/* leaving the swarm (a manager takes its services along) or removing a node */
	decide("bob", "POST", "/v1.41/swarm/leave?force=1", NULL, "deny", "may not use swarm.leave: it acts on every user's objects");
	decide("bob", "DELETE", "/v1.41/nodes/n1?force=1", NULL, "deny", "node.remove: it acts on every user's objects");
	decide("alice", "POST", "/v1.41/swarm/leave?force=1", NULL, "allow", NULL);
	decide("frank", "POST", "/v1.41/containers/prune", NULL, "deny", "(owner = \"role\")");
	decide("olga", "POST", "/v1.41/images/prune", NULL, "allow", NULL);

	/* volumes: unknown ones must be created first; others' are refused */
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[\"newvol:/d\"]}}", "deny", "docker volume create");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"olgadata\",\"Target\":\"/d\"}]}}",
			"deny", "use volume olgadata: not created by bob");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[\"bobvol:/d\"]}}", "allow", NULL);
	decide("bob", "GET", "/v1.41/volumes/olgadata", NULL, "deny", "not created by bob");
	decide("bob", "POST", "/v1.41/volumes/create", "{\"Name\":\"olgadata\"}", "deny",
			"create volume olgadata: not created by bob");
	decide("bob", "POST", "/v1.41/volumes/create", "{\"Name\":\"bobvol\"}", "allow", NULL);
	/* 64 hex digits: another container's anonymous volume (red team round 12) */
	decide("bob", "POST", "/v1.41/volumes/create",
			"{\"Name\":\"b96c95799c1be21bae4a306da4d5c7b9d5b63b88984528df2950756088d50f26\"}", "deny",
			"may not create volume b96c95799c1be21bae4a306da4d5c7b9d5b63b88984528df2950756088d50f26: "
			"a name of 64 hex digits is how dockerd names another container's anonymous volume");
	decide("bob", "POST", "/v1.41/volumes/create",
			"{\"Name\":\"b96c95799c1be21bae4a306da4d5c7b9d5b63b88984528df2950756088d50f2\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/volumes/create", "{}", "allow", NULL);
	decide("bob", "DELETE", "/v1.41/volumes/bobvol", NULL, "allow", NULL);

	/* a volume known to be a host mount is judged by its paths, whoever created it */
	decide("olga", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[\"hostetc:/e\"]}}", "deny", "volume hostetc");
	decide("alice", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[\"hostetc:/e\"]}}", "allow", NULL);

	/* bob's own: by name, by a 12+ prefix, by full id, after the rename */
	decide("bob", "POST", "/v1.41/containers/mine/start", NULL, "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/b0b0b0b0b0b01/stop", NULL, "deny",
			"stop container b0b0b0b0b0b01: an id prefix could also be the name of an object "
			"rolegate does not know; use the name or the full id");
	decide("bob", "POST", "/v1.41/containers/" ID_BOB "/exec", "{\"User\":\"1000\"}", "allow", NULL);
	decide("dave", "POST", "/v1.41/containers/mine/stop", NULL, "deny", "not created by dave");
	/* workflows round 14: `docker stats` without names asks by the 12-digit
	 * id; stats carry nothing in, so a 12+ prefix of one's own stands there
	 * (only there: top, logs, stop by prefix stay refused) */
	decide("bob", "GET", "/v1.41/containers/b0b0b0b0b0b0/stats?stream=0", NULL, "deny",
			"matches more than one object");
	decide("bob", "GET", "/v1.41/containers/b0b0b0b0b0b01/stats?stream=0", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/containers/b0b0b0b0b0b0111/stats", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/containers/b0b0b0b0b0b01/top", NULL, "deny", "an id prefix could also");
	decide("bob", "GET", "/v1.41/containers/b0b0b0b0b0b01/logs", NULL, "deny", "an id prefix could also");
	decide("bob", "GET", "/v1.41/containers/b0b0b0/stats?stream=0", NULL, "deny",
			"prefix shorter than 12 characters");
	decide("dave", "GET", "/v1.41/containers/b0b0b0b0b0b01/stats?stream=0", NULL, "deny", "not created by dave");
	decide("bob", "GET", "/v1.41/containers/a1b2c3d4e5f6/stats?stream=0", NULL, "deny", "not created by bob");

	/*
	 * Red team round 3. Hex-only references under owner: only the exact
	 * name or full id of one's own object (a prefix could be the name of
	 * another's object rolegate does not know, which dockerd picks first).
	 */
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=cafe0123beef", "{\"Image\":\"b\"}",
			201, "{\"Id\":\"" ID_BOBHEX "\"}", 1);
	decide("bob", "POST", "/v1.41/containers/cafe0123beef/start", NULL, "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/" ID_BOBHEX "/start", NULL, "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/cafe0123beef0000/stop", NULL, "deny", "use the name or the full id");
	decide("bob", "POST", "/v1.41/containers/cafe0123beef0000/exec", "{\"User\":\"1000\"}", "deny",
			"exec in container cafe0123beef0000: an id prefix");
	/*
	 * Red team round 11: a hex name takes the commands other users send
	 * by an id prefix (dockerd tries names first). cafe0123beef above was
	 * named before the rule (or by a role without owner); new names of
	 * 12 hex digits or more are refused, shorter ones that begin another
	 * user's id too.
	 */
	decide("bob", "POST", "/v1.41/containers/create?name=a1b2c3d4e5f6", "{\"Image\":\"b\"}", "deny",
			"name a container a1b2c3d4e5f6: a name of 12 or more hex digits");
	decide("bob", "POST", "/v1.41/containers/create?name=/a1b2c3d4e5f6", "{\"Image\":\"b\"}", "deny",
			"a name of 12 or more hex digits");
	decide("bob", "POST", "/v1.41/containers/create?name=0123456789abcdef0123", "{\"Image\":\"b\"}",
			"deny", "a name of 12 or more hex digits");
	decide("bob", "POST", "/v1.41/containers/create?name=a1b2c3", "{\"Image\":\"b\"}", "deny",
			"name a container a1b2c3: it begins the id of container a1b2c3d4e5f6, which is not the caller's");
	decide("bob", "POST", "/v1.41/containers/create?name=db&name=a1b2c3d4e5f6", "{\"Image\":\"b\"}",
			"allow", NULL);
	decide("bob", "POST", "/v1.41/containers/create?name=cafe", "{\"Image\":\"b\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/create?name=a1b", "{\"Image\":\"b\"}", "deny",
			"it begins the id of container a1b2c3d4e5f6");
	decide("bob", "POST", "/v1.41/containers/create?name=a1", "{\"Image\":\"b\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/create?name=A1B2C3D4E5F6", "{\"Image\":\"b\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/mine/rename?name=a1b2c3d4e5f6", NULL, "deny",
			"rename a container to a1b2c3d4e5f6: a name of 12 or more hex digits");
	decide("bob", "POST", "/v1.41/containers/mine/rename?name=a1b2", NULL, "deny",
			"it begins the id of container a1b2c3d4e5f6");
	decide("bob", "POST", "/v1.41/containers/mine/rename?name=mine2", NULL, "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"abcabcabcabc\"}", "deny",
			"create network abcabcabcabc: a name of 12 or more hex digits");
	decide("olga", "POST", "/v1.41/containers/create?name=a1b2c3d4e5f6", "{\"Image\":\"b\"}", "allow",
			NULL);
	decide("alice", "POST", "/v1.41/containers/mine/rename?name=a1b2c3d4e5f6", NULL, "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/d00d0123456789/stop", NULL, "deny", "not created by bob");
	/* a reference rolegate has no record of may be a typo: the refusal says so;
	 * another's object it knows is only "not created by" */
	/* a hex-only name that does not exist ("db", "a1"): no record, and too short for a prefix */
	decide("bob", "DELETE", "/v1.41/containers/db?force=1", NULL, "deny",
			"bob (roles: developer) may not remove container db: rolegate has no record of that name, "
			"and an id prefix shorter than 12 characters could be another object's name; use the name "
			"or a longer id");
	decide("bob", "DELETE", "/v1.41/containers/nosuch?force=1", NULL, "deny",
			"bob (roles: developer) may not remove container nosuch: not created by bob (rolegate has "
			"no record of it: it does not exist, or was made without rolegate)");
	decide("frank", "POST", "/v1.41/containers/nosuch/stop", NULL, "deny",
			"stop container nosuch: not created by role team (rolegate has no record of it");
	decide("bob", "POST", "/v1.41/containers/opsbox/stop", NULL, "deny", "stop container opsbox: not created by bob");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"NetworkMode\":\"b0b4e7b0b4e7\"}}", "deny",
			"join network b0b4e7b0b4e7: an id prefix");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"HostConfig\":{\"NetworkMode\":\"" ID_BOBNET "\"}}", "allow", NULL);
	decide("bob", "GET", "/v1.41/networks/bobnet", NULL, "allow", NULL);
	/* roles without owner are not concerned */
	decide("olga", "POST", "/v1.41/containers/d00d0123456789/stop", NULL, "allow", NULL);

	/* NetworkingConfig.EndpointsConfig[].Links name containers as HostConfig.Links does */
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bobnet\":"
			"{\"Links\":[\"opsbox:db\"]}}}}", "deny", "link to container opsbox: not created by bob");
	decide("bob", "POST", "/v1.41/containers/create",
			"{\"Image\":\"b\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bobnet\":"
			"{\"Links\":[\"mine:db\"]}}}}", "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/bobnet/connect",
			"{\"Container\":\"mine\",\"EndpointConfig\":{\"Links\":[\"opsbox:db\"]}}", "deny",
			"link to container opsbox: not created by bob");
	decide("bob", "POST", "/v1.41/networks/bobnet/connect",
			"{\"Container\":\"mine\",\"EndpointConfig\":{\"Links\":[\"mine:db\"]}}", "allow", NULL);

	/* network create under another user's network name */
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"opsnet\"}", "deny",
			"create network opsnet: not created by bob");
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"bobnet\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"newnet\"}", "allow", NULL);
	decide("alice", "POST", "/v1.41/networks/create", "{\"Name\":\"bobnet\"}", "allow", NULL);

	/* a service's task is a container swarmkit makes unseen: its volumes and networks */
#define SVC(mounts, nets) "{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"," \
		"\"Mounts\":[" mounts "]}" nets "}}"
#define VOLMOUNT(v) "{\"Type\":\"volume\",\"Source\":\"" v "\",\"Target\":\"/d\"}"
	decide("bob", "POST", "/v1.41/services/create", SVC(VOLMOUNT("hostetc"), ""), "deny",
			"use volume hostetc: not created by bob");
	decide("bob", "POST", "/v1.41/services/abc/update?version=3", SVC(VOLMOUNT("bobvol"), ""), "deny",
			"update service abc: not created by bob");
	answer("bob", "developer", "POST", "/v1.41/services/create", SVC(VOLMOUNT("bobvol"), ""), 201,
			"{\"ID\":\"bobsvc0000000000000000001\"}", 1);
	decide("bob", "POST", "/v1.41/services/bobsvc0000000000000000001/update?version=3",
			SVC(VOLMOUNT("olgadata"), ""), "deny", "use volume olgadata: not created by bob");
	decide("bob", "POST", "/v1.41/services/s/update?version=3", SVC(VOLMOUNT("bobvol"), ""), "allow", NULL);

	/*
	 * Services are owned like containers, but found by full id or exact
	 * name only (swarm ids are not hex, and a prefix could be anyone's);
	 * tasks are refused under owner: rolegate cannot tell whose they are.
	 */
	answer("alice", "ops", "POST", "/v1.41/services/create", "{\"Name\":\"opssvc\"}", 201,
			"{\"ID\":\"opssvc0000000000000000001\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/services/create", "{\"Name\":\"failed\"}", 0, NULL, 0);
	resolve(RG_OBJ_SERVICE, "opssvc", 0, RG_RESOLVED, "opssvc0000000000000000001");
	resolve(RG_OBJ_SERVICE, "opssvc00000", 0, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_SERVICE, "failed", 0, RG_UNKNOWN, NULL);
	decide("bob", "POST", "/v1.41/services/opssvc/update?version=1", "{\"Name\":\"opssvc\"}", "deny",
			"update service opssvc: not created by bob");
	decide("bob", "DELETE", "/v1.41/services/opssvc0000000000000000001", NULL, "deny",
			"remove service opssvc0000000000000000001: not created by bob");
	decide("bob", "GET", "/v1.41/services/opssvc/logs?stdout=1", NULL, "deny", "not created by bob");
	decide("bob", "GET", "/v1.41/services/opssvc", NULL, "deny", "not created by bob");
	decide("bob", "GET", "/v1.41/services/bobsvc000000", NULL, "deny", "not created by bob");
	decide("bob", "GET", "/v1.41/services/unseen", NULL, "deny", "not created by bob");
	decide("bob", "GET", "/v1.41/services/s", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/services/bobsvc0000000000000000001/logs?stdout=1", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/services", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/tasks", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/tasks/abcdef", NULL, "deny", "read it through the service");
	decide("bob", "GET", "/v1.41/tasks/abcdef/logs", NULL, "deny", "read it through the service");
	decide("alice", "GET", "/v1.41/tasks/abcdef/logs", NULL, "allow", NULL);
	decide("alice", "DELETE", "/v1.41/services/s", NULL, "allow", NULL);
	/* a name of bob's shaped like a swarm id: dockerd would try it as an id first */
	answer("bob", "developer", "POST", "/v1.41/services/create", "{\"Name\":\"zzzzzzzzzzzzzzzzzzzzzzzz9\"}",
			201, "{\"ID\":\"bobsvc0000000000000000002\"}", 1);
	decide("bob", "DELETE", "/v1.41/services/zzzzzzzzzzzzzzzzzzzzzzzz9", NULL, "deny", "use the full id");
	decide("bob", "DELETE", "/v1.41/services/bobsvc0000000000000000002", NULL, "allow", NULL);
	/* dockerd's service removal sets no status: its AuthZRes says 0, success or not */
	answer("bob", "developer", "DELETE", "/v1.41/services/bobsvc0000000000000000002", NULL, 0, NULL, 1);
	resolve(RG_OBJ_SERVICE, "zzzzzzzzzzzzzzzzzzzzzzzz9", 0, RG_UNKNOWN, NULL);
	decide("bob", "POST", "/v1.41/services/create", SVC(VOLMOUNT("svcnew"), ""), "deny",
			"docker volume create");
	decide("bob", "POST", "/v1.41/services/create", SVC(VOLMOUNT("bobvol"), ""), "allow", NULL);
	decide("olga", "POST", "/v1.41/services/create", SVC(VOLMOUNT("hostetc"), ""), "deny",
			"mount volume hostetc, which");
	decide("alice", "POST", "/v1.41/services/create", SVC(VOLMOUNT("hostetc"), ""), "allow", NULL);
	decide("bob", "POST", "/v1.41/services/create", SVC("", ",\"Networks\":[{\"Target\":\"opsnet\"}]"),
			"deny", "attach a service to network opsnet: not created by bob");
	decide("bob", "POST", "/v1.41/services/create", SVC("", ",\"Networks\":[{\"Target\":\"bobnet\"}]"),
			"allow", NULL);
	decide("bob", "POST", "/v1.41/services/create",
			"{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},"
			"\"Networks\":[{\"Target\":\"opsnet\"}]}", "deny", "attach a service to network opsnet");
	/*
	 * Secrets and configs are their creator's (red team round 11): a
	 * service hands its tasks the data of the secrets its ContainerSpec
	 * names by id, so a role with owner read another user's secret
	 * through a service of its own.
	 */
#define SECSVC(field, ref) "{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"," \
		"\"" field "\":[" ref "]}}}"
	answer("alice", "ops", "POST", "/v1.41/secrets/create", "{\"Name\":\"opssecret\",\"Data\":\"eA==\"}",
			201, "{\"ID\":\"opssec0000000000000000001\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/secrets/create", "{\"Name\":\"bobsecret\",\"Data\":\"eA==\"}",
			201, "{\"ID\":\"bobsec0000000000000000001\"}", 1);
	answer("alice", "ops", "POST", "/v1.41/configs/create", "{\"Name\":\"opsconf\",\"Data\":\"eA==\"}",
			201, "{\"ID\":\"opscfg0000000000000000001\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/configs/create", "{\"Name\":\"bobconf\",\"Data\":\"eA==\"}",
			201, "{\"ID\":\"bobcfg0000000000000000001\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/secrets/create", "{\"Name\":\"failed\"}", 0, NULL, 0);
	resolve(RG_OBJ_SECRET, "opssecret", 0, RG_RESOLVED, "opssec0000000000000000001");
	resolve(RG_OBJ_CONFIG, "bobconf", 0, RG_RESOLVED, "bobcfg0000000000000000001");
	resolve(RG_OBJ_SECRET, "opssec00000", 0, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_SECRET, "bobconf", 0, RG_UNKNOWN, NULL);
	decide("bob", "POST", "/v1.41/services/create",
			SECSVC("Secrets", "{\"SecretID\":\"opssec0000000000000000001\",\"SecretName\":\"opssecret\"}"),
			"deny", "give a service the secret opssec0000000000000000001: not created by bob");
	decide("bob", "POST", "/v1.41/services/bobsvc0000000000000000001/update?version=4",
			SECSVC("Configs", "{\"ConfigID\":\"opscfg0000000000000000001\",\"ConfigName\":\"opsconf\"}"),
			"deny", "give a service the config opscfg0000000000000000001: not created by bob");
	decide("bob", "POST", "/v1.41/services/create", SECSVC("Secrets", "{\"SecretName\":\"bobsecret\"}"),
			"deny", "a reference in ContainerSpec.Secrets has no SecretID");
	decide("bob", "POST", "/v1.41/services/create", SECSVC("Secrets", "{\"SecretID\":\"unseen0000000000000000001\"}"),
			"deny", "not created by bob");
	decide("bob", "POST", "/v1.41/services/create",
			SECSVC("Secrets", "{\"SecretID\":\"bobsec0000000000000000001\",\"SecretName\":\"bobsecret\"}"),
			"allow", NULL);
	decide("bob", "POST", "/v1.41/services/create",
			SECSVC("Configs", "{\"ConfigID\":\"bobcfg0000000000000000001\",\"ConfigName\":\"bobconf\"}"),
			"allow", NULL);
	decide("olga", "POST", "/v1.41/services/create",
			SECSVC("Secrets", "{\"SecretID\":\"opssec0000000000000000001\",\"SecretName\":\"opssecret\"}"),
			"allow", NULL);
	decide("alice", "POST", "/v1.41/services/create",
			SECSVC("Secrets", "{\"SecretID\":\"bobsec0000000000000000001\",\"SecretName\":\"bobsecret\"}"),
			"allow", NULL);
	decide("bob", "POST", "/v1.41/services/create",
			"{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\","
			"\"Privileges\":{\"CredentialSpec\":{\"Config\":\"opscfg0000000000000000001\"}}}}}", "deny",
			"give a service the credential spec config opscfg0000000000000000001: not created by bob");
	/* a service name that begins another's service id takes their commands by short id */
	decide("bob", "POST", "/v1.41/services/create", "{\"Name\":\"opssvc000000\"}", "deny",
			"name a service opssvc000000: it begins the id of service opssvc000000, which is not the caller's");
	decide("bob", "POST", "/v1.41/services/create", "{\"Name\":\"ops\"}", "deny",
			"it begins the id of service");
	decide("bob", "POST", "/v1.41/services/create", "{\"Name\":\"bobsvc000000\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/services/create", "{\"Name\":\"web\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/services/create", "{\"Name\":\"opssvc0000000000000000001\"}", "allow",
			NULL);
	decide("alice", "POST", "/v1.41/services/create", "{\"Name\":\"bobsvc000000\"}", "allow", NULL);
	decide("bob", "GET", "/v1.41/secrets/opssecret", NULL, "deny", "inspect secret opssecret: not created by bob");
	decide("bob", "GET", "/v1.41/configs/opsconf", NULL, "deny", "inspect config opsconf: not created by bob");
	decide("bob", "DELETE", "/v1.41/secrets/opssec0000000000000000001", NULL, "deny", "not created by bob");
	decide("bob", "POST", "/v1.41/configs/opsconf/update?version=2", "{}", "deny", "not created by bob");
	decide("bob", "GET", "/v1.41/secrets/opssec", NULL, "deny", "not created by bob");
	decide("bob", "GET", "/v1.41/secrets/bobsecret", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/configs/bobcfg0000000000000000001", NULL, "allow", NULL);
	decide("bob", "GET", "/v1.41/secrets", NULL, "allow", NULL);
	decide("alice", "DELETE", "/v1.41/secrets/bobsecret", NULL, "allow", NULL);
	answer("bob", "developer", "DELETE", "/v1.41/secrets/bobsecret", NULL, 204, NULL, 1);
	answer("bob", "developer", "DELETE", "/v1.41/configs/bobconf", NULL, 204, NULL, 1);
	resolve(RG_OBJ_SECRET, "bobsecret", 0, RG_UNKNOWN, NULL);
	resolve(RG_OBJ_CONFIG, "bobcfg0000000000000000001", 0, RG_UNKNOWN, NULL);
#undef SECSVC
#undef SVC
#undef VOLMOUNT
	/* roles without owner act on anything (ops), or on untracked objects */
	decide("alice", "POST", "/v1.41/containers/mine/stop", NULL, "allow", NULL);
	decide("alice", "POST", "/v1.41/containers/whatever/stop", NULL, "allow", NULL);
	decide("olga", "POST", "/v1.41/containers/whatever/stop", NULL, "allow", NULL);
	decide("bob", "POST", "/v1.41/containers/whatever/stop", NULL, "deny", "not created by bob");

	/* a request that names an object by its path keeps its record in use,
	 * whatever the role (records expire after 30 days unused) */
	{
		const struct rg_object *c;

		test_assert(rg_owners_resolve(model, RG_OBJ_CONTAINER, "olgabox", 0, 0, &c) == RG_RESOLVED);
		test_assert(c->used < 5000);
		decide("alice", "GET", "/v1.41/containers/olgabox/json", NULL, "allow", NULL);
		test_assert(c->used == 5000);
		test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "freshvol", 0, 0, &c) == RG_RESOLVED);
		test_assert(c->used < 5000);
		decide("alice", "GET", "/v1.41/volumes/freshvol", NULL, "allow", NULL);
		test_assert(c->used == 5000);
	}

	/* owner = "role" */
	decide("frank", "POST", "/v1.41/containers/teambox/stop", NULL, "allow", NULL);
	decide("frank", "POST", "/v1.41/containers/opsbox/stop", NULL, "deny", "not created by role team");

	/* start re-checks the host paths a container recorded, as they resolve now */
	snprintf(body, sizeof(body), "{\"Image\":\"b\",\"HostConfig\":{\"Binds\":[\"%s/projects/app:/app\"]}}", dir);
	decide("olga", "POST", "/v1.41/containers/create?name=appbox", body, "allow", NULL);
	answer("olga", "open", "POST", "/v1.41/containers/create?name=appbox", body, 201,
			"{\"Id\":\"0000000000000000000000000000000000000000000000000000000000000004\"}", 1);
	decide("olga", "POST", "/v1.41/containers/appbox/start", NULL, "allow", NULL);
	decide("olga", "POST", "/v1.41/containers/opsbox/start", NULL, "deny", "mounts host path /");
	fakefs_add(&host, S_IFLNK, "/", "%s/projects/app", dir);   /* replaces the directory */
	decide("olga", "POST", "/v1.41/containers/appbox/start", NULL, "deny", "which resolves to /");
	decide("olga", "POST", "/v1.41/containers/appbox/restart", NULL, "deny", "resolves to /");

	/* removal and prune clear records; a failed removal does not */
	answer("alice", "ops", "DELETE", "/v1.41/containers/opsbox", NULL, 0, NULL, 0);
	resolve(RG_OBJ_CONTAINER, "opsbox", 12, RG_RESOLVED, ID_OPS);
	answer("alice", "ops", "DELETE", "/v1.41/containers/opsbox", NULL, 204, NULL, 1);
	resolve(RG_OBJ_CONTAINER, "opsbox", 12, RG_UNKNOWN, NULL);
	answer("alice", "ops", "POST", "/v1.41/containers/prune", NULL, 200,
			"{\"ContainersDeleted\":[\"" ID_TEAM "\"],\"SpaceReclaimed\":0}", 1);
	resolve(RG_OBJ_CONTAINER, "teambox", 12, RG_UNKNOWN, NULL);
	answer("alice", "ops", "DELETE", "/v1.41/volumes/olgadata", NULL, 204, NULL, 1);
	resolve(RG_OBJ_VOLUME, "olgadata", 12, RG_UNKNOWN, NULL);
}

struct text {
	char *buf;
	size_t len;
};

/* A snapshot's lines appended to a string (rg_statefile_sink). */
/*
 * Red team round 13. Lists whose answers carry what an inspect refuses
 * under `owner` (a config's data, a service's or task's spec) are judged at
 * their AuthZRes: allowed when every object listed is the caller's. And a
 * network may not be named after the id of another user's swarm network
 * (25 characters of [0-9a-z], not hex).
 */
static void round13(void)
{
	answer("alice", "ops", "POST", "/v1.41/configs/create", "{\"Name\":\"aconfig\",\"Data\":\"eA==\"}",
			201, "{\"ID\":\"acfg13000000000000000000a\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/configs/create", "{\"Name\":\"bconfig\",\"Data\":\"eA==\"}",
			201, "{\"ID\":\"bcfg13000000000000000000b\"}", 1);
	answer("alice", "ops", "POST", "/v1.41/services/create", "{\"Name\":\"asvc13\"}", 201,
			"{\"ID\":\"asvc13000000000000000000a\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/services/create", "{\"Name\":\"bsvc13\"}", 201,
			"{\"ID\":\"bsvc13000000000000000000b\"}", 1);
	/* the lists are allowed at the request: only the answer shows what is in them */
	decide("bob", "GET", "/v1.41/configs", NULL, "allow", NULL);
	decide_answer("bob", "/v1.41/configs", 200,
			"[{\"ID\":\"acfg13000000000000000000a\",\"Spec\":{\"Name\":\"aconfig\",\"Data\":\"eA==\"}},"
			"{\"ID\":\"bcfg13000000000000000000b\",\"Spec\":{\"Name\":\"bconfig\"}}]",
			"deny", "bob (roles: developer) may not list configs: the answer shows config aconfig, "
			"not created by bob; list only yours (docker config ls --filter name=NAME)");
	decide_answer("bob", "/v1.41/configs?filters=%7B%22name%22%3A%7B%22bconfig%22%3Atrue%7D%7D", 200,
			"[{\"ID\":\"bcfg13000000000000000000b\",\"Spec\":{\"Name\":\"bconfig\"}}]", "allow", NULL);
	decide_answer("bob", "/v1.41/configs", 200, "[]", "allow", NULL);
	/* one rolegate does not know, or with no id: not the caller's */
	decide_answer("bob", "/v1.41/configs", 200, "[{\"ID\":\"zzzz13000000000000000000z\"}]", "deny",
			"the answer shows config zzzz13000000000000000000z, not created by bob");
	decide_answer("bob", "/v1.41/configs", 200, "[{\"Spec\":{}}]", "deny", "not created by bob");
	/* an id given by the name of bob's record is no id of his */
	decide_answer("bob", "/v1.41/configs", 200, "[{\"ID\":\"bconfig\"}]", "deny", "not created by bob");
	/* an answer rolegate could not parse, or not a list */
	decide_answer("bob", "/v1.41/configs", 200, NULL, "deny", "the answer is not shown to rolegate");
	decide_answer("bob", "/v1.41/configs", 200, "{}", "deny", "the answer is not shown to rolegate");
	/*
	 * An answer over 64 KiB is sent before the AuthZRes, which shows status
	 * 0 and no body, as for a failure (frank padded his own configs past 64
	 * KiB): refused; after a failure dockerd sends its error all the same.
	 */
	decide_answer("bob", "/v1.41/configs", 0, NULL, "deny",
			"list configs: the answer is not shown to rolegate (over 64 KiB, which dockerd sends "
			"before asking), so it could show other users' configs");
	decide_answer("bob", "/v1.41/tasks", 0, NULL, "deny", "list only yours (docker service ps SERVICE)");
	decide_answer("alice", "/v1.41/configs", 200, "[{\"ID\":\"bcfg13000000000000000000b\"}]", "allow", NULL);
	decide_answer("bob", "/v1.41/services", 200,
			"[{\"ID\":\"asvc13000000000000000000a\",\"Spec\":{\"Name\":\"asvc13\"}}]",
			"deny", "list services: the answer shows service asvc13, not created by bob");
	decide_answer("bob", "/v1.41/services", 200, "[{\"ID\":\"bsvc13000000000000000000b\"}]", "allow", NULL);
	decide_answer("bob", "/v1.41/tasks", 200,
			"[{\"ID\":\"t1\",\"ServiceID\":\"bsvc13000000000000000000b\"},"
			"{\"ID\":\"t2\",\"ServiceID\":\"asvc13000000000000000000a\"}]",
			"deny", "list tasks: the answer shows service asvc13, not created by bob; list only yours "
			"(docker service ps SERVICE)");
	decide_answer("bob", "/v1.41/tasks", 200,
			"[{\"ID\":\"t1\",\"ServiceID\":\"bsvc13000000000000000000b\"}]", "allow", NULL);
	/* a secret or config named with the beginning of another's id (as a service, round 11) */
	decide("bob", "POST", "/v1.41/configs/create", "{\"Name\":\"acfg13000000\",\"Data\":\"eA==\"}", "deny",
			"bob (roles: developer) may not name a config acfg13000000: it begins the id of config "
			"acfg13000000, which is not the caller's, and dockerd takes a name before an id prefix");
	decide("bob", "POST", "/v1.41/secrets/create", "{\"Name\":\"opssec0\",\"Data\":\"eA==\"}", "deny",
			"name a secret opssec0: it begins the id of secret opssec000000");
	decide("bob", "POST", "/v1.41/configs/create", "{\"Name\":\"bcfg13\",\"Data\":\"eA==\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/configs/create", "{\"Name\":\"acfg13-x\",\"Data\":\"eA==\"}", "allow", NULL);
	decide("alice", "POST", "/v1.41/configs/create", "{\"Name\":\"bcfg13\",\"Data\":\"eA==\"}", "allow", NULL);
	/* secrets' lists carry no data; other lists are not judged */
	decide_answer("bob", "/v1.41/secrets", 200, "[{\"ID\":\"opssec0000000000000000001\"}]", "allow", NULL);
	decide_answer("bob", "/v1.41/containers/json", 200, "[{\"Id\":\"x\"}]", "allow", NULL);

	/* alice's overlay network: its id is of the swarm alphabet, not hex */
	answer("alice", "ops", "POST", "/v1.41/networks/create", "{\"Name\":\"opsoverlay\",\"Driver\":\"overlay\"}",
			201, "{\"Id\":\"w8jjxcaxiojtpaj79odpjhjee\"}", 1);
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"w8jjxcaxiojt\"}", "deny",
			"bob (roles: developer) may not create network w8jjxcaxiojt: it begins the id of network "
			"w8jjxcaxiojt, which is not the caller's, and dockerd takes a name before an id prefix");
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"w8jjx\"}", "deny", "begins the id");
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"w8jjxcaxiojtpaj79odpjhjee\"}", "deny",
			"begins the id");
	decide("bob", "POST", "/v1.41/networks/create", "{\"name\":\"w8jjxcaxiojt\"}", "deny", "begins the id");
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"w8\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"w8jjxcaxiojtx\"}", "allow", NULL);
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"W8JJXCAXIOJT\"}", "allow", NULL);
	decide("alice", "POST", "/v1.41/networks/create", "{\"Name\":\"w8jjxcaxiojt\"}", "allow", NULL);
	/* bob's own overlay: his names may begin its id */
	answer("bob", "developer", "POST", "/v1.41/networks/create", "{\"Name\":\"boboverlay\",\"Driver\":\"overlay\"}",
			201, "{\"Id\":\"k3j4h5g6k7l8m9n0p1q2r3s4t\"}", 1);
	decide("bob", "POST", "/v1.41/networks/create", "{\"Name\":\"k3j4h5g6k7l8\"}", "allow", NULL);
	decide("dave", "POST", "/v1.41/networks/create", "{\"Name\":\"k3j4h5g6k7l8\"}", "deny", "begins the id");

	/*
	 * A service's network by the name of the caller's local network that
	 * begins the id of another's: swarmkit, which knows only swarm
	 * networks, takes the id prefix (alice's overlay).
	 */
	answer("bob", "developer", "POST", "/v1.41/networks/create", "{\"Name\":\"w8\"}",
			201, "{\"Id\":\"5e32cd9ccd26b261467a4305f8fef0c144ac4af50be5329c11ecdcbc8c9e917e\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/networks/create", "{\"Name\":\"bnet\"}",
			201, "{\"Id\":\"6e32cd9ccd26b261467a4305f8fef0c144ac4af50be5329c11ecdcbc8c9e917e\"}", 1);
#define NETSVC(target) "{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}," \
		"\"Networks\":[{\"Target\":\"" target "\"}]}}"
	decide("bob", "POST", "/v1.41/services/create", NETSVC("w8"), "deny",
			"bob (roles: developer) may not attach a service to network w8: swarmkit looks a service's "
			"network up among swarm networks by id prefix when no swarm network has that name, and it "
			"begins the id of network w8jjxcaxiojt, which is not the caller's");
	decide("bob", "POST", "/v1.41/services/s/update?version=2", NETSVC("w8"), "deny", "begins the id");
	decide("bob", "POST", "/v1.41/services/create", "{\"Name\":\"s\",\"Networks\":[{\"Target\":\"w8\"}]}",
			"deny", "begins the id");
	decide("bob", "POST", "/v1.41/services/create", NETSVC("bnet"), "allow", NULL);
	decide("bob", "POST", "/v1.41/services/create", NETSVC("boboverlay"), "allow", NULL);
	decide("bob", "POST", "/v1.41/services/create", NETSVC("k3j4h5g6k7l8m9n0p1q2r3s4t"), "allow", NULL);
	decide("bob", "POST", "/v1.41/services/create", NETSVC("w8jjxcaxiojtpaj79odpjhjee"), "deny",
			"not created by bob");
	decide("alice", "POST", "/v1.41/services/create", NETSVC("w8"), "allow", NULL);

	/*
	 * A container never started joins its networks by name at its first
	 * start: bob's c14 on his n14; n14 removed, alice's n14 made; bob's
	 * start would join hers.
	 */
#define NET14 "1414141414141414141414141414141414141414141414141414141414141414"
#define NET14B "2414141414141414141414141414141414141414141414141414141414141414"
#define C14 "3414141414141414141414141414141414141414141414141414141414141414"
	answer("bob", "developer", "POST", "/v1.41/networks/create", "{\"Name\":\"n14\"}", 201,
			"{\"Id\":\"" NET14 "\"}", 1);
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=c14",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"n14\"},"
			"\"NetworkingConfig\":{\"EndpointsConfig\":{\"n14\":{}}}}", 201,
			"{\"Id\":\"" C14 "\",\"Warnings\":[]}", 1);
	decide("bob", "POST", "/v1.41/containers/c14/start", NULL, "allow", NULL);
	answer("bob", "developer", "DELETE", "/v1.41/networks/n14", NULL, 204, NULL, 1);
	decide("bob", "POST", "/v1.41/containers/c14/start", NULL, "deny",
			"bob (roles: developer) may not start container c14 on network n14: not created by bob "
			"(rolegate has no record of it");
	answer("alice", "ops", "POST", "/v1.41/networks/create", "{\"Name\":\"n14\"}", 201,
			"{\"Id\":\"" NET14B "\"}", 1);
	decide("bob", "POST", "/v1.41/containers/c14/start", NULL, "deny",
			"bob (roles: developer) may not start container c14 on network n14: not created by bob");
	decide("bob", "POST", "/v1.41/containers/" C14 "/restart", NULL, "deny", "on network n14");
	decide("alice", "POST", "/v1.41/containers/c14/start", NULL, "allow", NULL);
	/* a container on the predefined networks, or another's namespace, joins nothing by name */
	answer("bob", "developer", "POST", "/v1.41/containers/create?name=c15",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"bridge\"}}", 201,
			"{\"Id\":\"4414141414141414141414141414141414141414141414141414141414141414\"}", 1);
	decide("bob", "POST", "/v1.41/containers/c15/start", NULL, "allow", NULL);
#undef NET14
#undef NET14B
#undef C14
}

static int append(const char *line, size_t len, void *arg)
{
	struct text *t = arg;
	char *buf = realloc(t->buf, t->len + len + 1);

	test_assert(buf != NULL);
	memcpy(buf + t->len, line, len);
	t->buf = buf;
	t->len += len;
	t->buf[t->len] = '\0';
	return 0;
}

/* A sink that fails on its second line. */
static int fail_second(const char *line, size_t len, void *arg)
{
	unsigned *calls = arg;

	(void)line;
	(void)len;
	return ++*calls == 2 ? -1 : 0;
}

struct settings_check {
	const struct rg_owners *back;
	unsigned with;   /* records with settings seen */
};

static void same_settings(const struct rg_object *a, void *arg)
{
	struct settings_check *c = arg;
	const struct rg_object *b;

	test_assert(rg_owners_resolve(c->back, a->kind, a->id, 0, 0, &b) == RG_RESOLVED);
	test_assert((a->settings == NULL) == (b->settings == NULL));
	if (a->settings != NULL) {
		test_str_eq(a->settings, b->settings);
		c->with++;
	}
}

/*
 * dockerd names a container created without --name itself, and its create
 * answer carries only the id: an inspect or list answer teaches the record
 * the name, so that `docker exec elated_saha` resolves (a restricted role
 * is refused what rolegate cannot resolve).
 */
static void names_learned(void)
{
#define ID_ANON "a000000000000000000000000000000000000000000000000000000000000000"
#define ID_ANON2 "a111111111111111111111111111111111111111111111111111111111111111"
#define ID_ANON3 "a222222222222222222222222222222222222222222222222222222222222222"
	const struct rg_object *obj;
	struct rg_request req = { .phase = RG_PHASE_RESPONSE, .status = 200,
		.route = { .command = "container.inspect" } };

	answer("bob", "developer", "POST", "/v1.41/containers/create", "{\"Image\":\"busybox\"}", 201,
			"{\"Id\":\"" ID_ANON "\",\"Warnings\":[]}", 1);
	answer("bob", "developer", "POST", "/v1.41/containers/create", "{\"Image\":\"busybox\"}", 201,
			"{\"Id\":\"" ID_ANON2 "\",\"Warnings\":[]}", 1);
	resolve(RG_OBJ_CONTAINER, "elated_saha", 12, RG_UNKNOWN, NULL);
	/* only reads: rg_owner_names_learned says whether a write is due */
	req.response_json = json_pack("{s:s, s:s}", "Id", ID_ANON, "Name", "/elated_saha");
	test_assert(rg_owner_names_learned(model, &req));
	req.status = 0;
	test_assert(!rg_owner_names_learned(model, &req));
	json_decref(req.response_json);
	/* an inspect's answer */
	answer("bob", "developer", "GET", "/v1.41/containers/a00000000000/json", NULL, 200,
			"{\"Id\":\"" ID_ANON "\",\"Name\":\"/elated_saha\",\"State\":{}}", 1);
	resolve(RG_OBJ_CONTAINER, "elated_saha", 12, RG_RESOLVED, ID_ANON);
	/* known already, a failed call, an id rolegate does not track: nothing */
	answer("bob", "developer", "GET", "/v1.41/containers/elated_saha/json", NULL, 200,
			"{\"Id\":\"" ID_ANON "\",\"Name\":\"/elated_saha\"}", 0);
	answer("bob", "developer", "GET", "/v1.41/containers/x/json", NULL, 404,
			"{\"Id\":\"" ID_ANON2 "\",\"Name\":\"/x\"}", 0);
	answer("bob", "developer", "GET", "/v1.41/containers/x/json", NULL, 200,
			"{\"Id\":\"" ID_UNSEEN "\",\"Name\":\"/x\"}", 0);
	/* a list's answer: each entry's own name, not a legacy link's alias */
	answer("alice", "ops", "GET", "/v1.41/containers/json", NULL, 200,
			"[{\"Id\":\"" ID_ANON "\",\"Names\":[\"/elated_saha\"]},"
			"{\"Id\":\"" ID_ANON2 "\",\"Names\":[\"/web/cache\",\"/quirky_hopper\"]},"
			"{\"Id\":\"" ID_UNSEEN "\",\"Names\":[\"/unseen\"]}]", 1);
	resolve(RG_OBJ_CONTAINER, "quirky_hopper", 12, RG_RESOLVED, ID_ANON2);
	resolve(RG_OBJ_CONTAINER, "cache", 12, RG_UNKNOWN, NULL);
	/*
	 * A record with a name keeps it: an answer is a snapshot, older than
	 * the renames rolegate saw since (red team round 11: a slow inspect
	 * of bob's container, renamed away meanwhile, gave its old name back
	 * to his record after alice's container took it).
	 */
	answer("bob", "developer", "GET", "/v1.41/containers/" ID_ANON "/json?size=1", NULL, 200,
			"{\"Id\":\"" ID_ANON "\",\"Name\":\"/quirky_hopper\"}", 0);
	answer("alice", "ops", "GET", "/v1.41/containers/json", NULL, 200,
			"[{\"Id\":\"" ID_ANON "\",\"Names\":[\"/quirky_hopper\"]}]", 0);
	resolve(RG_OBJ_CONTAINER, "quirky_hopper", 12, RG_RESOLVED, ID_ANON2);
	resolve(RG_OBJ_CONTAINER, "elated_saha", 12, RG_RESOLVED, ID_ANON);
	/* dockerd's answer for a record without a name wins over a stale record holding the name */
	answer("bob", "developer", "POST", "/v1.41/containers/create", "{\"Image\":\"busybox\"}", 201,
			"{\"Id\":\"" ID_ANON3 "\",\"Warnings\":[]}", 1);
	answer("alice", "ops", "GET", "/v1.41/containers/json", NULL, 200,
			"[{\"Id\":\"" ID_ANON3 "\",\"Names\":[\"/quirky_hopper\"]}]", 1);
	resolve(RG_OBJ_CONTAINER, "quirky_hopper", 12, RG_RESOLVED, ID_ANON3);
	test_assert(rg_owners_resolve(model, RG_OBJ_CONTAINER, ID_ANON2, 0, 0, &obj) == RG_RESOLVED &&
			obj->name[0] == '\0');
	answer("bob", "developer", "DELETE", "/v1.41/containers/" ID_ANON, NULL, 204, NULL, 1);
	answer("bob", "developer", "DELETE", "/v1.41/containers/" ID_ANON2, NULL, 204, NULL, 1);
	answer("bob", "developer", "DELETE", "/v1.41/containers/" ID_ANON3, NULL, 204, NULL, 1);
#undef ID_ANON
#undef ID_ANON2
#undef ID_ANON3
}

/* The snapshot writer and reader agree; expiry and the cap evict toward unowned. */
static void persistence_and_limits(void)
{
	char *text;
	size_t len;
	struct rg_owners *back = rg_owners_new(0), *small;
	struct rg_statefile_result res;
	char err[256];
	struct text t = { 0 };
	unsigned calls = 0;
	size_t before = rg_owners_count(model);

	test_assert(rg_statefile_snapshot(model, 7, append, &t) == 0);
	text = t.buf;
	len = t.len;
	test_assert(text != NULL && strncmp(text, "{\"rolegate\":\"snapshot\",\"gen\":7}\n", 32) == 0);
	/* a failing sink stops the snapshot, and is told no more */
	test_assert(before >= 2 && rg_statefile_snapshot(model, 7, fail_second, &calls) < 0);
	test_assert(calls == 2);
	test_assert(rg_statefile_read(text, len, "snapshot", 0, back, &res, err, sizeof(err)) == 0);
	test_assert(rg_owners_count(back) == before);
	test_assert(res.gen == 7);
	/* and what a create asked of the host survives the snapshot */
	{
		struct settings_check c = { .back = back };

		rg_owners_foreach(model, same_settings, &c);
		test_assert(c.with > 0);
	}
	/* a journal torn mid-line drops only the torn entry */
	{
		const char journal[] = "{\"rolegate\":\"journal\",\"gen\":7}\n"
			"{\"op\":\"remove\",\"kind\":\"container\",\"id\":\"" ID_BOB "\"}\n"
			"{\"op\":\"create\",\"kind\":\"cont";
		const char bad[] = "{\"rolegate\":\"journal\",\"gen\":7}\n{\"op\":\"explode\",\"kind\":\"container\",\"id\":\"x\"}\n{}\n";

		test_assert(rg_statefile_read(journal, sizeof(journal) - 1, "journal", 7, back, &res, err,
				sizeof(err)) == 0);
		test_assert(res.torn && res.events == 1);
		test_assert(rg_owners_count(back) == before - 1);
		test_assert(rg_statefile_read(bad, sizeof(bad) - 1, "journal", 7, back, &res, err, sizeof(err)) < 0);
		test_str_eq(err, "line 2: unknown op");
		test_assert(rg_statefile_read(journal, sizeof(journal) - 1, "journal", 8, back, &res, err,
				sizeof(err)) == 0 && res.stale);
	}
	free(text);
	rg_owners_free(back);

	/* expiry: records made at ~1000 and unused go first; those used at 5000 later */
	small = rg_owners_copy(model);
	test_assert(small != NULL && rg_owners_count(small) == before);
	test_assert(rg_owners_expire(small, 1500 + RG_OWNERS_EXPIRY) < before);
	test_assert(rg_owners_expire(small, 5001 + RG_OWNERS_EXPIRY) > 0);
	test_assert(rg_owners_count(small) == 0);
	rg_owners_free(small);

	/* the cap: the least recently used go first */
	small = rg_owners_new(10);
	for (int i = 0; i < 30; i++) {
		char id[65];
		struct rg_owner_event ev = { .op = RG_EV_CREATE, .kind = RG_OBJ_CONTAINER, .id = id,
			.user = "u", .created = i, .used = i };

		snprintf(id, sizeof(id), "%064d", i);
		test_assert(rg_owners_apply(small, &ev) == 0);
		test_assert(rg_owners_count(small) <= 10);
	}
	{
		const struct rg_object *o;
		char id[65];

		snprintf(id, sizeof(id), "%064d", 29);
		test_assert(rg_owners_resolve(small, RG_OBJ_CONTAINER, id, 12, 0, &o) == RG_RESOLVED);
		snprintf(id, sizeof(id), "%064d", 0);
		test_assert(rg_owners_resolve(small, RG_OBJ_CONTAINER, id, 12, 0, &o) == RG_UNKNOWN);
	}
	rg_owners_free(small);
}

/* The configuration keys: owner and plugin.state, and their errors. */
static void config_keys(void)
{
	static const char bad[] =
		"plugin = { state = \"relative/state\"; };\n"
		"roles = { r = { users = [\"u\"]; allow = [\"*\"]; constraints = { owner = \"everyone\"; }; }; };\n";
	struct rg_errlist errs = { 0 };
	struct rg_policy *p;

	test_assert(policy->plugin.state != NULL && strcmp(policy->plugin.state, RG_DEFAULT_STATE) == 0);
	test_assert(policy->roles[1].constraints.owner == RG_OWNER_SELF);
	test_assert(policy->roles[2].constraints.owner == RG_OWNER_ROLE);
	test_assert(policy->roles[0].constraints.owner == RG_OWNER_ANY);
	p = rg_policy_parse(bad, strlen(bad), "bad.conf", &errs);
	test_assert(p == NULL && errs.n == 2);
	test_assert(errs.v[0].line == 1 && errs.v[1].line == 2);
	test_str_eq(RG_ERRLIST_LINE(&errs, 0), "bad.conf:1: 'plugin.state' must be an absolute path");
	test_str_eq(RG_ERRLIST_LINE(&errs, 1), "bad.conf:2: 'roles.r.constraints.owner' must be one of "
			"\"self\", \"role\", not \"everyone\"");
	rg_errlist_free(&errs);
	steps++;
}

static void count_volumes(const struct rg_object *obj, void *arg)
{
	if (obj->kind == RG_OBJ_VOLUME)
		(*(int *)arg)++;
}

/*
 * A volume prune whose answer could not be read (not shown: over 64 KiB;
 * over plugin.max_body) may have removed any volume: every volume record is
 * dropped, or the next volume of a pruned name, made by `docker run -v
 * NAME:/x`, would be the old record's user's (red team round 13). A prune
 * that removed nothing (VolumesDeleted null) changes nothing.
 */
static void prune_unread(void)
{
	const struct rg_object *obj;
	int volumes = 0, left = 0;

	answer("bob", "developer", "POST", "/v1.41/volumes/create", "{\"Name\":\"pruned\"}", 201,
			"{\"Name\":\"pruned\",\"Driver\":\"local\"}", 1);
	answer("alice", "ops", "POST", "/v1.41/volumes/prune", NULL, 200,
			"{\"VolumesDeleted\":null,\"SpaceReclaimed\":0}", 0);
	rg_owners_foreach(model, count_volumes, &volumes);
	test_assert(volumes > 1);
	answer("alice", "ops", "POST", "/v1.41/volumes/prune", NULL, 200, NULL, volumes);
	rg_owners_foreach(model, count_volumes, &left);
	test_assert(left == 0);
	test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "pruned", 0, 0, &obj) == RG_UNKNOWN);
	/*
	 * An answer over 64 KiB is sent before the AuthZRes, which shows
	 * status 0 and no body, like a failure: the same (a failed prune too).
	 */
	answer("bob", "developer", "POST", "/v1.41/volumes/create", "{\"Name\":\"pruned2\"}", 201,
			"{\"Name\":\"pruned2\",\"Driver\":\"local\"}", 1);
	answer("alice", "ops", "POST", "/v1.41/volumes/prune", NULL, 0, NULL, 1);
	test_assert(rg_owners_resolve(model, RG_OBJ_VOLUME, "pruned2", 0, 0, &obj) == RG_UNKNOWN);
	/* containers' and networks' records stay: new ones get new ids */
	answer("alice", "ops", "POST", "/v1.41/containers/prune", NULL, 200, NULL, 0);
}

int main(void)
{
	char tmpl[] = "/tmp/rg-ownership-XXXXXX", path[512], conf[4096];
	struct rg_errlist errs = { 0 };

	test_assert(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s", tmpl);
	fakefs_add(&host, S_IFDIR, NULL, "%s/projects/app", dir);
	host_view = fakefs_view(&host);
	snprintf(path, sizeof(path), "%s/rolegate.conf", dir);
	snprintf(conf, sizeof(conf), config_fmt, dir, dir);
	policy = rg_policy_parse(conf, strlen(conf), path, &errs);
	if (policy == NULL)
		test_fail("config: %s", errs.n > 0 ? RG_ERRLIST_LINE(&errs, 0) : "?");
	model = rg_owners_new(0);

	config_keys();
	events_and_resolution();
	decisions();
	round13();
	connect_widens();
	legacy_start_drops_settings();
	exec_default_user();
	names_learned();
	persistence_and_limits();
	prune_unread();

	rg_owners_free(model);
	rg_policy_free(policy);
	test_assert(host.unmodelled == 0);
	fakefs_free(&host);
	snprintf(conf, sizeof(conf), "rm -rf '%s'", dir);
	test_assert(system(conf) == 0);
	printf("ownership: %u steps passed\n", steps);
	return 0;
}
