/*
 * recv.c: machnet_recv() and machnet_recvmsg(). The engine hands over
 * whole messages as chains; they are copied out and their mbufs go
 * straight back to the pool. The end of a flow arrives the same way, after
 * its last message: the flow moves to the ended set, so that sending on it
 * fails, and only a channel that asked for flow events hears of it as -1
 * (ECONNRESET when it failed, EPIPE when the peer closed it). Upstream
 * applications treat any -1 from a receive as fatal, hence the opt-in.
 * Neither call ever blocks; wait.c waits on them.
 */
#include <errno.h>

#include <rte_ring.h>

#include "channel.h"
#include "handle.h"
#include "iov.h"

/* The errno that reports an ended flow, by the event that ended it. */
static int
end_errno(uint16_t event)
{
	return event == MN_MSG_EV_CLOSED ? EPIPE : ECONNRESET;
}

/*
 * A flow's end, in order after its last message. 1 when the caller is to
 * report it (the channel asked for flow events), 0 when it was only
 * noted, -1 with errno when it could not be noted.
 */
static int
flow_ended(struct mnl_channel *ch, struct rte_mbuf *m)
{
	const struct mn_flow_tuple *t = &mn_msg_meta(m)->flow;

	mnl_flowset_remove(&ch->flows, t);
	if (mnl_flowset_add(&ch->ended, t, &mn_msg_meta(m)->ref) == NULL)
		return -1;
	return ch->flow_events ? 1 : 0;
}

/*
 * 1 with *mp set (a message), 0 when nothing is pending, or -1 with errno;
 * for a reported flow end (ECONNRESET, EPIPE) *mp is its event, for the
 * caller to take the flow from and free.
 */
static int
take_msg(struct mnl_channel *ch, struct rte_mbuf **mp)
{
	struct rte_mbuf *m;
	uint16_t event;
	int ret;

	for (;;) {
		if (rte_ring_dequeue(ch->from_engine, (void **)&m) != 0) {
			if (mnl_channel_gone(ch))
				return mnl_fail(ESHUTDOWN);
			/* A channel that waits is armed whenever found empty. */
			if (ch->wait.on && mnl_wait_arm(ch))
				continue;
			return 0;
		}
		/* Its buffers leave the channel's share now (share.h). */
		ch->usage->rx_taken++;
		event = mn_msg_meta(m)->event;
		if (event == MN_MSG_EV_NONE) {
			/* A flow that delivered a message is one the
			 * application may answer. */
			if (mnl_flowset_add(&ch->flows, &mn_msg_meta(m)->flow,
					    &mn_msg_meta(m)->ref) == NULL) {
				mn_msg_free_nocache(m);
				return -1;
			}
			*mp = m;
			return 1;
		}
		/* An event this library does not know carries nothing. */
		ret = event == MN_MSG_EV_RESET || event == MN_MSG_EV_CLOSED ?
			flow_ended(ch, m) : 0;
		if (ret > 0) {
			*mp = m;
			return mnl_fail(end_errno(event));
		}
		mn_msg_free_nocache(m);
		if (ret < 0)
			return -1;
	}
}

/* The flow of a reported flow end, given back to the caller, then freed. */
static void
report_ended(struct rte_mbuf *m, MachnetFlow_t *flow)
{
	int err = errno;

	if (flow != NULL)
		*flow = mnl_flow_as_sent(&mn_msg_meta(m)->flow);
	mn_msg_free_nocache(m);
	errno = err;
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
	struct mnl_channel *ch = mnl_handle_get(channel);
	struct mn_iov iov = { .base = buf, .len = len };
	struct rte_mbuf *m;
	uint32_t msg_len;
	int ret;

	if (ch == NULL)
		return -1;
	if (buf == NULL && len > 0)
		return mnl_fail(EINVAL);
	m = NULL;
	ret = take_msg(ch, &m);
	if (ret < 0 && m != NULL)
		report_ended(m, flow);
	if (ret <= 0)
		return ret;
	msg_len = mn_msg_meta(m)->msg_len;
	if (flow != NULL)
		*flow = mnl_flow_as_sent(&mn_msg_meta(m)->flow);
	if (deliver(m, &iov, 1, len) < 0)
		return -1;
	return msg_len;
}

int
machnet_recvmsg(const void *channel, MachnetMsgHdr_t *msghdr)
{
	struct mnl_channel *ch = mnl_handle_get(channel);
	struct mn_msg_meta *meta;
	struct mnl_iovs io;
	struct rte_mbuf *m;
	int ret;

	if (ch == NULL)
		return -1;
	if (msghdr == NULL)
		return mnl_fail(EINVAL);
	if (mnl_iovs_import(&io, msghdr->msg_iov, msghdr->msg_iovlen) < 0)
		return -1;
	m = NULL;
	ret = take_msg(ch, &m);
	if (ret < 0 && m != NULL)
		report_ended(m, &msghdr->flow_info);
	if (ret > 0) {
		meta = mn_msg_meta(m);
		msghdr->msg_size = meta->msg_len;
		msghdr->flow_info = mnl_flow_as_sent(&meta->flow);
		msghdr->flags = meta->flags;
		ret = deliver(m, io.v, io.cnt, io.total) < 0 ? -1 : 1;
	}
	mnl_iovs_release(&io);
	return ret;
}

int
machnet_set_flow_events(void *channel, int enable)
{
	struct mnl_channel *ch = mnl_handle_get(channel);

	if (ch == NULL)
		return -1;
	ch->flow_events = enable != 0;
	return 0;
}
