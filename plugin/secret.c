/* Secret files (rolegate/secret.h): one reader, one set of checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rolegate/filetrust.h"
#include "rolegate/secret.h"

void rg_secret_free(unsigned char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

/* The checks made on the open file; returns RG_SECRET_OK or the error. */
static enum rg_secret_error check_file(int fd, const char *path, const char *what, char *err,
		size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return RG_SECRET_UNREADABLE;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
		return RG_SECRET_INSECURE;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s %s: owned by uid %u; it must be owned by root or by the "
				"user rolegate runs as", what, path, (unsigned)st.st_uid);
		return RG_SECRET_INSECURE;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "%s %s: group or others have access to it (mode %04o); it holds "
				"a secret: chmod 600 %s", what, path, (unsigned)(st.st_mode & 07777), path);
		return RG_SECRET_INSECURE;
	}
	return RG_SECRET_OK;
}

enum rg_secret_error rg_secret_read(const char *path, const char *what, size_t min, size_t max,
		unsigned char **out, size_t *len, char *err, size_t errlen)
{
	enum rg_secret_error e;
	unsigned char *buf;
	size_t n = 0;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return RG_SECRET_UNREADABLE;
	}
	if ((e = check_file(fd, path, what, err, errlen)) != RG_SECRET_OK) {
		close(fd);
		return e;
	}
	/* Whoever can write its directory can put their own secret in its place. */
	if (!rg_filetrust_path(path, err, errlen)) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, " (%s %s)", what, path);
		close(fd);
		return RG_SECRET_INSECURE;
	}
	buf = malloc(max + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return RG_SECRET_NO_MEMORY;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
			e = RG_SECRET_UNREADABLE;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			break;
	}
	close(fd);
	fd = -1;
	while (n > 0 && n <= max && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == 0) {
		/* An empty simple bind is an anonymous bind (RFC 4513 5.1.2). */
		snprintf(err, errlen, "%s %s: is empty", what, path);
		e = RG_SECRET_BAD_SIZE;
		goto fail;
	}
	if (n > max) {
		snprintf(err, errlen, "%s %s: longer than %zu bytes", what, path, max);
		e = RG_SECRET_BAD_SIZE;
		goto fail;
	}
	if (n < min) {
		snprintf(err, errlen, "%s %s: must hold %zu to %zu bytes", what, path, min, max);
		e = RG_SECRET_BAD_SIZE;
		goto fail;
	}
	*out = buf;
	*len = n;
	return RG_SECRET_OK;
fail:
	if (fd >= 0)
		close(fd);
	rg_secret_free(buf, max + 1);
	return e;
}
