/*
 * The audit record and chain (rbac/audit_record.c): exact serialization,
 * the hash definition checked against OpenSSL's one-shot functions, the
 * parser's refusals, and the verifier against every kind of tampering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "rolegate/audit_record.h"
#include "test.h"

static const char zeros_hex[] = "0000000000000000000000000000000000000000000000000000000000000000";

static struct rg_strv strv_of(const char *a, const char *b)
{
	struct rg_strv sv = { 0 };

	if (a != NULL)
		test_assert(rg_strv_push(&sv, a) == 0);
	if (b != NULL)
		test_assert(rg_strv_push(&sv, b) == 0);
	return sv;
}

/* Formats e after chain c at t; returns a malloc'd line without its '\n'. */
static char *fmt(struct rg_audit_chain *c, const struct rg_audit_entry *e, struct rg_audit_mac *m,
		long sec, long usec)
{
	struct rg_audit_buf b = { 0 };
	struct rg_audit_chain next;
	struct timespec t = { sec, usec * 1000 };
	char *line;

	test_assert(rg_audit_format(&b, c, &t, e, m, &next) == 0);
	test_assert(b.len > 0 && b.p[b.len - 1] == '\n');
	test_assert(memchr(b.p, '\n', b.len - 1) == NULL);
	line = strndup(b.p, b.len - 1);
	*c = next;
	rg_audit_buf_free(&b);
	return line;
}

static void test_exact_line(void)
{
	struct rg_strv groups = strv_of("docker-ops", NULL), roles = strv_of("ops", NULL);
	struct rg_audit_entry e = {
		.phase = RG_PHASE_REQUEST, .user = "alice", .authn = "TLS", .groups = &groups,
		.roles = &roles, .command = "container.start", .object = "web", .method = "POST",
		.uri = "/v1.41/containers/web/start", .decision = RG_ALLOW, .role = "ops",
	};
	struct rg_audit_chain c = { 0 };
	struct rg_audit_mac *m = rg_audit_mac_new(NULL, 0);
	unsigned char d[32];
	unsigned int dlen;
	char hex[65], *line, *body, *want;
	const char *prefix = "{\"seq\":1,\"time\":\"2026-11-29T21:37:28.123456Z\",\"phase\":\"request\","
		"\"user\":\"alice\",\"authn\":\"TLS\",\"groups\":[\"docker-ops\"],\"roles\":[\"ops\"],"
		"\"command\":\"container.start\",\"object\":\"web\",\"method\":\"POST\","
		"\"uri\":\"/v1.41/containers/web/start\",\"decision\":\"allow\",\"role\":\"ops\","
		"\"prev\":\"";

	test_assert(m != NULL);
	line = fmt(&c, &e, m, 1795988248, 123456);  /* 2026-11-29T21:37:28Z */
	/* hash = SHA-256 of the line without its ,"hash":"..." member. */
	body = malloc(strlen(prefix) + 64 + 3);
	test_assert(body != NULL);
	sprintf(body, "%s%s\"}", prefix, zeros_hex);
	test_assert(EVP_Digest(body, strlen(body), d, &dlen, EVP_sha256(), NULL) == 1);
	rg_audit_hex(d, hex);
	want = malloc(strlen(body) + 100);
	test_assert(want != NULL);
	sprintf(want, "%s%s\",\"hash\":\"%s\"}", prefix, zeros_hex, hex);
	test_str_eq(line, want);
	test_assert(c.seq == 1 && memcmp(c.hash, d, 32) == 0);
	free(line);
	free(body);
	free(want);
	rg_audit_mac_free(m);
	rg_strv_free(&groups);
	rg_strv_free(&roles);
}

static void test_fields_by_phase(void)
{
	struct rg_audit_chain c = { 0 };
	struct rg_audit_mac *m = rg_audit_mac_new(NULL, 0);
	struct rg_audit_entry deny = {
		.phase = RG_PHASE_REQUEST, .user = "", .authn = "", .command = "container.create",
		.object = "x", .method = "POST", .uri = "/containers/create?name=x",
		.decision = RG_DENY, .reason = "no roles", .role = "ignored",
	};
	struct rg_audit_entry resp = {
		.phase = RG_PHASE_RESPONSE, .user = "bob", .authn = "TLS", .command = "container.create",
		.object = "x", .method = "POST", .uri = "/containers/create?name=x",
		.decision = RG_ALLOW, .role = "dev", .status = 201, .id = "0123abcd", .note = "n",
	};
	struct rg_audit_record r;
	const char *why = NULL;
	char *line;
	char hex[65];

	line = fmt(&c, &deny, m, 0, 0);
	test_assert(strstr(line, "\"authn\":\"none\"") != NULL);   /* SPEC §6: ""/none */
	test_assert(strstr(line, "\"groups\":[],\"roles\":[]") != NULL);
	test_assert(strstr(line, "\"reason\":\"no roles\"") != NULL);
	test_assert(strstr(line, "\"role\"") == NULL);
	test_assert(strstr(line, "\"status\"") == NULL);
	test_assert(strstr(line, "\"time\":\"1970-01-01T00:00:00.000000Z\"") != NULL);
	free(line);

	line = fmt(&c, &resp, m, 0, 999999);
	test_assert(rg_audit_record_parse(line, strlen(line), &r, &why) == 0);
	test_assert(r.seq == 2);
	test_str_eq(r.phase, "response");
	test_assert(r.status == 201);
	test_str_eq(r.id, "0123abcd");
	test_str_eq(r.note, "n");
	test_str_eq(r.role, "dev");
	test_str_eq(r.reason, "");
	test_assert(r.time_us == 999999);
	rg_audit_hex(r.prev, hex);
	test_assert(strcmp(hex, zeros_hex) != 0);     /* links to record 1 */
	test_assert(rg_audit_record_check(&r, line, strlen(line), m) == 0);
	rg_audit_record_clear(&r);
	free(line);
	rg_audit_mac_free(m);
}

static void test_escaping(void)
{
	struct rg_audit_chain c = { 0 };
	struct rg_audit_mac *m = rg_audit_mac_new(NULL, 0);
	char *huge = malloc(RG_AUDIT_FIELD_MAX + 100);
	struct rg_audit_entry e = {
		.user = "o\"ne\\il\n\x01\x7f", .object = "bad\xff\xc3utf8 caf\xc3\xa9 \xe2\x82",
		.uri = huge, .command = "x",
	};
	struct rg_audit_record r;
	const char *why;
	char *line;
	size_t ulen;

	memset(huge, 'a', RG_AUDIT_FIELD_MAX + 99);
	huge[RG_AUDIT_FIELD_MAX - 1] = '\xc3';  /* a 2-byte char straddling the cut */
	huge[RG_AUDIT_FIELD_MAX] = '\xa9';
	huge[RG_AUDIT_FIELD_MAX + 99] = '\0';
	line = fmt(&c, &e, m, 0, 0);
	test_assert(rg_audit_record_parse(line, strlen(line), &r, &why) == 0);
	test_str_eq(r.user, "o\"ne\\il\n\x01\x7f");
	test_str_eq(r.object, "bad\xef\xbf\xbd\xef\xbf\xbdutf8 caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
	ulen = strlen(r.uri);
	test_assert(ulen == RG_AUDIT_FIELD_MAX - 1 + 3);
	test_assert(strcmp(r.uri + ulen - 3, "...") == 0);
	test_assert(rg_audit_record_check(&r, line, strlen(line), m) == 0);
	rg_audit_record_clear(&r);
	free(line);
	free(huge);
	rg_audit_mac_free(m);
}

static void test_hmac(void)
{
	static const char key[] = "0123456789abcdef-secret";
	struct rg_audit_mac *k = rg_audit_mac_new(key, strlen(key));
	struct rg_audit_mac *plain = rg_audit_mac_new(NULL, 0);
	struct rg_audit_entry e = { .user = "u", .command = "system.ping" };
	struct rg_audit_chain c = { 0 };
	struct rg_audit_record r;
	unsigned char d[32];
	unsigned int dlen;
	const char *why;
	char *line;
	size_t len;

	test_assert(k != NULL && rg_audit_mac_keyed(k) && !rg_audit_mac_keyed(plain));
	for (int i = 0; i < 3; i++) {   /* the key must survive reuse of the context */
		line = fmt(&c, &e, k, i, 0);
		len = strlen(line);
		test_assert(rg_audit_record_parse(line, len, &r, &why) == 0);
		{
			char *body = strndup(line, len - RG_AUDIT_HASH_TAIL_LEN + 1);

			body[len - RG_AUDIT_HASH_TAIL_LEN] = '}';
			test_assert(HMAC(EVP_sha256(), key, (int)strlen(key), (unsigned char *)body,
					strlen(body), d, &dlen) != NULL);
			free(body);
		}
		test_assert(memcmp(d, r.hash, 32) == 0);
		test_assert(rg_audit_record_check(&r, line, len, k) == 0);
		test_assert(rg_audit_record_check(&r, line, len, plain) == -1);
		rg_audit_record_clear(&r);
		free(line);
	}
	rg_audit_mac_free(k);
	rg_audit_mac_free(plain);
}

static void expect_parse_fail(const char *line)
{
	struct rg_audit_record r;
	const char *why = NULL;

	if (rg_audit_record_parse(line, strlen(line), &r, &why) == 0)
		test_fail("parsed but should not: %s", line);
	test_assert(why != NULL);
	rg_audit_record_clear(&r);
}

static void test_parse_refusals(void)
{
	const char *h = "1111111111111111111111111111111111111111111111111111111111111111";
	char buf[1024];

	expect_parse_fail("");
	expect_parse_fail("not json");
	expect_parse_fail("[1,2]");
#define REC(body) (snprintf(buf, sizeof(buf), "{" body ",\"prev\":\"%s\",\"hash\":\"%s\"}", h, h), buf)
	/* a valid one, to know the others fail for their reason */
	{
		struct rg_audit_record r;
		const char *why;

		REC("\"seq\":1,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"request\"");
		test_assert(rg_audit_record_parse(buf, strlen(buf), &r, &why) == 0);
		rg_audit_record_clear(&r);
	}
	expect_parse_fail(REC("\"seq\":0,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"request\""));
	expect_parse_fail(REC("\"seq\":\"1\",\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"request\""));
	expect_parse_fail(REC("\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"request\""));
	expect_parse_fail(REC("\"seq\":1,\"time\":\"yesterday\",\"phase\":\"request\""));
	expect_parse_fail(REC("\"seq\":1,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"maybe\""));
	expect_parse_fail(REC("\"seq\":1,\"seq\":2,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"request\""));
	expect_parse_fail(REC("\"seq\":1,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"request\",\"user\":5"));
	expect_parse_fail(REC("\"seq\":1,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"request\",\"groups\":[1]"));
	expect_parse_fail(REC("\"seq\":1,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"system\",\"event\":\"odd\""));
	expect_parse_fail(REC("\"seq\":1,\"time\":\"2026-01-01T00:00:00.000000Z\",\"phase\":\"system\",\"event\":\"torn\""));
	/* hash not last / not lowercase hex */
	snprintf(buf, sizeof(buf), "{\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\",\"phase\":\"request\","
			"\"hash\":\"%s\",\"prev\":\"%s\"}", h, h);
	expect_parse_fail(buf);
	snprintf(buf, sizeof(buf), "{\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\",\"phase\":\"request\","
			"\"prev\":\"%s\",\"hash\":\"%.63sA\"}", h, h);
	expect_parse_fail(buf);
	snprintf(buf, sizeof(buf), "{\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\",\"phase\":\"request\","
			"\"prev\":\"%.63s\",\"hash\":\"%s\"}", h, h);
	expect_parse_fail(buf);
	/* "hash" repeated earlier: duplicates are refused */
	snprintf(buf, sizeof(buf), "{\"hash\":\"x\",\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\","
			"\"phase\":\"request\",\"prev\":\"%s\",\"hash\":\"%s\"}", h, h);
	expect_parse_fail(buf);
#undef REC
}

/* ---- verifier ---- */

struct notes {
	int n;
	struct rg_audit_finding last;
};

static void on_notice(void *arg, const struct rg_audit_finding *f)
{
	struct notes *n = arg;

	n->n++;
	n->last = *f;
}

#define NREC 6

/* Builds a chain of NREC lines (+ optional system records) with m. */
static void build_chain(char **lines, struct rg_audit_mac *m, struct rg_audit_chain *c)
{
	struct rg_strv g = strv_of("devs", NULL), ro = strv_of("developer", NULL);

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < NREC; i++) {
		char obj[16];
		struct rg_audit_entry e = {
			.phase = RG_PHASE_REQUEST, .user = i % 2 ? "alice" : "bob", .authn = "TLS",
			.groups = &g, .roles = &ro, .command = "container.start", .object = obj,
			.method = "POST", .uri = "/containers/x/start",
			.decision = i % 3 ? RG_ALLOW : RG_DENY, .role = "developer", .reason = "no",
		};

		snprintf(obj, sizeof(obj), "c%d", i);
		lines[i] = fmt(c, &e, m, 1000 + i, 0);
	}
	rg_strv_free(&g);
	rg_strv_free(&ro);
}

struct feed {
	const char *line;
	size_t file;
	bool unterminated;
};

/* Runs the verifier over lines; returns the break's line (1-based per file), 0 if intact. */
static unsigned long run(struct rg_audit_mac *m, const struct feed *f, size_t n, struct notes *notes,
		uint64_t *records, struct rg_audit_finding *brk_out)
{
	struct rg_audit_verifier *v = rg_audit_verifier_new(m, on_notice, notes);
	struct rg_audit_finding brk;
	unsigned long lineno[4] = { 0 };
	uint64_t rec = 0;

	test_assert(v != NULL);
	for (size_t i = 0; i < n; i++) {
		lineno[f[i].file]++;
		if (rg_audit_verifier_feed(v, f[i].file, lineno[f[i].file], f[i].line, strlen(f[i].line),
				!f[i].unterminated, &brk) < 0) {
			rg_audit_verifier_free(v);
			if (brk_out != NULL)
				*brk_out = brk;
			return brk.line;
		}
	}
	if (rg_audit_verifier_finish(v, &rec, &brk) < 0) {
		rg_audit_verifier_free(v);
		if (brk_out != NULL)
			*brk_out = brk;
		return brk.line;
	}
	if (records != NULL)
		*records = rec;
	rg_audit_verifier_free(v);
	return 0;
}

static unsigned long run_lines(struct rg_audit_mac *m, char **lines, size_t n, struct notes *notes)
{
	struct feed f[16];

	for (size_t i = 0; i < n; i++)
		f[i] = (struct feed){ lines[i], 0, false };
	return run(m, f, n, notes, NULL, NULL);
}

static char *torn_record(struct rg_audit_chain *c, struct rg_audit_mac *m, const char *torn,
		enum rg_audit_event ev)
{
	struct rg_audit_system s = { .event = ev, .note = "test" };
	struct rg_audit_buf b = { 0 };
	struct rg_audit_chain next;
	struct timespec t = { 5000, 0 };
	char *line;

	s.torn_bytes = strlen(torn);
	test_assert(rg_audit_sha256(torn, strlen(torn), s.torn_sha256) == 0);
	test_assert(rg_audit_format_system(&b, c, &t, &s, m, &next) == 0);
	line = strndup(b.p, b.len - 1);
	*c = next;
	rg_audit_buf_free(&b);
	return line;
}

static void test_verifier(void)
{
	struct rg_audit_mac *m = rg_audit_mac_new(NULL, 0);
	struct rg_audit_mac *k = rg_audit_mac_new("a-key-of-16-bytes-or-more", 25);
	struct rg_audit_chain c;
	char *lines[NREC];
	char *work[NREC + 4];
	struct notes notes = { 0 };
	struct rg_audit_finding brk;
	uint64_t records = 0;
	struct feed f[NREC + 4];

	build_chain(lines, m, &c);

	/* intact */
	for (int i = 0; i < NREC; i++)
		f[i] = (struct feed){ lines[i], 0, false };
	test_assert(run(m, f, NREC, &notes, &records, NULL) == 0);
	test_assert(records == NREC && notes.n == 0);

	/* every single-byte change of any record is found, at that record */
	for (int i = 0; i < NREC; i++) {
		char *copy = strdup(lines[i]);
		char *p = strstr(copy, "\"c");   /* the object's value */

		test_assert(p != NULL);
		p[1] = 'd';
		memcpy(work, lines, sizeof(lines));
		work[i] = copy;
		if (run_lines(m, work, NREC, &notes) != (unsigned long)i + 1)
			test_fail("a change of record %d was not reported at line %d", i + 1, i + 1);
		free(copy);
	}

	/* deleting any record: the next line breaks (deleting the last is the
	 * hash chain's known limit: nothing follows it; syslog copies cover it) */
	for (int i = 0; i < NREC - 1; i++) {
		int n = 0;

		for (int j = 0; j < NREC; j++) {
			if (j != i)
				work[n++] = lines[j];
		}
		for (int j = 0; j < n; j++)
			f[j] = (struct feed){ work[j], 0, false };
		if (run(m, f, (size_t)n, &notes, NULL, &brk) != (unsigned long)i + 1)
			test_fail("deleting record %d was not reported at line %d", i + 1, i + 1);
		test_assert(brk.seq == (uint64_t)i + 2);
		test_assert(strstr(brk.what, i == 0 ? "does not start at seq 1" : "expected seq") != NULL);
	}

	/* swapping neighbours */
	for (int i = 0; i < NREC - 1; i++) {
		memcpy(work, lines, sizeof(lines));
		work[i] = lines[i + 1];
		work[i + 1] = lines[i];
		test_assert(run_lines(m, work, NREC, &notes) == (unsigned long)i + 1);
	}

	/* inserting a copy of a record after line 3 */
	memcpy(work, lines, 3 * sizeof(char *));
	work[3] = lines[1];
	memcpy(work + 4, lines + 3, (NREC - 3) * sizeof(char *));
	test_assert(run_lines(m, work, NREC + 1, &notes) == 4);

	/* a garbage line in the middle is a break, not a torn record */
	memcpy(work, lines, 3 * sizeof(char *));
	work[3] = (char *)"{\"seq\":4,\"ti";
	memcpy(work + 4, lines + 3, (NREC - 3) * sizeof(char *));
	test_assert(run_lines(m, work, NREC + 1, &notes) == 4);

	/* starting mid-chain without a rotation record: records before are missing */
	test_assert(run_lines(m, lines + 2, NREC - 2, &notes) == 1);

	/* a torn last line: a warning, not a break */
	notes.n = 0;
	for (int i = 0; i < NREC; i++)
		f[i] = (struct feed){ lines[i], 0, false };
	f[NREC] = (struct feed){ "{\"seq\":7,\"time\":\"20", 0, true };
	test_assert(run(m, f, NREC + 1, &notes, &records, NULL) == 0);
	test_assert(records == NREC && notes.n == 1 && notes.last.line == NREC + 1);
	test_assert(strstr(notes.last.what, "torn last line") != NULL);
	/* ...but a terminated garbage last line is a break */
	f[NREC].unterminated = false;
	test_assert(run(m, f, NREC + 1, &notes, NULL, NULL) == NREC + 1);

	/* a torn line in mid-file explained by the torn record that follows it */
	{
		struct rg_audit_chain c2 = c;
		const char *torn = "{\"seq\":7,\"time\":\"2026-";
		char *tr = torn_record(&c2, m, torn, RG_AUDIT_EVENT_TORN);
		char *bad;

		for (int i = 0; i < NREC; i++)
			f[i] = (struct feed){ lines[i], 0, false };
		f[NREC] = (struct feed){ torn, 0, false };
		f[NREC + 1] = (struct feed){ tr, 0, false };
		notes.n = 0;
		test_assert(run(m, f, NREC + 2, &notes, &records, NULL) == 0);
		test_assert(records == NREC + 1 && notes.n == 1 && notes.last.line == NREC + 1);
		/* different torn bytes than the record describes: a break at the torn line */
		f[NREC] = (struct feed){ "{\"seq\":7,\"time\":\"2027-", 0, false };
		test_assert(run(m, f, NREC + 2, &notes, NULL, &brk) == NREC + 1);
		/* the torn bytes removed afterwards: a break at the torn record */
		f[NREC] = (struct feed){ tr, 0, false };
		test_assert(run(m, f, NREC + 1, &notes, NULL, NULL) == NREC + 1);
		/* torn bytes at the end of a rotated file, the torn record opening the next */
		f[NREC] = (struct feed){ torn, 0, true };
		f[NREC + 1] = (struct feed){ tr, 1, false };
		test_assert(run(m, f, NREC + 2, &notes, &records, NULL) == 0);
		test_assert(records == NREC + 1);
		/* the next file alone starts at a system record: accepted, with a note */
		notes.n = 0;
		f[0] = (struct feed){ tr, 0, false };
		test_assert(run(m, f, 1, &notes, &records, NULL) == 0);
		test_assert(records == 1 && notes.n == 1);
		bad = strdup(tr);
		bad[strlen(bad) - 3] ^= 1;
		f[0] = (struct feed){ bad, 0, false };
		test_assert(run(m, f, 1, &notes, NULL, NULL) == 1);
		free(bad);
		free(tr);
	}

	/* rotation: file 0 then file 1 opening with a rotate record */
	{
		struct rg_audit_chain c2 = c;
		char *rot = torn_record(&c2, m, "", RG_AUDIT_EVENT_ROTATE);

		for (int i = 0; i < NREC; i++)
			f[i] = (struct feed){ lines[i], 0, false };
		f[NREC] = (struct feed){ rot, 1, false };
		test_assert(run(m, f, NREC + 1, &notes, &records, NULL) == 0);
		test_assert(records == NREC + 1);
		/* the files out of order: a break */
		f[0] = (struct feed){ rot, 0, false };
		for (int i = 0; i < NREC; i++)
			f[i + 1] = (struct feed){ lines[i], 1, false };
		test_assert(run(m, f, NREC + 1, &notes, NULL, &brk) == 1 && brk.file == 1);
		free(rot);
	}

	/* a keyed verifier rejects a plain chain at its first record */
	test_assert(run_lines(k, lines, NREC, &notes) == 1);

	for (int i = 0; i < NREC; i++)
		free(lines[i]);
	rg_audit_mac_free(m);
	rg_audit_mac_free(k);
}

static void test_times(void)
{
	int64_t now = 1795988248000000LL, t = 0;

	test_assert(rg_audit_time_parse("2026-11-29T21:37:28Z", now, &t) == 0 && t == 1795988248000000LL);
	test_assert(rg_audit_time_parse("2026-11-29T21:37:28.5Z", now, &t) == 0 && t == 1795988248500000LL);
	test_assert(rg_audit_time_parse("2026-11-29T21:37:28.123456Z", now, &t) == 0 &&
			t == 1795988248123456LL);
	test_assert(rg_audit_time_parse("2026-11-29T22:37:28+01:00", now, &t) == 0 && t == 1795988248000000LL);
	test_assert(rg_audit_time_parse("2026-11-29T20:37:28-01:00", now, &t) == 0 && t == 1795988248000000LL);
	test_assert(rg_audit_time_parse("2026-11-29 21:37", now, &t) == 0 && t == 1795988220000000LL);
	test_assert(rg_audit_time_parse("2026-11-29", now, &t) == 0 && t == 1795910400000000LL);
	test_assert(rg_audit_time_parse("15m", now, &t) == 0 && t == now - 900000000LL);
	test_assert(rg_audit_time_parse("2h", now, &t) == 0 && t == now - 7200000000LL);
	test_assert(rg_audit_time_parse("7d", now, &t) == 0 && t == now - 7 * 86400000000LL);
	test_assert(rg_audit_time_parse("30s", now, &t) == 0 && t == now - 30000000LL);
	test_assert(rg_audit_time_parse("15", now, &t) == -1);
	test_assert(rg_audit_time_parse("15w", now, &t) == -1);
	test_assert(rg_audit_time_parse("15mm", now, &t) == -1);
	test_assert(rg_audit_time_parse("2026-13-01", now, &t) == -1);
	test_assert(rg_audit_time_parse("2026-11-29T25:00Z", now, &t) == -1);
	test_assert(rg_audit_time_parse("2026-11-29T21:37:28Zjunk", now, &t) == -1);
	test_assert(rg_audit_time_parse("yesterday", now, &t) == -1);
	test_assert(rg_audit_time_parse("", now, &t) == -1);
}

static void test_records_response(void)
{
	test_assert(rg_audit_records_response(RG_RESPONSES_ALL, "container.list"));
	test_assert(!rg_audit_records_response(RG_RESPONSES_NONE, "container.create"));
	test_assert(rg_audit_records_response(RG_RESPONSES_MUTATING, "container.create"));
	test_assert(rg_audit_records_response(RG_RESPONSES_MUTATING, "container.remove"));
	/* data leaving the host is mutating, though it is a GET (SPEC.md §5) */
	test_assert(rg_audit_records_response(RG_RESPONSES_MUTATING, "container.archive.get"));
	test_assert(rg_audit_records_response(RG_RESPONSES_MUTATING, "image.save"));
	test_assert(rg_audit_records_response(RG_RESPONSES_MUTATING, "unknown"));
	test_assert(rg_audit_records_response(RG_RESPONSES_MUTATING, "image.import"));
	test_assert(!rg_audit_records_response(RG_RESPONSES_MUTATING, "container.list"));
	test_assert(!rg_audit_records_response(RG_RESPONSES_MUTATING, "system.ping"));
	test_assert(!rg_audit_records_response(RG_RESPONSES_MUTATING, "exec.inspect"));
}

int main(void)
{
	test_exact_line();
	test_fields_by_phase();
	test_escaping();
	test_hmac();
	test_parse_refusals();
	test_verifier();
	test_times();
	test_records_response();
	printf("audit-record: ok\n");
	return 0;
}
