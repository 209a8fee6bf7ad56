/*
 * stats.h: what the engine publishes of its flows and channels for readers
 * on other threads (DPDK's telemetry thread), so that a running machnetd
 * can be watched without ever asking, slowing or locking the engine.
 *
 * One record per flow-table slot and one per channel. Only machnetd's own
 * threads read them, so they live in its ordinary memory, not in the
 * hugepages every tenant maps. The engine alone writes them:
 *
 * - Counters (messages, bytes, retransmissions, timeouts) are aligned
 *   64-bit words the engine bumps where the event happens, with a relaxed
 *   atomic store: a plain load, add and store, no lock prefix. A reader
 *   sees each one whole, old or new.
 * - What describes the flow (its 4-tuple and serial, state, channel, MSS,
 *   window and timers) sits behind a sequence counter, odd while the
 *   engine rewrites it: when a flow starts or ends, and once per timer
 *   tick (1 ms) for the figures that move. Readers retry when the count
 *   moved, so they never mix two flows of a slot, or an old flow's
 *   counters with a new flow's name (starting a flow zeroes its counters
 *   under the same count).
 *
 * The engine never waits for a reader; a reader retries at most while the
 * engine is inside one of those short writes.
 */
#ifndef MN_STATS_H
#define MN_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_seqcount.h>

#include "flow.h"

/* A flow as its last start or timer tick left it; guarded by the seq. */
struct mn_flow_desc {
	uint32_t serial;          /* 0: no flow in the slot */
	struct mn_flow_key key;
	uint16_t channel;         /* MN_CHANNEL_NONE once its application closed it */
	uint8_t state;            /* enum mn_flow_state */
	uint32_t mss;
	uint64_t started_at;      /* engine clock, ns */
	double cwnd;              /* packets */
	uint64_t srtt;            /* ns; 0 before the first sample */
	uint64_t rto;             /* ns */
};

/* Counted as it happens, since the flow started. */
struct mn_flow_counts {
	uint64_t tx_msgs;         /* messages whose last segment went out */
	uint64_t tx_bytes;        /* payload sent, first transmissions only */
	uint64_t rx_msgs;         /* messages received whole */
	uint64_t rx_bytes;        /* payload received in order */
	uint64_t retransmits;     /* segments sent again */
	uint64_t timeouts;        /* retransmission timer expiries, probes included */
};

/* The record of one flow-table slot. The description and the counters
 * are on lines of their own: per packet the engine touches only the
 * counters' line, per tick only the description's. */
struct mn_flow_stats {
	rte_seqcount_t seq;
	struct mn_flow_desc desc;
	struct mn_flow_counts counts __rte_cache_aligned;
} __rte_cache_aligned;

/* A reader's copy of a record. */
struct mn_flow_view {
	struct mn_flow_desc desc;
	struct mn_flow_counts counts;
};

/* The record of one channel: what its application moved since it attached. */
struct mn_channel_counts {
	uint64_t listeners;
	uint64_t tx_msgs;         /* messages the engine took from the application */
	uint64_t tx_bytes;
	uint64_t rx_msgs;         /* messages it put on the application's ring */
	uint64_t rx_bytes;
	uint64_t rx_held;         /* segments charged to its receive share, per tick */
};

struct mn_channel_stats {
	rte_seqcount_t seq;       /* guards the reset at attach */
	uint32_t generation;      /* of the attach the counts start from */
	struct mn_channel_counts counts;
} __rte_cache_aligned;

/* One writer, readers on other threads: a whole-word store, no lock. */
static inline void
mn_stats_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

static inline void
mn_stats_set(uint64_t *counter, uint64_t v)
{
	__atomic_store_n(counter, v, __ATOMIC_RELAXED);
}

static inline struct mn_flow_stats *
mn_flow_stats_of(struct mn_flow_table *t, const struct mn_flow *f)
{
	return &t->stats[mn_flow_index(t, f)];
}

/* Engine side. The flow took its slot: its name, a clock and zero counts. */
void mn_flow_stats_open(struct mn_flow_stats *s, const struct mn_flow *f,
			uint64_t now);
/* Publishes the figures of f that move (state, channel, MSS, cwnd, RTT). */
void mn_flow_stats_refresh(struct mn_flow_stats *s, const struct mn_flow *f);
/* The flow left its slot. */
void mn_flow_stats_close(struct mn_flow_stats *s);
/* A new tenant on the channel: counts from zero, for this generation. */
void mn_channel_stats_reset(struct mn_channel_stats *s, uint32_t generation);

/* Reader side. A consistent copy of the record; false: no flow there. */
bool mn_flow_stats_read(const struct mn_flow_stats *s, struct mn_flow_view *v);
/* The channel's counts, if they are of that attach; else false and zeros
 * (the engine has not yet seen the attach the channel table shows). */
bool mn_channel_stats_read(const struct mn_channel_stats *s, uint32_t generation,
			   struct mn_channel_counts *c);

#endif /* MN_STATS_H */
