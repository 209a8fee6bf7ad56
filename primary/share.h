/*
 * share.h: what a channel, and each flow within it, may hold of the pool.
 *
 * One tenant's buffers must not become everybody's shortage. Segments
 * received for an application (out of order, in reassembly, in its
 * channel's backlog, on its ring) are charged to the flow they came on and
 * to its channel until the application takes them; the receive window a
 * flow advertises is what is left of the smaller of the two shares, so an
 * application that does not read closes its own flows' windows and nobody
 * else's. Segments an application sends are counted per channel in the
 * state memzone (struct mn_channel_usage) and per flow in the flow usage
 * memzone (struct mn_flow_usage), which machnet_send reads to refuse what
 * would pass its channel's or its flow's send share; the engine counts the
 * ones it frees.
 */
#ifndef MN_SHARE_H
#define MN_SHARE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "flow.h"
#include "mn_state.h"

struct mn_share {
	struct mn_channel_usage *usage; /* the channel's, in the state memzone */
	uint32_t rx_held;       /* segments received for the channel and not
				 * yet taken by its application */
	uint32_t rx_limit;      /* resources.channel_rx_share */
	uint32_t flow_rx_limit; /* resources.flow_rx_share */
	bool window_closed;     /* a flow told its peer it had no room */
};

static inline uint32_t
mn_share_sub(uint32_t a, uint32_t b)
{
	return a > b ? a - b : 0;
}

/* n segments arrived for f's application. */
static inline void
mn_share_rx_charge(struct mn_flow *f, uint32_t n)
{
	if (f->share == NULL)
		return;
	f->rx_charged += n;
	f->share->rx_held += n;
}

/* n segments charged to f were freed before reaching its application. */
static inline void
mn_share_rx_uncharge(struct mn_flow *f, uint32_t n)
{
	if (f->share == NULL)
		return;
	f->rx_charged = mn_share_sub(f->rx_charged, n);
	f->share->rx_held = mn_share_sub(f->share->rx_held, n);
}

/* The application took n segments that came on f (NULL: a flow gone since). */
static inline void
mn_share_rx_taken(struct mn_share *s, struct mn_flow *f, uint32_t n)
{
	s->rx_held = mn_share_sub(s->rx_held, n);
	if (f != NULL)
		f->rx_charged = mn_share_sub(f->rx_charged, n);
}

/* n segments the application sent on f were acknowledged or dropped. */
static inline void
mn_share_tx_release(struct mn_flow *f, uint32_t n)
{
	if (n == 0)
		return;
	if (f->share != NULL)
		f->share->usage->tx_released += n;
	if (f->usage != NULL)
		f->usage->tx_released += n;
}

/*
 * Segments f may still receive: what is left of its own share and of its
 * channel's. A message larger than a share could never complete that way,
 * so a flow holding nothing but the message it is receiving may always
 * take what that message still lacks: a flow holds at most the larger of
 * its share and one message, plus a window of packets in flight.
 */
static inline uint32_t
mn_share_rx_room(const struct mn_flow *f)
{
	const struct mn_share *s = f->share;
	uint32_t room;

	if (s == NULL)
		return UINT32_MAX;
	room = RTE_MIN(mn_share_sub(s->flow_rx_limit, f->rx_charged),
		       mn_share_sub(s->rx_limit, s->rx_held));
	if (f->rx_charged <= mn_reasm_held(&f->reasm) + f->rx_held)
		room = RTE_MAX(room, mn_reasm_missing(&f->reasm));
	return room;
}

#endif /* MN_SHARE_H */
