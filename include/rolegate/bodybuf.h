#ifndef ROLEGATE_BODYBUF_H
#define ROLEGATE_BODYBUF_H

/*
 * Accumulating an HTTP body that libmicrohttpd hands over in pieces (the
 * second phase of the three-phase handler): the daemon (plugin/serve.c) and
 * the benchmark's reference plugin (bench/rolegate-bench.c) grow their
 * buffer the same way. The caller bounds the total before calling.
 */

#include <stdlib.h>
#include <string.h>

/*
 * Appends data[0..n) to the buffer *buf of *len bytes used and *cap
 * allocated, keeping `spare` bytes free after it (1 for a terminating NUL
 * the caller writes). The capacity starts at 4 KiB and doubles. Returns 0,
 * or -1 when out of memory (the buffer unchanged).
 */
static inline int rg_bodybuf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n,
		size_t spare)
{
	if (*len + n + spare > *cap) {
		size_t c = *cap == 0 ? 4096 : *cap;
		char *nb;

		while (c < *len + n + spare)
			c *= 2;
		nb = realloc(*buf, c);
		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = c;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	return 0;
}

#endif
