/*
 * reasm.c: message reassembly on the receive path (see reasm.h).
 *
 * Packets arrive here strictly in order, so reassembly is appending; what
 * needs care is refusing anything inconsistent (a lost FIRST or LAST flag,
 * a length that disagrees) instead of delivering a corrupt message.
 */
#include <stdbool.h>

#include "mn_msg.h"
#include "mn_wire.h"
#include "reasm.h"

void
mn_reasm_reset(struct mn_reasm *r)
{
	if (r->head != NULL)
		rte_pktmbuf_free(r->head);
	r->head = NULL;
	r->tail = NULL;
	r->msg_len = 0;
}

static enum mn_reasm_result
reasm_fail(struct mn_reasm *r, struct rte_mbuf *seg)
{
	rte_pktmbuf_free(seg);
	mn_reasm_reset(r);
	return MN_REASM_ERROR;
}

enum mn_reasm_result
mn_reasm_push(struct mn_reasm *r, struct rte_mbuf *seg, uint8_t flags,
	      uint32_t msg_len, struct rte_mbuf **msg)
{
	bool first = flags & MN_PKT_F_MSG_FIRST;

	seg->next = NULL;
	seg->nb_segs = 1;
	seg->pkt_len = seg->data_len;
	/* Every segment carries payload: an empty first one would make a
	 * message of 0-byte segments (mn_reasm_missing divides by it). */
	if (seg->data_len == 0 || first != (r->head == NULL))
		return reasm_fail(r, seg);
	if (first) {
		if (msg_len == 0 || msg_len > MN_MSG_MAX_LEN)
			return reasm_fail(r, seg);
		r->head = seg;
		r->tail = seg;
		r->msg_len = msg_len;
	} else {
		if (msg_len != r->msg_len || r->head->nb_segs == UINT16_MAX)
			return reasm_fail(r, seg);
		r->tail->next = seg;
		r->tail = seg;
		r->head->nb_segs++;
		r->head->pkt_len += seg->data_len;
	}
	if (r->head->pkt_len > r->msg_len)
		return reasm_fail(r, NULL);
	if (!(flags & MN_PKT_F_MSG_LAST))
		return MN_REASM_MORE;
	if (r->head->pkt_len != r->msg_len)
		return reasm_fail(r, NULL);
	mn_msg_meta(r->head)->msg_len = r->msg_len;
	*msg = r->head;
	r->head = NULL;
	r->tail = NULL;
	r->msg_len = 0;
	return MN_REASM_DONE;
}
