/*
 * coalesce.h: several small messages of one flow in one packet, and back.
 */
#ifndef MN_COALESCE_H
#define MN_COALESCE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/* Each message's record header: its length, 2 bytes big-endian. */
#define MN_COALESCE_REC_HDR 2
/* The most messages in one packet: each becomes a buffer of its own at
 * the receiver, which counts against the flow's share. */
#define MN_COALESCE_MAX 64

/*
 * Whether pkt, an unsent segment at the head of a flow's queue (a whole
 * one-segment message, or already a coalesced packet), can take msg, the
 * segment queued after it, within mss bytes of payload.
 */
bool mn_coalesce_fits(const struct rte_mbuf *pkt, const struct rte_mbuf *msg,
		      uint32_t mss);

/*
 * Appends msg's bytes to pkt as a record (turning pkt into a coalesced
 * packet first if it is not one yet). The caller checked mn_coalesce_fits
 * and still owns msg.
 */
void mn_coalesce_add(struct rte_mbuf *pkt, const struct rte_mbuf *msg);

/* After the last mn_coalesce_add: the payload's sum for the checksum. */
void mn_coalesce_finish(struct rte_mbuf *pkt);

/*
 * Takes a received coalesced payload (pkt, headers stripped, msg_len count
 * from its header) apart into count one-segment messages from pool,
 * linked by their metadata's next_msg, the first in *msgs. 0, or -1 with
 * nothing allocated when the payload is not count well-formed records or
 * the pool has not enough buffers. pkt is left to the caller.
 */
int mn_coalesce_split(struct rte_mempool *pool, const struct rte_mbuf *pkt,
		      uint32_t count, struct rte_mbuf **msgs);

#endif /* MN_COALESCE_H */
