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

/*
 * Segments the partial message still lacks, 0 when none is under way. Every
 * segment but the last is as long as the first, whatever the sender's MSS.
 */
static inline uint32_t
mn_reasm_missing(const struct mn_reasm *r)
{
	uint32_t seg;

	if (r->head == NULL)
		return 0;
	seg = r->head->data_len;
	return (r->msg_len - r->head->pkt_len + seg - 1) / seg;
}

/* Segments a partial message holds, 0 when none is under way. */
static inline uint32_t
mn_reasm_held(const struct mn_reasm *r)
{
	return r->head != NULL ? r->head->nb_segs : 0;
}

/* Frees a partial message, if any. */
void mn_reasm_reset(struct mn_reasm *r);

#endif /* MN_REASM_H */
