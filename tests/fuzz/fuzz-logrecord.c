/*
 * Fuzz target: the accountability log record (audit_record.h): the line
 * parser, the hash check and the chain verifier on arbitrary log text, and
 * the writer's formatter on arbitrary field values.
 *
 * Input: the bytes are fed as a log file, line by line, to the parser and a
 * verifier (plain and keyed). Then they are split at NUL bytes into the
 * fields of a decision (first byte: flags) that is formatted twice into a
 * chain. Properties: a formatted record is one line that parses, checks and
 * verifies as a chain of two; each field reads back as written when it is
 * valid UTF-8 no longer than RG_AUDIT_FIELD_MAX; any one changed byte makes
 * the record fail to parse or to check; nothing the parser or the verifier
 * is fed crashes them.
 */
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "rolegate/audit_record.h"

#define NFIELDS 12

static const unsigned char key[] = "fuzz key, long enough to be accepted";

/* Strict UTF-8 (RFC 3629) without control characters' special cases. */
static bool valid_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != '\0') {
		unsigned char c = *s;
		size_t len;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4;
		else
			return false;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (s[1] < lo || s[1] > hi)
			return false;
		for (size_t i = 2; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
		}
		s += len;
	}
	return true;
}

static void same_field(const char *written, const char *read)
{
	if (written == NULL || strlen(written) > RG_AUDIT_FIELD_MAX || !valid_utf8(written))
		return;
	fuzz_assert(read != NULL);
	if (strcmp(written, read) != 0)
		fprintf(stderr, "field written as \"%s\" read back as \"%s\"\n", written, read);
	fuzz_assert(strcmp(written, read) == 0);
}

static void feed_log(const uint8_t *data, size_t size, struct rg_audit_mac *m)
{
	struct rg_audit_verifier *v = rg_audit_verifier_new(m, NULL, NULL);
	struct rg_audit_finding brk;
	const char *p = (const char *)data, *end = p + size;
	unsigned long lineno = 0;
	uint64_t records = 0;
	bool broken = false;

	fuzz_assert(v != NULL);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		struct rg_audit_record r;
		const char *err = NULL;

		lineno++;
		if (rg_audit_record_parse(p, len, &r, &err) == 0) {
			fuzz_assert(r.seq >= 1);
			fuzz_assert(r.user != NULL && r.uri != NULL && r.phase != NULL);
			rg_audit_record_check(&r, p, len, m);
		} else {
			fuzz_assert(err != NULL);
		}
		rg_audit_record_clear(&r);
		if (!broken && rg_audit_verifier_feed(v, 0, lineno, p, len, nl != NULL, &brk) < 0) {
			fuzz_assert(brk.what[0] != '\0');
			broken = true;
		}
		p += len + (nl != NULL);
	}
	if (!broken && rg_audit_verifier_finish(v, &records, &brk) < 0)
		fuzz_assert(brk.what[0] != '\0');
	rg_audit_verifier_free(v);
}

static void round_trip(const uint8_t *data, size_t size, struct rg_audit_mac *m)
{
	char *copy = malloc(size + 1);
	const char *f[NFIELDS] = { 0 };
	struct rg_strv groups = { 0 }, roles = { 0 };
	struct rg_audit_entry e;
	struct rg_audit_chain c0 = { 0 }, c1, c2;
	struct rg_audit_buf b1 = { 0 }, b2 = { 0 };
	struct rg_audit_record r;
	struct rg_audit_verifier *v;
	struct rg_audit_finding brk;
	struct timespec t;
	const char *err = NULL;
	unsigned flags = size > 0 ? data[0] : 0;
	size_t nf = 0, len;
	uint64_t records = 0;

	fuzz_assert(copy != NULL);
	if (size > 1)
		memcpy(copy, data + 1, size - 1);
	copy[size > 0 ? size - 1 : 0] = '\0';
	for (char *p = copy; nf < NFIELDS && p <= copy + (size > 0 ? size - 1 : 0); p += strlen(p) + 1)
		f[nf++] = p;
	for (size_t i = 10; i < nf; i++)
		rg_strv_push(i == 10 ? &groups : &roles, f[i]);
	e = (struct rg_audit_entry){
		.phase = (flags & 1) ? RG_PHASE_RESPONSE : RG_PHASE_REQUEST,
		.user = f[0], .authn = f[1], .command = f[2], .object = f[3], .method = f[4],
		.uri = f[5], .decision = (flags & 2) ? RG_ALLOW : RG_DENY, .role = f[6],
		.reason = f[7], .status = (int)(flags >> 4) * 37, .id = f[8],
		.note = (flags & 8) ? f[9] : NULL, .groups = &groups, .roles = &roles,
	};
	/* A time the writer can meet: 1970 to 2106. */
	t.tv_sec = (time_t)(size * 2654435761u % 4294967296u);
	t.tv_nsec = (long)(size * 7919 % 1000000000);

	fuzz_assert(rg_audit_format(&b1, &c0, &t, &e, m, &c1) == 0);
	fuzz_assert(c1.seq == 1);
	fuzz_assert(b1.len > 0 && b1.p[b1.len - 1] == '\n');
	fuzz_assert(memchr(b1.p, '\n', b1.len - 1) == NULL);
	len = b1.len - 1;

	fuzz_assert(rg_audit_record_parse(b1.p, len, &r, &err) == 0);
	fuzz_assert(rg_audit_record_check(&r, b1.p, len, m) == 0);
	fuzz_assert(r.seq == 1);
	fuzz_assert(memcmp(r.hash, c1.hash, RG_AUDIT_DIGEST_LEN) == 0);
	fuzz_assert(memcmp(r.prev, c0.hash, RG_AUDIT_DIGEST_LEN) == 0);
	same_field(e.user, r.user);
	if (e.authn != NULL && e.authn[0] != '\0')
		same_field(e.authn, r.authn);
	same_field(e.command, r.command);
	same_field(e.object, r.object);
	same_field(e.method, r.method);
	same_field(e.uri, r.uri);
	if (e.decision == RG_ALLOW)
		same_field(e.role, r.role);
	else
		same_field(e.reason, r.reason);
	if (e.id != NULL && e.id[0] != '\0')
		same_field(e.id, r.id);
	if (e.note != NULL)
		same_field(e.note, r.note);
	if (groups.n > 0 && r.groups != NULL)
		same_field(groups.v[0], json_string_value(json_array_get(r.groups, 0)));
	fuzz_assert(strcmp(r.decision, e.decision == RG_ALLOW ? "allow" : "deny") == 0);
	rg_audit_record_clear(&r);

	/* Any one changed byte is noticed. */
	{
		size_t at = (size * 31 + flags) % len;
		char saved = b1.p[at];

		b1.p[at] = (char)(saved ^ (1 + flags % 255));
		if (rg_audit_record_parse(b1.p, len, &r, &err) == 0)
			fuzz_assert(rg_audit_record_check(&r, b1.p, len, m) != 0);
		rg_audit_record_clear(&r);
		b1.p[at] = saved;
	}

	/* Two records make a chain the verifier accepts. */
	t.tv_sec += 1;
	fuzz_assert(rg_audit_format(&b2, &c1, &t, &e, m, &c2) == 0);
	fuzz_assert(c2.seq == 2);
	v = rg_audit_verifier_new(m, NULL, NULL);
	fuzz_assert(v != NULL);
	fuzz_assert(rg_audit_verifier_feed(v, 0, 1, b1.p, b1.len - 1, true, &brk) == 0);
	fuzz_assert(rg_audit_verifier_feed(v, 0, 2, b2.p, b2.len - 1, true, &brk) == 0);
	fuzz_assert(rg_audit_verifier_finish(v, &records, &brk) == 0);
	fuzz_assert(records == 2);
	rg_audit_verifier_free(v);

	rg_audit_buf_free(&b1);
	rg_audit_buf_free(&b2);
	rg_strv_free(&groups);
	rg_strv_free(&roles);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rg_audit_mac *plain, *keyed;

	if (plain == NULL) {
		plain = rg_audit_mac_new(NULL, 0);
		keyed = rg_audit_mac_new(key, sizeof(key) - 1);
		fuzz_assert(plain != NULL && keyed != NULL);
	}
	if (size > 256 * 1024)
		return 0;
	feed_log(data, size, plain);
	feed_log(data, size, keyed);
	round_trip(data, size, (size > 0 && (data[0] & 4)) ? keyed : plain);
	return 0;
}
