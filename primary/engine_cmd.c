/*
 * engine_cmd.c: the engine's side of control requests (attach, detach,
 * listen, connect, close), relayed by the control thread.
 *
 * They run on the engine lcore because the engine alone owns flows,
 * listeners and the channels' engine ends; a connect is parked here until
 * its handshake completes, fails, or times out, and is answered then.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "mn_wire.h"
#include "proto.h"

static void
complete(struct mn_engine *e, struct mn_cmd *cmd, int status)
{
	cmd->msg.status = status;
	mn_control_complete(e->control, cmd);
}

static struct mn_engine_channel *
cmd_channel(struct mn_engine *e, const struct mn_cmd *cmd)
{
	struct mn_engine_channel *ch;

	if (cmd->msg.channel >= MN_MAX_CHANNELS)
		return NULL;
	ch = &e->channels[cmd->msg.channel];
	if (!ch->active || ch->generation != cmd->msg.generation)
		return NULL;
	return ch;
}

/* The live flow a message from channel idx names, or NULL. The reference
 * comes from shared memory: only a flow that also has the message's
 * 4-tuple and belongs to that channel counts. */
static struct mn_flow *
sender_flow(struct mn_engine *e, uint16_t idx, const struct mn_msg_meta *meta)
{
	const struct mn_engine_channel *ch = &e->channels[idx];
	struct mn_flow_key key;
	struct mn_flow *f;

	if (meta->ref.slot >= e->flows.capacity)
		return NULL;
	f = &e->flows.flows[meta->ref.slot];
	mn_flow_key_from_tuple(&key, &meta->flow);
	if (f->state == MN_FLOW_FREE || f->serial != meta->ref.serial ||
	    memcmp(&f->key, &key, sizeof(key)) != 0 || f->channel != idx ||
	    f->channel_gen != ch->generation)
		return NULL;
	return f;
}

/* Appends one message from the channel's ring to its flow's unsent queue. */
static void
take_from_app(struct mn_engine *e, uint16_t idx, struct rte_mbuf *msg)
{
	struct mn_engine_channel *ch = &e->channels[idx];
	struct mn_flow *f = sender_flow(e, idx, mn_msg_meta(msg));

	e->state->counters.msgs_from_apps++;
	/* The first segment is the longest: one cut for a larger MSS than
	 * the peer takes would be dropped by the peer again and again. */
	if (f == NULL || f->state != MN_FLOW_ESTABLISHED || msg->data_len > f->mss) {
		e->state->counters.rx_dropped++;
		if (f != NULL)
			mn_share_tx_release(f, msg->nb_segs);
		else
			ch->share.usage->tx_released += msg->nb_segs;
		rte_pktmbuf_free(msg);
		return;
	}
	mn_stats_add(&e->channel_stats[idx].counts.tx_msgs, 1);
	mn_stats_add(&e->channel_stats[idx].counts.tx_bytes, msg->pkt_len);
	mn_flow_queue_msg(f, msg);
	/* A window that the last ack closed armed no probe, for nothing
	 * waited then: without one this message would wait for good. */
	if (f->rto_at == 0)
		mn_engine_arm_timer(e, f);
	mn_engine_tx_list_add(e, f);
}

void
mn_engine_poll_channel(struct mn_engine *e, uint16_t idx, uint32_t budget)
{
	struct rte_ring *r = e->channels[idx].to_engine;
	struct rte_mbuf *msgs[MN_BURST];
	uint32_t n, i;

	/*
	 * The budget counts segments, which only the messages tell: look at a
	 * burst in place (the ring is single-consumer) and take off it only
	 * the messages the budget admits, the first one always.
	 */
	do {
		n = rte_ring_dequeue_burst_start(r, (void **)msgs, MN_BURST, NULL);
		for (i = 0; i < n && budget > 0; i++) {
			budget -= RTE_MIN(budget, (uint32_t)msgs[i]->nb_segs);
			take_from_app(e, idx, msgs[i]);
		}
		rte_ring_dequeue_finish(r, i);
	} while (i == n && n > 0 && budget > 0);
}

static void
drain_ring(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

static void
drop_backlog(struct mn_engine_channel *ch)
{
	while (ch->backlog_head != NULL) {
		struct rte_mbuf *msg = ch->backlog_head;

		ch->backlog_head = mn_msg_meta(msg)->next_msg;
		rte_pktmbuf_free(msg);
	}
	ch->backlog_tail = NULL;
	ch->backlog_len = 0;
}

/*
 * Closing lets the flow finish sending what it has, then FIN; resetting
 * (its application died) drops what it has and tells the peer with RST.
 * Either way the application gets nothing more from it.
 */
static void
close_flow(struct mn_engine *e, struct mn_flow *f, bool reset)
{
	f->channel = MN_CHANNEL_NONE;
	if (f->pending_cmd != MN_FLOW_NONE) {
		e->pending_used[f->pending_cmd] = false;
		f->pending_cmd = MN_FLOW_NONE;
		mn_flow_destroy(&e->flows, f);
		return;
	}
	if (reset) {
		mn_out_ctrl(e, f, MN_PKT_RST, f->snd_nxt);
		mn_flow_destroy(&e->flows, f);
		return;
	}
	if (f->state == MN_FLOW_FIN_SENT)
		return;
	if (mn_flow_tx_pending(f)) {
		f->state = MN_FLOW_CLOSING;
		return;
	}
	mn_engine_send_fin(e, f);
}

static void
do_attach(struct mn_engine *e, struct mn_cmd *cmd)
{
	struct mn_engine_channel *ch = &e->channels[cmd->msg.channel];

	/* Whatever a previous, crashed owner left behind is not for this one. */
	drain_ring(ch->to_engine);
	drain_ring(ch->to_app);
	drop_backlog(ch);
	mn_engine_channel_reset_share(e, (uint16_t)cmd->msg.channel);
	mn_channel_stats_reset(&e->channel_stats[cmd->msg.channel],
			       cmd->msg.generation);
	/* The new owner's library counts from zero, once it has the reply. */
	e->state->usage[cmd->msg.channel].tx_eagain = 0;
	ch->generation = cmd->msg.generation;
	mn_wake_close(&ch->wake);
	mn_engine_channel_activate(e, (uint16_t)cmd->msg.channel, true);
	complete(e, cmd, 0);
}

static void
do_detach(struct mn_engine *e, struct mn_cmd *cmd, struct mn_engine_channel *ch)
{
	uint16_t idx = (uint16_t)cmd->msg.channel;
	uint32_t i;

	mn_engine_poll_channel(e, idx, UINT32_MAX);
	for (i = e->flows.count; i-- > 0;) {
		struct mn_flow *f = mn_flow_table_live(&e->flows, i);

		/* Flows it closed before count against nobody from now on: the
		 * next tenant of the slot starts with a clean share. */
		if (f->share != &ch->share)
			continue;
		f->share = NULL;
		if (f->channel == idx)
			close_flow(e, f, cmd->msg.op == MN_CTRL_REAP);
	}
	mn_listen_remove_channel(&e->listeners, idx);
	mn_hs_forget_channel(e, idx);
	drain_ring(ch->to_engine);
	drain_ring(ch->to_app);
	drop_backlog(ch);
	mn_wake_close(&ch->wake);
	mn_engine_channel_activate(e, idx, false);
	complete(e, cmd, 0);
}

static void
do_listen(struct mn_engine *e, struct mn_cmd *cmd)
{
	const struct mn_flow_tuple *t = &cmd->msg.flow;
	int status;

	if (t->src_port == 0) {
		complete(e, cmd, EINVAL);
		return;
	}
	if (t->src_ip != e->ifc.ip && t->src_ip != 0) {
		complete(e, cmd, EADDRNOTAVAIL);
		return;
	}
	status = mn_listen_add(&e->listeners, t->src_port,
			       (uint16_t)cmd->msg.channel, cmd->msg.generation);
	if (status == 0)
		mn_stats_add(&e->channel_stats[cmd->msg.channel].counts.listeners, 1);
	complete(e, cmd, status);
}

/*
 * Whether key->local_port may be a new flow's: no flow to this remote end
 * and no listener uses it. (With several engine lcores, this is where a
 * port is also asked to hash, by RSS, to this engine's queue.)
 */
static bool
port_usable(struct mn_engine *e, const struct mn_flow_key *key)
{
	return mn_listen_find(&e->listeners, key->local_port) == NULL &&
	       mn_flow_lookup(&e->flows, key) == NULL &&
	       mn_half_open_find(&e->half_open, key) == NULL;
}

#define MN_EPHEMERAL_RANDOM_TRIES 32

/*
 * A local port from transport.ephemeral_port_min..max that an off-path
 * sender cannot guess (RFC 6056, algorithm 1: each try at random), then,
 * should the range be nearly full, every port once from a random place.
 */
static bool
pick_ephemeral(struct mn_engine *e, struct mn_flow_key *key)
{
	uint32_t lo = e->cfg->ephemeral_port_min;
	uint32_t n = e->cfg->ephemeral_port_max - lo + 1, i, start;

	for (i = 0; i < MN_EPHEMERAL_RANDOM_TRIES; i++) {
		key->local_port = (uint16_t)(lo + mn_proto_random_below(e, n));
		if (port_usable(e, key))
			return true;
	}
	start = mn_proto_random_below(e, n);
	for (i = 0; i < n; i++) {
		key->local_port = (uint16_t)(lo + (start + i) % n);
		if (port_usable(e, key))
			return true;
	}
	return false;
}

static int
pending_alloc(struct mn_engine *e, const struct mn_cmd *cmd)
{
	int i;

	for (i = 0; i < MN_MAX_PENDING; i++) {
		if (!e->pending_used[i]) {
			e->pending_used[i] = true;
			e->pending[i] = *cmd;
			return i;
		}
	}
	return -1;
}

void
mn_engine_connect_done(struct mn_engine *e, struct mn_flow *f, int status)
{
	struct mn_cmd *cmd = &e->pending[f->pending_cmd];

	if (status == 0) {
		mn_flow_tuple_from_key(&cmd->msg.flow, &f->key);
		cmd->msg.ref = mn_engine_flow_ref(e, f);
	}
	e->pending_used[f->pending_cmd] = false;
	f->pending_cmd = MN_FLOW_NONE;
	complete(e, cmd, status);
	if (status != 0)
		mn_flow_destroy(&e->flows, f);
}

static void
send_syn(struct mn_engine *e, struct mn_flow *f)
{
	f->state = MN_FLOW_SYN_SENT;
	f->next_syn = e->now + (uint64_t)e->cfg->syn_rto_ms * MN_NS_PER_MS;
	mn_out_ctrl(e, f, MN_PKT_SYN, f->snd_una);
}

/* One step of a connect: resolve, (re)send SYN, or give up. */
static void
connect_step(struct mn_engine *e, struct mn_flow *f)
{
	bool send_request = false;
	struct rte_mbuf *req;

	if (e->now >= f->deadline) {
		mn_engine_connect_done(e, f, ETIMEDOUT);
		return;
	}
	if (f->state == MN_FLOW_SYN_SENT) {
		if (e->now >= f->next_syn)
			send_syn(e, f);
		return;
	}
	switch (mn_arp_resolve(&e->arp, f->next_hop, e->now, &f->remote_mac,
			       &send_request)) {
	case MN_ARP_RESOLVED:
		send_syn(e, f);
		break;
	case MN_ARP_FAILED:
		mn_engine_connect_done(e, f, EHOSTUNREACH);
		break;
	case MN_ARP_PENDING:
		if (!send_request)
			break;
		req = mn_arp_request(e->pool, &e->ifc, f->next_hop);
		if (req != NULL) {
			e->state->counters.arp_requests_sent++;
			mn_out_tx(e, req);
		}
		break;
	}
}

void
mn_engine_connect_timers(struct mn_engine *e)
{
	int i;

	for (i = 0; i < MN_MAX_PENDING; i++) {
		struct mn_flow_key key;
		struct mn_flow *f;

		if (!e->pending_used[i])
			continue;
		mn_flow_key_from_tuple(&key, &e->pending[i].msg.flow);
		f = mn_flow_lookup(&e->flows, &key);
		if (f != NULL && f->pending_cmd == (uint32_t)i)
			connect_step(e, f);
	}
}

static void
do_connect(struct mn_engine *e, struct mn_cmd *cmd)
{
	struct mn_flow_tuple *t = &cmd->msg.flow;
	struct mn_flow_key key = {
		.local_ip = t->src_ip,
		.remote_ip = t->dst_ip,
		.remote_port = t->dst_port,
	};
	uint32_t next_hop;
	struct mn_flow *f;
	int slot;

	if (!mn_iface_unicast(&e->ifc, t->dst_ip) || t->dst_port == 0) {
		complete(e, cmd, EINVAL);
		return;
	}
	if (t->src_ip != e->ifc.ip) {
		complete(e, cmd, EADDRNOTAVAIL);
		return;
	}
	next_hop = t->dst_ip == e->ifc.ip ? t->dst_ip :
		mn_iface_next_hop(&e->ifc, t->dst_ip);
	if (next_hop == 0) {
		complete(e, cmd, EHOSTUNREACH);
		return;
	}
	if (!pick_ephemeral(e, &key)) {
		complete(e, cmd, EADDRNOTAVAIL);
		return;
	}
	/* Room is kept for every half-open handshake of our listeners. */
	f = e->flows.count + e->half_open.count < e->flows.capacity ?
		mn_flow_create(&e->flows, &key) : NULL;
	if (f == NULL)
		e->state->counters.flow_table_full++;
	slot = f != NULL ? pending_alloc(e, cmd) : -1;
	if (slot < 0) {
		if (f != NULL)
			mn_flow_destroy(&e->flows, f);
		complete(e, cmd, ENOBUFS);
		return;
	}
	mn_flow_tuple_from_key(&e->pending[slot].msg.flow, &key);
	f->pending_cmd = (uint32_t)slot;
	f->state = MN_FLOW_ARP_WAIT;
	mn_engine_flow_bind(e, f, (uint16_t)cmd->msg.channel, cmd->msg.generation);
	f->next_hop = next_hop;
	mn_engine_flow_start(e, f, mn_proto_isn(e));
	f->deadline = e->now + (uint64_t)e->cfg->connect_timeout_ms * MN_NS_PER_MS;
	if (t->dst_ip == e->ifc.ip) {
		rte_ether_addr_copy(&e->ifc.mac, &f->remote_mac);
		send_syn(e, f);
		return;
	}
	connect_step(e, f);
}

static void
do_close(struct mn_engine *e, struct mn_cmd *cmd)
{
	struct mn_flow_key key;
	struct mn_flow *f;

	/* Messages the application queued before closing still go out. */
	mn_engine_poll_channel(e, (uint16_t)cmd->msg.channel, UINT32_MAX);
	mn_flow_key_from_tuple(&key, &cmd->msg.flow);
	f = mn_flow_lookup(&e->flows, &key);
	if (f == NULL || f->channel != cmd->msg.channel ||
	    f->channel_gen != cmd->msg.generation) {
		complete(e, cmd, ENOTCONN);
		return;
	}
	close_flow(e, f, false);
	complete(e, cmd, 0);
}

void
mn_engine_handle_cmd(struct mn_engine *e, struct mn_cmd *cmd)
{
	struct mn_engine_channel *ch;

	if (cmd->msg.op == MN_CTRL_ATTACH) {
		do_attach(e, cmd);
		return;
	}
	ch = cmd_channel(e, cmd);
	if (ch == NULL) {
		if (cmd->msg.op == MN_CTRL_WAKEFD)
			close(cmd->fd);
		complete(e, cmd, EBADF);
		return;
	}
	switch (cmd->msg.op) {
	case MN_CTRL_DETACH:
	case MN_CTRL_REAP:
		do_detach(e, cmd, ch);
		break;
	case MN_CTRL_LISTEN:
		do_listen(e, cmd);
		break;
	case MN_CTRL_CONNECT:
		do_connect(e, cmd);
		break;
	case MN_CTRL_CLOSE:
		do_close(e, cmd);
		break;
	case MN_CTRL_WAKEFD:
		mn_wake_set_fd(&ch->wake, cmd->fd);
		complete(e, cmd, 0);
		break;
	default:
		complete(e, cmd, EOPNOTSUPP);
		break;
	}
}
