/*
 * Translation of a docker command line into the one API request dockerd
 * receives for it, built the way the docker CLI 28 builds it against API
 * v1.41, so that `rolegate explain -- docker ...` and `rolegate test` decide
 * what the daemon would decide.
 *
 * Everything is data: a table of commands (name, method, path, fixed query,
 * operands, flag tables, how the body is finished) and tables of flags (long
 * name, shorthand, whether it takes a value, a handler kind and its target: a
 * dotted path in the JSON body or a query key). Flags are parsed the way
 * spf13/pflag parses them (--f=v, --f v, -abc, -fv, -f=v, --bool=false,
 * "--" ends flags); for run/create/exec the first operand ends the flags, as
 * in the CLI. A flag or command not in the tables is an error naming it: a
 * guessed translation would be a guessed decision.
 *
 * Where one command line makes several requests (run: create, attach, start;
 * rm a b: one per container), the request translated is the one that
 * authorization turns on: the create for run/create, the first object
 * otherwise. tests/test-docker-args.sh compares each translation with what
 * the real docker CLI sends.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "rolegate/explain.h"
#include "rolegate/imageref.h"

/* The API version the translated requests are addressed to. */
#define RG_DOCKER_API_PREFIX "/v1.41"
/* Query pairs one request may carry (repeated --filter values count once). */
#define RG_DOCKER_MAX_QUERY 64
/* Longest path or file name the translator builds. */
#define RG_DOCKER_PATH_MAX 4096
/* Largest --env-file / --label-file / seccomp profile read. */
#define RG_DOCKER_FILE_MAX (1024 * 1024)
/* Where --use-api-socket finds the daemon when DOCKER_HOST names none. */
#define RG_DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"

/* What a flag does to the request. The target says where (see struct docker_flag). */
enum flag_kind {
	F_IGNORE,          /* changes nothing dockerd is sent (output format, client behaviour) */
	F_QUERY_BOOL,      /* when true, adds the pair "key=value" in target */
	F_QUERY_VALUE,     /* query key target = the value */
	F_QUERY_TIME,      /* query key target = the value as a Unix time (docker's GetTimestamp) */
	F_FILTER,          /* name=value into the "filters" query object */
	F_BOOL,            /* body path target = true/false */
	F_STRING,          /* body path target = the value */
	F_STRINGS,         /* appended to the string list at body path target */
	F_INT,             /* body path target = a Go integer (base prefixes allowed) */
	F_BYTES,           /* body path target = a size: 512m, 1.5g, 100 */
	F_SWAP,            /* like F_BYTES, and -1 means unlimited */
	F_CPUS,            /* body path target = CPUs * 1e9 (--cpus 1.5) */
	F_MAP,             /* key=value into the object at body path target */
	F_CAPS,            /* capability names, normalized at the end */
	F_ENV,             /* -e NAME[=VALUE]: NAME alone takes the value from the environment */
	F_ENV_FILE,        /* --env-file: NAME=VALUE lines */
	F_LABEL,           /* -l NAME[=VALUE] */
	F_LABEL_FILE,      /* --label-file: NAME=VALUE lines */
	F_TMPFS,           /* --tmpfs PATH[:OPTIONS] into the object at body path target */
	F_ATTACH,          /* -a stdin|stdout|stderr */
	F_DETACH,          /* -d: nothing attached */
	F_ENTRYPOINT,      /* --entrypoint CMD: a one-element list */
	F_VOLUME,          /* -v [SRC:]DST[:OPTS] */
	F_MOUNT,           /* --mount type=...,source=...,target=... */
	F_API_SOCKET,      /* --use-api-socket: binds the daemon's socket */
	F_DEVICE,          /* --device HOST[:CONTAINER][:PERMS] */
	F_GPUS,            /* --gpus all|N|device=... */
	F_PORT,            /* -p [IP:][HOST:]CONTAINER[/PROTO] */
	F_EXPOSE,          /* --expose PORT[-PORT][/PROTO] */
	F_RESTART,         /* --restart NAME[:COUNT] */
	F_EXTRA_HOST,      /* --add-host NAME:IP or NAME=IP */
	F_SECURITY_OPT,    /* --security-opt, with seccomp=FILE read and inlined */
	F_NETWORK,         /* --network NAME */
	F_ALIAS,           /* --network-alias NAME (the endpoint of the network) */
	F_ENDPOINT_IP,     /* --ip / --ip6: target "IPv4Address" / "IPv6Address" */
	F_SUBNET,          /* network create --subnet / --gateway / --ip-range: target is the key */
	F_MODE,            /* service create --mode replicated|global */
	F_REPLICAS,        /* service create --replicas N */
	F_ALL_TAGS,        /* pull/push -a: every tag, so no tag in the query */
	F_PRUNE_ALL,       /* image prune -a: dangling=false */
	F_TYPE,            /* inspect --type */
	F_QUERY_REPEAT,    /* one more "key=value" pair for query key target (t=a&t=b) */
};

struct docker_flag {
	const char *name;       /* long name, without "--" */
	char shorthand;         /* 'e' for -e, or 0 */
	bool value;             /* takes a value (otherwise a boolean) */
	enum flag_kind kind;
	const char *target;     /* body path ("HostConfig.Privileged"), query key or pair */
};

/* How the request is finished once the flags and operands are read. */
enum finish {
	B_PLAIN,           /* method + path (+ an operand as a query pair or filter) */
	B_IMAGE_PRUNE,
	B_CREATE,          /* container create: config, host config, networking config */
	B_EXEC,
	B_UPDATE,
	B_PULL,
	B_PUSH,
	B_TAG,
	B_COMMIT,
	B_IMPORT,
	B_BUILD,
	B_CP,
	B_TOP,
	B_INSPECT,
	B_LOGIN,
	B_VOLUME_CREATE,
	B_NETWORK_CREATE,
	B_NETWORK_CONNECT,
	B_NETWORK_DISCONNECT,
	B_PLUGIN_INSTALL,
	B_SWARM_INIT,
	B_SWARM_JOIN,
	B_SERVICE_CREATE,
};

#define MAX_FLAG_TABLES 4

struct docker_cmd {
	const char *names;      /* "rm|container rm|container remove" */
	const char *method;
	const char *path;       /* "/containers/%1/start": %1 = the first operand, path-escaped */
	const char *query;      /* pairs always sent ("stderr=1&stdout=1&tail=all"), or NULL */
	int min_ops, max_ops;   /* operands; max -1 = any number */
	const char *op_query;   /* the next operand after those in the path: "key" adds a
	                         * query pair (repeated for every further operand when the
	                         * key ends in '*'), "filter:NAME" adds a filter */
	const struct docker_flag *flags[MAX_FLAG_TABLES];   /* NULL-terminated */
	enum finish finish;
	bool interspersed;      /* flags may follow operands (pflag's default) */
	const char *body;       /* the body's starting JSON (the CLI's defaults), or NULL */
};

struct query_pair {
	char *key;
	char *value;
};

/* One translation in progress. */
struct xlate {
	const struct docker_cmd *cmd;
	const char *method;
	char path[RG_DOCKER_PATH_MAX];  /* escaped */
	char what[160];                 /* "docker run", for messages */
	json_t *body;                   /* owned; NULL for a bodyless request */
	struct query_pair q[RG_DOCKER_MAX_QUERY];
	size_t nq;
	json_t *filters;                /* owned; {"name": {"value": true}} */
	char **ops;                     /* operands (borrowed from argv) */
	int nops;
	/* container create and exec */
	json_t *env;                    /* -e values, after --env-file's */
	json_t *env_files;              /* --env-file values */
	json_t *labels;                 /* -l values, after --label-file's */
	json_t *label_files;
	json_t *networks;               /* --network names, in order */
	json_t *endpoint;               /* endpoint settings from --ip, --network-alias, ... */
	json_t *subnets;                /* network create: IPAM configs */
	bool detach, attach_given, all_tags, prune_all;
	const char *type;               /* inspect --type */
	char *err;
	size_t errlen;
};

static int fail(struct xlate *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct xlate *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int no_memory(struct xlate *x)
{
	return fail(x, "out of memory");
}

/* ---- query strings, as Go's url.Values.Encode writes them ---- */

static bool query_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Appends s to out (of cap bytes, used *len) escaped as url.QueryEscape does. */
static int query_escape(const char *s, char *out, size_t cap, size_t *len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*len + 4 > cap)
			return -1;
		if (query_unreserved(*p)) {
			out[(*len)++] = (char)*p;
		} else if (*p == ' ') {
			out[(*len)++] = '+';
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[*p >> 4];
			out[(*len)++] = hex[*p & 15];
		}
	}
	out[*len] = '\0';
	return 0;
}

/* Appends s escaped as Go escapes a URL path (url.URL.EscapedPath). */
static int path_escape(const char *s, char *out, size_t cap, size_t *len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*len + 4 > cap)
			return -1;
		if (query_unreserved(*p) || strchr("$&+,/:;=@", *p) != NULL) {
			out[(*len)++] = (char)*p;
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[*p >> 4];
			out[(*len)++] = hex[*p & 15];
		}
	}
	out[*len] = '\0';
	return 0;
}

/* Adds key=value; with replace, an earlier pair with that key is dropped
 * (flags override the fixed pairs, e.g. logs --tail). */
static int query_add(struct xlate *x, const char *key, const char *value, bool replace)
{
	if (replace) {
		for (size_t i = 0; i < x->nq; i++) {
			if (strcmp(x->q[i].key, key) == 0) {
				char *v = strdup(value);

				if (v == NULL)
					return no_memory(x);
				free(x->q[i].value);
				x->q[i].value = v;
				return 0;
			}
		}
	}
	if (x->nq == RG_DOCKER_MAX_QUERY)
		return fail(x, "%s: too many query parameters", x->what);
	x->q[x->nq].key = strdup(key);
	x->q[x->nq].value = strdup(value);
	if (x->q[x->nq].key == NULL || x->q[x->nq].value == NULL) {
		free(x->q[x->nq].key);
		free(x->q[x->nq].value);
		return no_memory(x);
	}
	x->nq++;
	return 0;
}

/* Adds the pairs of "k1=v1&k2=v2" (unescaped text). */
static int query_add_fixed(struct xlate *x, const char *pairs)
{
	char buf[512], *save = NULL;

	if (pairs == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", pairs);
	for (char *p = strtok_r(buf, "&", &save); p != NULL; p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		if (query_add(x, p, eq + 1, true) < 0)
			return -1;
	}
	return 0;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct query_pair *pa = a, *pb = b;

	return strcmp(pa->key, pb->key);
}

/* Writes "?k=v&..." sorted by key (stably, as Go's Encode) into out. */
static int query_encode(struct xlate *x, char *out, size_t cap, size_t *len)
{
	struct query_pair sorted[RG_DOCKER_MAX_QUERY];

	if (x->nq == 0)
		return 0;
	memcpy(sorted, x->q, x->nq * sizeof(sorted[0]));
	/* qsort is not stable: sort by key with insertion sort instead, so that
	 * repeated keys (t=a&t=b) keep their order. */
	for (size_t i = 1; i < x->nq; i++) {
		struct query_pair p = sorted[i];
		size_t j = i;

		while (j > 0 && pair_cmp(&sorted[j - 1], &p) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = p;
	}
	for (size_t i = 0; i < x->nq; i++) {
		if (*len + 2 > cap)
			return -1;
		out[(*len)++] = i == 0 ? '?' : '&';
		out[*len] = '\0';
		if (query_escape(sorted[i].key, out, cap, len) < 0 || *len + 2 > cap)
			return -1;
		out[(*len)++] = '=';
		out[*len] = '\0';
		if (query_escape(sorted[i].value, out, cap, len) < 0)
			return -1;
	}
	return 0;
}

/* ---- the JSON body ---- */

/* The object holding the last component of the dotted path, created as
 * needed; *leaf points at that component inside path. */
static json_t *parent_of(json_t *root, const char *path, char *buf, size_t buflen, const char **leaf)
{
	json_t *o = root;
	char *p, *dot;

	snprintf(buf, buflen, "%s", path);
	p = buf;
	while ((dot = strchr(p, '.')) != NULL) {
		json_t *next;

		*dot = '\0';
		next = json_object_get(o, p);
		if (!json_is_object(next)) {
			next = json_object();
			if (next == NULL || json_object_set_new(o, p, next) < 0)
				return NULL;
		}
		o = next;
		p = dot + 1;
	}
	*leaf = p;
	return o;
}

static int body_set(struct xlate *x, const char *path, json_t *v)
{
	char buf[256];
	const char *leaf;
	json_t *parent;

	if (v == NULL)
		return no_memory(x);
	parent = parent_of(x->body, path, buf, sizeof(buf), &leaf);
	if (parent == NULL || json_object_set_new(parent, leaf, v) < 0)
		return no_memory(x);
	return 0;
}

static json_t *body_get(struct xlate *x, const char *path)
{
	char buf[256];
	const char *leaf;
	json_t *parent = parent_of(x->body, path, buf, sizeof(buf), &leaf);

	return parent != NULL ? json_object_get(parent, leaf) : NULL;
}

/* The array at path, created (replacing a null default) when absent. */
static json_t *body_array(struct xlate *x, const char *path)
{
	json_t *a = body_get(x, path);

	if (json_is_array(a))
		return a;
	if (body_set(x, path, json_array()) < 0)
		return NULL;
	return body_get(x, path);
}

static json_t *body_object(struct xlate *x, const char *path)
{
	json_t *o = body_get(x, path);

	if (json_is_object(o))
		return o;
	if (body_set(x, path, json_object()) < 0)
		return NULL;
	return body_get(x, path);
}

static int array_append_string(struct xlate *x, json_t *a, const char *s)
{
	if (a == NULL || json_array_append_new(a, json_string(s)) < 0)
		return no_memory(x);
	return 0;
}

/* ---- values, parsed the way the CLI's Go code parses them ---- */

/* strconv.ParseBool */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* strconv.ParseInt(s, 0, 64): decimal, 0x, 0o/0, 0b, '_' between digits. */
static int parse_int(const char *s, int64_t *out)
{
	char digits[128];
	size_t n = 0;
	const char *p = s;
	int base = 10;
	bool neg = false;
	char *end;
	long long v;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] != '\0') {
		base = 8;
		p++;
	}
	for (; *p != '\0'; p++) {
		if (*p == '_')
			continue;
		if (n + 1 == sizeof(digits) || !isxdigit((unsigned char)*p))
			return -1;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	if (n == 0)
		return -1;
	errno = 0;
	v = strtoll(digits, &end, base);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* go-units RAMInBytes: NUMBER[.FRACTION][ ][kmgtp][i][b], binary multiples. */
static int parse_bytes(const char *s, int64_t *out)
{
	const char *p = s, *num_end;
	char num[64];
	double v, mul = 1;
	int unit;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))
		p++;
	num_end = p;
	if (*p == ' ')
		p++;
	unit = tolower((unsigned char)*p);
	if (unit != '\0' && strchr("kmgtp", unit) != NULL) {
		static const char units[] = "kmgtp";

		for (const char *u = units; *u != '\0'; u++) {
			mul *= 1024;
			if (*u == unit)
				break;
		}
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0' || (size_t)(num_end - s) >= sizeof(num))
		return -1;
	memcpy(num, s, (size_t)(num_end - s));
	num[num_end - s] = '\0';
	v = strtod(num, NULL) * mul;
	if (v >= 9.2e18)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* opts.NanoCPUs: a decimal number of CPUs, exact to the nanoCPU. */
static int parse_cpus(const char *s, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	const char *p = s;
	int digits = 0;

	if (!isdigit((unsigned char)*p) && *p != '.')
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (INT64_MAX / 1000000000 - 9) / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			} else if (*p != '0') {
				return -1;   /* "value is too precise" */
			}
		}
	}
	if (*p != '\0')
		return -1;
	while (digits++ < 9)
		frac *= 10;
	*out = whole * 1000000000 + frac;
	return 0;
}

/* A Go duration ("1h30m", "15m", "2.5s"), in seconds. */
static int parse_duration(const char *s, double *out)
{
	static const struct { const char *unit; double sec; } units[] = {
		{ "ns", 1e-9 }, { "us", 1e-6 }, { "\xc2\xb5s", 1e-6 }, { "ms", 1e-3 },
		{ "s", 1 }, { "m", 60 }, { "h", 3600 },
	};
	const char *p = s;
	double total = 0;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		char *end;
		double v = strtod(p, &end);
		size_t best = 0, best_len = 0;

		if (end == p || *p == '-' || *p == '+')
			return -1;
		p = end;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (strncmp(p, units[i].unit, l) == 0 && l > best_len) {
				best = i;
				best_len = l;
			}
		}
		if (best_len == 0)
			return -1;
		total += v * units[best].sec;
		p += best_len;
	}
	*out = total;
	return 0;
}

/*
 * docker's GetTimestamp for --since/--until: a duration means that long ago,
 * an RFC 3339 time is converted, a Unix time passes through.
 */
static int parse_time(struct xlate *x, const char *flag, const char *s, char *out, size_t outlen)
{
	struct tm tm = { 0 };
	double ago;
	const char *rest = NULL;
	int consumed = 0;
	long nanos = 0;

	if (strcmp(s, "0") != 0 && parse_duration(s, &ago) == 0) {
		snprintf(out, outlen, "%lld", (long long)(time(NULL) - (time_t)ago));
		return 0;
	}
	if (strchr(s, '-') == NULL) {
		const char *p = s;

		while (isdigit((unsigned char)*p))
			p++;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				;
		if (p == s || *p != '\0')
			return fail(x, "%s: --%s: %s is not a duration, a Unix time or an RFC 3339 time",
					x->what, flag, s);
		snprintf(out, outlen, "%s", s);
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			&tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		rest = s + consumed;
	}
	if (rest != NULL && *rest == '.') {
		long scale = 100000000;

		for (rest++; isdigit((unsigned char)*rest); rest++, scale /= 10)
			nanos += scale > 0 ? (*rest - '0') * scale : 0;
	}
	if (rest != NULL && (strcmp(rest, "Z") == 0 || strcmp(rest, "z") == 0)) {
		snprintf(out, outlen, "%lld.%09ld", (long long)timegm(&tm), nanos);
		return 0;
	}
	if (rest != NULL && (rest[0] == '+' || rest[0] == '-') && isdigit((unsigned char)rest[1]) &&
	    isdigit((unsigned char)rest[2]) && rest[3] == ':' && isdigit((unsigned char)rest[4]) &&
	    isdigit((unsigned char)rest[5]) && rest[6] == '\0') {
		long off = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 +
			((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;

		snprintf(out, outlen, "%lld.%09ld",
				(long long)(timegm(&tm) - (rest[0] == '+' ? off : -off)), nanos);
		return 0;
	}
	return fail(x, "%s: --%s: %s is not a duration, a Unix time or an RFC 3339 time with a zone",
			x->what, flag, s);
}

/* filepath.Abs for a relative path: joined to the working directory, cleaned. */
static int absolute_path(const char *rel, char *out, size_t outlen)
{
	char cwd[RG_DOCKER_PATH_MAX], joined[2 * RG_DOCKER_PATH_MAX + 2];
	char *parts[RG_DOCKER_PATH_MAX / 2], *save = NULL;
	size_t n = 0, len = 0;

	if (rel[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", rel);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -1;
		snprintf(joined, sizeof(joined), "%s/%s", cwd, rel);
	}
	for (char *c = strtok_r(joined, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (n > 0)
				n--;
			continue;
		}
		if (n == sizeof(parts) / sizeof(parts[0]))
			return -1;
		parts[n++] = c;
	}
	out[0] = '\0';
	if (n == 0)
		return snprintf(out, outlen, "/") < (int)outlen ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + len, outlen - len, "/%s", parts[i]);

		if (w < 0 || (size_t)w >= outlen - len)
			return -1;
		len += (size_t)w;
	}
	return 0;
}

/*
 * Splits one line of CSV (Go's encoding/csv, as the CLI reads --mount and
 * --gpus) into fields in place: commas separate, a field may be quoted with
 * "" standing for a quote. Returns the count or -1 (malformed, too many).
 */
static int split_csv(char *s, char **fields, int max)
{
	int n = 0;
	char *r = s, *w = s;

	for (;;) {
		if (n == max)
			return -1;
		fields[n++] = w;
		if (*r == '"') {
			for (r++;; r++) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r++;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r;
				}
			}
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0')
				*w++ = *r++;
		}
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		r++;
	}
}

/* A new string "a=b" (what asprintf would make). NULL when out of memory. */
static char *join_pair(const char *a, char sep, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	s[la] = sep;
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Reads a whole small file into a new NUL-terminated buffer. */
static char *read_small_file(struct xlate *x, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		fail(x, "%s: %s: %s", x->what, path, strerror(errno));
		return NULL;
	}
	buf = malloc(RG_DOCKER_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		no_memory(x);
		return NULL;
	}
	n = fread(buf, 1, RG_DOCKER_FILE_MAX + 1, f);
	fclose(f);
	if (n > RG_DOCKER_FILE_MAX) {
		free(buf);
		fail(x, "%s: %s: larger than %d bytes", x->what, path, RG_DOCKER_FILE_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* ---- flags with structure ---- */

/* -e NAME=VALUE, or NAME alone: the value from the environment when set there
 * (opts.ValidateEnv), else the bare name. */
static int add_env(struct xlate *x, json_t *into, const char *s)
{
	const char *value;
	char *pair;
	int rc;

	if (strchr(s, '=') != NULL || (value = getenv(s)) == NULL)
		return array_append_string(x, into, s);
	if ((pair = join_pair(s, '=', value)) == NULL)
		return no_memory(x);
	rc = array_append_string(x, into, pair);
	free(pair);
	return rc;
}

/*
 * --env-file / --label-file (opts.ParseEnvFile): leading white space dropped,
 * blank lines and '#' comments skipped, NAME=VALUE kept verbatim; a bare NAME
 * takes its value from the environment (env files only) or is dropped.
 */
static int add_kv_file(struct xlate *x, json_t *into, const char *path, bool from_env)
{
	char *text = read_small_file(x, path), *save = NULL;
	bool first = true;
	int rc = 0;

	if (text == NULL)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line != NULL && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq, *value;

		if (first && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			line += 3;
		first = false;
		/* bufio.ScanLines drops the \r of a \r\n line end */
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (strcspn(line, " \t\n\v\f\r") < (eq != NULL ? (size_t)(eq - line) : strlen(line))) {
			rc = fail(x, "%s: %s: variable '%.*s' contains whitespaces", x->what, path,
					eq != NULL ? (int)(eq - line) : (int)strlen(line), line);
			break;
		}
		if (eq != NULL) {
			rc = array_append_string(x, into, line);
			continue;
		}
		if (from_env && (value = getenv(line)) != NULL) {
			char *pair;

			if ((pair = join_pair(line, '=', value)) == NULL) {
				rc = no_memory(x);
				break;
			}
			rc = array_append_string(x, into, pair);
			free(pair);
		}
	}
	free(text);
	return rc;
}

/* "KEY=VALUE" (or "KEY": "") into object o. */
static int set_kv(struct xlate *x, json_t *o, const char *s)
{
	const char *eq = strchr(s, '=');
	char key[512];

	if (o == NULL)
		return no_memory(x);
	snprintf(key, sizeof(key), "%.*s", eq != NULL ? (int)(eq - s) : (int)strlen(s), s);
	if (json_object_set_new(o, key, json_string(eq != NULL ? eq + 1 : "")) < 0)
		return no_memory(x);
	return 0;
}

/*
 * -v: a spec with a source ("SRC:DST[:OPTS]") is a bind or a named volume and
 * goes to HostConfig.Binds (a host path starting with '.' made absolute);
 * one without ("DST") is an anonymous volume in Volumes. The CLI keeps them in
 * a Go map, so duplicates collapse (and the order is random).
 */
static int add_volume(struct xlate *x, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char bind[2 * RG_DOCKER_PATH_MAX], host[RG_DOCKER_PATH_MAX], abs[RG_DOCKER_PATH_MAX];
	json_t *binds, *v;
	size_t i;

	if (spec[0] == '\0')
		return fail(x, "%s: invalid empty volume spec", x->what);
	if (strlen(spec) <= 2 || colon == NULL || colon == spec) {
		json_t *vols = body_object(x, "Volumes");

		if (vols == NULL || json_object_set_new(vols, spec, json_object()) < 0)
			return no_memory(x);
		return 0;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	if (host[0] == '.') {
		if (absolute_path(host, abs, sizeof(abs)) < 0)
			return fail(x, "%s: -v %s: cannot make the path absolute", x->what, spec);
		snprintf(bind, sizeof(bind), "%s%s", abs, colon);
	} else {
		snprintf(bind, sizeof(bind), "%s", spec);
	}
	binds = body_array(x, "HostConfig.Binds");
	if (binds == NULL)
		return no_memory(x);
	json_array_foreach(binds, i, v) {
		if (strcmp(json_string_value(v), bind) == 0)
			return 0;
	}
	return array_append_string(x, binds, bind);
}

static bool is_key(const char *k, const char *a, const char *b)
{
	return strcmp(k, a) == 0 || (b != NULL && strcmp(k, b) == 0);
}

/* The sub-object key of m, created empty when absent. */
static json_t *sub_object(json_t *m, const char *key)
{
	json_t *o = json_object_get(m, key);

	if (o == NULL) {
		o = json_object();
		if (o == NULL || json_object_set_new(m, key, o) < 0)
			return NULL;
	}
	return o;
}

/* The array key of o, created empty when absent. */
static json_t *sub_array(json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key);

	if (a == NULL) {
		a = json_array();
		if (a == NULL || json_object_set_new(o, key, a) < 0)
			return NULL;
	}
	return a;
}

/* VolumeOptions, with its DriverConfig, as the CLI's volumeOptions() makes them. */
static json_t *volume_options(json_t *m)
{
	json_t *vo = sub_object(m, "VolumeOptions");

	if (vo == NULL || sub_object(vo, "DriverConfig") == NULL)
		return NULL;
	return vo;
}

/* One --mount field "key[=value]" into mount m (opts.MountOpt.Set). */
static int mount_field(struct xlate *x, json_t *m, char *field, bool *rel_source)
{
	char *eq = strchr(field, '='), *val = eq != NULL ? eq + 1 : NULL;
	json_t *o;
	bool b;
	int64_t n;

	if (eq != NULL)
		*eq = '\0';
	for (char *p = field; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (val == NULL) {
		if (is_key(field, "readonly", "ro"))
			return json_object_set_new(m, "ReadOnly", json_true());
		if (strcmp(field, "volume-nocopy") == 0)
			return (o = volume_options(m)) == NULL ? -1 : json_object_set_new(o, "NoCopy", json_true());
		if (strcmp(field, "bind-nonrecursive") == 0)
			return (o = sub_object(m, "BindOptions")) == NULL ? -1 :
				json_object_set_new(o, "NonRecursive", json_true());
		return fail(x, "%s: --mount: invalid field '%s' must be a key=value pair", x->what, field);
	}
	if (strcmp(field, "type") == 0) {
		for (char *p = val; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		return json_object_set_new(m, "Type", json_string(val));
	}
	if (is_key(field, "source", "src")) {
		*rel_source = val[0] == '.';
		return json_object_set_new(m, "Source", json_string(val));
	}
	if (is_key(field, "target", "dst") || strcmp(field, "destination") == 0)
		return json_object_set_new(m, "Target", json_string(val));
	if (is_key(field, "readonly", "ro") || strcmp(field, "volume-nocopy") == 0 ||
	    strcmp(field, "bind-nonrecursive") == 0) {
		if (parse_bool(val, &b) < 0)
			return fail(x, "%s: --mount: invalid value for %s: %s", x->what, field, val);
		if (!b)
			return 0;
		if (field[0] == 'r')
			return json_object_set_new(m, "ReadOnly", json_true());
		if (field[0] == 'v')
			return (o = volume_options(m)) == NULL ? -1 : json_object_set_new(o, "NoCopy", json_true());
		return (o = sub_object(m, "BindOptions")) == NULL ? -1 :
			json_object_set_new(o, "NonRecursive", json_true());
	}
	if (strcmp(field, "consistency") == 0) {
		for (char *p = val; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		return json_object_set_new(m, "Consistency", json_string(val));
	}
	if (strcmp(field, "bind-propagation") == 0) {
		for (char *p = val; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		return (o = sub_object(m, "BindOptions")) == NULL ? -1 :
			json_object_set_new(o, "Propagation", json_string(val));
	}
	if (strcmp(field, "volume-subpath") == 0)
		return (o = volume_options(m)) == NULL ? -1 : json_object_set_new(o, "Subpath", json_string(val));
	if (strcmp(field, "volume-label") == 0)
		return (o = volume_options(m)) == NULL ? -1 : set_kv(x, sub_object(o, "Labels"), val);
	if (strcmp(field, "volume-driver") == 0)
		return (o = volume_options(m)) == NULL ? -1 :
			json_object_set_new(json_object_get(o, "DriverConfig"), "Name", json_string(val));
	if (strcmp(field, "volume-opt") == 0)
		return (o = volume_options(m)) == NULL ? -1 :
			set_kv(x, sub_object(json_object_get(o, "DriverConfig"), "Options"), val);
	if (strcmp(field, "tmpfs-size") == 0) {
		if (parse_bytes(val, &n) < 0)
			return fail(x, "%s: --mount: invalid tmpfs-size: %s", x->what, val);
		return (o = sub_object(m, "TmpfsOptions")) == NULL ? -1 :
			json_object_set_new(o, "SizeBytes", json_integer(n));
	}
	if (strcmp(field, "tmpfs-mode") == 0) {
		char *end;
		unsigned long mode = strtoul(val, &end, 8);

		if (*val == '\0' || *end != '\0' || mode > UINT32_MAX)
			return fail(x, "%s: --mount: invalid tmpfs-mode: %s", x->what, val);
		return (o = sub_object(m, "TmpfsOptions")) == NULL ? -1 :
			json_object_set_new(o, "Mode", json_integer((json_int_t)mode));
	}
	return fail(x, "%s: --mount: unexpected key '%s' in '%s=%s'", x->what, field, field, val);
}

/* Drops the empty parts the CLI's JSON omits (omitempty). */
static void mount_tidy(json_t *m)
{
	json_t *vo = json_object_get(m, "VolumeOptions"), *dc, *l;

	if (vo == NULL)
		return;
	l = json_object_get(vo, "Labels");
	if (l != NULL && json_object_size(l) == 0)
		json_object_del(vo, "Labels");
	dc = json_object_get(vo, "DriverConfig");
	if (json_is_object(dc) && json_object_get(dc, "Options") != NULL &&
	    json_object_size(json_object_get(dc, "Options")) == 0)
		json_object_del(dc, "Options");
}

/* --mount CSV into the mount list at path (opts.MountOpt). */
static int add_mount(struct xlate *x, const char *path, const char *spec)
{
	char buf[RG_DOCKER_PATH_MAX], *fields[64], abs[RG_DOCKER_PATH_MAX];
	json_t *m = json_object(), *mounts, *src;
	const char *type;
	bool rel_source = false;
	int n;

	if (m == NULL)
		return no_memory(x);
	snprintf(buf, sizeof(buf), "%s", spec);
	n = split_csv(buf, fields, (int)(sizeof(fields) / sizeof(fields[0])));
	if (n < 0) {
		json_decref(m);
		return fail(x, "%s: --mount %s: not a valid comma-separated list", x->what, spec);
	}
	json_object_set_new(m, "Type", json_string("volume"));
	for (int i = 0; i < n; i++) {
		if (mount_field(x, m, fields[i], &rel_source) < 0) {
			if (x->err[0] == '\0')
				no_memory(x);
			json_decref(m);
			return -1;
		}
	}
	type = json_string_value(json_object_get(m, "Type"));
	src = json_object_get(m, "Source");
	if (json_object_get(m, "Target") == NULL || type[0] == '\0') {
		json_decref(m);
		return fail(x, "%s: --mount %s: %s is required", x->what, spec,
				type[0] == '\0' ? "type" : "target");
	}
	if ((json_object_get(m, "VolumeOptions") != NULL && strcmp(type, "volume") != 0) ||
	    (json_object_get(m, "BindOptions") != NULL && strcmp(type, "bind") != 0) ||
	    (json_object_get(m, "TmpfsOptions") != NULL && strcmp(type, "tmpfs") != 0)) {
		json_decref(m);
		return fail(x, "%s: --mount %s: options of another mount type", x->what, spec);
	}
	if (rel_source && strcmp(type, "bind") == 0) {
		if (absolute_path(json_string_value(src), abs, sizeof(abs)) < 0) {
			json_decref(m);
			return fail(x, "%s: --mount %s: cannot make the source absolute", x->what, spec);
		}
		json_object_set_new(m, "Source", json_string(abs));
	}
	mount_tidy(m);
	mounts = body_array(x, path);
	if (mounts == NULL || json_array_append_new(mounts, m) < 0)
		return no_memory(x);
	return 0;
}

/* --use-api-socket: the CLI binds the socket it talks to into the container. */
static int add_api_socket(struct xlate *x)
{
	const char *host = getenv("DOCKER_HOST");
	const char *sock = host != NULL && strncmp(host, "unix://", 7) == 0 ? host + 7 : RG_DOCKER_DEFAULT_SOCKET;
	json_t *m = json_pack("{s:s, s:s, s:s, s:{}}", "Type", "bind", "Source", sock,
			"Target", "/var/run/docker.sock", "BindOptions");
	json_t *mounts = body_array(x, "HostConfig.Mounts");

	if (m == NULL || mounts == NULL || json_array_append_new(mounts, m) < 0)
		return no_memory(x);
	return 0;
}

/* Whether s is a cgroup device mode: some of r, w, m, each at most once. */
static bool device_mode(const char *s)
{
	bool seen[3] = { false, false, false };

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		const char *at = strchr("rwm", *s);

		if (at == NULL || seen[at - "rwm"])
			return false;
		seen[at - "rwm"] = true;
	}
	return true;
}

/* --device HOST[:CONTAINER][:PERMS] (the CLI's parseLinuxDevice). */
static int add_device(struct xlate *x, const char *spec)
{
	char buf[RG_DOCKER_PATH_MAX], *part[4];
	const char *src, *dst = "", *perms = "rwm";
	json_t *devs, *d;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	/* strings.SplitN(device, ":", 4), keeping empty parts */
	part[n++] = buf;
	for (char *p = buf; *p != '\0' && n < 4; p++) {
		if (*p == ':') {
			*p = '\0';
			part[n++] = p + 1;
		}
	}
	if (n == 4)
		return fail(x, "%s: invalid device specification: %s", x->what, spec);
	if (n == 3)
		perms = part[2];
	if (n >= 2) {
		if (device_mode(part[1]))
			perms = part[1];
		else
			dst = part[1];
	}
	src = part[0];
	if (dst[0] == '\0')
		dst = src;
	devs = body_array(x, "HostConfig.Devices");
	d = json_pack("{s:s, s:s, s:s}", "PathOnHost", src, "PathInContainer", dst,
			"CgroupPermissions", perms);
	if (devs == NULL || d == NULL || json_array_append_new(devs, d) < 0)
		return no_memory(x);
	return 0;
}

static int gpu_count(struct xlate *x, const char *s, json_int_t *out)
{
	int64_t n;

	if (strcmp(s, "all") == 0) {
		*out = -1;
		return 0;
	}
	if (parse_int(s, &n) < 0 || strchr("+-0", s[0]) != NULL)
		return fail(x, "%s: --gpus: invalid count: %s", x->what, s);
	*out = n;
	return 0;
}

/* --gpus (opts.GpuOpts): all, a count, or driver=,count=,device=,capabilities=. */
static int add_gpus(struct xlate *x, const char *spec)
{
	char buf[1024], *fields[16], seen[16][32];
	json_t *req, *reqs, *ids = json_null(), *caps = NULL;
	const char *driver = "";
	json_int_t count = 0;
	bool count_seen = false;
	int n, nseen = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	n = split_csv(buf, fields, 16);
	if (n < 0)
		return fail(x, "%s: --gpus %s: not a valid comma-separated list", x->what, spec);
	for (int i = 0; i < n; i++) {
		char *eq = strchr(fields[i], '='), *val = eq != NULL ? eq + 1 : NULL;

		if (eq != NULL)
			*eq = '\0';
		for (int j = 0; j < nseen; j++) {
			if (strcmp(seen[j], fields[i]) == 0) {
				json_decref(ids);
				json_decref(caps);
				return fail(x, "%s: --gpus: '%s' can be given only once", x->what, fields[i]);
			}
		}
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", fields[i]);
		if (val == NULL || strcmp(fields[i], "count") == 0) {
			count_seen = true;
			if (gpu_count(x, val != NULL ? val : fields[i], &count) < 0) {
				json_decref(ids);
				json_decref(caps);
				return -1;
			}
		} else if (strcmp(fields[i], "driver") == 0) {
			driver = val;
		} else if (strcmp(fields[i], "device") == 0 || strcmp(fields[i], "capabilities") == 0) {
			json_t *list = json_array();

			/* strings.Split keeps empty parts */
			for (char *p = val, *c; list != NULL; p = c + 1) {
				c = strchr(p, ',');
				if (c != NULL)
					*c = '\0';
				json_array_append_new(list, json_string(p));
				if (c == NULL)
					break;
			}
			if (fields[i][0] == 'd') {
				json_decref(ids);
				ids = list;
			} else {
				json_array_append_new(list, json_string("gpu"));
				json_decref(caps);
				caps = json_pack("[o]", list);
			}
		} else if (strcmp(fields[i], "options") != 0) {
			json_decref(ids);
			json_decref(caps);
			return fail(x, "%s: --gpus: unexpected key '%s'", x->what, fields[i]);
		}
	}
	if (!count_seen && json_is_null(ids))
		count = 1;
	if (caps == NULL)
		caps = json_pack("[[s]]", "gpu");
	req = json_pack("{s:s, s:I, s:o, s:o, s:{}}", "Driver", driver, "Count", count,
			"DeviceIDs", ids, "Capabilities", caps, "Options");
	reqs = body_array(x, "HostConfig.DeviceRequests");
	if (req == NULL || reqs == NULL || json_array_append_new(reqs, req) < 0)
		return no_memory(x);
	return 0;
}

/* nat.ParsePortRange: "80" or "8000-8010". */
static int port_range(const char *s, unsigned long *start, unsigned long *end)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	*start = strtoul(s, &e, 10);
	*end = *start;
	if (*e == '-') {
		const char *s2 = e + 1;

		if (!isdigit((unsigned char)*s2))
			return -1;
		*end = strtoul(s2, &e, 10);
	}
	if (*e != '\0' || *start > 65535 || *end > 65535 || *end < *start)
		return -1;
	return 0;
}

/* nat.SplitProtoPort: "80/udp" → "udp", "80"; no protocol is tcp. */
static const char *split_proto(char *port)
{
	char *slash = strchr(port, '/');

	if (slash == NULL)
		return "tcp";
	*slash = '\0';
	if (slash[1] == '\0')
		return "tcp";
	for (char *p = slash + 1; *p != '\0'; p++)
		if (*p == '/')
			*p = '\0';
	return slash + 1;
}

static int expose_port(struct xlate *x, const char *proto, unsigned long port)
{
	char key[64];
	json_t *ports = body_object(x, "ExposedPorts");

	snprintf(key, sizeof(key), "%lu/%s", port, proto);
	if (ports == NULL || json_object_set_new(ports, key, json_object()) < 0)
		return no_memory(x);
	return 0;
}

/* -p [IP:][HOST:]CONTAINER[/PROTO] (nat.ParsePortSpec): PortBindings + ExposedPorts. */
static int add_port(struct xlate *x, const char *spec)
{
	char buf[512], *parts[64], ip[512] = "", *hostport = NULL, *cport, proto[16];
	unsigned long cs, ce, hs = 0, he = 0;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	parts[n++] = buf;
	for (char *p = buf; *p != '\0' && n < 64; p++) {
		if (*p == ':') {
			*p = '\0';
			parts[n++] = p + 1;
		}
	}
	cport = parts[n - 1];
	if (n >= 2)
		hostport = parts[n - 2];
	if (n == 3) {
		snprintf(ip, sizeof(ip), "%s", parts[0]);
	} else if (n > 3) {
		for (int i = 0; i < n - 2; i++)
			snprintf(ip + strlen(ip), sizeof(ip) - strlen(ip), "%s%s", i > 0 ? ":" : "", parts[i]);
	}
	if (ip[0] == '[') {
		size_t l = strlen(ip);

		if (ip[l - 1] != ']')
			return fail(x, "%s: -p %s: invalid IP address", x->what, spec);
		memmove(ip, ip + 1, l - 2);
		ip[l - 2] = '\0';
	}
	snprintf(proto, sizeof(proto), "%s", split_proto(cport));
	for (char *p = proto; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0)
		return fail(x, "%s: -p %s: invalid protocol %s", x->what, spec, proto);
	if (port_range(cport, &cs, &ce) < 0 ||
	    (hostport != NULL && hostport[0] != '\0' && port_range(hostport, &hs, &he) < 0))
		return fail(x, "%s: -p %s: invalid port", x->what, spec);
	if (hostport != NULL && hostport[0] != '\0' && ce - cs != he - hs && ce != cs)
		return fail(x, "%s: -p %s: invalid ranges for container and host ports", x->what, spec);
	for (unsigned long i = 0; i <= ce - cs; i++) {
		char key[64], host[32] = "";
		json_t *list, *b;

		snprintf(key, sizeof(key), "%lu/%s", cs + i, proto);
		if (hostport != NULL && hostport[0] != '\0') {
			if (cs == ce && hs != he)
				snprintf(host, sizeof(host), "%lu-%lu", hs + i, he);
			else
				snprintf(host, sizeof(host), "%lu", hs + i);
		}
		if (expose_port(x, proto, cs + i) < 0)
			return -1;
		list = json_object_get(body_object(x, "HostConfig.PortBindings"), key);
		if (list == NULL) {
			list = json_array();
			if (list == NULL || json_object_set_new(body_object(x, "HostConfig.PortBindings"), key, list) < 0)
				return no_memory(x);
		}
		b = json_pack("{s:s, s:s}", "HostIp", ip, "HostPort", host);
		if (b == NULL || json_array_append_new(list, b) < 0)
			return no_memory(x);
	}
	return 0;
}

/* --expose PORT[-PORT][/PROTO] */
static int add_expose(struct xlate *x, const char *spec)
{
	char buf[128];
	const char *proto;
	unsigned long s, e;

	if (strchr(spec, ':') != NULL)
		return fail(x, "%s: invalid port format for --expose: %s", x->what, spec);
	snprintf(buf, sizeof(buf), "%s", spec);
	proto = split_proto(buf);
	if (port_range(buf, &s, &e) < 0)
		return fail(x, "%s: invalid range format for --expose: %s", x->what, spec);
	for (unsigned long p = s; p <= e; p++) {
		if (expose_port(x, proto, p) < 0)
			return -1;
	}
	return 0;
}

/* --restart NAME[:COUNT] (opts.ParseRestartPolicy) */
static int set_restart(struct xlate *x, const char *path, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char name[64];
	int64_t count = 0;

	if (colon == spec)
		return fail(x, "%s: invalid restart policy format: no policy provided before colon", x->what);
	if (colon != NULL && colon[1] != '\0' && parse_int(colon + 1, &count) < 0)
		return fail(x, "%s: invalid restart policy count: %s", x->what, colon + 1);
	snprintf(name, sizeof(name), "%.*s", colon != NULL ? (int)(colon - spec) : (int)strlen(spec), spec);
	return body_set(x, path, json_pack("{s:s, s:I}", "Name", name, "MaximumRetryCount", (json_int_t)count));
}

/* --add-host NAME:IP or NAME=IP, sent as NAME:IP without brackets. */
static int add_extra_host(struct xlate *x, const char *path, const char *spec)
{
	const char *sep = strchr(spec, '=');
	char host[512], ip[512], pair[1024];

	if (sep == NULL)
		sep = strchr(spec, ':');
	if (sep == NULL || sep == spec || memchr(spec, ':', (size_t)(sep - spec)) != NULL)
		return fail(x, "%s: bad format for add-host: %s", x->what, spec);
	snprintf(host, sizeof(host), "%.*s", (int)(sep - spec), spec);
	snprintf(ip, sizeof(ip), "%s", sep + 1);
	if (strlen(ip) > 2 && ip[0] == '[' && ip[strlen(ip) - 1] == ']') {
		memmove(ip, ip + 1, strlen(ip) - 2);
		ip[strlen(ip) - 2] = '\0';
	}
	snprintf(pair, sizeof(pair), "%s:%s", host, ip);
	return array_append_string(x, body_array(x, path), pair);
}

/* json.Compact: the JSON text without white space outside strings. */
static void json_compact(char *s)
{
	char *w = s;
	bool in_string = false;

	for (char *r = s; *r != '\0'; r++) {
		if (in_string) {
			*w++ = *r;
			if (*r == '\\' && r[1] != '\0')
				*w++ = *++r;
			else if (*r == '"')
				in_string = false;
		} else if (!isspace((unsigned char)*r)) {
			if (*r == '"')
				in_string = true;
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* --security-opt: checked as the CLI checks it; seccomp=FILE sends the file's JSON. */
static int add_security_opt(struct xlate *x, const char *path, const char *opt)
{
	const char *sep = strchr(opt, '=');
	char *text, *value;
	json_error_t jerr;
	json_t *parsed;
	int rc;

	if (strcmp(opt, "no-new-privileges") != 0 && sep == NULL)
		sep = strchr(opt, ':');
	if (strcmp(opt, "no-new-privileges") != 0 &&
	    strncmp(opt, "no-new-privileges", (size_t)(sep != NULL ? sep - opt : 0)) != 0 &&
	    (sep == NULL || sep[1] == '\0'))
		return fail(x, "%s: invalid --security-opt: \"%s\"", x->what, opt);
	if (sep == NULL || (size_t)(sep - opt) != 7 || strncmp(opt, "seccomp", 7) != 0 ||
	    strcmp(sep + 1, "unconfined") == 0 || strcmp(sep + 1, "builtin") == 0)
		return array_append_string(x, body_array(x, path), opt);
	text = read_small_file(x, sep + 1);
	if (text == NULL)
		return -1;
	parsed = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (parsed == NULL) {
		free(text);
		return fail(x, "%s: seccomp profile %s: %s", x->what, sep + 1, jerr.text);
	}
	json_decref(parsed);
	json_compact(text);
	if ((value = join_pair("seccomp", '=', text)) == NULL) {
		free(text);
		return no_memory(x);
	}
	rc = array_append_string(x, body_array(x, path), value);
	free(value);
	free(text);
	return rc;
}

/* The endpoint settings that --ip, --network-alias, ... make, created on first use. */
static json_t *endpoint(struct xlate *x)
{
	if (x->endpoint == NULL)
		x->endpoint = json_object();
	return x->endpoint;
}

/* --network NAME, or the advanced form name=NAME,alias=A,ip=IP,ip6=IP. */
static int add_network(struct xlate *x, const char *spec)
{
	char buf[1024], *fields[16];
	int n;

	if (x->networks == NULL && (x->networks = json_array()) == NULL)
		return no_memory(x);
	if (strchr(spec, '=') == NULL)
		return array_append_string(x, x->networks, spec);
	snprintf(buf, sizeof(buf), "%s", spec);
	n = split_csv(buf, fields, 16);
	if (n < 0)
		return fail(x, "%s: --network %s: not a valid comma-separated list", x->what, spec);
	if (json_array_size(x->networks) > 0)
		return fail(x, "%s: --network %s: only one network is explained at a time", x->what, spec);
	for (int i = 0; i < n; i++) {
		char *eq = strchr(fields[i], '=');
		json_t *ep = endpoint(x);

		if (eq == NULL || ep == NULL)
			return fail(x, "%s: --network %s: invalid field '%s'", x->what, spec, fields[i]);
		*eq = '\0';
		if (strcmp(fields[i], "name") == 0) {
			if (array_append_string(x, x->networks, eq + 1) < 0)
				return -1;
		} else if (strcmp(fields[i], "alias") == 0) {
			if (array_append_string(x, sub_array(ep, "Aliases"), eq + 1) < 0)
				return -1;
		} else {
			return fail(x, "%s: --network: the field '%s' is not translated", x->what, fields[i]);
		}
	}
	return 0;
}

/* ---- the flag tables ---- */

/* docker's own options, before the command: none changes the request. */
static const struct docker_flag global_flags[] = {
	{ "config", 0, true, F_IGNORE, NULL },
	{ "context", 'c', true, F_IGNORE, NULL },
	{ "debug", 'D', false, F_IGNORE, NULL },
	{ "host", 'H', true, F_IGNORE, NULL },
	{ "log-level", 'l', true, F_IGNORE, NULL },
	{ "tls", 0, false, F_IGNORE, NULL },
	{ "tlscacert", 0, true, F_IGNORE, NULL },
	{ "tlscert", 0, true, F_IGNORE, NULL },
	{ "tlskey", 0, true, F_IGNORE, NULL },
	{ "tlsverify", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

/* docker create and docker run (cli/command/container/opts.go). */
static const struct docker_flag create_flags[] = {
	{ "add-host", 0, true, F_EXTRA_HOST, "HostConfig.ExtraHosts" },
	{ "attach", 'a', true, F_ATTACH, NULL },
	{ "blkio-weight", 0, true, F_INT, "HostConfig.BlkioWeight" },
	{ "blkio-weight-device", 0, true, F_IGNORE, NULL },
	{ "cap-add", 0, true, F_CAPS, "HostConfig.CapAdd" },
	{ "cap-drop", 0, true, F_CAPS, "HostConfig.CapDrop" },
	{ "cgroup-parent", 0, true, F_STRING, "HostConfig.CgroupParent" },
	{ "cgroupns", 0, true, F_STRING, "HostConfig.CgroupnsMode" },
	{ "cidfile", 0, true, F_IGNORE, NULL },
	{ "cpu-count", 0, true, F_INT, "HostConfig.CpuCount" },
	{ "cpu-percent", 0, true, F_INT, "HostConfig.CpuPercent" },
	{ "cpu-period", 0, true, F_INT, "HostConfig.CpuPeriod" },
	{ "cpu-quota", 0, true, F_INT, "HostConfig.CpuQuota" },
	{ "cpu-rt-period", 0, true, F_INT, "HostConfig.CpuRealtimePeriod" },
	{ "cpu-rt-runtime", 0, true, F_INT, "HostConfig.CpuRealtimeRuntime" },
	{ "cpu-shares", 'c', true, F_INT, "HostConfig.CpuShares" },
	{ "cpus", 0, true, F_CPUS, "HostConfig.NanoCpus" },
	{ "cpuset-cpus", 0, true, F_STRING, "HostConfig.CpusetCpus" },
	{ "cpuset-mems", 0, true, F_STRING, "HostConfig.CpusetMems" },
	{ "device", 0, true, F_DEVICE, NULL },
	{ "device-cgroup-rule", 0, true, F_STRINGS, "HostConfig.DeviceCgroupRules" },
	{ "device-read-bps", 0, true, F_IGNORE, NULL },
	{ "device-read-iops", 0, true, F_IGNORE, NULL },
	{ "device-write-bps", 0, true, F_IGNORE, NULL },
	{ "device-write-iops", 0, true, F_IGNORE, NULL },
	{ "disable-content-trust", 0, false, F_IGNORE, NULL },
	{ "dns", 0, true, F_STRINGS, "HostConfig.Dns" },
	{ "dns-opt", 0, true, F_STRINGS, "HostConfig.DnsOptions" },
	{ "dns-option", 0, true, F_STRINGS, "HostConfig.DnsOptions" },
	{ "dns-search", 0, true, F_STRINGS, "HostConfig.DnsSearch" },
	{ "domainname", 0, true, F_STRING, "Domainname" },
	{ "entrypoint", 0, true, F_ENTRYPOINT, "Entrypoint" },
	{ "env", 'e', true, F_ENV, NULL },
	{ "env-file", 0, true, F_ENV_FILE, NULL },
	{ "expose", 0, true, F_EXPOSE, NULL },
	{ "gpus", 0, true, F_GPUS, NULL },
	{ "group-add", 0, true, F_STRINGS, "HostConfig.GroupAdd" },
	{ "health-cmd", 0, true, F_IGNORE, NULL },
	{ "health-interval", 0, true, F_IGNORE, NULL },
	{ "health-retries", 0, true, F_IGNORE, NULL },
	{ "health-start-interval", 0, true, F_IGNORE, NULL },
	{ "health-start-period", 0, true, F_IGNORE, NULL },
	{ "health-timeout", 0, true, F_IGNORE, NULL },
	{ "hostname", 'h', true, F_STRING, "Hostname" },
	{ "init", 0, false, F_BOOL, "HostConfig.Init" },
	{ "interactive", 'i', false, F_BOOL, "OpenStdin" },
	{ "io-maxbandwidth", 0, true, F_IGNORE, NULL },
	{ "io-maxiops", 0, true, F_IGNORE, NULL },
	{ "ip", 0, true, F_ENDPOINT_IP, "IPv4Address" },
	{ "ip6", 0, true, F_ENDPOINT_IP, "IPv6Address" },
	{ "ipc", 0, true, F_STRING, "HostConfig.IpcMode" },
	{ "isolation", 0, true, F_STRING, "HostConfig.Isolation" },
	{ "kernel-memory", 0, true, F_IGNORE, NULL },
	{ "label", 'l', true, F_LABEL, NULL },
	{ "label-file", 0, true, F_LABEL_FILE, NULL },
	{ "link", 0, true, F_IGNORE, NULL },
	{ "link-local-ip", 0, true, F_IGNORE, NULL },
	{ "log-driver", 0, true, F_STRING, "HostConfig.LogConfig.Type" },
	{ "log-opt", 0, true, F_MAP, "HostConfig.LogConfig.Config" },
	{ "mac-address", 0, true, F_IGNORE, NULL },
	{ "memory", 'm', true, F_BYTES, "HostConfig.Memory" },
	{ "memory-reservation", 0, true, F_BYTES, "HostConfig.MemoryReservation" },
	{ "memory-swap", 0, true, F_SWAP, "HostConfig.MemorySwap" },
	{ "memory-swappiness", 0, true, F_INT, "HostConfig.MemorySwappiness" },
	{ "mount", 0, true, F_MOUNT, "HostConfig.Mounts" },
	{ "name", 0, true, F_QUERY_VALUE, "name" },
	{ "net", 0, true, F_NETWORK, NULL },
	{ "net-alias", 0, true, F_ALIAS, NULL },
	{ "network", 0, true, F_NETWORK, NULL },
	{ "network-alias", 0, true, F_ALIAS, NULL },
	{ "no-healthcheck", 0, false, F_IGNORE, NULL },
	{ "oom-kill-disable", 0, false, F_BOOL, "HostConfig.OomKillDisable" },
	{ "oom-score-adj", 0, true, F_INT, "HostConfig.OomScoreAdj" },
	{ "pid", 0, true, F_STRING, "HostConfig.PidMode" },
	{ "pids-limit", 0, true, F_INT, "HostConfig.PidsLimit" },
	{ "platform", 0, true, F_QUERY_VALUE, "platform" },
	{ "privileged", 0, false, F_BOOL, "HostConfig.Privileged" },
	{ "publish", 'p', true, F_PORT, NULL },
	{ "publish-all", 'P', false, F_BOOL, "HostConfig.PublishAllPorts" },
	{ "pull", 0, true, F_IGNORE, NULL },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ "read-only", 0, false, F_BOOL, "HostConfig.ReadonlyRootfs" },
	{ "restart", 0, true, F_RESTART, "HostConfig.RestartPolicy" },
	{ "rm", 0, false, F_BOOL, "HostConfig.AutoRemove" },
	{ "runtime", 0, true, F_STRING, "HostConfig.Runtime" },
	{ "security-opt", 0, true, F_SECURITY_OPT, "HostConfig.SecurityOpt" },
	{ "shm-size", 0, true, F_BYTES, "HostConfig.ShmSize" },
	{ "stop-signal", 0, true, F_STRING, "StopSignal" },
	{ "stop-timeout", 0, true, F_INT, "StopTimeout" },
	{ "storage-opt", 0, true, F_MAP, "HostConfig.StorageOpt" },
	{ "sysctl", 0, true, F_MAP, "HostConfig.Sysctls" },
	{ "tmpfs", 0, true, F_TMPFS, "HostConfig.Tmpfs" },
	{ "tty", 't', false, F_BOOL, "Tty" },
	{ "ulimit", 0, true, F_IGNORE, NULL },
	{ "use-api-socket", 0, false, F_API_SOCKET, NULL },
	{ "user", 'u', true, F_STRING, "User" },
	{ "userns", 0, true, F_STRING, "HostConfig.UsernsMode" },
	{ "uts", 0, true, F_STRING, "HostConfig.UTSMode" },
	{ "volume", 'v', true, F_VOLUME, NULL },
	{ "volume-driver", 0, true, F_STRING, "HostConfig.VolumeDriver" },
	{ "volumes-from", 0, true, F_STRINGS, "HostConfig.VolumesFrom" },
	{ "workdir", 'w', true, F_STRING, "WorkingDir" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

/* What docker run has beyond docker create. */
static const struct docker_flag run_flags[] = {
	{ "detach", 'd', false, F_DETACH, NULL },
	{ "detach-keys", 0, true, F_IGNORE, NULL },
	{ "sig-proxy", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag exec_flags[] = {
	{ "detach", 'd', false, F_DETACH, NULL },
	{ "detach-keys", 0, true, F_STRING, "DetachKeys" },
	{ "env", 'e', true, F_ENV, NULL },
	{ "env-file", 0, true, F_ENV_FILE, NULL },
	{ "interactive", 'i', false, F_BOOL, "AttachStdin" },
	{ "privileged", 0, false, F_BOOL, "Privileged" },
	{ "tty", 't', false, F_BOOL, "Tty" },
	{ "user", 'u', true, F_STRING, "User" },
	{ "workdir", 'w', true, F_STRING, "WorkingDir" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag update_flags[] = {
	{ "blkio-weight", 0, true, F_INT, "BlkioWeight" },
	{ "cpu-period", 0, true, F_INT, "CpuPeriod" },
	{ "cpu-quota", 0, true, F_INT, "CpuQuota" },
	{ "cpu-rt-period", 0, true, F_INT, "CpuRealtimePeriod" },
	{ "cpu-rt-runtime", 0, true, F_INT, "CpuRealtimeRuntime" },
	{ "cpu-shares", 'c', true, F_INT, "CpuShares" },
	{ "cpus", 0, true, F_CPUS, "NanoCpus" },
	{ "cpuset-cpus", 0, true, F_STRING, "CpusetCpus" },
	{ "cpuset-mems", 0, true, F_STRING, "CpusetMems" },
	{ "kernel-memory", 0, true, F_IGNORE, NULL },
	{ "memory", 'm', true, F_BYTES, "Memory" },
	{ "memory-reservation", 0, true, F_BYTES, "MemoryReservation" },
	{ "memory-swap", 0, true, F_SWAP, "MemorySwap" },
	{ "pids-limit", 0, true, F_INT, "PidsLimit" },
	{ "restart", 0, true, F_RESTART, "RestartPolicy" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

/* The output options of the list commands, and their --filter. */
static const struct docker_flag list_flags[] = {
	{ "filter", 'f', true, F_FILTER, NULL },
	{ "format", 0, true, F_IGNORE, NULL },
	{ "no-trunc", 0, false, F_IGNORE, NULL },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag ps_flags[] = {
	{ "all", 'a', false, F_QUERY_BOOL, "all=1" },
	{ "last", 'n', true, F_QUERY_VALUE, "limit" },
	{ "latest", 'l', false, F_QUERY_BOOL, "limit=1" },
	{ "size", 's', false, F_QUERY_BOOL, "size=1" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag images_flags[] = {
	{ "all", 'a', false, F_QUERY_BOOL, "all=1" },
	{ "digests", 0, false, F_IGNORE, NULL },
	{ "tree", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag format_flags[] = {
	{ "format", 'f', true, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag force_flags[] = {
	{ "force", 'f', false, F_QUERY_BOOL, "force=1" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag prune_flags[] = {
	{ "filter", 0, true, F_FILTER, NULL },
	{ "force", 'f', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag image_prune_flags[] = {
	{ "all", 'a', false, F_PRUNE_ALL, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag system_prune_flags[] = {
	{ "all", 'a', false, F_IGNORE, NULL },
	{ "volumes", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag df_flags[] = {
	{ "format", 0, true, F_IGNORE, NULL },
	{ "verbose", 'v', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag start_flags[] = {
	{ "attach", 'a', false, F_IGNORE, NULL },
	{ "detach-keys", 0, true, F_IGNORE, NULL },
	{ "interactive", 'i', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag stop_flags[] = {
	{ "time", 't', true, F_QUERY_VALUE, "t" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag kill_flags[] = {
	{ "signal", 's', true, F_QUERY_VALUE, "signal" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag rm_flags[] = {
	{ "force", 'f', false, F_QUERY_BOOL, "force=1" },
	{ "link", 'l', false, F_QUERY_BOOL, "link=1" },
	{ "volumes", 'v', false, F_QUERY_BOOL, "v=1" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag rmi_flags[] = {
	{ "force", 'f', false, F_QUERY_BOOL, "force=1" },
	{ "no-prune", 0, false, F_QUERY_BOOL, "noprune=1" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag logs_flags[] = {
	{ "details", 0, false, F_QUERY_BOOL, "details=1" },
	{ "follow", 'f', false, F_QUERY_BOOL, "follow=1" },
	{ "since", 0, true, F_QUERY_TIME, "since" },
	{ "tail", 'n', true, F_QUERY_VALUE, "tail" },
	{ "timestamps", 't', false, F_QUERY_BOOL, "timestamps=1" },
	{ "until", 0, true, F_QUERY_TIME, "until" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag events_flags[] = {
	{ "filter", 'f', true, F_FILTER, NULL },
	{ "format", 0, true, F_IGNORE, NULL },
	{ "since", 0, true, F_QUERY_TIME, "since" },
	{ "until", 0, true, F_QUERY_TIME, "until" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag stats_flags[] = {
	{ "all", 'a', false, F_IGNORE, NULL },
	{ "format", 0, true, F_IGNORE, NULL },
	{ "no-stream", 0, false, F_QUERY_BOOL, "stream=0" },
	{ "no-trunc", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag attach_flags[] = {
	{ "detach-keys", 0, true, F_IGNORE, NULL },
	{ "no-stdin", 0, false, F_IGNORE, NULL },
	{ "sig-proxy", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag inspect_flags[] = {
	{ "format", 'f', true, F_IGNORE, NULL },
	{ "size", 's', false, F_QUERY_BOOL, "size=1" },
	{ "type", 0, true, F_TYPE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag commit_flags[] = {
	{ "author", 'a', true, F_QUERY_VALUE, "author" },
	{ "change", 'c', true, F_QUERY_REPEAT, "changes" },
	{ "message", 'm', true, F_QUERY_VALUE, "comment" },
	{ "pause", 'p', false, F_QUERY_BOOL, "!pause=0" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag cp_flags[] = {
	{ "archive", 'a', false, F_QUERY_BOOL, "copyUIDGID=true" },
	{ "follow-link", 'L', false, F_IGNORE, NULL },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag output_flags[] = {
	{ "output", 'o', true, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag pull_flags[] = {
	{ "all-tags", 'a', false, F_ALL_TAGS, NULL },
	{ "disable-content-trust", 0, false, F_IGNORE, NULL },
	{ "platform", 0, true, F_QUERY_VALUE, "platform" },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag push_flags[] = {
	{ "all-tags", 'a', false, F_ALL_TAGS, NULL },
	{ "disable-content-trust", 0, false, F_IGNORE, NULL },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag history_flags[] = {
	{ "format", 0, true, F_IGNORE, NULL },
	{ "human", 'H', false, F_IGNORE, NULL },
	{ "no-trunc", 0, false, F_IGNORE, NULL },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag load_flags[] = {
	{ "input", 'i', true, F_IGNORE, NULL },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag import_flags[] = {
	{ "change", 'c', true, F_QUERY_REPEAT, "changes" },
	{ "message", 'm', true, F_QUERY_VALUE, "message" },
	{ "platform", 0, true, F_QUERY_VALUE, "platform" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag search_flags[] = {
	{ "filter", 'f', true, F_FILTER, NULL },
	{ "format", 0, true, F_IGNORE, NULL },
	{ "limit", 0, true, F_QUERY_VALUE, "limit" },
	{ "no-trunc", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

/* The legacy builder's query (BuildKit sends the same command, image.build). */
static const struct docker_flag build_flags[] = {
	{ "add-host", 0, true, F_QUERY_REPEAT, "extrahosts" },
	{ "build-arg", 0, true, F_MAP, "buildargs" },
	{ "cache-from", 0, true, F_IGNORE, NULL },
	{ "cgroup-parent", 0, true, F_QUERY_VALUE, "cgroupparent" },
	{ "cpu-period", 0, true, F_QUERY_VALUE, "cpuperiod" },
	{ "cpu-quota", 0, true, F_QUERY_VALUE, "cpuquota" },
	{ "cpu-shares", 'c', true, F_QUERY_VALUE, "cpushares" },
	{ "cpuset-cpus", 0, true, F_QUERY_VALUE, "cpusetcpus" },
	{ "cpuset-mems", 0, true, F_QUERY_VALUE, "cpusetmems" },
	{ "disable-content-trust", 0, false, F_IGNORE, NULL },
	{ "file", 'f', true, F_QUERY_VALUE, "dockerfile" },
	{ "force-rm", 0, false, F_QUERY_BOOL, "forcerm=1" },
	{ "iidfile", 0, true, F_IGNORE, NULL },
	{ "isolation", 0, true, F_QUERY_VALUE, "isolation" },
	{ "label", 0, true, F_MAP, "labels" },
	{ "memory", 'm', true, F_BYTES, "memory" },
	{ "memory-swap", 0, true, F_SWAP, "memswap" },
	{ "network", 0, true, F_QUERY_VALUE, "networkmode" },
	{ "no-cache", 0, false, F_QUERY_BOOL, "nocache=1" },
	{ "platform", 0, true, F_QUERY_VALUE, "platform" },
	{ "pull", 0, false, F_QUERY_BOOL, "pull=1" },
	{ "quiet", 'q', false, F_QUERY_BOOL, "q=1" },
	{ "rm", 0, false, F_QUERY_BOOL, "!rm=0" },
	{ "security-opt", 0, true, F_QUERY_REPEAT, "securityopt" },
	{ "shm-size", 0, true, F_BYTES, "shmsize" },
	{ "tag", 't', true, F_QUERY_REPEAT, "t" },
	{ "target", 0, true, F_QUERY_VALUE, "target" },
	{ "ulimit", 0, true, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag login_flags[] = {
	{ "password", 'p', true, F_STRING, "password" },
	{ "password-stdin", 0, false, F_IGNORE, NULL },
	{ "username", 'u', true, F_STRING, "username" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag volume_create_flags[] = {
	{ "driver", 'd', true, F_STRING, "Driver" },
	{ "label", 0, true, F_MAP, "Labels" },
	{ "name", 0, true, F_STRING, "Name" },
	{ "opt", 'o', true, F_MAP, "DriverOpts" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag network_create_flags[] = {
	{ "attachable", 0, false, F_BOOL, "Attachable" },
	{ "config-only", 0, false, F_BOOL, "ConfigOnly" },
	{ "driver", 'd', true, F_STRING, "Driver" },
	{ "gateway", 0, true, F_SUBNET, "Gateway" },
	{ "ingress", 0, false, F_BOOL, "Ingress" },
	{ "internal", 0, false, F_BOOL, "Internal" },
	{ "ip-range", 0, true, F_SUBNET, "IPRange" },
	{ "ipam-driver", 0, true, F_STRING, "IPAM.Driver" },
	{ "ipam-opt", 0, true, F_MAP, "IPAM.Options" },
	{ "ipv6", 0, false, F_BOOL, "EnableIPv6" },
	{ "label", 0, true, F_MAP, "Labels" },
	{ "opt", 'o', true, F_MAP, "Options" },
	{ "scope", 0, true, F_STRING, "Scope" },
	{ "subnet", 0, true, F_SUBNET, "Subnet" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag network_connect_flags[] = {
	{ "alias", 0, true, F_STRINGS, "EndpointConfig.Aliases" },
	{ "driver-opt", 0, true, F_MAP, "EndpointConfig.DriverOpts" },
	{ "ip", 0, true, F_STRING, "EndpointConfig.IPAMConfig.IPv4Address" },
	{ "ip6", 0, true, F_STRING, "EndpointConfig.IPAMConfig.IPv6Address" },
	{ "link", 0, true, F_STRINGS, "EndpointConfig.Links" },
	{ "link-local-ip", 0, true, F_STRINGS, "EndpointConfig.IPAMConfig.LinkLocalIPs" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag network_disconnect_flags[] = {
	{ "force", 'f', false, F_BOOL, "Force" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag network_inspect_flags[] = {
	{ "format", 'f', true, F_IGNORE, NULL },
	{ "verbose", 'v', false, F_QUERY_BOOL, "verbose=true" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag plugin_install_flags[] = {
	{ "alias", 0, true, F_QUERY_VALUE, "name" },
	{ "disable", 0, false, F_IGNORE, NULL },
	{ "disable-content-trust", 0, false, F_IGNORE, NULL },
	{ "grant-all-permissions", 0, false, F_IGNORE, NULL },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag plugin_enable_flags[] = {
	{ "timeout", 0, true, F_QUERY_VALUE, "timeout" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag swarm_flags[] = {
	{ "advertise-addr", 0, true, F_STRING, "AdvertiseAddr" },
	{ "data-path-addr", 0, true, F_STRING, "DataPathAddr" },
	{ "listen-addr", 0, true, F_STRING, "ListenAddr" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag swarm_init_flags[] = {
	{ "autolock", 0, false, F_BOOL, "AutoLockManagers" },
	{ "force-new-cluster", 0, false, F_BOOL, "ForceNewCluster" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag swarm_join_flags[] = {
	{ "availability", 0, true, F_STRING, "Availability" },
	{ "token", 0, true, F_STRING, "JoinToken" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

static const struct docker_flag service_create_flags[] = {
	{ "cap-add", 0, true, F_CAPS, "TaskTemplate.ContainerSpec.CapabilityAdd" },
	{ "cap-drop", 0, true, F_CAPS, "TaskTemplate.ContainerSpec.CapabilityDrop" },
	{ "constraint", 0, true, F_STRINGS, "TaskTemplate.Placement.Constraints" },
	{ "container-label", 0, true, F_MAP, "TaskTemplate.ContainerSpec.Labels" },
	{ "detach", 'd', false, F_IGNORE, NULL },
	{ "env", 'e', true, F_ENV, NULL },
	{ "hostname", 0, true, F_STRING, "TaskTemplate.ContainerSpec.Hostname" },
	{ "label", 'l', true, F_MAP, "Labels" },
	{ "limit-cpu", 0, true, F_CPUS, "TaskTemplate.Resources.Limits.NanoCPUs" },
	{ "limit-memory", 0, true, F_BYTES, "TaskTemplate.Resources.Limits.MemoryBytes" },
	{ "limit-pids", 0, true, F_INT, "TaskTemplate.Resources.Limits.Pids" },
	{ "mode", 0, true, F_MODE, NULL },
	{ "mount", 0, true, F_MOUNT, "TaskTemplate.ContainerSpec.Mounts" },
	{ "name", 0, true, F_STRING, "Name" },
	{ "no-resolve-image", 0, false, F_IGNORE, NULL },
	{ "quiet", 'q', false, F_IGNORE, NULL },
	{ "replicas", 0, true, F_REPLICAS, NULL },
	{ "reserve-cpu", 0, true, F_CPUS, "TaskTemplate.Resources.Reservations.NanoCPUs" },
	{ "reserve-memory", 0, true, F_BYTES, "TaskTemplate.Resources.Reservations.MemoryBytes" },
	{ "user", 'u', true, F_STRING, "TaskTemplate.ContainerSpec.User" },
	{ "with-registry-auth", 0, false, F_IGNORE, NULL },
	{ "workdir", 'w', true, F_STRING, "TaskTemplate.ContainerSpec.Dir" },
	{ NULL, 0, false, F_IGNORE, NULL },
};

/* ---- the command table ---- */

#define FLAGS(...) { __VA_ARGS__, NULL }

/* The CLI's starting bodies: each key holds the value the CLI sends when no
 * flag changes it, so that a translated body says what the CLI's says. */
static const char create_body[] =
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
	"\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,"
	"\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":{},"
	"\"WorkingDir\":\"\",\"Entrypoint\":null,\"Labels\":{},"
	"\"HostConfig\":{\"Binds\":null,\"LogConfig\":{\"Type\":\"\",\"Config\":{}},"
	"\"NetworkMode\":\"default\",\"PortBindings\":{},"
	"\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,"
	"\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,"
	"\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,"
	"\"GroupAdd\":null,\"IpcMode\":\"\",\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
	"\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\","
	"\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,"
	"\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"CpuPeriod\":0,\"CpuQuota\":0,"
	"\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\","
	"\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,"
	"\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,"
	"\"CpuCount\":0,\"CpuPercent\":0},"
	"\"NetworkingConfig\":{\"EndpointsConfig\":{}}}";

static const char exec_body[] =
	"{\"User\":\"\",\"Privileged\":false,\"Tty\":false,\"AttachStdin\":false,"
	"\"AttachStderr\":true,\"AttachStdout\":true,\"Detach\":false,\"DetachKeys\":\"\","
	"\"Env\":null,\"WorkingDir\":\"\",\"Cmd\":null}";

static const char update_body[] =
	"{\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,"
	"\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,"
	"\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":null,\"DeviceCgroupRules\":null,"
	"\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"PidsLimit\":null,"
	"\"RestartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":0}}";

static const char network_create_body[] =
	"{\"Driver\":\"bridge\",\"Scope\":\"\",\"IPAM\":{\"Driver\":\"default\",\"Options\":{},"
	"\"Config\":[]},\"Internal\":false,\"Attachable\":false,\"Ingress\":false,"
	"\"ConfigOnly\":false,\"ConfigFrom\":null,\"Options\":{},\"Labels\":{},\"Name\":\"\","
	"\"CheckDuplicate\":true}";

static const char network_connect_body[] =
	"{\"Container\":\"\",\"EndpointConfig\":{\"IPAMConfig\":{},\"Links\":null,\"Aliases\":[],"
	"\"DriverOpts\":{}}}";

static const char service_create_body[] =
	"{\"Labels\":{},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"\",\"Init\":false,"
	"\"DNSConfig\":{}},\"Resources\":{\"Limits\":{},\"Reservations\":{}},\"Placement\":{},"
	"\"ForceUpdate\":0},\"Mode\":{\"Replicated\":{}},\"EndpointSpec\":{\"Mode\":\"vip\"}}";

static const struct docker_cmd commands[] = {
	/* containers */
	{ "run|container run", "POST", "/containers/create", NULL, 1, -1, NULL,
		FLAGS(run_flags, create_flags), B_CREATE, false, create_body },
	{ "create|container create", "POST", "/containers/create", NULL, 1, -1, NULL,
		FLAGS(create_flags), B_CREATE, false, create_body },
	{ "exec|container exec", "POST", "/containers/%1/exec", NULL, 2, -1, NULL,
		FLAGS(exec_flags), B_EXEC, false, exec_body },
	{ "ps|container ls|container list|container ps", "GET", "/containers/json", NULL, 0, 0, NULL,
		FLAGS(ps_flags, list_flags), B_PLAIN, true, NULL },
	{ "start|container start", "POST", "/containers/%1/start", NULL, 1, -1, NULL,
		FLAGS(start_flags), B_PLAIN, true, NULL },
	{ "stop|container stop", "POST", "/containers/%1/stop", NULL, 1, -1, NULL,
		FLAGS(stop_flags), B_PLAIN, true, NULL },
	{ "restart|container restart", "POST", "/containers/%1/restart", NULL, 1, -1, NULL,
		FLAGS(stop_flags), B_PLAIN, true, NULL },
	{ "kill|container kill", "POST", "/containers/%1/kill", NULL, 1, -1, NULL,
		FLAGS(kill_flags), B_PLAIN, true, NULL },
	{ "pause|container pause", "POST", "/containers/%1/pause", NULL, 1, -1, NULL,
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "unpause|container unpause", "POST", "/containers/%1/unpause", NULL, 1, -1, NULL,
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "rm|container rm|container remove", "DELETE", "/containers/%1", NULL, 1, -1, NULL,
		FLAGS(rm_flags), B_PLAIN, true, NULL },
	{ "logs|container logs", "GET", "/containers/%1/logs", "stderr=1&stdout=1&tail=all", 1, 1, NULL,
		FLAGS(logs_flags), B_PLAIN, true, NULL },
	{ "inspect", "GET", "/containers/%1/json", NULL, 1, -1, NULL,
		FLAGS(inspect_flags), B_INSPECT, true, NULL },
	{ "container inspect", "GET", "/containers/%1/json", NULL, 1, -1, NULL,
		FLAGS(inspect_flags), B_INSPECT, true, NULL },
	{ "top|container top", "GET", "/containers/%1/top", NULL, 1, -1, NULL,
		FLAGS(NULL), B_TOP, false, NULL },
	{ "port|container port", "GET", "/containers/%1/json", NULL, 1, 2, NULL,
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "stats|container stats", "GET", "/containers/%1/stats", "stream=1", 1, -1, NULL,
		FLAGS(stats_flags), B_PLAIN, true, NULL },
	{ "wait|container wait", "POST", "/containers/%1/wait", NULL, 1, -1, NULL,
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "attach|container attach", "POST", "/containers/%1/attach", "stderr=1&stdout=1&stream=1", 1, 1,
		NULL, FLAGS(attach_flags), B_PLAIN, true, NULL },
	{ "rename|container rename", "POST", "/containers/%1/rename", NULL, 2, 2, "name",
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "update|container update", "POST", "/containers/%1/update", NULL, 1, -1, NULL,
		FLAGS(update_flags), B_UPDATE, true, update_body },
	{ "commit|container commit", "POST", "/commit", "author=&comment=&repo=&tag=", 1, 2, NULL,
		FLAGS(commit_flags), B_COMMIT, true, NULL },
	{ "cp|container cp", "GET", "/containers/%1/archive", NULL, 2, 2, NULL,
		FLAGS(cp_flags), B_CP, true, NULL },
	{ "export|container export", "GET", "/containers/%1/export", NULL, 1, 1, NULL,
		FLAGS(output_flags), B_PLAIN, true, NULL },
	{ "diff|container diff", "GET", "/containers/%1/changes", NULL, 1, 1, NULL,
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "container prune", "POST", "/containers/prune", NULL, 0, 0, NULL,
		FLAGS(prune_flags), B_PLAIN, true, NULL },
	/* images */
	{ "images|image ls|image list", "GET", "/images/json", NULL, 0, 1, "filter:reference",
		FLAGS(images_flags, list_flags), B_PLAIN, true, NULL },
	{ "pull|image pull", "POST", "/images/create", NULL, 1, 1, NULL,
		FLAGS(pull_flags), B_PULL, true, NULL },
	{ "push|image push", "POST", "/images/%1/push", NULL, 1, 1, NULL,
		FLAGS(push_flags), B_PUSH, true, NULL },
	{ "tag|image tag", "POST", "/images/%1/tag", NULL, 2, 2, NULL,
		FLAGS(NULL), B_TAG, true, NULL },
	{ "rmi|image rm|image remove", "DELETE", "/images/%1", NULL, 1, -1, NULL,
		FLAGS(rmi_flags), B_PLAIN, true, NULL },
	{ "image inspect", "GET", "/images/%1/json", NULL, 1, -1, NULL,
		FLAGS(format_flags), B_PLAIN, true, NULL },
	{ "history|image history", "GET", "/images/%1/history", NULL, 1, 1, NULL,
		FLAGS(history_flags), B_PLAIN, true, NULL },
	{ "image prune", "POST", "/images/prune", NULL, 0, 0, NULL,
		FLAGS(image_prune_flags, prune_flags), B_IMAGE_PRUNE, true, NULL },
	{ "save|image save", "GET", "/images/get", NULL, 1, -1, "names*",
		FLAGS(output_flags), B_PLAIN, true, NULL },
	{ "load|image load", "POST", "/images/load", "quiet=1", 0, 0, NULL,
		FLAGS(load_flags), B_PLAIN, true, NULL },
	{ "import|image import", "POST", "/images/create", NULL, 1, 2, NULL,
		FLAGS(import_flags), B_IMPORT, true, NULL },
	{ "search", "GET", "/images/search", NULL, 1, 1, "term",
		FLAGS(search_flags), B_PLAIN, true, NULL },
	{ "build|image build|builder build", "POST", "/build", "dockerfile=Dockerfile&version=1", 1, 1,
		NULL, FLAGS(build_flags), B_BUILD, true, "{}" },
	/* volumes */
	{ "volume create", "POST", "/volumes/create", NULL, 0, 1, NULL,
		FLAGS(volume_create_flags), B_VOLUME_CREATE, true, "{\"Driver\":\"local\"}" },
	{ "volume ls|volume list", "GET", "/volumes", NULL, 0, 0, NULL,
		FLAGS(list_flags), B_PLAIN, true, NULL },
	{ "volume rm|volume remove", "DELETE", "/volumes/%1", NULL, 1, -1, NULL,
		FLAGS(force_flags), B_PLAIN, true, NULL },
	{ "volume inspect", "GET", "/volumes/%1", NULL, 1, -1, NULL,
		FLAGS(format_flags), B_PLAIN, true, NULL },
	{ "volume prune", "POST", "/volumes/prune", NULL, 0, 0, NULL,
		FLAGS(prune_flags), B_PLAIN, true, NULL },
	/* networks */
	{ "network ls|network list", "GET", "/networks", NULL, 0, 0, NULL,
		FLAGS(list_flags), B_PLAIN, true, NULL },
	{ "network create", "POST", "/networks/create", NULL, 1, 1, NULL,
		FLAGS(network_create_flags), B_NETWORK_CREATE, true, network_create_body },
	{ "network rm|network remove", "DELETE", "/networks/%1", NULL, 1, -1, NULL,
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "network inspect", "GET", "/networks/%1", NULL, 1, -1, NULL,
		FLAGS(network_inspect_flags), B_PLAIN, true, NULL },
	{ "network connect", "POST", "/networks/%1/connect", NULL, 2, 2, NULL,
		FLAGS(network_connect_flags), B_NETWORK_CONNECT, true, network_connect_body },
	{ "network disconnect", "POST", "/networks/%1/disconnect", NULL, 2, 2, NULL,
		FLAGS(network_disconnect_flags), B_NETWORK_DISCONNECT, true, "{\"Force\":false}" },
	{ "network prune", "POST", "/networks/prune", NULL, 0, 0, NULL,
		FLAGS(prune_flags), B_PLAIN, true, NULL },
	/* the daemon */
	{ "info|system info", "GET", "/info", NULL, 0, 0, NULL,
		FLAGS(format_flags), B_PLAIN, true, NULL },
	{ "version", "GET", "/version", NULL, 0, 0, NULL,
		FLAGS(format_flags), B_PLAIN, true, NULL },
	{ "system df", "GET", "/system/df", NULL, 0, 0, NULL,
		FLAGS(df_flags), B_PLAIN, true, NULL },
	{ "system prune", "POST", "/containers/prune", NULL, 0, 0, NULL,
		FLAGS(system_prune_flags, prune_flags), B_PLAIN, true, NULL },
	{ "events|system events", "GET", "/events", NULL, 0, 0, NULL,
		FLAGS(events_flags), B_PLAIN, true, NULL },
	{ "login", "POST", "/auth", NULL, 0, 1, NULL,
		FLAGS(login_flags), B_LOGIN, true, "{\"username\":\"\",\"password\":\"\"}" },
	/* plugins */
	{ "plugin ls|plugin list", "GET", "/plugins", NULL, 0, 0, NULL,
		FLAGS(list_flags), B_PLAIN, true, NULL },
	{ "plugin install", "POST", "/plugins/pull", NULL, 1, -1, NULL,
		FLAGS(plugin_install_flags), B_PLUGIN_INSTALL, false, NULL },
	{ "plugin enable", "POST", "/plugins/%1/enable", "timeout=30", 1, 1, NULL,
		FLAGS(plugin_enable_flags), B_PLAIN, true, NULL },
	{ "plugin disable", "POST", "/plugins/%1/disable", NULL, 1, 1, NULL,
		FLAGS(force_flags), B_PLAIN, true, NULL },
	{ "plugin rm|plugin remove", "DELETE", "/plugins/%1", NULL, 1, -1, NULL,
		FLAGS(force_flags), B_PLAIN, true, NULL },
	{ "plugin inspect", "GET", "/plugins/%1/json", NULL, 1, -1, NULL,
		FLAGS(format_flags), B_PLAIN, true, NULL },
	/* swarm */
	{ "swarm init", "POST", "/swarm/init", NULL, 0, 0, NULL,
		FLAGS(swarm_flags, swarm_init_flags), B_SWARM_INIT, true,
		"{\"ListenAddr\":\"0.0.0.0:2377\",\"AdvertiseAddr\":\"\",\"DataPathAddr\":\"\","
		"\"ForceNewCluster\":false,\"AutoLockManagers\":false}" },
	{ "swarm join", "POST", "/swarm/join", NULL, 1, 1, NULL,
		FLAGS(swarm_flags, swarm_join_flags), B_SWARM_JOIN, true,
		"{\"ListenAddr\":\"0.0.0.0:2377\",\"AdvertiseAddr\":\"\",\"DataPathAddr\":\"\","
		"\"JoinToken\":\"\",\"Availability\":\"\"}" },
	{ "swarm leave", "POST", "/swarm/leave", NULL, 0, 0, NULL,
		FLAGS(force_flags), B_PLAIN, true, NULL },
	{ "service ls|service list", "GET", "/services", "status=true", 0, 0, NULL,
		FLAGS(list_flags), B_PLAIN, true, NULL },
	{ "service create", "POST", "/services/create", NULL, 1, -1, NULL,
		FLAGS(service_create_flags), B_SERVICE_CREATE, false, service_create_body },
	{ "service rm|service remove", "DELETE", "/services/%1", NULL, 1, -1, NULL,
		FLAGS(NULL), B_PLAIN, true, NULL },
	{ "node ls|node list", "GET", "/nodes", NULL, 0, 0, NULL,
		FLAGS(list_flags), B_PLAIN, true, NULL },
	{ "secret ls|secret list", "GET", "/secrets", NULL, 0, 0, NULL,
		FLAGS(list_flags), B_PLAIN, true, NULL },
	{ "config ls|config list", "GET", "/configs", NULL, 0, 0, NULL,
		FLAGS(list_flags), B_PLAIN, true, NULL },
};

/* The words that start a two-word command ("docker image pull"). */
static const char *const management[] = {
	"builder", "config", "container", "image", "network", "node", "plugin", "secret",
	"service", "swarm", "system", "volume", NULL,
};

/* ---- applying a flag ---- */

/* --filter NAME=VALUE into {"NAME": {"VALUE": true}} (filters.Args). */
static int add_filter(struct xlate *x, const char *name, const char *value)
{
	json_t *values;

	if (x->filters == NULL && (x->filters = json_object()) == NULL)
		return no_memory(x);
	values = sub_object(x->filters, name);
	if (values == NULL || json_object_set_new(values, value, json_true()) < 0)
		return no_memory(x);
	return 0;
}

static int apply_flag(struct xlate *x, const struct docker_flag *f, const char *val, bool on)
{
	char buf[RG_DOCKER_PATH_MAX];
	int64_t n;

	switch (f->kind) {
	case F_IGNORE:
		return 0;
	case F_QUERY_BOOL: {
		const char *pair = f->target[0] == '!' ? f->target + 1 : f->target;
		const char *eq = strchr(pair, '=');

		if (on == (f->target[0] == '!'))
			return 0;
		snprintf(buf, sizeof(buf), "%.*s", (int)(eq - pair), pair);
		return query_add(x, buf, eq + 1, true);
	}
	case F_QUERY_VALUE:
		return query_add(x, f->target, val, true);
	case F_QUERY_REPEAT:
		return query_add(x, f->target, val, false);
	case F_QUERY_TIME:
		if (parse_time(x, f->name, val, buf, sizeof(buf)) < 0)
			return -1;
		return query_add(x, f->target, buf, true);
	case F_FILTER: {
		const char *eq = strchr(val, '=');

		if (eq == NULL)
			return fail(x, "%s: bad format of filter (expected name=value): %s", x->what, val);
		snprintf(buf, sizeof(buf), "%.*s", (int)(eq - val), val);
		return add_filter(x, buf, eq + 1);
	}
	case F_BOOL:
		return body_set(x, f->target, json_boolean(on));
	case F_STRING:
		return body_set(x, f->target, json_string(val));
	case F_STRINGS:
	case F_CAPS:
		return array_append_string(x, body_array(x, f->target), val);
	case F_INT:
		if (parse_int(val, &n) < 0)
			return fail(x, "%s: invalid argument \"%s\" for --%s: not an integer", x->what, val, f->name);
		return body_set(x, f->target, json_integer(n));
	case F_SWAP:
		if (strcmp(val, "-1") == 0)
			return body_set(x, f->target, json_integer(-1));
		/* fall through */
	case F_BYTES:
		if (parse_bytes(val, &n) < 0)
			return fail(x, "%s: invalid argument \"%s\" for --%s: not a size (e.g. 512m, 2g)",
					x->what, val, f->name);
		return body_set(x, f->target, json_integer(n));
	case F_CPUS:
		if (parse_cpus(val, &n) < 0)
			return fail(x, "%s: invalid argument \"%s\" for --%s: not a decimal number "
					"with at most 9 decimals", x->what, val, f->name);
		return body_set(x, f->target, json_integer(n));
	case F_MAP:
		return set_kv(x, body_object(x, f->target), val);
	case F_TMPFS: {
		const char *colon = strchr(val, ':');
		json_t *o = body_object(x, f->target);

		snprintf(buf, sizeof(buf), "%.*s", colon != NULL ? (int)(colon - val) : (int)strlen(val), val);
		if (o == NULL || json_object_set_new(o, buf, json_string(colon != NULL ? colon + 1 : "")) < 0)
			return no_memory(x);
		return 0;
	}
	case F_ENV:
		return add_env(x, x->env, val);
	case F_ENV_FILE:
		return array_append_string(x, x->env_files, val);
	case F_LABEL:
		return array_append_string(x, x->labels, val);
	case F_LABEL_FILE:
		return array_append_string(x, x->label_files, val);
	case F_ATTACH: {
		static const char *const streams[] = { "stdin", "stdout", "stderr" };
		static const char *const keys[] = { "AttachStdin", "AttachStdout", "AttachStderr" };

		for (size_t i = 0; i < 3; i++) {
			if (strcasecmp(val, streams[i]) == 0) {
				x->attach_given = true;
				return body_set(x, keys[i], json_true());
			}
		}
		return fail(x, "%s: valid streams are STDIN, STDOUT and STDERR, not %s", x->what, val);
	}
	case F_DETACH:
		x->detach = on;
		return 0;
	case F_ENTRYPOINT:
		return body_set(x, f->target, json_pack("[s]", val));
	case F_VOLUME:
		return add_volume(x, val);
	case F_MOUNT:
		return add_mount(x, f->target, val);
	case F_API_SOCKET:
		return on ? add_api_socket(x) : 0;
	case F_DEVICE:
		return add_device(x, val);
	case F_GPUS:
		return add_gpus(x, val);
	case F_PORT:
		return add_port(x, val);
	case F_EXPOSE:
		return add_expose(x, val);
	case F_RESTART:
		return set_restart(x, f->target, val);
	case F_EXTRA_HOST:
		return add_extra_host(x, f->target, val);
	case F_SECURITY_OPT:
		return add_security_opt(x, f->target, val);
	case F_NETWORK:
		return add_network(x, val);
	case F_ALIAS:
		return array_append_string(x, endpoint(x) == NULL ? NULL : sub_array(x->endpoint, "Aliases"), val);
	case F_ENDPOINT_IP: {
		json_t *ipam = endpoint(x) == NULL ? NULL : sub_object(x->endpoint, "IPAMConfig");

		if (ipam == NULL || json_object_set_new(ipam, f->target, json_string(val)) < 0)
			return no_memory(x);
		return 0;
	}
	case F_SUBNET: {
		size_t i;
		json_t *c;

		if (strcmp(f->target, "Subnet") == 0)
			return json_array_append_new(x->subnets, json_pack("{s:s}", "Subnet", val)) < 0 ?
				no_memory(x) : 0;
		/* --gateway and --ip-range belong to the first subnet still without one */
		json_array_foreach(x->subnets, i, c) {
			if (json_object_get(c, f->target) == NULL)
				return json_object_set_new(c, f->target, json_string(val)) < 0 ? no_memory(x) : 0;
		}
		return fail(x, "%s: --%s %s needs a --subnet of its own", x->what, f->name, val);
	}
	case F_MODE:
		if (strcmp(val, "replicated") == 0)
			return body_set(x, "Mode", json_pack("{s:{}}", "Replicated"));
		if (strcmp(val, "global") == 0)
			return body_set(x, "Mode", json_pack("{s:{}}", "Global"));
		return fail(x, "%s: --mode %s is not translated (replicated or global)", x->what, val);
	case F_REPLICAS:
		if (parse_int(val, &n) < 0 || n < 0)
			return fail(x, "%s: invalid --replicas %s", x->what, val);
		return body_set(x, "Mode.Replicated.Replicas", json_integer(n));
	case F_ALL_TAGS:
		x->all_tags = on;
		return 0;
	case F_PRUNE_ALL:
		x->prune_all = on;
		return 0;
	case F_TYPE:
		x->type = val;
		return 0;
	}
	return fail(x, "%s: --%s: no handler", x->what, f->name);
}

/* ---- the command line ---- */

static const struct docker_flag *find_flag(const struct docker_flag *const *tables, const char *name,
		size_t len, char shorthand)
{
	for (; *tables != NULL; tables++) {
		for (const struct docker_flag *f = *tables; f->name != NULL; f++) {
			if (shorthand != 0 ? f->shorthand == shorthand :
			    strlen(f->name) == len && strncmp(f->name, name, len) == 0)
				return f;
		}
	}
	return NULL;
}

/* "--name[=value]" at argv[*i]; a value may be the next word. */
static int parse_long(struct xlate *x, const struct docker_flag *const *tables, int argc,
		char **argv, int *i)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct docker_flag *f = find_flag(tables, name, len, 0);
	bool on = true;

	if (f == NULL && len == 4 && strncmp(name, "help", 4) == 0)
		return fail(x, "%s --help: shows usage and makes no request", x->what);
	if (f == NULL)
		return fail(x, "unknown flag for %s: --%.*s", x->what, (int)len, name);
	if (f->value) {
		if (eq != NULL)
			return apply_flag(x, f, eq + 1, true);
		if (*i + 1 >= argc)
			return fail(x, "%s: flag needs an argument: --%s", x->what, f->name);
		return apply_flag(x, f, argv[++*i], true);
	}
	if (eq != NULL && parse_bool(eq + 1, &on) < 0)
		return fail(x, "%s: invalid boolean \"%s\" for --%s", x->what, eq + 1, f->name);
	return apply_flag(x, f, NULL, on);
}

/* "-abc", "-ePATH=x", "-e=x", "-d=false" at argv[*i]. */
static int parse_short(struct xlate *x, const struct docker_flag *const *tables, int argc,
		char **argv, int *i)
{
	const char *arg = argv[*i];

	for (const char *p = arg + 1; *p != '\0'; p++) {
		const struct docker_flag *f = find_flag(tables, NULL, 0, *p);
		bool on = true;

		if (f == NULL)
			return fail(x, "unknown flag for %s: -%c (in %s)", x->what, *p, arg);
		if (f->value) {
			if (p[1] == '=')
				return apply_flag(x, f, p + 2, true);
			if (p[1] != '\0')
				return apply_flag(x, f, p + 1, true);
			if (*i + 1 >= argc)
				return fail(x, "%s: flag needs an argument: -%c", x->what, *p);
			return apply_flag(x, f, argv[++*i], true);
		}
		if (p[1] == '=') {
			if (parse_bool(p + 2, &on) < 0)
				return fail(x, "%s: invalid boolean \"%s\" for -%c", x->what, p + 2, *p);
			return apply_flag(x, f, NULL, on);
		}
		if (apply_flag(x, f, NULL, true) < 0)
			return -1;
	}
	return 0;
}

/* Reads flags and operands from argv[start]. */
static int parse_args(struct xlate *x, const struct docker_flag *const *tables, bool interspersed,
		int start, int argc, char **argv)
{
	bool flags_done = false;

	for (int i = start; i < argc; i++) {
		const char *a = argv[i];
		int rc;

		if (flags_done || a[0] != '-' || a[1] == '\0') {
			x->ops[x->nops++] = argv[i];
			if (!interspersed)
				flags_done = true;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			flags_done = true;
			continue;
		}
		rc = a[1] == '-' ? parse_long(x, tables, argc, argv, &i) : parse_short(x, tables, argc, argv, &i);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Skips docker's own options; returns the index of the command word. */
static int skip_global(struct xlate *x, int argc, char **argv)
{
	static const struct docker_flag *const tables[] = { global_flags, NULL };
	int i = 1;

	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if ((argv[i][1] == '-' ? parse_long(x, tables, argc, argv, &i) :
				parse_short(x, tables, argc, argv, &i)) < 0)
			return -1;
		i++;
	}
	return i;
}

/* Whether name ("image pull") is one of names ("pull|image pull"). */
static bool names_match(const char *names, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = names; p != NULL; p = strchr(p, '|') != NULL ? strchr(p, '|') + 1 : NULL) {
		if (strncmp(p, name, len) == 0 && (p[len] == '|' || p[len] == '\0'))
			return true;
	}
	return false;
}

/* The command at argv[0] (and argv[1]); *words says how many words it took. */
static const struct docker_cmd *find_command(struct xlate *x, int argc, char **argv, int *words)
{
	char name[128];
	bool mgmt = false;

	if (argc < 1) {
		fail(x, "docker: no command given");
		return NULL;
	}
	for (const char *const *m = management; *m != NULL; m++)
		mgmt = mgmt || strcmp(argv[0], *m) == 0;
	if (mgmt) {
		if (argc < 2) {
			fail(x, "docker %s: no subcommand given", argv[0]);
			return NULL;
		}
		snprintf(name, sizeof(name), "%s %s", argv[0], argv[1]);
		*words = 2;
	} else {
		snprintf(name, sizeof(name), "%s", argv[0]);
		*words = 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (names_match(commands[i].names, name)) {
			snprintf(x->what, sizeof(x->what), "docker %s", name);
			return &commands[i];
		}
	}
	fail(x, "unknown docker command: docker %s (not translated)", name);
	return NULL;
}

/* ---- finishing the request ---- */

/* Fills x->path from tmpl, "%1".."%9" standing for args[0..8] path-escaped.
 * Returns the number of args used, or -1. */
static int fill_path(struct xlate *x, const char *tmpl, char *const *args, int nargs)
{
	size_t len = 0;
	int used = 0;

	x->path[0] = '\0';
	for (const char *p = tmpl; *p != '\0'; p++) {
		if (*p == '%' && p[1] >= '1' && p[1] <= '9') {
			int idx = p[1] - '1';

			if (idx >= nargs || path_escape(args[idx], x->path, sizeof(x->path), &len) < 0)
				return fail(x, "%s: path too long", x->what);
			used = idx + 1 > used ? idx + 1 : used;
			p++;
			continue;
		}
		if (len + 2 > sizeof(x->path))
			return fail(x, "%s: path too long", x->what);
		x->path[len++] = *p;
		x->path[len] = '\0';
	}
	return used;
}

/* Capability names as the CLI sends them (opts.NormalizeCapabilities):
 * upper case, "CAP_" prefixed except ALL, unique, sorted. Not trimmed:
 * " cap_chown" becomes "CAP_ CAP_CHOWN", as with the CLI. */
static int normalize_caps(struct xlate *x, const char *path)
{
	json_t *in = body_get(x, path), *out, *v;
	char *names[256];
	size_t n = 0, i;

	if (!json_is_array(in))
		return 0;
	json_array_foreach(in, i, v) {
		const char *s = json_string_value(v);
		char buf[128], *b = buf;
		bool dup = false;

		snprintf(buf, sizeof(buf), "%s%s", strcasecmp(s, "ALL") == 0 ||
				strncasecmp(s, "CAP_", 4) == 0 ? "" : "CAP_", s);
		while (*b != '\0') {
			*b = (char)toupper((unsigned char)*b);
			b++;
		}
		for (size_t j = 0; j < n && !dup; j++)
			dup = strcmp(names[j], buf) == 0;
		if (dup)
			continue;
		if (n == sizeof(names) / sizeof(names[0]) || (names[n] = strdup(buf)) == NULL) {
			for (size_t j = 0; j < n; j++)
				free(names[j]);
			return fail(x, "%s: too many capabilities", x->what);
		}
		n++;
	}
	for (i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	}
	out = json_array();
	for (i = 0; i < n; i++) {
		if (out != NULL)
			json_array_append_new(out, json_string(names[i]));
		free(names[i]);
	}
	return body_set(x, path, out);
}

/* Removes earlier entries naming the same variable ("A=1" ... "A=2"). */
static void env_dedup(json_t *env)
{
	for (size_t i = 0; i < json_array_size(env); i++) {
		const char *a = json_string_value(json_array_get(env, i));
		size_t la = strcspn(a, "=");
		bool later = false;

		for (size_t j = i + 1; j < json_array_size(env) && !later; j++) {
			const char *b = json_string_value(json_array_get(env, j));

			later = strcspn(b, "=") == la && strncmp(a, b, la) == 0;
		}
		if (later)
			json_array_remove(env, i--);
	}
}

/*
 * Env at path: the --env-file lines, then the -e values; null when none.
 * For containers and services the CLI keeps the -e values in a Go map by
 * name: the last value of a name wins (and the order is random); the file
 * lines are kept as they are.
 */
static int finish_env(struct xlate *x, const char *path, bool by_name)
{
	json_t *all = json_array(), *v;
	size_t i;

	if (all == NULL)
		return no_memory(x);
	json_array_foreach(x->env_files, i, v) {
		if (add_kv_file(x, all, json_string_value(v), true) < 0) {
			json_decref(all);
			return -1;
		}
	}
	if (by_name)
		env_dedup(x->env);
	if (json_array_extend(all, x->env) < 0) {
		json_decref(all);
		return no_memory(x);
	}
	if (json_array_size(all) == 0) {
		json_decref(all);
		return body_set(x, path, json_null());
	}
	return body_set(x, path, all);
}

/* Labels at path: the --label-file lines, then the -l values (later wins). */
static int finish_labels(struct xlate *x, const char *path)
{
	json_t *all = json_array(), *v, *labels = body_object(x, path);
	size_t i;
	int rc = 0;

	if (all == NULL || labels == NULL) {
		json_decref(all);
		return no_memory(x);
	}
	json_array_foreach(x->label_files, i, v) {
		if (add_kv_file(x, all, json_string_value(v), false) < 0) {
			json_decref(all);
			return -1;
		}
	}
	json_array_extend(all, x->labels);
	json_array_foreach(all, i, v) {
		if (rc == 0)
			rc = set_kv(x, labels, json_string_value(v));
	}
	json_decref(all);
	return rc;
}

/* The operands from index from on, as a JSON list. */
static json_t *ops_list(struct xlate *x, int from)
{
	json_t *a = json_array();

	for (int i = from; a != NULL && i < x->nops; i++)
		json_array_append_new(a, json_string(x->ops[i]));
	return a;
}

static int finish_create(struct xlate *x)
{
	json_t *eps, *openstdin = body_get(x, "OpenStdin");
	size_t nnet = json_array_size(x->networks);

	if (body_set(x, "Image", json_string(x->ops[0])) < 0 ||
	    (x->nops > 1 && body_set(x, "Cmd", ops_list(x, 1)) < 0) ||
	    finish_env(x, "Env", true) < 0 || finish_labels(x, "Labels") < 0 ||
	    normalize_caps(x, "HostConfig.CapAdd") < 0 || normalize_caps(x, "HostConfig.CapDrop") < 0)
		return -1;
	/* The CLI attaches stdout and stderr unless -a names streams; -i attaches stdin. */
	if (!x->attach_given && (body_set(x, "AttachStdout", json_true()) < 0 ||
			body_set(x, "AttachStderr", json_true()) < 0))
		return -1;
	if (json_is_true(openstdin) && (body_set(x, "AttachStdin", json_true()) < 0 ||
			body_set(x, "StdinOnce", json_true()) < 0))
		return -1;
	if (x->detach && (body_set(x, "AttachStdin", json_false()) < 0 ||
			body_set(x, "AttachStdout", json_false()) < 0 ||
			body_set(x, "AttachStderr", json_false()) < 0 ||
			body_set(x, "StdinOnce", json_false()) < 0))
		return -1;
	/*
	 * The first --network is the NetworkMode. The CLI names endpoints in
	 * EndpointsConfig for the default network, for several networks, and
	 * for a network given endpoint options (--ip, --network-alias).
	 */
	if (body_set(x, "HostConfig.NetworkMode", json_string(nnet > 0 ?
			json_string_value(json_array_get(x->networks, 0)) : "default")) < 0)
		return -1;
	eps = body_object(x, "NetworkingConfig.EndpointsConfig");
	if (eps == NULL)
		return no_memory(x);
	if (nnet == 0 || nnet > 1 || x->endpoint != NULL) {
		for (size_t i = 0; i < (nnet > 0 ? nnet : 1); i++) {
			const char *name = nnet > 0 ? json_string_value(json_array_get(x->networks, i)) : "default";
			json_t *ep = i == 0 && x->endpoint != NULL ? json_deep_copy(x->endpoint) : json_object();

			if (ep == NULL || json_object_set_new(eps, name, ep) < 0)
				return no_memory(x);
		}
	}
	return 0;
}

static int finish_exec(struct xlate *x)
{
	if (body_set(x, "Cmd", ops_list(x, 1)) < 0 || finish_env(x, "Env", false) < 0)
		return -1;
	if (!x->detach)
		return 0;
	if (body_set(x, "Detach", json_true()) < 0 || body_set(x, "AttachStdin", json_false()) < 0 ||
	    body_set(x, "AttachStdout", json_false()) < 0 || body_set(x, "AttachStderr", json_false()) < 0)
		return -1;
	return 0;
}

static int parse_ref(struct xlate *x, const char *s, struct rg_imageref *ref)
{
	const char *errstr = "invalid reference";

	if (rg_imageref_parse(s, ref, &errstr) < 0)
		return fail(x, "%s: %s: %s", x->what, s, errstr);
	return 0;
}

/* reference.FamiliarString: docker.io/library/ dropped again. */
static void familiar_name(const struct rg_imageref *ref, char *out, size_t outlen)
{
	if (strcmp(ref->domain, "docker.io") != 0)
		snprintf(out, outlen, "%s/%s", ref->domain, ref->path);
	else if (strncmp(ref->path, "library/", 8) == 0 && strchr(ref->path + 8, '/') == NULL)
		snprintf(out, outlen, "%s", ref->path + 8);
	else
		snprintf(out, outlen, "%s", ref->path);
}

static int finish_pull(struct xlate *x)
{
	struct rg_imageref ref;
	char name[RG_IMAGEREF_MAX];

	if (parse_ref(x, x->ops[0], &ref) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s/%s", ref.domain, ref.path);
	if (query_add(x, "fromImage", name, true) < 0)
		return -1;
	if (x->all_tags) {
		if (!ref.tag_defaulted || ref.digest[0] != '\0')
			return fail(x, "%s: tag can't be used with --all-tags/-a", x->what);
		return 0;
	}
	return query_add(x, "tag", ref.digest[0] != '\0' ? ref.digest : ref.tag, true);
}

static int finish_push(struct xlate *x)
{
	struct rg_imageref ref;
	char name[RG_IMAGEREF_MAX], *args[1] = { name };

	if (parse_ref(x, x->ops[0], &ref) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s/%s", ref.domain, ref.path);
	if (fill_path(x, "/images/%1/push", args, 1) < 0)
		return -1;
	if (x->all_tags) {
		if (!ref.tag_defaulted)
			return fail(x, "%s: tag can't be used with --all-tags/-a", x->what);
		return 0;
	}
	return query_add(x, "tag", ref.tag, true);
}

/* repo= and tag= of a new name (tag, commit). */
static int repo_tag_query(struct xlate *x, const char *target)
{
	struct rg_imageref ref;
	char name[RG_IMAGEREF_MAX];

	if (parse_ref(x, target, &ref) < 0)
		return -1;
	if (ref.digest[0] != '\0')
		return fail(x, "%s: refusing to create a tag with a digest reference", x->what);
	snprintf(name, sizeof(name), "%s/%s", ref.domain, ref.path);
	if (query_add(x, "repo", name, true) < 0)
		return -1;
	return query_add(x, "tag", ref.tag, true);
}

static int finish_commit(struct xlate *x)
{
	if (query_add(x, "container", x->ops[0], true) < 0)
		return -1;
	return x->nops > 1 ? repo_tag_query(x, x->ops[1]) : 0;
}

static int finish_import(struct xlate *x)
{
	const char *src = x->ops[0];
	bool url = strncmp(src, "http://", 7) == 0 || strncmp(src, "https://", 8) == 0;

	/* A file (or "-") is streamed as the body: the source is then "-". */
	if (query_add(x, "fromSrc", url ? src : "-", true) < 0)
		return -1;
	return x->nops > 1 ? query_add(x, "repo", x->ops[1], true) : 0;
}

/* The legacy builder's query: maps as JSON, sizes as numbers. */
static int finish_build(struct xlate *x)
{
	static const char *const json_keys[] = { "buildargs", "labels" };
	static const char *const int_keys[] = { "memory", "memswap", "shmsize" };

	for (size_t i = 0; i < 2; i++) {
		json_t *v = json_object_get(x->body, json_keys[i]);
		char *text;
		int rc;

		if (v == NULL)
			continue;
		text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		if (text == NULL)
			return no_memory(x);
		rc = query_add(x, json_keys[i], text, true);
		free(text);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(x->body, int_keys[i]);
		char num[32];

		if (v == NULL)
			continue;
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		if (query_add(x, int_keys[i], num, true) < 0)
			return -1;
	}
	/* the body itself is the build context, a tar stream */
	json_decref(x->body);
	x->body = NULL;
	return 0;
}

/* "CONTAINER:PATH" (not an absolute or ./ local path): splits it. */
static bool cp_remote(const char *arg, char *ctr, size_t ctrlen, const char **path)
{
	const char *colon = strchr(arg, ':');

	if (arg[0] == '/' || arg[0] == '.' || colon == NULL)
		return false;
	snprintf(ctr, ctrlen, "%.*s", (int)(colon - arg), arg);
	*path = colon + 1;
	return true;
}

static int finish_cp(struct xlate *x)
{
	char ctr[RG_DOCKER_PATH_MAX], *args[1] = { ctr };
	const char *path;
	bool from = cp_remote(x->ops[0], ctr, sizeof(ctr), &path);

	if (from && cp_remote(x->ops[1], ctr, sizeof(ctr), &path))
		return fail(x, "%s: copying between containers is not supported", x->what);
	if (!from && !cp_remote(x->ops[1], ctr, sizeof(ctr), &path))
		return fail(x, "%s: must specify at least one container source", x->what);
	if (fill_path(x, "/containers/%1/archive", args, 1) < 0 || query_add(x, "path", path, true) < 0)
		return -1;
	if (from)
		return 0;
	/* Into the container: the tar is the body, not translated. */
	x->method = "PUT";
	return query_add(x, "noOverwriteDirNonDir", "true", true);
}

static int finish_top(struct xlate *x)
{
	char args[RG_DOCKER_PATH_MAX] = "";

	if (x->nops < 2)
		return 0;
	for (int i = 1; i < x->nops; i++)
		snprintf(args + strlen(args), sizeof(args) - strlen(args), "%s%s", i > 1 ? " " : "", x->ops[i]);
	return query_add(x, "ps_args", args, true);
}

static int finish_inspect(struct xlate *x)
{
	static const struct { const char *type, *path; } types[] = {
		{ "container", "/containers/%1/json" }, { "image", "/images/%1/json" },
		{ "volume", "/volumes/%1" }, { "network", "/networks/%1" },
		{ "plugin", "/plugins/%1/json" }, { "node", "/nodes/%1" },
		{ "service", "/services/%1" }, { "task", "/tasks/%1" },
		{ "secret", "/secrets/%1" }, { "config", "/configs/%1" },
	};

	if (x->type == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(x->type, types[i].type) == 0)
			return fill_path(x, types[i].path, x->ops, x->nops) < 0 ? -1 : 0;
	}
	return fail(x, "%s: unknown --type %s", x->what, x->type);
}

static int finish_login(struct xlate *x)
{
	char server[512] = "";
	const char *s = x->nops > 0 ? x->ops[0] : "";

	/* credentials.ConvertToHostname: no scheme, nothing after the host */
	if (strncmp(s, "http://", 7) == 0)
		s += 7;
	else if (strncmp(s, "https://", 8) == 0)
		s += 8;
	snprintf(server, sizeof(server), "%.*s", (int)strcspn(s, "/"), s);
	if (server[0] == '\0' || strcmp(server, "docker.io") == 0 || strcmp(server, "index.docker.io") == 0)
		snprintf(server, sizeof(server), "https://index.docker.io/v1/");
	return body_set(x, "serveraddress", json_string(server));
}

static int finish_volume_create(struct xlate *x)
{
	json_t *name = json_object_get(x->body, "Name");

	if (x->nops == 0)
		return 0;
	if (name != NULL && strcmp(json_string_value(name), x->ops[0]) != 0)
		return fail(x, "%s: conflicting options: either specify --name or provide positional arg, not both",
				x->what);
	return body_set(x, "Name", json_string(x->ops[0]));
}

static int finish_plugin_install(struct xlate *x)
{
	struct rg_imageref ref;
	char remote[RG_IMAGEREF_MAX], alias[RG_IMAGEREF_MAX];

	if (parse_ref(x, x->ops[0], &ref) < 0 || rg_imageref_format(&ref, false, remote, sizeof(remote)) < 0)
		return -1;
	if (query_add(x, "remote", remote, true) < 0)
		return -1;
	/* The alias is named like an image: familiar, with a tag. */
	for (size_t i = 0; i < x->nq; i++) {
		struct rg_imageref a;

		if (strcmp(x->q[i].key, "name") != 0 || x->q[i].value[0] == '\0')
			continue;
		if (parse_ref(x, x->q[i].value, &a) < 0)
			return -1;
		familiar_name(&a, alias, sizeof(alias));
		snprintf(alias + strlen(alias), sizeof(alias) - strlen(alias), ":%s", a.tag);
		return query_add(x, "name", alias, true);
	}
	/*
	 * The body lists the privileges the plugin asks for, which only the
	 * registry knows: it is left out, so that a role whose constraints need
	 * it is denied rather than allowed on a guess.
	 */
	return query_add(x, "name", "", true);
}

/* swarm --listen-addr defaults to port 2377 */
static int swarm_addr(struct xlate *x, const char *key)
{
	json_t *v = json_object_get(x->body, key);
	char addr[512];
	const char *s = json_string_value(v);

	if (s == NULL || s[0] == '\0' || strchr(s, ':') != NULL)
		return 0;
	snprintf(addr, sizeof(addr), "%s:2377", s);
	return body_set(x, key, json_string(addr));
}

static int finish_service_create(struct xlate *x)
{
	struct rg_imageref ref;
	char image[RG_IMAGEREF_MAX];

	if (parse_ref(x, x->ops[0], &ref) < 0)
		return -1;
	familiar_name(&ref, image, sizeof(image));
	if (ref.tag[0] != '\0')
		snprintf(image + strlen(image), sizeof(image) - strlen(image), ":%s", ref.tag);
	if (ref.digest[0] != '\0')
		snprintf(image + strlen(image), sizeof(image) - strlen(image), "@%s", ref.digest);
	if (body_set(x, "TaskTemplate.ContainerSpec.Image", json_string(image)) < 0 ||
	    (x->nops > 1 && body_set(x, "TaskTemplate.ContainerSpec.Args", ops_list(x, 1)) < 0) ||
	    normalize_caps(x, "TaskTemplate.ContainerSpec.CapabilityAdd") < 0 ||
	    normalize_caps(x, "TaskTemplate.ContainerSpec.CapabilityDrop") < 0)
		return -1;
	if (json_array_size(x->env) == 0)
		return 0;
	return finish_env(x, "TaskTemplate.ContainerSpec.Env", true);
}

/* The parts every command shares: the path and the operands that go into the query. */
static int finish_plain(struct xlate *x)
{
	const char *oq = x->cmd->op_query;
	int used = fill_path(x, x->cmd->path, x->ops, x->nops);

	if (used < 0)
		return -1;
	if (oq == NULL || used >= x->nops)
		return 0;
	if (strncmp(oq, "filter:", 7) == 0)
		return add_filter(x, oq + 7, x->ops[used]);
	if (oq[strlen(oq) - 1] != '*')
		return query_add(x, oq, x->ops[used], true);
	for (int i = used; i < x->nops; i++) {
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)strlen(oq) - 1, oq);
		if (query_add(x, key, x->ops[i], false) < 0)
			return -1;
	}
	return 0;
}

static int finish(struct xlate *x)
{
	if (finish_plain(x) < 0)
		return -1;
	switch (x->cmd->finish) {
	case B_PLAIN:
		return 0;
	case B_IMAGE_PRUNE:
		return add_filter(x, "dangling", x->prune_all ? "false" : "true");
	case B_CREATE:
		return finish_create(x);
	case B_EXEC:
		return finish_exec(x);
	case B_UPDATE:
		return 0;
	case B_PULL:
		return finish_pull(x);
	case B_PUSH:
		return finish_push(x);
	case B_TAG:
		return repo_tag_query(x, x->ops[1]);
	case B_COMMIT:
		return finish_commit(x);
	case B_IMPORT:
		return finish_import(x);
	case B_BUILD:
		return finish_build(x);
	case B_CP:
		return finish_cp(x);
	case B_TOP:
		return finish_top(x);
	case B_INSPECT:
		return finish_inspect(x);
	case B_LOGIN:
		return finish_login(x);
	case B_VOLUME_CREATE:
		return finish_volume_create(x);
	case B_NETWORK_CREATE:
		if (body_set(x, "IPAM.Config", json_copy(x->subnets)) < 0)
			return -1;
		return body_set(x, "Name", json_string(x->ops[0]));
	case B_NETWORK_CONNECT:
		return body_set(x, "Container", json_string(x->ops[1]));
	case B_NETWORK_DISCONNECT:
		return body_set(x, "Container", json_string(x->ops[1]));
	case B_PLUGIN_INSTALL:
		return finish_plugin_install(x);
	case B_SWARM_INIT:
		return swarm_addr(x, "ListenAddr");
	case B_SWARM_JOIN:
		if (body_set(x, "RemoteAddrs", ops_list(x, 0)) < 0)
			return -1;
		return swarm_addr(x, "ListenAddr");
	case B_SERVICE_CREATE:
		return finish_service_create(x);
	}
	return fail(x, "%s: no finisher", x->what);
}

/* ---- the entry points ---- */

static void xlate_free(struct xlate *x)
{
	for (size_t i = 0; i < x->nq; i++) {
		free(x->q[i].key);
		free(x->q[i].value);
	}
	json_decref(x->body);
	json_decref(x->filters);
	json_decref(x->env);
	json_decref(x->env_files);
	json_decref(x->labels);
	json_decref(x->label_files);
	json_decref(x->networks);
	json_decref(x->endpoint);
	json_decref(x->subnets);
	free(x->ops);
}

/* Writes method, uri and body into out. */
static int emit(struct xlate *x, struct rg_docker_request *out)
{
	char uri[2 * RG_DOCKER_PATH_MAX];
	size_t len;

	if (x->filters != NULL) {
		char *text = json_dumps(x->filters, JSON_COMPACT | JSON_SORT_KEYS);
		int rc;

		if (text == NULL)
			return no_memory(x);
		rc = query_add(x, "filters", text, true);
		free(text);
		if (rc < 0)
			return -1;
	}
	len = (size_t)snprintf(uri, sizeof(uri), "%s%s", RG_DOCKER_API_PREFIX, x->path);
	if (len >= sizeof(uri) || query_encode(x, uri, sizeof(uri), &len) < 0)
		return fail(x, "%s: request too long", x->what);
	out->method = strdup(x->method);
	out->uri = strdup(uri);
	out->body = x->body != NULL ? json_dumps(x->body, JSON_COMPACT) : NULL;
	if (out->method == NULL || out->uri == NULL || (x->body != NULL && out->body == NULL)) {
		rg_docker_request_clear(out);
		return no_memory(x);
	}
	return 0;
}

static int translate(struct xlate *x, int argc, char **argv, struct rg_docker_request *out)
{
	int first, words;
	const struct docker_cmd *cmd;

	if (argc < 1 || strcmp(argv[0], "docker") != 0)
		return fail(x, "not a docker command line: it must start with \"docker\"");
	snprintf(x->what, sizeof(x->what), "docker");
	first = skip_global(x, argc, argv);
	if (first < 0)
		return -1;
	cmd = find_command(x, argc - first, argv + first, &words);
	if (cmd == NULL)
		return -1;
	x->cmd = cmd;
	x->method = cmd->method;
	if (cmd->body != NULL) {
		json_error_t jerr;

		x->body = json_loads(cmd->body, 0, &jerr);
		if (x->body == NULL)
			return fail(x, "%s: starting body: %s", x->what, jerr.text);
	}
	if (query_add_fixed(x, cmd->query) < 0 ||
	    parse_args(x, cmd->flags, cmd->interspersed, first + words, argc, argv) < 0)
		return -1;
	if (x->nops < cmd->min_ops)
		return fail(x, "%s: needs at least %d argument%s", x->what, cmd->min_ops,
				cmd->min_ops == 1 ? "" : "s");
	if (cmd->max_ops >= 0 && x->nops > cmd->max_ops)
		return fail(x, "%s: takes at most %d argument%s, got %d", x->what, cmd->max_ops,
				cmd->max_ops == 1 ? "" : "s", x->nops);
	if (finish(x) < 0)
		return -1;
	return emit(x, out);
}

int rg_docker_translate(int argc, char **argv, struct rg_docker_request *out, char *err, size_t errlen)
{
	struct xlate x;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.err = err;
	x.errlen = errlen;
	err[0] = '\0';
	x.ops = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*x.ops));
	x.env = json_array();
	x.env_files = json_array();
	x.labels = json_array();
	x.label_files = json_array();
	x.subnets = json_array();
	if (x.ops == NULL || x.env == NULL || x.env_files == NULL || x.labels == NULL ||
	    x.label_files == NULL || x.subnets == NULL)
		rc = no_memory(&x);
	else
		rc = translate(&x, argc, argv, out);
	xlate_free(&x);
	return rc;
}

void rg_docker_request_clear(struct rg_docker_request *r)
{
	free(r->method);
	free(r->uri);
	free(r->body);
	r->method = r->uri = r->body = NULL;
}
