/* The directory's answers on disk (rolegate/cachefile.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "rolegate/cachefile.h"
#include "rolegate/directory.h"
#include "rolegate/ldap.h"

#define HEADER "{\"rolegate-ldap-cache\":1}"

void rg_cached_answers_free(struct rg_cached_answer *a, size_t n)
{
	for (size_t i = 0; a != NULL && i < n; i++) {
		free(a[i].user);
		rg_strv_free(&a[i].groups);
	}
	free(a);
}

/* Reads all of fd (at most max bytes). Returns the text (free()) or NULL with err. */
static char *slurp(int fd, const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t n = 0;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: not a regular file owned by uid %u with mode 0600 "
				"(mode %04o, owner %u); not read", path, (unsigned)geteuid(),
				(unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes; not read", path, max);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* One answer line into a; returns 0, or -1 when it is to be skipped. */
static int parse_answer(const char *line, size_t len, struct rg_cached_answer *a)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *user, *groups, *neg, *fetched, *g;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (o == NULL)
		return -1;
	user = json_object_get(o, "user");
	groups = json_object_get(o, "groups");
	neg = json_object_get(o, "negative");
	fetched = json_object_get(o, "fetched");
	if (!json_is_string(user) || !json_is_array(groups) || !json_is_boolean(neg) ||
	    !json_is_integer(fetched) || json_array_size(groups) > RG_LDAP_MAX_GROUPS ||
	    !rg_ldap_name_valid(json_string_value(user), json_string_length(user), RG_DIRECTORY_NAME_MAX))
		goto skip;
	a->user = strdup(json_string_value(user));
	a->negative = json_is_true(neg);
	a->fetched = (int64_t)json_integer_value(fetched);
	if (a->user == NULL)
		goto skip;
	json_array_foreach(groups, i, g) {
		if (!json_is_string(g) ||
		    !rg_ldap_name_valid(json_string_value(g), json_string_length(g), RG_LDAP_VALUE_MAX) ||
		    rg_strv_push(&a->groups, json_string_value(g)) < 0)
			goto skip;
	}
	json_decref(o);
	return 0;
skip:
	json_decref(o);
	free(a->user);
	rg_strv_free(&a->groups);
	memset(a, 0, sizeof(*a));
	return -1;
}

int rg_cachefile_read(const char *path, size_t max_bytes, struct rg_cached_answer **out, size_t *n,
		char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	size_t len = 0, cap = 0;
	char *text, *p, *end;

	*out = NULL;
	*n = 0;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = slurp(fd, path, max_bytes, &len, err, errlen);
	close(fd);
	if (text == NULL)
		return -1;
	end = text + len;
	p = memchr(text, '\n', len);
	if (p == NULL || (size_t)(p - text) != strlen(HEADER) || memcmp(text, HEADER, strlen(HEADER)) != 0) {
		snprintf(err, errlen, "%s: not a rolegate LDAP cache file; not read", path);
		free(text);
		return -1;
	}
	for (p++; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct rg_cached_answer a;

		if (nl == NULL)
			break;    /* a torn last line: the writer renames only complete files */
		if (parse_answer(p, (size_t)(nl - p), &a) == 0) {
			if (*n == cap) {
				size_t ncap = cap == 0 ? 64 : cap * 2;
				struct rg_cached_answer *v = realloc(*out, ncap * sizeof(*v));

				if (v == NULL) {
					free(a.user);
					rg_strv_free(&a.groups);
					break;
				}
				*out = v;
				cap = ncap;
			}
			(*out)[(*n)++] = a;
		}
		p = nl + 1;
	}
	free(text);
	return 0;
}

/* Writes all of buf to fd. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The answers as the file's text (free()), or NULL when out of memory. */
static char *render(const struct rg_cached_answer *a, size_t n, size_t *len)
{
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	used = (size_t)snprintf(buf, cap, "%s\n", HEADER);
	for (size_t i = 0; i < n; i++) {
		json_t *groups = json_array();
		json_t *o;
		char *line;
		size_t ll;

		for (size_t j = 0; groups != NULL && j < a[i].groups.n; j++)
			json_array_append_new(groups, json_string(a[i].groups.v[j]));
		o = json_pack("{s:s, s:b, s:o, s:I}", "user", a[i].user, "negative", a[i].negative,
				"groups", groups, "fetched", (json_int_t)a[i].fetched);
		line = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		if (line == NULL) {
			free(buf);
			return NULL;
		}
		ll = strlen(line);
		if (used + ll + 2 > cap) {
			char *nb;

			while (used + ll + 2 > cap)
				cap *= 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(line);
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		memcpy(buf + used, line, ll);
		used += ll;
		buf[used++] = '\n';
		free(line);
	}
	*len = used;
	return buf;
}

int rg_cachefile_write(const char *path, const struct rg_cached_answer *a, size_t n,
		char *err, size_t errlen)
{
	char tmp[PATH_MAX], dirbuf[PATH_MAX], *dir, *text;
	size_t len;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	dir = dirname(dirbuf);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	text = render(a, n, &len);
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = mkstemp(tmp);      /* mode 0600 */
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file beside %s: %s", path, strerror(errno));
		free(text);
		return -1;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(text);
		return -1;
	}
	free(text);
	close(fd);
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}
