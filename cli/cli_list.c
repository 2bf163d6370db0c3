/*
 * `rolegate list`: what a user may do, the way `sudo -l` answers it. The
 * user's groups come from where serve gets them (identity.users and the
 * directory) unless --groups gives them; the roles are those rg_decide()
 * would find; each role's patterns are expanded over the route table's
 * command names with the same allow/deny rule rg_decide() applies; each
 * constraint key is put in plain words by one small function below.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rolegate/cli.h"
#include "rolegate/consmount.h"
#include "rolegate/consreach.h"
#include "rolegate/constraint.h"
#include "rolegate/decide.h"
#include "rolegate/explain.h"
#include "rolegate/identity.h"
#include "rolegate/log.h"
#include "rolegate/ownercheck.h"
#include "rolegate/route.h"

#define RG_WORDS_MAX 1024
#define RG_LIST_WIDTH 78

/* --- constraints in plain words ---------------------------------------------
 *
 * One function per constraint key. Each writes the key's meaning into out
 * and returns true, or returns false when the key restricts nothing (absent,
 * `true`, "ALL", "/"). To describe a new key, write one more function and
 * add a row to `keys` below, in the order of SPEC.md §3.
 */

/* Joins list as "a, b, c" into out, or `none` when it is empty. */
static const char *joined(const struct rg_strv *list, const char *none, char *out, size_t outlen)
{
	if (list->n == 0)
		snprintf(out, outlen, "%s", none);
	else
		rg_strv_join(list, ", ", out, outlen);
	return out;
}

static bool words_privileged(const struct rg_constraints *c, char *out, size_t outlen)
{
	if (c->privileged != RG_NO)
		return false;
	snprintf(out, outlen, "no privileged containers or exec sessions");
	return true;
}

static bool words_host_namespaces(const struct rg_constraints *c, char *out, size_t outlen)
{
	if (c->host_namespaces != RG_NO)
		return false;
	snprintf(out, outlen, "no host namespaces (network, pid, ipc, uts, userns, cgroupns) "
			"and no sharing another container's");
	return true;
}

static bool words_capabilities(const struct rg_constraints *c, char *out, size_t outlen)
{
	char list[RG_WORDS_MAX];

	if (!c->has_capabilities || rg_strv_has(&c->capabilities, "ALL"))
		return false;
	if (c->capabilities.n == 0)
		snprintf(out, outlen, "no added capabilities");
	else
		snprintf(out, outlen, "added capabilities only %s",
				joined(&c->capabilities, "", list, sizeof(list)));
	return true;
}

static bool words_devices(const struct rg_constraints *c, char *out, size_t outlen)
{
	if (c->devices != RG_NO)
		return false;
	snprintf(out, outlen, "no host devices (--device, device cgroup rules, GPU requests)");
	return true;
}

static bool words_unconfined(const struct rg_constraints *c, char *out, size_t outlen)
{
	if (c->unconfined != RG_NO)
		return false;
	snprintf(out, outlen, "no unconfined seccomp, AppArmor or SELinux; no volume at /dev");
	return true;
}

static bool words_bind_mounts(const struct rg_constraints *c, char *out, size_t outlen)
{
	char list[RG_WORDS_MAX];

	if (!rg_consmount_restricted(c))
		return false;
	/* docker cp and commit are refused with it (ownercheck.c, red team round 14) */
	if (c->bind_mounts.n == 0)
		snprintf(out, outlen, "no host paths; no docker cp or commit");
	else
		snprintf(out, outlen, "host paths only under %s; no docker cp or commit",
				joined(&c->bind_mounts, "", list, sizeof(list)));
	return true;
}

static bool words_registries(const struct rg_constraints *c, char *out, size_t outlen)
{
	char list[RG_WORDS_MAX];

	if (!c->has_registries)
		return false;
	if (c->registries.n == 0)
		snprintf(out, outlen, "no images from any registry");
	else
		snprintf(out, outlen, "images only from %s", joined(&c->registries, "", list, sizeof(list)));
	return true;
}

/* bytes as "8 GiB", "512 MiB", or "1000000 bytes" when no unit divides it. */
static const char *size_words(long long bytes, char *out, size_t outlen)
{
	static const char *const units[] = { "TiB", "GiB", "MiB", "KiB" };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long unit = 1LL << (10 * (4 - i));

		if (bytes >= unit && bytes % unit == 0) {
			snprintf(out, outlen, "%lld %s", bytes / unit, units[i]);
			return out;
		}
	}
	snprintf(out, outlen, "%lld bytes", bytes);
	return out;
}

static const struct {
	unsigned bit;
	const char *name;
} limits[] = {
	{ RG_LIMIT_MEMORY, "memory" },
	{ RG_LIMIT_PIDS, "pids" },
	{ RG_LIMIT_CPU, "cpu" },
};

/*
 * max_limits, with require_limits merged in: a bound also requires the
 * limit on a container create (rbac/consreach.c refuses a create without
 * it), so one phrase per limit says both, e.g. "memory limit required, at
 * most 8 GiB". words_require_limits() then says nothing.
 */
static bool words_max_limits(const struct rg_constraints *c, char *out, size_t outlen)
{
	unsigned required = c->has_require_limits ? c->require_limits : 0;
	size_t off = 0, n = 0;

	if (!c->has_max_limits)
		return false;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		char bound[64] = "";

		if (limits[i].bit == RG_LIMIT_MEMORY && c->max_memory > 0)
			size_words(c->max_memory, bound, sizeof(bound));
		else if (limits[i].bit == RG_LIMIT_PIDS && c->max_pids > 0)
			snprintf(bound, sizeof(bound), "%lld", c->max_pids);
		else if (limits[i].bit == RG_LIMIT_CPU && c->max_cpus > 0)
			snprintf(bound, sizeof(bound), "%g CPU%s", c->max_cpus, c->max_cpus == 1 ? "" : "s");
		if ((bound[0] == '\0' && (required & limits[i].bit) == 0) || off >= outlen)
			continue;
		off += (size_t)snprintf(out + off, outlen - off, "%s%s limit required%s%s",
				n++ > 0 ? "; " : "", limits[i].name, bound[0] != '\0' ? ", at most " : "", bound);
	}
	if (off < outlen)
		off += (size_t)snprintf(out + off, outlen - off, "%sno unlimited ulimits or "
				"--oom-kill-disable; at most %d published ports, no -P; health checks at most "
				"once a second; stop timeouts at most %d s", n > 0 ? "; " : "",
				RG_CONSREACH_MAX_PORTS, RG_CONSREACH_MAX_STOP_TIMEOUT);
	/* rbac/consmount.c: a tmpfs volume's pages and files outlive its writers */
	if (c->max_memory > 0 && off < outlen)
		snprintf(out + off, outlen - off, "; tmpfs volumes need size= and nr_inodes= within the memory bound");
	return true;
}

static bool words_require_limits(const struct rg_constraints *c, char *out, size_t outlen)
{
	unsigned required = c->has_require_limits ? c->require_limits : 0;
	size_t off = 0, n = 0;

	if (c->has_max_limits)
		return false;   /* words_max_limits() says it */
	if (required == 0)
		return false;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if ((required & limits[i].bit) == 0 || off >= outlen)
			continue;
		off += (size_t)snprintf(out + off, outlen - off, "%s%s", n++ > 0 ? " and " : "", limits[i].name);
	}
	if (off < outlen)
		snprintf(out + off, outlen - off, " limit%s required on every container", n > 1 ? "s" : "");
	return true;
}

static bool words_exec_user(const struct rg_constraints *c, char *out, size_t outlen)
{
	struct rg_strv as = { 0 }, never = { 0 };
	char a[RG_WORDS_MAX], b[RG_WORDS_MAX];

	if (!c->has_exec_user)
		return false;
	if (c->exec_user.n == 0) {
		snprintf(out, outlen, "no exec sessions");
		return true;
	}
	for (size_t i = 0; i < c->exec_user.n; i++) {
		const char *e = c->exec_user.v[i];

		/* Out of memory only shortens the description. */
		(void)rg_strv_push(e[0] == '!' ? &never : &as, e[0] == '!' ? e + 1 : e);
	}
	if (as.n > 0 && never.n > 0)
		snprintf(out, outlen, "exec sessions only as %s, never as %s", joined(&as, "", a, sizeof(a)),
				joined(&never, "", b, sizeof(b)));
	else if (as.n > 0)
		snprintf(out, outlen, "exec sessions only as %s", joined(&as, "", a, sizeof(a)));
	else
		snprintf(out, outlen, "exec sessions never as %s (an exec without --user runs as the user "
				"its container was created with; if none, as the image's, taken for root)",
				joined(&never, "", b, sizeof(b)));
	rg_strv_free(&as);
	rg_strv_free(&never);
	return true;
}

/* A list key: "ONLY A, B AFTER", or none when the list is empty. */
static bool words_names(bool has, const struct rg_strv *list, const char *only, const char *after,
		const char *none, char *out, size_t outlen)
{
	char l[RG_WORDS_MAX];

	if (!has)
		return false;
	if (list->n == 0)
		snprintf(out, outlen, "%s", none);
	else
		snprintf(out, outlen, "%s %s%s", only, joined(list, "", l, sizeof(l)), after);
	return true;
}

static bool words_runtimes(const struct rg_constraints *c, char *out, size_t outlen)
{
	return words_names(c->has_runtimes, &c->runtimes, "runtimes only", " (or the daemon's default)",
			"only the daemon's default runtime", out, outlen);
}

static bool words_cgroup_parent(const struct rg_constraints *c, char *out, size_t outlen)
{
	if (c->cgroup_parent != RG_NO)
		return false;
	snprintf(out, outlen, "no custom cgroup parent and no other container's cgroup");
	return true;
}

static bool words_sysctls(const struct rg_constraints *c, char *out, size_t outlen)
{
	return words_names(c->has_sysctls, &c->sysctls, "sysctls only", "", "no sysctls", out, outlen);
}

static bool words_log_drivers(const struct rg_constraints *c, char *out, size_t outlen)
{
	return words_names(c->has_log_drivers, &c->log_drivers, "log drivers only", " (or the daemon's default)",
			"only the daemon's default log driver", out, outlen);
}

/* rbac/consreach.c: registries without image_targets means no names at all. */
static bool words_image_targets(const struct rg_constraints *c, char *out, size_t outlen)
{
	char l[RG_WORDS_MAX];

	if (!c->has_image_targets && c->has_registries) {
		snprintf(out, outlen, "creates no local image names (registries set, image_targets absent)");
		return true;
	}
	if (!c->has_image_targets)
		return false;
	if (c->image_targets.n == 0)
		snprintf(out, outlen, "creates no local image names (tag, commit, build, import)");
	else
		snprintf(out, outlen, "local image names (tag, commit, build, import) only under %s",
				joined(&c->image_targets, "", l, sizeof(l)));
	return true;
}

static bool words_pinned_images(const struct rg_constraints *c, char *out, size_t outlen)
{
	if (c->pinned_images != RG_YES)
		return false;
	snprintf(out, outlen, "images only by digest (name@sha256:...), never by tag");
	return true;
}

static bool words_approved_images(const struct rg_constraints *c, char *out, size_t outlen)
{
	if (c->approved_images == NULL)
		return false;
	snprintf(out, outlen, "images only by a digest listed in %s", c->approved_images);
	return true;
}

static bool words_networks(const struct rg_constraints *c, char *out, size_t outlen)
{
	return words_names(c->has_networks, &c->networks, "containers join only the networks", "",
			"containers join no networks", out, outlen);
}

static bool words_network_drivers(const struct rg_constraints *c, char *out, size_t outlen)
{
	return words_names(c->has_network_drivers, &c->network_drivers, "network create only with driver", "",
			"no network create (no network driver allowed)", out, outlen);
}

static const struct {
	const char *key;
	bool (*words)(const struct rg_constraints *c, char *out, size_t outlen);
} keys[] = {
	{ "privileged", words_privileged },
	{ "host_namespaces", words_host_namespaces },
	{ "capabilities", words_capabilities },
	{ "devices", words_devices },
	{ "unconfined", words_unconfined },
	{ "bind_mounts", words_bind_mounts },
	{ "registries", words_registries },
	{ "require_limits", words_require_limits },
	{ "max_limits", words_max_limits },      /* says require_limits too */
	{ "exec_user", words_exec_user },
	{ "runtimes", words_runtimes },
	{ "cgroup_parent", words_cgroup_parent },
	{ "sysctls", words_sysctls },
	{ "log_drivers", words_log_drivers },
	{ "image_targets", words_image_targets },
	{ "pinned_images", words_pinned_images },
	{ "approved_images", words_approved_images },
	{ "networks", words_networks },
	{ "network_drivers", words_network_drivers },
};

/*
 * The objects a role may act on (SPEC.md §4, ownership): the `owner` key.
 * A user with no name (the Unix socket's identity.unauthenticated = "")
 * never reaches a role, so user is always set here.
 */
static void ownership_words(const struct rg_role *r, const char *user, char *out, size_t outlen)
{
	switch (r->constraints.owner) {
	case RG_OWNER_SELF:
		snprintf(out, outlen, "only objects %s created", user);
		break;
	case RG_OWNER_ROLE:
		snprintf(out, outlen, "only objects created under role %s", r->name);
		break;
	case RG_OWNER_ANY:
	default:
		snprintf(out, outlen, "any object");
		break;
	}
}

/* --- commands ----------------------------------------------------------- */

static void collect_command(const char *command, void *arg)
{
	/* Out of memory only shortens the list; the caller checks. */
	(void)rg_strv_push_unique(arg, command);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Splits commands into what r allows and what its patterns allow but the
 * engine refuses whole: to any constrained role, rg_uninspectable_commands
 * (BuildKit, image.load, plugin.create); rg_owner_refuses_command (every
 * prune under `owner`, docker cp and commit under `bind_mounts`, docker
 * login under `registries`). They are left out of the command list and shown apart, so that the
 * list never shows a command every request of which is denied.
 */
static void role_commands(const struct rg_role *r, const struct rg_strv *commands, struct rg_strv *allowed,
		struct rg_strv *refused)
{
	bool constrained = rg_constraints_any(&r->constraints);

	for (size_t i = 0; i < commands->n; i++) {
		bool whole = false;

		if (rg_role_allows(r, commands->v[i]) == NULL)
			continue;
		for (size_t j = 0; constrained && rg_uninspectable_commands[j] != NULL; j++)
			whole = whole || strcmp(commands->v[i], rg_uninspectable_commands[j]) == 0;
		/* Out of memory only shortens the lists. */
		whole = whole || rg_owner_refuses_command(r, commands->v[i]);
		(void)rg_strv_push(whole ? refused : allowed, commands->v[i]);
	}
}

/* Every command name (rg_command_foreach), sorted, then "unknown". */
static int all_commands(struct rg_strv *out)
{
	rg_command_foreach(collect_command, out);
	if (out->n == 0)
		return -1;
	qsort(out->v, out->n, sizeof(out->v[0]), by_name);
	return rg_strv_push_unique(out, "unknown");
}

/* --- output ----------------------------------------------------------------- */

/* Prints "  label  a, b, c" wrapped at RG_LIST_WIDTH, continuation lines indented. */
static void print_wrapped(const char *label, char *const *items, size_t n)
{
	size_t col = (size_t)printf("  %-13s", label);
	size_t indent = col;

	for (size_t i = 0; i < n; i++) {
		size_t need = strlen(items[i]) + (i + 1 < n ? 1 : 0);

		if (col > indent && col + 1 + need > RG_LIST_WIDTH) {
			printf("\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			col += (size_t)printf(" ");
		}
		col += (size_t)printf("%s%s", items[i], i + 1 < n ? "," : "");
	}
	printf("\n");
}

static void print_role_text(const struct rg_role *r, const char *user, const struct rg_strv *commands)
{
	struct rg_strv allowed = { 0 }, refused = { 0 };
	size_t nwords = 0;
	char words[sizeof(keys) / sizeof(keys[0])][RG_WORDS_MAX];
	const char *lines[sizeof(keys) / sizeof(keys[0])];
	char owner[RG_WORDS_MAX];

	role_commands(r, commands, &allowed, &refused);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].words(&r->constraints, words[nwords], sizeof(words[nwords])))
			lines[nwords] = words[nwords], nwords++;
	}
	ownership_words(r, user, owner, sizeof(owner));
	printf("\nrole %s\n", r->name);
	if (allowed.n == 0)
		printf("  %-13s%s\n", "commands:", "none");
	else
		print_wrapped("commands:", allowed.v, allowed.n);
	if (refused.n > 0)
		print_wrapped("refused:", refused.v, refused.n);
	rg_strv_free(&allowed);
	rg_strv_free(&refused);
	if (nwords == 0) {
		printf("  %-13s%s\n", "constraints:", "none");
	} else {
		printf("  %-13s%s\n", "constraints:", lines[0]);
		for (size_t i = 1; i < nwords; i++)
			printf("  %-13s%s\n", "", lines[i]);
	}
	printf("  %-13s%s\n", "objects:", owner);
}

static json_t *strv_json(const struct rg_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static json_t *role_json(const struct rg_role *r, const char *user, const struct rg_strv *commands)
{
	json_t *o = json_object(), *cons = json_object();
	struct rg_strv allowed = { 0 }, refused = { 0 };
	char words[RG_WORDS_MAX];

	if (o == NULL || cons == NULL) {
		json_decref(o);
		json_decref(cons);
		return NULL;
	}
	role_commands(r, commands, &allowed, &refused);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].words(&r->constraints, words, sizeof(words)))
			json_object_set_new(cons, keys[i].key, json_string(words));
	}
	ownership_words(r, user, words, sizeof(words));
	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "commands", strv_json(&allowed));
	json_object_set_new(o, "refused", strv_json(&refused));
	json_object_set_new(o, "constraints", cons);
	json_object_set_new(o, "ownership", json_string(words));
	rg_strv_free(&allowed);
	rg_strv_free(&refused);
	return o;
}

static const struct rg_role *role_named(const struct rg_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nroles; i++) {
		if (strcmp(p->roles[i].name, name) == 0)
			return &p->roles[i];
	}
	return NULL;
}

/* Returns 0, or -1 when out of memory. */
static int print_json(const struct rg_policy *p, const struct rg_identity *id, const struct rg_strv *roles,
		const struct rg_strv *commands)
{
	json_t *o = json_object(), *a = json_array();
	char *text;

	if (o == NULL || a == NULL) {
		json_decref(o);
		json_decref(a);
		return -1;
	}
	json_object_set_new(o, "user", json_string(id->user));
	json_object_set_new(o, "groups", strv_json(&id->groups));
	json_object_set_new(o, "groups_source", json_string(rg_group_source_name(id->source)));
	for (size_t i = 0; i < roles->n; i++) {
		json_t *r = role_json(role_named(p, roles->v[i]), id->user, commands);

		if (r == NULL || json_array_append_new(a, r) < 0) {
			json_decref(a);
			json_decref(o);
			return -1;
		}
	}
	json_object_set_new(o, "roles", a);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

static void print_text(const struct rg_policy *p, const struct rg_identity *id, const struct rg_strv *roles,
		const struct rg_strv *commands)
{
	char groups[RG_WORDS_MAX], names[RG_WORDS_MAX];

	printf("user:   %s\n", id->user);
	printf("groups: %s (%s)\n", joined(&id->groups, "none", groups, sizeof(groups)),
			rg_group_source_name(id->source));
	if (roles->n == 0) {
		printf("roles:  none (every request by %s is denied)\n", id->user);
		return;
	}
	printf("roles:  %s\n", joined(roles, "none", names, sizeof(names)));
	for (size_t i = 0; i < roles->n; i++)
		print_role_text(role_named(p, roles->v[i]), id->user, commands);
	if (roles->n > 1)
		printf("\nRoles add up: a request is allowed when one role allows its command\n"
			"and the request meets that same role's constraints.\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rolegate list [-c FILE] --user NAME [--groups G1,G2] [--json]\n"
		"\n"
		"Shows what a user may do, like 'sudo -l': their groups, their roles, and for\n"
		"each role the commands it allows (its patterns expanded over the command\n"
		"names, minus its deny patterns), its constraints in plain words and the\n"
		"objects it may act on. A constrained role's 'refused:' line names the commands\n"
		"its patterns allow but that are refused whole (they cannot be inspected;\n"
		"prunes under owner; docker cp and commit under bind_mounts; docker login\n"
		"under registries).\n"
		"  --user NAME    the user (the CN of their TLS certificate); '' = the Unix\n"
		"                 socket, i.e. identity.unauthenticated\n"
		"  --groups LIST  use these groups instead of asking identity.users and LDAP\n"
		"  --json         one JSON object: user, groups, groups_source, roles (each:\n"
		"                 name, commands, refused, constraints {key: plain words},\n"
		"                 ownership)\n"
		"Exit 0 when the user has a role, 1 when none, 2 on a usage or runtime error.\n");
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "groups", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = RG_DEFAULT_CONFIG, *user = NULL, *groups = NULL;
	struct rg_strv given = { 0 }, roles = { 0 }, commands = { 0 };
	struct sigaction ignore = { .sa_handler = SIG_IGN }, saved;
	struct rg_identity id;
	struct rg_runtime *rt;
	const struct rg_policy *p;
	bool json = false;
	int opt, rc = 2;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'u': user = optarg; break;
		case 'g': groups = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (user == NULL || optind != argc) {
		if (user == NULL)
			fprintf(stderr, "rolegate list: --user NAME is required\n");
		usage(stderr);
		return 2;
	}
	if (groups != NULL && rg_split_groups(groups, &given) < 0)
		return 2;
	if (all_commands(&commands) < 0) {
		fprintf(stderr, "rolegate list: out of memory\n");
		goto out;
	}
	/* an invalid configuration is a negative answer, an unreadable one a
	 * runtime error (SPEC.md §2) */
	if ((rt = rg_runtime_open(config, groups == NULL, &rc)) == NULL)
		goto out;
	/*
	 * libldap may write to a connection the server has closed; serve blocks
	 * SIGPIPE, and here too the failure must come back as an error, not
	 * kill the command. Only for the lookup: output to a closed pipe
	 * still ends the command as usual.
	 */
	p = rg_runtime_policy(rt);
	sigaction(SIGPIPE, &ignore, &saved);
	/* The directory's diagnostics go into the one line below (SPEC.md §2), as for explain. */
	rg_log_collect(true);
	/* A named user, as a certificate names one (not the unauthenticated identity). */
	rg_explain_identity(rt, user, groups != NULL ? &given : NULL, &id);
	sigaction(SIGPIPE, &saved, NULL);
	if (id.error != NULL) {
		const char *why = rg_log_collected();

		fprintf(stderr, "rolegate list: cannot find the groups of %s: %s%s%s\n", id.user, id.error,
				why[0] != '\0' ? ": " : "", why);
	} else if (id.user[0] == '\0') {
		fprintf(stderr, "rolegate list: requests without a TLS client certificate are denied "
				"(identity.unauthenticated is not set)\n");
		rc = 1;
	} else if (rg_roles_of(p, &id, &roles) < 0) {
		fprintf(stderr, "rolegate list: out of memory\n");
	} else if (json && print_json(p, &id, &roles, &commands) < 0) {
		fprintf(stderr, "rolegate list: out of memory\n");
	} else {
		if (!json)
			print_text(p, &id, &roles, &commands);
		rc = roles.n > 0 ? 0 : 1;
	}
	rg_identity_clear(&id);
	rg_runtime_close(rt);
out:
	rg_strv_free(&roles);
	rg_strv_free(&commands);
	rg_strv_free(&given);
	return rc;
}
