/* The approved-images list parser and lookup (rbac/approved.c). */
#include <stdio.h>
#include <string.h>

#include "rolegate/approved.h"
#include "test.h"

#define A "sha256:d6a7cd2a7371b1a15d543196979ff74fdb027023ebf187d5d329be11055c77fd"
#define B "sha256:9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91"
#define C "sha256:25bf8e1a2393f1108d37029b3df5593236c755742ec93465bbafa9b290bddcf6"
#define N "sha256:1573c1357247619a24fdd0b7dc734334cfee337f8e46ae1bb17ad3165904820e"

static struct rg_approved *parse(const char *text, struct rg_errlist *errs)
{
	return rg_approved_parse("list", text, strlen(text), errs);
}

/* Whether ref (parsed as docker parses it) is approved by a. */
static bool has(const struct rg_approved *a, const char *ref)
{
	struct rg_imageref img;
	const char *err;

	if (rg_imageref_parse(ref, &img, &err) < 0)
		test_fail("%s does not parse: %s", ref, err);
	return rg_approved_has(a, &img);
}

/* text must fail to parse, with exactly the one message want. */
static void bad(const char *text, const char *want)
{
	struct rg_errlist errs = { 0 };
	struct rg_approved *a = parse(text, &errs);

	if (a != NULL)
		test_fail("parsed, but should not: %s", text);
	test_assert(errs.n == 1);
	test_str_eq(RG_ERRLIST_LINE(&errs, 0), want);
	rg_errlist_free(&errs);
}

static void test_valid(void)
{
	struct rg_errlist errs = { 0 };
	struct rg_approved *a = parse(
		"# approved by the scanner\n"
		"\n"
		A "\n"
		"  busybox@" B "   # official image\n"
		"localhost:5000/team/app:1.2@" C "\r\n"
		"registry.example.org/team/app@" C "\n", &errs);

	test_assert(a != NULL);
	test_assert(rg_errlist_empty(&errs));
	test_assert(a->n == 4);
	/* a bare digest: any name */
	test_assert(has(a, "busybox@" A));
	test_assert(has(a, "localhost:5000/x/y:tag@" A));
	test_assert(has(a, "evil.example.org/x@" A));
	/* a named digest: that repository, however it is spelled */
	test_assert(has(a, "busybox@" B));
	test_assert(has(a, "docker.io/library/busybox@" B));
	test_assert(has(a, "index.docker.io/library/busybox:1.36@" B));
	test_assert(!has(a, "localhost:5000/busybox@" B));
	test_assert(!has(a, "docker.io/team/busybox@" B));
	test_assert(!has(a, "busybox2@" B));
	/* the tag written in the file means nothing; both names are listed */
	test_assert(has(a, "localhost:5000/team/app@" C));
	test_assert(has(a, "localhost:5000/team/app:9@" C));
	test_assert(has(a, "registry.example.org/team/app@" C));
	test_assert(!has(a, "localhost:5000/team/app2@" C));
	test_assert(!has(a, "busybox@" C));
	/* not listed, or no digest at all */
	test_assert(!has(a, "busybox@" N));
	test_assert(!has(a, "busybox:latest"));
	rg_approved_free(a);
}

static void test_empty(void)
{
	struct rg_errlist errs = { 0 };
	struct rg_approved *a = parse("", &errs);

	test_assert(a != NULL && a->n == 0);
	test_assert(!has(a, "busybox@" A));
	rg_approved_free(a);
	a = parse("# nothing approved yet\n\n", &errs);
	test_assert(a != NULL && a->n == 0);
	rg_approved_free(a);
	test_assert(rg_errlist_empty(&errs));
}

static void test_bad_lines(void)
{
	char upper[] = A;

	for (char *p = upper + 7; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	bad("busybox:latest\n", "list:1: not an entry: write [NAME@]sha256:HEX");
	bad("# ok\n" A "\njunk\n", "list:3: not an entry: write [NAME@]sha256:HEX");
	bad("busybox@sha256:abc\n", "list:1: the digest is too short: a sha256 digest has 64 hex digits");
	bad(A "0\n", "list:1: the digest is too long: a sha256 digest has 64 hex digits");
	bad("busybox@" A "\n" "x@" "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e\n",
		"list:2: the digest algorithm is not sha256");
	bad("SHA256:d6a7cd2a7371b1a15d543196979ff74fdb027023ebf187d5d329be11055c77fd\n",
		"list:1: the digest algorithm must be written \"sha256\" in lower case");
	bad("sha256:d6a7cd2a7371b1a15d543196979ff74fdb027023ebf187d5d329be11055c77fz\n",
		"list:1: the digest is not hexadecimal");
	bad("busybox@" A "@" A "\n", "list:1: two '@' in one entry");
	bad("@" A "\n", "list:1: the name before '@' is empty");
	bad("Busybox@" A "\n", "list:1: the repository name must be lowercase");
	bad("busybox@" A " extra\n", "list:1: not an entry: write [NAME@]sha256:HEX");
	/* a file caught half-written: the last line has no newline */
	bad(A "\n" "busybox@sha256:9d75f0d7", "list:2: the last line does not end with a newline "
		"(the file may be half-written; replace it by rename)");
	bad(A "\n" A, "list:2: the last line does not end with a newline "
		"(the file may be half-written; replace it by rename)");
	{
		struct rg_errlist errs = { 0 };
		char buf[128] = A "\n";

		buf[3] = '\0';
		test_assert(rg_approved_parse("list", buf, strlen(A) + 1, &errs) == NULL);
		test_str_eq(RG_ERRLIST_LINE(&errs, 0), "list:1: a NUL byte (not a text file)");
		rg_errlist_free(&errs);
	}
	{
		/* every bad line is reported, with its number; nothing is kept */
		struct rg_errlist errs = { 0 };
		char text[512];

		snprintf(text, sizeof(text), A "\nbad\n" B "\nbusybox@%s\n", upper);
		test_assert(parse(text, &errs) == NULL);
		test_assert(errs.n == 2);
		test_str_eq(RG_ERRLIST_LINE(&errs, 0), "list:2: not an entry: write [NAME@]sha256:HEX");
		test_str_eq(RG_ERRLIST_LINE(&errs, 1), "list:4: the digest uses upper-case hex digits, which docker "
			"never writes");
		rg_errlist_free(&errs);
	}
	{
		/* an over-long line */
		struct rg_errlist errs = { 0 };
		char text[RG_APPROVED_LINE_MAX + 64];

		memset(text, 'a', RG_APPROVED_LINE_MAX + 10);
		text[RG_APPROVED_LINE_MAX + 10] = '\n';
		text[RG_APPROVED_LINE_MAX + 11] = '\0';
		test_assert(parse(text, &errs) == NULL);
		test_str_eq(RG_ERRLIST_LINE(&errs, 0), "list:1: the line is longer than 1024 bytes");
		rg_errlist_free(&errs);
	}
}

static void test_digest_problem(void)
{
	test_assert(rg_approved_digest_problem(A) == NULL);
	test_assert(rg_approved_digest_problem("sha256:") != NULL);
	test_assert(rg_approved_digest_problem("d6a7cd2a") != NULL);
	test_str_eq(rg_approved_digest_problem("md5:d41d8cd98f00b204e9800998ecf8427e"),
		"the digest algorithm is not sha256");
	test_str_eq(rg_approved_digest_problem("sha256:D6A7CD2A7371B1A15D543196979FF74FDB027023EBF187D5D329BE11055C77FD"),
		"the digest uses upper-case hex digits, which docker never writes");
}

/* Many entries: the lookup is a binary search, not a scan that happens to work. */
static void test_many(void)
{
	static char text[80 * 2000 + 1];
	struct rg_errlist errs = { 0 };
	struct rg_approved *a;
	size_t off = 0;
	char ref[128];

	for (unsigned i = 0; i < 2000; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "sha256:%064x\n", i * 7919u);
	a = parse(text, &errs);
	test_assert(a != NULL && a->n == 2000);
	for (unsigned i = 0; i < 2000; i += 37) {
		snprintf(ref, sizeof(ref), "busybox@sha256:%064x", i * 7919u);
		test_assert(has(a, ref));
		snprintf(ref, sizeof(ref), "busybox@sha256:%064x", i * 7919u + 1);
		test_assert(!has(a, ref));
	}
	rg_approved_free(a);
}

int main(void)
{
	test_valid();
	test_empty();
	test_bad_lines();
	test_digest_problem();
	test_many();
	printf("approved: ok\n");
	return 0;
}
