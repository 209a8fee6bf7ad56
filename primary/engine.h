/*
 * engine.h: the engine, one polling loop on one lcore that owns the port
 * queue, the flows, the listeners and the channels' engine ends.
 *
 * A loop: NIC rx burst and protocol input, control requests, messages from
 * the applications' rings, protocol output, NIC tx burst, timers. It never
 * blocks, takes no lock and makes no system call on the fast path; when
 * idle it spins, yields or sleeps as configured.
 */
#ifndef MN_ENGINE_H
#define MN_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "arp.h"
#include "cc.h"
#include "config.h"
#include "control.h"
#include "fault.h"
#include "flow.h"
#include "half_open.h"
#include "iface.h"
#include "listen.h"
#include "mn_state.h"
#include "share.h"
#include "stats.h"
#include "wake.h"

#define MN_BURST 32
/* Segments taken from one channel's ring per pass (at least one message):
 * an application queueing large messages gets the engine for this long,
 * then the next channel's turn comes. */
#define MN_CHANNEL_BUDGET 128
#define MN_TXBUF_SIZE 1024
#define MN_MAX_PENDING 256     /* connects waiting for their handshake */
#define MN_TIMER_PERIOD_NS (1000 * 1000ull)

/* A message on a channel's ring to the application, as the engine charged it. */
struct mn_rx_note {
	uint32_t flow;   /* index in the flow table, MN_FLOW_NONE: no flow */
	uint32_t serial; /* of that flow */
	uint32_t segs;
};

struct mn_engine_channel {
	struct rte_ring *to_engine;
	struct rte_ring *to_app;
	uint32_t generation;
	bool active;
	struct mn_share share;
	/* whole messages waiting for room in to_app, oldest first */
	struct rte_mbuf *backlog_head;
	struct rte_mbuf *backlog_tail;
	uint32_t backlog_len;
	/*
	 * One note per message on to_app, in ring order: the application
	 * takes them in that order, so its count of messages taken
	 * (usage->rx_taken) says which flows' charges to drop.
	 */
	struct mn_rx_note *notes; /* as many as the ring has slots */
	uint32_t notes_mask;
	uint64_t notes_head;  /* notes written */
	uint64_t notes_tail;  /* notes whose message the application took */
	uint32_t rx_freed;    /* segments collected since poll_channels looked */
	struct mn_wake wake;  /* the eventfd of an application that waits */
};

struct mn_engine {
	const struct mn_config *cfg;
	struct mn_iface ifc;
	struct mn_state *state;
	struct mn_control *control;
	struct rte_mempool *pool;
	uint32_t mss;

	struct mn_cc_params cc;
	struct mn_arp_table arp;
	struct mn_flow_table flows;
	/* per flow slot, what its sends hold (mn_state.h); NULL: not counted */
	struct mn_flow_usage *flow_usage;
	struct mn_listen_table listeners;
	struct mn_half_open_table half_open;
	/* initial sequence numbers and ephemeral ports (proto.h) come from
	 * here: arc4random, which a test may replace to repeat itself */
	uint32_t (*random)(void);
	/* challenge acks sent in the current second (RFC 5961's limit) */
	uint64_t challenge_second;
	uint32_t challenges;
	struct mn_engine_channel channels[MN_MAX_CHANNELS];
	/* what telemetry may read of each channel (stats.h) */
	struct mn_channel_stats channel_stats[MN_MAX_CHANNELS];
	/* attached channels' indices, so an idle pass does not scan all slots */
	uint16_t active[MN_MAX_CHANNELS];
	uint16_t n_active;
	uint16_t channel_turn; /* the channel served first, in active[] order */
	struct mn_cmd pending[MN_MAX_PENDING];
	bool pending_used[MN_MAX_PENDING];

	/* flows with segments to send, served round-robin */
	uint32_t *tx_list;
	uint32_t tx_head, tx_count;
	/* flows owing an ack after this rx burst */
	uint32_t ack_list[MN_BURST * 2];
	uint32_t ack_count;

	struct rte_mbuf *txbuf[MN_TXBUF_SIZE];
	uint32_t txbuf_len;
	uint32_t txbuf_faulted; /* leading packets fault injection has seen */
	struct mn_fault fault; /* off unless a test asks for it */
	/* Receive windows close while free buffers run low (with hysteresis),
	 * so that no application can take the pool that acks come from. */
	bool pool_tight;
	bool pool_eased;       /* pool_tight ended: windows may reopen */
	uint32_t pool_low_mark;
	struct rte_ring *loopback; /* packets to our own address */

	uint64_t now;
	uint64_t next_timer;
	uint64_t next_arp_age;
};

int mn_engine_init(struct mn_engine *e, const struct mn_config *cfg,
		   const struct mn_iface *ifc, struct mn_state *state,
		   struct mn_control *control, struct rte_mempool *pool);
/* Where the engine counts each flow's freed sends: flows.capacity entries
 * in the flow usage memzone, which the caller reserved. */
void mn_engine_set_flow_usage(struct mn_engine *e, struct mn_flow_usage *usage);

static inline struct mn_flow_ref
mn_engine_flow_ref(const struct mn_engine *e, const struct mn_flow *f)
{
	return (struct mn_flow_ref){ mn_flow_index(&e->flows, f), f->serial };
}

/* Gives channel idx its two rings (created by the caller, shared by name). */
void mn_engine_set_channel(struct mn_engine *e, uint16_t idx,
			   struct rte_ring *to_engine, struct rte_ring *to_app);
/* Starts or stops polling a channel. */
void mn_engine_channel_activate(struct mn_engine *e, uint16_t idx, bool on);
/* A fresh start for channel idx's shares, as for a new tenant. */
void mn_engine_channel_reset_share(struct mn_engine *e, uint16_t idx);
/* One pass of the loop at time now (ns); returns how much work it found. */
uint32_t mn_engine_step(struct mn_engine *e, uint64_t now);
/* Runs passes until *quit, idling as configured; returns 0. */
int mn_engine_run(struct mn_engine *e, volatile bool *quit);
/* Once the engine has stopped: every waiting application wakes, to find
 * machnetd stopping. */
void mn_engine_wake_all(struct mn_engine *e);
void mn_engine_free(struct mn_engine *e);

/* engine_cmd.c: requests relayed by the control thread */
void mn_engine_handle_cmd(struct mn_engine *e, struct mn_cmd *cmd);
void mn_engine_connect_timers(struct mn_engine *e);
void mn_engine_connect_done(struct mn_engine *e, struct mn_flow *f, int status);
/* Pulls every message an application queued on a channel into its flows. */
void mn_engine_poll_channel(struct mn_engine *e, uint16_t ch, uint32_t budget);

/* engine.c: delivery of complete messages to applications */
void mn_engine_deliver(struct mn_engine *e, struct mn_flow *f,
		       struct rte_mbuf *msg);
/* Queues an event for the flow's application, in order with its messages. */
void mn_engine_deliver_event(struct mn_engine *e, struct mn_flow *f,
			     enum mn_msg_event event);
void mn_engine_tx_list_add(struct mn_engine *e, struct mn_flow *f);

/* engine_flow.c: a flow's life beyond the packet it is handling */
/* Gives the flow to a channel: its messages and its buffers' share. */
void mn_engine_flow_bind(struct mn_engine *e, struct mn_flow *f,
			 uint16_t channel, uint32_t generation);
/* Sequence numbers from isn on, timeout and congestion window of a new flow. */
void mn_engine_flow_start(struct mn_engine *e, struct mn_flow *f, uint32_t isn);
/* (Re)arms the retransmission (or zero-window probe) timer, or stops it. */
void mn_engine_arm_timer(struct mn_engine *e, struct mn_flow *f);
/* Runs the flow's timer if due. */
void mn_engine_flow_timer(struct mn_engine *e, struct mn_flow *f);
/* Sends FIN and waits for its ack. */
void mn_engine_send_fin(struct mn_engine *e, struct mn_flow *f);
/* Tells the application (event) and forgets the flow. */
void mn_engine_flow_fail(struct mn_engine *e, struct mn_flow *f,
			 enum mn_msg_event event);

#endif /* MN_ENGINE_H */
