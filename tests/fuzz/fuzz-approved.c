/*
 * Fuzz target: the approved-images list (rg_approved_parse, rg_approved_has,
 * rg_approved_digest_problem). Input: the file's bytes.
 *
 * Properties: a list parses whole or not at all (NULL with at least one
 * "list:LINE: ..." message, none when it parses); entries are sorted and
 * every digest is well formed; every entry is found by a lookup of its own
 * digest under its own name (or any name, for a bare one); parsing is
 * deterministic.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "rolegate/approved.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_errlist errs = { 0 }, errs2 = { 0 };
	struct rg_approved *a, *b;

	if (size > 1024 * 1024)
		return 0;
	a = rg_approved_parse("list", (const char *)data, size, &errs);
	b = rg_approved_parse("list", (const char *)data, size, &errs2);
	fuzz_assert((a == NULL) == (b == NULL));
	fuzz_assert(errs.n == errs2.n);
	if (a == NULL) {
		fuzz_assert(!rg_errlist_empty(&errs));
		for (size_t i = 0; i < errs.n; i++)
			fuzz_assert(errs.v[i].msg == NULL || (errs.v[i].file != NULL && strcmp(errs.v[i].file, "list") == 0));
	} else {
		fuzz_assert(rg_errlist_empty(&errs));
		fuzz_assert(a->n == b->n);
		for (size_t i = 0; i < a->n; i++) {
			const struct rg_approved_entry *e = &a->v[i];
			struct rg_imageref img;
			const char *err;
			char ref[RG_IMAGEREF_MAX + 80];

			fuzz_assert(rg_approved_digest_problem(e->digest) == NULL);
			fuzz_assert(i == 0 || strcmp(a->v[i - 1].digest, e->digest) <= 0);
			snprintf(ref, sizeof(ref), "%s@%s", e->name != NULL ? e->name : "busybox",
					e->digest);
			fuzz_assert(rg_imageref_parse(ref, &img, &err) == 0);
			fuzz_assert(rg_approved_has(a, &img));
		}
	}
	rg_approved_free(a);
	rg_approved_free(b);
	rg_errlist_free(&errs);
	rg_errlist_free(&errs2);
	return 0;
}
