#ifndef ROLEGATE_JUNIT_H
#define ROLEGATE_JUNIT_H

/*
 * A JUnit XML report of `rolegate test` for CI systems: one <testsuite> per
 * cases file, one <testcase> per case named FILE:LINE, a <failure> (the case
 * ran and the decision was not the expected one) or an <error> (the line is
 * not a case that can run) with the message. Every text is XML-escaped;
 * bytes XML 1.0 cannot carry (control characters, invalid UTF-8) become
 * U+FFFD, so any cases file yields a well-formed report.
 */

#include <stddef.h>

enum rg_junit_result {
	RG_JUNIT_PASS,
	RG_JUNIT_FAIL,
	RG_JUNIT_ERROR,
};

struct rg_junit;

/* A new, empty report (free with rg_junit_free), or NULL when out of memory. */
struct rg_junit *rg_junit_new(void);

/* Adds one case. msg: the decision and reason on FAIL/ERROR (ignored on
 * PASS). Returns 0, or -1 when out of memory (the report is unchanged). */
int rg_junit_add(struct rg_junit *j, const char *file, unsigned line, enum rg_junit_result r,
		const char *msg);

/* Writes the report to path (replaced whole, by rename). Returns 0, or -1
 * with errno set. */
int rg_junit_write(const struct rg_junit *j, const char *path);

/* NULL-safe. */
void rg_junit_free(struct rg_junit *j);

#endif
