#ifndef ROLEGATE_NAMEINDEX_H
#define ROLEGATE_NAMEINDEX_H

/*
 * Names to lists of indices, for a policy of any size (100 000 users, 10 000
 * roles): a hash table, built once while the policy loads and only read
 * after, so that loading stays linear in the size of the configuration and
 * a decision does not walk every user or role. Names are borrowed: they
 * must outlive the index (they belong to the policy).
 */

#include <stdbool.h>
#include <stddef.h>

struct rg_name_slot {
	const char *name;          /* NULL = empty slot */
	size_t *idx;               /* ascending when added in ascending order */
	size_t n;
};

struct rg_name_index {
	struct rg_name_slot *slots;
	size_t cap;                /* a power of two, or 0 */
	size_t used;
};

/*
 * Adds index i under name (a name already present gets i appended, unless
 * it is the last one there). Returns 0, or -1 when out of memory.
 */
int rg_name_index_add(struct rg_name_index *ix, const char *name, size_t i);

/* The indices under name, or NULL. */
const struct rg_name_slot *rg_name_index_get(const struct rg_name_index *ix, const char *name);

/* Frees the table (not the names). NULL-safe; leaves ix empty. */
void rg_name_index_free(struct rg_name_index *ix);

#endif
