/*
 * The per-key constraint checks, on parts of a decoded body. See
 * include/rolegate/conscheck.h. Each check reads its part the way dockerd's
 * Go code reads it and compares with the same laxness or less: where
 * dockerd compares exactly ("host"), these compare ignoring case, so a
 * spelling dockerd would refuse is never the one that slips through.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "rolegate/conscheck.h"
#include "rolegate/consimage.h"
#include "rolegate/gojson.h"
#include "rolegate/imageref.h"

int rg_conscheck_deny(struct rg_conscheck *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->reason, k->reasonlen, fmt, ap);
	va_end(ap);
	return -1;
}

void rg_conscheck_field(char *out, size_t len, const char *a, const char *b)
{
	size_t n = 0;

	if (len == 0)
		return;
	for (; *a != '\0' && n + 1 < len; a++)
		out[n++] = *a;
	for (; *b != '\0' && n + 1 < len; b++)
		out[n++] = *b;
	out[n] = '\0';
}

static int cmp_name(const void *key, const void *name)
{
	return strcmp(key, *(const char *const *)name);
}

bool rg_conscheck_config_key(const char *key)
{
	/* api/types/container.Config (20.10) and the create wrapper's own
	 * keys, less Cpuset (the wrapper copies it into CpusetCpus). No name
	 * here is also a HostConfig field: Go would bind neither. Sorted
	 * (strcmp): the docker CLI's exact spelling is found by bsearch, and
	 * only another spelling pays for the folded comparisons (which would
	 * still find a name put out of order). */
	static const char *const config_keys[] = {
		"ArgsEscaped", "AttachStderr", "AttachStdin", "AttachStdout", "Cmd", "Domainname",
		"Entrypoint", "Env", "ExposedPorts", "Healthcheck", "HostConfig", "Hostname", "Image",
		"Labels", "MacAddress", "NetworkDisabled", "NetworkingConfig", "OnBuild", "OpenStdin",
		"Shell", "StdinOnce", "StopSignal", "StopTimeout", "Tty", "User", "Volumes",
		"WorkingDir",
	};
	size_t n = sizeof(config_keys) / sizeof(config_keys[0]);

	if (bsearch(key, config_keys, n, sizeof(config_keys[0]), cmp_name) != NULL)
		return true;
	for (size_t i = 0; i < n; i++) {
		if (rg_gojson_key_matches(config_keys[i], key))
			return true;
	}
	return false;
}

bool rg_conscheck_top_hostconfig(const json_t *body)
{
	const char *key;
	json_t *unused;

	if (!json_is_object(body))
		return true;
	json_object_foreach((json_t *)body, key, unused) {
		if (!rg_conscheck_config_key(key))
			return true;
	}
	return false;
}

int rg_conscheck_malformed(struct rg_conscheck *k, const char *field, const char *kind)
{
	return rg_conscheck_deny(k, "%s whose body cannot be checked: %s is not %s", k->what, field,
			kind);
}

const char *rg_conscheck_quote(const char *s, char *buf, size_t len)
{
	size_t max, n;

	if (len == 0)
		return "";
	max = len - 1 < RG_CONSCHECK_QUOTE_MAX ? len - 1 : RG_CONSCHECK_QUOTE_MAX;
	for (n = 0; s[n] != '\0' && n < max; n++)
		buf[n] = ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) ? '?' : s[n];
	if (s[n] != '\0' && n >= 3) {
		/* Cut at a character boundary, so the reason stays valid UTF-8. */
		n -= 3;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static bool is_unset(const json_t *v)
{
	return v == NULL || json_is_null(v);
}

int rg_conscheck_bool(struct rg_conscheck *k, const json_t *v, const char *field, bool *out)
{
	*out = false;
	if (is_unset(v))
		return 0;
	if (!json_is_boolean(v))
		return rg_conscheck_malformed(k, field, "true or false");
	*out = json_is_true(v);
	return 0;
}

int rg_conscheck_string(struct rg_conscheck *k, const json_t *v, const char *field,
		const char **out)
{
	*out = "";
	if (is_unset(v))
		return 0;
	if (!json_is_string(v))
		return rg_conscheck_malformed(k, field, "a string");
	*out = json_string_value(v);
	return 0;
}

int rg_conscheck_object(struct rg_conscheck *k, const json_t *v, const char *field,
		const json_t **out)
{
	*out = NULL;
	if (is_unset(v))
		return 0;
	if (!json_is_object(v))
		return rg_conscheck_malformed(k, field, "an object");
	*out = v;
	return 0;
}

long rg_conscheck_strings(struct rg_conscheck *k, const json_t *v, const char *field)
{
	size_t i;
	json_t *e;

	if (is_unset(v))
		return 0;
	if (json_is_string(v))
		return 1;
	if (!json_is_array(v))
		return rg_conscheck_malformed(k, field, "a list of strings");
	/* Go reads a null element of a []string as "". */
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) && !json_is_null(e))
			return rg_conscheck_malformed(k, field, "a list of strings");
	}
	return (long)json_array_size(v);
}

const char *rg_conscheck_str_at(const json_t *v, size_t i)
{
	const char *s;

	if (json_is_string(v))
		return json_string_value(v);
	s = json_string_value(json_array_get(v, i));
	return s != NULL ? s : "";
}

int rg_conscheck_privileged(struct rg_conscheck *k, const json_t *obj, const char *field,
		const char *phrase)
{
	bool on;

	if (k->c->privileged != RG_NO)
		return 0;
	if (rg_conscheck_bool(k, rg_json_get(obj, "Privileged"), field, &on) < 0)
		return -1;
	return on ? rg_conscheck_deny(k, "%s", phrase) : 0;
}

static const struct namespace {
	const char *field;
	const char *name;
	const char *flag;      /* docker run's, for the reason */
} namespaces[] = {
	{ "NetworkMode", "network", "--network" },
	{ "PidMode", "PID", "--pid" },
	{ "IpcMode", "IPC", "--ipc" },
	{ "UTSMode", "UTS", "--uts" },
	{ "UsernsMode", "user", "--userns" },
	{ "CgroupnsMode", "cgroup", "--cgroupns" },
};

int rg_conscheck_namespaces(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	char field[64], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *mode;

	if (k->c->host_namespaces != RG_NO)
		return 0;
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		const struct namespace *ns = &namespaces[i];

		rg_conscheck_field(field, sizeof(field), prefix, ns->field);
		if (rg_conscheck_string(k, rg_json_get(hc, ns->field), field, &mode) < 0)
			return -1;
		if (strcasecmp(mode, "host") == 0)
			return rg_conscheck_deny(k, "join the host's %s namespace (%s host)", ns->name,
					ns->flag);
		/* "container:<id>" shares that container's namespace, and with it
		 * whatever that container shares with the host. */
		if (strncasecmp(mode, "container:", 10) == 0)
			return rg_conscheck_deny(k, "join the %s namespace of container %s (%s container:...)",
					ns->name, rg_conscheck_quote(mode + 10, q, sizeof(q)), ns->flag);
	}
	return 0;
}

int rg_conscheck_network_name(struct rg_conscheck *k, const char *network, const char *field)
{
	if (k->c->host_namespaces != RG_NO || strcasecmp(network, "host") != 0)
		return 0;
	return rg_conscheck_deny(k, "join the host's network namespace (--network host, in %s)", field);
}

/*
 * Go's strings.ToUpper, as far as it yields ASCII: besides a-z, U+017F 'ſ'
 * becomes 'S' and U+0131 'ı' becomes 'I' (so dockerd reads "cap_ſys_admin"
 * as CAP_SYS_ADMIN, and "rtprıo" as RLIMIT_RTPRIO). Returns -1 when out is
 * too small.
 */
int rg_conscheck_go_upper(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in != '\0'; n++) {
		if (n + 1 >= outlen)
			return -1;
		if (strncmp(in, "\xc5\xbf", 2) == 0) {
			out[n] = 'S';
			in += 2;
		} else if (strncmp(in, "\xc4\xb1", 2) == 0) {
			out[n] = 'I';
			in += 2;
		} else {
			out[n] = (*in >= 'a' && *in <= 'z') ? (char)(*in - 'a' + 'A') : *in;
			in++;
		}
	}
	out[n] = '\0';
	return 0;
}

int rg_conscheck_capability(struct rg_conscheck *k, const char *cap, const char *verb)
{
	const struct rg_strv *allowed = &k->c->capabilities;
	char up[128], list[256], q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *name;

	if (!k->c->has_capabilities || rg_strv_has(allowed, "ALL"))
		return 0;
	if (rg_conscheck_go_upper(cap, up, sizeof(up)) < 0)
		return rg_conscheck_deny(k, "%s %s (not a capability name)", verb,
				rg_conscheck_quote(cap, q, sizeof(q)));
	name = strncmp(up, "CAP_", 4) == 0 ? up + 4 : up;
	/* "ALL" is granted only by an "ALL" entry, handled above. */
	if (strcmp(name, "ALL") != 0 && rg_strv_has(allowed, name))
		return 0;
	return rg_conscheck_deny(k, "%s %s (allowed: %s)", verb, rg_conscheck_quote(name, q, sizeof(q)),
			allowed->n > 0 ? rg_strv_join(allowed, ", ", list, sizeof(list)) : "none");
}

int rg_conscheck_capabilities(struct rg_conscheck *k, const json_t *list, const char *field,
		const char *verb)
{
	long n;

	if (!k->c->has_capabilities)
		return 0;
	n = rg_conscheck_strings(k, list, field);
	if (n < 0)
		return -1;
	for (size_t i = 0; i < (size_t)n; i++) {
		if (rg_conscheck_capability(k, rg_conscheck_str_at(list, i), verb) < 0)
			return -1;
	}
	return 0;
}

int rg_conscheck_devices(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	static const struct {
		const char *field;
		const char *flag;
	} fields[] = {
		{ "Devices", "--device" },
		{ "DeviceCgroupRules", "--device-cgroup-rule" },
		{ "DeviceRequests", "--gpus" },
	};
	char field[64];

	if (k->c->devices != RG_NO)
		return 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const json_t *v = rg_json_get(hc, fields[i].field);

		rg_conscheck_field(field, sizeof(field), prefix, fields[i].field);
		if (is_unset(v))
			continue;
		if (!json_is_array(v))
			return rg_conscheck_malformed(k, field, "a list");
		if (json_array_size(v) > 0)
			return rg_conscheck_deny(k, "use host devices (%s, %s)", fields[i].flag, field);
	}
	return 0;
}

/*
 * SELinux types a container may be given with label=type:T. Only the
 * confined container types: spc_t, unconfined_t, container_runtime_t and
 * every other domain are refused. Types generated by udica ("x.process")
 * are policies the admin installed for a container, and pass.
 */
static bool confined_selinux_type(const char *type)
{
	size_t len = strlen(type);

	return strcmp(type, "container_t") == 0 || strcmp(type, "svirt_lxc_net_t") == 0 ||
		(len > 8 && strcmp(type + len - 8, ".process") == 0);
}

/* Go's strconv.ParseBool true values. */
static bool go_true(const char *s)
{
	return strcmp(s, "1") == 0 || strcmp(s, "t") == 0 || strcmp(s, "T") == 0 ||
		strcmp(s, "true") == 0 || strcmp(s, "TRUE") == 0 || strcmp(s, "True") == 0;
}

/* One SecurityOpt entry, split the way dockerd's parseSecurityOpt splits it. */
static int security_opt(struct rg_conscheck *k, const char *opt)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *sep, *val;
	size_t klen;

	if (strcasecmp(opt, "disable") == 0)
		return rg_conscheck_deny(k, "disable SELinux labeling (--security-opt disable)");
	/* dockerd cuts at the first '=' if there is one anywhere, else at ':'. */
	sep = strchr(opt, '=');
	if (sep == NULL)
		sep = strchr(opt, ':');
	if (sep == NULL)
		return 0;     /* no-new-privileges, or refused by dockerd */
	klen = (size_t)(sep - opt);
	val = sep + 1;
#define KEY_IS(name) (klen == strlen(name) && strncasecmp(opt, name, klen) == 0)
	if (KEY_IS("seccomp")) {
		if (val[0] == '\0' || strcasecmp(val, "builtin") == 0)
			return 0;
		if (strcasecmp(val, "unconfined") == 0)
			return rg_conscheck_deny(k, "disable seccomp confinement (--security-opt seccomp=unconfined)");
		/* A profile in the request can allow every system call. */
		return rg_conscheck_deny(k, "use a custom seccomp profile (--security-opt seccomp=PROFILE)");
	}
	if (KEY_IS("apparmor") && strcasecmp(val, "unconfined") == 0)
		return rg_conscheck_deny(k, "disable AppArmor confinement (--security-opt apparmor=unconfined)");
	/*
	 * Any other profile is whatever the host loaded under that name: on
	 * Ubuntu many application profiles are flags=(unconfined). Only
	 * dockerd's own (docker-default, "" = it) can be judged.
	 */
	if (KEY_IS("apparmor") && val[0] != '\0' && strcmp(val, "docker-default") != 0)
		return rg_conscheck_deny(k, "run under the host's AppArmor profile %s, whose rules cannot be "
				"checked (--security-opt apparmor=PROFILE; only docker-default)",
				rg_conscheck_quote(val, q, sizeof(q)));
	if (KEY_IS("label")) {
		if (strcasecmp(val, "disable") == 0)
			return rg_conscheck_deny(k, "disable SELinux labeling (--security-opt label=disable)");
		if (strncasecmp(val, "type:", 5) == 0 && !confined_selinux_type(val + 5))
			return rg_conscheck_deny(k, "run with the SELinux type %s (--security-opt label=type:...)",
					rg_conscheck_quote(val + 5, q, sizeof(q)));
	}
	if (KEY_IS("systempaths") && strcasecmp(val, "unconfined") == 0)
		return rg_conscheck_deny(k, "unmask the kernel's system paths (--security-opt systempaths=unconfined)");
	if (KEY_IS("writable-cgroups") && go_true(val))
		return rg_conscheck_deny(k, "make the cgroup filesystem writable (--security-opt writable-cgroups)");
#undef KEY_IS
	return 0;
}

int rg_conscheck_unconfined(struct rg_conscheck *k, const json_t *hc, const char *prefix)
{
	static const char *const paths[] = { "MaskedPaths", "ReadonlyPaths" };
	const json_t *opts;
	char field[64];
	long n;

	if (k->c->unconfined != RG_NO)
		return 0;
	rg_conscheck_field(field, sizeof(field), prefix, "SecurityOpt");
	opts = rg_json_get(hc, "SecurityOpt");
	n = rg_conscheck_strings(k, opts, field);
	if (n < 0)
		return -1;
	for (size_t i = 0; i < (size_t)n; i++) {
		if (security_opt(k, rg_conscheck_str_at(opts, i)) < 0)
			return -1;
	}
	/* Any list here replaces dockerd's defaults (an empty one unmasks
	 * /proc/kcore, /proc/sysrq-trigger, ...): only dockerd's own are safe. */
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const json_t *v = rg_json_get(hc, paths[i]);

		rg_conscheck_field(field, sizeof(field), prefix, paths[i]);
		if (is_unset(v))
			continue;
		if (!json_is_array(v))
			return rg_conscheck_malformed(k, field, "a list of strings");
		return rg_conscheck_deny(k, "replace the kernel paths dockerd masks or makes read-only (%s)",
				field);
	}
	return 0;
}

/* A swarm mode field that must be "" or "default" (a plain string). */
static int swarm_mode(struct rg_conscheck *k, const json_t *obj, const char *field,
		const char **mode)
{
	if (rg_conscheck_string(k, rg_json_get(obj, "Mode"), field, mode) < 0)
		return -1;
	return (*mode)[0] == '\0' || strcasecmp(*mode, "default") == 0 ? 0 : 1;
}

int rg_conscheck_swarm_privileges(struct rg_conscheck *k, const json_t *privs)
{
	static const char *const pfx = "TaskTemplate.ContainerSpec.Privileges.";
	const json_t *seccomp, *apparmor, *selinux;
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	const char *mode, *type;
	bool disable;
	int rc;

	if (k->c->unconfined != RG_NO || privs == NULL)
		return 0;
	if (rg_conscheck_object(k, rg_json_get(privs, "Seccomp"), "Privileges.Seccomp", &seccomp) < 0 ||
	    rg_conscheck_object(k, rg_json_get(privs, "AppArmor"), "Privileges.AppArmor", &apparmor) < 0 ||
	    rg_conscheck_object(k, rg_json_get(privs, "SELinuxContext"), "Privileges.SELinuxContext",
			&selinux) < 0)
		return -1;
	rc = swarm_mode(k, seccomp, "Privileges.Seccomp.Mode", &mode);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return strcasecmp(mode, "unconfined") == 0 ?
			rg_conscheck_deny(k, "disable seccomp confinement (%sSeccomp.Mode=unconfined)", pfx) :
			rg_conscheck_deny(k, "use a custom seccomp profile (%sSeccomp.Mode=%s)", pfx,
					rg_conscheck_quote(mode, q, sizeof(q)));
	rc = swarm_mode(k, apparmor, "Privileges.AppArmor.Mode", &mode);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return rg_conscheck_deny(k, "disable AppArmor confinement (%sAppArmor.Mode=%s)", pfx,
				rg_conscheck_quote(mode, q, sizeof(q)));
	if (rg_conscheck_bool(k, rg_json_get(selinux, "Disable"), "Privileges.SELinuxContext.Disable",
			&disable) < 0 ||
	    rg_conscheck_string(k, rg_json_get(selinux, "Type"), "Privileges.SELinuxContext.Type",
			&type) < 0)
		return -1;
	if (disable)
		return rg_conscheck_deny(k, "disable SELinux labeling (%sSELinuxContext.Disable)", pfx);
	if (type[0] != '\0' && !confined_selinux_type(type))
		return rg_conscheck_deny(k, "run with the SELinux type %s (%sSELinuxContext.Type)",
				rg_conscheck_quote(type, q, sizeof(q)), pfx);
	return 0;
}

/* A Go int64 that is set and above zero (anything else sets no limit). */
static bool positive(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0;
}

int rg_conscheck_limits_create(struct rg_conscheck *k, const json_t *hc)
{
	unsigned need = k->c->has_require_limits ? k->c->require_limits : 0;

	if ((need & RG_LIMIT_MEMORY) && !positive(rg_json_get(hc, "Memory")))
		return rg_conscheck_deny(k, "%s without a memory limit (--memory%s)", k->what,
				/* up --build cannot give one (workflows round 16) */
				strncmp(k->what, "build", 5) == 0 ? ": docker build -m 256m; docker-compose "
				"build --memory 256m, then up -d" : "");
	if ((need & RG_LIMIT_PIDS) && !positive(rg_json_get(hc, "PidsLimit")))
		return rg_conscheck_deny(k, "%s without a PIDs limit (--pids-limit)", k->what);
	if ((need & RG_LIMIT_CPU) && !positive(rg_json_get(hc, "NanoCpus")) &&
	    !positive(rg_json_get(hc, "CpuQuota")) && !positive(rg_json_get(hc, "CpuShares")))
		return rg_conscheck_deny(k, "%s without a CPU limit (--cpus, --cpu-quota or "
				"--cpu-shares)", k->what);
	return 0;
}

/*
 * Whether an update's field removes a limit. dockerd leaves a limit alone
 * when the field is absent, null or 0 (Go's zero value), except PidsLimit,
 * a pointer, where 0 and any negative mean "unlimited".
 */
static int removes(struct rg_conscheck *k, const json_t *body, const char *field, bool zero_removes,
		bool *removed)
{
	const json_t *v = rg_json_get(body, field);
	json_int_t n;

	*removed = false;
	if (is_unset(v))
		return 0;
	if (!json_is_integer(v))
		return rg_conscheck_malformed(k, field, "an integer");
	n = json_integer_value(v);
	*removed = n < 0 || (zero_removes && n == 0);
	return 0;
}

int rg_conscheck_limits_update(struct rg_conscheck *k, const json_t *body)
{
	static const struct {
		unsigned limit;
		const char *field;
		bool zero_removes;
		const char *name;
	} fields[] = {
		{ RG_LIMIT_MEMORY, "Memory", false, "memory" },
		{ RG_LIMIT_PIDS, "PidsLimit", true, "PIDs" },
		{ RG_LIMIT_CPU, "NanoCpus", false, "CPU" },
		{ RG_LIMIT_CPU, "CpuQuota", false, "CPU" },
		{ RG_LIMIT_CPU, "CpuShares", false, "CPU" },
	};
	unsigned need = k->c->has_require_limits ? k->c->require_limits : 0;
	bool removed;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!(need & fields[i].limit))
			continue;
		if (removes(k, body, fields[i].field, fields[i].zero_removes, &removed) < 0)
			return -1;
		if (removed)
			return rg_conscheck_deny(k, "remove the %s limit of a container (%s=%lld)",
					fields[i].name, fields[i].field,
					(long long)json_integer_value(rg_json_get(body, fields[i].field)));
	}
	return 0;
}

int rg_conscheck_limits_service(struct rg_conscheck *k, const json_t *limits)
{
	unsigned need = k->c->has_require_limits ? k->c->require_limits : 0;

	if ((need & RG_LIMIT_MEMORY) && !positive(rg_json_get(limits, "MemoryBytes")))
		return rg_conscheck_deny(k, "%s without a memory limit (--limit-memory)", k->what);
	if ((need & RG_LIMIT_PIDS) && !positive(rg_json_get(limits, "Pids")))
		return rg_conscheck_deny(k, "%s without a PIDs limit (--limit-pids)", k->what);
	if ((need & RG_LIMIT_CPU) && !positive(rg_json_get(limits, "NanoCPUs")))
		return rg_conscheck_deny(k, "%s without a CPU limit (--limit-cpu)", k->what);
	return 0;
}

/*
 * Whether ref would be looked up as an image id rather than a name: a
 * digest ("sha256:<hex>", even a short one) or bare lower-case hex, which
 * dockerd resolves as an id prefix when no image has that name. Its
 * registry cannot be known.
 */
static bool image_id(const char *ref)
{
	static const char *const algs[] = { "sha256:", "sha384:", "sha512:" };

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strncmp(ref, algs[i], strlen(algs[i])) == 0) {
			ref += strlen(algs[i]);
			break;
		}
	}
	return ref[0] != '\0' && strspn(ref, "0123456789abcdef") == strlen(ref);
}

int rg_conscheck_image(struct rg_conscheck *k, const char *ref, const char *verb)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];
	struct rg_imageref img;
	const char *err;

	/* Then pinned_images and approved_images (consimage.c): where an image
	 * may come from is judged before the approved list is read. */
	if (!k->c->has_registries)
		return rg_consimage_check(k, ref, verb);
	if (ref[0] == '\0')
		return rg_conscheck_deny(k, "%s without naming an image (registries)", k->what);
	rg_conscheck_quote(ref, q, sizeof(q));
	if (image_id(ref))
		return rg_conscheck_deny(k, "%s %s by id (its registry cannot be checked)", verb, q);
	/* pinned_images and approved_images say what is wrong with a digest
	 * more precisely (and refuse whatever does not parse). */
	if (rg_imageref_parse(ref, &img, &err) < 0)
		return rg_consimage_restricted(k->c) ? rg_consimage_check(k, ref, verb) :
			rg_conscheck_deny(k, "%s %s (%s)", verb, q, err);
	if (rg_conscheck_image_registry(k, &img, verb, q) < 0)
		return -1;
	return rg_consimage_check(k, ref, verb);
}

/* "VERB QUOTED (allowed registries: ...)": a name outside registries. */
static int deny_registry(struct rg_conscheck *k, const char *verb, const char *quoted)
{
	const struct rg_strv *allowed = &k->c->registries;
	char list[256];

	return rg_conscheck_deny(k, "%s %s (allowed registries: %s)", verb, quoted,
			allowed->n > 0 ? rg_strv_join(allowed, ", ", list, sizeof(list)) : "none");
}

int rg_conscheck_image_registry(struct rg_conscheck *k, const struct rg_imageref *img,
		const char *verb, const char *quoted)
{
	const struct rg_strv *allowed = &k->c->registries;

	for (size_t i = 0; i < allowed->n; i++) {
		if (rg_imageref_under(img, allowed->v[i]))
			return 0;
	}
	return deny_registry(k, verb, quoted);
}

void rg_conscheck_registry_of(const char *s, bool address, char *out, size_t outlen)
{
	const char *scheme = strstr(s, "://");
	size_t len;

	if (address && scheme != NULL)
		s = scheme + 3;
	len = strcspn(s, "/");
	/* A login address is a host even without '.' or ':' ("myregistry"). */
	if (len == 0 || (!address && s[len] == '\0') ||
	    (!address && memchr(s, '.', len) == NULL && memchr(s, ':', len) == NULL &&
	     !(len == 9 && strncmp(s, "localhost", 9) == 0))) {
		snprintf(out, outlen, "docker.io");
		return;
	}
	snprintf(out, outlen, "%.*s", (int)len, s);
	if (strcasecmp(out, "index.docker.io") == 0 || strcasecmp(out, "registry-1.docker.io") == 0)
		snprintf(out, outlen, "docker.io");
}

int rg_conscheck_registry_host(struct rg_conscheck *k, const char *host, const char *verb)
{
	const struct rg_strv *allowed = &k->c->registries;
	char q[RG_CONSCHECK_QUOTE_MAX + 1], entry[256];

	if (!k->c->has_registries)
		return 0;
	for (size_t i = 0; i < allowed->n; i++) {
		/* An entry without '/' is a host; else its first part when that
		 * names a host, else Docker Hub ("library/x"). */
		if (strchr(allowed->v[i], '/') == NULL)
			snprintf(entry, sizeof(entry), "%s", allowed->v[i]);
		else
			rg_conscheck_registry_of(allowed->v[i], false, entry, sizeof(entry));
		if (strcasecmp(entry, host) == 0)
			return 0;
	}
	return deny_registry(k, verb, rg_conscheck_quote(host, q, sizeof(q)));
}

/* Go's strconv.Atoi: an optional sign and decimal digits, fitting int64. */
static bool go_atoi(const char *s, long long *out)
{
	const char *d = (*s == '+' || *s == '-') ? s + 1 : s;
	unsigned long long v = 0;

	if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
		return false;
	for (; *d != '\0'; d++) {
		if (v > (9223372036854775807ULL - (unsigned)(*d - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*d - '0');
	}
	*out = *s == '-' ? -(long long)v : (long long)v;
	return true;
}

/* Root as runc reads an exec user: "root", any numeric form of uid 0
 * ("0", "00", "+0"), or "" (the image's default user, unknown here). */
static bool is_root(const char *user)
{
	long long uid;

	return user[0] == '\0' || strcmp(user, "root") == 0 || (go_atoi(user, &uid) && uid == 0);
}

/* Whether the exec_user entry name e names the user u. */
static bool names(const char *e, const char *u)
{
	long long a, b;

	if (is_root(e) && is_root(u))
		return true;
	if (go_atoi(e, &a) && go_atoi(u, &b))
		return a == b;
	return strcmp(e, u) == 0;
}

static int deny_user(struct rg_conscheck *k, const char *user, const char *allowed)
{
	char q[RG_CONSCHECK_QUOTE_MAX + 1];

	if (user[0] == '\0')
		return rg_conscheck_deny(k, "exec as root (no user given: the image's default user)%s%s%s"
				"; name one: docker exec -u USER",
				allowed[0] != '\0' ? " (allowed: " : "", allowed,
				allowed[0] != '\0' ? ")" : "");
	return rg_conscheck_deny(k, "exec as %s%s%s%s", is_root(user) ? "root" :
			rg_conscheck_quote(user, q, sizeof(q)), allowed[0] != '\0' ? " (allowed: " : "",
			allowed, allowed[0] != '\0' ? ")" : "");
}

int rg_conscheck_exec_user(struct rg_conscheck *k, const char *user)
{
	const struct rg_strv *rules = &k->c->exec_user;
	char u[256], list[256] = "";
	bool positives = false, allowed = false;
	size_t ulen, off = 0;

	if (!k->c->has_exec_user)
		return 0;
	/* "user:group": the user part decides, and a forbidden name in the
	 * group part is forbidden too (below). */
	ulen = strcspn(user, ":");
	if (ulen >= sizeof(u))
		return deny_user(k, user, "");
	memcpy(u, user, ulen);
	u[ulen] = '\0';
	for (size_t i = 0; i < rules->n; i++) {
		const char *e = rules->v[i];

		if (e[0] == '!') {
			if (names(e + 1, u))
				return deny_user(k, u, "");
			continue;
		}
		/* The allowed users, for the reason. */
		if (off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					positives ? ", " : "", e);
		positives = true;
		allowed = allowed || names(e, u);
	}
	/* "!0" refuses "1000:0" too: the process would run with the root
	 * group's access. runc reads the group as the text up to the next
	 * ':' and ignores anything after it ("1000:0:x" is group 0), so the
	 * group is judged the same way. */
	if (user[ulen] == ':') {
		const char *gs = user + ulen + 1;
		size_t glen = strcspn(gs, ":");
		char g[256];

		if (glen >= sizeof(g))
			return deny_user(k, user, "");
		memcpy(g, gs, glen);
		g[glen] = '\0';
		for (size_t i = 0; i < rules->n; i++) {
			const char *e = rules->v[i];

			if (e[0] == '!' && names(e + 1, g))
				return rg_conscheck_deny(k, "exec with the group %s (exec_user forbids %s)",
						is_root(g) ? "root" : rg_conscheck_quote(g, u, sizeof(u)), e + 1);
		}
	}
	/* [] allows no one, like every other list key; a list of "!name"
	 * entries alone allows everyone else. */
	if (rules->n == 0)
		return deny_user(k, u, "none");
	if (positives && !allowed)
		return deny_user(k, u, list);
	return 0;
}
