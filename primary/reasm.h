/*
 * reasm.h: putting a message back together from its in-order packets.
 *
 * The receive path hands over each packet's payload (headers already
 * stripped) in sequence order; segments are chained without copying, and a
 * complete message leaves as one mbuf chain whose head carries the length.
 */
#ifndef MN_REASM_H
#define MN_REASM_H

#include <stdint.h>

#include <rte_mbuf.h>

struct mn_reasm {
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
	uint32_t msg_len; /* announced by the first packet */
};

enum mn_reasm_result {
	MN_REASM_MORE = 0, /* segment kept, message incomplete */
	MN_REASM_DONE,     /* *msg is a complete message */
	MN_REASM_ERROR,    /* inconsistent segment: it and any partial message freed */
};

/*
 * Adds seg (flags: MN_PKT_F_MSG_FIRST/LAST from its header). On DONE the
 * chain's head has nb_segs and pkt_len set and its metadata msg_len filled.
 */
enum mn_reasm_result mn_reasm_push(struct mn_reasm *r, struct rte_mbuf *seg,
				   uint8_t flags, uint32_t msg_len,
				   struct rte_mbuf **msg);

/* Frees a partial message, if any. */
void mn_reasm_reset(struct mn_reasm *r);

#endif /* MN_REASM_H */
