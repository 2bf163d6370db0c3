/*
 * The route table and request-target normalization.
 *
 *   test-route [CASES-FILE [DOCUMENTED-ROUTES-FILE]]
 *
 * Defaults: SRCDIR/route-cases.txt and SRCDIR/routes-documented.txt.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rolegate/route.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

static int failures;
static int checks;

#define CHECK(x) do { \
	checks++; \
	if (!(x)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x); \
		failures++; \
	} \
} while (0)

/* The command names of SPEC.md §5. */
static const char *const spec_commands[] = {
	"container.list", "container.create", "container.inspect", "container.top",
	"container.logs", "container.changes", "container.export", "container.stats",
	"container.resize", "container.start", "container.stop", "container.restart",
	"container.kill", "container.update", "container.rename", "container.pause",
	"container.unpause", "container.attach", "container.wait", "container.remove",
	"container.archive.get", "container.archive.put", "container.prune",
	"container.commit", "container.checkpoint",
	"exec.create", "exec.start", "exec.resize", "exec.inspect",
	"image.list", "image.build", "image.build.prune", "image.build.cancel", "image.pull",
	"image.import", "image.inspect", "image.history", "image.push", "image.tag",
	"image.remove", "image.search", "image.prune", "image.save", "image.load",
	"image.distribution",
	"volume.list", "volume.create", "volume.inspect", "volume.update", "volume.remove",
	"volume.prune",
	"network.list", "network.inspect", "network.create", "network.connect",
	"network.disconnect", "network.remove", "network.prune",
	"plugin.list", "plugin.privileges", "plugin.install", "plugin.inspect", "plugin.remove",
	"plugin.enable", "plugin.disable", "plugin.upgrade", "plugin.create", "plugin.push",
	"plugin.set",
	"system.ping", "system.version", "system.info", "system.events", "system.df",
	"system.auth", "system.session", "system.grpc",
	"swarm.inspect", "swarm.init", "swarm.join", "swarm.leave", "swarm.update",
	"swarm.unlockkey", "swarm.unlock",
	"node.list", "node.inspect", "node.update", "node.remove",
	"service.list", "service.inspect", "service.create", "service.update", "service.remove",
	"service.logs",
	"task.list", "task.inspect", "task.logs",
	"secret.list", "secret.inspect", "secret.create", "secret.update", "secret.remove",
	"config.list", "config.inspect", "config.create", "config.update", "config.remove",
	NULL,
};

static bool is_spec_command(const char *c)
{
	for (const char *const *p = spec_commands; *p != NULL; p++) {
		if (strcmp(*p, c) == 0) {
			return true;
		}
	}
	return false;
}

static struct rg_route route; /* large: keep it off the stack */

/* Checks one expectation; expect_cmd "error" means -1. */
static bool run_case(const char *where, const char *method, const char *uri,
		const char *expect_cmd, const char *expect_obj)
{
	const char *err = NULL;
	int r = rg_route_classify(method, uri, &route, &err);

	checks++;
	if (strcmp(expect_cmd, "error") == 0) {
		if (r == -1 && err != NULL && strcmp(route.command, "unknown") == 0 &&
				route.object[0] == '\0' && route.path[0] == '\0') {
			return true;
		}
		fprintf(stderr, "%s: %s %s: want error, got %d %s \"%s\"\n", where, method, uri, r,
			route.command, route.object);
		failures++;
		return false;
	}
	if (r != 0) {
		fprintf(stderr, "%s: %s %s: want %s \"%s\", got error: %s\n", where, method, uri,
			expect_cmd, expect_obj, err != NULL ? err : "(no message)");
		failures++;
		return false;
	}
	if (strcmp(route.command, expect_cmd) != 0 || strcmp(route.object, expect_obj) != 0) {
		fprintf(stderr, "%s: %s %s: want %s \"%s\", got %s \"%s\"\n", where, method, uri,
			expect_cmd, expect_obj, route.command, route.object);
		failures++;
		return false;
	}
	/* the query is borrowed from uri, after its first '?' */
	const char *q = strchr(uri, '?');
	if ((q == NULL && route.query[0] != '\0') || (q != NULL && route.query != q + 1)) {
		fprintf(stderr, "%s: %s %s: query not borrowed from the target\n", where, method, uri);
		failures++;
		return false;
	}
	return true;
}

static bool starts_with_version(const char *uri)
{
	return uri[0] == '/' && uri[1] == 'v' &&
		((uri[2] >= '0' && uri[2] <= '9') || uri[2] == '.');
}

static int test_cases(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[4096], where[512];
	int lineno = 0, ncases = 0;

	if (f == NULL) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *method, *uri, *arrow, *cmd, *obj, *save = NULL;
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0') {
			continue;
		}
		snprintf(where, sizeof(where), "%s:%d", file, lineno);
		method = strtok_r(line, " ", &save);
		uri = strtok_r(NULL, " ", &save);
		arrow = strtok_r(NULL, " ", &save);
		cmd = strtok_r(NULL, " ", &save);
		obj = save != NULL && *save != '\0' ? save : NULL;
		if (method == NULL || uri == NULL || arrow == NULL || strcmp(arrow, "=>") != 0 ||
				cmd == NULL || (obj == NULL) != (strcmp(cmd, "error") == 0)) {
			fprintf(stderr, "%s: malformed case line\n", where);
			failures++;
			continue;
		}
		if (obj != NULL && strcmp(obj, "-") == 0) {
			obj = "";
		}
		ncases++;
		run_case(where, method, uri, cmd, obj != NULL ? obj : "");

		/* the same with an API version prefix */
		if (uri[0] == '/' && !starts_with_version(uri)) {
			char vuri[4200];
			snprintf(vuri, sizeof(vuri), "/v1.41%s", uri);
			run_case(where, method, vuri, cmd, obj != NULL ? obj : "");
		}
	}
	fclose(f);
	if (ncases < 150) {
		fprintf(stderr, "%s: only %d cases, want at least 150\n", file, ncases);
		failures++;
	}
	return ncases;
}

/* Replaces every {param} of a documented path by a sample value. */
static void fill_params(const char *path, char *out, size_t outlen)
{
	size_t n = 0;

	for (const char *p = path; *p != '\0' && n + 16 < outlen; p++) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (close == NULL) {
				break;
			}
			n += (size_t)snprintf(out + n, outlen - n, "sample1");
			p = close;
			continue;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
}

/* Every documented route (from the swagger file) names a command of SPEC.md §5. */
static int test_documented(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[1024], path[1024], uri[1100];
	int lineno = 0, n = 0;

	if (f == NULL) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char method[16];
		const char *err = NULL;
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0') {
			continue;
		}
		if (sscanf(line, "%15s %1000s", method, path) != 2) {
			fprintf(stderr, "%s:%d: malformed line\n", file, lineno);
			failures++;
			continue;
		}
		n++;
		for (int versioned = 0; versioned < 2; versioned++) {
			char filled[1024];
			fill_params(path, filled, sizeof(filled));
			snprintf(uri, sizeof(uri), "%s%s", versioned ? "/v1.56" : "", filled);
			checks++;
			if (rg_route_classify(method, uri, &route, &err) != 0 ||
					!is_spec_command(route.command)) {
				fprintf(stderr, "%s:%d: %s %s maps to %s (%s)\n", file, lineno, method, uri,
					route.command, err != NULL ? err : "no error");
				failures++;
			}
		}
	}
	fclose(f);
	if (n < 100) {
		fprintf(stderr, "%s: only %d documented routes\n", file, n);
		failures++;
	}
	return n;
}

/* Table sanity: every command is a SPEC name and every route reaches itself. */
static void check_entry(const char *method, const char *pattern, const char *command, void *arg)
{
	char path[1024];
	const char *err = NULL, *multi;
	int *count = arg;

	(*count)++;
	if (!is_spec_command(command)) {
		fprintf(stderr, "route %s %s: \"%s\" is not a command of SPEC.md\n", method, pattern,
			command);
		failures++;
	}
	/* after a multi-segment variable only literal text may follow */
	multi = strstr(pattern, ":.");
	if (multi != NULL && strchr(multi, '{') != NULL) {
		fprintf(stderr, "route %s %s: a variable after a multi-segment one\n", method,
			pattern);
		failures++;
	}
	if (pattern[0] != '/') {
		fprintf(stderr, "route %s %s: pattern does not start with '/'\n", method, pattern);
		failures++;
	}
	fill_params(pattern, path, sizeof(path));
	if (strcmp(command, "image.pull") == 0) {
		strcat(path, "?fromImage=busybox"); /* else it is an import */
	}
	checks++;
	if (rg_route_classify(method, path, &route, &err) != 0 ||
			strcmp(route.command, command) != 0) {
		fprintf(stderr, "route %s %s: sample %s reaches %s instead\n", method, pattern, path,
			route.command);
		failures++;
	}
}

static void test_table(void)
{
	int count = 0;

	rg_route_foreach(check_entry, &count);
	CHECK(count > 100);
}

/* SPEC.md §5: only these verbs (and exec.inspect) read; all else mutates. */
static void test_mutating(void)
{
	static const char *const reads[] = {
		"container.list", "container.inspect", "container.top", "container.logs",
		"container.changes", "container.stats", "container.wait", "container.resize",
		"exec.resize", "exec.inspect", "image.list", "image.inspect", "image.history",
		"image.search", "image.distribution", "system.ping", "system.version",
		"system.info", "system.events", "system.df", "volume.inspect", "network.list",
		"service.logs", "task.logs", "secret.inspect", "config.list",
	};
	static const char *const writes[] = {
		"container.create", "container.attach", "container.export", "container.archive.get",
		"container.archive.put", "image.save", "image.pull", "image.import", "image.load",
		"exec.create", "exec.start", "system.auth", "system.session", "system.grpc",
		"plugin.privileges", "swarm.unlockkey", "volume.remove", "unknown",
	};

	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		CHECK(!rg_command_mutating(reads[i]));
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		CHECK(rg_command_mutating(writes[i]));
}

static void test_limits(void)
{
	static char uri[3 * RG_PATH_MAX];
	const char *err;
	size_t n;

	/* control bytes are refused (Go's HTTP server answers 400) */
	CHECK(rg_route_classify("GET", "/info\x01", &route, &err) == -1);
	CHECK(rg_route_classify("GET", "/containers/json?a=\x7f", &route, &err) == -1);
	CHECK(rg_route_classify("GET", "/info\t", &route, &err) == -1);
	CHECK(rg_route_classify("GET", "", &route, &err) == -1);

	/* the longest path that fits, and one byte more */
	strcpy(uri, "/containers/");
	n = strlen(uri);
	memset(uri + n, 'a', RG_PATH_MAX - 1 - n - 5);
	strcpy(uri + RG_PATH_MAX - 1 - 5, "/json");
	CHECK(strlen(uri) == RG_PATH_MAX - 1);
	/* fits as a path, but the name is too long to be an object: refused */
	CHECK(rg_route_classify("GET", uri, &route, &err) == -1);
	CHECK(strcmp(route.command, "unknown") == 0);
	strcpy(uri, "/containers/json?");
	n = strlen(uri);
	memset(uri + n, 'a', sizeof(uri) - n - 1);
	uri[sizeof(uri) - 1] = '\0';
	CHECK(rg_route_classify("GET", uri, &route, &err) == 0); /* a long query is fine */
	CHECK(strcmp(route.command, "container.list") == 0);
	memset(uri, 'a', RG_PATH_MAX + 1);
	uri[0] = '/';
	uri[RG_PATH_MAX + 1] = '\0';
	CHECK(rg_route_classify("GET", uri, &route, &err) == -1);
	/* percent-encoded: 3 bytes in, 1 byte out, so it fits */
	for (size_t i = 0; i < RG_PATH_MAX - 20; i++) {
		memcpy(uri + 3 * i, "%61", 3);
	}
	memcpy(uri, "/in", 3);
	uri[3 * (RG_PATH_MAX - 20)] = '\0';
	CHECK(rg_route_classify("GET", uri, &route, &err) == 0);
	CHECK(strcmp(route.command, "unknown") == 0);

	/* an object name of RG_OBJECT_MAX - 1 bytes fits, one more does not */
	strcpy(uri, "/volumes/");
	n = strlen(uri);
	memset(uri + n, 'v', RG_OBJECT_MAX - 1);
	uri[n + RG_OBJECT_MAX - 1] = '\0';
	CHECK(rg_route_classify("GET", uri, &route, &err) == 0);
	CHECK(strlen(route.object) == RG_OBJECT_MAX - 1);
	strcat(uri, "v");
	CHECK(rg_route_classify("GET", uri, &route, &err) == -1);

	/* a fromImage that cannot be represented is refused, never taken for an import */
	strcpy(uri, "/images/create?fromSrc=-&fromImage=");
	n = strlen(uri);
	memset(uri + n, 'b', RG_OBJECT_MAX + 10);
	uri[n + RG_OBJECT_MAX + 10] = '\0';
	err = NULL;
	CHECK(rg_route_classify("POST", uri, &route, &err) == -1);
	CHECK(err != NULL);
	CHECK(rg_route_classify("POST", "/images/create?fromSrc=-&fromImage=a%00b", &route,
		&err) == -1);
	CHECK(rg_route_classify("POST", "/containers/create?name=a%00b", &route, &err) == -1);

	/* many save names: cut short, still a valid object */
	strcpy(uri, "/images/get?");
	for (int i = 0; i < 60; i++) {
		strcat(uri, "names=busybox&");
	}
	CHECK(rg_route_classify("GET", uri, &route, &err) == 0);
	CHECK(strcmp(route.command, "image.save") == 0);
	n = strlen(route.object);
	CHECK(n < RG_OBJECT_MAX && n > 4 && strcmp(route.object + n - 4, ",...") == 0);
}

static void test_query_get(void)
{
	char v[16];

	CHECK(rg_query_get("a=1&b=2", "b", v, sizeof(v)) == 0 && strcmp(v, "2") == 0);
	CHECK(rg_query_get("a=1&b=2&b=3", "b", v, sizeof(v)) == 0 && strcmp(v, "2") == 0);
	CHECK(rg_query_get("a=1", "b", v, sizeof(v)) == -1 && v[0] == '\0');
	CHECK(rg_query_get("", "b", v, sizeof(v)) == -1);
	CHECK(rg_query_get("b", "b", v, sizeof(v)) == 0 && strcmp(v, "") == 0);
	CHECK(rg_query_get("b=", "b", v, sizeof(v)) == 0 && strcmp(v, "") == 0);
	CHECK(rg_query_get("b=x=y", "b", v, sizeof(v)) == 0 && strcmp(v, "x=y") == 0);
	CHECK(rg_query_get("b=a+b%2Bc%20d", "b", v, sizeof(v)) == 0 && strcmp(v, "a b+c d") == 0);
	CHECK(rg_query_get("%62=1", "b", v, sizeof(v)) == 0 && strcmp(v, "1") == 0);
	CHECK(rg_query_get("b=%zz&b=ok", "b", v, sizeof(v)) == 0 && strcmp(v, "ok") == 0);
	CHECK(rg_query_get("b=1;c=2&b=ok", "b", v, sizeof(v)) == 0 && strcmp(v, "ok") == 0);
	CHECK(rg_query_get("B=1", "b", v, sizeof(v)) == -1);
	CHECK(rg_query_get("&&b=1&", "b", v, sizeof(v)) == 0 && strcmp(v, "1") == 0);
	CHECK(rg_query_get("b=0123456789abcdef", "b", v, sizeof(v)) == -1);
	CHECK(rg_query_get("b=0123456789abcde", "b", v, sizeof(v)) == 0);
	CHECK(rg_query_get("b=a%00", "b", v, sizeof(v)) == -1);
	/* red team round 8: what rg_query_get reads as absent, dockerd reads whole */
	CHECK(rg_query_unreadable("b=0123456789abcdef", 16));
	CHECK(!rg_query_unreadable("b=0123456789abcde", 16));
	CHECK(rg_query_unreadable("a=1&b=a%00", 16));
	CHECK(rg_query_unreadable("a=1&x=0123456789abcdef&b=1", 16)); /* any key */
	CHECK(!rg_query_unreadable("b;=0123456789abcdef&c=%zz0123456789abcdef", 16)); /* Go skips both */
	CHECK(!rg_query_unreadable("0123456789abcdefghij", 16)); /* a key alone */
	CHECK(!rg_query_unreadable("", 16));
	CHECK(!rg_query_unreadable(NULL, 16));
}

static void check_body(int line, const char *method, const char *uri, const char *body,
		const char *want)
{
	json_error_t jerr;
	json_t *j = body != NULL ? json_loads(body, 0, &jerr) : NULL;
	const char *err;

	checks++;
	if (rg_route_classify(method, uri, &route, &err) != 0) {
		fprintf(stderr, "%s:%d: %s did not classify\n", __FILE__, line, uri);
		failures++;
	} else {
		rg_route_object_from_body(route.command, j, &route);
		if (strcmp(route.object, want) != 0) {
			fprintf(stderr, "%s:%d: %s %s: want object \"%s\", got \"%s\"\n", __FILE__,
				line, method, uri, want, route.object);
			failures++;
		}
	}
	json_decref(j);
}

#define BODY(m, u, b, w) check_body(__LINE__, m, u, b, w)

static void test_body(void)
{
	BODY("POST", "/containers/create", "{\"Image\":\"busybox\"}",
		"docker.io/library/busybox:latest");
	BODY("POST", "/v1.41/containers/create", "{\"image\":\"alpine:3\"}",
		"docker.io/library/alpine:3");
	BODY("POST", "/containers/create", "{\"IMAGE\":\"localhost:5000/app\"}",
		"localhost:5000/app:latest");
	BODY("POST", "/containers/create?name=web", "{\"Image\":\"busybox\"}", "web");
	BODY("POST", "/containers/create", "{\"Image\":\"Bad Image\"}", "Bad Image");
	BODY("POST", "/containers/create", "{\"Image\":42}", "");
	BODY("POST", "/containers/create", "{}", "");
	BODY("POST", "/containers/create", NULL, "");
	BODY("POST", "/volumes/create", "{\"Name\":\"data\",\"Driver\":\"local\"}", "data");
	BODY("POST", "/networks/create", "{\"name\":\"net1\"}", "net1");
	BODY("POST", "/services/create", "{\"Name\":\"web\",\"TaskTemplate\":{}}", "web");
	BODY("POST", "/secrets/create", "{\"Name\":\"s\",\"Data\":\"eA==\"}", "s");
	BODY("POST", "/configs/create", "{\"Name\":\"c\",\"Data\":\"eA==\"}", "c");
	/* bodies never override objects from the path */
	BODY("POST", "/containers/abc/update", "{\"Name\":\"x\",\"Image\":\"y\"}", "abc");
	BODY("POST", "/networks/n1/connect", "{\"Container\":\"c1\"}", "n1");
	BODY("GET", "/info", "{\"Name\":\"x\"}", "");
}

static void test_path_field(void)
{
	const char *err;

	CHECK(rg_route_classify("GET", "/v1.41/containers/a%2Fb/json?all=1", &route, &err) == 0);
	CHECK(strcmp(route.path, "/containers/a/b/json") == 0);
	CHECK(strcmp(route.query, "all=1") == 0);
	CHECK(rg_route_classify("GET", "http://h:1/v1.2/info", &route, &err) == 0);
	CHECK(strcmp(route.path, "/info") == 0);
	CHECK(rg_route_classify("GET", "/v1.41", &route, &err) == 0);
	CHECK(strcmp(route.path, "/v1.41") == 0);
}

int main(int argc, char **argv)
{
	const char *cases = argc > 1 ? argv[1] : SRCDIR "/route-cases.txt";
	const char *documented = argc > 2 ? argv[2] : SRCDIR "/routes-documented.txt";
	int ncases, ndoc;

	ncases = test_cases(cases);
	ndoc = test_documented(documented);
	test_table();
	test_mutating();
	test_limits();
	test_query_get();
	test_body();
	test_path_field();
	printf("%d case lines, %d documented routes, %d checks, %d failures\n", ncases, ndoc,
		checks, failures);
	return failures > 0 ? 1 : 0;
}
