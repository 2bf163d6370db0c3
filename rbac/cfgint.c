/* Integer literals libconfig would misread (rolegate/cfgint.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/cfgint.h"
#include "rolegate/cfgsplit.h"
#include "rolegate/errlist.h"

/* A character that continues a setting name (libconfig: [-A-Za-z0-9_*]) or a float. */
static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '*' || c == '-' || c == '.';
}

/*
 * The literal at t[start..end): digits (after an optional sign) or 0x and hex
 * digits, already known not to be a float nor suffixed with L. True when
 * libconfig 1.5 reads it as the value written.
 */
static bool fits_int(const char *t, size_t start, size_t end)
{
	char buf[64];
	size_t n = end - start;
	bool hex;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, t + start, n);
	buf[n] = '\0';
	hex = n > 1 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
	errno = 0;
	if (hex) {
		unsigned long long v = strtoull(buf, NULL, 16);

		return errno == 0 && v <= INT_MAX; /* strtoul, then cast to int: above INT_MAX turns negative */
	}
	long long v = strtoll(buf, NULL, 10);

	return errno == 0 && v >= INT_MIN && v <= INT_MAX;
}

void rg_cfg_check_wide_ints(const char *t, size_t len, const char *path, struct rg_errlist *errs)
{
	long line = 1;

	for (size_t i = 0; i < len;) {
		size_t j = rg_cfg_skip_comment_or_string(t, len, i), start, end;

		if (j != i) {
			for (; i < j; i++)
				line += t[i] == '\n';
			continue;
		}
		if (t[i] == '\n')
			line++;
		start = i;
		end = i;
		if ((t[end] == '-' || t[end] == '+') && end + 1 < len)
			end++;
		if (!isdigit((unsigned char)t[end]) || (start > 0 && word_char(t[start - 1]))) {
			i++;
			continue;
		}
		if (t[end] == '0' && end + 2 < len && (t[end + 1] == 'x' || t[end + 1] == 'X') &&
		    isxdigit((unsigned char)t[end + 2])) {
			for (end += 2; end < len && isxdigit((unsigned char)t[end]); end++)
				;
		} else {
			while (end < len && isdigit((unsigned char)t[end]))
				end++;
		}
		i = end;
		/* 1.5, 2e3 (a float) and 5L (a 64-bit integer) are read as written */
		if (end < len && (t[end] == '.' || t[end] == 'e' || t[end] == 'E' || t[end] == 'L'))
			continue;
		while (i < len && word_char(t[i]))
			i++;   /* the rest of a word is not a number of its own */
		if (!fits_int(t, start, end))
			rg_errlist_at(errs, path, line,
					"integer %.*s does not fit in 32 bits and would be misread: write it with the L suffix (%.*sL)",
					(int)(end - start), t + start, (int)(end - start), t + start);
	}
}
