/*
 * engine_flow.c: what happens to a flow between packets: its timers
 * (retransmission with back-off, zero-window probes, the FIN handshake),
 * giving up on a peer that stopped answering, and telling the application
 * when a flow ends.
 */
#include "clock.h"
#include "engine.h"
#include "mn_wire.h"
#include "proto.h"

void
mn_engine_flow_start(struct mn_engine *e, struct mn_flow *f, uint32_t isn)
{
	const struct mn_config *cfg = e->cfg;

	f->snd_una = f->snd_nxt = f->sack_high = isn;
	f->mss = e->mss; /* until the peer says what it takes */
	f->last_heard = e->now;
	mn_rto_init(&f->rto, (uint64_t)cfg->rto_us * MN_NS_PER_US,
		    (uint64_t)cfg->rto_min_us * MN_NS_PER_US,
		    (uint64_t)cfg->rto_max_us * MN_NS_PER_US);
	mn_cc_init(&f->cc, &e->cc);
	mn_flow_stats_open(mn_flow_stats_of(&e->flows, f), f, e->now);
}

void
mn_engine_flow_bind(struct mn_engine *e, struct mn_flow *f, uint16_t channel,
		    uint32_t generation)
{
	f->channel = channel;
	f->channel_gen = generation;
	f->share = &e->channels[channel].share;
	if (e->flow_usage == NULL)
		return;
	/* The serial first: a library still reading the slot for the flow
	 * that held it before must not take the new count for its own. */
	f->usage = &e->flow_usage[mn_flow_index(&e->flows, f)];
	f->usage->serial = f->serial;
	rte_smp_wmb();
	f->usage->tx_released = 0;
	f->usage->mss = 0;
}

void
mn_engine_arm_timer(struct mn_engine *e, struct mn_flow *f)
{
	bool probing = f->peer_window == 0 && f->unsent_head != NULL;

	if (mn_flow_in_flight(f) > 0 || probing || f->state == MN_FLOW_FIN_SENT)
		f->rto_at = e->now + f->rto.rto;
	else
		f->rto_at = 0;
}

void
mn_engine_send_fin(struct mn_engine *e, struct mn_flow *f)
{
	f->state = MN_FLOW_FIN_SENT;
	f->retries = 0;
	mn_out_ctrl(e, f, MN_PKT_FIN, f->snd_nxt);
	mn_engine_arm_timer(e, f);
}

void
mn_engine_flow_fail(struct mn_engine *e, struct mn_flow *f,
		    enum mn_msg_event event)
{
	/* After FIN_SENT the peer had all our data: an answer of RST (it
	 * closed the flow and our FIN's ack was lost) or silence ends it
	 * cleanly, and its application closed it already. */
	if (event == MN_MSG_EV_RESET && f->state != MN_FLOW_FIN_SENT)
		e->state->counters.flows_reset++;
	mn_engine_deliver_event(e, f, event);
	mn_flow_destroy(&e->flows, f);
}

/* Whether an established flow's peer has been silent for keepalive_ms. */
static bool
peer_silent(const struct mn_engine *e, const struct mn_flow *f)
{
	return e->cfg->keepalive_ms != 0 && f->state == MN_FLOW_ESTABLISHED &&
	       e->now - f->last_heard >=
		       (uint64_t)e->cfg->keepalive_ms * MN_NS_PER_MS;
}

void
mn_engine_flow_timer(struct mn_engine *e, struct mn_flow *f)
{
	/* Nothing to wait for: a peer that went silently (its host down, its
	 * machnetd gone) is found out by asking, retried and given up on as
	 * an unacknowledged packet would be. */
	if (f->rto_at == 0 && peer_silent(e, f))
		f->rto_at = e->now;
	if (f->rto_at == 0 || e->now < f->rto_at)
		return;
	e->state->counters.rto_expiries++;
	mn_stats_add(&mn_flow_stats_of(&e->flows, f)->counts.timeouts, 1);
	if (++f->retries > e->cfg->max_retries) {
		/* The peer (or its machnetd) is gone: say so on both ends. */
		if (f->state != MN_FLOW_FIN_SENT)
			mn_out_ctrl(e, f, MN_PKT_RST, f->snd_nxt);
		mn_engine_flow_fail(e, f, MN_MSG_EV_RESET);
		return;
	}
	if (f->state == MN_FLOW_FIN_SENT) {
		mn_out_ctrl(e, f, MN_PKT_FIN, f->snd_nxt);
	} else if (mn_flow_in_flight(f) > 0) {
		if (f->rto_resent_at == 0) {
			f->rto_resent_at = e->now;
			f->cwnd_before_rto = f->cc.cwnd;
		}
		mn_out_retransmit(e, f);
	} else if (f->unsent_head != NULL) {
		mn_out_probe(e, f);
	} else {
		/* Backed off like a retransmission, but leaving the flow's
		 * timeout as it was for the data that comes after. */
		e->state->counters.keepalive_probes++;
		mn_out_keepalive(e, f);
		f->rto_at = e->now + RTE_MIN(f->rto.rto << RTE_MIN(f->retries, 16u),
					     f->rto.max);
		return;
	}
	mn_cc_on_timeout(&f->cc, &e->cc, e->now);
	mn_rto_backoff(&f->rto);
	f->rto_at = e->now + f->rto.rto;
}
