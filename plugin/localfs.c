/* Which paths are on filesystems that answer from this host alone (localfs.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rolegate/localfs.h"

#define MOUNTINFO_MAX (16 << 20)   /* a larger table is not read: nothing is local */

struct mnt {
	char *point;
	size_t len;
	long id;                   /* the kernel's mount id */
	bool local;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int fd = -1;                /* /proc/self/mountinfo, polled for changes */
static bool loaded;
static struct mnt *mnts;
static size_t nmnts;

/* Filesystems whose lstat never waits for another machine or a process. */
static bool local_type(const char *type)
{
	static const char *const types[] = {
		"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "devtmpfs", "ramfs", "overlay",
		"squashfs", "erofs", "vfat", "msdos", "exfat", "f2fs", "zfs", "jfs", "nilfs2",
		"iso9660", "udf", "proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2",
		"hugetlbfs", "bpf", "tracefs", "debugfs", "securityfs", "pstore", "efivarfs",
		"configfs", "nsfs", NULL,
	};

	for (size_t i = 0; types[i] != NULL; i++) {
		if (strcmp(type, types[i]) == 0)
			return true;
	}
	return false;
}

/* A mountinfo path with its octal escapes (\040) decoded, in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void forget(void)
{
	for (size_t i = 0; i < nmnts; i++)
		free(mnts[i].point);
	free(mnts);
	mnts = NULL;
	nmnts = 0;
	loaded = false;
}

/* Locked: reads the table again. On any failure the table is empty: nothing is local. */
static void reload(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL, *line, *save = NULL;
	ssize_t n;

	forget();
	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	for (;;) {
		char *more;

		if (buf == NULL || len + 4096 > cap) {
			if (buf != NULL)
				cap *= 2;
			if (cap > MOUNTINFO_MAX || (more = realloc(buf, cap)) == NULL)
				goto out;
			buf = more;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *dash = strstr(line, " - "), *type, *p = line;
		struct mnt *grown;
		size_t k;

		/* id parent maj:min root point opts [optional...] - type source superopts */
		for (k = 0; k < 5 && p != NULL; k++) {
			f[k] = p;
			p = strchr(p, ' ');
			if (p != NULL)
				*p++ = '\0';
		}
		if (k < 5 || dash == NULL || dash < p)
			continue;
		type = dash + 3;
		type[strcspn(type, " ")] = '\0';
		if ((grown = realloc(mnts, (nmnts + 1) * sizeof(*mnts))) == NULL)
			goto fail;
		mnts = grown;
		unescape(f[4]);
		if ((mnts[nmnts].point = strdup(f[4])) == NULL)
			goto fail;
		mnts[nmnts].len = strlen(f[4]);
		mnts[nmnts].id = strtol(f[0], NULL, 10);
		mnts[nmnts].local = local_type(type);
		nmnts++;
	}
	loaded = true;
	goto out;
fail:
	forget();
out:
	free(buf);
}

bool rg_localfs(const char *path, long *mount)
{
	struct pollfd p;
	size_t best = 0;
	bool local = false, found = false;

	*mount = -1;

	pthread_mutex_lock(&lock);
	if (fd < 0)
		fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		/* the kernel flags a change of the mount table (POLLPRI) once */
		p = (struct pollfd){ .fd = fd, .events = POLLPRI };
		if (!loaded || (poll(&p, 1, 0) > 0 && (p.revents & (POLLPRI | POLLERR)) != 0))
			reload();
		/* the last mount over the longest mount point above path (a later
		 * mount on the same point hides the earlier one) */
		for (size_t i = 0; loaded && i < nmnts; i++) {
			const struct mnt *m = &mnts[i];

			if (m->len >= best && strncmp(path, m->point, m->len) == 0 &&
			    (path[m->len] == '\0' || path[m->len] == '/' || m->len == 1)) {
				best = m->len;
				local = m->local;
				*mount = m->id;
				found = true;
			}
		}
	}
	pthread_mutex_unlock(&lock);
	return found && local;
}
