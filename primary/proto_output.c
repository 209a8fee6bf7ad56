/*
 * proto_output.c: the transport's output path.
 *
 * Data segments arrive from applications with room for every header in
 * front of the payload, so headers are prepended in place. The flow keeps
 * that frame until the peer acknowledges it. The NIC gets the frame itself
 * with a second reference where the PMD only reads it and then lets go
 * (af_packet, memif, af_xdp: port.c), and a copy elsewhere. A
 * retransmission rewrites the frame's feedback and clock, so a frame the
 * NIC still holds is first replaced by a copy of its own.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "coalesce.h"
#include "mn_cksum.h"
#include "mn_wire.h"
#include "proto.h"
#include "share.h"

struct frame_addr {
	const struct rte_ether_addr *dst_mac;
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
};

static inline struct rte_ipv4_hdr *
frame_ip(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				       sizeof(struct rte_ether_hdr));
}

static inline struct mn_hdr *
frame_mn(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct mn_hdr *,
				       MN_WIRE_HDRS_LEN - sizeof(struct mn_hdr));
}

/*
 * The UDP checksum of a data frame from the payload's sum, which libmachnet
 * computed while copying it in: the engine sums only the pseudo-header and
 * the 56 bytes of UDP and Machnet header in front of it (an even count, so
 * the payload's 16-bit words line up).
 */
static uint16_t
udp_cksum_over_payload_sum(const struct rte_ipv4_hdr *ip,
			   const struct rte_udp_hdr *udp, uint16_t payload_sum)
{
	uint16_t sum = mn_cksum_add(rte_ipv4_phdr_cksum(ip, 0),
				    mn_cksum(udp, sizeof(*udp) + sizeof(struct mn_hdr)));
	uint16_t cksum = (uint16_t)~mn_cksum_add(sum, payload_sum);

	return cksum == 0 ? 0xffff : cksum; /* 0 would mean "no checksum" */
}

/*
 * Checksums last: the Machnet header is covered by UDP's. payload_sum is
 * the data segment's (mn_msg_meta), or NULL for a frame the engine built.
 */
static void
frame_checksum(const struct mn_engine *e, struct rte_mbuf *m,
	       const uint16_t *payload_sum)
{
	struct rte_ipv4_hdr *ip = frame_ip(m);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	ip->hdr_checksum = 0;
	udp->dgram_cksum = 0;
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	m->ol_flags &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			 RTE_MBUF_F_TX_UDP_CKSUM);
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (e->ifc.tx_ip_cksum_offload)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (e->ifc.tx_udp_cksum_none) {
		udp->dgram_cksum = 0;
	} else if (e->ifc.tx_udp_cksum_offload) {
		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else if (payload_sum != NULL) {
		udp->dgram_cksum = udp_cksum_over_payload_sum(ip, udp, *payload_sum);
	} else {
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
}

/* Writes Ethernet, IPv4 and UDP headers in front of the Machnet header. */
static void
frame_fill(const struct mn_engine *e, struct rte_mbuf *m,
	   const struct frame_addr *a, uint32_t payload_len)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t l4_len = (uint16_t)(sizeof(*udp) + sizeof(struct mn_hdr) +
				     payload_len);

	rte_ether_addr_copy(a->dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&e->ifc.mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(a->src_ip);
	ip->dst_addr = rte_cpu_to_be_32(a->dst_ip);
	udp->src_port = rte_cpu_to_be_16(a->src_port);
	udp->dst_port = rte_cpu_to_be_16(a->dst_port);
	udp->dgram_len = rte_cpu_to_be_16(l4_len);
}

static void
hdr_fill(const struct mn_engine *e, struct mn_hdr *h, uint8_t type,
	 uint8_t flags, uint32_t seq, uint32_t msg_len)
{
	h->magic = rte_cpu_to_be_16(MN_WIRE_MAGIC);
	h->version = MN_WIRE_VERSION;
	h->type = type;
	h->flags = flags;
	h->reserved = 0;
	h->window = 0;
	h->seq = rte_cpu_to_be_32(seq);
	h->ack = 0;
	h->msg_len = rte_cpu_to_be_32(msg_len);
	/* Offered in the handshake only (PROTOCOL.md, "MSS"). */
	h->mss = type == MN_PKT_SYN || type == MN_PKT_SYNACK ?
		 rte_cpu_to_be_32(e->mss) : 0;
	h->sack = 0;
	h->ts = rte_cpu_to_be_64(e->now);
	h->ts_echo = 0;
}

/*
 * What a flow tells its peer in every packet: the cumulative ack, which
 * packets beyond it arrived, how much more it can take, and the clock to
 * echo. Refreshed on retransmissions too.
 */
static void
hdr_fill_feedback(struct mn_engine *e, struct mn_flow *f, struct mn_hdr *h)
{
	uint32_t window = mn_proto_rx_window(e, f);
	uint64_t sack = 0;
	unsigned int i;

	/* Most packets arrive in order: then there is nothing to scan. */
	for (i = 0; f->rx_held > 0 && i < 64 && i < f->rx_mask; i++)
		if (f->rx[(f->rcv_nxt + 1 + i) & f->rx_mask].m != NULL)
			sack |= 1ull << i;
	if (window == 0) {
		f->advertised_zero = true;
		if (f->share != NULL)
			f->share->window_closed = true;
	}
	/* The peer may send up to here from now on, even if room shrinks. */
	if (mn_seq_lt(f->rcv_edge, f->rcv_nxt + window))
		f->rcv_edge = f->rcv_nxt + window;
	h->window = rte_cpu_to_be_16((uint16_t)RTE_MIN(window, (uint32_t)UINT16_MAX));
	h->ack = rte_cpu_to_be_32(f->rcv_nxt);
	h->sack = rte_cpu_to_be_64(sack);
	h->ts_echo = rte_cpu_to_be_64(f->ts_recent);
	f->ack_due = false;
	f->ack_now = false;
	f->rx_unacked = 0;
}

static void
flow_addr(const struct mn_flow *f, struct frame_addr *a)
{
	a->dst_mac = &f->remote_mac;
	a->src_ip = f->key.local_ip;
	a->dst_ip = f->key.remote_ip;
	a->src_port = f->key.local_port;
	a->dst_port = f->key.remote_port;
}

static bool
frame_to_self(const struct mn_engine *e, const struct rte_mbuf *m)
{
	return rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
				      &e->ifc.mac);
}

void
mn_out_tx(struct mn_engine *e, struct rte_mbuf *m)
{
	/* A frame to our own address goes straight back to input. */
	if (frame_to_self(e, m)) {
		if (rte_ring_sp_enqueue(e->loopback, m) != 0) {
			rte_pktmbuf_free(m);
			e->state->counters.rx_dropped++;
		}
		return;
	}
	if (e->txbuf_len == MN_TXBUF_SIZE) {
		rte_pktmbuf_free(m);
		return;
	}
	e->txbuf[e->txbuf_len++] = m;
}

void
mn_out_flush(struct mn_engine *e)
{
	uint16_t sent;

	/* Faults hit each packet once, not again while it waits for the NIC. */
	if (unlikely(e->fault.enabled))
		e->txbuf_len = e->txbuf_faulted +
			mn_fault_apply(&e->fault.tx, e->txbuf + e->txbuf_faulted,
				       (uint16_t)(e->txbuf_len - e->txbuf_faulted),
				       (uint16_t)(MN_TXBUF_SIZE - e->txbuf_faulted),
				       e->now, e->pool);
	if (e->txbuf_len == 0)
		return;
	sent = rte_eth_tx_burst(e->ifc.port_id, 0, e->txbuf,
				(uint16_t)RTE_MIN(e->txbuf_len, (uint32_t)UINT16_MAX));
	e->state->counters.tx_packets += sent;
	if (sent < e->txbuf_len)
		memmove(e->txbuf, e->txbuf + sent,
			(e->txbuf_len - sent) * sizeof(e->txbuf[0]));
	e->txbuf_len -= sent;
	e->txbuf_faulted = e->txbuf_len;
}

static struct rte_mbuf *
ctrl_alloc(struct mn_engine *e)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->pool);

	if (m != NULL && rte_pktmbuf_append(m, MN_WIRE_HDRS_LEN) == NULL) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	return m;
}

static void
ctrl_send(struct mn_engine *e, struct mn_flow *f, uint8_t type, uint8_t flags,
	  uint32_t seq)
{
	struct rte_mbuf *m = ctrl_alloc(e);
	struct frame_addr a;

	if (m == NULL)
		return;
	flow_addr(f, &a);
	frame_fill(e, m, &a, 0);
	hdr_fill(e, frame_mn(m), type, flags, seq, 0);
	hdr_fill_feedback(e, f, frame_mn(m));
	frame_checksum(e, m, NULL);
	mn_out_tx(e, m);
}

void
mn_out_ctrl(struct mn_engine *e, struct mn_flow *f, uint8_t type, uint32_t seq)
{
	ctrl_send(e, f, type, 0, seq);
}

void
mn_out_keepalive(struct mn_engine *e, struct mn_flow *f)
{
	ctrl_send(e, f, MN_PKT_ACK, MN_PKT_F_ACK_NOW, f->snd_nxt);
}

void
mn_out_flowless(struct mn_engine *e, const struct mn_flowless *p)
{
	struct rte_mbuf *m = ctrl_alloc(e);
	struct frame_addr a = {
		.dst_mac = p->dst_mac,
		.src_ip = p->key->local_ip,
		.dst_ip = p->key->remote_ip,
		.src_port = p->key->local_port,
		.dst_port = p->key->remote_port,
	};
	struct mn_hdr *h;

	if (m == NULL)
		return;
	frame_fill(e, m, &a, 0);
	h = frame_mn(m);
	hdr_fill(e, h, p->type, 0, p->seq, 0);
	h->ack = rte_cpu_to_be_32(p->ack);
	h->window = rte_cpu_to_be_16(p->window);
	h->ts_echo = rte_cpu_to_be_64(p->ts_echo);
	frame_checksum(e, m, NULL);
	mn_out_tx(e, m);
}

/*
 * Hands the NIC a kept frame. A frame to ourselves is always a copy: input
 * takes it apart. Without a buffer for a copy the segment simply stays
 * unsent in flight: the retransmission timer sends it once the pool has
 * room again.
 */
static void
tx_kept(struct mn_engine *e, struct rte_mbuf *m)
{
	struct rte_mbuf *copy;

	if (e->ifc.tx_shares_frames && !frame_to_self(e, m)) {
		rte_mbuf_refcnt_update(m, 1);
		mn_out_tx(e, m);
		return;
	}
	copy = rte_pktmbuf_copy(m, e->pool, 0, UINT32_MAX);
	if (copy != NULL)
		mn_out_tx(e, copy);
}

/* Gives the slot a frame of its own if the NIC still holds its current one. */
static bool
slot_own_frame(struct mn_engine *e, struct mn_tx_slot *slot)
{
	struct rte_mbuf *copy;

	if (rte_mbuf_refcnt_read(slot->m) == 1)
		return true;
	copy = rte_pktmbuf_copy(slot->m, e->pool, 0, UINT32_MAX);
	if (copy == NULL)
		return false;
	*mn_msg_meta(copy) = *mn_msg_meta(slot->m);
	rte_pktmbuf_free(slot->m);
	slot->m = copy;
	return true;
}

/* Packets the flow may have in flight now: 0 while the peer has no room. */
static uint32_t
send_window(const struct mn_engine *e, const struct mn_flow *f)
{
	uint32_t w = RTE_MIN(e->flows.window, f->peer_window);

	return RTE_MIN(w, mn_cc_window(&f->cc));
}

/*
 * Packs the whole small messages queued after m into m's packet while they
 * fit (coalesce.c); their buffers go back at once, and with them their
 * part of the flow's send share.
 */
static void
coalesce_queued(struct mn_engine *e, struct mn_flow *f, struct rte_mbuf *m)
{
	struct rte_mbuf *next;

	while (mn_coalesce_fits(m, next = m->next, f->mss)) {
		mn_coalesce_add(m, next);
		m->next = next->next;
		if (f->unsent_tail == next)
			f->unsent_tail = m;
		next->next = NULL;
		rte_pktmbuf_free(next);
		mn_share_tx_release(f, 1);
		e->state->counters.msgs_coalesced++;
	}
	mn_coalesce_finish(m);
}

/* The messages and their bytes a segment carries, for the flow's record. */
static void
count_sent(struct mn_flow_counts *c, const struct mn_msg_meta *meta,
	   uint32_t payload_len)
{
	if (meta->seg_flags & MN_PKT_F_COALESCED) {
		mn_stats_add(&c->tx_bytes, payload_len - MN_COALESCE_REC_HDR * meta->msg_len);
		mn_stats_add(&c->tx_msgs, meta->msg_len);
		return;
	}
	mn_stats_add(&c->tx_bytes, payload_len);
	if (meta->seg_flags & MN_PKT_F_MSG_LAST)
		mn_stats_add(&c->tx_msgs, 1);
}

/* Turns the next unsent segment into a frame and sends it. */
static void
send_next(struct mn_engine *e, struct mn_flow *f, const struct frame_addr *a)
{
	struct rte_mbuf *m = f->unsent_head;
	const struct mn_msg_meta *meta = mn_msg_meta(m);
	struct mn_tx_slot *slot = &f->tx[f->snd_nxt & f->tx_mask];
	struct mn_flow_counts *c = &mn_flow_stats_of(&e->flows, f)->counts;
	uint32_t payload_len;

	if (mn_coalesce_fits(m, m->next, f->mss))
		coalesce_queued(e, f, m);
	payload_len = m->data_len;
	count_sent(c, meta, payload_len);
	f->unsent_head = m->next;
	if (f->unsent_head == NULL)
		f->unsent_tail = NULL;
	m->next = NULL;
	m->nb_segs = 1;
	m->pkt_len = payload_len;
	rte_pktmbuf_prepend(m, MN_WIRE_HDRS_LEN);
	frame_fill(e, m, a, payload_len);
	hdr_fill(e, frame_mn(m), MN_PKT_DATA, (uint8_t)meta->seg_flags,
		 f->snd_nxt, meta->msg_len);
	hdr_fill_feedback(e, f, frame_mn(m));
	frame_checksum(e, m, &meta->payload_sum);
	slot->m = m;
	slot->sent_at = e->now;
	slot->sacked = false;
	f->snd_nxt++;
	f->last_sent_at = e->now;
	if (f->rto_at == 0)
		f->rto_at = e->now + f->rto.rto;
	tx_kept(e, m);
}

/*
 * Below one packet per round trip a flow waits RTT/cwnd after its last
 * packet, with the window as it is now: an ack that lifted the window
 * ends a wait that the old, smaller window had set.
 */
static bool
pacing_allows(const struct mn_engine *e, const struct mn_flow *f)
{
	return e->now - f->last_sent_at >= mn_cc_pacing_gap(&f->cc, f->rto.srtt);
}

uint32_t
mn_out_data(struct mn_engine *e, struct mn_flow *f, uint32_t budget)
{
	uint32_t window = send_window(e, f);
	uint32_t sent = 0;
	struct frame_addr a;

	if (!pacing_allows(e, f))
		return 0;
	flow_addr(f, &a);
	while (sent < budget && f->unsent_head != NULL &&
	       mn_flow_in_flight(f) < window && mn_out_room(e) > 0) {
		send_next(e, f, &a);
		sent++;
	}
	return sent;
}

bool
mn_out_can_send(const struct mn_engine *e, const struct mn_flow *f)
{
	return f->unsent_head != NULL && mn_flow_in_flight(f) < send_window(e, f);
}

void
mn_out_probe(struct mn_engine *e, struct mn_flow *f)
{
	struct frame_addr a;

	if (f->unsent_head == NULL || mn_out_room(e) == 0)
		return;
	flow_addr(f, &a);
	send_next(e, f, &a);
}

static void
resend(struct mn_engine *e, struct mn_flow *f, uint32_t seq)
{
	struct mn_tx_slot *slot = &f->tx[seq & f->tx_mask];
	struct mn_hdr *h;

	if (!slot_own_frame(e, slot))
		return;
	h = frame_mn(slot->m);
	h->ts = rte_cpu_to_be_64(e->now);
	hdr_fill_feedback(e, f, h);
	frame_checksum(e, slot->m, &mn_msg_meta(slot->m)->payload_sum);
	slot->sent_at = e->now;
	tx_kept(e, slot->m);
	e->state->counters.tx_retransmits++;
	mn_stats_add(&mn_flow_stats_of(&e->flows, f)->counts.retransmits, 1);
}

uint32_t
mn_out_retransmit_holes(struct mn_engine *e, struct mn_flow *f)
{
	uint64_t wait = f->rto.srtt != 0 ? f->rto.srtt : f->rto.rto;
	uint32_t seq, n = 0;

	for (seq = f->snd_una; mn_seq_lt(seq, f->sack_high) && mn_out_room(e) > 0;
	     seq++) {
		const struct mn_tx_slot *slot = &f->tx[seq & f->tx_mask];

		/* Once per round trip: a resent hole may still be on its way. */
		if (slot->sacked || e->now - slot->sent_at < wait)
			continue;
		resend(e, f, seq);
		n++;
	}
	return n;
}

void
mn_out_retransmit(struct mn_engine *e, struct mn_flow *f)
{
	uint32_t seq;

	for (seq = f->snd_una; seq != f->snd_nxt && mn_out_room(e) > 0; seq++)
		if (!f->tx[seq & f->tx_mask].sacked)
			resend(e, f, seq);
}
