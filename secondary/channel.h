/*
 * channel.h: a channel as the library holds it, and the control requests
 * it makes to machnetd. A channel belongs to the thread that attached it,
 * which is why nothing in it is locked.
 */
#ifndef MNL_CHANNEL_H
#define MNL_CHANNEL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "flowset.h"
#include "machnet.h"
#include "mn_ctrl.h"
#include "mn_msg.h"
#include "mn_state.h"
#include "wait.h"

struct mnl_channel {
	struct rte_ring *to_engine;   /* single producer: this thread */
	struct rte_ring *from_engine; /* single consumer: this thread */
	const struct mn_state *state;
	struct mn_channel_usage *usage; /* this channel's counters in state */
	const struct mn_flow_usage *flow_usage; /* every flow's, by slot */
	struct rte_mempool *pool;
	uint32_t index;
	uint32_t generation;
	uint64_t token;           /* the channel's secret, for every request */
	struct mnl_flowset flows; /* flows send may use */
	struct mnl_flowset ended; /* flows the peer closed or that failed,
				   * reported once by recv: send says ECONNRESET */
	uint64_t heartbeat_seen;  /* state->heartbeat at the last look */
	uint64_t next_look;       /* timer cycles */
	bool primary_dead;        /* final: a channel dies with its primary */
	bool flow_events;         /* recv reports flow ends (an addition) */
	struct mn_channel_wake *wake; /* this channel's wake line in state */
	struct mnl_wait wait;     /* off until the application waits */
};

_Static_assert(MACHNET_MSG_MAX_LEN == MN_MSG_MAX_LEN,
	       "machnet.h and common/ disagree on the largest message");

/*
 * Sends msg to machnetd and overwrites it with the reply. 0, or -1 with
 * errno: the reply's status, or why no reply came.
 */
int mnl_ctrl_request(const struct mn_state *state, struct mn_ctrl_msg *msg);
/* The same, passing fd to machnetd with the request. */
int mnl_ctrl_request_fd(const struct mn_state *state, struct mn_ctrl_msg *msg,
			int fd);
/* A request on ch, op and the channel's name and secret filled in. */
void mnl_ctrl_for(const struct mnl_channel *ch, struct mn_ctrl_msg *msg,
		  enum mn_ctrl_op op);

/*
 * True once machnetd is stopping or has died; send and receive then fail
 * with ESHUTDOWN instead of queueing into, or waiting on, rings nobody
 * serves.
 */
bool mnl_channel_gone(struct mnl_channel *ch);

static inline int
mnl_fail(int err)
{
	errno = err;
	return -1;
}

static inline struct mn_flow_tuple
mnl_flow_from_app(const MachnetFlow_t *f)
{
	struct mn_flow_tuple t = {
		.src_ip = f->src_ip,
		.dst_ip = f->dst_ip,
		.src_port = f->src_port,
		.dst_port = f->dst_port,
	};

	return t;
}

/* A flow as this end names it (src = local): connect's answer. */
static inline MachnetFlow_t
mnl_flow_to_app(const struct mn_flow_tuple *t)
{
	MachnetFlow_t f = {
		.src_ip = t->src_ip,
		.dst_ip = t->dst_ip,
		.src_port = t->src_port,
		.dst_port = t->dst_port,
	};

	return f;
}

/*
 * A flow as its sender names it (src = the remote peer): what the receive
 * calls report, as upstream's do, so that a reply swaps the two ends.
 */
static inline MachnetFlow_t
mnl_flow_as_sent(const struct mn_flow_tuple *t)
{
	MachnetFlow_t f = {
		.src_ip = t->dst_ip,
		.dst_ip = t->src_ip,
		.src_port = t->dst_port,
		.dst_port = t->src_port,
	};

	return f;
}

#endif /* MNL_CHANNEL_H */
