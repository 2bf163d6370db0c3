/*
 * rg_details_of (details.h): what a record's `details` say, read the way
 * dockerd reads the body (Go's key folding), only what is set, lists as
 * arrays, and nothing for commands that carry none. Also the head file's
 * format and seal (audit_record.h), and the verifier's expectations.
 */
#include <stdio.h>
#include <string.h>

#include "rolegate/audit_record.h"
#include "rolegate/details.h"
#include "fakefs.h"
#include "test.h"

/* The host the details' bind paths are resolved on (fakefs.h). */
static const struct fakefs_entry host_table[] = {
	{ .path = "/tmp", .mode = S_IFDIR },
	{ .path = "/srv/projects/etc", .mode = S_IFLNK, .target = "../../etc" },
	{ .path = "/etc", .mode = S_IFDIR },
};
static struct fakefs fake_host;
static struct rg_fs host_view;
static const struct rg_fs *view = &host_view;   /* req.fs of details() */

/* The details of METHOD URI with body, as compact JSON with sorted keys ("" for none). */
static char *details(const char *method, const char *uri, const char *body)
{
	static char out[4096];
	struct rg_request req;
	const char *err = NULL;
	json_t *d;
	char *text;

	if (rg_request_init(&req, "alice", "TLS", method, uri, (const unsigned char *)body,
			body != NULL ? strlen(body) : 0, 1 << 20, &err) < 0)
		test_fail("rg_request_init: %s", err);
	req.fs = view;
	d = rg_details_of(&req);
	text = d != NULL ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(out, sizeof(out), "%s", text != NULL ? text : "");
	free(text);
	json_decref(d);
	rg_request_clear(&req);
	return out;
}

static void test_details(void)
{
	/* Go folds keys: "privileged" and "hostconfig" are what dockerd obeys. */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"image\":\"busybox\",\"hostconfig\":{\"privileged\":true,\"capadd\":\"SYS_ADMIN\"}}"),
			"{\"caps\":[\"CAP_SYS_ADMIN\"],\"image\":\"docker.io/library/busybox:latest\",\"privileged\":true}");
	/* Capabilities as dockerd applies them (Go's upper case, CAP_ in front, ALL
	 * as is): `--detail caps=CAP_SYS_ADMIN` must find every spelling of it. */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":[\"sys_admin\",\"cap_\xc5\xbfys_admin\","
			"\"CAP_NET_ADMIN\",\"all\"]}}"),
			"{\"caps\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_ADMIN\",\"CAP_NET_ADMIN\",\"ALL\"],"
			"\"image\":\"docker.io/library/x:latest\"}");
	/* Device requests (--gpus) are devices too: who gave a container the host's GPUs */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"DeviceRequests\":[{\"Driver\":\"\",\"Count\":-1,"
			"\"DeviceIDs\":null,\"Capabilities\":[[\"gpu\"]],\"Options\":{}},{\"Driver\":\"nvidia\","
			"\"DeviceIDs\":[\"0\",\"1\"],\"Capabilities\":[[\"gpu\",\"utility\"]]}]}}"),
			"{\"devices\":[\"request(count=all,capabilities=gpu)\","
			"\"request(driver=nvidia,ids=0+1,capabilities=gpu+utility)\"],"
			"\"image\":\"docker.io/library/x:latest\"}");
	/* Security options as dockerd reads them: ':' is the old '=' */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"SecurityOpt\":[\"seccomp:unconfined\","
			"\"apparmor=unconfined\",\"label:type:x_t\",\"no-new-privileges\"]}}"),
			"{\"image\":\"docker.io/library/x:latest\",\"security_opt\":[\"seccomp=unconfined\","
			"\"apparmor=unconfined\",\"label=type:x_t\",\"no-new-privileges\"]}");
	test_str_eq(details("POST", "/v1.41/services/create",
			"{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"x\",\"CapabilityAdd\":[\"net_raw\"]}}}"),
			"{\"caps\":[\"CAP_NET_RAW\"],\"image\":\"docker.io/library/x:latest\"}");
	/* Only what is set: false, "", 0 and empty lists are left out. */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":false,\"NetworkMode\":\"\","
			"\"Memory\":0,\"CapAdd\":[],\"Binds\":null}}"),
			"{\"image\":\"docker.io/library/busybox:latest\"}");
	/* Binds: host paths (cleaned as the kernel resolves them), named volumes apart. */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"/tmp/../tmp/:/a\",\"data:/b:ro\"],"
			"\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"cache\"},{\"Type\":\"tmpfs\",\"Target\":\"/t\"}]}}"),
			"{\"binds\":[\"/tmp\"],\"image\":\"docker.io/library/x:latest\",\"volumes\":[\"data\",\"cache\"]}");
	/* as resolved through the host's symbolic links; as written with no view of the host */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"/srv/projects/etc/x:/a\"]}}"),
			"{\"binds\":[\"/etc/x\"],\"image\":\"docker.io/library/x:latest\"}");
	view = NULL;
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"/srv/projects/etc/x:/a\"]}}"),
			"{\"binds\":[\"/srv/projects/etc/x\"],\"image\":\"docker.io/library/x:latest\"}");
	view = &host_view;
	/* Limits: CPUs the larger of NanoCpus and CpuQuota/CpuPeriod. */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"Memory\":1048576,\"PidsLimit\":64,"
			"\"NanoCpus\":500000000,\"CpuQuota\":200000,\"CpuPeriod\":100000}}"),
			"{\"image\":\"docker.io/library/x:latest\",\"limits\":{\"cpus\":2.0,\"memory\":1048576,\"pids\":64}}");
	test_str_eq(details("POST", "/v1.41/containers/web/update", "{\"Memory\":2097152}"),
			"{\"limits\":{\"memory\":2097152}}");
	test_str_eq(details("POST", "/v1.41/containers/web/exec",
			"{\"Cmd\":[\"sh\"],\"Privileged\":true,\"User\":\"root\"}"),
			"{\"cmd\":[\"sh\"],\"privileged\":true,\"user\":\"root\"}");
	/* What runs (round 14): a create's entrypoint and cmd, a service's Command and Args. */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"Entrypoint\":\"/bin/sh\",\"Cmd\":[\"-c\",\"id\"]}"),
			"{\"cmd\":[\"-c\",\"id\"],\"entrypoint\":[\"/bin/sh\"],\"image\":\"docker.io/library/x:latest\"}");
	test_str_eq(details("POST", "/v1.41/services/create",
			"{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"x\",\"Command\":[\"nc\"],"
			"\"Args\":[\"-l\"]}}}"),
			"{\"cmd\":[\"-l\"],\"entrypoint\":[\"nc\"],\"image\":\"docker.io/library/x:latest\"}");
	/* What dockerd runs later, as execs nobody calls (round 16): the health check. */
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"cat /etc/shadow\"]}}"),
			"{\"healthcheck\":[\"CMD-SHELL\",\"cat /etc/shadow\"],\"image\":\"docker.io/library/x:latest\"}");
	test_str_eq(details("POST", "/v1.41/services/create",
			"{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"x\",\"Healthcheck\":{\"Test\":[\"CMD\",\"id\"]}}}}"),
			"{\"healthcheck\":[\"CMD\",\"id\"],\"image\":\"docker.io/library/x:latest\"}");
	test_str_eq(details("POST", "/v1.41/images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=1.36", NULL),
			"{\"image\":\"docker.io/library/busybox:1.36\"}");
	/* The image as dockerd will apply it (SPEC.md §2: --detail image=docker.io/library/busybox*);
	 * an image id as sent. */
	test_str_eq(details("POST", "/v1.41/images/create?fromImage=busybox&tag=1.36", NULL),
			"{\"image\":\"docker.io/library/busybox:1.36\"}");
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"registry.example.org:5000/team/app@sha256:"
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}"),
			"{\"image\":\"registry.example.org:5000/team/app@sha256:"
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}");
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}"),
			"{\"image\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}");
	/* A host directory or device mounted through a local volume is a bind too (SPEC.md §6:
	 * binds are the host paths, as resolved), on the volume create and on a mount that
	 * creates the volume; a network share or a tmpfs is none. */
	test_str_eq(details("POST", "/v1.41/volumes/create",
			"{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\","
			"\"device\":\"/srv/projects/etc/x\"}}"),
			"{\"binds\":[\"/etc/x\"]}");
	test_str_eq(details("POST", "/v1.41/volumes/create",
			"{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"rel/dir\"}}"),
			"{\"binds\":[\"rel/dir\"]}");
	test_str_eq(details("POST", "/v1.41/volumes/create",
			"{\"DriverOpts\":{\"type\":\"ext4\",\"device\":\"/dev/sdb1\"}}"),
			"{\"binds\":[\"/dev/sdb1\"]}");
	test_str_eq(details("POST", "/v1.41/volumes/create",
			"{\"DriverOpts\":{\"type\":\"cifs\",\"device\":\"//srv/share\"}}"), "");
	test_str_eq(details("POST", "/v1.41/volumes/create",
			"{\"DriverOpts\":{\"type\":\"nfs\",\"o\":\"addr=1.2.3.4\",\"device\":\":/export\"}}"), "");
	test_str_eq(details("POST", "/v1.41/volumes/create", "{\"Name\":\"v\"}"), "");
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\","
			"\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{\"type\":\"none\",\"o\":\"bind\","
			"\"device\":\"/tmp\"}}}}]}}"),
			"{\"binds\":[\"/tmp\"],\"image\":\"docker.io/library/x:latest\",\"volumes\":[\"v\"]}");
	/* A classic build: its query is judged like a create (SPEC.md §4), so it is recorded
	 * in the same terms: the network its RUN steps join and its limits. */
	test_str_eq(details("POST", "/v1.41/build?t=x&networkmode=host&memory=1048576&cpuquota=50000&cpuperiod=100000",
			"not json: a tar context"),
			"{\"limits\":{\"cpus\":0.5,\"memory\":1048576},\"network\":\"host\","
			"\"targets\":[\"docker.io/library/x:latest\"]}");
	test_str_eq(details("POST", "/v1.41/build?t=x", NULL), "{\"targets\":[\"docker.io/library/x:latest\"]}");
	test_str_eq(details("POST", "/v1.41/build", NULL), "");
	/* Round 14: the local names a command creates, so that --object finds who made one. */
	test_str_eq(details("POST", "/v1.41/build?t=a&t=reg.example.org/b:2", NULL),
			"{\"targets\":[\"docker.io/library/a:latest\",\"reg.example.org/b:2\"]}");
	test_str_eq(details("POST", "/v1.41/images/busybox/tag?repo=reg.example.org/prod/app&tag=v1", NULL),
			"{\"targets\":[\"reg.example.org/prod/app:v1\"]}");
	test_str_eq(details("POST", "/v1.41/commit?container=web&repo=app", "{}"),
			"{\"targets\":[\"docker.io/library/app:latest\"]}");
	test_str_eq(details("POST", "/v1.41/images/create?fromSrc=-&repo=app&tag=1", "tar"),
			"{\"targets\":[\"docker.io/library/app:1\"]}");
	test_str_eq(details("POST", "/v1.41/commit?container=web", "{}"), "");
	test_str_eq(details("POST", "/v1.41/containers/create",
			"{\"Image\":\"x\",\"HostConfig\":{\"VolumesFrom\":[\"db:ro\",\"cache\"]}}"),
			"{\"image\":\"docker.io/library/x:latest\",\"volumes_from\":[\"db\",\"cache\"]}");
	test_str_eq(details("POST", "/v1.41/networks/create",
			"{\"Name\":\"lan\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"eth0\"}}"),
			"{\"driver\":\"macvlan\",\"parent\":\"eth0\"}");
	test_str_eq(details("POST", "/v1.41/networks/create", "{\"Name\":\"n\"}"), "");
	test_str_eq(details("POST", "/v1.41/volumes/create", "{\"Name\":\"v\",\"Driver\":\"../../x/evil\"}"),
			"{\"driver\":\"../../x/evil\"}");
	test_str_eq(details("POST", "/v1.41/swarm/join",
			"{\"RemoteAddrs\":[\"203.0.113.9:2377\"],\"JoinToken\":\"SWMTKN-1-secret\"}"),
			"{\"remote_addrs\":[\"203.0.113.9:2377\"]}");
	test_str_eq(details("POST", "/v1.41/networks/db/connect", "{\"Container\":\"web\"}"),
			"{\"container\":\"web\"}");
	test_str_eq(details("POST", "/v1.41/networks/db/disconnect", "{\"container\":\"web\",\"Force\":true}"),
			"{\"container\":\"web\"}");
	/* Commands that carry none, and bodies that cannot be read: no details. */
	test_str_eq(details("GET", "/v1.41/containers/json", NULL), "");
	test_str_eq(details("POST", "/v1.41/containers/create", NULL), "");
	test_str_eq(details("POST", "/v1.41/containers/create", "{not json"), "");
}

/*
 * Round 14: what does not fit a record is marked "cut" (and the engine
 * refuses the request), never left out silently: a 257th bind, an
 * argument padded past RG_AUDIT_FIELD_MAX.
 */
static void test_cut(void)
{
	struct rg_request req;
	const char *err = NULL;
	char body[64 * 1024], keys[128];
	size_t n;
	json_t *d;

	n = (size_t)snprintf(body, sizeof(body), "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[");
	for (int i = 0; i < RG_AUDIT_LIST_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "\"/tmp:/m%d\",", i);
	snprintf(body + n, sizeof(body) - n, "\"/etc:/e\"]}}");
	test_assert(rg_request_init(&req, "alice", "TLS", "POST", "/v1.41/containers/create",
			(const unsigned char *)body, strlen(body), 1 << 20, &err) == 0);
	req.fs = view;
	d = rg_details_of(&req);
	test_assert(json_array_size(json_object_get(d, "binds")) == RG_AUDIT_LIST_MAX);
	test_str_eq(rg_details_cut(d, keys, sizeof(keys)), "binds");
	json_decref(d);
	rg_request_clear(&req);

	n = (size_t)snprintf(body, sizeof(body), "{\"Cmd\":[\"sh\",\"-c\",\"");
	memset(body + n, ' ', RG_AUDIT_FIELD_MAX);
	snprintf(body + n + RG_AUDIT_FIELD_MAX, sizeof(body) - n - RG_AUDIT_FIELD_MAX, "cat /etc/shadow\"]}");
	test_assert(rg_request_init(&req, "alice", "TLS", "POST", "/v1.41/containers/web/exec",
			(const unsigned char *)body, strlen(body), 1 << 20, &err) == 0);
	d = rg_details_of(&req);
	test_str_eq(rg_details_cut(d, keys, sizeof(keys)), "cmd");
	json_decref(d);
	rg_request_clear(&req);

	/* exactly the limits: nothing cut */
	d = json_pack("{s:[s]}", "binds", "/tmp");
	test_assert(rg_details_cut(d, keys, sizeof(keys)) == NULL);
	test_assert(rg_details_cut(NULL, keys, sizeof(keys)) == NULL);
	json_decref(d);
}

static void test_head(void)
{
	struct rg_audit_mac *m = rg_audit_mac_new(NULL, 0), *k = rg_audit_mac_new("0123456789abcdef", 16);
	struct rg_audit_chain c = { .seq = 42 }, got;
	char text[RG_AUDIT_HEAD_MAX], host[RG_AUDIT_HEAD_MAX];
	int n;

	memset(c.hash, 0xab, sizeof(c.hash));
	n = rg_audit_head_format(text, "web1", &c, k);
	test_assert(n > 0 && text[n - 1] == '\n');
	test_assert(strncmp(text, "rolegate-head host=web1 seq=42 hash=abab", 40) == 0);
	test_assert(rg_audit_head_parse(text, (size_t)n, host, &got, k) == 0);
	test_str_eq(host, "web1");
	test_assert(got.seq == 42 && memcmp(got.hash, c.hash, sizeof(c.hash)) == 0);
	/* Another key, or an edit, breaks the seal; a malformed head is -1. */
	test_assert(rg_audit_head_parse(text, (size_t)n, host, &got, m) == -2);
	text[29] = '3';   /* seq=42 -> seq=32 */
	test_assert(rg_audit_head_parse(text, (size_t)n, host, &got, k) == -2);
	test_assert(rg_audit_head_parse("rolegate-head seq=1\n", 20, host, &got, k) == -1);
	test_assert(rg_audit_head_parse(text, (size_t)n - 1, host, &got, k) == -1);
	rg_audit_mac_free(m);
	rg_audit_mac_free(k);
}

int main(void)
{
	fakefs_load(&fake_host, host_table, sizeof(host_table) / sizeof(host_table[0]));
	host_view = fakefs_view(&fake_host);
	test_details();
	test_cut();
	test_head();
	fakefs_free(&fake_host);
	printf("ok\n");
	return 0;
}
