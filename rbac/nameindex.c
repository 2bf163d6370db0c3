/* Names to lists of indices (rolegate/nameindex.h): open addressing, linear probing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rolegate/nameindex.h"

static uint64_t hash_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;   /* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	/* FNV's low bits cluster for names that differ only at the end
	 * ("user000001", "user000002"...): mix before masking (MurmurHash3 fmix64) */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static struct rg_name_slot *find(struct rg_name_slot *slots, size_t cap, const char *name)
{
	size_t i = (size_t)hash_of(name) & (cap - 1);

	while (slots[i].name != NULL && strcmp(slots[i].name, name) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Doubles the table (or makes the first one). */
static int grow(struct rg_name_index *ix)
{
	size_t cap = ix->cap == 0 ? 64 : ix->cap * 2;
	struct rg_name_slot *slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < ix->cap; i++) {
		if (ix->slots[i].name != NULL)
			*find(slots, cap, ix->slots[i].name) = ix->slots[i];
	}
	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	return 0;
}

int rg_name_index_add(struct rg_name_index *ix, const char *name, size_t i)
{
	struct rg_name_slot *s;
	size_t *v;

	if ((ix->used + 1) * 2 > ix->cap && grow(ix) < 0)
		return -1;
	s = find(ix->slots, ix->cap, name);
	if (s->name != NULL && s->n > 0 && s->idx[s->n - 1] == i)
		return 0;
	/* capacity doubles at powers of two: amortized constant */
	if ((s->n & (s->n - 1)) == 0) {
		v = realloc(s->idx, (s->n == 0 ? 1 : s->n * 2) * sizeof(*v));
		if (v == NULL)
			return -1;
		s->idx = v;
	}
	if (s->name == NULL) {
		s->name = name;
		ix->used++;
	}
	s->idx[s->n++] = i;
	return 0;
}

const struct rg_name_slot *rg_name_index_get(const struct rg_name_index *ix, const char *name)
{
	const struct rg_name_slot *s;

	if (ix->cap == 0)
		return NULL;
	s = find(ix->slots, ix->cap, name);
	return s->name != NULL ? s : NULL;
}

void rg_name_index_free(struct rg_name_index *ix)
{
	if (ix == NULL)
		return;
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->slots[i].idx);
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}
