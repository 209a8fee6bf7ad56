/*
 * flow.h: a flow (one connection between two applications) and the table
 * that finds it by its 4-tuple.
 *
 * Everything here belongs to one engine lcore: no locks. The send side
 * keeps unsent segments as one chain and sent-but-unacknowledged segments
 * in a ring indexed by sequence number, until the peer acknowledges them.
 * The receive side holds packets that arrived ahead of a gap in a ring of
 * the same kind, so that one loss costs one retransmission.
 */
#ifndef MN_FLOW_H
#define MN_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mbuf.h>

#include "cc.h"
#include "mn_msg.h"
#include "reasm.h"
#include "rto.h"

struct mn_share;
struct mn_flow_usage;
struct mn_flow_stats;

#define MN_FLOW_NONE UINT32_MAX
#define MN_CHANNEL_NONE UINT16_MAX

enum mn_flow_state {
	MN_FLOW_FREE = 0,
	MN_FLOW_ARP_WAIT,    /* connect: resolving the next hop */
	MN_FLOW_SYN_SENT,    /* connect: waiting for SYNACK */
	MN_FLOW_ESTABLISHED,
	MN_FLOW_CLOSING,     /* closed locally: finish sending, then FIN */
	MN_FLOW_FIN_SENT,    /* FIN sent, waiting for its ack */
};

/* The receive side holds at least this many packets beyond a gap. */
#define MN_FLOW_RX_SLOTS_MIN 256

/* A sent, not yet acknowledged segment. */
struct mn_tx_slot {
	struct rte_mbuf *m;  /* the frame, headers included */
	uint64_t sent_at;    /* last (re)transmission */
	bool sacked;         /* the peer has it, out of order */
};

/* A segment received ahead of a gap, headers stripped. */
struct mn_rx_slot {
	struct rte_mbuf *m;
	uint32_t msg_len;
	uint8_t flags;
};

/* Host byte order; local is machnetd's side. */
struct mn_flow_key {
	uint32_t local_ip;
	uint32_t remote_ip;
	uint16_t local_port;
	uint16_t remote_port;
};

struct mn_flow {
	struct mn_flow_key key;
	uint8_t state;           /* enum mn_flow_state */
	bool in_tx_list;
	bool ack_due;            /* an ack is owed (see ack_later) */
	bool ack_now;            /* ...and it may not wait for data to carry it */
	uint16_t channel;        /* owning channel, MN_CHANNEL_NONE once detached */
	uint32_t channel_gen;
	/* the share its buffers count against: its channel's, kept after a
	 * close until the channel detaches; NULL: none */
	struct mn_share *share;
	uint32_t serial;         /* tells this flow from later ones in its slot */
	/* what its application's sends hold, in the flow usage memzone;
	 * NULL: not counted */
	struct mn_flow_usage *usage;
	struct rte_ether_addr remote_mac;
	uint32_t next_hop;
	uint32_t mss;            /* payload per segment, both ends' least */

	/* connect in progress: the request to answer, and its clock */
	uint32_t pending_cmd;    /* index in the engine's pending table */
	uint64_t deadline;
	uint64_t next_syn;

	/* send side */
	uint32_t snd_una;        /* oldest unacknowledged seq */
	uint32_t snd_nxt;        /* next seq to send */
	uint32_t peer_window;
	struct rte_mbuf *unsent_head; /* segments linked by next */
	struct rte_mbuf *unsent_tail;
	struct mn_tx_slot *tx;   /* [seq & tx_mask] */
	uint32_t tx_mask;
	uint32_t sack_high;      /* one past the highest seq the peer sacked */
	struct mn_rto rto;
	uint64_t rto_at;         /* 0: no timer */
	uint32_t retries;        /* timeouts in a row with nothing from the peer */
	uint64_t last_heard;     /* the peer's last ack, for keepalives */
	struct mn_cc cc;
	uint64_t last_sent_at;   /* last new packet, for pacing below one */
	uint64_t rto_resent_at;  /* first timeout of a run; 0: none pending */
	double cwnd_before_rto;  /* the window that timeout cut */

	/* receive side */
	uint32_t peer_isn;
	uint32_t rcv_nxt;
	uint64_t ts_recent;      /* peer's clock, echoed in acks */
	bool advertised_zero;    /* told the peer we had no room */
	uint32_t rcv_edge;       /* one past the furthest seq we let the peer send */
	uint32_t rx_charged;     /* segments charged to its share (share.h) */
	struct mn_rx_slot *rx;   /* [seq & rx_mask] */
	uint32_t rx_held;        /* slots in use: none on an orderly path */
	uint32_t rx_mask;
	struct mn_reasm reasm;

	uint32_t live_pos;       /* where the table's live list holds it */
	uint32_t rx_unacked;     /* in-order packets taken since our last ack */
	uint64_t ack_at;         /* when an owed ack goes at the latest */
};

struct mn_flow_table {
	struct rte_hash *hash;
	struct mn_flow *flows;
	uint32_t capacity;
	uint32_t window;         /* packets in flight per flow */
	uint32_t count;
	uint32_t serial;         /* of the last flow created */
	/* indices of the live flows, in live[0..count), so that timers and
	 * channel sweeps visit only those and not the whole table */
	uint32_t *live;
	/* per slot, what telemetry may read of its flow (stats.h) */
	struct mn_flow_stats *stats;
};

/* The i-th live flow, i < count. Destroying it moves the last live flow
 * into its place, so a sweep that may destroy flows walks backwards. */
static inline struct mn_flow *
mn_flow_table_live(struct mn_flow_table *t, uint32_t i)
{
	return &t->flows[t->live[i]];
}

/* A hash of entries flow keys in which that many really fit (an
 * extendable bucket table takes the collisions), its positions below
 * entries: the flow table's and the half-open table's. */
struct rte_hash *mn_flow_key_hash_create(const char *name, uint32_t entries);

int mn_flow_table_init(struct mn_flow_table *t, const char *name,
		       uint32_t capacity, uint32_t window);
void mn_flow_table_free(struct mn_flow_table *t);

struct mn_flow *mn_flow_lookup(struct mn_flow_table *t,
			       const struct mn_flow_key *key);
/* A zeroed flow bound to key, or NULL when the table is full or key taken. */
struct mn_flow *mn_flow_create(struct mn_flow_table *t,
			       const struct mn_flow_key *key);
/* Frees every mbuf the flow holds and forgets it. */
void mn_flow_destroy(struct mn_flow_table *t, struct mn_flow *f);

static inline uint32_t
mn_flow_index(const struct mn_flow_table *t, const struct mn_flow *f)
{
	return (uint32_t)(f - t->flows);
}

/* Whether the flow still has segments not yet acknowledged by the peer. */
static inline bool
mn_flow_tx_pending(const struct mn_flow *f)
{
	return f->unsent_head != NULL || f->snd_una != f->snd_nxt;
}

/* Appends a message's segment chain to the unsent queue. */
void mn_flow_queue_msg(struct mn_flow *f, struct rte_mbuf *msg);

/* Releases segments below ack; returns how many were released. */
uint32_t mn_flow_ack(struct mn_flow *f, uint32_t ack);
/* The MSS the handshake settled on, also for the application's library. */
void mn_flow_set_mss(struct mn_flow *f, uint32_t mss);

/* Segments sent and not yet acknowledged. */
static inline uint32_t
mn_flow_in_flight(const struct mn_flow *f)
{
	return f->snd_nxt - f->snd_una;
}

static inline void
mn_flow_key_from_tuple(struct mn_flow_key *k, const struct mn_flow_tuple *t)
{
	k->local_ip = t->src_ip;
	k->remote_ip = t->dst_ip;
	k->local_port = t->src_port;
	k->remote_port = t->dst_port;
}

static inline void
mn_flow_tuple_from_key(struct mn_flow_tuple *t, const struct mn_flow_key *k)
{
	t->src_ip = k->local_ip;
	t->dst_ip = k->remote_ip;
	t->src_port = k->local_port;
	t->dst_port = k->remote_port;
}

#endif /* MN_FLOW_H */
