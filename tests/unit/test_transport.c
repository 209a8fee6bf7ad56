/*
 * test_transport.c: two engines joined by a simulated link, with a fake
 * clock, exercising the transport end to end without a NIC: ARP, the
 * handshake and its failures, header building and checking, segmentation
 * and reassembly through the wire, retransmission after a loss, delivery
 * to a slow application, loopback and close, and what the engine
 * publishes of its flows and channels for telemetry along the way.
 *
 * Each engine drives a real ethdev (DPDK's ring PMD); the test moves
 * frames from one engine's tx ring to the other's rx ring and may drop or
 * corrupt them on the way.
 */
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ring_elem.h>

#include <machnet.h>

#include "clock.h"
#include "config.h"
#include "engine.h"
#include "mn_wire.h"
#include "proto.h"
#include "stats.h"
#include "unit.h"

#define IP_A RTE_IPV4(10, 0, 0, 1)
#define IP_B RTE_IPV4(10, 0, 0, 2)
#define IP_NOBODY RTE_IPV4(10, 0, 0, 77)
#define LISTEN_PORT 7000
#define RING_SIZE 64
#define STEP_NS (10 * 1000ull)


struct node {
	struct mn_config cfg;
	struct mn_state state;
	struct mn_flow_usage *flow_usage;
	struct mn_control ctl;
	struct mn_engine e;
	struct rte_ring *nic_rx, *nic_tx;
	struct rte_ring *app_tx, *app_rx;
	struct rte_ring *app1_tx, *app1_rx; /* a second tenant, if a test adds it */
};

/* What the link does to a frame. */
enum verdict { PASS, DROP, CORRUPT, HOLD, DUPLICATE };

/* What a rule sees of a frame. */
struct frame_info {
	struct rte_mbuf *m;
	uint8_t type;  /* Machnet packet type; 0: not a Machnet packet */
	uint8_t flags;
	uint32_t nth;  /* frames of this type this link carried before */
};

typedef enum verdict (*link_rule)(const struct frame_info *fi);

/* One direction of the simulated wire. */
struct link {
	link_rule rule;
	uint32_t seen[8];       /* per packet type */
	struct rte_mbuf *held;  /* a frame overtaken by later ones */
	uint32_t held_for;      /* frames that passed it so far */
	uint32_t held_calls;    /* pump steps it has waited */
};

#define HOLD_FRAMES 3

static struct rte_mempool *pool;
static struct node a, b;
static uint64_t now;
static unsigned int nodes_made;
static struct link ab, ba;
static uint64_t rng = 1;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33) % n;
}

static struct rte_ring *
ring(const char *what, unsigned int size)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "t%u_%s", nodes_made, what);
	/* single producer and consumer, as machnetd's own rings */
	r = rte_ring_create(name, size, SOCKET_ID_ANY,
			    RING_F_SP_ENQ | RING_F_SC_DEQ);
	ck_assert_ptr_nonnull(r);
	return r;
}

static struct rte_ring *
cmd_ring(const char *what)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "t%u_%s", nodes_made, what);
	r = rte_ring_create_elem(name, sizeof(struct mn_cmd), 64, SOCKET_ID_ANY, 0);
	ck_assert_ptr_nonnull(r);
	return r;
}

static int
wait_completion(struct node *n, struct mn_cmd *done, unsigned int max_steps);

static void
node_init(struct node *n, uint32_t ip)
{
	struct rte_eth_conf port_conf = { 0 };
	struct mn_iface ifc = { 0 };
	char name[32];
	struct mn_cmd cmd = { 0 }, done;

	memset(n, 0, sizeof(*n));
	mn_config_defaults(&n->cfg);
	n->cfg.ip = ip;
	/* The transport settings this suite's expectations are written for. */
	n->cfg.rto_us = 5000;
	n->cfg.rto_min_us = 1000;
	n->cfg.rto_max_us = 200000;
	n->cfg.max_retries = 12;
	n->cfg.cc_target_us = 500;
	n->cfg.cc_ai = 1.0;
	n->cfg.cc_beta = 0.8;
	n->cfg.cc_max_mdf = 0.5;
	n->cfg.cc_min_cwnd = 0.01;
	n->state.mss = mn_wire_mss(1500);
	n->state.payload_sum = 1; /* a port without checksum offload */
	n->state.ring_size = RING_SIZE;
	n->nic_rx = ring("nic_rx", 4096);
	n->nic_tx = ring("nic_tx", 4096);
	n->app_tx = ring("app_tx", RING_SIZE);
	n->app_rx = ring("app_rx", RING_SIZE);
	n->ctl.state = &n->state;
	n->ctl.to_engine = cmd_ring("to_engine");
	n->ctl.from_engine = cmd_ring("from_engine");
	ck_assert_int_eq(sem_init(&n->ctl.wake, 0, 0), 0);
	snprintf(name, sizeof(name), "net_test%u", nodes_made++);
	ifc.port_id = (uint16_t)rte_eth_from_rings(name, &n->nic_rx, 1, &n->nic_tx, 1,
						   SOCKET_ID_ANY);
	ck_assert_int_eq(rte_eth_dev_configure(ifc.port_id, 1, 1, &port_conf), 0);
	ck_assert_int_eq(rte_eth_rx_queue_setup(ifc.port_id, 0, 1024, SOCKET_ID_ANY,
						NULL, pool), 0);
	ck_assert_int_eq(rte_eth_tx_queue_setup(ifc.port_id, 0, 1024, SOCKET_ID_ANY,
						NULL), 0);
	ck_assert_int_eq(rte_eth_dev_start(ifc.port_id), 0);
	ifc.ip = ip;
	ifc.netmask = UINT32_C(0xffffff00); /* not RTE_IPV4: it shifts 255 into an int's sign bit */
	ifc.mtu = 1500;
	ifc.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)ip } };
	ck_assert_int_eq(mn_engine_init(&n->e, &n->cfg, &ifc, &n->state, &n->ctl, pool), 0);
	n->flow_usage = calloc(n->cfg.max_flows, sizeof(*n->flow_usage));
	ck_assert_ptr_nonnull(n->flow_usage);
	mn_engine_set_flow_usage(&n->e, n->flow_usage);
	/* The simulated wire copies each frame and drops its reference, as
	 * af_packet does: the engines may share kept frames with it (the
	 * tests of the copying path, a NIC driver's, turn this off). */
	n->e.ifc.tx_shares_frames = true;
	mn_engine_set_channel(&n->e, 0, n->app_tx, n->app_rx);
	cmd.msg.op = MN_CTRL_ATTACH;
	cmd.msg.generation = 1;
	ck_assert_int_eq(rte_ring_enqueue_elem(n->ctl.to_engine, &cmd, sizeof(cmd)), 0);
	mn_engine_step(&n->e, now);
	ck_assert_int_eq(wait_completion(n, &done, 1), 0);
}

static void
frame_info(struct rte_mbuf *m, struct frame_info *fi, struct link *l)
{
	const struct mn_hdr *h = rte_pktmbuf_mtod_offset(m, struct mn_hdr *,
		MN_WIRE_HDRS_LEN - sizeof(struct mn_hdr));
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	fi->m = m;
	fi->type = 0;
	fi->flags = 0;
	if (m->data_len >= MN_WIRE_HDRS_LEN &&
	    eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
	    h->type < RTE_DIM(l->seen)) {
		fi->type = h->type;
		fi->flags = h->flags;
	}
	fi->nth = l->seen[fi->type]++;
}

static void
deliver_frame(struct rte_ring *to, struct rte_mbuf *m, struct link *l)
{
	ck_assert_int_eq(rte_ring_enqueue(to, m), 0);
	if (l->held != NULL && ++l->held_for >= HOLD_FRAMES) {
		ck_assert_int_eq(rte_ring_enqueue(to, l->held), 0);
		l->held = NULL;
	}
}

static void
wire(struct rte_ring *from, struct rte_ring *to, struct link *l)
{
	struct rte_mbuf *sent, *m;
	struct frame_info fi;

	/* A held frame waits for HOLD_FRAMES others, or a while on a quiet link. */
	if (l->held != NULL && ++l->held_calls > 50) {
		ck_assert_int_eq(rte_ring_enqueue(to, l->held), 0);
		l->held = NULL;
	}
	while (rte_ring_dequeue(from, (void **)&sent) == 0) {
		/* A wire copies: the sender keeps its frame for retransmission. */
		m = rte_pktmbuf_copy(sent, pool, 0, UINT32_MAX);
		rte_pktmbuf_free(sent);
		ck_assert_ptr_nonnull(m);
		frame_info(m, &fi, l);
		switch (l->rule != NULL ? l->rule(&fi) : PASS) {
		case DROP:
			rte_pktmbuf_free(m);
			break;
		case CORRUPT:
			rte_pktmbuf_mtod(m, uint8_t *)[m->data_len - 1] ^= 0xff;
			deliver_frame(to, m, l);
			break;
		case HOLD:
			if (l->held == NULL) {
				l->held = m;
				l->held_for = 0;
				l->held_calls = 0;
				break;
			}
			deliver_frame(to, m, l);
			break;
		case DUPLICATE:
			deliver_frame(to, rte_pktmbuf_copy(m, pool, 0, UINT32_MAX), l);
			deliver_frame(to, m, l);
			break;
		case PASS:
			deliver_frame(to, m, l);
			break;
		}
	}
}

static void
pump(unsigned int steps, uint64_t step_ns)
{
	while (steps-- > 0) {
		now += step_ns;
		mn_engine_step(&a.e, now);
		mn_engine_step(&b.e, now);
		wire(a.nic_tx, b.nic_rx, &ab);
		wire(b.nic_tx, a.nic_rx, &ba);
	}
}

static int
wait_completion(struct node *n, struct mn_cmd *done, unsigned int max_steps)
{
	while (max_steps-- > 0) {
		if (rte_ring_dequeue_elem(n->ctl.from_engine, done, sizeof(*done)) == 0)
			return done->msg.status;
		pump(1, STEP_NS);
	}
	return -1;
}

static int
request_on(struct node *n, uint32_t channel, uint32_t op,
	   struct mn_flow_tuple *flow, uint64_t step_ns, unsigned int max_steps)
{
	struct mn_cmd cmd = { 0 }, done;
	int status = -1;

	cmd.msg.op = op;
	cmd.msg.channel = channel;
	cmd.msg.generation = 1;
	cmd.msg.flow = *flow;
	ck_assert_int_eq(rte_ring_enqueue_elem(n->ctl.to_engine, &cmd, sizeof(cmd)), 0);
	while (max_steps-- > 0) {
		if (rte_ring_dequeue_elem(n->ctl.from_engine, &done, sizeof(done)) == 0) {
			status = done.msg.status;
			*flow = done.msg.flow;
			break;
		}
		pump(1, step_ns);
	}
	return status;
}

static int
request(struct node *n, uint32_t op, struct mn_flow_tuple *flow, uint64_t step_ns,
	unsigned int max_steps)
{
	return request_on(n, 0, op, flow, step_ns, max_steps);
}

static struct mn_flow_tuple
connect_ok(struct node *from, uint32_t dst_ip, uint16_t port)
{
	struct mn_flow_tuple t = { .src_ip = from->cfg.ip, .dst_ip = dst_ip,
				   .dst_port = port };

	ck_assert_int_eq(request(from, MN_CTRL_CONNECT, &t, STEP_NS, 1000), 0);
	ck_assert_uint_ne(t.src_port, 0);
	/* The listener's flow exists once our last ack got there. */
	pump(1, STEP_NS);
	return t;
}

static void
setup(void)
{
	struct mn_flow_tuple l = { .src_ip = IP_B, .src_port = LISTEN_PORT };

	now = 1000 * MN_NS_PER_MS;
	memset(&ab, 0, sizeof(ab));
	memset(&ba, 0, sizeof(ba));
	rng = 1;
	node_init(&a, IP_A);
	node_init(&b, IP_B);
	ck_assert_int_eq(request(&b, MN_CTRL_LISTEN, &l, STEP_NS, 10), 0);
}

static void
teardown(void)
{
	mn_engine_free(&a.e);
	mn_engine_free(&b.e);
	free(a.flow_usage);
	free(b.flow_usage);
}

static uint8_t
pattern(size_t i, uint32_t salt)
{
	return (uint8_t)((i * 131u) ^ (i >> 9) ^ salt);
}

/* Where the engine keeps the flow, as libmachnet learns it from machnetd. */
static struct mn_flow_ref
app_flow_ref(struct node *n, const struct mn_flow_tuple *t)
{
	struct mn_flow_key key;
	struct mn_flow *f;

	mn_flow_key_from_tuple(&key, t);
	f = mn_flow_lookup(&n->e.flows, &key);
	return f != NULL ? mn_engine_flow_ref(&n->e, f) : (struct mn_flow_ref){ 0 };
}

/* Where libmachnet cuts a flow's messages: the MSS its handshake settled. */
static uint32_t
app_flow_mss(struct node *n, const struct mn_flow_tuple *t)
{
	struct mn_flow_ref ref = app_flow_ref(n, t);
	uint32_t mss = ref.serial != 0 ? n->flow_usage[ref.slot].mss : 0;

	return mss != 0 ? mss : n->state.mss;
}

static void
app_send_on(struct node *n, uint16_t ch, const struct mn_flow_tuple *t,
	    size_t len, uint32_t salt)
{
	uint8_t *buf = malloc(len);
	struct mn_iov iov = { buf, len };
	struct rte_mbuf *msg;
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern(i, salt);
	msg = mn_msg_build(pool, &iov, 1, (uint32_t)len, app_flow_mss(n, t),
			   n->state.payload_sum != 0);
	ck_assert_ptr_nonnull(msg);
	mn_msg_meta(msg)->flow = *t;
	mn_msg_meta(msg)->ref = app_flow_ref(n, t);
	n->state.usage[ch].tx_queued += msg->nb_segs; /* as libmachnet counts */
	ck_assert_int_eq(rte_ring_enqueue(ch == 0 ? n->app_tx : n->app1_tx, msg), 0);
	free(buf);
}

static void
app_send(struct node *n, const struct mn_flow_tuple *t, size_t len, uint32_t salt)
{
	app_send_on(n, 0, t, len, salt);
}

/* Takes what the engine delivered, counting it as libmachnet does. */
static bool
app_take(struct node *n, uint16_t ch, struct rte_mbuf **msg)
{
	if (rte_ring_dequeue(ch == 0 ? n->app_rx : n->app1_rx, (void **)msg) != 0)
		return false;
	n->state.usage[ch].rx_taken++;
	return true;
}

/* Pumps until the application on channel ch has a message, then checks it. */
static void
app_expect_on(struct node *n, uint16_t ch, size_t len, uint32_t salt,
	      unsigned int max_steps)
{
	struct rte_mbuf *msg = NULL;
	uint8_t *buf = malloc(len);
	struct mn_iov iov = { buf, len };
	size_t i;

	while (!app_take(n, ch, &msg) && max_steps-- > 0)
		pump(1, STEP_NS);
	ck_assert_ptr_nonnull(msg);
	ck_assert_uint_eq(mn_msg_meta(msg)->msg_len, len);
	ck_assert_uint_eq(msg->pkt_len, len);
	ck_assert_uint_eq(mn_msg_copy_out(msg, &iov, 1), len);
	for (i = 0; i < len; i++)
		if (buf[i] != pattern(i, salt))
			ck_abort_msg("byte %zu of %zu differs", i, len);
	mn_msg_free_nocache(msg);
	free(buf);
}

static void
app_expect(struct node *n, size_t len, uint32_t salt, unsigned int max_steps)
{
	app_expect_on(n, 0, len, salt, max_steps);
}

/* Pumps until the node's application gets an event, then checks it. */
static void
app_expect_event(struct node *n, enum mn_msg_event event, unsigned int max_steps)
{
	struct rte_mbuf *msg = NULL;

	while (!app_take(n, 0, &msg) && max_steps-- > 0)
		pump(1, STEP_NS);
	ck_assert_ptr_nonnull(msg);
	ck_assert_int_eq(mn_msg_meta(msg)->event, event);
	mn_msg_free_nocache(msg);
}

START_TEST(handshake_opens_a_flow_on_both_sides)
{
	uint64_t start = now;
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, t.src_port };
	struct mn_flow *fb;

	/* ARP, SYN and SYNACK follow each other at once, not on timer ticks. */
	ck_assert_uint_lt(now - start, MN_TIMER_PERIOD_NS);

	ck_assert_uint_eq(t.src_ip, IP_A);
	ck_assert_uint_eq(t.dst_ip, IP_B);
	ck_assert_uint_eq(t.dst_port, LISTEN_PORT);
	ck_assert_uint_ge(t.src_port, a.cfg.ephemeral_port_min);
	/* The listener made its flow on the connecting side's last ack. */
	ck_assert_uint_eq(b.e.half_open.count, 0);
	ck_assert_uint_eq(ab.seen[MN_PKT_ACK], 1);
	fb = mn_flow_lookup(&b.e.flows, &kb);
	ck_assert_ptr_nonnull(fb);
	ck_assert_int_eq(fb->state, MN_FLOW_ESTABLISHED);
	ck_assert_uint_eq(a.state.counters.arp_requests_sent, 1);
}
END_TEST

START_TEST(connect_to_closed_port_is_refused)
{
	struct mn_flow_tuple t = { .src_ip = IP_A, .dst_ip = IP_B, .dst_port = 9 };

	ck_assert_int_eq(request(&a, MN_CTRL_CONNECT, &t, STEP_NS, 1000), ECONNREFUSED);
	ck_assert_uint_eq(a.e.flows.count, 0);
}
END_TEST

START_TEST(connect_to_absent_host_is_unreachable)
{
	struct mn_flow_tuple t = { .src_ip = IP_A, .dst_ip = IP_NOBODY, .dst_port = 9 };

	ck_assert_int_eq(request(&a, MN_CTRL_CONNECT, &t, MN_NS_PER_MS, 5000),
			 EHOSTUNREACH);
	ck_assert_uint_eq(a.state.counters.arp_requests_sent, a.cfg.arp_retries);
}
END_TEST

static enum verdict
drop_all_syn(const struct frame_info *fi)
{
	return fi->type == MN_PKT_SYN ? DROP : PASS;
}

START_TEST(connect_without_answer_times_out)
{
	struct mn_flow_tuple t = { .src_ip = IP_A, .dst_ip = IP_B, .dst_port = LISTEN_PORT };

	ab.rule = drop_all_syn;
	ck_assert_int_eq(request(&a, MN_CTRL_CONNECT, &t, MN_NS_PER_MS, 5000), ETIMEDOUT);
	ck_assert_uint_eq(a.e.flows.count, 0);
}
END_TEST

START_TEST(connect_from_foreign_address_is_refused_locally)
{
	struct mn_flow_tuple t = { .src_ip = IP_NOBODY, .dst_ip = IP_B, .dst_port = 1 };

	ck_assert_int_eq(request(&a, MN_CTRL_CONNECT, &t, STEP_NS, 10), EADDRNOTAVAIL);
}
END_TEST

static struct rte_mbuf *captured;

static enum verdict
capture_first_data(const struct frame_info *fi)
{
	if (fi->type == MN_PKT_DATA && fi->nth == 0)
		captured = rte_pktmbuf_copy(fi->m, pool, 0, UINT32_MAX);
	return PASS;
}

START_TEST(data_packet_headers_are_right)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct mn_hdr *h;

	captured = NULL;
	ab.rule = capture_first_data;
	app_send(&a, &t, 100, 1);
	app_expect(&b, 100, 1, 100);
	ck_assert_ptr_nonnull(captured);
	ck_assert_uint_eq(captured->data_len, MN_WIRE_HDRS_LEN + 100);
	eth = rte_pktmbuf_mtod(captured, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	udp = (const struct rte_udp_hdr *)(ip + 1);
	h = (const struct mn_hdr *)(udp + 1);
	ck_assert(rte_is_same_ether_addr(&eth->src_addr, &a.e.ifc.mac));
	ck_assert(rte_is_same_ether_addr(&eth->dst_addr, &b.e.ifc.mac));
	ck_assert_uint_eq(rte_be_to_cpu_32(ip->src_addr), IP_A);
	ck_assert_uint_eq(rte_be_to_cpu_32(ip->dst_addr), IP_B);
	ck_assert_uint_eq(rte_be_to_cpu_16(ip->total_length), 20 + 8 + 48 + 100);
	ck_assert_uint_eq(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	ck_assert_uint_eq(rte_be_to_cpu_16(udp->src_port), t.src_port);
	ck_assert_uint_eq(rte_be_to_cpu_16(udp->dst_port), LISTEN_PORT);
	ck_assert_uint_ne(udp->dgram_cksum, 0);
	ck_assert_int_eq(rte_ipv4_udptcp_cksum_verify(ip, udp), 0);
	ck_assert_uint_eq(rte_be_to_cpu_16(h->magic), MN_WIRE_MAGIC);
	ck_assert_uint_eq(h->version, MN_WIRE_VERSION);
	ck_assert_uint_eq(h->type, MN_PKT_DATA);
	ck_assert_uint_eq(h->flags, MN_PKT_F_MSG_FIRST | MN_PKT_F_MSG_LAST);
	ck_assert_uint_eq(rte_be_to_cpu_32(h->msg_len), 100);
	rte_pktmbuf_free(captured);
}
END_TEST

START_TEST(messages_of_every_size_arrive_whole)
{
	const uint32_t mss = a.state.mss;
	const size_t sizes[] = { 1, mss - 1, mss, mss + 1, 3 * mss + 7, 100000,
				 MACHNET_MSG_MAX_LEN };
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple back = { t.dst_ip, t.src_ip, t.dst_port, t.src_port };
	size_t i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		app_send(&a, &t, sizes[i], (uint32_t)i);
		app_expect(&b, sizes[i], (uint32_t)i, 20000);
		app_send(&b, &back, sizes[i], (uint32_t)i + 100);
		app_expect(&a, sizes[i], (uint32_t)i + 100, 20000);
	}
	ck_assert_uint_eq(a.state.counters.tx_retransmits, 0);
}
END_TEST

static enum verdict
drop_third_data(const struct frame_info *fi)
{
	return fi->type == MN_PKT_DATA && fi->nth == 2 ? DROP : PASS;
}

static enum verdict
corrupt_second_data(const struct frame_info *fi)
{
	return fi->type == MN_PKT_DATA && fi->nth == 1 ? CORRUPT : PASS;
}

START_TEST(lost_packet_is_sent_again)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	ab.rule = drop_third_data;
	app_send(&a, &t, 10 * a.state.mss, 7);
	app_expect(&b, 10 * a.state.mss, 7, 20000);
	ck_assert_uint_gt(a.state.counters.tx_retransmits, 0);
}
END_TEST

START_TEST(corrupt_packet_is_dropped_and_recovered)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	uint64_t dropped = b.state.counters.rx_dropped;

	ab.rule = corrupt_second_data;
	app_send(&a, &t, 4 * a.state.mss, 9);
	app_expect(&b, 4 * a.state.mss, 9, 20000);
	ck_assert_uint_gt(b.state.counters.rx_dropped, dropped);
}
END_TEST

START_TEST(slow_application_loses_nothing)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	const unsigned int n = 4 * RING_SIZE;
	unsigned int i;

	/* Queue more than both rings hold; the receiving app reads nothing. */
	for (i = 0; i < n; i++) {
		while (rte_ring_free_count(a.app_tx) == 0)
			pump(1, STEP_NS);
		app_send(&a, &t, 64, i);
	}
	pump(2000, STEP_NS);
	ck_assert_uint_eq(rte_ring_count(b.app_rx), RING_SIZE - 1);
	for (i = 0; i < n; i++)
		app_expect(&b, 64, i, 100000);
}
END_TEST

START_TEST(loopback_flow_on_one_engine)
{
	struct mn_flow_tuple l = { .src_ip = IP_A, .src_port = 8 };
	struct mn_flow_tuple t;

	ck_assert_int_eq(request(&a, MN_CTRL_LISTEN, &l, STEP_NS, 10), 0);
	t = connect_ok(&a, IP_A, 8);
	app_send(&a, &t, 5000, 3);
	app_expect(&a, 5000, 3, 1000);
	ck_assert_uint_eq(a.state.counters.arp_requests_sent, 0);
}
END_TEST

START_TEST(close_removes_flow_on_both_sides)
{
	unsigned int in_use = rte_mempool_in_use_count(pool);
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple again = t;

	app_send(&a, &t, 3000, 5);
	ck_assert_int_eq(request(&a, MN_CTRL_CLOSE, &t, STEP_NS, 10), 0);
	app_expect(&b, 3000, 5, 1000);
	app_expect_event(&b, MN_MSG_EV_CLOSED, 1000);
	pump(100, STEP_NS);
	ck_assert_uint_eq(a.e.flows.count, 0);
	ck_assert_uint_eq(b.e.flows.count, 0);
	ck_assert_int_eq(request(&a, MN_CTRL_CLOSE, &again, STEP_NS, 10), ENOTCONN);
	/* every buffer of the transfer is back in the pool */
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
}
END_TEST

static enum verdict
drop_acks_after_fin(const struct frame_info *fi)
{
	static bool fin_seen;

	if (fi->type == MN_PKT_FIN)
		fin_seen = true;
	return fin_seen && fi->type == MN_PKT_ACK ? DROP : PASS;
}

START_TEST(lost_ack_of_fin_ends_the_flow_cleanly)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct rte_mbuf *m;

	ab.rule = drop_acks_after_fin;
	ba.rule = drop_acks_after_fin;
	app_send(&a, &t, 3000, 5);
	app_expect(&b, 3000, 5, 1000);
	ck_assert_int_eq(request(&a, MN_CTRL_CLOSE, &t, STEP_NS, 10), 0);
	app_expect_event(&b, MN_MSG_EV_CLOSED, 1000);
	pump(2 * a.cfg.rto_max_us * MN_NS_PER_US / STEP_NS, STEP_NS);
	ck_assert_uint_eq(a.e.flows.count, 0);
	ck_assert_uint_eq(b.e.flows.count, 0);
	ck_assert_uint_eq(a.state.counters.flows_reset, 0);
	ck_assert_uint_eq(b.state.counters.flows_reset, 0);
	/* A closed the flow itself: nothing about it may reach A's
	 * application afterwards (it would read as a reset). */
	ck_assert(!app_take(&a, 0, &m));
}
END_TEST

START_TEST(second_listener_on_a_port_is_refused)
{
	struct mn_flow_tuple l = { .src_ip = IP_B, .src_port = LISTEN_PORT };

	ck_assert_int_eq(request(&b, MN_CTRL_LISTEN, &l, STEP_NS, 10), EADDRINUSE);
}
END_TEST

START_TEST(stale_channel_generation_is_rejected)
{
	struct mn_cmd cmd = { 0 }, done;

	cmd.msg.op = MN_CTRL_LISTEN;
	cmd.msg.generation = 2;
	cmd.msg.flow.src_ip = IP_A;
	cmd.msg.flow.src_port = 1234;
	ck_assert_int_eq(rte_ring_enqueue_elem(a.ctl.to_engine, &cmd, sizeof(cmd)), 0);
	ck_assert_int_eq(wait_completion(&a, &done, 2), EBADF);
}
END_TEST

static enum verdict
drop_handshake_once(const struct frame_info *fi)
{
	return (fi->type == MN_PKT_SYN || fi->type == MN_PKT_SYNACK) && fi->nth == 0 ?
		DROP : PASS;
}

START_TEST(lost_syn_and_synack_are_sent_again)
{
	struct mn_flow_tuple t = { .src_ip = IP_A, .dst_ip = IP_B,
				   .dst_port = LISTEN_PORT };

	ab.rule = drop_handshake_once;
	ba.rule = drop_handshake_once;
	ck_assert_int_eq(request(&a, MN_CTRL_CONNECT, &t, MN_NS_PER_MS, 1000), 0);
	ck_assert_uint_eq(ab.seen[MN_PKT_SYN], 3);   /* lost, answer lost, answered */
	/* The listener also sends its SYNACK again by itself. */
	ck_assert_uint_ge(ba.seen[MN_PKT_SYNACK], 2);
}
END_TEST

static enum verdict
drop_every_other_ack(const struct frame_info *fi)
{
	return fi->type == MN_PKT_ACK && fi->nth % 2 == 0 ? DROP : PASS;
}

START_TEST(lost_acks_lose_nothing)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	unsigned int i;

	ba.rule = drop_every_other_ack;
	for (i = 0; i < 20; i++) {
		app_send(&a, &t, 3 * a.state.mss + i, i);
		app_expect(&b, 3 * a.state.mss + i, i, 20000);
	}
	pump(2000, STEP_NS);
	ck_assert_uint_eq(mn_flow_in_flight(mn_flow_lookup(&a.e.flows, &ka)), 0);
}
END_TEST

static enum verdict
drop_first_last_segment(const struct frame_info *fi)
{
	static bool dropped;

	if (fi->type == MN_PKT_DATA && (fi->flags & MN_PKT_F_MSG_LAST) && !dropped) {
		dropped = true;
		return DROP;
	}
	return PASS;
}

START_TEST(lost_last_packet_of_message_is_recovered)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	ab.rule = drop_first_last_segment;
	app_send(&a, &t, 5 * a.state.mss, 4);
	app_expect(&b, 5 * a.state.mss, 4, 20000);
	ck_assert_uint_ge(a.state.counters.tx_retransmits, 1);
}
END_TEST

static enum verdict
hold_some_data(const struct frame_info *fi)
{
	return fi->type == MN_PKT_DATA && fi->nth % 5 == 1 ? HOLD : PASS;
}

static enum verdict
duplicate_data(const struct frame_info *fi)
{
	return fi->type == MN_PKT_DATA ? DUPLICATE : PASS;
}

/* Sends n messages of assorted sizes and checks each arrives once, in order. */
static void
exchange(const struct mn_flow_tuple *t, unsigned int n, unsigned int steps)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t len = 1 + (i * 7919u) % (20 * a.state.mss);

		app_send(&a, t, len, i);
		app_expect(&b, len, i, steps);
	}
	pump(1000, STEP_NS);
	ck_assert_uint_eq(rte_ring_count(b.app_rx), 0);
}

START_TEST(reordered_packets_are_put_back_in_order)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	ab.rule = hold_some_data;
	exchange(&t, 30, 20000);
}
END_TEST

START_TEST(duplicated_packets_are_delivered_once)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	ab.rule = duplicate_data;
	exchange(&t, 30, 20000);
	ck_assert_uint_gt(b.state.counters.rx_dropped, 0);
}
END_TEST

static enum verdict
lossy(const struct frame_info *fi)
{
	uint32_t r = rnd(100);

	if (fi->type == 0)
		return PASS;
	if (r < 10)
		return DROP;
	if (r < 13)
		return HOLD;
	return r < 15 ? DUPLICATE : PASS;
}

START_TEST(lossy_link_in_both_directions_loses_nothing)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	ab.rule = lossy;
	ba.rule = lossy;
	exchange(&t, 60, 200000);
	app_send(&a, &t, MACHNET_MSG_MAX_LEN, 99);
	app_expect(&b, MACHNET_MSG_MAX_LEN, 99, 2000000);
}
END_TEST

/* The UDP checksum of the last data frame on the link. */
static rte_be16_t last_udp_cksum;

static enum verdict
note_udp_cksum(const struct frame_info *fi)
{
	const struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(fi->m,
		struct rte_udp_hdr *, sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr));

	if (fi->type == MN_PKT_DATA)
		last_udp_cksum = udp->dgram_cksum;
	return PASS;
}

START_TEST(a_memif_link_carries_no_udp_checksum)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	ab.rule = note_udp_cksum;
	app_send(&a, &t, 3000, 1);
	app_expect(&b, 3000, 1, 20000);
	ck_assert_uint_ne(last_udp_cksum, 0);
	/* As machnetd sets A up on memif: nothing summed, 0 sent, taken. */
	a.e.ifc.tx_udp_cksum_none = true;
	a.state.payload_sum = 0;
	app_send(&a, &t, 3000, 2);
	app_expect(&b, 3000, 2, 20000);
	ck_assert_uint_eq(last_udp_cksum, 0);
	ck_assert_uint_eq(b.state.counters.rx_malformed, 0);
}
END_TEST

/* Queues n small messages at once, of sizes 1 .. 300 B, from a to b. */
static void
queue_small(const struct mn_flow_tuple *t, unsigned int n, unsigned int salt)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		app_send(&a, t, 1 + (i * 37) % 300, salt + i);
}

static void
expect_small(unsigned int n, unsigned int salt, unsigned int steps)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		app_expect(&b, 1 + (i * 37) % 300, salt + i, steps);
}

START_TEST(small_messages_queued_together_share_packets)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	unsigned int in_use = rte_mempool_in_use_count(pool);

	queue_small(&t, 60, 0);
	expect_small(60, 0, 20000);
	ck_assert_uint_gt(a.state.counters.msgs_coalesced, 30);
	ck_assert_uint_lt(ab.seen[MN_PKT_DATA], 30);
	ck_assert_uint_eq(b.state.counters.msgs_to_apps, 60);
	/* Every buffer back: the messages packed into others', and those the
	 * receiver made of the packets. */
	pump(100, STEP_NS);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
	ck_assert_uint_eq(a.state.usage[0].tx_released, a.state.usage[0].tx_queued);
}
END_TEST

START_TEST(one_message_at_a_time_goes_alone)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	unsigned int i;

	for (i = 0; i < 50; i++) {
		app_send(&a, &t, 64, i);
		app_expect(&b, 64, i, 20000);
	}
	ck_assert_uint_eq(a.state.counters.msgs_coalesced, 0);
	ck_assert_uint_eq(ab.seen[MN_PKT_DATA], 50);
}
END_TEST

START_TEST(a_small_message_behind_a_large_one_is_not_packed_into_it)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	/* The last segment of a long message has room, but is not a whole
	 * message: the small ones after it share a packet of their own. */
	app_send(&a, &t, 3 * a.state.mss + 10, 1);
	queue_small(&t, 5, 2);
	app_expect(&b, 3 * a.state.mss + 10, 1, 20000);
	expect_small(5, 2, 20000);
	ck_assert_uint_eq(a.state.counters.msgs_coalesced, 4);
}
END_TEST

START_TEST(coalesced_packets_survive_loss_reordering_and_duplicates)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	unsigned int in_use = rte_mempool_in_use_count(pool), round;

	ab.rule = lossy;
	ba.rule = lossy;
	for (round = 0; round < 10; round++) {
		queue_small(&t, 60, round * 100);
		expect_small(60, round * 100, 200000);
	}
	ck_assert_uint_gt(a.state.counters.msgs_coalesced, 0);
	ck_assert_uint_gt(a.state.counters.tx_retransmits, 0);
	ck_assert_uint_gt(b.state.counters.rx_duplicate, 0);
	ck_assert_uint_eq(b.state.counters.msgs_to_apps, 600);
	ab.rule = NULL;
	ba.rule = NULL;
	ck_assert_int_eq(request(&a, MN_CTRL_CLOSE, &t, STEP_NS, 10), 0);
	app_expect_event(&b, MN_MSG_EV_CLOSED, 100000);
	pump(1000, STEP_NS);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
}
END_TEST

/* Drops every copy of A's first data packet of the flow. */
static uint32_t lost_seq;

static enum verdict
drop_one_seq(const struct frame_info *fi)
{
	const struct mn_hdr *h = rte_pktmbuf_mtod_offset(fi->m, struct mn_hdr *,
		MN_WIRE_HDRS_LEN - sizeof(struct mn_hdr));

	return fi->type == MN_PKT_DATA && rte_be_to_cpu_32(h->seq) == lost_seq ?
	       DROP : PASS;
}

START_TEST(held_coalesced_packets_are_freed_with_their_flow)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, t.src_port };
	unsigned int in_use = rte_mempool_in_use_count(pool);
	struct mn_flow *fb = mn_flow_lookup(&b.e.flows, &kb);

	/* A's first packet never arrives: the coalesced ones after it wait at
	 * B, taken apart, until A gives the flow up and B's flow ends. */
	lost_seq = fb->rcv_nxt;
	ab.rule = drop_one_seq;
	app_send(&a, &t, 64, 0);
	pump(1, STEP_NS);
	queue_small(&t, 60, 1);
	pump(200, STEP_NS);
	ck_assert_uint_gt(fb->rx_held, 0);
	ck_assert_uint_gt(b.e.channels[0].share.rx_held, fb->rx_held);
	pump(20000, MN_NS_PER_MS);
	ck_assert_ptr_null(mn_flow_lookup(&b.e.flows, &kb));
	app_expect_event(&b, MN_MSG_EV_RESET, 10);
	pump(10, STEP_NS); /* the engine sees what the application took */
	ck_assert_uint_eq(b.e.channels[0].share.rx_held, 0);
	ck_assert_uint_eq(b.state.counters.msgs_to_apps, 1);
	/* A gave up the flow and told its application so. */
	app_expect_event(&a, MN_MSG_EV_RESET, 10);
	pump(10, STEP_NS);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
}
END_TEST

/* Moves both directions of an idle flow to just below the wrap of 2^32. */
static void
shift_sequence_space(const struct mn_flow_tuple *t)
{
	struct mn_flow_key ka = { IP_A, IP_B, t->src_port, LISTEN_PORT };
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, t->src_port };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);
	struct mn_flow *fb = mn_flow_lookup(&b.e.flows, &kb);

	ck_assert_uint_eq(mn_flow_in_flight(fa), 0);
	ck_assert_uint_eq(mn_flow_in_flight(fb), 0);
	fa->snd_una = fa->snd_nxt = fa->sack_high = fb->rcv_nxt = UINT32_MAX - 40;
	fb->snd_una = fb->snd_nxt = fb->sack_high = fa->rcv_nxt = UINT32_MAX - 3;
	fa->rcv_edge = fa->rcv_nxt + a.e.flows.window;
	fb->rcv_edge = fb->rcv_nxt + b.e.flows.window;
}

START_TEST(sequence_numbers_wrap_around)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);

	shift_sequence_space(&t);
	ab.rule = lossy;
	exchange(&t, 20, 200000);
}
END_TEST

static enum verdict
drop_data(const struct frame_info *fi)
{
	return fi->type == MN_PKT_DATA ? DROP : PASS;
}

START_TEST(retransmission_timer_backs_off)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);
	uint64_t first;

	ab.rule = drop_data;
	app_send(&a, &t, 100, 1);
	pump(10, STEP_NS);
	first = fa->rto.rto;
	ck_assert_uint_ge(first, a.cfg.rto_min_us * MN_NS_PER_US);
	pump(first / STEP_NS + MN_TIMER_PERIOD_NS / STEP_NS + 10, STEP_NS);
	ck_assert_uint_eq(fa->retries, 1);
	ck_assert_uint_eq(fa->rto.rto, 2 * first);
	ck_assert_uint_eq(a.state.counters.tx_retransmits, 1);
	ab.rule = NULL;
	app_expect(&b, 100, 1, 100000);
	pump(100, STEP_NS);
	ck_assert_uint_eq(fa->retries, 0);
	ck_assert_uint_eq(mn_flow_in_flight(fa), 0);
}
END_TEST

/* The reply of a quick application carries the ack: no pure ACK goes. */
START_TEST(answer_within_the_ack_delay_carries_the_ack)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple back = { .src_ip = IP_B, .dst_ip = IP_A,
				      .src_port = LISTEN_PORT, .dst_port = t.src_port };
	uint32_t acks_ab = ab.seen[MN_PKT_ACK], acks_ba = ba.seen[MN_PKT_ACK];
	int i;

	for (i = 0; i < 10; i++) {
		app_send(&a, &t, 100, (uint32_t)i);
		app_expect(&b, 100, (uint32_t)i, 1000);
		app_send(&b, &back, 200, (uint32_t)i);
		app_expect(&a, 200, (uint32_t)i, 1000);
	}
	ck_assert_uint_eq(ba.seen[MN_PKT_ACK], acks_ba);
	ck_assert_uint_le(ab.seen[MN_PKT_ACK], acks_ab + 1);
	/* a has nothing to send: its ack of the last answer goes after the
	 * delay */
	pump(a.cfg.ack_delay_us * MN_NS_PER_US / STEP_NS + 2, STEP_NS);
	ck_assert_uint_le(ab.seen[MN_PKT_ACK], acks_ab + 2);
	ck_assert_uint_eq(mn_flow_in_flight(mn_flow_lookup(&b.e.flows,
		&(struct mn_flow_key){ IP_B, IP_A, LISTEN_PORT, t.src_port })), 0);
}
END_TEST

/* A lone packet nobody answers is acked once the delay is over, not before. */
START_TEST(lone_packet_is_acked_after_the_delay)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	uint32_t acks = ba.seen[MN_PKT_ACK];
	uint64_t sent;

	app_send(&a, &t, 100, 7);
	app_expect(&b, 100, 7, 1000);
	sent = now;
	while (ba.seen[MN_PKT_ACK] == acks && now - sent < MN_NS_PER_MS)
		pump(1, STEP_NS);
	ck_assert_uint_eq(ba.seen[MN_PKT_ACK], acks + 1);
	ck_assert_uint_ge(now - sent + 2 * STEP_NS,
			  (uint64_t)b.cfg.ack_delay_us * MN_NS_PER_US);
	ck_assert_uint_le(now - sent, (uint64_t)b.cfg.ack_delay_us * MN_NS_PER_US +
			  3 * STEP_NS);
}
END_TEST

static enum verdict
drop_first_ack(const struct frame_info *fi)
{
	static bool dropped;

	if (fi->type == MN_PKT_ACK && !dropped) {
		dropped = true;
		return DROP;
	}
	return PASS;
}

/*
 * When an ack is lost the sender times out and sends the packet again; the
 * receiver, which had it, must echo the timestamp of the copy it just got,
 * or the sender measures the timeout as round-trip time and its timer
 * grows with every lost ack.
 */
START_TEST(lost_ack_does_not_inflate_the_rtt)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);

	ba.rule = drop_first_ack;
	app_send(&a, &t, 100, 1);
	app_expect(&b, 100, 1, 1000);
	pump(fa->rto.rto / STEP_NS + 2 * MN_TIMER_PERIOD_NS / STEP_NS, STEP_NS);
	ck_assert_uint_eq(a.state.counters.tx_retransmits, 1);
	ck_assert_uint_eq(mn_flow_in_flight(fa), 0);
	ck_assert_uint_ne(fa->rto.srtt, 0);
	ck_assert_uint_lt(fa->rto.srtt, 20 * STEP_NS);
}
END_TEST

/*
 * A flow paced below one packet per round trip waits RTT/cwnd between
 * packets. When an ack lifts its window back above one, the next packet
 * goes at once: the wait set for the old, tiny window no longer applies
 * (it held flows back for up to 100 round trips under incast).
 */
START_TEST(window_back_above_one_ends_the_pacing_wait)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);
	uint64_t sent;

	app_send(&a, &t, 100, 1);
	app_expect(&b, 100, 1, 1000);
	pump(200, STEP_NS);
	ck_assert_uint_ne(fa->rto.srtt, 0);
	/* The window fell to its floor: one packet per 100 round trips. */
	fa->cc.cwnd = a.cfg.cc_min_cwnd;
	app_send(&a, &t, 100, 2);
	app_expect(&b, 100, 2, 1000);
	pump(200, STEP_NS);
	/* Its ack came back quickly, and the window is above one again. */
	ck_assert_double_ge(fa->cc.cwnd, 1.0);
	app_send(&a, &t, 100, 3);
	sent = now;
	app_expect(&b, 100, 3, 100000);
	ck_assert_uint_lt(now - sent, 10 * fa->rto.srtt + 100 * STEP_NS);
}
END_TEST

static uint64_t
frame_ts(const struct rte_mbuf *m)
{
	const struct mn_hdr *h = rte_pktmbuf_mtod_offset(m, const struct mn_hdr *,
		MN_WIRE_HDRS_LEN - sizeof(struct mn_hdr));

	return rte_be_to_cpu_64(h->ts);
}

/*
 * A retransmission rewrites the frame's clock and feedback. If the NIC
 * still holds the frame the flow shared with it, the flow must rewrite a
 * copy of its own, never the frame the NIC may be sending.
 */
START_TEST(frame_the_nic_still_holds_is_not_rewritten)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);
	unsigned int in_use = rte_mempool_in_use_count(pool);
	struct rte_mbuf *first, *second;
	uint64_t first_ts, deadline;

	app_send(&a, &t, 100, 4);
	/* Only A runs: its frame stays on the NIC's ring, not yet sent. */
	while (rte_ring_count(a.nic_tx) == 0)
		mn_engine_step(&a.e, now += STEP_NS);
	ck_assert_int_eq(rte_ring_dequeue(a.nic_tx, (void **)&first), 0);
	ck_assert_uint_eq(rte_mbuf_refcnt_read(first), 2);
	first_ts = frame_ts(first);
	deadline = now + fa->rto.rto + 2 * MN_TIMER_PERIOD_NS;
	while (rte_ring_count(a.nic_tx) == 0 && now < deadline)
		mn_engine_step(&a.e, now += STEP_NS);
	ck_assert_int_eq(rte_ring_dequeue(a.nic_tx, (void **)&second), 0);
	ck_assert_ptr_ne(second, first);
	ck_assert_uint_eq(frame_ts(first), first_ts);
	ck_assert_uint_gt(frame_ts(second), first_ts);
	/* the flow let go of the frame the NIC held; the NIC still has it */
	ck_assert_uint_eq(rte_mbuf_refcnt_read(first), 1);
	rte_pktmbuf_free(first);
	ck_assert_int_eq(rte_ring_enqueue(a.nic_tx, second), 0);
	app_expect(&b, 100, 4, 1000);
	pump(200, STEP_NS);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
}
END_TEST

/* Loss recovery gives back every buffer, sharing frames with the NIC or not. */
static void
lossy_transfer_leaves_no_buffer_behind(bool share)
{
	unsigned int in_use = rte_mempool_in_use_count(pool);
	struct mn_flow_tuple t;

	a.e.ifc.tx_shares_frames = share;
	b.e.ifc.tx_shares_frames = share;
	t = connect_ok(&a, IP_B, LISTEN_PORT);
	ab.rule = drop_third_data;
	app_send(&a, &t, 10 * a.state.mss, 7);
	app_expect(&b, 10 * a.state.mss, 7, 20000);
	ck_assert_uint_gt(a.state.counters.tx_retransmits, 0);
	ck_assert_int_eq(request(&a, MN_CTRL_CLOSE, &t, STEP_NS, 10), 0);
	app_expect_event(&b, MN_MSG_EV_CLOSED, 1000);
	pump(100, STEP_NS);
	ck_assert_uint_eq(a.e.flows.count, 0);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
}

START_TEST(shared_frames_all_come_back)
{
	lossy_transfer_leaves_no_buffer_behind(true);
}
END_TEST

START_TEST(copied_frames_all_come_back)
{
	lossy_transfer_leaves_no_buffer_behind(false);
}
END_TEST

/* Runs both engines but carries frames from A to B only: B's answers wait. */
static void
pump_a_to_b(unsigned int steps)
{
	while (steps-- > 0) {
		now += STEP_NS;
		mn_engine_step(&a.e, now);
		mn_engine_step(&b.e, now);
		wire(a.nic_tx, b.nic_rx, &ab);
	}
}

/*
 * A timeout whose packet had arrived (only its ack was late, as when the
 * peer's machnetd is not scheduled for a while) is spotted by the first
 * ack after it: that ack echoes the clock of the original, sent before
 * the timeout. The window cut is undone.
 */
START_TEST(late_ack_undoes_the_timeout_cut)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);
	double cwnd;
	unsigned int i;

	pump(200, STEP_NS);
	cwnd = fa->cc.cwnd;
	app_send(&a, &t, 100, 5);
	for (i = 0; i < 100000 && a.state.counters.tx_retransmits == 0; i++)
		pump_a_to_b(1);
	ck_assert_uint_eq(a.state.counters.tx_retransmits, 1);
	ck_assert_double_lt(fa->cc.cwnd, cwnd);
	pump(200, STEP_NS);
	app_expect(&b, 100, 5, 1000);
	ck_assert_uint_eq(mn_flow_in_flight(fa), 0);
	ck_assert_double_ge(fa->cc.cwnd, cwnd);
	ck_assert_uint_eq(a.state.counters.rto_spurious, 1);
}
END_TEST

static enum verdict
drop_first_data(const struct frame_info *fi)
{
	return fi->type == MN_PKT_DATA && fi->nth == 0 ? DROP : PASS;
}

/* A timeout that did repair a loss keeps its cut. */
START_TEST(needed_timeout_keeps_its_cut)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);
	double cwnd;

	pump(200, STEP_NS);
	cwnd = fa->cc.cwnd;
	ab.rule = drop_first_data;
	app_send(&a, &t, 100, 6);
	app_expect(&b, 100, 6, 100000);
	pump(200, STEP_NS);
	ck_assert_uint_eq(a.state.counters.tx_retransmits, 1);
	ck_assert_double_lt(fa->cc.cwnd, cwnd);
	ck_assert_uint_eq(a.state.counters.rto_spurious, 0);
}
END_TEST

static enum verdict
drop_everything(const struct frame_info *fi)
{
	(void)fi;
	return DROP;
}

START_TEST(silent_peer_resets_the_flow)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	uint64_t start = now;

	ab.rule = drop_everything;
	app_send(&a, &t, 1000, 1);
	while (a.e.flows.count > 0 && now - start < 10000 * MN_NS_PER_MS)
		pump(1, MN_NS_PER_MS);
	app_expect_event(&a, MN_MSG_EV_RESET, 1);
	ck_assert_uint_eq(a.e.flows.count, 0);
	/* bounded: 12 timeouts from 5 ms, doubling up to 200 ms */
	ck_assert_uint_lt(now - start, 3000 * MN_NS_PER_MS);
}
END_TEST

START_TEST(reset_by_peer_reaches_the_application)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, t.src_port };

	/* B forgets the flow (its machnetd restarted): A's next data is refused. */
	mn_flow_destroy(&b.e.flows, mn_flow_lookup(&b.e.flows, &kb));
	app_send(&a, &t, 10, 1);
	app_expect_event(&a, MN_MSG_EV_RESET, 1000);
	ck_assert_uint_eq(a.e.flows.count, 0);
}
END_TEST

START_TEST(stalled_receiver_keeps_its_flow)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	const unsigned int n = 3 * RING_SIZE;
	unsigned int i;

	/* Less than it is sent: the receiver's share, not the sender, stops it. */
	b.e.channels[0].share.rx_limit = RING_SIZE;
	for (i = 0; i < n; i++) {
		while (rte_ring_free_count(a.app_tx) == 0)
			pump(1, STEP_NS);
		app_send(&a, &t, 2 * a.state.mss, i);
	}
	pump(3000, STEP_NS);
	/* The receiving application sleeps for ten simulated seconds. */
	pump(10000, MN_NS_PER_MS);
	ck_assert_ptr_nonnull(mn_flow_lookup(&a.e.flows, &ka));
	/* Held back: the receiver holds no more than its share and what was
	 * in flight when it filled up. */
	ck_assert_ptr_nonnull(mn_flow_lookup(&a.e.flows, &ka)->unsent_head);
	ck_assert_uint_le(b.e.channels[0].share.rx_held,
			  RING_SIZE + b.e.flows.window);
	/* Nothing was dropped for want of room, so nothing was sent twice
	 * beyond the window probes. */
	ck_assert_uint_lt(b.state.counters.rx_dropped, 100);
	for (i = 0; i < n; i++)
		app_expect(&b, 2 * a.state.mss, i, 100000);
}
END_TEST

START_TEST(receiver_short_of_buffers_holds_its_senders)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &ka);
	unsigned int i;

	/* B's pool is "nearly empty": from its next timer tick on, every
	 * window it advertises is zero. */
	b.e.pool_low_mark = rte_mempool_avail_count(pool) + 1;
	pump(200, STEP_NS);
	for (i = 0; i < 10; i++)
		app_send(&a, &t, 10 * a.state.mss, i);
	pump(500, STEP_NS);
	ck_assert_uint_eq(fa->peer_window, 0);
	ck_assert_ptr_nonnull(fa->unsent_head);
	ck_assert_uint_eq(mn_flow_in_flight(fa), 0);
	/* buffers come back: B reopens the window by itself */
	b.e.pool_low_mark = 1;
	for (i = 0; i < 10; i++)
		app_expect(&b, 10 * a.state.mss, i, 100000);
	ck_assert_uint_gt(fa->peer_window, 0);
}
END_TEST

/* Attaches channel 1 of the node, a second tenant. */
static void
second_tenant(struct node *n)
{
	struct mn_cmd cmd = { 0 }, done;

	n->app1_tx = ring("app1_tx", RING_SIZE);
	n->app1_rx = ring("app1_rx", RING_SIZE);
	nodes_made++; /* the next node's ring names must differ */
	mn_engine_set_channel(&n->e, 1, n->app1_tx, n->app1_rx);
	cmd.msg.op = MN_CTRL_ATTACH;
	cmd.msg.channel = 1;
	cmd.msg.generation = 1;
	ck_assert_int_eq(rte_ring_enqueue_elem(n->ctl.to_engine, &cmd, sizeof(cmd)), 0);
	ck_assert_int_eq(wait_completion(n, &done, 10), 0);
}

START_TEST(non_reader_closes_only_its_own_windows)
{
	struct mn_flow_tuple l1 = { .src_ip = IP_B, .src_port = LISTEN_PORT + 1 };
	struct mn_flow_tuple t0, t1;
	struct mn_share *s0 = &b.e.channels[0].share;
	struct mn_flow *f0;
	/* More than the share and every window the flow offered before it
	 * closed: the flow holds at most those, and the rest waits. */
	const unsigned int n = 100, len = 4 * a.state.mss;
	unsigned int i;

	second_tenant(&b);
	ck_assert_int_eq(request_on(&b, 1, MN_CTRL_LISTEN, &l1, STEP_NS, 10), 0);
	t0 = connect_ok(&a, IP_B, LISTEN_PORT);
	t1 = connect_ok(&a, IP_B, LISTEN_PORT + 1);
	f0 = mn_flow_lookup(&a.e.flows, &(struct mn_flow_key){ IP_A, IP_B,
			    t0.src_port, LISTEN_PORT });
	/* B's tenant 0 never reads; its share is far below what comes. */
	s0->rx_limit = 64;
	s0->flow_rx_limit = 64;
	for (i = 0; i < n; i++) {
		while (rte_ring_free_count(a.app_tx) < 2)
			pump(1, STEP_NS);
		app_send(&a, &t0, len, i);
		app_send(&a, &t1, len, 1000 + i);
	}
	/* Tenant 1 gets everything while tenant 0 sleeps. */
	for (i = 0; i < n; i++)
		app_expect_on(&b, 1, len, 1000 + i, 100000);
	/* Ten seconds of zero-window probes take nothing beyond the window
	 * offered before the share filled. */
	pump(10000, MN_NS_PER_MS);
	ck_assert_ptr_nonnull(f0->unsent_head);
	ck_assert_uint_le(s0->rx_held, 64 + b.e.flows.window);
	ck_assert_uint_eq(b.e.channels[1].share.rx_held, 0);
	for (i = 0; i < n; i++)
		app_expect(&b, len, i, 100000);
	pump(1000, STEP_NS);
	ck_assert_uint_eq(s0->rx_held, 0);
	ck_assert_uint_eq(a.state.usage[0].tx_released, a.state.usage[0].tx_queued);
}
END_TEST

START_TEST(window_closed_by_the_last_ack_is_probed_once_data_waits)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow *fa = mn_flow_lookup(&a.e.flows, &(struct mn_flow_key){
		IP_A, IP_B, t.src_port, LISTEN_PORT });
	struct mn_share *s = &b.e.channels[0].share;

	/* One message fills B's share: the ack that completes it says 0, and
	 * A has nothing more to send at that moment. */
	s->rx_limit = 4;
	s->flow_rx_limit = 4;
	app_send(&a, &t, 4 * a.state.mss, 1);
	pump(2000, STEP_NS);
	ck_assert_uint_eq(fa->peer_window, 0);
	ck_assert_uint_eq(mn_flow_in_flight(fa), 0);
	/* B's application reads; the ack that reopens the window is lost. */
	ba.rule = drop_everything;
	app_expect(&b, 4 * a.state.mss, 1, 100000);
	pump(100, STEP_NS);
	ba.rule = NULL;
	/* Only now does A's application send again: a probe must find out. */
	app_send(&a, &t, 10, 2);
	app_expect(&b, 10, 2, 1000000);
}
END_TEST

START_TEST(message_larger_than_the_share_gets_through)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_share *s = &b.e.channels[0].share;
	const uint32_t big = 1024 * 1024;

	/* A share is no bound on a message: the flow finishes what it began. */
	s->rx_limit = 32;
	s->flow_rx_limit = 16;
	app_send(&a, &t, big, 1);
	app_send(&a, &t, 10, 2);
	app_send(&a, &t, big, 3);
	/* Not read for a while: the second large message waits for room, and
	 * the flow holds one message and at most a window of the next. */
	pump(20000, STEP_NS);
	ck_assert_uint_le(s->rx_held, mn_msg_nb_segs(big, a.state.mss) + 1 +
			  b.e.flows.window);
	app_expect(&b, big, 1, 200000);
	app_expect(&b, 10, 2, 200000);
	app_expect(&b, big, 3, 200000);
	pump(1000, STEP_NS);
	ck_assert_uint_eq(s->rx_held, 0);
	ck_assert_uint_eq(a.state.usage[0].tx_released, a.state.usage[0].tx_queued);
}
END_TEST

/* What libmachnet reads for each flow's send share (mn_flow_usage): the
 * engine counts a flow's freed sends in its slot, under its serial, and
 * clears the serial when the flow ends. */
START_TEST(each_flow_counts_its_own_freed_sends)
{
	struct mn_flow_tuple t0 = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple t1 = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_ref r0 = app_flow_ref(&a, &t0), r1 = app_flow_ref(&a, &t1);
	const uint32_t len0 = 10 * a.state.mss, len1 = 3 * a.state.mss;
	struct rte_mbuf *msg = NULL, *stale;
	struct mn_flow_ref got;
	uint64_t channel_freed;

	ck_assert_uint_ne(r0.slot, r1.slot);
	ck_assert_uint_eq(a.flow_usage[r0.slot].serial, r0.serial);
	ck_assert_uint_eq(a.flow_usage[r1.slot].serial, r1.serial);
	app_send(&a, &t0, len0, 1);
	app_send(&a, &t0, len0, 2);
	app_send(&a, &t1, len1, 3);
	pump(2000, STEP_NS);
	ck_assert_uint_eq(a.flow_usage[r0.slot].tx_released, 20);
	ck_assert_uint_eq(a.flow_usage[r1.slot].tx_released, 3);
	/* The receiving side's message names the flow as its engine has it. */
	ck_assert(app_take(&b, 0, &msg));
	got = mn_msg_meta(msg)->ref;
	ck_assert_uint_lt(got.slot, b.e.flows.capacity);
	ck_assert_uint_eq(b.e.flows.flows[got.slot].serial, got.serial);
	ck_assert_uint_eq(b.flow_usage[got.slot].serial, got.serial);
	mn_msg_free_nocache(msg);
	/* A message that names an earlier flow of the slot is dropped, and
	 * counted back to the channel only. */
	channel_freed = a.state.usage[0].tx_released;
	stale = mn_msg_build(pool, &(struct mn_iov){ "x", 1 }, 1, 1, a.state.mss, true);
	ck_assert_ptr_nonnull(stale);
	mn_msg_meta(stale)->flow = t1;
	mn_msg_meta(stale)->ref = (struct mn_flow_ref){ r1.slot, r1.serial + 1 };
	a.state.usage[0].tx_queued++;
	ck_assert_int_eq(rte_ring_enqueue(a.app_tx, stale), 0);
	pump(10, STEP_NS);
	ck_assert_uint_eq(a.state.usage[0].tx_released, channel_freed + 1);
	ck_assert_uint_eq(a.flow_usage[r1.slot].tx_released, 3);
	ck_assert_uint_eq(a.state.counters.rx_dropped, 1);
	/* Once the flow is gone its slot names no flow. */
	ck_assert_int_eq(request(&a, MN_CTRL_CLOSE, &t0, STEP_NS, 10), 0);
	pump(1000, STEP_NS);
	ck_assert_ptr_null(mn_flow_lookup(&a.e.flows, &(struct mn_flow_key){
		IP_A, IP_B, t0.src_port, LISTEN_PORT }));
	ck_assert_uint_eq(a.flow_usage[r0.slot].serial, 0);
	ck_assert_uint_eq(a.flow_usage[r1.slot].serial, r1.serial);
}
END_TEST

START_TEST(send_share_bounds_what_waits_beyond_one_message)
{
	ck_assert(mn_tx_share_allows(0, 6000, 4096));
	ck_assert(mn_tx_share_allows(4000, 96, 4096));
	ck_assert(!mn_tx_share_allows(4000, 97, 4096));
	ck_assert(!mn_tx_share_allows(1, 6000, 4096));
}
END_TEST

START_TEST(busy_tenant_leaves_engine_time_to_another)
{
	struct mn_flow_tuple t0, t1 = { .src_ip = IP_A, .dst_ip = IP_B,
					.dst_port = LISTEN_PORT };
	unsigned int i;

	second_tenant(&a);
	t0 = connect_ok(&a, IP_B, LISTEN_PORT);
	ck_assert_int_eq(request_on(&a, 1, MN_CTRL_CONNECT, &t1, STEP_NS, 1000), 0);
	for (i = 0; i < 8; i++)
		app_send(&a, &t0, 64 * a.state.mss, i);
	app_send_on(&a, 1, &t1, 10, 0);
	/* One pass: the large messages wait their turn, the small one goes. */
	for (i = 0; i < 2; i++) {
		now += STEP_NS;
		mn_engine_step(&a.e, now);
	}
	ck_assert_uint_eq(rte_ring_count(a.app1_tx), 0);
	ck_assert_uint_gt(rte_ring_count(a.app_tx), 0);
	app_expect(&b, 10, 0, 100000);
	for (i = 0; i < 8; i++)
		app_expect(&b, 64 * a.state.mss, i, 100000);
}
END_TEST

/*
 * The hostile network: what an off-path sender can forge. A forges from
 * its own port (its output path fills in valid checksums), as any host on
 * the link could; whoever it names as the source never sees the answers.
 */
static void
forge(struct node *from, const struct node *to, uint16_t local_port,
      uint16_t remote_port, uint8_t type, uint32_t seq, uint32_t ack)
{
	struct mn_flow_key key = { from->cfg.ip, to->cfg.ip, local_port,
				   remote_port };
	struct mn_flowless p = { &to->e.ifc.mac, &key, type, seq, ack, 64, 0 };

	mn_out_flowless(&from->e, &p);
	mn_out_flush(&from->e);
}

/* The answers to forged SYNs go to hosts that never asked for them. */
static enum verdict
drop_synacks(const struct frame_info *fi)
{
	return fi->type == MN_PKT_SYNACK ? DROP : PASS;
}

/* ...and forged ports lie below the ephemeral range of real connects. */
#define FORGED_PORT_END 40000

static enum verdict
drop_synacks_to_forged_ports(const struct frame_info *fi)
{
	const struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(fi->m,
		const struct rte_udp_hdr *,
		sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));

	return fi->type == MN_PKT_SYNACK &&
	       rte_be_to_cpu_16(udp->dst_port) < FORGED_PORT_END ? DROP : PASS;
}

static int
connect_status(struct node *from, uint32_t dst_ip, uint16_t port)
{
	struct mn_flow_tuple t = { .src_ip = from->cfg.ip, .dst_ip = dst_ip,
				   .dst_port = port };

	return request(from, MN_CTRL_CONNECT, &t, STEP_NS, 100000);
}

START_TEST(syn_flood_fills_only_its_listeners_backlog)
{
	struct mn_flow_tuple l2 = { .src_ip = IP_B, .src_port = LISTEN_PORT + 1 };
	struct mn_flow_tuple la = { .src_ip = IP_A, .src_port = LISTEN_PORT };
	const uint32_t syns = 4200;
	uint32_t i;

	ck_assert_int_eq(request(&b, MN_CTRL_LISTEN, &l2, STEP_NS, 10), 0);
	ck_assert_int_eq(request(&a, MN_CTRL_LISTEN, &la, STEP_NS, 10), 0);
	ba.rule = drop_synacks_to_forged_ports;
	for (i = 0; i < syns; i++) {
		forge(&a, &b, (uint16_t)(1024 + i), LISTEN_PORT, MN_PKT_SYN,
		      0x1000 + i, 0);
		if (i % 16 == 15)
			pump(1, STEP_NS);
	}
	pump(10, STEP_NS);
	/* One backlog's worth of state, no flow; the rest refused as BUSY. */
	ck_assert_uint_eq(b.e.half_open.count, b.cfg.syn_backlog);
	ck_assert_uint_eq(b.e.flows.count, 0);
	ck_assert_uint_eq(b.state.counters.syn_backlog_full, syns - b.cfg.syn_backlog);
	/* The flooded listener says why it refuses; the others, and connects
	 * from the flooded host, are untouched. */
	ck_assert_int_eq(connect_status(&a, IP_B, LISTEN_PORT), EAGAIN);
	connect_ok(&a, IP_B, LISTEN_PORT + 1);
	connect_ok(&b, IP_A, LISTEN_PORT);
	/* The flood's handshakes expire; then the listener takes flows again. */
	pump(b.cfg.half_open_timeout_ms + 10, MN_NS_PER_MS);
	ck_assert_uint_eq(b.e.half_open.count, 0);
	ck_assert_uint_eq(b.state.counters.half_open_expired, b.cfg.syn_backlog);
	connect_ok(&a, IP_B, LISTEN_PORT);
}
END_TEST

/* Floods at several listeners together meet the host's bound. */
START_TEST(half_open_table_bounds_the_host)
{
	struct mn_flow_tuple l2 = { .src_ip = IP_B, .src_port = LISTEN_PORT + 1 };
	const uint32_t per_listener = 700;
	uint32_t i;

	ck_assert_int_eq(request(&b, MN_CTRL_LISTEN, &l2, STEP_NS, 10), 0);
	b.cfg.syn_backlog = 1000;
	ba.rule = drop_synacks;
	for (i = 0; i < 2 * per_listener; i++) {
		forge(&a, &b, (uint16_t)(1024 + i / 2),
		      (uint16_t)(LISTEN_PORT + i % 2), MN_PKT_SYN, i, 0);
		if (i % 16 == 15)
			pump(1, STEP_NS);
	}
	pump(10, STEP_NS);
	ck_assert_uint_eq(b.e.half_open.count, b.cfg.half_open_max);
	ck_assert_uint_eq(b.state.counters.syn_backlog_full,
			  2 * per_listener - b.cfg.half_open_max);
}
END_TEST

START_TEST(handshake_needs_the_ack_of_our_isn)
{
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, 40000 };
	struct mn_half_open *h;

	ba.rule = drop_synacks;
	forge(&a, &b, 40000, LISTEN_PORT, MN_PKT_SYN, 777, 0);
	pump(2, STEP_NS);
	h = mn_half_open_find(&b.e.half_open, &kb);
	ck_assert_ptr_nonnull(h);
	/* A blind sender does not know the ISN of the SYNACK it never saw. */
	forge(&a, &b, 40000, LISTEN_PORT, MN_PKT_ACK, 777, h->isn + 1);
	forge(&a, &b, 40000, LISTEN_PORT, MN_PKT_DATA, 777, 0);
	pump(2, STEP_NS);
	ck_assert_ptr_null(mn_flow_lookup(&b.e.flows, &kb));
	ck_assert_uint_eq(b.state.counters.handshake_invalid, 2);
	/* The one who saw it completes the handshake. */
	forge(&a, &b, 40000, LISTEN_PORT, MN_PKT_ACK, 777, h->isn);
	pump(2, STEP_NS);
	ck_assert_ptr_nonnull(mn_flow_lookup(&b.e.flows, &kb));
	ck_assert_uint_eq(b.e.half_open.count, 0);
}
END_TEST

static enum verdict
drop_handshake_ack(const struct frame_info *fi)
{
	return fi->type == MN_PKT_ACK && fi->nth == 0 ? DROP : PASS;
}

/* A connecting side that has nothing to send yet is no worse off. */
START_TEST(lost_last_ack_of_an_idle_connect_is_recovered)
{
	struct mn_flow_tuple t = { .src_ip = IP_A, .dst_ip = IP_B,
				   .dst_port = LISTEN_PORT };

	ab.rule = drop_handshake_ack;
	ck_assert_int_eq(request(&a, MN_CTRL_CONNECT, &t, STEP_NS, 1000), 0);
	ck_assert_uint_eq(b.e.half_open.count, 1);
	/* Idle for longer than a handshake may take. */
	pump(3 * b.cfg.half_open_timeout_ms, MN_NS_PER_MS);
	ck_assert_uint_eq(b.e.half_open.count, 0);
	ck_assert_uint_eq(b.e.flows.count, 1);
	app_send(&a, &t, 100, 1);
	app_expect(&b, 100, 1, 1000);
}
END_TEST

START_TEST(blind_rst_and_syn_do_not_end_a_flow)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, t.src_port };
	struct mn_flow *fb = mn_flow_lookup(&b.e.flows, &kb);
	uint32_t rcv_nxt = fb->rcv_nxt;

	/* Outside the window: dropped. In it but not exact: challenged. A
	 * SYN with another ISN: challenged, never a reset. */
	forge(&a, &b, t.src_port, LISTEN_PORT, MN_PKT_RST, rcv_nxt + 100000, 0);
	forge(&a, &b, t.src_port, LISTEN_PORT, MN_PKT_RST, rcv_nxt + 5, 0);
	forge(&a, &b, t.src_port, LISTEN_PORT, MN_PKT_SYN, 12345, 0);
	pump(10, STEP_NS);
	ck_assert_ptr_eq(mn_flow_lookup(&b.e.flows, &kb), fb);
	ck_assert_uint_eq(b.state.counters.rst_invalid, 1);
	ck_assert_uint_eq(b.state.counters.challenge_acks, 2);
	ck_assert_uint_eq(b.state.counters.flows_reset, 0);
	/* A's flow took the challenge acks for what they are. */
	app_send(&a, &t, 100, 1);
	app_expect(&b, 100, 1, 1000);
	app_send_on(&b, 0, &(struct mn_flow_tuple){ IP_B, IP_A, LISTEN_PORT,
						     t.src_port }, 50, 2);
	app_expect(&a, 50, 2, 1000);
	/* The exact seq is what only the peer knows: that one ends it. */
	forge(&a, &b, t.src_port, LISTEN_PORT, MN_PKT_RST, fb->rcv_nxt, 0);
	pump(2, STEP_NS);
	ck_assert_ptr_null(mn_flow_lookup(&b.e.flows, &kb));
}
END_TEST

/* The challenge is how a peer that really lost the flow still ends it. */
START_TEST(peer_that_lost_the_flow_answers_the_challenge)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, t.src_port };

	app_send(&a, &t, 100, 1);
	app_expect(&b, 100, 1, 1000);
	mn_flow_destroy(&a.e.flows, mn_flow_lookup(&a.e.flows, &ka));
	/* A restarted and reuses the port: its SYN meets B's old flow. */
	forge(&a, &b, t.src_port, LISTEN_PORT, MN_PKT_SYN, 999, 0);
	pump(10, STEP_NS);
	ck_assert_uint_eq(b.state.counters.challenge_acks, 1);
	ck_assert_ptr_null(mn_flow_lookup(&b.e.flows, &kb));
	app_expect_event(&b, MN_MSG_EV_RESET, 10);
}
END_TEST

/* ...and when it connects again from the same port. */
START_TEST(peer_that_lost_the_flow_connects_again_from_its_port)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple again = { .src_ip = IP_A, .dst_ip = IP_B,
				       .dst_port = LISTEN_PORT };
	struct mn_flow_key ka = { IP_A, IP_B, t.src_port, LISTEN_PORT };

	mn_flow_destroy(&a.e.flows, mn_flow_lookup(&a.e.flows, &ka));
	a.cfg.ephemeral_port_min = a.cfg.ephemeral_port_max = t.src_port;
	/* The first SYN is challenged and answered with the RST; the next
	 * one, a SYN timeout later, connects. */
	ck_assert_int_eq(request(&a, MN_CTRL_CONNECT, &again, MN_NS_PER_MS, 1000), 0);
	pump(1, STEP_NS);
	ck_assert_uint_eq(again.src_port, t.src_port);
	ck_assert_uint_eq(b.state.counters.challenge_acks, 1);
	app_expect_event(&b, MN_MSG_EV_RESET, 10);
	app_send(&a, &again, 100, 1);
	app_expect(&b, 100, 1, 1000);
}
END_TEST

static enum verdict
drop_everything_from_a(const struct frame_info *fi)
{
	(void)fi;
	return DROP;
}

START_TEST(keepalive_finds_a_peer_that_went_silent)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key kb = { IP_B, IP_A, LISTEN_PORT, t.src_port };

	struct mn_flow *fb;
	uint64_t rto;

	app_send(&a, &t, 100, 1);
	app_expect(&b, 100, 1, 1000);
	fb = mn_flow_lookup(&b.e.flows, &kb);
	rto = fb->rto.rto;
	/* Idle for a minute with both ends alive: asked, answered, kept, and
	 * the timeout for data to come is as it was. */
	pump(60000, MN_NS_PER_MS);
	ck_assert_ptr_eq(mn_flow_lookup(&b.e.flows, &kb), fb);
	ck_assert_uint_eq(fb->rto.rto, rto);
	ck_assert_uint_ge(b.state.counters.keepalive_probes +
			  a.state.counters.keepalive_probes, 5);
	/* A's host goes down without a word. */
	ab.rule = drop_everything_from_a;
	pump(b.cfg.keepalive_ms + 20000, MN_NS_PER_MS);
	ck_assert_ptr_null(mn_flow_lookup(&b.e.flows, &kb));
	app_expect_event(&b, MN_MSG_EV_RESET, 10);
}
END_TEST

START_TEST(ports_and_isns_are_random_within_the_range)
{
	uint32_t i, next_door = 0, next_isn = 0, prev_isn = 0;
	uint16_t prev = 0;

	for (i = 0; i < 100; i++) {
		struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
		struct mn_flow *f = mn_flow_lookup(&a.e.flows, &(struct mn_flow_key){
			IP_A, IP_B, t.src_port, LISTEN_PORT });

		ck_assert_uint_ge(t.src_port, a.cfg.ephemeral_port_min);
		ck_assert_uint_le(t.src_port, a.cfg.ephemeral_port_max);
		/* Neither follows from the one before. */
		next_door += t.src_port == (uint16_t)(prev + 1);
		next_isn += f->snd_una == prev_isn + 1;
		prev = t.src_port;
		prev_isn = f->snd_una;
	}
	ck_assert_uint_le(next_door, 2);
	ck_assert_uint_eq(next_isn, 0);
}
END_TEST

START_TEST(narrow_port_range_is_used_up_then_refused)
{
	struct mn_flow_tuple l2 = { .src_ip = IP_B, .src_port = LISTEN_PORT + 1 };
	uint32_t i;

	ck_assert_int_eq(request(&b, MN_CTRL_LISTEN, &l2, STEP_NS, 10), 0);
	a.cfg.ephemeral_port_min = 60000;
	a.cfg.ephemeral_port_max = 60003;
	for (i = 0; i < 4; i++)
		ck_assert_uint_ge(connect_ok(&a, IP_B, LISTEN_PORT).src_port, 60000);
	ck_assert_int_eq(connect_status(&a, IP_B, LISTEN_PORT), EADDRNOTAVAIL);
	/* Another remote end has the whole range again. */
	connect_ok(&a, IP_B, LISTEN_PORT + 1);
}
END_TEST

static enum verdict
drop_syns(const struct frame_info *fi)
{
	return fi->type == MN_PKT_SYN ? DROP : PASS;
}

/* A refusal counts only if it answers our SYN: its ack is our ISN. */
START_TEST(forged_refusal_does_not_fail_a_connect)
{
	struct mn_cmd cmd = { 0 }, done;
	struct mn_flow *f;

	ab.rule = drop_syns;
	cmd.msg.op = MN_CTRL_CONNECT;
	cmd.msg.generation = 1;
	cmd.msg.flow = (struct mn_flow_tuple){ .src_ip = IP_A, .dst_ip = IP_B,
					       .dst_port = LISTEN_PORT };
	ck_assert_int_eq(rte_ring_enqueue_elem(a.ctl.to_engine, &cmd, sizeof(cmd)), 0);
	pump(20, STEP_NS);
	ck_assert_uint_eq(a.e.flows.count, 1);
	f = mn_flow_table_live(&a.e.flows, 0);
	ck_assert_int_eq(f->state, MN_FLOW_SYN_SENT);
	forge(&b, &a, LISTEN_PORT, f->key.local_port, MN_PKT_RST, 0, f->snd_una + 1);
	forge(&b, &a, LISTEN_PORT, f->key.local_port, MN_PKT_BUSY, 0, f->snd_una - 1);
	pump(5, STEP_NS);
	ck_assert_int_eq(f->state, MN_FLOW_SYN_SENT);
	ck_assert_uint_eq(a.state.counters.rst_invalid, 1);
	ck_assert_uint_eq(a.state.counters.handshake_invalid, 1);
	ab.rule = NULL;
	ck_assert_int_eq(wait_completion(&a, &done, 100000), 0);
}
END_TEST

/*
 * Found by make fuzz: an ack exactly 2^31 from snd_una is, modulo 2^32,
 * both ahead of it and not beyond snd_nxt; it freed 2^31 empty slots.
 */
START_TEST(ack_half_the_sequence_space_away_acks_nothing)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow *f = mn_flow_lookup(&a.e.flows, &(struct mn_flow_key){
		IP_A, IP_B, t.src_port, LISTEN_PORT });
	uint32_t una = f->snd_una;

	ck_assert_uint_eq(f->snd_nxt, una);
	ck_assert_uint_eq(mn_flow_ack(f, una + 0x80000000u), 0);
	ck_assert_uint_eq(f->snd_una, una);
	app_send(&a, &t, 3 * a.state.mss, 1);
	pump(1, STEP_NS);
	ck_assert_uint_eq(mn_flow_ack(f, f->snd_una + 0x80000000u), 0);
	app_expect(&b, 3 * a.state.mss, 1, 1000);
}
END_TEST

/* B's link carries less than A's: it takes segments of MTU 1000. */
static void
b_has_mtu_1000(void)
{
	b.state.mss = b.e.mss = mn_wire_mss(1000);
}

START_TEST(peers_with_different_mtus_use_the_smaller_mss)
{
	const uint32_t small = mn_wire_mss(1000), len = 10 * mn_wire_mss(1500);
	struct mn_flow_tuple t, back;
	struct mn_flow *fa, *fb;
	uint32_t first;

	b_has_mtu_1000();
	t = connect_ok(&a, IP_B, LISTEN_PORT);
	back = (struct mn_flow_tuple){ t.dst_ip, t.src_ip, t.dst_port, t.src_port };
	fa = mn_flow_lookup(&a.e.flows, &(struct mn_flow_key){
		IP_A, IP_B, t.src_port, LISTEN_PORT });
	fb = mn_flow_lookup(&b.e.flows, &(struct mn_flow_key){
		IP_B, IP_A, LISTEN_PORT, t.src_port });
	ck_assert_ptr_nonnull(fa);
	ck_assert_ptr_nonnull(fb);
	/* Each end learnt it from the other's SYN or SYNACK, and so does
	 * each end's library, which cuts the messages. */
	ck_assert_uint_eq(fa->mss, small);
	ck_assert_uint_eq(fb->mss, small);
	ck_assert_uint_eq(app_flow_mss(&a, &t), small);
	ck_assert_uint_eq(app_flow_mss(&b, &back), small);
	first = fa->snd_nxt;
	app_send(&a, &t, len, 1);
	app_expect(&b, len, 1, 20000);
	ck_assert_uint_eq(fa->snd_nxt - first, mn_msg_nb_segs(len, small));
	app_send(&b, &back, len, 2);
	app_expect(&a, len, 2, 20000);
	ck_assert_uint_eq(a.state.counters.tx_retransmits, 0);
	ck_assert_uint_eq(b.state.counters.tx_retransmits, 0);
}
END_TEST

START_TEST(a_message_cut_larger_than_the_peer_takes_is_not_sent)
{
	struct mn_flow_tuple t;
	struct rte_mbuf *msg;
	uint8_t buf[3000] = { 0 };
	struct mn_iov iov = { buf, sizeof(buf) };
	uint64_t dropped;

	b_has_mtu_1000();
	t = connect_ok(&a, IP_B, LISTEN_PORT);
	/* Cut at A's own MSS, as a library that did not look would. */
	msg = mn_msg_build(pool, &iov, 1, sizeof(buf), a.state.mss, true);
	ck_assert_ptr_nonnull(msg);
	mn_msg_meta(msg)->flow = t;
	mn_msg_meta(msg)->ref = app_flow_ref(&a, &t);
	a.state.usage[0].tx_queued += msg->nb_segs;
	dropped = a.state.counters.rx_dropped;
	ck_assert_int_eq(rte_ring_enqueue(a.app_tx, msg), 0);
	pump(100, STEP_NS);
	ck_assert_uint_eq(a.state.counters.rx_dropped, dropped + 1);
	ck_assert_uint_eq(b.state.counters.msgs_to_apps, 0);
	/* Its buffers came back to the share, and the flow still works. */
	ck_assert_uint_eq(a.state.usage[0].tx_released, a.state.usage[0].tx_queued);
	app_send(&a, &t, sizeof(buf), 5);
	app_expect(&b, sizeof(buf), 5, 20000);
}
END_TEST

START_TEST(the_mss_a_peer_offers_is_bounded)
{
	/* Not said (a peer of before the MSS was offered): MTU 1500's. */
	ck_assert_uint_eq(mn_wire_flow_mss(8924, 0), 1424);
	ck_assert_uint_eq(mn_wire_flow_mss(8924, 3000), 3000);
	ck_assert_uint_eq(mn_wire_flow_mss(1424, 8924), 1424);
	/* Below the least IPv4 link's: not believed. */
	ck_assert_uint_eq(mn_wire_flow_mss(1424, 1), MN_WIRE_MSS_MIN);
	ck_assert_uint_eq(mn_wire_mss(576), MN_WIRE_MSS_MIN);
}
END_TEST

/* Fills the node's flow table with flows nobody uses. */
static void
fill_flow_table(struct node *n)
{
	struct mn_flow_key k = { n->cfg.ip, IP_NOBODY, 1, 1 };

	while (n->e.flows.count < n->e.flows.capacity) {
		k.remote_port++;
		ck_assert_ptr_nonnull(mn_flow_create(&n->e.flows, &k));
	}
}

START_TEST(full_flow_table_is_told_apart_from_no_listener)
{
	fill_flow_table(&b);
	ck_assert_uint_eq(b.e.flows.count, b.cfg.max_flows);
	/* On the listening side: BUSY, EAGAIN to the connecting application. */
	ck_assert_int_eq(connect_status(&a, IP_B, LISTEN_PORT), EAGAIN);
	ck_assert_uint_eq(b.state.counters.flow_table_full, 1);
	/* On the connecting side: ENOBUFS at once. */
	ck_assert_int_eq(connect_status(&b, IP_A, LISTEN_PORT), ENOBUFS);
	ck_assert_uint_eq(b.state.counters.flow_table_full, 2);
	/* And nobody listening is still ECONNREFUSED. */
	ck_assert_int_eq(connect_status(&a, IP_B, 9), ECONNREFUSED);
}
END_TEST

/* What telemetry reads of the flow that t names on node n (stats.h). */
static struct mn_flow_view
flow_view(struct node *n, const struct mn_flow_tuple *t)
{
	struct mn_flow_view v;
	struct mn_flow_key key;
	struct mn_flow *f;

	mn_flow_key_from_tuple(&key, t);
	f = mn_flow_lookup(&n->e.flows, &key);
	ck_assert_ptr_nonnull(f);
	ck_assert(mn_flow_stats_read(mn_flow_stats_of(&n->e.flows, f), &v));
	ck_assert_uint_eq(v.desc.serial, f->serial);
	return v;
}

static struct mn_channel_counts
channel_counts(struct node *n)
{
	struct mn_channel_counts c;

	ck_assert(mn_channel_stats_read(&n->e.channel_stats[0], 1, &c));
	return c;
}

/* Long enough for a timer tick, which publishes the figures that move. */
static void
pump_a_tick(void)
{
	pump(2 * MN_TIMER_PERIOD_NS / STEP_NS, STEP_NS);
}

START_TEST(flow_record_counts_both_ways)
{
	uint64_t start = now;
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple back = { t.dst_ip, t.src_ip, t.dst_port, t.src_port };
	const uint32_t big = 3 * a.state.mss + 7;
	struct mn_flow_view va, vb;
	struct mn_flow_key ka;
	struct mn_flow *fa;

	app_send(&a, &t, 100, 1);
	app_send(&a, &t, big, 2);
	app_expect(&b, 100, 1, 1000);
	app_expect(&b, big, 2, 1000);
	app_send(&b, &back, 5000, 3);
	app_expect(&a, 5000, 3, 1000);
	pump_a_tick();
	va = flow_view(&a, &t);
	vb = flow_view(&b, &back);
	ck_assert_uint_eq(va.desc.key.local_ip, IP_A);
	ck_assert_uint_eq(va.desc.key.remote_ip, IP_B);
	ck_assert_uint_eq(va.desc.key.local_port, t.src_port);
	ck_assert_uint_eq(va.desc.key.remote_port, LISTEN_PORT);
	ck_assert_uint_eq(vb.desc.key.local_port, LISTEN_PORT);
	ck_assert_uint_eq(vb.desc.key.remote_port, t.src_port);
	ck_assert_uint_eq(va.desc.state, MN_FLOW_ESTABLISHED);
	ck_assert_uint_eq(vb.desc.state, MN_FLOW_ESTABLISHED);
	ck_assert_uint_eq(va.desc.channel, 0);
	ck_assert_uint_eq(va.counts.tx_msgs, 2);
	ck_assert_uint_eq(va.counts.tx_bytes, 100 + big);
	ck_assert_uint_eq(va.counts.rx_msgs, 1);
	ck_assert_uint_eq(va.counts.rx_bytes, 5000);
	ck_assert_uint_eq(vb.counts.rx_msgs, 2);
	ck_assert_uint_eq(vb.counts.rx_bytes, 100 + big);
	ck_assert_uint_eq(vb.counts.tx_msgs, 1);
	ck_assert_uint_eq(vb.counts.tx_bytes, 5000);
	ck_assert_uint_eq(va.counts.retransmits + vb.counts.retransmits, 0);
	ck_assert_uint_eq(va.counts.timeouts + vb.counts.timeouts, 0);
	/* The figures that move, as of the last tick. */
	mn_flow_key_from_tuple(&ka, &t);
	fa = mn_flow_lookup(&a.e.flows, &ka);
	ck_assert_uint_eq(va.desc.mss, fa->mss);
	ck_assert_double_eq(va.desc.cwnd, fa->cc.cwnd);
	ck_assert_uint_eq(va.desc.srtt, fa->rto.srtt);
	ck_assert_uint_gt(va.desc.srtt, 0);
	ck_assert_uint_eq(va.desc.rto, fa->rto.rto);
	ck_assert_uint_ge(va.desc.started_at, start);
	ck_assert_uint_le(va.desc.started_at, now);
}
END_TEST

/* Resent segments count as retransmissions, not again as bytes sent. */
START_TEST(flow_record_counts_a_timeout_and_its_resend)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple back = { t.dst_ip, t.src_ip, t.dst_port, t.src_port };
	struct mn_flow_view va, vb;

	ab.rule = drop_first_data;
	app_send(&a, &t, 100, 6);
	app_expect(&b, 100, 6, 100000);
	pump_a_tick();
	va = flow_view(&a, &t);
	vb = flow_view(&b, &back);
	ck_assert_uint_ge(va.counts.timeouts, 1);
	ck_assert_uint_eq(va.counts.timeouts, a.state.counters.rto_expiries);
	ck_assert_uint_eq(va.counts.retransmits, 1);
	ck_assert_uint_eq(va.counts.retransmits, a.state.counters.tx_retransmits);
	ck_assert_uint_eq(va.counts.tx_msgs, 1);
	ck_assert_uint_eq(va.counts.tx_bytes, 100);
	ck_assert_uint_eq(vb.counts.rx_msgs, 1);
	ck_assert_uint_eq(vb.counts.rx_bytes, 100);
}
END_TEST

START_TEST(flow_record_ends_with_its_flow)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_key ka;
	struct mn_flow_view v;
	uint32_t slot;

	mn_flow_key_from_tuple(&ka, &t);
	slot = mn_flow_index(&a.e.flows, mn_flow_lookup(&a.e.flows, &ka));
	app_send(&a, &t, 3000, 5);
	app_expect(&b, 3000, 5, 1000);
	ck_assert_int_eq(request(&a, MN_CTRL_CLOSE, &t, STEP_NS, 10), 0);
	app_expect_event(&b, MN_MSG_EV_CLOSED, 1000);
	pump(100, STEP_NS);
	ck_assert_uint_eq(a.e.flows.count, 0);
	ck_assert(!mn_flow_stats_read(&a.e.flows.stats[slot], &v));
	/* The next flow, whatever its slot, counts from nothing. */
	t = connect_ok(&a, IP_B, LISTEN_PORT);
	v = flow_view(&a, &t);
	ck_assert_uint_eq(v.counts.tx_msgs, 0);
	ck_assert_uint_eq(v.counts.tx_bytes, 0);
}
END_TEST

START_TEST(channel_record_counts_its_applications_traffic)
{
	struct mn_flow_tuple t = connect_ok(&a, IP_B, LISTEN_PORT);
	struct mn_flow_tuple back = { t.dst_ip, t.src_ip, t.dst_port, t.src_port };
	const uint32_t len = 2 * a.state.mss;
	struct mn_channel_counts ca, cb;
	unsigned int i;

	for (i = 0; i < 3; i++)
		app_send(&a, &t, len, i);
	app_send(&b, &back, 10, 9);
	app_expect(&a, 10, 9, 1000);
	/* B's application reads nothing yet: its share holds the segments. */
	pump_a_tick();
	ck_assert_uint_eq(rte_ring_count(b.app_rx), 3);
	ca = channel_counts(&a);
	cb = channel_counts(&b);
	ck_assert_uint_eq(ca.tx_msgs, 3);
	ck_assert_uint_eq(ca.tx_bytes, 3 * len);
	ck_assert_uint_eq(ca.rx_msgs, 1);
	ck_assert_uint_eq(ca.rx_bytes, 10);
	ck_assert_uint_eq(ca.listeners, 0);
	ck_assert_uint_eq(cb.listeners, 1);
	ck_assert_uint_eq(cb.rx_msgs, 3);
	ck_assert_uint_eq(cb.rx_bytes, 3 * len);
	ck_assert_uint_eq(cb.rx_held, 6);
	for (i = 0; i < 3; i++)
		app_expect(&b, len, i, 1000);
	pump_a_tick();
	ck_assert_uint_eq(channel_counts(&b).rx_held, 0);
}
END_TEST

/* A case whose tests each start with two fresh engines (setup). */
static TCase *
two_engines_case(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	return tc;
}

static Suite *
transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc = two_engines_case("two engines");

	pool = mn_unit_pool("transport_pool", 32767);
	tcase_add_test(tc, handshake_opens_a_flow_on_both_sides);
	tcase_add_test(tc, connect_to_closed_port_is_refused);
	tcase_add_test(tc, connect_to_absent_host_is_unreachable);
	tcase_add_test(tc, connect_without_answer_times_out);
	tcase_add_test(tc, connect_from_foreign_address_is_refused_locally);
	tcase_add_test(tc, data_packet_headers_are_right);
	tcase_add_test(tc, messages_of_every_size_arrive_whole);
	tcase_add_test(tc, lost_packet_is_sent_again);
	tcase_add_test(tc, corrupt_packet_is_dropped_and_recovered);
	tcase_add_test(tc, slow_application_loses_nothing);
	tcase_add_test(tc, loopback_flow_on_one_engine);
	tcase_add_test(tc, close_removes_flow_on_both_sides);
	tcase_add_test(tc, lost_ack_of_fin_ends_the_flow_cleanly);
	tcase_add_test(tc, second_listener_on_a_port_is_refused);
	tcase_add_test(tc, stale_channel_generation_is_rejected);
	tcase_add_test(tc, lost_syn_and_synack_are_sent_again);
	tcase_add_test(tc, lost_acks_lose_nothing);
	tcase_add_test(tc, lost_last_packet_of_message_is_recovered);
	tcase_add_test(tc, reordered_packets_are_put_back_in_order);
	tcase_add_test(tc, duplicated_packets_are_delivered_once);
	tcase_add_test(tc, lossy_link_in_both_directions_loses_nothing);
	tcase_add_test(tc, sequence_numbers_wrap_around);
	tcase_add_test(tc, retransmission_timer_backs_off);
	tcase_add_test(tc, lost_ack_does_not_inflate_the_rtt);
	tcase_add_test(tc, answer_within_the_ack_delay_carries_the_ack);
	tcase_add_test(tc, lone_packet_is_acked_after_the_delay);
	tcase_add_test(tc, window_back_above_one_ends_the_pacing_wait);
	tcase_add_test(tc, frame_the_nic_still_holds_is_not_rewritten);
	tcase_add_test(tc, late_ack_undoes_the_timeout_cut);
	tcase_add_test(tc, needed_timeout_keeps_its_cut);
	tcase_add_test(tc, shared_frames_all_come_back);
	tcase_add_test(tc, copied_frames_all_come_back);
	tcase_add_test(tc, silent_peer_resets_the_flow);
	tcase_add_test(tc, reset_by_peer_reaches_the_application);
	tcase_add_test(tc, stalled_receiver_keeps_its_flow);
	tcase_add_test(tc, receiver_short_of_buffers_holds_its_senders);
	tcase_add_test(tc, non_reader_closes_only_its_own_windows);
	tcase_add_test(tc, message_larger_than_the_share_gets_through);
	tcase_add_test(tc, each_flow_counts_its_own_freed_sends);
	tcase_add_test(tc, window_closed_by_the_last_ack_is_probed_once_data_waits);
	tcase_add_test(tc, send_share_bounds_what_waits_beyond_one_message);
	tcase_add_test(tc, busy_tenant_leaves_engine_time_to_another);
	suite_add_tcase(s, tc);
	tc = two_engines_case("hostile network");
	tcase_add_test(tc, syn_flood_fills_only_its_listeners_backlog);
	tcase_add_test(tc, half_open_table_bounds_the_host);
	tcase_add_test(tc, handshake_needs_the_ack_of_our_isn);
	tcase_add_test(tc, lost_last_ack_of_an_idle_connect_is_recovered);
	tcase_add_test(tc, blind_rst_and_syn_do_not_end_a_flow);
	tcase_add_test(tc, peer_that_lost_the_flow_answers_the_challenge);
	tcase_add_test(tc, peer_that_lost_the_flow_connects_again_from_its_port);
	tcase_add_test(tc, keepalive_finds_a_peer_that_went_silent);
	tcase_add_test(tc, ports_and_isns_are_random_within_the_range);
	tcase_add_test(tc, narrow_port_range_is_used_up_then_refused);
	tcase_add_test(tc, full_flow_table_is_told_apart_from_no_listener);
	tcase_add_test(tc, forged_refusal_does_not_fail_a_connect);
	tcase_add_test(tc, ack_half_the_sequence_space_away_acks_nothing);
	suite_add_tcase(s, tc);
	tc = two_engines_case("mss and checksums");
	tcase_add_test(tc, peers_with_different_mtus_use_the_smaller_mss);
	tcase_add_test(tc, a_message_cut_larger_than_the_peer_takes_is_not_sent);
	tcase_add_test(tc, the_mss_a_peer_offers_is_bounded);
	tcase_add_test(tc, a_memif_link_carries_no_udp_checksum);
	suite_add_tcase(s, tc);
	tc = two_engines_case("coalescing");
	tcase_add_test(tc, small_messages_queued_together_share_packets);
	tcase_add_test(tc, one_message_at_a_time_goes_alone);
	tcase_add_test(tc, a_small_message_behind_a_large_one_is_not_packed_into_it);
	tcase_add_test(tc, coalesced_packets_survive_loss_reordering_and_duplicates);
	tcase_add_test(tc, held_coalesced_packets_are_freed_with_their_flow);
	suite_add_tcase(s, tc);
	tc = two_engines_case("telemetry records");
	tcase_add_test(tc, flow_record_counts_both_ways);
	tcase_add_test(tc, flow_record_counts_a_timeout_and_its_resend);
	tcase_add_test(tc, flow_record_ends_with_its_flow);
	tcase_add_test(tc, channel_record_counts_its_applications_traffic);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(transport_suite)
