/*
 * Settings that reach past the container: the runtime that starts it, the
 * cgroup it is placed in, the kernel parameters it sets, where its logs
 * go, how much of the host it may take, and the image names it leaves on
 * the host. See include/rolegate/consreach.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rolegate/consreach.h"
#include "rolegate/gojson.h"
#include "rolegate/imageref.h"

static bool is_unset(const json_t *v)
{
	return v == NULL || json_is_null(v);
}

static const char *allowed_list(const struct rg_strv *v, char *buf, size_t len)
{
	return v->n > 0 ? rg_strv_join(v, ", ", buf, len) : "none";
}

/* A name from a list key: "" (dockerd's default) always passes. */
static int named(struct rg_conscheck *k, bool has, const struct rg_strv *allowed, const char *name,
		const char *what, const char *field)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1], list[256];

	if (!has || name[0] == '\0' || rg_strv_has(allowed, name))
		return 0;
	return rg_conscheck_deny(k, "use %s %s (%s; allowed: %s)", what,
			rg_conscheck_quote(name, q, sizeof(q)), field, allowed_list(allowed, list, sizeof(list)));
}

/*
 * Whether the sysctl key (runc reads "a/b" as "a.b") is allowed by an
 * entry: the exact name, or "prefix.*" for every name under prefix.
 */
static bool sysctl_allowed(const struct rg_strv *allowed, const char *key)
{
	for (size_t i = 0; i < allowed->n; i++) {
		const char *e = allowed->v[i];
		size_t n = strlen(e);

		if (n >= 2 && strcmp(e + n - 2, ".*") == 0) {
			if (strncmp(key, e, n - 1) == 0 && key[n - 1] != '\0')
				return true;
		} else if (strcmp(key, e) == 0) {
			return true;
		}
	}
	return false;
}

static int sysctls(struct rg_conscheck *k, const json_t *map, const char *field)
{
	char key[256], q[RG_CONSCHECK_QUOTE_MAX + 1], list[256];
	const char *name;
	json_t *val;

	if (!k->c->has_sysctls || is_unset(map))
		return 0;
	if (!json_is_object(map))
		return rg_conscheck_malformed(k, field, "a map of strings");
	json_object_foreach((json_t *)map, name, val) {
		size_t n = strlen(name);

		if (!json_is_string(val) && !json_is_null(val))
			return rg_conscheck_malformed(k, field, "a map of strings");
		/* runc writes /proc/sys/<key with '.' as '/'>: read "a/b" as "a.b";
		 * anything that is not a plain name is refused. */
		if (n == 0 || n >= sizeof(key) ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-./") != n)
			return rg_conscheck_deny(k, "set the sysctl %s (%s: not a plain sysctl name)",
					rg_conscheck_quote(name, q, sizeof(q)), field);
		for (size_t i = 0; i <= n; i++)
			key[i] = name[i] == '/' ? '.' : name[i];
		/* runc writes /proc/sys/<key, '.' as '/'>: no empty or ".." parts. */
		if (strstr(key, "..") != NULL || key[0] == '.' || key[n - 1] == '.')
			return rg_conscheck_deny(k, "set the sysctl %s (%s: not a plain sysctl name)",
					rg_conscheck_quote(name, q, sizeof(q)), field);
		if (!sysctl_allowed(&k->c->sysctls, key))
			return rg_conscheck_deny(k, "set the sysctl %s (%s; allowed: %s)",
					rg_conscheck_quote(key, q, sizeof(q)), field,
					allowed_list(&k->c->sysctls, list, sizeof(list)));
	}
	return 0;
}

/*
 * The fields a log tag may name: Go's logger.Info methods the docker
 * documentation lists for --log-opt tag. Each gives a short string.
 */
static const char *const tag_fields[] = {
	"ID", "FullID", "Name", "ImageID", "ImageFullID", "ImageName", "DaemonName",
};

/* Whether "{{ .Field }}" (spaces optional) starts at s; *len = its length,
 * *field its index in tag_fields. */
static bool tag_action(const char *s, size_t *len, size_t *field)
{
	const char *p = s + 2, *name;
	size_t n;

	while (*p == ' ')
		p++;
	if (*p++ != '.')
		return false;
	name = p;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	n = (size_t)(p - name);
	while (*p == ' ')
		p++;
	if (strncmp(p, "}}", 2) != 0)
		return false;
	for (size_t i = 0; i < sizeof(tag_fields) / sizeof(tag_fields[0]); i++) {
		if (strlen(tag_fields[i]) == n && strncmp(tag_fields[i], name, n) == 0) {
			*len = (size_t)(p + 2 - s);
			*field = i;
			return true;
		}
	}
	return false;
}

/*
 * Whether a tag begins with the container's id ({{.ID}} or {{.FullID}}), or
 * is empty (dockerd's default, {{.ID}}). The tag is the name the line goes
 * under in the host's logs: syslog's program name (`TAG[PID]:`, up to the
 * first '/', '[' or ':'), journald's SYSLOG_IDENTIFIER. Any other start is
 * the caller's text, and `tag=rolegate` made a container's output read
 * `rolegate[PID]: rolegate checkpoint ...` in the host's syslog, which the
 * example rsyslog rules forward to the collector as rolegate's own (red
 * team round 16).
 */
static bool tag_names_container(const char *s)
{
	const char *p = s + 2;

	if (s[0] == '\0')
		return true;
	if (strncmp(s, "{{", 2) != 0)
		return false;
	while (*p == ' ')
		p++;
	if (strncmp(p, ".ID", 3) == 0)
		p += 3;
	else if (strncmp(p, ".FullID", 7) == 0)
		p += 7;
	else
		return false;
	while (*p == ' ')
		p++;
	return strncmp(p, "}}", 2) == 0;
}

/*
 * A tag template of text and tag_fields actions, at most RG_CONSREACH_MAX_TAG
 * bytes. *repeated says whether it names a field more than once.
 */
static bool plain_tag(const char *s, bool *repeated)
{
	unsigned seen = 0;
	size_t len, field;

	*repeated = false;
	if (strlen(s) > RG_CONSREACH_MAX_TAG)
		return false;
	while ((s = strstr(s, "{{")) != NULL) {
		if (!tag_action(s, &len, &field))
			return false;
		if (seen & (1u << field))
			*repeated = true;
		seen |= 1u << field;
		s += len;
	}
	return true;
}

/*
 * json-file writes the tag and the attributes env, env-regex, labels and
 * labels-regex select into every log line, whatever the line's length: a
 * container held to 0.1 CPU echoing "a" made dockerd write 32 MB in 10 s,
 * 7.4 GB with env=A,B,C,D naming four 120 KB variables, 1.4 GB with a tag
 * of 28 {{.Name}} and a 255-byte name (red team round 16): the host's disk
 * filled and its I/O taken by dockerd, outside the container's limits. The
 * attributes' values come from the image too, which rolegate cannot see.
 */
static const char *const attr_options[] = { "env", "env-regex", "labels", "labels-regex", NULL };

/*
 * The log options a constrained role may give, for any driver (red team
 * round 15). Each one only shapes what dockerd writes where the driver
 * already writes: json-file's and local's files, the log line's text, the
 * buffer between the container and its logger. Every other option is
 * refused, because the others name where dockerd sends or reads, from the
 * host, as root: syslog-address (unix:///run/... reached a root-only 0600
 * socket of the host, tcp:// the host's loopback), fluentd-address,
 * gelf-address, splunk-url, awslogs-endpoint; syslog-tls-ca-cert,
 * -cert, -key, splunk-cacert (host files dockerd opens: "no such file",
 * "is a directory" and "failed to append certificates" told them apart);
 * syslog-facility (auth, kern: the host's own log streams); or credentials
 * and buffers of the host's (awslogs-*, gcp-*, fluentd-buffer-limit). An
 * option dockerd does not know for the driver it would refuse anyway.
 * The daemon's own log-opts (daemon.json) still apply to a create that
 * names the daemon's default driver or none.
 */
static const char *const log_option_names[] = {
	"max-size", "max-file", "compress",           /* json-file, local */
	"tag", "labels", "labels-regex", "env", "env-regex",
	"mode", "max-buffer-size",                    /* blocking or not, dockerd's ring buffer */
	NULL,
};

static bool log_option_known(const char *name)
{
	for (size_t i = 0; log_option_names[i] != NULL; i++) {
		if (strcmp(log_option_names[i], name) == 0)
			return true;
	}
	return false;
}

/*
 * A size as go-units' RAMInBytes reads it (dockerd's max-buffer-size):
 * digits, an optional fraction, an optional space, one of k m g t p in
 * either case, an optional i, an optional b; powers of 1024. -1 for what
 * it would refuse, or what does not fit. This follows go-units' regular
 * expression ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ ("8i" is 8, "8."
 * is refused). policy.c's parse_size, for a config's memory, differs at
 * those edges ("8." taken, "8i" refused): it is not dockerd's reader of
 * this option, so the two are kept apart.
 */
static long long ram_bytes(const char *s)
{
	static const char units[] = "kmgtp";
	long double v = 0, frac = 1;
	const char *u;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9'; s++)
			v += (*s - '0') * (frac /= 10);
	}
	if (*s == ' ')
		s++;
	if (*s != '\0' && (u = strchr(units, (*s >= 'A' && *s <= 'Z') ? *s + 32 : *s)) != NULL) {
		shift = 10 * (int)(u - units + 1);
		s++;
	}
	if (*s == 'i' || *s == 'I')
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s != '\0')
		return -1;
	v *= (long double)(1ULL << shift);
	return v > 9.2e18L ? -1 : (long long)v;
}

/*
 * Log options dockerd itself evaluates when it starts the container's
 * logger, for every constrained role whatever its log driver (red team
 * round 12). "tag" is a Go text/template run inside dockerd: its pad and
 * printf build strings of any size (one `docker run` ended dockerd with
 * "fatal error: runtime: out of memory"), and the result is written into
 * every log line. "max-file" is a loop count: each rotation of json-file
 * and local renames max-file - 1 files with the logger locked (50 million
 * kept a core of dockerd busy and the container past `docker rm -f`).
 * Option names are map keys: Go compares them exactly.
 */
static int log_options(struct rg_conscheck *k, const json_t *log, const char *prefix)
{
	char field[96], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const json_t *cfg, *v;
	const char *name, *type = json_string_value(rg_json_get(log, "Type"));
	/* the lines go to the container's own file only, not the host's logs */
	bool own_file = type != NULL && (strcmp(type, "json-file") == 0 || strcmp(type, "local") == 0);

	rg_conscheck_field(field, sizeof(field), prefix, "LogConfig.Config");
	if (log == NULL || rg_conscheck_object(k, rg_json_get(log, "Config"), field, &cfg) < 0)
		return log == NULL ? 0 : -1;
	if (cfg == NULL)
		return 0;
	json_object_foreach((json_t *)cfg, name, v) {
		if (!log_option_known(name))
			return rg_conscheck_deny(k, "give the log option %s (%s: dockerd connects to an "
					"address or opens a file named in an option from the host, as root; "
					"only max-size, max-file, compress, tag, labels, labels-regex, env, "
					"env-regex, mode and max-buffer-size; a log server is set in "
					"daemon.json's log-opts)", rg_conscheck_quote(name, q, sizeof(q)),
					field);
	}
	/* attr_options under max_limits, first: no driver makes them pass, and
	 * the hint of the next refusal (name json-file) would not help
	 * (workflows round 16) */
	for (size_t i = 0; k->c->has_max_limits && attr_options[i] != NULL; i++) {
		if (json_object_get(cfg, attr_options[i]) != NULL)
			return rg_conscheck_deny(k, "give the log option %s (%s; not under max_limits: "
					"json-file writes the variables or labels it selects, the image's too, "
					"into every log line, and dockerd's writing is outside the container's "
					"limits, whatever the driver)", attr_options[i], field);
	}
	/*
	 * labels, env and their -regex forms add the named labels and
	 * variables to each line as fields beside the ones the driver sets
	 * for the container, and journald (like fluentd and gelf) lets them
	 * replace those: `--label CONTAINER_ID_FULL=<alice's web>
	 * --log-opt labels=CONTAINER_ID_FULL` put bob's line in alice's
	 * `docker logs web`, and SYSLOG_IDENTIFIER=rolegate undid the tag rule
	 * below (red team round 16, journald as the daemon's driver). Only
	 * json-file and local, named, keep them in the container's own file;
	 * "" is the daemon's default driver, which rolegate cannot see.
	 */
	for (size_t i = 0; attr_options[i] != NULL; i++) {
		v = json_object_get(cfg, attr_options[i]);
		if (v == NULL || json_is_null(v) || own_file)
			continue;
		return rg_conscheck_deny(k, "give the log option %s with the log driver %s (%s: it "
				"adds labels or variables to each line as fields, which journald, "
				"fluentd and gelf let replace the container's own, such as "
				"CONTAINER_ID_FULL and SYSLOG_IDENTIFIER; only with --log-driver "
				"json-file or local)", attr_options[i],
				type == NULL || type[0] == '\0' ? "of the daemon (none named)" :
				rg_conscheck_quote(type, q, sizeof(q)), field);
	}
	v = json_object_get(cfg, "tag");
	if (v != NULL && !json_is_null(v)) {
		bool repeated;

		if (!json_is_string(v))
			return rg_conscheck_malformed(k, field, "a map of strings");
		if (!plain_tag(json_string_value(v), &repeated))
			return rg_conscheck_deny(k, "use the log tag %s (%s.tag: dockerd runs it as a "
					"template; only text and {{.ID}}, {{.FullID}}, {{.Name}}, "
					"{{.ImageID}}, {{.ImageFullID}}, {{.ImageName}}, {{.DaemonName}}, "
					"at most %d bytes)", rg_conscheck_quote(json_string_value(v), q,
					sizeof(q)), field, RG_CONSREACH_MAX_TAG);
		/* json-file and local, named, keep the tag in the container's own file */
		if (!own_file && !tag_names_container(json_string_value(v)))
			return rg_conscheck_deny(k, "use the log tag %s (%s.tag: the name the container's "
					"lines go under in the host's logs, syslog's program name or "
					"journald's identifier; it must begin with {{.ID}} or {{.FullID}}, "
					"e.g. {{.ID}}/web, so that no line passes as another program's, or "
					"name --log-driver json-file or local)",
					rg_conscheck_quote(json_string_value(v), q, sizeof(q)), field);
		if (repeated && k->c->has_max_limits)
			return rg_conscheck_deny(k, "use the log tag %s (%s.tag: a field more than once; "
					"under max_limits each field at most once: json-file writes the tag "
					"into every log line, and dockerd's writing is outside the container's "
					"limits)", rg_conscheck_quote(json_string_value(v), q, sizeof(q)), field);
	}
	/* mode=non-blocking queues log lines in dockerd, up to max-buffer-size,
	 * outside the container's limits (red team round 16). */
	v = json_object_get(cfg, "max-buffer-size");
	if (v != NULL && !json_is_null(v)) {
		long long n;

		if (!json_is_string(v))
			return rg_conscheck_malformed(k, field, "a map of strings");
		n = ram_bytes(json_string_value(v));
		if (n < 0 || n > RG_CONSREACH_MAX_LOG_BUFFER)
			return rg_conscheck_deny(k, "buffer %s of log in dockerd (%s.max-buffer-size; at "
					"most 16m: with mode=non-blocking dockerd holds that much of each "
					"container's log in its own memory, outside the container's limits)",
					rg_conscheck_quote(json_string_value(v), q, sizeof(q)), field);
	}
	v = json_object_get(cfg, "max-file");
	if (v != NULL && !json_is_null(v)) {
		const char *s;
		size_t n;

		if (!json_is_string(v))
			return rg_conscheck_malformed(k, field, "a map of strings");
		s = json_string_value(v);
		n = strlen(s);
		/* Go's Atoi also takes "+5" and "007": only plain digits pass. */
		if (n == 0 || n > 9 || strspn(s, "0123456789") != n ||
		    strtol(s, NULL, 10) > RG_CONSREACH_MAX_LOG_FILES)
			return rg_conscheck_deny(k, "keep %s log files (%s.max-file; at most %d: "
					"dockerd renames each one at every rotation)",
					rg_conscheck_quote(s, q, sizeof(q)), field,
					RG_CONSREACH_MAX_LOG_FILES);
	}
	return 0;
}

int rg_consreach_driver(struct rg_conscheck *k, const char *name, const char *field)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *p = name;

	/* Any ".." component, wherever it is: filepath.Join cleans the rest. */
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return rg_conscheck_deny(k, "use the driver %s (%s): dockerd looks a driver up as "
					"a file under /run/docker/plugins and /etc/docker/plugins, and \"..\" leads "
					"out of them, to a plugin anyone could have put there",
					rg_conscheck_quote(name, q, sizeof(q)), field);
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

/* Mounts[].VolumeOptions.DriverConfig.Name of a HostConfig: rg_consreach_driver. */
static int mount_drivers(struct rg_conscheck *k, const json_t *mounts, const char *field)
{
	const json_t *vo, *dc;
	const char *name;
	size_t i;
	json_t *m;

	if (!json_is_array(mounts))
		return 0;    /* absent, or malformed: rg_consmount_mounts says which */
	json_array_foreach(mounts, i, m) {
		if (!json_is_object(m))
			continue;
		if (rg_conscheck_object(k, rg_json_get(m, "VolumeOptions"), field, &vo) < 0 ||
		    rg_conscheck_object(k, rg_json_get(vo, "DriverConfig"), field, &dc) < 0 ||
		    rg_conscheck_string(k, rg_json_get(dc, "Name"), field, &name) < 0 ||
		    rg_consreach_driver(k, name, field) < 0)
			return -1;
	}
	return 0;
}

int rg_consreach_hostconfig(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	char field[96], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const json_t *log;
	const char *s;

	if (hc == NULL)
		return 0;
	rg_conscheck_field(field, sizeof(field), prefix, "Runtime");
	if (rg_conscheck_string(k, rg_json_get(hc, "Runtime"), field, &s) < 0 ||
	    named(k, k->c->has_runtimes, &k->c->runtimes, s, "the runtime", field) < 0)
		return -1;
	rg_conscheck_field(field, sizeof(field), prefix, "CgroupParent");
	if (rg_conscheck_string(k, rg_json_get(hc, "CgroupParent"), field, &s) < 0)
		return -1;
	if (k->c->cgroup_parent == RG_NO && s[0] != '\0')
		return rg_conscheck_deny(k, "place a container in the cgroup %s (--cgroup-parent, %s)",
				rg_conscheck_quote(s, q, sizeof(q)), field);
	/* HostConfig.Cgroup ("container:<id>") puts it in another container's cgroup. */
	rg_conscheck_field(field, sizeof(field), prefix, "Cgroup");
	if (rg_conscheck_string(k, rg_json_get(hc, "Cgroup"), field, &s) < 0)
		return -1;
	if (k->c->cgroup_parent == RG_NO && s[0] != '\0')
		return rg_conscheck_deny(k, "place a container in the cgroup of %s (%s)",
				rg_conscheck_quote(s, q, sizeof(q)), field);
	rg_conscheck_field(field, sizeof(field), prefix, "Sysctls");
	if (sysctls(k, rg_json_get(hc, "Sysctls"), field) < 0)
		return -1;
	rg_conscheck_field(field, sizeof(field), prefix, "LogConfig");
	if (rg_conscheck_object(k, rg_json_get(hc, "LogConfig"), field, &log) < 0)
		return -1;
	rg_conscheck_field(field, sizeof(field), prefix, "LogConfig.Type");
	if (rg_conscheck_string(k, rg_json_get(log, "Type"), field, &s) < 0 ||
	    rg_consreach_driver(k, s, field) < 0 ||
	    named(k, k->c->has_log_drivers, &k->c->log_drivers, s, "the log driver", field) < 0 ||
	    log_options(k, log, prefix) < 0)
		return -1;
	/* The volume drivers of the volumes the container makes: plugin
	 * names dockerd looks up as files (rg_consreach_driver). */
	rg_conscheck_field(field, sizeof(field), prefix, "VolumeDriver");
	if (rg_conscheck_string(k, rg_json_get(hc, "VolumeDriver"), field, &s) < 0 ||
	    rg_consreach_driver(k, s, field) < 0)
		return -1;
	rg_conscheck_field(field, sizeof(field), prefix, "Mounts[].VolumeOptions.DriverConfig.Name");
	if (mount_drivers(k, rg_json_get(hc, "Mounts"), field) < 0)
		return -1;
	/* Linux knows only the default isolation; "process" and "hyperv" are
	 * Windows' and dockerd refuses them here. Refused rather than guessed. */
	rg_conscheck_field(field, sizeof(field), prefix, "Isolation");
	if (rg_conscheck_string(k, rg_json_get(hc, "Isolation"), field, &s) < 0)
		return -1;
	if (k->c->host_namespaces == RG_NO && s[0] != '\0' && strcasecmp(s, "default") != 0)
		return rg_conscheck_deny(k, "use the isolation %s (%s)", rg_conscheck_quote(s, q, sizeof(q)),
				field);
	return 0;
}

/* A Go int64 field: *set says whether present; -1 on a wrong type. */
static int int_field(struct rg_conscheck *k, const json_t *obj, const char *name, long long *out,
		bool *set)
{
	const json_t *v = rg_json_get(obj, name);

	*out = 0;
	*set = !is_unset(v);
	if (!*set)
		return 0;
	if (!json_is_integer(v))
		return rg_conscheck_malformed(k, name, "an integer");
	*out = json_integer_value(v);
	return 0;
}

static int memory_limit(struct rg_conscheck *k, const json_t *hc, enum rg_limits_mode mode)
{
	long long mem, swap, max = k->c->max_memory;
	bool set, swapset;

	if (int_field(k, hc, "Memory", &mem, &set) < 0 ||
	    int_field(k, hc, "MemorySwap", &swap, &swapset) < 0)
		return -1;
	/* An update leaves out (or 0) what it does not change. */
	if (mode == RG_LIMITS_CREATE || mem != 0) {
		if (mem <= 0)
			return rg_conscheck_deny(k, "%s without a memory limit at most %lld bytes "
					"(max_limits.memory; Memory=%lld)", k->what, max, mem);
		if (mem > max)
			return rg_conscheck_deny(k, "%s with a memory limit of %lld bytes (max_limits.memory "
					"is %lld)", k->what, mem, max);
	}
	/* MemorySwap is memory plus swap; -1 is unlimited swap. dockerd's
	 * default is twice the memory limit: that much is allowed. */
	if (swapset && (swap < 0 || swap / 2 > max))
		return rg_conscheck_deny(k, "%s with memory plus swap of %lld bytes (MemorySwap; "
				"max_limits.memory is %lld)", k->what, swap, max);
	return 0;
}

static int pids_limit(struct rg_conscheck *k, const json_t *hc, enum rg_limits_mode mode)
{
	long long pids, max = k->c->max_pids;
	bool set;

	if (int_field(k, hc, "PidsLimit", &pids, &set) < 0)
		return -1;
	/* PidsLimit is a pointer in Go: 0 and below mean unlimited. */
	if (mode == RG_LIMITS_UPDATE && !set)
		return 0;
	if (pids <= 0)
		return rg_conscheck_deny(k, "%s without a PIDs limit at most %lld (max_limits.pids; "
				"PidsLimit=%lld)", k->what, max, pids);
	if (pids > max)
		return rg_conscheck_deny(k, "%s with a PIDs limit of %lld (max_limits.pids is %lld)",
				k->what, pids, max);
	return 0;
}

static int cpu_limit(struct rg_conscheck *k, const json_t *hc, enum rg_limits_mode mode)
{
	long long nano, quota, period;
	bool nset, qset, pset;
	double cpus = 0, max = k->c->max_cpus;

	if (int_field(k, hc, "NanoCpus", &nano, &nset) < 0 ||
	    int_field(k, hc, "CpuQuota", &quota, &qset) < 0 ||
	    int_field(k, hc, "CpuPeriod", &period, &pset) < 0)
		return -1;
	if (nano < 0 || quota < 0 || period < 0)
		return rg_conscheck_deny(k, "%s without a CPU limit (a negative CPU setting is "
				"unlimited; max_limits.cpus is %g)", k->what, max);
	if (mode == RG_LIMITS_UPDATE) {
		/* A new period alone changes the share of a quota not known here,
		 * and a new quota alone counts against a period not known here. */
		if (period != 0 && quota == 0 && nano == 0)
			return rg_conscheck_deny(k, "%s with a new CpuPeriod and no CpuQuota (the CPU share "
					"cannot be checked against max_limits.cpus)", k->what);
		if (quota != 0 && period == 0)
			return rg_conscheck_deny(k, "%s with a new CpuQuota and no CpuPeriod (the container's "
					"period is not known; give both)", k->what);
		if (nano == 0 && quota == 0)
			return 0;
	}
	if (nano > 0)
		cpus = (double)nano / 1e9;
	/* dockerd's default period is 100 ms. */
	if (quota > 0 && (double)quota / (double)(period > 0 ? period : 100000) > cpus)
		cpus = (double)quota / (double)(period > 0 ? period : 100000);
	if (cpus <= 0)
		return rg_conscheck_deny(k, "%s without a CPU limit at most %g CPUs (max_limits.cpus; "
				"--cpus or --cpu-quota)", k->what, max);
	if (cpus > max + 1e-9)
		return rg_conscheck_deny(k, "%s with a CPU limit of %g CPUs (max_limits.cpus is %g)",
				k->what, cpus, max);
	return 0;
}

/*
 * Ulimits under max_limits: none unlimited (-1); no real-time priority;
 * nproc no higher than the PIDs bound; the memory-sized ones no higher than
 * the memory bound.
 */
static int ulimits(struct rg_conscheck *k, const json_t *hc)
{
	static const char *const memory_sized[] = { "MEMLOCK", "AS", "DATA", "RSS", "STACK" };
	const json_t *list = rg_json_get(hc, "Ulimits");
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	size_t i;
	json_t *u;

	if (is_unset(list))
		return 0;
	if (!json_is_array(list))
		return rg_conscheck_malformed(k, "Ulimits", "a list of ulimits");
	json_array_foreach(list, i, u) {
		long long soft, hard, bound = 0;
		bool set;
		const char *name;
		char up[64];

		if (is_unset(u))
			continue;
		if (!json_is_object(u))
			return rg_conscheck_malformed(k, "Ulimits", "a list of ulimits");
		if (rg_conscheck_string(k, rg_json_get(u, "Name"), "Ulimits[].Name", &name) < 0 ||
		    int_field(k, u, "Soft", &soft, &set) < 0 || int_field(k, u, "Hard", &hard, &set) < 0)
			return -1;
		rg_conscheck_quote(name, q, sizeof(q));
		/* dockerd asks runc for "RLIMIT_" + strings.ToUpper(Name): Go's
		 * upper-casing makes "rtprıo" (dotless i) RTPRIO and "ſtack" (long s)
		 * STACK, so names are compared as that gives them, never by ASCII
		 * case alone (red team round 11). */
		if (rg_conscheck_go_upper(name, up, sizeof(up)) < 0)
			return rg_conscheck_deny(k, "%s with the ulimit %s (not a ulimit name)", k->what, q);
		if (soft < 0 || hard < 0)
			return rg_conscheck_deny(k, "%s with the ulimit %s unlimited (max_limits)", k->what, q);
		/*
		 * RLIMIT_RTPRIO lets a process without CAP_SYS_NICE take SCHED_FIFO:
		 * real-time tasks are not held by the CPU limit (CFS bandwidth) and,
		 * without RT group scheduling (cgroup v2), take the host's CPUs from
		 * everything else, as --cpu-rt-runtime would.
		 */
		if (strcmp(up, "RTPRIO") == 0 && (soft > 0 || hard > 0))
			return rg_conscheck_deny(k, "%s with the ulimit rtprio=%lld:%lld: real-time scheduling "
					"escapes the CPU limit (max_limits)", k->what, soft, hard);
		if (strcmp(up, "NPROC") == 0)
			bound = k->c->max_pids;
		for (size_t j = 0; j < sizeof(memory_sized) / sizeof(memory_sized[0]); j++) {
			if (strcmp(up, memory_sized[j]) == 0)
				bound = k->c->max_memory;
		}
		if (bound > 0 && (soft > bound || hard > bound))
			return rg_conscheck_deny(k, "%s with the ulimit %s=%lld:%lld, above max_limits (%lld)",
					k->what, q, soft, hard, bound);
	}
	return 0;
}

int rg_consreach_max_limits(struct rg_conscheck *k, const json_t *hc, enum rg_limits_mode mode)
{
	long long adj;
	bool oomoff, set;

	if (!k->c->has_max_limits)
		return 0;
	if ((k->c->max_memory > 0 && memory_limit(k, hc, mode) < 0) ||
	    (k->c->max_pids > 0 && pids_limit(k, hc, mode) < 0) ||
	    (k->c->max_cpus > 0 && cpu_limit(k, hc, mode) < 0) ||
	    ulimits(k, hc) < 0)
		return -1;
	/* A container the OOM killer spares (or prefers to spare) makes the
	 * host kill something else when memory runs out. */
	if (rg_conscheck_bool(k, rg_json_get(hc, "OomKillDisable"), "OomKillDisable", &oomoff) < 0)
		return -1;
	if (oomoff)
		return rg_conscheck_deny(k, "%s with the OOM killer disabled (--oom-kill-disable; "
				"max_limits)", k->what);
	/* Real-time CPU time is taken from everything else on the host. */
	if (int_field(k, hc, "CpuRealtimeRuntime", &adj, &set) < 0)
		return -1;
	if (adj != 0)
		return rg_conscheck_deny(k, "%s with real-time CPU time (--cpu-rt-runtime %lld; "
				"max_limits)", k->what, adj);
	if (int_field(k, hc, "OomScoreAdj", &adj, &set) < 0)
		return -1;
	if (adj < 0)
		return rg_conscheck_deny(k, "%s with a negative OOM score adjustment (--oom-score-adj "
				"%lld; max_limits)", k->what, adj);
	return 0;
}

/*
 * dockerd starts one docker-proxy process on the host for each port
 * binding it publishes (its userland proxy, on by default), in dockerd's
 * own cgroup: about 3 MiB each, none of it counted against the container's
 * memory or PIDs limit. `-p 31000-31199:31000-31199` on a 64 MiB container
 * made 200 of them (650 MiB), and a body under dockerd's 1 MiB can name
 * 25 000 (red team round 11). PublishAllPorts publishes every port the
 * image exposes, which the request does not show.
 */
int rg_consreach_ports(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	char field[64];
	const json_t *bindings, *list;
	const char *key;
	bool all;
	size_t n = 0;

	if (!k->c->has_max_limits)
		return 0;
	rg_conscheck_field(field, sizeof(field), prefix, "PublishAllPorts");
	if (rg_conscheck_bool(k, rg_json_get(hc, "PublishAllPorts"), field, &all) < 0)
		return -1;
	if (all)
		return rg_conscheck_deny(k, "%s that publishes every port its image exposes (-P, %s): each "
				"starts a process on the host, outside the container's limits, and the image's "
				"ports are not in the request (max_limits; publish them with -p)", k->what, field);
	rg_conscheck_field(field, sizeof(field), prefix, "PortBindings");
	bindings = rg_json_get(hc, "PortBindings");
	if (is_unset(bindings))
		return 0;
	if (!json_is_object(bindings))
		return rg_conscheck_malformed(k, field, "a map of port bindings");
	json_object_foreach((json_t *)bindings, key, list) {
		if (is_unset(list))
			continue;
		if (!json_is_array(list))
			return rg_conscheck_malformed(k, field, "a map of port bindings");
		n += json_array_size(list);
	}
	if (n > RG_CONSREACH_MAX_PORTS)
		return rg_conscheck_deny(k, "%s that publishes %zu host ports (%s; at most %d under "
				"max_limits: each starts a process on the host, outside the container's limits)",
				k->what, n, field, RG_CONSREACH_MAX_PORTS);
	return 0;
}

/*
 * A health check is an exec dockerd starts on its own, again and again:
 * dockerd, containerd, the shim and runc spend about 0.1 s of CPU on each,
 * none of it in the container's cgroup. `--health-interval 1ms` on a
 * container held to `--cpus 0.1` cost them 3.6 s of CPU in 10 s (red team
 * round 13). One check runs at a time and the next starts Interval after
 * it ended, so the interval alone bounds the rate: a short Timeout kills
 * the check sooner, a long one only waits, StartPeriod only counts
 * failures. StartInterval (API 1.44) is the interval during StartPeriod.
 * 0 is dockerd's default (30 s), or the image's HEALTHCHECK field by field
 * (which the request does not show: docs/constraints.md).
 */
int rg_consreach_healthcheck(struct rg_conscheck *k, const json_t *hc, const char *field)
{
	static const char *const names[] = { "Interval", "StartInterval" };
	char f[96];

	if (!k->c->has_max_limits || is_unset(hc))
		return 0;
	if (!json_is_object(hc))
		return rg_conscheck_malformed(k, field, "an object");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const json_t *v = rg_json_get(hc, names[i]);
		long long ns;

		snprintf(f, sizeof(f), "%s.%s", field, names[i]);
		if (is_unset(v))
			continue;
		if (!json_is_integer(v))
			return rg_conscheck_malformed(k, f, "an integer (nanoseconds)");
		ns = json_integer_value(v);
		if (ns != 0 && ns < RG_CONSREACH_MIN_HEALTH_INTERVAL)
			return rg_conscheck_deny(k, "%s whose health check runs every %lld ns (%s; at least "
					"1 s under max_limits: each check is an exec dockerd, containerd and runc run "
					"outside the container's limits)", k->what, ns, f);
	}
	return 0;
}

/*
 * A service whose task exits at once and restarts with Delay 0 made
 * dockerd, containerd and runc spend 4.4 s of CPU in 10 s on a task held
 * to 0.1 CPU; swarmkit's default 5 s, 0.6 s (red team round 13). Unlike a
 * container's restart policy, which dockerd backs off up to a minute,
 * swarmkit waits Delay each time.
 */
int rg_consreach_restart_delay(struct rg_conscheck *k, const json_t *rp, const char *field)
{
	const json_t *v;
	char f[96];
	long long ns;

	if (!k->c->has_max_limits || is_unset(rp))
		return 0;
	if (!json_is_object(rp))
		return rg_conscheck_malformed(k, field, "an object");
	snprintf(f, sizeof(f), "%s.Delay", field);
	v = rg_json_get(rp, "Delay");
	if (is_unset(v))
		return 0;
	if (!json_is_integer(v))
		return rg_conscheck_malformed(k, f, "an integer (nanoseconds)");
	ns = json_integer_value(v);
	if (ns < RG_CONSREACH_MIN_RESTART_DELAY)
		return rg_conscheck_deny(k, "%s whose tasks restart %lld ns after they exit (%s; at least "
				"5 s under max_limits: each restart is a container dockerd, containerd and runc "
				"make again, outside the task's limits)", k->what, ns, f);
	return 0;
}

/*
 * A stop timeout is how long dockerd waits for the container's process to
 * exit after the stop signal: -1 (or any negative value) is forever, and
 * dockerd's shutdown waits for the longest of all containers', not its own
 * shutdown-timeout. bob's -1 with --stop-signal SIGWINCH (ignored by every
 * process) made ops' docker stop hang and dockerd never exit on SIGTERM
 * (red team round 16). Go reads StopTimeout as an int (seconds); swarmkit's
 * StopGracePeriod is a Duration in nanoseconds and a negative one is
 * forever too.
 */
int rg_consreach_stop_timeout(struct rg_conscheck *k, const json_t *v, const char *field, bool ns)
{
	long long n, max;

	if (!k->c->has_max_limits || is_unset(v))
		return 0;
	if (!json_is_integer(v))
		return rg_conscheck_malformed(k, field, ns ? "an integer (nanoseconds)" :
				"an integer (seconds)");
	n = json_integer_value(v);
	max = ns ? RG_CONSREACH_MAX_STOP_TIMEOUT * 1000000000LL : RG_CONSREACH_MAX_STOP_TIMEOUT;
	if (n < 0 || n > max)
		return rg_conscheck_deny(k, "%s whose stop timeout is %lld%s (%s; 0 to %d s under "
				"max_limits: dockerd waits that long, -1 forever, on a docker stop and at its "
				"own shutdown; a longer wait for one stop: docker stop -t SECONDS, "
				"docker-compose stop -t SECONDS)", k->what, n, ns ? " ns" : " s", field,
				RG_CONSREACH_MAX_STOP_TIMEOUT);
	return 0;
}

bool rg_consreach_targets_restricted(const struct rg_constraints *c)
{
	return c->has_image_targets || c->has_registries;
}

int rg_consreach_image_target(struct rg_conscheck *k, const char *name, const char *verb)
{
	const struct rg_strv *targets = &k->c->image_targets;
	char q[RG_CONSCHECK_QUOTE_MAX + 1], list[256];
	struct rg_imageref img;
	const char *err;

	if (!rg_consreach_targets_restricted(k->c) || name[0] == '\0')
		return 0;
	rg_conscheck_quote(name, q, sizeof(q));
	if (!k->c->has_image_targets)
		return rg_conscheck_deny(k, "%s %s (the role has registries and no image_targets, so it "
				"may create no local image names)", verb, q);
	if (rg_imageref_parse(name, &img, &err) < 0)
		return rg_conscheck_deny(k, "%s %s (%s)", verb, q, err);
	for (size_t i = 0; i < targets->n; i++) {
		if (rg_imageref_under(&img, targets->v[i]))
			return 0;
	}
	return rg_conscheck_deny(k, "%s %s (image_targets: %s)", verb, q,
			allowed_list(targets, list, sizeof(list)));
}
