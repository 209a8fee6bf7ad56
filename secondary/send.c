/*
 * send.c: machnet_send() and its iovec and batch forms. A message is
 * copied into a chain of MSS-sized segments from the shared pool and
 * queued whole on the channel's ring to the engine; nothing here waits
 * for machnetd.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "channel.h"
#include "handle.h"
#include "iov.h"

/* What machnetd's usage entry for the flow says, read once per send. */
struct flow_view {
	uint64_t tx_held; /* segments its earlier sends still hold */
	uint32_t mss;     /* what the handshake settled on */
};

/*
 * Held segments are what this library queued on the flow less what
 * machnetd freed. Once machnetd has forgotten the flow nothing is held
 * (it drops what comes for it; the channel's share still bounds that),
 * and the host's MSS is as good as any.
 */
static struct flow_view
flow_view(const struct mnl_channel *ch, const struct mnl_flowset_slot *fl)
{
	struct flow_view v = { .tx_held = 0, .mss = ch->state->mss };
	const struct mn_flow_usage *u;
	uint64_t released;
	uint32_t serial, mss;

	if (fl->ref.slot >= ch->state->flow_slots)
		return v;
	u = &ch->flow_usage[fl->ref.slot];
	serial = u->serial;
	rte_smp_rmb();
	released = u->tx_released;
	mss = u->mss;
	rte_smp_rmb();
	if (serial != fl->ref.serial || u->serial != serial)
		return v;
	if (mss != 0)
		v.mss = mss;
	v.tx_held = fl->tx_queued > released ? fl->tx_queued - released : 0;
	return v;
}

/* A send the channel has no room for now: counted where telemetry sees it. */
static int
send_busy(struct mnl_channel *ch)
{
	ch->usage->tx_eagain++;
	return mnl_fail(EAGAIN);
}

/* Queues a message whose length (1..MACHNET_MSG_MAX_LEN) the caller checked. */
static int
send_iov(struct mnl_channel *ch, const MachnetFlow_t *flow,
	 const struct mn_iov *iov, int iovcnt, uint32_t msg_len,
	 uint16_t flags)
{
	struct mn_flow_tuple t = mnl_flow_from_app(flow);
	struct mnl_flowset_slot *fl;
	struct mn_msg_meta *meta;
	struct flow_view view;
	struct rte_mbuf *m;
	uint32_t segs;

	if (mnl_channel_gone(ch))
		return mnl_fail(ESHUTDOWN);
	fl = mnl_flowset_find(&ch->flows, &t);
	if (fl == NULL)
		return mnl_fail(mnl_flowset_contains(&ch->ended, &t) ?
				ECONNRESET : ENOTCONN);
	/* This thread is the only producer: room now is room at enqueue. */
	if (rte_ring_free_count(ch->to_engine) == 0)
		return send_busy(ch);
	view = flow_view(ch, fl);
	segs = mn_msg_nb_segs(msg_len, view.mss);
	/* What this channel, or this flow, already has queued or
	 * unacknowledged is its own business up to its share; beyond it, it
	 * waits, not its neighbours: a flow to a slow peer leaves the rest of
	 * the channel's share to its other flows. */
	if (!mn_tx_share_allows(ch->usage->tx_queued - ch->usage->tx_released,
				segs, ch->state->channel_tx_share) ||
	    !mn_tx_share_allows(view.tx_held, segs,
				ch->state->flow_tx_share))
		return send_busy(ch);
	/* The last resort, for shares that add up to more than the pool: leave
	 * machnetd the buffers it receives and acknowledges with. */
	if (rte_mempool_avail_count(ch->pool) < ch->state->send_pool_floor + segs)
		return send_busy(ch);
	m = mn_msg_build(ch->pool, iov, iovcnt, msg_len, view.mss, ch->state->payload_sum != 0);
	if (m == NULL)
		return rte_errno == ENOBUFS ? send_busy(ch) : mnl_fail(rte_errno);
	meta = mn_msg_meta(m);
	meta->flow = t;
	meta->ref = fl->ref;
	meta->flags = flags;
	/* Counted before the engine can see it, so that it never counts
	 * releases of segments not yet counted here. */
	ch->usage->tx_queued += segs;
	fl->tx_queued += segs;
	if (rte_ring_enqueue(ch->to_engine, m) != 0) {
		ch->usage->tx_queued -= segs;
		fl->tx_queued -= segs;
		mn_msg_free_nocache(m);
		return send_busy(ch);
	}
	return 0;
}

int
machnet_send(const void *channel, MachnetFlow_t flow, const void *buf,
	     size_t len)
{
	struct mnl_channel *ch = mnl_handle_get(channel);
	struct mn_iov iov = { .base = buf, .len = len };

	if (ch == NULL)
		return -1;
	if (buf == NULL && len > 0)
		return mnl_fail(EINVAL);
	if (len == 0 || len > MACHNET_MSG_MAX_LEN)
		return mnl_fail(EMSGSIZE);
	return send_iov(ch, &flow, &iov, 1, (uint32_t)len,
			MACHNET_MSG_FLAGS_NONE);
}

int
machnet_sendmsg(const void *channel, const MachnetMsgHdr_t *msghdr)
{
	struct mnl_channel *ch = mnl_handle_get(channel);
	struct mnl_iovs io;
	int ret;

	if (ch == NULL)
		return -1;
	if (msghdr == NULL)
		return mnl_fail(EINVAL);
	if (msghdr->msg_size == 0 || msghdr->msg_size > MACHNET_MSG_MAX_LEN)
		return mnl_fail(EMSGSIZE);
	if (msghdr->msg_iovlen == 0 || msghdr->msg_iov == NULL)
		return mnl_fail(EINVAL);
	if (mnl_iovs_import(&io, msghdr->msg_iov, msghdr->msg_iovlen) < 0)
		return -1;
	if (io.total != msghdr->msg_size)
		ret = mnl_fail(EINVAL);
	else
		ret = send_iov(ch, &msghdr->flow_info, io.v, io.cnt,
			       msghdr->msg_size, msghdr->flags);
	mnl_iovs_release(&io);
	return ret;
}

int
machnet_sendmmsg(const void *channel, const MachnetMsgHdr_t *msghdrs,
		 int vlen)
{
	int i;

	if (mnl_handle_get(channel) == NULL)
		return -1;
	if (vlen < 0 || (msghdrs == NULL && vlen > 0))
		return mnl_fail(EINVAL);
	/*
	 * As upstream, a message that cannot be queued ends the batch with a
	 * short count, 0 for the first one, never -1: callers add the count
	 * up. errno says why the next message was not queued.
	 */
	for (i = 0; i < vlen; i++)
		if (machnet_sendmsg(channel, &msghdrs[i]) < 0)
			return i;
	return vlen;
}
