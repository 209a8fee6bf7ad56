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

#include <stdint.h>
#include <sys/types.h>

#define MN_STATE_MAGIC 0x4d4e535441544531ull /* "MNSTATE1" */
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

/* Counters machnetd keeps; only the engine lcore writes them. */
struct mn_counters {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_dropped;      /* every received packet not used, below */
	uint64_t rx_malformed;    /* not IPv4/UDP/Machnet for us, bad checksum */
	uint64_t rx_no_flow;      /* for no flow of ours (answered with RST) */
	uint64_t rx_duplicate;    /* data we already had */
	uint64_t rx_beyond_window; /* data further ahead than the receive ring */
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
};

struct mn_state {
	uint64_t magic;
	uint64_t epoch;              /* start time of this primary, ns */
	int32_t primary_pid;
	volatile uint32_t stopping;  /* set before machnetd detaches everyone */
	volatile uint64_t heartbeat; /* moves every 100 ms while machnetd lives */
	uint32_t local_ip;           /* host byte order */
	uint32_t mss;                /* payload bytes per packet */
	uint32_t ring_size;          /* entries of each channel ring */
	uint32_t ctrl_timeout_ms;    /* longest a control request may take */
	/* Free buffers applications must leave in the pool when they send:
	 * the engine's own (receive, acks, retransmissions) come from there. */
	uint32_t send_pool_floor;
	struct mn_channel_slot channels[MN_MAX_CHANNELS];
	struct mn_counters counters;
};

#endif /* MN_STATE_H */
