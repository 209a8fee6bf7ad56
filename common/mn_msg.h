/*
 * mn_msg.h: how a message travels between an application and machnetd.
 *
 * A message is a chain of mbufs from the shared pool, each segment holding
 * at most one packet's payload (the path MSS) after the default headroom,
 * so the engine prepends its headers in place instead of copying. The head
 * segment's private area carries the message metadata. Applications never
 * touch lcore-indexed mempool caches (two processes can share an lcore id),
 * so everything here that allocates or frees goes to the pool directly.
 */
#ifndef MN_MSG_H
#define MN_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/*
 * The largest message, in both processes and on the wire; libmachnet
 * checks that machnet.h's MACHNET_MSG_MAX_LEN says the same.
 */
#define MN_MSG_MAX_LEN (8u * 1024u * 1024u)

/* A flow as this end names it: src is the local end. Host order. */
struct mn_flow_tuple {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
};

/*
 * Where machnetd keeps a flow (its slot in the flow table) and which flow
 * that is (the slot's serial): messages carry it both ways, so that each
 * side finds the flow's counters, and the engine the flow, without a
 * search.
 */
struct mn_flow_ref {
	uint32_t slot;
	uint32_t serial;
};

/* Events the engine reports to an application in place of a message. */
enum mn_msg_event {
	MN_MSG_EV_NONE = 0,   /* an ordinary message */
	MN_MSG_EV_RESET = 1,  /* the flow failed: reset by the peer, or the
			       * peer stopped answering */
	MN_MSG_EV_CLOSED = 2, /* the peer closed the flow */
};

struct mn_msg_meta {
	struct mn_flow_tuple flow;
	struct mn_flow_ref ref;
	uint32_t msg_len;
	uint16_t flags;
	uint16_t event; /* enum mn_msg_event */
	/*
	 * The engine's own use, in every segment: the packet flags (MN_PKT_F_*)
	 * and, in a message head, the link of a queue of whole messages.
	 */
	uint16_t seg_flags;
	/*
	 * The segment's payload summed as the Internet checksum does (folded,
	 * not complemented), by libmachnet while the bytes are in its cache
	 * from the copy: the engine adds only its headers to it.
	 */
	uint16_t payload_sum;
	struct rte_mbuf *next_msg;
};

#define MN_MBUF_PRIV_SIZE \
	RTE_ALIGN_CEIL(sizeof(struct mn_msg_meta), RTE_MBUF_PRIV_ALIGN)

struct mn_iov {
	const void *base;
	size_t len;
};

static inline struct mn_msg_meta *
mn_msg_meta(struct rte_mbuf *m)
{
	return (struct mn_msg_meta *)rte_mbuf_to_priv(m);
}

/* Number of segments a message of len bytes needs at the given MSS. */
static inline uint32_t
mn_msg_nb_segs(uint32_t len, uint32_t mss)
{
	return len == 0 ? 1 : (len + mss - 1) / mss;
}

/*
 * Copies the iovecs (msg_len bytes in all) into a new chain cut at mss
 * bytes per segment; the head's metadata gets msg_len and the rest zeroed,
 * for the caller to fill in flow and flags, and with sum each segment's
 * payload_sum (else 0: the engine needs none, mn_state.payload_sum).
 * Returns NULL with rte_errno ENOBUFS (pool exhausted) or EINVAL, without
 * leaking any mbuf.
 */
struct rte_mbuf *mn_msg_build(struct rte_mempool *mp, const struct mn_iov *iov,
			      int iovcnt, uint32_t msg_len, uint32_t mss,
			      bool sum);

/* Copies a chain out into iovecs; returns the bytes copied. */
size_t mn_msg_copy_out(const struct rte_mbuf *m, const struct mn_iov *iov,
		       int iovcnt);

/* Frees a whole chain straight to its pool, bypassing lcore caches. */
void mn_msg_free_nocache(struct rte_mbuf *m);

#endif /* MN_MSG_H */
