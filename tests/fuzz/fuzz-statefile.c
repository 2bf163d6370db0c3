/*
 * Fuzz target: the ownership state files (statefile.h), read at start from
 * plugin.state. The bytes are read as a snapshot and as a journal.
 * Properties: nothing crashes; a read that succeeds leaves a model whose
 * snapshot, written and read back, holds the same number of records, and
 * a torn journal reports a good length that ends a line.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "rolegate/statefile.h"

struct text {
	char *buf;
	size_t len;
};

/* The snapshot's lines appended in memory (rg_statefile_sink). */
static int append(const char *line, size_t len, void *arg)
{
	struct text *t = arg;
	char *buf = realloc(t->buf, t->len + len);

	fuzz_assert(buf != NULL);
	memcpy(buf + t->len, line, len);
	t->buf = buf;
	t->len += len;
	return 0;
}

static void roundtrip(const struct rg_owners *o)
{
	struct rg_owners *back = rg_owners_new(0);
	struct rg_statefile_result res;
	struct text t = { 0 };
	char err[256];

	fuzz_assert(back != NULL);
	fuzz_assert(rg_statefile_snapshot(o, 3, append, &t) == 0);
	fuzz_assert(rg_statefile_read(t.buf, t.len, "snapshot", 0, back, &res, err, sizeof(err)) == 0);
	fuzz_assert(res.gen == 3);
	fuzz_assert(rg_owners_count(back) == rg_owners_count(o));
	free(t.buf);
	rg_owners_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "snapshot", "journal" };
	const char *text = (const char *)data;

	for (size_t k = 0; k < 2; k++) {
		struct rg_owners *o = rg_owners_new(0);
		struct rg_statefile_result res;
		char err[256];

		fuzz_assert(o != NULL);
		if (rg_statefile_read(text, size, kinds[k], 0, o, &res, err, sizeof(err)) == 0) {
			fuzz_assert(res.good_len <= size);
			fuzz_assert(res.good_len == 0 || res.stale || text[res.good_len - 1] == '\n' ||
					(k == 0 && res.good_len == size));
			roundtrip(o);
		} else {
			fuzz_assert(strncmp(err, "line ", 5) == 0);
		}
		rg_owners_free(o);
	}
	return 0;
}
