/*
 * telemetry.c: machnetd's commands on DPDK's telemetry socket.
 *
 * /machnet/counters and /machnet/info read the state memzone, the pool and
 * the configuration as they stand (each counter is one aligned 64-bit
 * word, so a reader sees an old or a new value, never a torn one).
 * /machnet/flows and /machnet/channels copy the engine's records out as
 * stats.h allows, /machnet/listeners and /machnet/arp the engine's tables
 * under their sequence counts (listen.h, arp.h), without a lock on the
 * engine's side, and answer in columns, one array per field with one
 * entry per row: DPDK 22.11's telemetry nests nothing but arrays of plain
 * values in a reply.
 *
 * Several clients may ask at once, each answered on a thread of its own,
 * so nothing here is written after init but the gate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_rwlock.h>
#include <rte_telemetry.h>

#include "clock.h"
#include "telemetry.h"

/* Flows in one reply of /machnet/flows: their columns fit DPDK's 16 KiB
 * reply whatever their figures; "next" says where the rest start. */
#define MN_TEL_FLOWS_PER_REPLY 32
/* Listeners and ARP entries in one reply, by the same reckoning: their
 * rows are under 70 bytes. */
#define MN_TEL_ROWS_PER_REPLY 128
#define MN_TEL_ADDR_LEN sizeof("255.255.255.255:65535")

static struct mn_telemetry_src tm;
static char tm_port_name[RTE_ETH_NAME_MAX_LEN];
/*
 * The engine's tables are freed when machnetd stops, while this thread
 * may still be answering: readers of the records hold the lock shared,
 * and mn_telemetry_stop takes it alone to close the gate. The engine
 * never touches it.
 */
static rte_rwlock_t tm_gate = RTE_RWLOCK_INITIALIZER;
static bool tm_records_open;

static bool
records_enter(void)
{
	rte_rwlock_read_lock(&tm_gate);
	if (tm_records_open)
		return true;
	rte_rwlock_read_unlock(&tm_gate);
	return false;
}

static void
records_leave(void)
{
	rte_rwlock_read_unlock(&tm_gate);
}

struct column {
	const char *name;
	enum rte_tel_value_type type;
};

static void
columns_free(struct rte_tel_data **col, unsigned int n)
{
	while (n-- > 0)
		rte_tel_data_free(col[n]);
}

/* One empty array per column; false, with nothing left allocated, if
 * there is no memory for them. */
static bool
columns_start(struct rte_tel_data **col, const struct column *def,
	      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		col[i] = rte_tel_data_alloc();
		if (col[i] == NULL) {
			columns_free(col, i);
			return false;
		}
		rte_tel_data_start_array(col[i], def[i].type);
	}
	return true;
}

/* Hands the columns to the reply, which frees them once sent. */
static void
columns_add(struct rte_tel_data *d, struct rte_tel_data **col,
	    const struct column *def, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rte_tel_data_add_dict_container(d, def[i].name, col[i], 0) != 0)
			rte_tel_data_free(col[i]);
}

static const char *
ipv4(char *buf, size_t len, uint32_t ip)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
	return buf;
}

static const char *
endpoint(char buf[MN_TEL_ADDR_LEN], uint32_t ip, uint16_t port)
{
	char addr[16];

	snprintf(buf, MN_TEL_ADDR_LEN, "%s:%u", ipv4(addr, sizeof(addr), ip), port);
	return buf;
}

static const char *
flow_state_name(uint8_t state)
{
	static const char *const names[] = {
		[MN_FLOW_ARP_WAIT] = "arp_wait",
		[MN_FLOW_SYN_SENT] = "syn_sent",
		[MN_FLOW_ESTABLISHED] = "established",
		[MN_FLOW_CLOSING] = "closing",
		[MN_FLOW_FIN_SENT] = "fin_sent",
	};

	return state < RTE_DIM(names) && names[state] != NULL ? names[state] : "?";
}

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
	const struct mn_counters *c = &tm.state->counters;

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
	MN_TEL_U64("pool_size", tm.pool->size);
	MN_TEL_U64("pool_free", rte_mempool_avail_count(tm.pool));
	MN_TEL_U64("channels_attached", attached_channels(tm.state));
#undef MN_TEL_U64
	return 0;
}

enum {
	F_SLOT, F_LOCAL, F_REMOTE, F_CHANNEL, F_STATE, F_CWND, F_SRTT, F_RTO,
	F_MSS, F_TX_MSGS, F_TX_BYTES, F_RX_MSGS, F_RX_BYTES, F_RETRANSMITS,
	F_TIMEOUTS, F_AGE, F_COLUMNS
};

static const struct column flow_columns[F_COLUMNS] = {
	[F_SLOT] = { "slot", RTE_TEL_U64_VAL },
	[F_LOCAL] = { "local", RTE_TEL_STRING_VAL },
	[F_REMOTE] = { "remote", RTE_TEL_STRING_VAL },
	[F_CHANNEL] = { "channel", RTE_TEL_INT_VAL },
	[F_STATE] = { "state", RTE_TEL_STRING_VAL },
	[F_CWND] = { "cwnd_milli", RTE_TEL_U64_VAL },
	[F_SRTT] = { "srtt_us", RTE_TEL_U64_VAL },
	[F_RTO] = { "rto_us", RTE_TEL_U64_VAL },
	[F_MSS] = { "mss", RTE_TEL_U64_VAL },
	[F_TX_MSGS] = { "tx_msgs", RTE_TEL_U64_VAL },
	[F_TX_BYTES] = { "tx_bytes", RTE_TEL_U64_VAL },
	[F_RX_MSGS] = { "rx_msgs", RTE_TEL_U64_VAL },
	[F_RX_BYTES] = { "rx_bytes", RTE_TEL_U64_VAL },
	[F_RETRANSMITS] = { "retransmits", RTE_TEL_U64_VAL },
	[F_TIMEOUTS] = { "timeouts", RTE_TEL_U64_VAL },
	[F_AGE] = { "age_ms", RTE_TEL_U64_VAL },
};

static void
flow_row(struct rte_tel_data **col, uint32_t slot, const struct mn_flow_view *v,
	 uint64_t now)
{
	const struct mn_flow_desc *f = &v->desc;
	const struct mn_flow_counts *c = &v->counts;
	char local[MN_TEL_ADDR_LEN], remote[MN_TEL_ADDR_LEN];

	rte_tel_data_add_array_u64(col[F_SLOT], slot);
	rte_tel_data_add_array_string(col[F_LOCAL],
		endpoint(local, f->key.local_ip, f->key.local_port));
	rte_tel_data_add_array_string(col[F_REMOTE],
		endpoint(remote, f->key.remote_ip, f->key.remote_port));
	rte_tel_data_add_array_int(col[F_CHANNEL],
		f->channel == MN_CHANNEL_NONE ? -1 : f->channel);
	rte_tel_data_add_array_string(col[F_STATE], flow_state_name(f->state));
	rte_tel_data_add_array_u64(col[F_CWND], (uint64_t)(f->cwnd * 1000.0 + 0.5));
	rte_tel_data_add_array_u64(col[F_SRTT], f->srtt / MN_NS_PER_US);
	rte_tel_data_add_array_u64(col[F_RTO], f->rto / MN_NS_PER_US);
	rte_tel_data_add_array_u64(col[F_MSS], f->mss);
	rte_tel_data_add_array_u64(col[F_TX_MSGS], c->tx_msgs);
	rte_tel_data_add_array_u64(col[F_TX_BYTES], c->tx_bytes);
	rte_tel_data_add_array_u64(col[F_RX_MSGS], c->rx_msgs);
	rte_tel_data_add_array_u64(col[F_RX_BYTES], c->rx_bytes);
	rte_tel_data_add_array_u64(col[F_RETRANSMITS], c->retransmits);
	rte_tel_data_add_array_u64(col[F_TIMEOUTS], c->timeouts);
	rte_tel_data_add_array_u64(col[F_AGE], now > f->started_at ?
				   (now - f->started_at) / MN_NS_PER_MS : 0);
}

/* The slot a reply starts from: none given is 0. */
static int
parse_slot(const char *params, uint32_t *slot)
{
	unsigned long v;
	char *end;

	*slot = 0;
	if (params == NULL || *params == '\0')
		return 0;
	errno = 0;
	v = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || end == params || v > UINT32_MAX)
		return -EINVAL;
	*slot = (uint32_t)v;
	return 0;
}

/*
 * A reply lists rows of a table from one slot on, up to a limit, and
 * counts every live row; "next" names the slot to ask from for the rest.
 */
struct page {
	uint32_t from, limit;
	uint32_t live, listed, next;
	bool more;
};

/* Counts a live row at SLOT; true if the reply lists it. */
static bool
page_takes(struct page *p, uint32_t slot)
{
	p->live++;
	if (slot < p->from)
		return false;
	if (p->listed == p->limit) {
		if (!p->more)
			p->next = slot;
		p->more = true;
		return false;
	}
	p->listed++;
	return true;
}

/* Starts the reply with the count of live rows, as NAME, and "next". */
static void
page_reply(struct rte_tel_data *d, const char *name, const struct page *p)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, name, p->live);
	if (p->more)
		rte_tel_data_add_dict_u64(d, "next", p->next);
}

/* By slot of the flow table, a page at a time. */
static int
flows_cb(const char *cmd __rte_unused, const char *params,
	 struct rte_tel_data *d)
{
	struct rte_tel_data *col[F_COLUMNS];
	struct page page = { .limit = MN_TEL_FLOWS_PER_REPLY };
	uint64_t now = mn_now_ns();
	struct mn_flow_view v;
	uint32_t slot;

	if (parse_slot(params, &page.from) != 0)
		return -EINVAL;
	if (!records_enter())
		return -ENODEV;
	if (!columns_start(col, flow_columns, F_COLUMNS)) {
		records_leave();
		return -ENOMEM;
	}
	for (slot = 0; slot < tm.flow_slots; slot++) {
		if (mn_flow_stats_read(&tm.flows[slot], &v) &&
		    page_takes(&page, slot))
			flow_row(col, slot, &v, now);
	}
	records_leave();
	page_reply(d, "flows", &page);
	columns_add(d, col, flow_columns, F_COLUMNS);
	return 0;
}

enum {
	C_CHANNEL, C_PID, C_FLOWS, C_LISTENERS, C_TX_MSGS, C_TX_BYTES,
	C_RX_MSGS, C_RX_BYTES, C_TX_EAGAIN, C_RX_USED, C_TX_USED, C_COLUMNS
};

static const struct column channel_columns[C_COLUMNS] = {
	[C_CHANNEL] = { "channel", RTE_TEL_U64_VAL },
	[C_PID] = { "pid", RTE_TEL_INT_VAL },
	[C_FLOWS] = { "flows", RTE_TEL_U64_VAL },
	[C_LISTENERS] = { "listeners", RTE_TEL_U64_VAL },
	[C_TX_MSGS] = { "tx_msgs", RTE_TEL_U64_VAL },
	[C_TX_BYTES] = { "tx_bytes", RTE_TEL_U64_VAL },
	[C_RX_MSGS] = { "rx_msgs", RTE_TEL_U64_VAL },
	[C_RX_BYTES] = { "rx_bytes", RTE_TEL_U64_VAL },
	[C_TX_EAGAIN] = { "tx_eagain", RTE_TEL_U64_VAL },
	[C_RX_USED] = { "rx_share_used", RTE_TEL_U64_VAL },
	[C_TX_USED] = { "tx_share_used", RTE_TEL_U64_VAL },
};

/* Live flows per channel, closed ones (no channel) not counted. */
static void
flows_per_channel(uint32_t flows[MN_MAX_CHANNELS])
{
	struct mn_flow_view v;
	uint32_t slot;

	memset(flows, 0, MN_MAX_CHANNELS * sizeof(flows[0]));
	for (slot = 0; slot < tm.flow_slots; slot++)
		if (mn_flow_stats_read(&tm.flows[slot], &v) &&
		    v.desc.channel < MN_MAX_CHANNELS)
			flows[v.desc.channel]++;
}

/* Segments the channel's sends hold: the engine's count first, so that it
 * never passes the library's as read after it. */
static uint64_t
tx_share_used(const struct mn_channel_usage *u)
{
	uint64_t released = u->tx_released;
	uint64_t queued = u->tx_queued;

	return queued > released ? queued - released : 0;
}

static void
channel_row(struct rte_tel_data **col, unsigned int i, uint32_t flows)
{
	const struct mn_channel_slot slot = tm.state->channels[i];
	struct mn_channel_counts c;

	mn_channel_stats_read(&tm.channels[i], slot.generation, &c);
	rte_tel_data_add_array_u64(col[C_CHANNEL], i);
	rte_tel_data_add_array_int(col[C_PID], slot.owner_pid);
	rte_tel_data_add_array_u64(col[C_FLOWS], flows);
	rte_tel_data_add_array_u64(col[C_LISTENERS], c.listeners);
	rte_tel_data_add_array_u64(col[C_TX_MSGS], c.tx_msgs);
	rte_tel_data_add_array_u64(col[C_TX_BYTES], c.tx_bytes);
	rte_tel_data_add_array_u64(col[C_RX_MSGS], c.rx_msgs);
	rte_tel_data_add_array_u64(col[C_RX_BYTES], c.rx_bytes);
	rte_tel_data_add_array_u64(col[C_TX_EAGAIN], tm.state->usage[i].tx_eagain);
	rte_tel_data_add_array_u64(col[C_RX_USED], c.rx_held);
	rte_tel_data_add_array_u64(col[C_TX_USED],
				   tx_share_used(&tm.state->usage[i]));
}

static int
channels_cb(const char *cmd __rte_unused, const char *params __rte_unused,
	    struct rte_tel_data *d)
{
	struct rte_tel_data *col[C_COLUMNS];
	uint32_t flows[MN_MAX_CHANNELS];
	unsigned int i, n = 0;

	if (!records_enter())
		return -ENODEV;
	if (!columns_start(col, channel_columns, C_COLUMNS)) {
		records_leave();
		return -ENOMEM;
	}
	flows_per_channel(flows);
	for (i = 0; i < MN_MAX_CHANNELS; i++) {
		if (tm.state->channels[i].state != MN_CHANNEL_ATTACHED)
			continue;
		channel_row(col, i, flows[i]);
		n++;
	}
	records_leave();
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "channels", n);
	rte_tel_data_add_dict_u64(d, "rx_share", tm.cfg->channel_rx_share);
	rte_tel_data_add_dict_u64(d, "tx_share", tm.cfg->channel_tx_share);
	columns_add(d, col, channel_columns, C_COLUMNS);
	return 0;
}

enum { L_LOCAL, L_PORT, L_CHANNEL, L_PID, L_PENDING, L_COLUMNS };

static const struct column listener_columns[L_COLUMNS] = {
	[L_LOCAL] = { "ip", RTE_TEL_STRING_VAL },
	[L_PORT] = { "port", RTE_TEL_U64_VAL },
	[L_CHANNEL] = { "channel", RTE_TEL_U64_VAL },
	[L_PID] = { "pid", RTE_TEL_INT_VAL },
	[L_PENDING] = { "pending", RTE_TEL_U64_VAL },
};

/* The pid of the tenant that listened: -1 if the channel has another
 * since (the engine has not yet seen it leave). */
static int
listener_pid(const struct mn_listener *l)
{
	const struct mn_channel_slot slot = tm.state->channels[l->channel];

	return slot.state == MN_CHANNEL_ATTACHED &&
	       slot.generation == l->channel_gen ? slot.owner_pid : -1;
}

static void
listener_row(struct rte_tel_data **col, const struct mn_listener *l)
{
	char ip[16];

	rte_tel_data_add_array_string(col[L_LOCAL], ipv4(ip, sizeof(ip), tm.cfg->ip));
	rte_tel_data_add_array_u64(col[L_PORT], l->port);
	rte_tel_data_add_array_u64(col[L_CHANNEL], l->channel);
	rte_tel_data_add_array_int(col[L_PID],
		l->channel < MN_MAX_CHANNELS ? listener_pid(l) : -1);
	rte_tel_data_add_array_u64(col[L_PENDING], l->half_open);
}

/* As /machnet/flows, by slot of the listener table. */
static int
listeners_cb(const char *cmd __rte_unused, const char *params,
	     struct rte_tel_data *d)
{
	struct mn_listener l[MN_MAX_LISTENERS];
	struct rte_tel_data *col[L_COLUMNS];
	struct page page = { .limit = MN_TEL_ROWS_PER_REPLY };
	uint32_t i;

	if (parse_slot(params, &page.from) != 0)
		return -EINVAL;
	if (!records_enter())
		return -ENODEV;
	mn_listen_snapshot(tm.listeners, l);
	records_leave();
	if (!columns_start(col, listener_columns, L_COLUMNS))
		return -ENOMEM;
	for (i = 0; i < MN_MAX_LISTENERS; i++)
		if (l[i].port != 0 && page_takes(&page, i))
			listener_row(col, &l[i]);
	page_reply(d, "listeners", &page);
	rte_tel_data_add_dict_u64(d, "backlog", tm.cfg->syn_backlog);
	columns_add(d, col, listener_columns, L_COLUMNS);
	return 0;
}

enum { A_IP, A_MAC, A_STATE, A_AGE, A_TRIES, A_COLUMNS };

static const struct column arp_columns[A_COLUMNS] = {
	[A_IP] = { "ip", RTE_TEL_STRING_VAL },
	[A_MAC] = { "mac", RTE_TEL_STRING_VAL },
	[A_STATE] = { "state", RTE_TEL_STRING_VAL },
	[A_AGE] = { "age_ms", RTE_TEL_INT_VAL },
	[A_TRIES] = { "tries", RTE_TEL_U64_VAL },
};

static const char *
arp_state_name(const struct mn_arp_entry *e, uint64_t now)
{
	switch (e->state) {
	case MN_ARP_ENTRY_PENDING:
		return "pending";
	case MN_ARP_ENTRY_RESOLVED:
		return mn_arp_expired(tm.arp, e, now) ? "expired" : "resolved";
	case MN_ARP_ENTRY_STATIC:
		return "static";
	default:
		return "?";
	}
}

static void
arp_row(struct rte_tel_data **col, const struct mn_arp_entry *e, uint64_t now)
{
	char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE];
	/* Only a learnt entry's stamp is when it was learnt. */
	int64_t age = e->state == MN_ARP_ENTRY_RESOLVED ?
		(int64_t)((now > e->stamp ? now - e->stamp : 0) / MN_NS_PER_MS) : -1;

	rte_tel_data_add_array_string(col[A_IP], ipv4(ip, sizeof(ip), e->ip));
	if (e->state == MN_ARP_ENTRY_PENDING)
		snprintf(mac, sizeof(mac), "-");
	else
		rte_ether_format_addr(mac, sizeof(mac), &e->mac);
	rte_tel_data_add_array_string(col[A_MAC], mac);
	rte_tel_data_add_array_string(col[A_STATE], arp_state_name(e, now));
	rte_tel_data_add_array_int(col[A_AGE], (int)RTE_MIN(age, (int64_t)INT32_MAX));
	rte_tel_data_add_array_u64(col[A_TRIES], e->tries);
}

/* As /machnet/flows, by slot of the ARP table; -EBUSY while the engine
 * changes the table faster than it can be copied. */
static int
arp_cb(const char *cmd __rte_unused, const char *params,
       struct rte_tel_data *d)
{
	struct rte_tel_data *col[A_COLUMNS];
	struct page page = { .limit = MN_TEL_ROWS_PER_REPLY };
	uint64_t now = mn_now_ns();
	struct mn_arp_entry *a;
	uint32_t i;
	int ret;

	if (parse_slot(params, &page.from) != 0)
		return -EINVAL;
	a = malloc(MN_ARP_TABLE_SIZE * sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	if (!records_enter()) {
		free(a);
		return -ENODEV;
	}
	ret = mn_arp_snapshot(tm.arp, a);
	records_leave();
	if (ret == 0 && !columns_start(col, arp_columns, A_COLUMNS))
		ret = -ENOMEM;
	if (ret != 0) {
		free(a);
		return ret;
	}
	for (i = 0; i < MN_ARP_TABLE_SIZE; i++)
		if (a[i].state != MN_ARP_ENTRY_FREE && page_takes(&page, i))
			arp_row(col, &a[i], now);
	free(a);
	page_reply(d, "entries", &page);
	columns_add(d, col, arp_columns, A_COLUMNS);
	return 0;
}

/* The checksums the port computes (none on af_packet, af_xdp, memif). */
static void
offload_names(struct rte_tel_data *a, const struct mn_port_offloads *o)
{
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	if (o->tx_ip_cksum)
		rte_tel_data_add_array_string(a, "tx_ipv4_cksum");
	if (o->tx_udp_cksum)
		rte_tel_data_add_array_string(a, "tx_udp_cksum");
	if (o->tx_udp_cksum_none)
		rte_tel_data_add_array_string(a, "tx_udp_cksum_none");
	if (o->rx_ip_cksum)
		rte_tel_data_add_array_string(a, "rx_ipv4_cksum");
	if (o->rx_udp_cksum)
		rte_tel_data_add_array_string(a, "rx_udp_cksum");
}

static uint64_t
uptime_s(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - tm.started.tv_sec);
}

static int
info_cb(const char *cmd __rte_unused, const char *params __rte_unused,
	struct rte_tel_data *d)
{
	struct rte_tel_data *offloads = rte_tel_data_alloc();
	char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE];

	if (offloads == NULL)
		return -ENOMEM;
	offload_names(offloads, &tm.port.offloads);
	rte_ether_format_addr(mac, sizeof(mac), &tm.mac);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", MN_VERSION);
	rte_tel_data_add_dict_string(d, "instance", tm.cfg->instance);
	rte_tel_data_add_dict_string(d, "ip", ipv4(ip, sizeof(ip), tm.cfg->ip));
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_u64(d, "mtu", tm.cfg->mtu);
	rte_tel_data_add_dict_u64(d, "mss", tm.state->mss);
	rte_tel_data_add_dict_string(d, "port", tm_port_name);
	rte_tel_data_add_dict_u64(d, "port_id", tm.port_id);
	rte_tel_data_add_dict_string(d, "pmd", tm.port.driver);
	if (rte_tel_data_add_dict_container(d, "offloads", offloads, 0) != 0)
		rte_tel_data_free(offloads);
	rte_tel_data_add_dict_string(d, "idle", mn_config_idle_name(tm.cfg->idle_mode));
	rte_tel_data_add_dict_u64(d, "uptime_s", uptime_s());
	return 0;
}

int
mn_telemetry_init(const struct mn_telemetry_src *src)
{
	tm = *src;
	if (rte_eth_dev_get_name_by_port(tm.port_id, tm_port_name) != 0)
		return -1;
	tm_records_open = true;
	if (rte_telemetry_register_cmd("/machnet/counters", counters_cb,
		"machnetd's counters, free pool buffers and attached channels. No parameters.") != 0 ||
	    rte_telemetry_register_cmd("/machnet/flows", flows_cb,
		"Each flow: tuple, channel, state, cwnd, RTT, counts. Parameter: first slot (\"next\").") != 0 ||
	    rte_telemetry_register_cmd("/machnet/channels", channels_cb,
		"Each attached channel: owner, flows, listeners, traffic, shares used. No parameters.") != 0 ||
	    rte_telemetry_register_cmd("/machnet/listeners", listeners_cb,
		"Each listener: address, port, channel, owner, pending handshakes. Parameter: first slot (\"next\").") != 0 ||
	    rte_telemetry_register_cmd("/machnet/arp", arp_cb,
		"Each ARP entry: address, MAC, state, age, requests sent. Parameter: first slot (\"next\").") != 0 ||
	    rte_telemetry_register_cmd("/machnet/info", info_cb,
		"Version, instance, addresses, MTU, MSS, port, PMD, offloads, idle mode, uptime. No parameters.") != 0)
		return -1;
	return 0;
}

void
mn_telemetry_stop(void)
{
	rte_rwlock_write_lock(&tm_gate);
	tm_records_open = false;
	rte_rwlock_write_unlock(&tm_gate);
}
