/*
 * coalesce.c: small messages share packets.
 *
 * Per-packet costs (the PMD, the kernel's veth, an engine pass and an ack
 * at each end) dominate small messages. When a flow already has several
 * whole one-segment messages queued, the sender packs as many as fit its
 * MSS (up to MN_COALESCE_MAX) into the first one's packet, and the
 * receiver takes them apart again, each a message of its own, in order.
 * Nothing ever waits for a message to come: a message alone in the queue
 * goes alone, so a flow with one message in flight is unchanged. Upstream
 * Machnet and eRPC send one packet per message.
 *
 * A coalesced packet is DATA with FIRST, LAST and COALESCED set, msg_len
 * the number of messages (2 or more), and a payload of records, each a
 * 2-byte big-endian length (1 or more) and that many bytes, filling the
 * payload exactly (PROTOCOL.md, "Coalesced packets"). It is one sequence
 * number: lost, it is sent again whole, like any packet.
 */
#include <string.h>

#include <rte_byteorder.h>

#include "coalesce.h"
#include "mn_cksum.h"
#include "mn_msg.h"
#include "mn_wire.h"

#define WHOLE (MN_PKT_F_MSG_FIRST | MN_PKT_F_MSG_LAST)

/* mn_msg_meta() for reading: the private area follows the mbuf. */
static const struct mn_msg_meta *
meta_of(const struct rte_mbuf *m)
{
	return (const struct mn_msg_meta *)(m + 1);
}

static bool
whole_message(const struct rte_mbuf *m)
{
	return (meta_of(m)->seg_flags & WHOLE) == WHOLE;
}

static bool
coalesced(const struct rte_mbuf *m)
{
	return meta_of(m)->seg_flags & MN_PKT_F_COALESCED;
}

/* What pkt's payload is as a coalesced packet. */
static uint32_t
coalesced_len(const struct rte_mbuf *pkt)
{
	return pkt->data_len + (coalesced(pkt) ? 0 : MN_COALESCE_REC_HDR);
}

bool
mn_coalesce_fits(const struct rte_mbuf *pkt, const struct rte_mbuf *msg,
		 uint32_t mss)
{
	if (msg == NULL || !whole_message(pkt) || !whole_message(msg) ||
	    coalesced(msg))
		return false;
	if (coalesced(pkt) && meta_of(pkt)->msg_len >= MN_COALESCE_MAX)
		return false;
	return coalesced_len(pkt) + MN_COALESCE_REC_HDR + msg->data_len <= mss &&
	       rte_pktmbuf_tailroom(pkt) >= MN_COALESCE_REC_HDR + msg->data_len &&
	       (coalesced(pkt) || rte_pktmbuf_headroom(pkt) >=
				  MN_COALESCE_REC_HDR + MN_WIRE_HDRS_LEN);
}

static void
put_len(uint8_t *at, uint16_t len)
{
	rte_be16_t be = rte_cpu_to_be_16(len);

	memcpy(at, &be, sizeof(be));
}

void
mn_coalesce_add(struct rte_mbuf *pkt, const struct rte_mbuf *msg)
{
	struct mn_msg_meta *meta = mn_msg_meta(pkt);
	uint8_t *rec;

	/* Not rte_pktmbuf_prepend or _append: pkt->next is the queue's next
	 * segment, not one of pkt's, and they would walk (and, with mbuf
	 * debugging, check) that chain as pkt's. */
	if (!coalesced(pkt)) {
		uint16_t first = pkt->data_len;

		pkt->data_off -= MN_COALESCE_REC_HDR;
		pkt->data_len += MN_COALESCE_REC_HDR;
		pkt->pkt_len += MN_COALESCE_REC_HDR;
		put_len(rte_pktmbuf_mtod(pkt, uint8_t *), first);
		meta->seg_flags |= MN_PKT_F_COALESCED;
		meta->msg_len = 1;
	}
	rec = rte_pktmbuf_mtod_offset(pkt, uint8_t *, pkt->data_len);
	pkt->data_len += MN_COALESCE_REC_HDR + msg->data_len;
	pkt->pkt_len += MN_COALESCE_REC_HDR + msg->data_len;
	put_len(rec, msg->data_len);
	memcpy(rec + MN_COALESCE_REC_HDR, rte_pktmbuf_mtod(msg, const void *),
	       msg->data_len);
	meta->msg_len++;
}

void
mn_coalesce_finish(struct rte_mbuf *pkt)
{
	mn_msg_meta(pkt)->payload_sum =
		mn_cksum(rte_pktmbuf_mtod(pkt, const void *), pkt->data_len);
}

/* The records' lengths, checked against the payload; false if malformed. */
static bool
records_of(const uint8_t *p, uint32_t len, uint32_t count, uint16_t *lens)
{
	uint32_t off = 0, i;

	for (i = 0; i < count; i++) {
		rte_be16_t be;

		if (len - off < MN_COALESCE_REC_HDR)
			return false;
		memcpy(&be, p + off, sizeof(be));
		lens[i] = rte_be_to_cpu_16(be);
		off += MN_COALESCE_REC_HDR;
		if (lens[i] == 0 || lens[i] > len - off)
			return false;
		off += lens[i];
	}
	return off == len;
}

int
mn_coalesce_split(struct rte_mempool *pool, const struct rte_mbuf *pkt,
		  uint32_t count, struct rte_mbuf **msgs)
{
	const uint8_t *p = rte_pktmbuf_mtod(pkt, const uint8_t *);
	struct rte_mbuf *m[MN_COALESCE_MAX];
	uint16_t lens[MN_COALESCE_MAX];
	uint32_t i, off = 0;

	if (count < 2 || count > MN_COALESCE_MAX ||
	    !records_of(p, pkt->data_len, count, lens) ||
	    rte_pktmbuf_alloc_bulk(pool, m, count) != 0)
		return -1;
	for (i = 0; i < count; i++) {
		off += MN_COALESCE_REC_HDR;
		memcpy(rte_pktmbuf_append(m[i], lens[i]), p + off, lens[i]);
		off += lens[i];
		mn_msg_meta(m[i])->msg_len = lens[i];
		mn_msg_meta(m[i])->next_msg = i + 1 < count ? m[i + 1] : NULL;
	}
	*msgs = m[0];
	return 0;
}
