/*
 * telemetry.c: answers /machnet/counters on DPDK's telemetry socket with the
 * engine's counters, the free buffers of the shared pool and the attached
 * channels. The engine is never asked: the counters live in the state
 * memzone and are read as they stand (each is one aligned 64-bit word, so
 * a reader sees an old or a new value, never a torn one).
 */
#include <rte_telemetry.h>

#include "telemetry.h"

static const struct mn_state *tm_state;
static struct rte_mempool *tm_pool;

static unsigned int
attached_channels(const struct mn_state *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < MN_MAX_CHANNELS; i++)
		n += s->channels[i].state == MN_CHANNEL_ATTACHED;
	return n;
}

static int
counters_cb(const char *cmd __rte_unused, const char *params __rte_unused,
	    struct rte_tel_data *d)
{
	const struct mn_counters *c = &tm_state->counters;

	rte_tel_data_start_dict(d);
#define MN_TEL_U64(name, value) rte_tel_data_add_dict_u64(d, name, value)
	MN_TEL_U64("rx_packets", c->rx_packets);
	MN_TEL_U64("tx_packets", c->tx_packets);
	MN_TEL_U64("rx_dropped", c->rx_dropped);
	MN_TEL_U64("rx_malformed", c->rx_malformed);
	MN_TEL_U64("rx_no_flow", c->rx_no_flow);
	MN_TEL_U64("rx_duplicate", c->rx_duplicate);
	MN_TEL_U64("rx_beyond_window", c->rx_beyond_window);
	MN_TEL_U64("tx_retransmits", c->tx_retransmits);
	MN_TEL_U64("rto_expiries", c->rto_expiries);
	MN_TEL_U64("rto_spurious", c->rto_spurious);
	MN_TEL_U64("flows_reset", c->flows_reset);
	MN_TEL_U64("pool_tight", c->pool_tight);
	MN_TEL_U64("syn_backlog_full", c->syn_backlog_full);
	MN_TEL_U64("flow_table_full", c->flow_table_full);
	MN_TEL_U64("half_open_expired", c->half_open_expired);
	MN_TEL_U64("handshake_invalid", c->handshake_invalid);
	MN_TEL_U64("rst_invalid", c->rst_invalid);
	MN_TEL_U64("challenge_acks", c->challenge_acks);
	MN_TEL_U64("keepalive_probes", c->keepalive_probes);
	MN_TEL_U64("msgs_coalesced", c->msgs_coalesced);
	MN_TEL_U64("heap_lock_recoveries", c->heap_lock_recoveries);
	MN_TEL_U64("arp_requests_sent", c->arp_requests_sent);
	MN_TEL_U64("arp_replies_sent", c->arp_replies_sent);
	MN_TEL_U64("icmp_echo_replies", c->icmp_echo_replies);
	MN_TEL_U64("msgs_from_apps", c->msgs_from_apps);
	MN_TEL_U64("msgs_to_apps", c->msgs_to_apps);
	MN_TEL_U64("pool_size", tm_pool->size);
	MN_TEL_U64("pool_free", rte_mempool_avail_count(tm_pool));
	MN_TEL_U64("channels_attached", attached_channels(tm_state));
#undef MN_TEL_U64
	return 0;
}

int
mn_telemetry_init(const struct mn_state *state, struct rte_mempool *pool)
{
	tm_state = state;
	tm_pool = pool;
	return rte_telemetry_register_cmd("/machnet/counters", counters_cb,
		"machnetd's counters, free pool buffers and attached channels. No parameters.");
}
