/* Reading the configuration file for the engine (rolegate/policyfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rolegate/policyfile.h"

/*
 * Reads all of path into a new buffer, or NULL with why set. Only a regular
 * file of at most RG_POLICY_FILE_MAX bytes: a FIFO put at the path would
 * hang the reader (serve's main thread: no SIGHUP or SIGTERM handled after
 * it), and /dev/zero would grow the buffer until the OOM killer came.
 */
static char *read_text(const char *path, size_t *len, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap;

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s", strerror(EISDIR));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		goto fail;
	}
	if (st.st_size > RG_POLICY_FILE_MAX) {
		snprintf(why, whylen, "larger than %d bytes", RG_POLICY_FILE_MAX);
		goto fail;
	}
	/* One byte more than fstat said tells a file that grew meanwhile. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (buf == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			snprintf(why, whylen, "it grew while it was read");
			goto fail;
		}
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

struct rg_policy *rg_policy_load(const char *path, struct rg_errlist *errs, bool *unreadable)
{
	size_t len = 0;
	char why[256] = "";
	char *text = read_text(path, &len, why, sizeof(why));
	struct rg_policy *p;

	if (unreadable != NULL)
		*unreadable = text == NULL;
	if (text == NULL) {
		rg_errlist_at(errs, path, 0, "cannot read the file: %s", why);
		return NULL;
	}
	p = rg_policy_parse(text, len, path, errs);
	free(text);
	return p;
}
