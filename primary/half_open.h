/*
 * half_open.h: listeners' handshakes that have not completed, kept apart
 * from flows.
 *
 * A SYN costs the listening host one small entry here and not a flow: a
 * flow (its rings, its buffer share, its slot in the flow table) exists
 * only once the connecting side has acknowledged our SYNACK's initial
 * sequence number, chosen at random, which a sender of forged SYNs never
 * sees. The engine bounds the entries per listener and on the host and
 * lets them expire, so a SYN flood costs at most the backlog of the
 * listener it aims at, for as long as it lasts. Owned by one engine lcore.
 */
#ifndef MN_HALF_OPEN_H
#define MN_HALF_OPEN_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_hash.h>

#include "flow.h"

struct mn_half_open {
	struct mn_flow_key key;
	struct rte_ether_addr remote_mac;
	uint16_t channel;      /* the listener's */
	uint32_t channel_gen;
	uint32_t peer_isn;
	uint32_t isn;          /* ours, in the SYNACK */
	uint16_t peer_window;
	uint32_t peer_mss;     /* the SYN's, 0 if it said none */
	uint8_t synacks;       /* SYNACKs sent */
	uint64_t ts_recent;    /* the SYN's clock, echoed */
	uint64_t expires_at;
	uint64_t next_synack;
	uint32_t live_pos;
};

struct mn_half_open_table {
	struct rte_hash *hash;
	struct mn_half_open *entries;
	uint32_t *live;        /* entry indices in live[0..count) */
	uint32_t capacity;
	uint32_t count;
};

int mn_half_open_init(struct mn_half_open_table *t, const char *name,
		      uint32_t capacity);
void mn_half_open_free(struct mn_half_open_table *t);

struct mn_half_open *mn_half_open_find(struct mn_half_open_table *t,
				       const struct mn_flow_key *key);
/* A zeroed entry bound to key, or NULL when the table is full. */
struct mn_half_open *mn_half_open_add(struct mn_half_open_table *t,
				      const struct mn_flow_key *key);
void mn_half_open_remove(struct mn_half_open_table *t, struct mn_half_open *h);

/* The i-th live entry; removing it moves the last one into its place. */
static inline struct mn_half_open *
mn_half_open_live(struct mn_half_open_table *t, uint32_t i)
{
	return &t->entries[t->live[i]];
}

#endif /* MN_HALF_OPEN_H */
