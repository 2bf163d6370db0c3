#ifndef ROLEGATE_OWNERSHIP_H
#define ROLEGATE_OWNERSHIP_H

/*
 * Ownership (SPEC.md §4): the objects rolegate saw created (containers,
 * execs, volumes, networks), who created them under which role, and what
 * they mount from the host. A pure model: events in (rg_owners_apply),
 * references resolved the way dockerd resolves them (rg_owners_resolve).
 * No I/O, no locks, no clock: the daemon (plugin/state.c) persists the
 * events, serializes writers and passes the time in.
 *
 * Lookups are O(1): per kind, one hash table by id, one by name, and one by
 * the first RG_OWNERS_MIN_PREFIX characters of the id (for id prefixes).
 */

#include <stdbool.h>
#include <stddef.h>

#include "rolegate/strv.h"

#define RG_OWNERS_MIN_PREFIX 12            /* shortest id prefix resolved under owner */
#define RG_OWNERS_EXPIRY (30LL * 24 * 3600) /* seconds unused before a record expires */
#define RG_OWNERS_CAP 250000               /* records kept; the least recently used go first */
#define RG_OWNERS_FIELD_MAX 4096           /* longest id, name, user, path in a record */
#define RG_OWNERS_LIST_MAX 256             /* most paths, volumes or options in a record */
#define RG_OWNERS_SETTINGS_MAX 65536       /* longest settings text (consinside.h) */

enum rg_obj_kind {
	RG_OBJ_CONTAINER,
	RG_OBJ_EXEC,
	RG_OBJ_VOLUME,
	RG_OBJ_NETWORK,
	RG_OBJ_SERVICE,            /* swarm services: by full id or exact name, never a prefix */
	RG_OBJ_SECRET,             /* swarm secrets and configs: as services (red team round 11) */
	RG_OBJ_CONFIG,
	RG_OBJ_KINDS,
};

/* One tracked object. Read through rg_owners_resolve(); never change it. */
struct rg_object {
	enum rg_obj_kind kind;
	char *id;                  /* volumes: the name */
	char *name;                /* "" for execs and for a name another create took */
	char *user;                /* who created it */
	char *role;                /* the role that allowed the create ("" when unknown) */
	long long created;         /* Unix seconds */
	long long used;            /* last resolved (relaxed atomic) */
	struct rg_strv binds;      /* container: host paths as the create named them (cleaned) */
	struct rg_strv host_paths; /* container: the same, resolved at create; volume: what it mounts */
	struct rg_strv volumes;    /* container: named volumes it uses */
	char *container;           /* exec: the container's id (or the reference, if untracked) */
	char *driver;              /* volume: the driver ("" = local) */
	struct rg_strv opts;       /* volume: driver options, "key=value" */
	char *settings;            /* container, exec: what its create asked of the host
	                            * (consinside.h), JSON text; NULL = not known */
	/* internal */
	struct rg_object *next_id, *next_name, *next_prefix;
};

struct rg_owners;

/* A change dockerd confirmed (a 2xx AuthZRes), or a record read back from disk. */
enum rg_event_op {
	RG_EV_CREATE,   /* a new object (replaces a record with the same id) */
	RG_EV_RENAME,   /* id gets name (the name leaves any other record) */
	RG_EV_REMOVE,   /* id is gone (a container with its exec sessions) */
};

struct rg_owner_event {
	enum rg_event_op op;
	enum rg_obj_kind kind;
	const char *id;
	const char *name;                  /* create, rename; NULL = "" */
	const char *user, *role;           /* create */
	long long created, used;           /* create; used 0 = created */
	const struct rg_strv *binds, *host_paths, *volumes, *opts;  /* create, may be NULL */
	const char *container, *driver;    /* create, may be NULL */
	const char *settings;              /* create, may be NULL (= not known) */
};

/* An empty model holding at most cap records (0 = RG_OWNERS_CAP). NULL when out of memory. */
struct rg_owners *rg_owners_new(size_t cap);

/* Frees the model and every record. NULL-safe. */
void rg_owners_free(struct rg_owners *o);

/* A deep copy (explain --state works on a copy). NULL when out of memory. */
struct rg_owners *rg_owners_copy(const struct rg_owners *o);

/*
 * Applies ev. A create over the cap first evicts the least recently used
 * records (they become unowned). Returns 0, or -1 when ev is malformed (an
 * empty id or user, a field over RG_OWNERS_FIELD_MAX) or memory ran out;
 * the model is then unchanged. A rename or remove of an unknown id is 0
 * and changes nothing.
 */
int rg_owners_apply(struct rg_owners *o, const struct rg_owner_event *ev);

/*
 * Takes name away from the record of kind k holding it, if any (it keeps
 * its id; out of memory, the record goes whole). For a create dockerd
 * confirmed that could not be recorded: the name is the new object's now,
 * and must not resolve to the old record (SPEC.md §4).
 */
void rg_owners_forget_name(struct rg_owners *o, enum rg_obj_kind k, const char *name);

/* Drops the records not used since now - RG_OWNERS_EXPIRY. Returns how many. */
size_t rg_owners_expire(struct rg_owners *o, long long now);

/* Number of records. */
size_t rg_owners_count(const struct rg_owners *o);

/* Calls fn for every record, kinds in order, in no particular order within one. */
void rg_owners_foreach(const struct rg_owners *o, void (*fn)(const struct rg_object *obj, void *arg),
		void *arg);

enum rg_resolve {
	RG_RESOLVED,     /* *out is the object */
	RG_UNKNOWN,      /* rolegate has no record it could be (it may exist untracked) */
	RG_AMBIGUOUS,    /* an id prefix matching several records */
	RG_SHORT_PREFIX, /* no full id or name; too short to be taken as an id prefix */
};

/*
 * Resolves ref as dockerd does for kind: the full id, then the exact name
 * (a container's with or without its leading '/'), then a unique id prefix
 * (containers and networks; execs and volumes by id only). A prefix shorter
 * than min_prefix is RG_SHORT_PREFIX (it could be the exact name of an
 * object rolegate does not know); min_prefix 0 looks such prefixes up too,
 * by a scan. A 64-hex ref that is no tracked id is RG_UNKNOWN even when a
 * record has it as its name (dockerd would take it as an id first). When
 * now > 0 the object's last use becomes now.
 */
enum rg_resolve rg_owners_resolve(const struct rg_owners *o, enum rg_obj_kind kind, const char *ref,
		size_t min_prefix, long long now, const struct rg_object **out);

/* "container", "exec", "volume", "network"; rg_obj_kind_parse: -1 if none. */
const char *rg_obj_kind_name(enum rg_obj_kind k);
int rg_obj_kind_parse(const char *s);

#endif
