/*
 * engine.c: the engine's polling loop and its hand-offs to applications.
 *
 * One pass: NIC and loopback input, control requests, application rings,
 * output round-robin over flows with something to send, acks, NIC tx,
 * timers. Each pass serves the channels from a different one first and
 * takes at most MN_CHANNEL_BUDGET segments from each, and a flow is served
 * at most MN_BURST segments per pass, so that one busy tenant or one large
 * message cannot take the engine or the NIC from the others.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "clock.h"
#include "engine.h"
#include "mn_wire.h"
#include "proto.h"

uint64_t mn_clock_ns_mult;

#define MN_LOOPBACK_SIZE 4096
#define MN_ARP_AGE_PERIOD_NS (1000 * MN_NS_PER_MS)

static int
channels_init(struct mn_engine *e)
{
	uint32_t notes = rte_align32pow2(e->state->ring_size);
	unsigned int i;

	for (i = 0; i < MN_MAX_CHANNELS; i++) {
		struct mn_engine_channel *ch = &e->channels[i];

		ch->notes = calloc(notes, sizeof(*ch->notes));
		if (ch->notes == NULL)
			return -ENOMEM;
		ch->notes_mask = notes - 1;
		ch->share.usage = &e->state->usage[i];
		ch->share.rx_limit = e->cfg->channel_rx_share;
		ch->share.flow_rx_limit = e->cfg->flow_rx_share;
		mn_wake_init(&ch->wake, &e->state->wake[i]);
	}
	return 0;
}

void
mn_engine_channel_reset_share(struct mn_engine *e, uint16_t idx)
{
	struct mn_engine_channel *ch = &e->channels[idx];

	memset(ch->share.usage, 0, sizeof(*ch->share.usage));
	ch->share.rx_held = 0;
	ch->share.window_closed = false;
	ch->notes_head = 0;
	ch->notes_tail = 0;
	ch->rx_freed = 0;
}

int
mn_engine_init(struct mn_engine *e, const struct mn_config *cfg,
	       const struct mn_iface *ifc, struct mn_state *state,
	       struct mn_control *control, struct rte_mempool *pool)
{
	static unsigned int instances; /* unique names for engines in one process */
	char name[RTE_RING_NAMESIZE];
	unsigned int i;

	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->ifc = *ifc;
	e->state = state;
	e->control = control;
	e->pool = pool;
	e->mss = state->mss;
	e->cc = (struct mn_cc_params){
		.target = (uint64_t)cfg->cc_target_us * MN_NS_PER_US,
		.fs_range = (uint64_t)cfg->cc_fs_range_us * MN_NS_PER_US,
		.ai = cfg->cc_ai,
		.beta = cfg->cc_beta,
		.max_mdf = cfg->cc_max_mdf,
		.min_cwnd = cfg->cc_min_cwnd,
		.max_cwnd = cfg->window,
	};
	mn_arp_init(&e->arp, (uint64_t)cfg->arp_retry_ms * MN_NS_PER_MS,
		    cfg->arp_retries, (uint64_t)cfg->arp_ageing_s * 1000 * MN_NS_PER_MS);
	for (i = 0; i < cfg->n_static_arp; i++)
		if (mn_arp_add_static(&e->arp, cfg->static_arp[i].ip,
				      &cfg->static_arp[i].mac) != 0)
			return -ENOSPC;
	snprintf(name, sizeof(name), "mn_flows%u", instances);
	if (mn_flow_table_init(&e->flows, name, cfg->max_flows, cfg->window) != 0)
		return -ENOMEM;
	e->tx_list = calloc(cfg->max_flows, sizeof(*e->tx_list));
	snprintf(name, sizeof(name), "mn_half_open%u", instances);
	if (mn_half_open_init(&e->half_open, name, cfg->half_open_max) != 0)
		return -ENOMEM;
	snprintf(name, sizeof(name), "mn_loopback%u", instances++);
	e->loopback = rte_ring_create(name, MN_LOOPBACK_SIZE, rte_socket_id(),
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (e->tx_list == NULL || e->loopback == NULL)
		return -ENOMEM;
	e->random = arc4random;
	mn_fault_init(&e->fault, cfg);
	e->pool_low_mark = cfg->pool_size / 8;
	return channels_init(e);
}

void
mn_engine_channel_activate(struct mn_engine *e, uint16_t idx, bool on)
{
	uint16_t n;

	if (e->channels[idx].active == on)
		return;
	e->channels[idx].active = on;
	if (on) {
		e->active[e->n_active++] = idx;
		return;
	}
	for (n = 0; n < e->n_active; n++) {
		if (e->active[n] == idx) {
			e->active[n] = e->active[--e->n_active];
			return;
		}
	}
}

void
mn_engine_set_flow_usage(struct mn_engine *e, struct mn_flow_usage *usage)
{
	e->flow_usage = usage;
}

void
mn_engine_set_channel(struct mn_engine *e, uint16_t idx,
		      struct rte_ring *to_engine, struct rte_ring *to_app)
{
	e->channels[idx].to_engine = to_engine;
	e->channels[idx].to_app = to_app;
}

void
mn_engine_wake_all(struct mn_engine *e)
{
	unsigned int i;

	for (i = 0; i < MN_MAX_CHANNELS; i++)
		mn_wake_force(&e->channels[i].wake);
}

void
mn_engine_free(struct mn_engine *e)
{
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < e->txbuf_len; i++)
		rte_pktmbuf_free(e->txbuf[i]);
	e->txbuf_len = 0;
	mn_flow_table_free(&e->flows);
	mn_half_open_free(&e->half_open);
	mn_fault_free(&e->fault);
	while (e->loopback != NULL && rte_ring_sc_dequeue(e->loopback, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(e->loopback);
	free(e->tx_list);
	for (i = 0; i < MN_MAX_CHANNELS; i++) {
		free(e->channels[i].notes);
		e->channels[i].notes = NULL;
		mn_wake_close(&e->channels[i].wake);
	}
	e->loopback = NULL;
	e->tx_list = NULL;
}

void
mn_engine_tx_list_add(struct mn_engine *e, struct mn_flow *f)
{
	if (f->in_tx_list)
		return;
	f->in_tx_list = true;
	e->tx_list[(e->tx_head + e->tx_count) % e->flows.capacity] =
		mn_flow_index(&e->flows, f);
	e->tx_count++;
}

/*
 * Drops the charges of the messages the application took since the last
 * look, adding the segments that gave back to ch->rx_freed. A count
 * beyond what is on the ring (a library gone wrong) takes no more than
 * is there.
 */
static void
rx_collect(struct mn_engine *e, struct mn_engine_channel *ch)
{
	uint64_t taken = ch->share.usage->rx_taken;

	if (taken - ch->notes_tail > ch->notes_head - ch->notes_tail)
		taken = ch->notes_head;
	while (ch->notes_tail != taken) {
		const struct mn_rx_note *n = &ch->notes[ch->notes_tail++ & ch->notes_mask];
		struct mn_flow *f = n->flow != MN_FLOW_NONE ?
			&e->flows.flows[n->flow] : NULL;

		if (f != NULL && (f->state == MN_FLOW_FREE || f->serial != n->serial))
			f = NULL;
		mn_share_rx_taken(&ch->share, f, n->segs);
		ch->rx_freed += n->segs;
	}
}

/* Puts msg, which came on f (NULL: a flow gone since), on the ring. */
static int
to_app(struct mn_engine *e, struct mn_engine_channel *ch,
       const struct mn_flow *f, struct rte_mbuf *msg)
{
	struct mn_channel_counts *c = &e->channel_stats[ch - e->channels].counts;
	bool event = mn_msg_meta(msg)->event != MN_MSG_EV_NONE;
	uint32_t len = msg->pkt_len;
	struct mn_rx_note *note;

	/*
	 * Notes of messages the application took since the last look still
	 * count until collected: collect them before a note would overwrite
	 * one. Then only messages on the ring have notes, fewer than the ring
	 * has slots.
	 */
	if (ch->notes_head - ch->notes_tail > ch->notes_mask)
		rx_collect(e, ch);
	/* Written before the enqueue: from then on the message is the
	 * application's, which may free it (and the pool reuse it) at once. */
	note = &ch->notes[ch->notes_head & ch->notes_mask];
	note->flow = f != NULL ? mn_flow_index(&e->flows, f) : MN_FLOW_NONE;
	note->serial = f != NULL ? f->serial : 0;
	note->segs = msg->nb_segs;
	if (rte_ring_sp_enqueue(ch->to_app, msg) != 0)
		return -1;
	ch->notes_head++;
	mn_wake_after_enqueue(&ch->wake);
	if (!event) {
		mn_stats_add(&c->rx_msgs, 1);
		mn_stats_add(&c->rx_bytes, len);
	}
	return 0;
}

static bool
backlog_flush(struct mn_engine *e, struct mn_engine_channel *ch)
{
	while (ch->backlog_head != NULL) {
		struct rte_mbuf *msg = ch->backlog_head;
		/* Read before the enqueue hands msg to the application. */
		struct rte_mbuf *next = mn_msg_meta(msg)->next_msg;
		struct mn_flow_key key;

		/* Off the fast path: only an application that fell behind. */
		mn_flow_key_from_tuple(&key, &mn_msg_meta(msg)->flow);
		if (to_app(e, ch, mn_flow_lookup(&e->flows, &key), msg) != 0)
			return false;
		ch->backlog_head = next;
		if (ch->backlog_head == NULL)
			ch->backlog_tail = NULL;
		ch->backlog_len--;
		e->state->counters.msgs_to_apps++;
	}
	return true;
}

static void
deliver(struct mn_engine *e, struct mn_flow *f, struct rte_mbuf *msg,
	enum mn_msg_event event)
{
	struct mn_msg_meta *meta = mn_msg_meta(msg);
	struct mn_engine_channel *ch;

	if (f->channel == MN_CHANNEL_NONE) {
		mn_share_rx_uncharge(f, msg->nb_segs);
		rte_pktmbuf_free(msg);
		return;
	}
	ch = &e->channels[f->channel];
	mn_flow_tuple_from_key(&meta->flow, &f->key);
	meta->ref = mn_engine_flow_ref(e, f);
	meta->flags = 0;
	meta->event = event;
	meta->next_msg = NULL;
	if (ch->backlog_head == NULL && to_app(e, ch, f, msg) == 0) {
		e->state->counters.msgs_to_apps++;
		return;
	}
	/* The application is behind: keep the message, in order, for later. */
	if (ch->backlog_tail != NULL)
		mn_msg_meta(ch->backlog_tail)->next_msg = msg;
	else
		ch->backlog_head = msg;
	ch->backlog_tail = msg;
	ch->backlog_len++;
}

void
mn_engine_deliver(struct mn_engine *e, struct mn_flow *f, struct rte_mbuf *msg)
{
	deliver(e, f, msg, MN_MSG_EV_NONE);
}

void
mn_engine_deliver_event(struct mn_engine *e, struct mn_flow *f,
			enum mn_msg_event event)
{
	struct rte_mbuf *m;

	if (f->channel == MN_CHANNEL_NONE)
		return;
	m = rte_pktmbuf_alloc(e->pool);
	if (m == NULL) {
		e->state->counters.rx_dropped++;
		return;
	}
	mn_msg_meta(m)->msg_len = 0;
	mn_share_rx_charge(f, 1);
	deliver(e, f, m, event);
}

/*
 * The application took messages (or the pool recovered): tell the peers we
 * told to wait that they may send, where there is room for them now.
 */
static void
reopen_window(struct mn_engine *e, uint16_t idx, uint32_t freed)
{
	struct mn_share *s = &e->channels[idx].share;
	uint32_t i;

	if (!s->window_closed || e->pool_tight || (freed == 0 && !e->pool_eased))
		return;
	s->window_closed = false;
	for (i = 0; i < e->flows.count; i++) {
		struct mn_flow *f = mn_flow_table_live(&e->flows, i);

		if (f->channel != idx || !f->advertised_zero)
			continue;
		if (mn_proto_rx_window(e, f) == 0) {
			s->window_closed = true;
			continue;
		}
		f->advertised_zero = false;
		mn_out_ctrl(e, f, MN_PKT_ACK, f->snd_nxt);
	}
}

static uint32_t
poll_input(struct mn_engine *e)
{
	/* Room for what fault injection adds: duplicates and released packets. */
	struct rte_mbuf *pkts[4 * MN_BURST];
	uint32_t n, lo, i;

	n = rte_eth_rx_burst(e->ifc.port_id, 0, pkts, MN_BURST);
	if (unlikely(e->fault.enabled))
		n = mn_fault_apply(&e->fault.rx, pkts, (uint16_t)n, RTE_DIM(pkts),
				   e->now, e->pool);
	for (i = 0; i < n; i++)
		mn_proto_input(e, pkts[i]);
	lo = rte_ring_sc_dequeue_burst(e->loopback, (void **)pkts, MN_BURST, NULL);
	for (i = 0; i < lo; i++)
		mn_proto_input(e, pkts[i]);
	return n + lo;
}

static uint32_t
poll_commands(struct mn_engine *e)
{
	struct mn_cmd cmd;
	uint32_t n = 0;

	while (rte_ring_dequeue_elem(e->control->to_engine, &cmd, sizeof(cmd)) == 0) {
		mn_engine_handle_cmd(e, &cmd);
		n++;
	}
	return n;
}

/*
 * Each pass starts with the next channel, so that none is always served
 * first, and takes at most MN_CHANNEL_BUDGET segments from each ring.
 */
static uint32_t
poll_channels(struct mn_engine *e)
{
	uint32_t work = 0;
	uint16_t n, first;

	if (e->n_active == 0)
		return 0;
	first = e->channel_turn++ % e->n_active;
	for (n = 0; n < e->n_active; n++) {
		uint16_t i = e->active[(first + n) % e->n_active];
		struct mn_engine_channel *ch = &e->channels[i];
		uint32_t freed;

		rx_collect(e, ch);
		freed = ch->rx_freed;
		ch->rx_freed = 0;

		if (ch->backlog_head != NULL && backlog_flush(e, ch))
			work++;
		reopen_window(e, i, freed);
		if (!rte_ring_empty(ch->to_engine)) {
			mn_engine_poll_channel(e, i, MN_CHANNEL_BUDGET);
			work++;
		}
	}
	e->pool_eased = false;
	return work;
}

static uint32_t
output(struct mn_engine *e)
{
	uint32_t rounds = e->tx_count, sent = 0;

	while (rounds-- > 0 && mn_out_room(e) > 0) {
		struct mn_flow *f = &e->flows.flows[e->tx_list[e->tx_head]];

		e->tx_head = (e->tx_head + 1) % e->flows.capacity;
		e->tx_count--;
		f->in_tx_list = false;
		if (f->state != MN_FLOW_ESTABLISHED && f->state != MN_FLOW_CLOSING)
			continue;
		sent += mn_out_data(e, f, MN_BURST);
		/* Back in line while the windows allow more (pacing may hold it
		 * for a while); a flow waiting for acks returns when they come. */
		if (mn_out_can_send(e, f))
			mn_engine_tx_list_add(e, f);
	}
	return sent;
}

/*
 * The last resort behind the shares, reached only when they add up to more
 * than the pool: below the low mark every flow advertises a zero window;
 * they reopen at twice the mark.
 */
static void
watch_pool(struct mn_engine *e)
{
	unsigned int avail = rte_mempool_avail_count(e->pool);

	if (avail < e->pool_low_mark) {
		if (!e->pool_tight)
			e->state->counters.pool_tight++;
		e->pool_tight = true;
	}
	else if (avail >= 2 * e->pool_low_mark && e->pool_tight) {
		e->pool_tight = false;
		e->pool_eased = true;
	}
}

/* What each channel holds of its receive share, for telemetry. */
static void
publish_channels(struct mn_engine *e)
{
	uint16_t n;

	for (n = 0; n < e->n_active; n++) {
		uint16_t i = e->active[n];

		mn_stats_set(&e->channel_stats[i].counts.rx_held,
			     e->channels[i].share.rx_held);
	}
}

static void
timers(struct mn_engine *e)
{
	uint32_t i;

	e->next_timer = e->now + MN_TIMER_PERIOD_NS;
	watch_pool(e);
	mn_engine_connect_timers(e);
	mn_hs_timers(e);
	for (i = e->flows.count; i-- > 0;) {
		struct mn_flow *f = mn_flow_table_live(&e->flows, i);

		if (f->state >= MN_FLOW_ESTABLISHED)
			mn_engine_flow_timer(e, f);
		/* Once a tick, not as they change: a few stores per flow per
		 * millisecond, none per packet. A flow its timer ended is gone. */
		if (f->state != MN_FLOW_FREE)
			mn_flow_stats_refresh(mn_flow_stats_of(&e->flows, f), f);
	}
	publish_channels(e);
	if (e->now >= e->next_arp_age) {
		mn_arp_age(&e->arp, e->now);
		e->next_arp_age = e->now + MN_ARP_AGE_PERIOD_NS;
	}
}

static void
idle(const struct mn_config *cfg, uint32_t *empty_polls)
{
	struct timespec ts = { 0, (long)cfg->idle_sleep_us * 1000 };

	if (cfg->idle_mode == MN_IDLE_SPIN || ++*empty_polls < cfg->idle_polls)
		return;
	*empty_polls = 0;
	if (cfg->idle_mode == MN_IDLE_YIELD)
		sched_yield();
	else
		nanosleep(&ts, NULL);
}

/* Connects still waiting when machnetd stops get an answer, not silence. */
static void
fail_pending(struct mn_engine *e)
{
	int i;

	for (i = 0; i < MN_MAX_PENDING; i++) {
		if (!e->pending_used[i])
			continue;
		e->pending_used[i] = false;
		e->pending[i].msg.status = ESHUTDOWN;
		mn_control_complete(e->control, &e->pending[i]);
	}
}

uint32_t
mn_engine_step(struct mn_engine *e, uint64_t now)
{
	uint32_t work;

	e->now = now;
	work = poll_input(e);
	work += poll_commands(e);
	work += poll_channels(e);
	work += output(e);
	mn_proto_flush_acks(e);
	work += e->txbuf_len;
	mn_out_flush(e);
	if (e->now >= e->next_timer)
		timers(e);
	return work;
}

int
mn_engine_run(struct mn_engine *e, volatile bool *quit)
{
	uint32_t empty_polls = 0;

	/* Short idle sleeps must not be stretched by the default 50 us slack. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	while (!*quit) {
		if (mn_engine_step(e, mn_now_ns()) == 0)
			idle(e->cfg, &empty_polls);
		else
			empty_polls = 0;
	}
	fail_pending(e);
	return 0;
}
