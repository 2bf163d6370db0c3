/*
 * The JUnit XML report of `rolegate test` (junit.h). The format is the one
 * Jenkins, GitLab and GitHub Actions read: <testsuites> holding one
 * <testsuite> per cases file, with tests/failures/errors counts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rolegate/junit.h"
#include "rolegate/utf8.h"

struct rg_junit_case {
	char *file;
	unsigned line;
	enum rg_junit_result result;
	char *msg;
};

struct rg_junit {
	struct rg_junit_case *cases;
	size_t n, cap;
};

struct rg_junit *rg_junit_new(void)
{
	return calloc(1, sizeof(struct rg_junit));
}

int rg_junit_add(struct rg_junit *j, const char *file, unsigned line, enum rg_junit_result r,
		const char *msg)
{
	struct rg_junit_case c = { .line = line, .result = r };

	if (j->n == j->cap) {
		size_t cap = j->cap == 0 ? 64 : j->cap * 2;
		struct rg_junit_case *nc = realloc(j->cases, cap * sizeof(*nc));

		if (nc == NULL)
			return -1;
		j->cases = nc;
		j->cap = cap;
	}
	c.file = strdup(file);
	c.msg = strdup(r == RG_JUNIT_PASS ? "" : msg);
	if (c.file == NULL || c.msg == NULL) {
		free(c.file);
		free(c.msg);
		return -1;
	}
	j->cases[j->n++] = c;
	return 0;
}

/*
 * Writes s as XML character data or attribute text: the five special
 * characters as entities; tab, newline and carriage return as character
 * references (so attributes keep them); other control characters and bytes
 * that are not valid UTF-8, which XML 1.0 cannot carry, as U+FFFD.
 */
static void put_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0) {
		size_t len;

		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\t': case '\n': case '\r': fprintf(f, "&#%u;", *p); break;
		default:
			if (*p >= 0x20 && *p < 0x7f) {
				fputc(*p, f);
			} else if (*p >= 0x80 && (len = rg_utf8_len(p, n)) > 0) {
				fwrite(p, 1, len, f);
				p += len;
				n -= len;
				continue;
			} else {
				fputs("\xef\xbf\xbd", f);   /* U+FFFD */
			}
			break;
		}
		p++;
		n--;
	}
}

static void count(const struct rg_junit *j, const char *file, size_t *tests, size_t *failures, size_t *errors)
{
	*tests = *failures = *errors = 0;
	for (size_t i = 0; i < j->n; i++) {
		if (file != NULL && strcmp(j->cases[i].file, file) != 0)
			continue;
		++*tests;
		if (j->cases[i].result == RG_JUNIT_FAIL)
			++*failures;
		else if (j->cases[i].result == RG_JUNIT_ERROR)
			++*errors;
	}
}

/* Whether the file of case i appeared before i (its suite is written already). */
static bool seen_before(const struct rg_junit *j, size_t i)
{
	for (size_t k = 0; k < i; k++) {
		if (strcmp(j->cases[k].file, j->cases[i].file) == 0)
			return true;
	}
	return false;
}

static void write_suite(FILE *f, const struct rg_junit *j, const char *file)
{
	size_t tests, failures, errors;

	count(j, file, &tests, &failures, &errors);
	fputs("  <testsuite name=\"", f);
	put_escaped(f, file);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\">\n", tests, failures, errors);
	for (size_t i = 0; i < j->n; i++) {
		const struct rg_junit_case *c = &j->cases[i];
		const char *tag = c->result == RG_JUNIT_FAIL ? "failure" : "error";

		if (strcmp(c->file, file) != 0)
			continue;
		fputs("    <testcase classname=\"", f);
		put_escaped(f, c->file);
		fputs("\" name=\"", f);
		put_escaped(f, c->file);
		fprintf(f, ":%u\"", c->line);
		if (c->result == RG_JUNIT_PASS) {
			fputs("/>\n", f);
			continue;
		}
		fprintf(f, ">\n      <%s type=\"%s\" message=\"", tag,
				c->result == RG_JUNIT_FAIL ? "decision" : "case");
		put_escaped(f, c->msg);
		fputs("\">", f);
		put_escaped(f, c->msg);
		fprintf(f, "</%s>\n    </testcase>\n", tag);
	}
	fputs("  </testsuite>\n", f);
}

int rg_junit_write(const struct rg_junit *j, const char *path)
{
	char tmp[4096];
	size_t tests, failures, errors;
	FILE *f;
	int saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	count(j, NULL, &tests, &failures, &errors);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"rolegate test\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		tests, failures, errors);
	for (size_t i = 0; i < j->n; i++) {
		if (!seen_before(j, i))
			write_suite(f, j, j->cases[i].file);
	}
	fputs("</testsuites>\n", f);
	if (ferror(f) | (fclose(f) != 0) || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

void rg_junit_free(struct rg_junit *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n; i++) {
		free(j->cases[i].file);
		free(j->cases[i].msg);
	}
	free(j->cases);
	free(j);
}
