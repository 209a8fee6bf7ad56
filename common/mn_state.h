/*
 * mn_state.h: layout of the state memzone, shared by machnetd and every
 * application.
 *
 * machnetd writes it; applications read it to learn the path MSS, whether
 * the primary is alive (pid, heartbeat, epoch) and whether it is shutting
 * down, so that no library call hangs on a dead or departing primary.
 */
#ifndef MN_STATE_H
#define MN_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MN_STATE_MAGIC 0x4d4e535441544534ull /* "MNSTATE4" */
#define MN_MAX_CHANNELS 64

enum mn_channel_state {
	MN_CHANNEL_FREE = 0,
	MN_CHANNEL_ATTACHED,
};

struct mn_channel_slot {
	uint32_t state;      /* enum mn_channel_state */
	uint32_t generation; /* bumped on every attach, to spot stale handles */
	int32_t owner_pid;   /* application that holds the channel */
	uint32_t pad;
};

/*
 * What a channel holds of the pool, counted where the buffers change hands,
 * for its shares. Each counter has one writer: the library's pair and the
 * engine's sit on cache lines of their own, so neither side's writes slow
 * the other's. The engine zeroes them all at attach, before the attach is
 * answered.
 */
struct mn_channel_usage {
	/* written by the library */
	volatile uint64_t rx_taken;   /* messages and events machnet_recv took */
	volatile uint64_t tx_queued;  /* segments machnet_send queued */
	volatile uint64_t tx_eagain;  /* sends refused with EAGAIN since attach */
	uint8_t pad0[40];
	/* written by the engine */
	volatile uint64_t tx_released; /* of those, segments freed (acked, dropped) */
	uint8_t pad1[56];
};

/*
 * What one flow's sends hold of the pool, for its send share, in the flow
 * usage memzone at the flow's slot in machnetd's table. The library counts
 * the segments it queues on the flow in its own memory; the engine counts
 * here the ones it frees. serial names the flow in the slot (0: none): the
 * engine writes it before zeroing the count when it binds a flow, and
 * clears it when the flow ends, so a library that reads the same serial
 * before and after the count read the count of its own flow.
 */
struct mn_flow_usage {
	volatile uint32_t serial;
	/* payload bytes per segment both ends take, once the handshake said;
	 * 0 before: the library then cuts at mn_state.mss */
	volatile uint32_t mss;
	volatile uint64_t tx_released; /* segments freed (acked, dropped) */
};

/*
 * Whether a channel or flow holding held segments of its sends may queue n more:
 * the share bounds what waits beyond the first message, so a message
 * larger than the share still goes when nothing else waits.
 */
static inline bool
mn_tx_share_allows(uint64_t held, uint32_t n, uint32_t share)
{
	return held == 0 || held + n <= share;
}

/*
 * How an application that waits on a channel (machnet_recv_wait,
 * machnet_channel_fd) is woken, without a system call per message: it
 * sets armed after finding the ring empty and before sleeping on its
 * eventfd, which it gave machnetd; the engine, after putting a message on
 * the ring, signals the eventfd only if it takes armed from 1 to 0. Each
 * side orders its store and its load with a full fence, so at least one of
 * them sees the other's: no wake-up is lost. wakes counts the signals,
 * bumped after each write to the eventfd, so that the application knows
 * when the eventfd may hold a count it has not drained. A line of its own:
 * the engine reads armed on every delivery to such a channel, and the
 * application's per-message counters would make that a miss each time.
 */
struct mn_channel_wake {
	volatile uint32_t armed;
	uint32_t pad;
	volatile uint64_t wakes;
	uint8_t pad1[48];
};

/* Counters machnetd keeps; only the engine lcore writes them. */
struct mn_counters {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_dropped;      /* every received packet not used, below */
	uint64_t rx_malformed;    /* not IPv4/UDP/Machnet for us, bad checksum */
	uint64_t rx_no_flow;      /* for no flow of ours (answered with RST) */
	uint64_t rx_duplicate;    /* data we already had */
	uint64_t rx_beyond_window; /* data further ahead than the receive ring,
				    * or beyond every window offered (probes) */
	uint64_t tx_retransmits;
	uint64_t arp_requests_sent;
	uint64_t arp_replies_sent;
	uint64_t icmp_echo_replies;
	uint64_t msgs_from_apps;
	uint64_t msgs_to_apps;
	uint64_t rto_expiries;    /* retransmission timeouts, probes included */
	uint64_t rto_spurious;    /* timeouts found needless by a late ack */
	uint64_t flows_reset;     /* given up after max_retries, or RST */
	uint64_t pool_tight;      /* times the receive windows closed for buffers */
	/* the handshake and blind injection (PROTOCOL.md, "Flows") */
	uint64_t syn_backlog_full; /* SYNs refused: the listener's backlog, or
				    * the host's half-open table, was full */
	uint64_t flow_table_full; /* handshakes and connects refused: no room
				   * for another flow */
	uint64_t half_open_expired; /* handshakes never completed */
	uint64_t handshake_invalid; /* SYNACKs, last acks and repeated SYNs
				     * that do not match the handshake */
	uint64_t rst_invalid;     /* RSTs dropped: not for the flow's seq */
	uint64_t challenge_acks;  /* sent for an in-window RST or a SYN on a
				   * flow, so that only the real peer's
				   * answer can end it */
	uint64_t keepalive_probes; /* sent to a peer silent for keepalive_ms */
	uint64_t msgs_coalesced;   /* sent in another message's packet */
	/* written by the control thread, not the engine */
	uint64_t heap_lock_recoveries; /* heap locks freed after a dead joiner */
};

struct mn_state {
	uint64_t magic;
	uint64_t epoch;              /* start time of this primary, ns */
	int32_t primary_pid;
	volatile uint32_t stopping;  /* set before machnetd detaches everyone */
	volatile uint64_t heartbeat; /* moves every 100 ms while machnetd lives */
	uint32_t local_ip;           /* host byte order */
	uint32_t mss;                /* payload bytes per packet */
	/* whether libmachnet sums each segment's payload: the engine needs
	 * it for the UDP checksum unless the port fills it or none is sent */
	uint32_t payload_sum;
	uint32_t ring_size;          /* entries of each channel ring */
	uint32_t ctrl_timeout_ms;    /* longest a control request may take */
	/* Free buffers applications must leave in the pool when they send:
	 * the engine's own (receive, acks, retransmissions) come from there. */
	uint32_t send_pool_floor;
	/* Segments a channel's sends, and one flow's, may hold, queued or
	 * unacknowledged. */
	uint32_t channel_tx_share;
	uint32_t flow_tx_share;
	/* Entries of the flow usage memzone: machnetd's flow table size. */
	uint32_t flow_slots;
	struct mn_channel_slot channels[MN_MAX_CHANNELS];
	struct mn_counters counters;
	struct mn_channel_usage usage[MN_MAX_CHANNELS] __attribute__((aligned(64)));
	struct mn_channel_wake wake[MN_MAX_CHANNELS] __attribute__((aligned(64)));
};

/* Signals the eventfd of a waiting channel only when it armed (see above). */
static inline bool
mn_wake_take(struct mn_channel_wake *w)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return w->armed != 0 && __atomic_exchange_n(&w->armed, 0, __ATOMIC_ACQ_REL) != 0;
}

/* After the eventfd was written for a taken wake. */
static inline void
mn_wake_count(struct mn_channel_wake *w)
{
	__atomic_fetch_add(&w->wakes, 1, __ATOMIC_RELEASE);
}

#endif /* MN_STATE_H */
