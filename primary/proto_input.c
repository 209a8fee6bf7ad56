/*
 * proto_input.c: the transport's input path: classify each received frame,
 * check it, and drive the flow it belongs to.
 *
 * Packets that arrive ahead of a gap wait in the flow's receive ring and
 * are reported in the selective-ack bitmap, so that the sender resends only
 * what is missing; a message reaches the application only when every one
 * of its packets is there, in order.
 */
#include <rte_ip.h>
#include <rte_udp.h>

#include "arp.h"
#include "clock.h"
#include "coalesce.h"
#include "icmp.h"
#include "mn_cksum.h"
#include "mn_wire.h"
#include "proto.h"
#include "share.h"

static void
drop(struct mn_engine *e, struct rte_mbuf *m)
{
	e->state->counters.rx_dropped++;
	rte_pktmbuf_free(m);
}

static void
drop_malformed(struct mn_engine *e, struct rte_mbuf *m)
{
	e->state->counters.rx_malformed++;
	drop(e, m);
}

/*
 * Sends the acks owed on the list: all of them, or those that may not
 * wait and those whose delay ran out. An ack that went out on a data
 * packet meanwhile is owed no more.
 */
static void
flush_acks(struct mn_engine *e, bool all)
{
	uint32_t i, kept = 0;

	for (i = 0; i < e->ack_count; i++) {
		uint32_t idx = e->ack_list[i];
		struct mn_flow *f = &e->flows.flows[idx];

		if (!f->ack_due || f->state == MN_FLOW_FREE)
			continue;
		if (all || f->ack_now || f->rx_unacked > 1 || e->now >= f->ack_at)
			mn_out_ctrl(e, f, MN_PKT_ACK, f->snd_nxt);
		else
			e->ack_list[kept++] = idx;
	}
	e->ack_count = kept;
}

/*
 * Acks go out at the end of the receive burst, except that the ack of a
 * lone in-order packet waits up to transport.ack_delay_us for data of ours
 * to carry it (a request's answer, at window 1): one packet each way
 * instead of two. What the sender must learn at once (a gap, a duplicate,
 * a second packet, a closed window) is acked at the end of the burst.
 */
static void
ack_later(struct mn_engine *e, struct mn_flow *f, bool at_once)
{
	if (at_once || e->cfg->ack_delay_us == 0 ||
	    mn_proto_rx_window(e, f) == 0)
		f->ack_now = true;
	if (f->ack_due)
		return;
	if (e->ack_count == RTE_DIM(e->ack_list))
		flush_acks(e, true);
	f->ack_due = true;
	f->ack_at = e->now + (uint64_t)e->cfg->ack_delay_us * MN_NS_PER_US;
	e->ack_list[e->ack_count++] = mn_flow_index(&e->flows, f);
}

void
mn_proto_flush_acks(struct mn_engine *e)
{
	flush_acks(e, false);
}

/* An intact datagram sums, with its pseudo-header, to 0xffff. */
static bool
l4_checksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	       const struct rte_udp_hdr *udp, uint32_t l4_len)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	if (l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	return udp->dgram_cksum == 0 ||
	       mn_cksum_add(rte_ipv4_phdr_cksum(ip, 0), mn_cksum(udp, l4_len)) == 0xffff;
}

static bool
ip_checksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	       uint32_t ihl)
{
	uint64_t l3 = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (l3 == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return true;
	if (l3 == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return false;
	return rte_raw_cksum(ip, ihl) == 0xffff;
}

/* Fills p from a Machnet-over-UDP frame for us; false if it is not one. */
static bool
parse(const struct mn_engine *e, const struct rte_mbuf *m, struct mn_pkt *p)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr);
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct mn_hdr *h;
	uint32_t ihl, ip_len, udp_len;

	if (m->data_len < l2 + sizeof(*ip))
		return false;
	p->eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(p->eth + 1);
	ihl = rte_ipv4_hdr_len(ip);
	ip_len = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
	    ip_len < ihl || l2 + ip_len > m->data_len ||
	    ip->next_proto_id != IPPROTO_UDP ||
	    rte_be_to_cpu_32(ip->dst_addr) != e->ifc.ip ||
	    (rte_be_to_cpu_16(ip->fragment_offset) &
	     (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
	    !ip_checksum_ok(m, ip, ihl))
		return false;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	udp_len = rte_be_to_cpu_16(udp->dgram_len);
	if (ip_len - ihl < sizeof(*udp) + sizeof(*h) || udp_len > ip_len - ihl ||
	    udp_len < sizeof(*udp) + sizeof(*h) ||
	    !l4_checksum_ok(m, ip, udp, ip_len - ihl))
		return false;
	h = (const struct mn_hdr *)(udp + 1);
	if (rte_be_to_cpu_16(h->magic) != MN_WIRE_MAGIC ||
	    h->version != MN_WIRE_VERSION)
		return false;
	p->key.local_ip = e->ifc.ip;
	p->key.remote_ip = rte_be_to_cpu_32(ip->src_addr);
	p->key.local_port = rte_be_to_cpu_16(udp->dst_port);
	p->key.remote_port = rte_be_to_cpu_16(udp->src_port);
	p->type = h->type;
	p->flags = h->flags;
	p->window = rte_be_to_cpu_16(h->window);
	p->seq = rte_be_to_cpu_32(h->seq);
	p->ack = rte_be_to_cpu_32(h->ack);
	p->msg_len = rte_be_to_cpu_32(h->msg_len);
	p->mss = rte_be_to_cpu_32(h->mss);
	p->ts = rte_be_to_cpu_64(h->ts);
	p->ts_echo = rte_be_to_cpu_64(h->ts_echo);
	p->sack = rte_be_to_cpu_64(h->sack);
	p->payload_off = l2 + ihl + (uint32_t)(sizeof(*udp) + sizeof(*h));
	p->payload_len = udp_len - (uint32_t)(sizeof(*udp) + sizeof(*h));
	return true;
}

/*
 * An ack that only the real peer answers usefully (RFC 5961): sent for an
 * RST that is in the window but not exact and for a SYN on a flow. A peer
 * that really reset answers it with an exact RST, from this ack's ack.
 * At most MN_CHALLENGE_ACKS_PER_S a second, so that forged packets cannot
 * make us a flooder.
 */
#define MN_CHALLENGE_ACKS_PER_S 1000

static void
challenge(struct mn_engine *e, struct mn_flow *f)
{
	uint64_t second = e->now / MN_NS_PER_S;

	if (second != e->challenge_second) {
		e->challenge_second = second;
		e->challenges = 0;
	}
	if (e->challenges >= MN_CHALLENGE_ACKS_PER_S)
		return;
	e->challenges++;
	e->state->counters.challenge_acks++;
	mn_out_ctrl(e, f, MN_PKT_ACK, f->snd_nxt);
}

static void
on_syn(struct mn_engine *e, struct mn_flow *f, const struct mn_pkt *p)
{
	if (f == NULL) {
		mn_hs_on_syn(e, p);
		return;
	}
	/* Our own connect on this 4-tuple is under way. */
	if (f->pending_cmd != MN_FLOW_NONE) {
		mn_proto_refuse(e, p, MN_PKT_RST);
		return;
	}
	/* A SYN never ends a flow (RFC 5961, 4): a peer that restarted
	 * answers the challenge with an RST that does. */
	challenge(e, f);
}

static void
on_synack(struct mn_engine *e, struct mn_flow *f, const struct mn_pkt *p)
{
	if (f->state == MN_FLOW_SYN_SENT && p->ack == f->snd_una) {
		f->state = MN_FLOW_ESTABLISHED;
		f->peer_isn = p->seq;
		f->rcv_nxt = p->seq;
		/* Our SYN offered at most a full window, before we knew the seq. */
		f->rcv_edge = p->seq + e->flows.window;
		f->peer_window = p->window;
		f->ts_recent = p->ts;
		/* Before the application hears of the flow: it cuts its
		 * messages to this. */
		mn_flow_set_mss(f, mn_wire_flow_mss(e->mss, p->mss));
		mn_engine_connect_done(e, f, 0);
		/* The last leg: the listener makes its flow on it, or on our
		 * first data if it is lost. */
		mn_out_ctrl(e, f, MN_PKT_ACK, f->snd_nxt);
		return;
	}
	/* The listener did not get that last ack and asks again. */
	if (f->state >= MN_FLOW_ESTABLISHED && p->seq == f->peer_isn &&
	    p->ack == f->snd_una) {
		mn_out_ctrl(e, f, MN_PKT_ACK, f->snd_nxt);
		return;
	}
	e->state->counters.handshake_invalid++;
}

/* Finishes a locally closed flow once the peer has everything. */
static void
maybe_finish_close(struct mn_engine *e, struct mn_flow *f)
{
	if (f->state == MN_FLOW_CLOSING && !mn_flow_tx_pending(f))
		mn_engine_send_fin(e, f);
}

/* Marks what the peer holds beyond its cumulative ack. */
static uint32_t
apply_sack(struct mn_flow *f, uint32_t ack, uint64_t sack)
{
	uint32_t newly = 0;
	unsigned int i;

	for (i = 0; i < 64 && sack != 0; i++, sack >>= 1) {
		uint32_t seq = ack + 1 + i;
		struct mn_tx_slot *slot;

		if (!(sack & 1) || !mn_seq_leq(f->snd_una, seq) ||
		    !mn_seq_lt(seq, f->snd_nxt))
			continue;
		slot = &f->tx[seq & f->tx_mask];
		if (!slot->sacked) {
			slot->sacked = true;
			newly++;
		}
		if (mn_seq_leq(f->sack_high, seq))
			f->sack_high = seq + 1;
	}
	return newly;
}

/*
 * The first ack of new data after a timeout tells whether the timeout was
 * needed: if it echoes the clock of a packet sent before the timeout, the
 * original got through and only its ack was late (a peer not scheduled for
 * a while), so the window keeps what it had (the Eifel algorithm, RFC
 * 3522, with the echoed clock as its timestamp). When the retransmission
 * reached the receiver first, its clock is echoed and the cut stays.
 */
static void
judge_timeout(struct mn_engine *e, struct mn_flow *f, uint64_t ts_echo)
{
	if (ts_echo != 0 && ts_echo < f->rto_resent_at) {
		f->cc.cwnd = RTE_MAX(f->cc.cwnd, f->cwnd_before_rto);
		e->state->counters.rto_spurious++;
	}
	f->rto_resent_at = 0;
}

static void
on_ack(struct mn_engine *e, struct mn_flow *f, const struct mn_pkt *p)
{
	uint32_t acked;

	f->retries = 0; /* the peer is alive */
	f->last_heard = e->now;
	f->peer_window = p->window;
	acked = mn_flow_ack(f, p->ack);
	if (mn_seq_lt(f->sack_high, f->snd_una))
		f->sack_high = f->snd_una;
	if (acked > 0 && f->rto_resent_at != 0)
		judge_timeout(e, f, p->ts_echo);
	if (acked > 0 && p->ts_echo != 0 && p->ts_echo <= e->now) {
		uint64_t rtt = e->now - p->ts_echo;

		mn_rto_sample(&f->rto, rtt);
		mn_cc_on_ack(&f->cc, &e->cc, acked, rtt, f->rto.srtt, e->now);
	}
	if (apply_sack(f, p->ack, p->sack) > 0 &&
	    mn_out_retransmit_holes(e, f) > 0)
		mn_cc_on_loss(&f->cc, &e->cc, f->rto.srtt, e->now);
	/* Also after a keepalive's answer, with nothing to send. */
	if (acked > 0 || p->window > 0 || !mn_flow_tx_pending(f))
		mn_engine_arm_timer(e, f);
	if (f->unsent_head != NULL)
		mn_engine_tx_list_add(e, f);
	if (f->state == MN_FLOW_FIN_SENT && f->snd_una == f->snd_nxt) {
		mn_flow_destroy(&e->flows, f);
		return;
	}
	maybe_finish_close(e, f);
}

uint32_t
mn_proto_rx_window(const struct mn_engine *e, const struct mn_flow *f)
{
	if (f->channel == MN_CHANNEL_NONE)
		return e->flows.window;
	if (e->pool_tight)
		return 0;
	return RTE_MIN(e->flows.window, mn_share_rx_room(f));
}

/*
 * Whether seq lies in a window we offered the peer, or in the one we would
 * offer now. Beyond it is only a probe of a closed window: the sender
 * keeps the packet and sends it again once the window opens, and taking
 * it would let a probe at a time fill a share that is full.
 */
static bool
in_window(const struct mn_engine *e, const struct mn_flow *f, uint32_t seq)
{
	return mn_seq_lt(seq, f->rcv_edge) ||
	       seq - f->rcv_nxt < mn_proto_rx_window(e, f);
}

/*
 * The messages of a coalesced packet, taken apart on arrival (m stands for
 * them from then on, linked by next_msg): in order they go on as they
 * are, but never into the middle of a message.
 */
static void
accept_coalesced(struct mn_engine *e, struct mn_flow *f,
		 struct mn_flow_counts *c, struct rte_mbuf *m, uint32_t count)
{
	struct rte_mbuf *next;

	if (mn_reasm_held(&f->reasm) != 0) {
		mn_share_rx_uncharge(f, mn_reasm_held(&f->reasm) + count);
		mn_reasm_reset(&f->reasm);
		for (; m != NULL; m = next) {
			next = mn_msg_meta(m)->next_msg;
			rte_pktmbuf_free(m);
		}
		e->state->counters.rx_dropped++;
		return;
	}
	for (; m != NULL; m = next) {
		next = mn_msg_meta(m)->next_msg;
		mn_stats_add(&c->rx_bytes, m->data_len);
		mn_stats_add(&c->rx_msgs, 1);
		mn_engine_deliver(e, f, m);
	}
}

/* Hands one in-order segment to reassembly and, when complete, onwards. */
static void
accept_in_order(struct mn_engine *e, struct mn_flow *f, struct rte_mbuf *m,
		uint8_t flags, uint32_t msg_len)
{
	struct mn_flow_counts *c = &mn_flow_stats_of(&e->flows, f)->counts;
	uint32_t held = mn_reasm_held(&f->reasm);
	struct rte_mbuf *msg;

	f->rcv_nxt++;
	if (flags & MN_PKT_F_COALESCED) {
		accept_coalesced(e, f, c, m, msg_len);
		return;
	}
	mn_stats_add(&c->rx_bytes, m->data_len);
	switch (mn_reasm_push(&f->reasm, m, flags, msg_len, &msg)) {
	case MN_REASM_DONE:
		mn_stats_add(&c->rx_msgs, 1);
		mn_engine_deliver(e, f, msg);
		break;
	case MN_REASM_ERROR:
		/* the segment and the partial message it belonged to */
		mn_share_rx_uncharge(f, held + 1);
		e->state->counters.rx_dropped++;
		break;
	case MN_REASM_MORE:
		break;
	}
}

/*
 * A coalesced packet becomes its messages as it arrives, in or out of
 * order, so that taking it apart later cannot fail for want of buffers:
 * without them it is dropped unacknowledged, and comes again. It is then
 * charged as the buffers it became (see on_data). False: *m is gone.
 */
static bool
take_apart(struct mn_engine *e, struct mn_flow *f, const struct mn_pkt *p,
	   struct rte_mbuf **m)
{
	struct rte_mbuf *msgs;

	if (mn_coalesce_split(e->pool, *m, p->msg_len, &msgs) != 0) {
		drop(e, *m);
		return false;
	}
	rte_pktmbuf_free(*m);
	*m = msgs;
	mn_share_rx_charge(f, p->msg_len - 1);
	return true;
}

static void
on_data(struct mn_engine *e, struct mn_flow *f, const struct mn_pkt *p,
	struct rte_mbuf *m)
{
	uint32_t ahead = p->seq - f->rcv_nxt;
	struct mn_rx_slot *slot;

	/* Anything but the next packet in order on an orderly flow is news
	 * the sender needs at once (a gap filled moves the ack far). */
	ack_later(e, f, ahead != 0 || f->rx_held > 0);
	/* Old (a duplicate) or beyond what the receive ring can hold. */
	if (ahead > f->rx_mask) {
		if ((int32_t)ahead < 0) {
			/* Sent again because our ack was lost: echo this copy's
			 * clock, or the sender takes its timeout for an RTT. */
			if (p->ts > f->ts_recent)
				f->ts_recent = p->ts;
			e->state->counters.rx_duplicate++;
		} else {
			e->state->counters.rx_beyond_window++;
		}
		drop(e, m);
		return;
	}
	if (!in_window(e, f, p->seq)) {
		e->state->counters.rx_beyond_window++;
		drop(e, m);
		return;
	}
	rte_pktmbuf_adj(m, (uint16_t)p->payload_off);
	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - p->payload_len));
	if (ahead > 0) {
		slot = &f->rx[p->seq & f->rx_mask];
		if (slot->m != NULL) {
			e->state->counters.rx_duplicate++;
			drop(e, m);
			return;
		}
		if ((p->flags & MN_PKT_F_COALESCED) && !take_apart(e, f, p, &m))
			return;
		slot->m = m;
		f->rx_held++;
		slot->flags = p->flags;
		slot->msg_len = p->msg_len;
		mn_share_rx_charge(f, 1);
		return;
	}
	if ((p->flags & MN_PKT_F_COALESCED) && !take_apart(e, f, p, &m))
		return;
	mn_share_rx_charge(f, 1);
	f->ts_recent = p->ts;
	f->rx_unacked++;
	accept_in_order(e, f, m, p->flags, p->msg_len);
	for (slot = &f->rx[f->rcv_nxt & f->rx_mask]; slot->m != NULL;
	     slot = &f->rx[f->rcv_nxt & f->rx_mask]) {
		m = slot->m;
		slot->m = NULL;
		f->rx_held--;
		accept_in_order(e, f, m, slot->flags, slot->msg_len);
	}
}

/*
 * RFC 5961, 3: an RST ends a flow only at exactly the seq we expect next,
 * which a blind sender has to guess among 2^32; one merely in the window
 * gets a challenge ack. On a connect, it must answer our SYN's ISN.
 */
static void
on_rst(struct mn_engine *e, struct mn_flow *f, const struct mn_pkt *p)
{
	if (f->state == MN_FLOW_SYN_SENT && p->ack == f->snd_una) {
		mn_engine_connect_done(e, f, ECONNREFUSED);
		return;
	}
	if (f->state >= MN_FLOW_ESTABLISHED) {
		if (p->seq == f->rcv_nxt) {
			mn_engine_flow_fail(e, f, MN_MSG_EV_RESET);
			return;
		}
		if (p->seq - f->rcv_nxt <= f->rx_mask) {
			challenge(e, f);
			return;
		}
	}
	e->state->counters.rst_invalid++;
}

/* The listening host had no room for the flow: connect says EAGAIN. */
static void
on_busy(struct mn_engine *e, struct mn_flow *f, const struct mn_pkt *p)
{
	if (f->state == MN_FLOW_SYN_SENT && p->ack == f->snd_una)
		mn_engine_connect_done(e, f, EAGAIN);
	else
		e->state->counters.handshake_invalid++;
}

static void
on_fin(struct mn_engine *e, struct mn_flow *f)
{
	mn_out_ctrl(e, f, MN_PKT_ACK, f->snd_nxt);
	mn_engine_flow_fail(e, f, MN_MSG_EV_CLOSED);
}

/*
 * A packet for no flow: one we no longer have, or a forged one. An RST or
 * BUSY is never answered (two ends without the flow would answer each
 * other for good); anything else gets an exact RST, which ends the flow
 * where the sender still has it.
 */
static void
no_flow(struct mn_engine *e, struct rte_mbuf *m, const struct mn_pkt *p)
{
	if (p->type != MN_PKT_RST && p->type != MN_PKT_BUSY)
		mn_proto_refuse(e, p, MN_PKT_RST);
	e->state->counters.rx_no_flow++;
	drop(e, m);
}

static void
machnet_input(struct mn_engine *e, struct rte_mbuf *m, const struct mn_pkt *p)
{
	struct mn_flow *f = mn_flow_lookup(&e->flows, &p->key);
	struct mn_half_open *h;

	if (p->type == MN_PKT_SYN) {
		on_syn(e, f, p);
		rte_pktmbuf_free(m);
		return;
	}
	if (f == NULL && (h = mn_half_open_find(&e->half_open, &p->key)) != NULL) {
		f = mn_hs_on_packet(e, h, p);
		if (f == NULL) {
			drop(e, m);
			return;
		}
	}
	if (f == NULL) {
		no_flow(e, m, p);
		return;
	}
	switch (p->type) {
	case MN_PKT_SYNACK:
		on_synack(e, f, p);
		break;
	case MN_PKT_DATA:
		if (f->state != MN_FLOW_ESTABLISHED && f->state != MN_FLOW_CLOSING)
			break;
		on_ack(e, f, p);
		if (f->state == MN_FLOW_FREE) /* the ack finished a close */
			break;
		on_data(e, f, p, m);
		return;
	case MN_PKT_ACK:
		/* An ack before the handshake: the peer still has an earlier
		 * flow of this 4-tuple and challenges our SYN. The exact RST
		 * ends that flow, and our next SYN starts ours (RFC 5961). */
		if (f->state == MN_FLOW_SYN_SENT)
			mn_proto_refuse(e, p, MN_PKT_RST);
		if (f->state < MN_FLOW_ESTABLISHED)
			break;
		/* A keepalive: the peer wants to hear from us now. */
		if (p->flags & MN_PKT_F_ACK_NOW)
			ack_later(e, f, true);
		on_ack(e, f, p);
		break;
	case MN_PKT_RST:
		on_rst(e, f, p);
		break;
	case MN_PKT_BUSY:
		on_busy(e, f, p);
		break;
	case MN_PKT_FIN:
		if (f->state >= MN_FLOW_ESTABLISHED)
			on_fin(e, f);
		break;
	default:
		e->state->counters.rx_dropped++;
		break;
	}
	rte_pktmbuf_free(m);
}

static void
ipv4_input(struct mn_engine *e, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip;
	struct mn_pkt p;

	if (m->data_len < sizeof(struct rte_ether_hdr) + sizeof(*ip)) {
		drop_malformed(e, m);
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				     sizeof(struct rte_ether_hdr));
	if (ip->next_proto_id == IPPROTO_ICMP) {
		m = mn_icmp_input(&e->ifc, m);
		if (m != NULL) {
			e->state->counters.icmp_echo_replies++;
			mn_out_tx(e, m);
		}
		return;
	}
	if (!parse(e, m, &p)) {
		drop_malformed(e, m);
		return;
	}
	machnet_input(e, m, &p);
}

void
mn_proto_input(struct mn_engine *e, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;

	e->state->counters.rx_packets++;
	if (m->nb_segs != 1 || m->data_len < sizeof(*eth)) {
		drop_malformed(e, m);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	switch (rte_be_to_cpu_16(eth->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		m = mn_arp_input(&e->arp, &e->ifc, m, e->now);
		if (m != NULL) {
			e->state->counters.arp_replies_sent++;
			mn_out_tx(e, m);
		}
		/* A connect waiting for this answer sends its SYN now, not at
		 * the next timer tick. */
		mn_engine_connect_timers(e);
		break;
	case RTE_ETHER_TYPE_IPV4:
		ipv4_input(e, m);
		break;
	default:
		drop_malformed(e, m);
		break;
	}
}
