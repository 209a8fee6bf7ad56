/*
 * proto_handshake.c: the listening side of the handshake, which must
 * survive a network that sends SYNs by the thousand.
 *
 * A SYN makes a half-open entry (half_open.h), answered with a SYNACK whose
 * initial sequence number is random; the flow is made only when a packet
 * acknowledges exactly that number. Entries are bounded per listener
 * (transport.syn_backlog) and on the host (transport.half_open_max), and
 * expire after transport.half_open_timeout_ms, so forged SYNs can fill one
 * listener's backlog while they last and nothing else: established flows,
 * other listeners and connects from this host keep working. A SYN refused
 * for want of room is answered with BUSY, which the connecting side tells
 * apart from RST (nobody listens).
 *
 * SYN cookies would keep no state at all, but they can carry little of the
 * SYN's contents through the cookie; the bound above already confines a
 * flood to its target, so the state is kept (PROTOCOL.md says more).
 */
#include "clock.h"
#include "mn_wire.h"
#include "proto.h"
#include "share.h"

/* The window a new flow of the listener's channel could offer. */
static uint16_t
initial_window(const struct mn_engine *e, const struct mn_half_open *h)
{
	const struct mn_share *s = &e->channels[h->channel].share;

	if (e->pool_tight)
		return 0;
	return (uint16_t)RTE_MIN(RTE_MIN(e->flows.window, (uint32_t)UINT16_MAX),
				 RTE_MIN(s->flow_rx_limit,
					 mn_share_sub(s->rx_limit, s->rx_held)));
}

static void
send_synack(struct mn_engine *e, struct mn_half_open *h)
{
	struct mn_flowless r = {
		.dst_mac = &h->remote_mac,
		.key = &h->key,
		.type = MN_PKT_SYNACK,
		.seq = h->isn,
		.ack = h->peer_isn,
		.window = initial_window(e, h),
		.ts_echo = h->ts_recent,
	};

	mn_out_flowless(e, &r);
	h->synacks++;
}

void
mn_proto_refuse(struct mn_engine *e, const struct mn_pkt *p, uint8_t type)
{
	/* seq is what the sender expects from us (its ack), so that an RST
	 * is exact where the sender has the flow; ack names its seq, so that
	 * a connecting side knows the answer is to its own SYN. */
	struct mn_flowless r = {
		.dst_mac = &p->eth->src_addr,
		.key = &p->key,
		.type = type,
		.seq = p->ack,
		.ack = p->seq,
	};

	mn_out_flowless(e, &r);
}

static void
half_open_end(struct mn_engine *e, struct mn_half_open *h)
{
	struct mn_listener *l = mn_listen_find(&e->listeners, h->key.local_port);

	if (l != NULL && l->channel == h->channel &&
	    l->channel_gen == h->channel_gen && l->half_open > 0)
		l->half_open--;
	mn_half_open_remove(&e->half_open, h);
}

void
mn_hs_on_syn(struct mn_engine *e, const struct mn_pkt *p)
{
	struct mn_half_open *h = mn_half_open_find(&e->half_open, &p->key);
	const struct mn_engine_channel *ch;
	struct mn_listener *l;

	if (h != NULL) {
		if (h->peer_isn == p->seq)
			send_synack(e, h); /* ours was lost */
		else
			e->state->counters.handshake_invalid++;
		return;
	}
	l = mn_listen_find(&e->listeners, p->key.local_port);
	ch = l != NULL ? &e->channels[l->channel] : NULL;
	if (ch == NULL || !ch->active || ch->generation != l->channel_gen) {
		mn_proto_refuse(e, p, MN_PKT_RST);
		return;
	}
	/* Every half-open handshake may become a flow: keep it room. */
	if (e->flows.count + e->half_open.count >= e->flows.capacity) {
		e->state->counters.flow_table_full++;
		mn_proto_refuse(e, p, MN_PKT_BUSY);
		return;
	}
	h = l->half_open < e->cfg->syn_backlog ?
		mn_half_open_add(&e->half_open, &p->key) : NULL;
	if (h == NULL) {
		e->state->counters.syn_backlog_full++;
		mn_proto_refuse(e, p, MN_PKT_BUSY);
		return;
	}
	l->half_open++;
	rte_ether_addr_copy(&p->eth->src_addr, &h->remote_mac);
	h->channel = l->channel;
	h->channel_gen = l->channel_gen;
	h->peer_isn = p->seq;
	h->isn = mn_proto_isn(e);
	h->peer_window = p->window;
	h->peer_mss = p->mss;
	h->ts_recent = p->ts;
	h->expires_at = e->now + (uint64_t)e->cfg->half_open_timeout_ms * MN_NS_PER_MS;
	h->next_synack = e->now + (uint64_t)e->cfg->syn_rto_ms * MN_NS_PER_MS;
	send_synack(e, h);
}

/* The flow h becomes, or NULL (h is gone then too). */
static struct mn_flow *
establish(struct mn_engine *e, struct mn_half_open *h, const struct mn_pkt *p)
{
	const struct mn_engine_channel *ch = &e->channels[h->channel];
	struct mn_flow *f;

	f = ch->active && ch->generation == h->channel_gen ?
		mn_flow_create(&e->flows, &h->key) : NULL;
	if (f == NULL) {
		/* The room kept for it is gone only if the listener's channel
		 * went (its entries go with it) or the table was changed. */
		e->state->counters.flow_table_full++;
		mn_proto_refuse(e, p, MN_PKT_RST);
		half_open_end(e, h);
		return NULL;
	}
	f->state = MN_FLOW_ESTABLISHED;
	mn_engine_flow_bind(e, f, h->channel, h->channel_gen);
	rte_ether_addr_copy(&h->remote_mac, &f->remote_mac);
	f->next_hop = h->key.remote_ip;
	f->peer_isn = h->peer_isn;
	f->rcv_nxt = h->peer_isn;
	/* Our SYNACK offered at most a full window. */
	f->rcv_edge = h->peer_isn + e->flows.window;
	f->peer_window = h->peer_window;
	mn_engine_flow_start(e, f, h->isn);
	mn_flow_set_mss(f, mn_wire_flow_mss(e->mss, h->peer_mss));
	f->ts_recent = h->ts_recent;
	half_open_end(e, h);
	return f;
}

struct mn_flow *
mn_hs_on_packet(struct mn_engine *e, struct mn_half_open *h,
		const struct mn_pkt *p)
{
	switch (p->type) {
	case MN_PKT_ACK:
	case MN_PKT_DATA:
	case MN_PKT_FIN:
		/*
		 * The connecting side's last ack, or its first data if that
		 * ack was lost: it acknowledges our ISN, which only a receiver
		 * of our SYNACK knows, and its seq lies within the window the
		 * SYNACK offered.
		 */
		if (p->ack == h->isn && p->seq - h->peer_isn < e->flows.window)
			return establish(e, h, p);
		e->state->counters.handshake_invalid++;
		return NULL;
	case MN_PKT_RST:
		/* The connecting side gave up (our SYNACK came too late). */
		if (p->seq == h->peer_isn)
			half_open_end(e, h);
		else
			e->state->counters.rst_invalid++;
		return NULL;
	default:
		e->state->counters.handshake_invalid++;
		return NULL;
	}
}

void
mn_hs_timers(struct mn_engine *e)
{
	uint64_t rto = (uint64_t)e->cfg->syn_rto_ms * MN_NS_PER_MS;
	uint32_t i;

	for (i = e->half_open.count; i-- > 0;) {
		struct mn_half_open *h = mn_half_open_live(&e->half_open, i);

		if (e->now >= h->expires_at) {
			e->state->counters.half_open_expired++;
			half_open_end(e, h);
			continue;
		}
		/* A connecting side whose last ack was lost and that has
		 * nothing to send yet answers a SYNACK again. */
		if (e->now >= h->next_synack) {
			send_synack(e, h);
			h->next_synack = e->now + (rto << RTE_MIN(h->synacks, 6));
		}
	}
}

void
mn_hs_forget_channel(struct mn_engine *e, uint16_t channel)
{
	uint32_t i;

	for (i = e->half_open.count; i-- > 0;) {
		struct mn_half_open *h = mn_half_open_live(&e->half_open, i);

		if (h->channel == channel)
			half_open_end(e, h);
	}
}
