#ifndef ROLEGATE_TEST_H
#define ROLEGATE_TEST_H

/* A tiny test harness (after seatd's include/test.h): a failed check prints
 * where and what, and the test exits 1. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define test_fail(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fprintf(stderr, "\n"); \
	exit(1); \
} while (0)

#define test_assert(cond) do { \
	if (!(cond)) \
		test_fail("assertion failed: %s", #cond); \
} while (0)

#define test_str_eq(a, b) do { \
	const char *_a = (a), *_b = (b); \
	if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0) \
		test_fail("\"%s\" != \"%s\" (%s vs %s)", _a ? _a : "(null)", _b ? _b : "(null)", #a, #b); \
} while (0)

#endif
