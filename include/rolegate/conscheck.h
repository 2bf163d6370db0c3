#ifndef ROLEGATE_CONSCHECK_H
#define ROLEGATE_CONSCHECK_H

/*
 * The checks behind rg_constraints_check() (constraint.h), one per
 * constraint key, each applied to the part of a decoded request body that
 * carries the setting. constraint.c decides which parts a command has;
 * consmount.h holds the checks on host paths, volumes and plugins.
 *
 * Every check returns 0 when the part passes (an absent or null part
 * passes: dockerd reads it as Go's zero value), or -1 with k->reason set.
 * A value of the wrong JSON type is -1: dockerd would refuse the request,
 * and the plugin does not guess what was meant. Keys are looked up with
 * Go's folding (gojson.h).
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "rolegate/policy.h"

struct rg_approved_source;
struct rg_fs;
struct rg_imageref;
struct rg_owners;

/* Longest user-supplied text (a path, an image) quoted in a reason. */
#define RG_CONSCHECK_QUOTE_MAX 160

struct rg_conscheck {
	const struct rg_constraints *c;
	const char *what;      /* the command in words: "create a container" */
	char *reason;          /* where a deny writes its phrase */
	size_t reasonlen;
	/* The daemon's approved-images files (approved_images), or NULL where
	 * none can be read: every image is then refused under that key. */
	const struct rg_approved_source *approved;
	/* The daemon's view of the host filesystem (hostfs.h), or NULL: every
	 * host path is then refused under bind_mounts. */
	const struct rg_fs *fs;
	/* The ownership state (ownership.h), or NULL: a network named by id is
	 * judged by the name it records (consnet.h). */
	const struct rg_owners *owners;
	long long now;         /* the request's time: a network resolved by id is in use */
	/* Host paths checked so far (RG_CONSMOUNT_MAX_HOST_PATHS). */
	unsigned host_paths;
};

/* Writes a printf-formatted phrase to k->reason. Returns -1 (deny). */
int rg_conscheck_deny(struct rg_conscheck *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * out = a followed by b, cut to fit len (as snprintf "%s%s" would). The
 * field names quoted in reasons are built for every check and shown only
 * on a deny: a copy, not a printf.
 */
void rg_conscheck_field(char *out, size_t len, const char *a, const char *b);

/*
 * Whether the top level of a container create body may carry HostConfig
 * fields: dockerd up to 20.10 decodes it into a deprecated embedded
 * HostConfig too. A key Go binds to a Config field, or to the wrapper's
 * HostConfig or NetworkingConfig, cannot; any other key, known or not, may.
 * The docker CLI sends only those, so callers skip judging its top level
 * as a second HostConfig, and judge it for every other body.
 */
bool rg_conscheck_top_hostconfig(const json_t *body);

/* Whether a create body's top-level key is one Go binds to a Config field
 * or to the wrapper's HostConfig or NetworkingConfig (as above). */
bool rg_conscheck_config_key(const char *key);

/* Denies because field has the wrong JSON type ("... is not a list of
 * strings"). Returns -1. */
int rg_conscheck_malformed(struct rg_conscheck *k, const char *field, const char *kind);

/* Copies untrusted text into buf for a reason: control bytes become '?',
 * long text is cut at RG_CONSCHECK_QUOTE_MAX with "...". Returns buf. */
const char *rg_conscheck_quote(const char *s, char *buf, size_t len);

/*
 * Go-typed reads. Each returns 0 (absent and null read as the zero value),
 * or -1 through rg_conscheck_malformed() when v has another JSON type.
 */
int rg_conscheck_bool(struct rg_conscheck *k, const json_t *v, const char *field, bool *out);
int rg_conscheck_string(struct rg_conscheck *k, const json_t *v, const char *field,
		const char **out);
/* An object (or absent/null: *out = NULL). */
int rg_conscheck_object(struct rg_conscheck *k, const json_t *v, const char *field,
		const json_t **out);

/*
 * A list of strings as dockerd reads it: a JSON array of strings, or a lone
 * string (moby's strslice, used by CapAdd, counts it as a list of one; for
 * other fields dockerd refuses it, so counting it is only stricter). Returns
 * the number of elements (0 for absent/null), or -1 when malformed. Read
 * element i with rg_conscheck_str_at().
 */
long rg_conscheck_strings(struct rg_conscheck *k, const json_t *v, const char *field);
const char *rg_conscheck_str_at(const json_t *v, size_t i);

/* privileged: HostConfig.Privileged, exec's Privileged (field names the key
 * for messages; phrase is the reason when it is true). */
int rg_conscheck_privileged(struct rg_conscheck *k, const json_t *obj, const char *field,
		const char *phrase);

/* host_namespaces: NetworkMode, PidMode, IpcMode, UTSMode, UsernsMode,
 * CgroupnsMode of a HostConfig; prefix ("HostConfig.") names it. */
int rg_conscheck_namespaces(struct rg_conscheck *k, const json_t *hc, const char *prefix);

/* host_namespaces: a network named "host" joined by name (container
 * create's EndpointsConfig keys, a service's Networks[].Target). */
int rg_conscheck_network_name(struct rg_conscheck *k, const char *network, const char *field);

/* capabilities: each entry of a cap-add list (with or without CAP_, any
 * case, Go's upper-casing of 'ſ' and 'ı' included) must be listed. verb
 * starts the reason: "add capability" gives "add capability SYS_ADMIN
 * (allowed: ...)". */
int rg_conscheck_capabilities(struct rg_conscheck *k, const json_t *list, const char *field,
		const char *verb);

/* Go's strings.ToUpper of in, as far as it yields ASCII (U+017F 'ſ' is 'S',
 * U+0131 'ı' is 'I'): how dockerd reads capability and ulimit names.
 * -1 when out is too small. */
int rg_conscheck_go_upper(const char *in, char *out, size_t outlen);

/* The same for one capability name. */
int rg_conscheck_capability(struct rg_conscheck *k, const char *cap, const char *verb);

/* devices: Devices, DeviceCgroupRules, DeviceRequests of a HostConfig or
 * of a container update. */
int rg_conscheck_devices(struct rg_conscheck *k, const json_t *hc, const char *prefix);

/* unconfined: SecurityOpt, MaskedPaths, ReadonlyPaths of a HostConfig. */
int rg_conscheck_unconfined(struct rg_conscheck *k, const json_t *hc, const char *prefix);

/* unconfined: a swarm ContainerSpec.Privileges object. */
int rg_conscheck_swarm_privileges(struct rg_conscheck *k, const json_t *privs);

/* require_limits on container create: hc (may be NULL) must set every
 * required limit: Memory > 0, PidsLimit > 0, NanoCpus, CpuQuota or
 * CpuShares > 0. */
int rg_conscheck_limits_create(struct rg_conscheck *k, const json_t *hc);

/* require_limits on container update: no required limit may be removed
 * (Memory < 0, PidsLimit <= 0, a negative CPU setting). An update that does
 * not mention a limit keeps it, and passes. */
int rg_conscheck_limits_update(struct rg_conscheck *k, const json_t *body);

/* require_limits on a swarm service: TaskTemplate.Resources.Limits. */
int rg_conscheck_limits_service(struct rg_conscheck *k, const json_t *limits);

/* registries: the image reference ref, named in words by verb ("use image",
 * "pull image"). An empty reference, an image id, or an invalid reference
 * is denied: its registry cannot be known. */
int rg_conscheck_image(struct rg_conscheck *k, const char *ref, const char *verb);

/* registries: the parsed img lies under one of the entries, else a deny
 * "VERB QUOTED (allowed registries: ...)". The caller checks has_registries. */
int rg_conscheck_image_registry(struct rg_conscheck *k, const struct rg_imageref *img,
		const char *verb, const char *quoted);

/*
 * registries: a registry host dockerd will contact for the request (login's
 * serveraddress, a search term's index): "" and Docker Hub's names are
 * docker.io. Allowed when it is the host of a registries entry.
 */
int rg_conscheck_registry_host(struct rg_conscheck *k, const char *host, const char *verb);

/* The registry host of a search term or a login address, written into
 * out: the part before the first '/' when it names a host ('.', ':' or
 * "localhost"), after any scheme; else "docker.io". */
void rg_conscheck_registry_of(const char *s, bool address, char *out, size_t outlen);

/* exec_user: the User of an exec ("" is the image's default user, which
 * may be root, and counts as root). */
int rg_conscheck_exec_user(struct rg_conscheck *k, const char *user);

#endif
