/*
 * flowset.c: a growing open-addressing hash set of flow tuples.
 *
 * Each entry also keeps what send needs of its flow: where machnetd keeps
 * it and how many segments were queued on it.
 *
 * Deletion shifts later entries of a probe run back instead of leaving
 * tombstones, so lookups never slow down after many connects and closes.
 */
#include <errno.h>
#include <stdlib.h>

#include "flowset.h"

#define FLOWSET_INIT_CAP 16u

/* splitmix64's finaliser: every input bit reaches the low bits used. */
static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t
flow_hash(const struct mn_flow_tuple *f)
{
	uint64_t ips = (uint64_t)f->src_ip << 32 | f->dst_ip;
	uint64_t ports = (uint64_t)f->src_port << 16 | f->dst_port;

	return (uint32_t)mix64(ips ^ mix64(ports));
}

static bool
flow_eq(const struct mn_flow_tuple *a, const struct mn_flow_tuple *b)
{
	return a->src_ip == b->src_ip && a->dst_ip == b->dst_ip &&
	       a->src_port == b->src_port && a->dst_port == b->dst_port;
}

/* The slot holding f, or the empty slot that ends its probe run. */
static uint32_t
probe(const struct mnl_flowset *fs, const struct mn_flow_tuple *f)
{
	uint32_t i = flow_hash(f) & fs->mask;

	while (fs->slots[i].used && !flow_eq(&fs->slots[i].flow, f))
		i = (i + 1) & fs->mask;
	return i;
}

static int
alloc_slots(struct mnl_flowset *fs, uint32_t cap)
{
	fs->slots = calloc(cap, sizeof(*fs->slots));
	if (fs->slots == NULL) {
		errno = ENOMEM;
		return -1;
	}
	fs->mask = cap - 1;
	return 0;
}

int
mnl_flowset_init(struct mnl_flowset *fs)
{
	fs->count = 0;
	return alloc_slots(fs, FLOWSET_INIT_CAP);
}

void
mnl_flowset_fini(struct mnl_flowset *fs)
{
	free(fs->slots);
	fs->slots = NULL;
	fs->mask = 0;
	fs->count = 0;
}

static int
grow(struct mnl_flowset *fs)
{
	struct mnl_flowset_slot *old = fs->slots;
	uint32_t old_cap = fs->mask + 1, i;

	if (old_cap > UINT32_MAX / 2) {
		errno = ENOMEM;
		return -1;
	}
	if (alloc_slots(fs, old_cap * 2) < 0) {
		fs->slots = old;
		return -1;
	}
	for (i = 0; i < old_cap; i++)
		if (old[i].used)
			fs->slots[probe(fs, &old[i].flow)] = old[i];
	free(old);
	return 0;
}

struct mnl_flowset_slot *
mnl_flowset_add(struct mnl_flowset *fs, const struct mn_flow_tuple *f,
		const struct mn_flow_ref *ref)
{
	uint32_t i = probe(fs, f);
	struct mnl_flowset_slot *slot = &fs->slots[i];

	if (slot->used) {
		/* The 4-tuple now names a later flow: nothing counted for
		 * the earlier one is this one's. */
		if (slot->ref.slot != ref->slot || slot->ref.serial != ref->serial) {
			slot->ref = *ref;
			slot->tx_queued = 0;
		}
		return slot;
	}
	/* Keep the load under 3/4 so that probe runs stay short. */
	if ((uint64_t)(fs->count + 1) * 4 > (uint64_t)(fs->mask + 1) * 3) {
		if (grow(fs) < 0)
			return NULL;
		i = probe(fs, f);
	}
	slot = &fs->slots[i];
	slot->flow = *f;
	slot->ref = *ref;
	slot->tx_queued = 0;
	slot->used = 1;
	fs->count++;
	return slot;
}

struct mnl_flowset_slot *
mnl_flowset_find(struct mnl_flowset *fs, const struct mn_flow_tuple *f)
{
	struct mnl_flowset_slot *slot = &fs->slots[probe(fs, f)];

	return slot->used ? slot : NULL;
}

bool
mnl_flowset_contains(const struct mnl_flowset *fs,
		     const struct mn_flow_tuple *f)
{
	return fs->slots[probe(fs, f)].used != 0;
}

bool
mnl_flowset_remove(struct mnl_flowset *fs, const struct mn_flow_tuple *f)
{
	uint32_t hole = probe(fs, f), j = hole, home;

	if (!fs->slots[hole].used)
		return false;
	/*
	 * Move back every later entry of the run whose home slot does not lie
	 * between the hole and itself, or it would become unreachable.
	 */
	for (;;) {
		j = (j + 1) & fs->mask;
		if (!fs->slots[j].used)
			break;
		home = flow_hash(&fs->slots[j].flow) & fs->mask;
		if (((j - home) & fs->mask) >= ((j - hole) & fs->mask)) {
			fs->slots[hole] = fs->slots[j];
			hole = j;
		}
	}
	fs->slots[hole].used = 0;
	fs->count--;
	return true;
}
