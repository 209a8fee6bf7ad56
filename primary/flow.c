/*
 * flow.c: the flow table and a flow's send-side bookkeeping.
 *
 * Flows live in one preallocated array (no allocation after start-up, so
 * the engine never waits on the memory subsystem); an rte_hash maps the
 * 4-tuple to the array index.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>

#include "flow.h"
#include "mn_wire.h"
#include "share.h"
#include "stats.h"

struct rte_hash *
mn_flow_key_hash_create(const char *name, uint32_t entries)
{
	struct rte_hash_parameters params = {
		.name = name,
		.entries = entries,
		.key_len = sizeof(struct mn_flow_key),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
		/* Without it, bucket collisions refuse inserts short of
		 * capacity (about 4,050 of 4,096): resources.flows must mean
		 * what it says. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	return rte_hash_create(&params);
}

int
mn_flow_table_init(struct mn_flow_table *t, const char *name, uint32_t capacity,
		   uint32_t window)
{
	uint32_t tx_slots = rte_align32pow2(window);
	uint32_t rx_slots = rte_align32pow2(RTE_MAX(window, (uint32_t)MN_FLOW_RX_SLOTS_MIN));
	uint32_t i;

	memset(t, 0, sizeof(*t));
	t->capacity = capacity;
	t->window = window;
	t->hash = mn_flow_key_hash_create(name, capacity);
	t->flows = calloc(capacity, sizeof(*t->flows));
	t->live = calloc(capacity, sizeof(*t->live));
	t->stats = aligned_alloc(RTE_CACHE_LINE_SIZE, capacity * sizeof(*t->stats));
	if (t->hash == NULL || t->flows == NULL || t->live == NULL ||
	    t->stats == NULL)
		goto fail;
	memset(t->stats, 0, capacity * sizeof(*t->stats));
	/* Allocated once: the engine never waits on an allocator. */
	for (i = 0; i < capacity; i++) {
		struct mn_flow *f = &t->flows[i];

		f->tx = calloc(tx_slots, sizeof(*f->tx));
		f->rx = calloc(rx_slots, sizeof(*f->rx));
		if (f->tx == NULL || f->rx == NULL)
			goto fail;
		f->tx_mask = tx_slots - 1;
		f->rx_mask = rx_slots - 1;
	}
	return 0;
fail:
	mn_flow_table_free(t);
	return -1;
}

void
mn_flow_table_free(struct mn_flow_table *t)
{
	uint32_t i;

	if (t->flows != NULL) {
		for (i = 0; i < t->capacity; i++) {
			if (t->flows[i].state != MN_FLOW_FREE)
				mn_flow_destroy(t, &t->flows[i]);
			free(t->flows[i].tx);
			free(t->flows[i].rx);
		}
	}
	free(t->flows);
	free(t->live);
	free(t->stats);
	rte_hash_free(t->hash);
	memset(t, 0, sizeof(*t));
}

struct mn_flow *
mn_flow_lookup(struct mn_flow_table *t, const struct mn_flow_key *key)
{
	void *data;

	if (rte_hash_lookup_data(t->hash, key, &data) < 0)
		return NULL;
	return &t->flows[(uintptr_t)data];
}

struct mn_flow *
mn_flow_create(struct mn_flow_table *t, const struct mn_flow_key *key)
{
	struct mn_rx_slot *rx;
	struct mn_tx_slot *tx;
	uint32_t tx_mask, rx_mask, idx;
	struct mn_flow *f;
	int pos;

	if (rte_hash_lookup(t->hash, key) >= 0)
		return NULL;
	pos = rte_hash_add_key(t->hash, key);
	if (pos < 0)
		return NULL;
	/*
	 * The hash hands out positions unique among live keys and below its
	 * capacity, so it doubles as the flow array's allocator.
	 */
	idx = (uint32_t)pos;
	if (idx >= t->capacity ||
	    rte_hash_add_key_data(t->hash, key, (void *)(uintptr_t)idx) < 0) {
		rte_hash_del_key(t->hash, key);
		return NULL;
	}
	f = &t->flows[idx];
	tx = f->tx;
	rx = f->rx;
	tx_mask = f->tx_mask;
	rx_mask = f->rx_mask;
	memset(f, 0, sizeof(*f));
	f->tx = tx;
	f->rx = rx;
	f->tx_mask = tx_mask;
	f->rx_mask = rx_mask;
	f->key = *key;
	f->serial = ++t->serial;
	f->channel = MN_CHANNEL_NONE;
	f->pending_cmd = MN_FLOW_NONE;
	f->peer_window = t->window;
	f->live_pos = t->count;
	t->live[t->count++] = idx;
	return f;
}

/*
 * Frees what an out-of-order slot holds, a segment or the messages a
 * coalesced packet became on arrival; returns the buffers charged for it.
 */
static uint32_t
rx_slot_free(struct mn_rx_slot *s)
{
	struct rte_mbuf *m = s->m, *next;
	uint32_t n = 0;

	for (; m != NULL; m = next, n++) {
		next = s->flags & MN_PKT_F_COALESCED ? mn_msg_meta(m)->next_msg : NULL;
		rte_pktmbuf_free(m);
	}
	s->m = NULL;
	return n;
}

void
mn_flow_destroy(struct mn_flow_table *t, struct mn_flow *f)
{
	struct rte_mbuf *m, *next;
	uint32_t i, last, unsent = 0, charged = mn_reasm_held(&f->reasm);

	mn_flow_ack(f, f->snd_nxt);
	for (i = 0; f->rx_held > 0 && i <= f->rx_mask; i++) {
		if (f->rx[i].m == NULL)
			continue;
		charged += rx_slot_free(&f->rx[i]);
		f->rx_held--;
	}
	mn_share_rx_uncharge(f, charged);
	for (m = f->unsent_head; m != NULL; m = next) {
		next = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		unsent++;
	}
	mn_share_tx_release(f, unsent);
	f->unsent_head = NULL;
	f->unsent_tail = NULL;
	mn_reasm_reset(&f->reasm);
	/* Its application's library must not count on this slot any more. */
	if (f->usage != NULL)
		f->usage->serial = 0;
	mn_flow_stats_close(mn_flow_stats_of(t, f));
	rte_hash_del_key(t->hash, &f->key);
	f->state = MN_FLOW_FREE;
	last = t->live[--t->count];
	t->live[f->live_pos] = last;
	t->flows[last].live_pos = f->live_pos;
}

void
mn_flow_queue_msg(struct mn_flow *f, struct rte_mbuf *msg)
{
	uint32_t msg_len = msg->pkt_len;
	struct rte_mbuf *m, *last = msg;

	for (m = msg; m != NULL; m = m->next) {
		struct mn_msg_meta *meta = mn_msg_meta(m);

		meta->msg_len = msg_len;
		meta->seg_flags = m == msg ? MN_PKT_F_MSG_FIRST : 0;
		last = m;
	}
	mn_msg_meta(last)->seg_flags |= MN_PKT_F_MSG_LAST;
	if (f->unsent_tail != NULL)
		f->unsent_tail->next = msg;
	else
		f->unsent_head = msg;
	f->unsent_tail = last;
}

uint32_t
mn_flow_ack(struct mn_flow *f, uint32_t ack)
{
	uint32_t n = 0;

	/* As distances from snd_una, not signed comparisons: 2^31 away, an
	 * ack would be both ahead of snd_una and not beyond snd_nxt. */
	if (ack - f->snd_una == 0 || ack - f->snd_una > f->snd_nxt - f->snd_una)
		return 0;
	while (f->snd_una != ack) {
		struct mn_tx_slot *slot = &f->tx[f->snd_una & f->tx_mask];

		rte_pktmbuf_free_seg(slot->m);
		slot->m = NULL;
		slot->sacked = false;
		f->snd_una++;
		n++;
	}
	mn_share_tx_release(f, n);
	return n;
}

void
mn_flow_set_mss(struct mn_flow *f, uint32_t mss)
{
	f->mss = mss;
	if (f->usage != NULL)
		f->usage->mss = mss;
}
