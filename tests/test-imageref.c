/* Image reference parsing, normalization and registry prefixes. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/imageref.h"

static int failures;

#define CHECK(x) do { \
	if (!(x)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x); \
		failures++; \
	} \
} while (0)

static void check_norm(int line, const char *ref, const char *want)
{
	char out[RG_IMAGEREF_MAX];
	int r = rg_imageref_normalize(ref, out, sizeof(out));

	if (want == NULL) {
		if (r != -1) {
			fprintf(stderr, "%s:%d: \"%s\" should be invalid, got \"%s\"\n",
				__FILE__, line, ref, out);
			failures++;
		}
		return;
	}
	if (r != 0 || strcmp(out, want) != 0) {
		fprintf(stderr, "%s:%d: \"%s\": want \"%s\", got %d \"%s\"\n",
			__FILE__, line, ref, want, r, out);
		failures++;
	}
}

#define NORM(ref, want) check_norm(__LINE__, ref, want)
#define BAD(ref) check_norm(__LINE__, ref, NULL)

#define SHA "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_normalize(void)
{
	NORM("busybox", "docker.io/library/busybox:latest");
	NORM("busybox:1.36", "docker.io/library/busybox:1.36");
	NORM("docker.io/busybox", "docker.io/library/busybox:latest");
	NORM("index.docker.io/busybox", "docker.io/library/busybox:latest");
	NORM("index.docker.io/team/app:v1", "docker.io/team/app:v1");
	NORM("docker.io/library/busybox", "docker.io/library/busybox:latest");
	NORM("team/app", "docker.io/team/app:latest");
	NORM("team/sub/app", "docker.io/team/sub/app:latest");
	NORM("localhost/app", "localhost/app:latest");
	NORM("localhost:5000/app", "localhost:5000/app:latest");
	NORM("localhost:5000/app:1.0", "localhost:5000/app:1.0");
	NORM("registry.example.org/a/b", "registry.example.org/a/b:latest");
	NORM("registry.example.org:443/a/b:x", "registry.example.org:443/a/b:x");
	NORM("[::1]:5000/app", "[::1]:5000/app:latest");
	NORM("Registry.Example.org/app", "Registry.Example.org/app:latest");
	/* an upper-case first component is taken as a host (docker does the same) */
	NORM("Foo/bar", "Foo/bar:latest");
	NORM("busybox@" SHA, "docker.io/library/busybox@" SHA);
	NORM("busybox:1.36@" SHA, "docker.io/library/busybox:1.36@" SHA);
	NORM("localhost:5000/app@" SHA, "localhost:5000/app@" SHA);
	NORM("a.b/c.d/e", "a.b/c.d/e:latest");
	NORM("my-app__x/z--w.y", "docker.io/my-app__x/z--w.y:latest");
	NORM("localhost:5000", "docker.io/library/localhost:5000");
	NORM("ubuntu:_x", "docker.io/library/ubuntu:_x");
	NORM("sha256:abc", "docker.io/library/sha256:abc");

	BAD("");
	BAD("Busybox");
	BAD("docker.io/Busybox");
	BAD("team/App");
	BAD("busybox:");
	BAD("busybox@");
	BAD("busybox@sha256:abc");
	BAD("busybox@sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
	BAD("busybox@md5:e3b0c44298fc1c149afbf4c8996fb924");
	BAD("busybox:.tag");
	BAD("busybox:-tag");
	BAD("busybox:a/b");
	BAD("/busybox");
	BAD("busybox/");
	BAD("team//app");
	BAD("-app");
	BAD("app-");
	BAD("a..b");
	BAD("a___b");
	BAD("a._b");
	BAD("a b");
	BAD("a/b c");
	BAD("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	BAD("-bad.example.org/app");
	BAD("bad-.example.org/app");
	BAD("bad..example.org/app");
	BAD("host:port/app");
	BAD("host:/app");
	BAD("[]/app");
	BAD("[zz]:5000/app");
	BAD("under_score.org/app");
	BAD("busybox@" SHA ":tag");
	BAD("busybox:1" SHA);
}

static void test_fields(void)
{
	struct rg_imageref r;
	const char *err = NULL;

	CHECK(rg_imageref_parse("busybox", &r, &err) == 0);
	CHECK(strcmp(r.domain, "docker.io") == 0);
	CHECK(strcmp(r.path, "library/busybox") == 0);
	CHECK(strcmp(r.tag, "latest") == 0);
	CHECK(r.tag_defaulted);
	CHECK(r.digest[0] == '\0');

	CHECK(rg_imageref_parse("busybox:latest", &r, &err) == 0);
	CHECK(!r.tag_defaulted);

	CHECK(rg_imageref_parse("localhost:5000/team/app@" SHA, &r, &err) == 0);
	CHECK(strcmp(r.domain, "localhost:5000") == 0);
	CHECK(strcmp(r.path, "team/app") == 0);
	CHECK(strcmp(r.tag, "") == 0);
	CHECK(strcmp(r.digest, SHA) == 0);

	err = NULL;
	CHECK(rg_imageref_parse("Busybox", &r, &err) == -1);
	CHECK(err != NULL && strstr(err, "lowercase") != NULL);

	/* sha512 fits the struct; a 128-character tag does too */
	char big[400];
	snprintf(big, sizeof(big), "app@sha512:%0128d", 0);
	CHECK(rg_imageref_parse(big, &r, &err) == 0);
	char tag[140];
	memset(tag, 'x', 128);
	tag[128] = '\0';
	snprintf(big, sizeof(big), "app:%s", tag);
	CHECK(rg_imageref_parse(big, &r, &err) == 0);
	CHECK(strlen(r.tag) == 128);
	snprintf(big, sizeof(big), "app:%sx", tag);
	CHECK(rg_imageref_parse(big, &r, &err) == -1);

	/* the name (domain/path) is limited to 255 characters */
	char name[300];
	memset(name, 'a', sizeof(name));
	name[255 - strlen("docker.io/library/")] = '\0';
	CHECK(rg_imageref_parse(name, &r, &err) == 0);
	name[255 - strlen("docker.io/library/")] = 'a';
	name[256 - strlen("docker.io/library/")] = '\0';
	CHECK(rg_imageref_parse(name, &r, &err) == -1);
	name[299] = '\0';
	CHECK(rg_imageref_parse(name, &r, &err) == -1);

	/* output that does not fit */
	char small[10];
	CHECK(rg_imageref_normalize("busybox", small, sizeof(small)) == -1);
	CHECK(small[0] == '\0');

	/* repository-only form */
	char out[RG_IMAGEREF_MAX];
	CHECK(rg_imageref_parse("busybox", &r, &err) == 0);
	CHECK(rg_imageref_format(&r, false, out, sizeof(out)) == 0);
	CHECK(strcmp(out, "docker.io/library/busybox") == 0);
	CHECK(rg_imageref_parse("busybox:latest", &r, &err) == 0);
	CHECK(rg_imageref_format(&r, false, out, sizeof(out)) == 0);
	CHECK(strcmp(out, "docker.io/library/busybox:latest") == 0);
}

static void check_under(int line, const char *ref, const char *allowed, bool want)
{
	struct rg_imageref r;
	const char *err;

	if (rg_imageref_parse(ref, &r, &err) != 0) {
		fprintf(stderr, "%s:%d: \"%s\" did not parse: %s\n", __FILE__, line, ref, err);
		failures++;
		return;
	}
	if (rg_imageref_under(&r, allowed) != want) {
		fprintf(stderr, "%s:%d: \"%s\" under \"%s\": want %s\n", __FILE__, line, ref,
			allowed, want ? "yes" : "no");
		failures++;
	}
}

#define UNDER(ref, allowed) check_under(__LINE__, ref, allowed, true)
#define NOT_UNDER(ref, allowed) check_under(__LINE__, ref, allowed, false)

static void test_under(void)
{
	UNDER("busybox", "docker.io/library");
	UNDER("docker.io/library/busybox:1", "docker.io/library");
	UNDER("busybox", "docker.io");
	UNDER("team/app", "docker.io");
	UNDER("team/app", "index.docker.io");
	UNDER("busybox", "index.docker.io/library");
	UNDER("busybox", "docker.io/library/busybox");
	UNDER("busybox", "library");
	UNDER("team/app", "team");
	UNDER("team/app/x", "team/app");
	UNDER("registry.example.org/a/b", "registry.example.org");
	UNDER("registry.example.org/a/b", "registry.example.org/a");
	UNDER("registry.example.org/a/b@" SHA, "registry.example.org/a/b");
	UNDER("REGISTRY.example.org/a", "registry.example.org");
	UNDER("localhost:5000/app", "localhost:5000");
	UNDER("localhost/app", "localhost");

	NOT_UNDER("library2/x", "docker.io/library");
	NOT_UNDER("docker.io/library2/x", "library");
	NOT_UNDER("busybox", "docker.io/library/busy");
	NOT_UNDER("busybox", "busybox");
	NOT_UNDER("team/app", "docker.io/library");
	NOT_UNDER("team2/app", "team");
	NOT_UNDER("registry.example.org.evil.com/a", "registry.example.org");
	NOT_UNDER("evil.com/registry.example.org/a", "registry.example.org");
	NOT_UNDER("registry.example.org:5000/a", "registry.example.org");
	NOT_UNDER("registry.example.org/a/b", "registry.example.org:5000");
	NOT_UNDER("localhost:5000/app", "localhost");
	NOT_UNDER("localhost/app", "localhost:5000");
	NOT_UNDER("registry.example.org/ab", "registry.example.org/a");
	NOT_UNDER("busybox", "");
	NOT_UNDER("busybox", "docker.io/");
	NOT_UNDER("busybox", "docker.io/library/");
	NOT_UNDER("busybox", "docker.io/library/busybox:latest");
	NOT_UNDER("busybox", "docker.io/Library");
	NOT_UNDER("busybox", "docker.io//library");

	CHECK(rg_imageref_prefix_valid("registry.example.org"));
	CHECK(rg_imageref_prefix_valid("docker.io/library"));
	CHECK(rg_imageref_prefix_valid("localhost:5000/team"));
	CHECK(!rg_imageref_prefix_valid(""));
	CHECK(!rg_imageref_prefix_valid("bad..host/x"));
	CHECK(!rg_imageref_prefix_valid("docker.io/busybox@" SHA));
	CHECK(!rg_imageref_prefix_valid("team/App"));
}

int main(void)
{
	test_normalize();
	test_fields();
	test_under();
	if (failures > 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	return 0;
}
