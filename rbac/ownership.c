/*
 * The ownership model (ownership.h): records of the objects rolegate saw
 * created, kept in three chained hash tables per kind (by id, by name, by
 * the first RG_OWNERS_MIN_PREFIX characters of the id), so that resolving a
 * reference costs the same with 100 objects as with 100 000.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/ownership.h"

enum table { T_ID, T_NAME, T_PREFIX, T_COUNT };

struct table_s {
	struct rg_object **b;
	size_t nb;      /* a power of two */
};

struct kind_s {
	struct table_s t[T_COUNT];
	size_t n;
};

struct rg_owners {
	struct kind_s k[RG_OBJ_KINDS];
	size_t n, cap;
};

static const char *const kind_names[RG_OBJ_KINDS] = { "container", "exec", "volume", "network",
	"service", "secret", "config" };

const char *rg_obj_kind_name(enum rg_obj_kind k)
{
	return (unsigned)k < RG_OBJ_KINDS ? kind_names[k] : "?";
}

int rg_obj_kind_parse(const char *s)
{
	for (int i = 0; i < RG_OBJ_KINDS; i++) {
		if (strcmp(kind_names[i], s) == 0)
			return i;
	}
	return -1;
}

/* FNV-1a over at most len bytes (SIZE_MAX = the whole string). */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len && s[i] != '\0'; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct rg_object **link_of(struct rg_object *obj, enum table t)
{
	switch (t) {
	case T_ID: return &obj->next_id;
	case T_NAME: return &obj->next_name;
	default: return &obj->next_prefix;
	}
}

/* Containers and networks are also found by an id prefix. */
static bool by_prefix(enum rg_obj_kind k)
{
	return k == RG_OBJ_CONTAINER || k == RG_OBJ_NETWORK;
}

static uint64_t key_of(const struct rg_object *obj, enum table t)
{
	switch (t) {
	case T_ID: return hash(obj->id, SIZE_MAX);
	case T_NAME: return hash(obj->name, SIZE_MAX);
	default: return hash(obj->id, RG_OWNERS_MIN_PREFIX);
	}
}

static bool indexed(const struct rg_object *obj, enum table t)
{
	if (t == T_NAME)
		return obj->name[0] != '\0';
	if (t == T_PREFIX)
		return by_prefix(obj->kind);
	return true;
}

static void tbl_insert(struct table_s *tb, struct rg_object *obj, enum table t)
{
	size_t i = key_of(obj, t) & (tb->nb - 1);

	*link_of(obj, t) = tb->b[i];
	tb->b[i] = obj;
}

static void tbl_remove(struct table_s *tb, struct rg_object *obj, enum table t)
{
	struct rg_object **pp = &tb->b[key_of(obj, t) & (tb->nb - 1)];

	while (*pp != NULL && *pp != obj)
		pp = link_of(*pp, t);
	if (*pp == obj)
		*pp = *link_of(obj, t);
	*link_of(obj, t) = NULL;
}

/* Doubles every table of kind k once it holds as many records as buckets. */
static int grow(struct kind_s *ks)
{
	for (int t = 0; t < T_COUNT; t++) {
		struct table_s *tb = &ks->t[t];
		struct rg_object **old = tb->b;
		size_t oldn = tb->nb, nb = oldn == 0 ? 64 : oldn * 2;
		struct rg_object **b;

		if (ks->n < oldn)
			continue;
		b = calloc(nb, sizeof(*b));
		if (b == NULL)
			return -1;
		tb->b = b;
		tb->nb = nb;
		for (size_t i = 0; i < oldn; i++) {
			struct rg_object *obj = old[i], *next;

			for (; obj != NULL; obj = next) {
				next = *link_of(obj, (enum table)t);
				tbl_insert(tb, obj, (enum table)t);
			}
		}
		free(old);
	}
	return 0;
}

struct rg_owners *rg_owners_new(size_t cap)
{
	struct rg_owners *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->cap = cap == 0 ? RG_OWNERS_CAP : cap;
	for (int k = 0; k < RG_OBJ_KINDS; k++) {
		if (grow(&o->k[k]) < 0) {
			rg_owners_free(o);
			return NULL;
		}
	}
	return o;
}

static void object_free(struct rg_object *obj)
{
	if (obj == NULL)
		return;
	free(obj->id);
	free(obj->name);
	free(obj->user);
	free(obj->role);
	free(obj->container);
	free(obj->driver);
	free(obj->settings);
	rg_strv_free(&obj->binds);
	rg_strv_free(&obj->host_paths);
	rg_strv_free(&obj->volumes);
	rg_strv_free(&obj->opts);
	free(obj);
}

void rg_owners_free(struct rg_owners *o)
{
	if (o == NULL)
		return;
	for (int k = 0; k < RG_OBJ_KINDS; k++) {
		struct table_s *tb = &o->k[k].t[T_ID];

		for (size_t i = 0; i < tb->nb; i++) {
			struct rg_object *obj = tb->b[i], *next;

			for (; obj != NULL; obj = next) {
				next = obj->next_id;
				object_free(obj);
			}
		}
		for (int t = 0; t < T_COUNT; t++)
			free(o->k[k].t[t].b);
	}
	free(o);
}

size_t rg_owners_count(const struct rg_owners *o)
{
	return o->n;
}

void rg_owners_foreach(const struct rg_owners *o, void (*fn)(const struct rg_object *obj, void *arg),
		void *arg)
{
	for (int k = 0; k < RG_OBJ_KINDS; k++) {
		const struct table_s *tb = &o->k[k].t[T_ID];

		for (size_t i = 0; i < tb->nb; i++) {
			for (const struct rg_object *obj = tb->b[i]; obj != NULL; obj = obj->next_id)
				fn(obj, arg);
		}
	}
}

static struct rg_object *find_id(const struct rg_owners *o, enum rg_obj_kind k, const char *id)
{
	const struct table_s *tb = &o->k[k].t[T_ID];
	struct rg_object *obj = tb->b[hash(id, SIZE_MAX) & (tb->nb - 1)];

	for (; obj != NULL; obj = obj->next_id) {
		if (strcmp(obj->id, id) == 0)
			return obj;
	}
	return NULL;
}

static struct rg_object *find_name(const struct rg_owners *o, enum rg_obj_kind k, const char *name)
{
	const struct table_s *tb = &o->k[k].t[T_NAME];
	struct rg_object *obj;

	if (name[0] == '\0')
		return NULL;
	obj = tb->b[hash(name, SIZE_MAX) & (tb->nb - 1)];
	for (; obj != NULL; obj = obj->next_name) {
		if (strcmp(obj->name, name) == 0)
			return obj;
	}
	return NULL;
}

static void unlink_obj(struct rg_owners *o, struct rg_object *obj)
{
	struct kind_s *ks = &o->k[obj->kind];

	for (int t = 0; t < T_COUNT; t++) {
		if (indexed(obj, (enum table)t))
			tbl_remove(&ks->t[t], obj, (enum table)t);
	}
	ks->n--;
	o->n--;
}

static void link_obj(struct rg_owners *o, struct rg_object *obj)
{
	struct kind_s *ks = &o->k[obj->kind];

	for (int t = 0; t < T_COUNT; t++) {
		if (indexed(obj, (enum table)t))
			tbl_insert(&ks->t[t], obj, (enum table)t);
	}
	ks->n++;
	o->n++;
}

/* Takes name away from the record holding it, if any (it keeps its id). */
static int drop_name(struct rg_owners *o, enum rg_obj_kind k, const char *name)
{
	struct rg_object *holder = find_name(o, k, name);
	char *empty;

	if (holder == NULL)
		return 0;
	empty = strdup("");
	if (empty == NULL)
		return -1;
	tbl_remove(&o->k[k].t[T_NAME], holder, T_NAME);
	free(holder->name);
	holder->name = empty;
	return 0;
}

static bool field_ok(const char *s, bool required)
{
	if (s == NULL)
		return !required;
	return strlen(s) <= RG_OWNERS_FIELD_MAX && (!required || s[0] != '\0');
}

static bool list_ok(const struct rg_strv *l)
{
	if (l == NULL)
		return true;
	if (l->n > RG_OWNERS_LIST_MAX)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		if (!field_ok(l->v[i], false))
			return false;
	}
	return true;
}

static int copy_list(struct rg_strv *dst, const struct rg_strv *src)
{
	for (size_t i = 0; src != NULL && i < src->n; i++) {
		if (rg_strv_push(dst, src->v[i]) < 0)
			return -1;
	}
	return 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static struct rg_object *object_new(const struct rg_owner_event *ev)
{
	struct rg_object *obj = calloc(1, sizeof(*obj));

	if (obj == NULL)
		return NULL;
	obj->kind = ev->kind;
	obj->created = ev->created;
	obj->used = ev->used > ev->created ? ev->used : ev->created;
	obj->id = dup_or_empty(ev->id);
	obj->name = dup_or_empty(ev->name);
	obj->user = dup_or_empty(ev->user);
	obj->role = dup_or_empty(ev->role);
	obj->container = dup_or_empty(ev->container);
	obj->driver = dup_or_empty(ev->driver);
	/* most records have none: no allocation for them */
	obj->settings = ev->settings != NULL && ev->settings[0] != '\0' ? strdup(ev->settings) : NULL;
	if (obj->id == NULL || obj->name == NULL || obj->user == NULL || obj->role == NULL ||
	    obj->container == NULL || obj->driver == NULL ||
	    (obj->settings == NULL && ev->settings != NULL && ev->settings[0] != '\0') ||
	    copy_list(&obj->binds, ev->binds) < 0 || copy_list(&obj->host_paths, ev->host_paths) < 0 ||
	    copy_list(&obj->volumes, ev->volumes) < 0 || copy_list(&obj->opts, ev->opts) < 0) {
		object_free(obj);
		return NULL;
	}
	return obj;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Removes every record for which keep() says no. Returns how many. */
static size_t sweep(struct rg_owners *o, bool (*keep)(const struct rg_object *, void *), void *arg)
{
	size_t dropped = 0;

	for (int k = 0; k < RG_OBJ_KINDS; k++) {
		struct table_s *tb = &o->k[k].t[T_ID];

		for (size_t i = 0; i < tb->nb; i++) {
			struct rg_object *obj = tb->b[i], *next;

			for (; obj != NULL; obj = next) {
				next = obj->next_id;
				if (keep(obj, arg))
					continue;
				unlink_obj(o, obj);
				object_free(obj);
				dropped++;
			}
		}
	}
	return dropped;
}

static long long used_of(const struct rg_object *obj)
{
	return __atomic_load_n(&obj->used, __ATOMIC_RELAXED);
}

static bool used_after(const struct rg_object *obj, void *arg)
{
	return used_of(obj) > *(long long *)arg;
}

struct evict_arg {
	long long threshold;
	size_t left;     /* how many more may go (ties at the threshold) */
};

static bool evict_keep(const struct rg_object *obj, void *arg)
{
	struct evict_arg *e = arg;

	if (e->left == 0 || used_of(obj) > e->threshold)
		return true;
	e->left--;
	return false;
}

/*
 * At the cap, drops the least recently used 1 % (at least one): the scan is
 * O(n), so it runs once per n/100 creates, not on every one. An evicted
 * object is unowned: restricted roles lose it, never gain it.
 */
static int evict(struct rg_owners *o)
{
	long long *used = malloc(o->n * sizeof(*used));
	size_t n = 0, drop = o->n / 100 + 1;
	struct evict_arg e;

	if (used == NULL)
		return -1;
	for (int k = 0; k < RG_OBJ_KINDS; k++) {
		const struct table_s *tb = &o->k[k].t[T_ID];

		for (size_t i = 0; i < tb->nb; i++) {
			for (const struct rg_object *obj = tb->b[i]; obj != NULL; obj = obj->next_id)
				used[n++] = used_of(obj);
		}
	}
	qsort(used, n, sizeof(*used), cmp_ll);
	/* The drop oldest go; of the ties at the threshold, only as many as needed. */
	e.threshold = used[drop < n ? drop - 1 : n - 1];
	e.left = drop;
	sweep(o, evict_keep, &e);
	free(used);
	return 0;
}

size_t rg_owners_expire(struct rg_owners *o, long long now)
{
	long long before = now - RG_OWNERS_EXPIRY;

	return sweep(o, used_after, &before);
}

/*
 * A container's exec sessions go with it (dockerd forgets them). A scan of
 * the execs, on removals only: execs are few, and expire.
 */
static void drop_execs_of(struct rg_owners *o, const char *container)
{
	struct table_s *tb = &o->k[RG_OBJ_EXEC].t[T_ID];

	for (size_t i = 0; i < tb->nb; i++) {
		struct rg_object *obj = tb->b[i], *next;

		for (; obj != NULL; obj = next) {
			next = obj->next_id;
			if (strcmp(obj->container, container) == 0) {
				unlink_obj(o, obj);
				object_free(obj);
			}
		}
	}
}

static int apply_create(struct rg_owners *o, const struct rg_owner_event *ev)
{
	struct rg_object *obj, *old;

	if (!field_ok(ev->user, true) || !field_ok(ev->role, false) || !field_ok(ev->container, false) ||
	    !field_ok(ev->driver, false) || !list_ok(ev->binds) || !list_ok(ev->host_paths) ||
	    !list_ok(ev->volumes) || !list_ok(ev->opts) ||
	    (ev->settings != NULL && strlen(ev->settings) > RG_OWNERS_SETTINGS_MAX))
		return -1;
	if ((obj = object_new(ev)) == NULL)
		return -1;
	if (grow(&o->k[ev->kind]) < 0 ||
	    (obj->name[0] != '\0' && drop_name(o, ev->kind, obj->name) < 0)) {
		object_free(obj);
		return -1;
	}
	if ((old = find_id(o, ev->kind, ev->id)) != NULL) {
		unlink_obj(o, old);
		object_free(old);
	}
	if (o->n >= o->cap && evict(o) < 0) {
		object_free(obj);
		return -1;
	}
	link_obj(o, obj);
	return 0;
}

static int apply_rename(struct rg_owners *o, const struct rg_owner_event *ev)
{
	struct rg_object *obj = find_id(o, ev->kind, ev->id);
	char *name;

	/* An unknown object took the name: whoever held it holds it no more. */
	if (obj == NULL)
		return ev->name != NULL && ev->name[0] != '\0' ? drop_name(o, ev->kind, ev->name) : 0;
	if ((name = dup_or_empty(ev->name)) == NULL)
		return -1;
	if (name[0] != '\0' && strcmp(obj->name, name) != 0 && drop_name(o, ev->kind, name) < 0) {
		free(name);
		return -1;
	}
	if (obj->name[0] != '\0')
		tbl_remove(&o->k[ev->kind].t[T_NAME], obj, T_NAME);
	free(obj->name);
	obj->name = name;
	if (name[0] != '\0')
		tbl_insert(&o->k[ev->kind].t[T_NAME], obj, T_NAME);
	return 0;
}

void rg_owners_forget_name(struct rg_owners *o, enum rg_obj_kind k, const char *name)
{
	struct rg_object *holder;

	if (o == NULL || (unsigned)k >= RG_OBJ_KINDS || name == NULL || name[0] == '\0' ||
	    (holder = find_name(o, k, name)) == NULL)
		return;
	if (drop_name(o, k, name) == 0)
		return;
	/* Out of memory: the whole record goes (toward unowned), execs with a container. */
	if (k == RG_OBJ_CONTAINER)
		drop_execs_of(o, holder->id);
	unlink_obj(o, holder);
	object_free(holder);
}

int rg_owners_apply(struct rg_owners *o, const struct rg_owner_event *ev)
{
	struct rg_object *obj;

	if ((unsigned)ev->kind >= RG_OBJ_KINDS || !field_ok(ev->id, true) || !field_ok(ev->name, false))
		return -1;
	switch (ev->op) {
	case RG_EV_CREATE:
		return apply_create(o, ev);
	case RG_EV_RENAME:
		return apply_rename(o, ev);
	case RG_EV_REMOVE:
		/* execs first: ev->id may be the record's own id, freed below */
		if (ev->kind == RG_OBJ_CONTAINER)
			drop_execs_of(o, ev->id);
		if ((obj = find_id(o, ev->kind, ev->id)) != NULL) {
			unlink_obj(o, obj);
			object_free(obj);
		}
		return 0;
	}
	return -1;
}

static bool is_full_id(const char *ref)
{
	return strlen(ref) == 64 && strspn(ref, "0123456789abcdef") == 64;
}

/* A unique record whose id starts with ref (len >= RG_OWNERS_MIN_PREFIX), by the prefix table. */
static enum rg_resolve find_prefix(const struct rg_owners *o, enum rg_obj_kind k, const char *ref,
		const struct rg_object **out)
{
	const struct table_s *tb = &o->k[k].t[T_PREFIX];
	size_t len = strlen(ref);
	const struct rg_object *obj = tb->b[hash(ref, RG_OWNERS_MIN_PREFIX) & (tb->nb - 1)];

	*out = NULL;
	for (; obj != NULL; obj = obj->next_prefix) {
		if (strncmp(obj->id, ref, len) != 0)
			continue;
		if (*out != NULL)
			return RG_AMBIGUOUS;
		*out = obj;
	}
	return *out != NULL ? RG_RESOLVED : RG_UNKNOWN;
}

/* The same for a short prefix, by a scan (only roles without owner get here). */
static enum rg_resolve scan_prefix(const struct rg_owners *o, enum rg_obj_kind k, const char *ref,
		const struct rg_object **out)
{
	const struct table_s *tb = &o->k[k].t[T_ID];
	size_t len = strlen(ref);

	*out = NULL;
	for (size_t i = 0; i < tb->nb; i++) {
		for (const struct rg_object *obj = tb->b[i]; obj != NULL; obj = obj->next_id) {
			if (strncmp(obj->id, ref, len) != 0)
				continue;
			if (*out != NULL)
				return RG_AMBIGUOUS;
			*out = obj;
		}
	}
	return *out != NULL ? RG_RESOLVED : RG_UNKNOWN;
}

enum rg_resolve rg_owners_resolve(const struct rg_owners *o, enum rg_obj_kind k, const char *ref,
		size_t min_prefix, long long now, const struct rg_object **out)
{
	const struct rg_object *obj = NULL;
	enum rg_resolve r = RG_UNKNOWN;

	*out = NULL;
	if (o == NULL || (unsigned)k >= RG_OBJ_KINDS || ref == NULL || ref[0] == '\0')
		return RG_UNKNOWN;
	if ((obj = find_id(o, k, ref)) != NULL) {
		r = RG_RESOLVED;
	} else if (is_full_id(ref)) {
		return RG_UNKNOWN;
	} else if ((obj = find_name(o, k, k == RG_OBJ_CONTAINER && ref[0] == '/' ? ref + 1 : ref)) != NULL) {
		r = RG_RESOLVED;
	} else if (!by_prefix(k) || strspn(ref, "0123456789abcdef") != strlen(ref)) {
		return RG_UNKNOWN;
	} else if (strlen(ref) < min_prefix) {
		return RG_SHORT_PREFIX;
	} else if (strlen(ref) >= RG_OWNERS_MIN_PREFIX) {
		r = find_prefix(o, k, ref, &obj);
	} else {
		r = scan_prefix(o, k, ref, &obj);
	}
	if (r != RG_RESOLVED)
		return r;
	if (now > 0)
		__atomic_store_n(&((struct rg_object *)obj)->used, now, __ATOMIC_RELAXED);
	*out = obj;
	return RG_RESOLVED;
}

struct copy_arg {
	struct rg_owners *dst;
	int err;
};

static void copy_one(const struct rg_object *obj, void *arg)
{
	struct copy_arg *c = arg;
	struct rg_owner_event ev = {
		.op = RG_EV_CREATE, .kind = obj->kind, .id = obj->id, .name = obj->name,
		.user = obj->user, .role = obj->role, .created = obj->created, .used = used_of(obj),
		.binds = &obj->binds, .host_paths = &obj->host_paths, .volumes = &obj->volumes,
		.opts = &obj->opts, .container = obj->container, .driver = obj->driver,
		.settings = obj->settings,
	};

	if (c->err == 0 && rg_owners_apply(c->dst, &ev) < 0)
		c->err = -1;
}

struct rg_owners *rg_owners_copy(const struct rg_owners *o)
{
	struct copy_arg c = { .dst = rg_owners_new(o->cap), .err = 0 };

	if (c.dst == NULL)
		return NULL;
	rg_owners_foreach(o, copy_one, &c);
	if (c.err < 0) {
		rg_owners_free(c.dst);
		return NULL;
	}
	return c.dst;
}
