/*
 * recv.c: machnet_recv() and machnet_recvmsg(). The engine hands over
 * whole messages as chains; they are copied out and their mbufs go
 * straight back to the pool. Neither call ever blocks.
 */
#include <errno.h>

#include <rte_ring.h>

#include "channel.h"
#include "iov.h"

/* The next message on the ring, or NULL. */
static struct rte_mbuf *
next_msg(const struct mnl_channel *ch)
{
	void *m;

	while (rte_ring_dequeue(ch->from_engine, &m) == 0) {
		if (mn_msg_meta(m)->event == MN_MSG_EV_NONE)
			return m;
		/* An event this library does not know carries no message. */
		mn_msg_free_nocache(m);
	}
	return NULL;
}

/* 1 with *mp set, 0 when nothing is pending, or -1 with errno. */
static int
take_msg(struct mnl_channel *ch, struct rte_mbuf **mp)
{
	struct rte_mbuf *m = next_msg(ch);

	if (m == NULL)
		return mnl_channel_gone(ch) ? mnl_fail(ESHUTDOWN) : 0;
	/* A flow that delivered a message is one the application may answer. */
	if (mnl_flowset_add(&ch->flows, &mn_msg_meta(m)->flow) < 0) {
		mn_msg_free_nocache(m);
		return -1;
	}
	*mp = m;
	return 1;
}

/*
 * Copies m out if it fits in room bytes, like a datagram socket drops it
 * if not (EMSGSIZE), and frees it either way.
 */
static int
deliver(struct rte_mbuf *m, const struct mn_iov *iov, int iovcnt,
	size_t room)
{
	uint32_t len = mn_msg_meta(m)->msg_len;
	int ret = 0;

	if (len > room)
		ret = mnl_fail(EMSGSIZE);
	else if (mn_msg_copy_out(m, iov, iovcnt) != len)
		ret = mnl_fail(EPROTO); /* a chain shorter than its msg_len */
	mn_msg_free_nocache(m);
	return ret;
}

ssize_t
machnet_recv(const void *channel, void *buf, size_t len, MachnetFlow_t *flow)
{
	struct mnl_channel *ch = mnl_channel_mut(channel);
	struct mn_iov iov = { .base = buf, .len = len };
	struct rte_mbuf *m;
	uint32_t msg_len;
	int ret;

	if (ch == NULL || (buf == NULL && len > 0))
		return mnl_fail(EINVAL);
	ret = take_msg(ch, &m);
	if (ret <= 0)
		return ret;
	msg_len = mn_msg_meta(m)->msg_len;
	if (flow != NULL)
		*flow = mnl_flow_to_app(&mn_msg_meta(m)->flow);
	if (deliver(m, &iov, 1, len) < 0)
		return -1;
	return msg_len;
}

int
machnet_recvmsg(const void *channel, MachnetMsgHdr_t *msghdr)
{
	struct mnl_channel *ch = mnl_channel_mut(channel);
	struct mn_msg_meta *meta;
	struct mnl_iovs io;
	struct rte_mbuf *m;
	int ret;

	if (ch == NULL || msghdr == NULL)
		return mnl_fail(EINVAL);
	if (mnl_iovs_import(&io, msghdr->msg_iov, msghdr->msg_iovlen) < 0)
		return -1;
	ret = take_msg(ch, &m);
	if (ret > 0) {
		meta = mn_msg_meta(m);
		msghdr->msg_size = meta->msg_len;
		msghdr->flow_info = mnl_flow_to_app(&meta->flow);
		msghdr->flags = meta->flags;
		ret = deliver(m, io.v, io.cnt, io.total) < 0 ? -1 : 1;
	}
	mnl_iovs_release(&io);
	return ret;
}
