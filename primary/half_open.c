/*
 * half_open.c: the table of half-open handshakes (half_open.h). Like the
 * flow table, a hash in which as many entries as it was made for really
 * fit (mn_flow_key_hash_create), whose positions double as the indices of
 * the entry array.
 */
#include <string.h>
#include <stdlib.h>

#include "half_open.h"

int
mn_half_open_init(struct mn_half_open_table *t, const char *name,
		  uint32_t capacity)
{
	uint32_t i;

	memset(t, 0, sizeof(*t));
	t->capacity = capacity;
	t->hash = mn_flow_key_hash_create(name, capacity);
	t->entries = calloc(capacity, sizeof(*t->entries));
	t->live = calloc(capacity, sizeof(*t->live));
	if (t->hash == NULL || t->entries == NULL || t->live == NULL) {
		mn_half_open_free(t);
		return -1;
	}
	/* The hash hands out positions in turn, so over time every entry is
	 * used: touched here, they do not make machnetd's RSS creep up with
	 * each handshake. */
	for (i = 0; i < capacity; i++)
		t->entries[i].live_pos = t->live[i] = UINT32_MAX;
	return 0;
}

void
mn_half_open_free(struct mn_half_open_table *t)
{
	rte_hash_free(t->hash);
	free(t->entries);
	free(t->live);
	memset(t, 0, sizeof(*t));
}

struct mn_half_open *
mn_half_open_find(struct mn_half_open_table *t, const struct mn_flow_key *key)
{
	int pos = rte_hash_lookup(t->hash, key);

	return pos >= 0 ? &t->entries[pos] : NULL;
}

struct mn_half_open *
mn_half_open_add(struct mn_half_open_table *t, const struct mn_flow_key *key)
{
	struct mn_half_open *h;
	int pos;

	if (t->count >= t->capacity)
		return NULL;
	pos = rte_hash_add_key(t->hash, key);
	if (pos < 0 || (uint32_t)pos >= t->capacity) {
		if (pos >= 0)
			rte_hash_del_key(t->hash, key);
		return NULL;
	}
	h = &t->entries[pos];
	memset(h, 0, sizeof(*h));
	h->key = *key;
	h->live_pos = t->count;
	t->live[t->count++] = (uint32_t)pos;
	return h;
}

void
mn_half_open_remove(struct mn_half_open_table *t, struct mn_half_open *h)
{
	uint32_t last = t->live[--t->count];

	rte_hash_del_key(t->hash, &h->key);
	t->live[h->live_pos] = last;
	t->entries[last].live_pos = h->live_pos;
}
