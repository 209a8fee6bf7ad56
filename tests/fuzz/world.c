/*
 * world.c: the two engines the packet-input fuzzer and its seed generator
 * run (see world.h): set-up, a simulated wire, and a teardown that checks
 * every mbuf came back to the pool.
 *
 * Kept apart from tests/unit/test_transport.c, whose wire can drop and
 * reorder frames at will: here the wire only needs to pass frames, or not.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring_elem.h>

#include "clock.h"
#include "mn_wire.h"
#include "world.h"

#define APP_RING_SIZE 64
#define NIC_RING_SIZE 1024
#define POOL_SIZE 4095

static void
die(const char *what)
{
	fprintf(stderr, "fuzz world: %s\n", what);
	abort();
}

void
fuzz_eal_init(const char *prog)
{
	char prefix[64];
	/* No hugepages, devices or shared files: nothing a machnetd uses. */
	char *argv[] = {
		(char *)prog, "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		prefix, "--no-telemetry", "-l", "0", "--log-level=error",
	};
	cpu_set_t cpus;

	snprintf(prefix, sizeof(prefix), "--file-prefix=mn_fuzz_%d", (int)getpid());
	/* EAL pins this thread to one core: give it back to the scheduler,
	 * so that the fuzzer does not crowd whatever else is pinned there. */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
		die("sched_getaffinity");
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		die("cannot initialise DPDK EAL");
	sched_setaffinity(0, sizeof(cpus), &cpus);
}

static struct rte_ring *
ring(const char *node, const char *what, unsigned int size, unsigned int esize)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "fz_%s_%s", node, what);
	r = rte_ring_create_elem(name, esize, size, SOCKET_ID_ANY,
				 RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		die("cannot create a ring");
	return r;
}

static void
node_init(struct fuzz_world *w, struct fuzz_node *n, const char *name, uint32_t ip)
{
	struct rte_eth_conf port_conf = { 0 };
	char dev[32];
	int port;

	n->nic_rx = ring(name, "nic_rx", NIC_RING_SIZE, sizeof(void *));
	n->nic_tx = ring(name, "nic_tx", NIC_RING_SIZE, sizeof(void *));
	n->app_tx = ring(name, "app_tx", APP_RING_SIZE, sizeof(void *));
	n->app_rx = ring(name, "app_rx", APP_RING_SIZE, sizeof(void *));
	n->ctl.to_engine = ring(name, "to_eng", 64, sizeof(struct mn_cmd));
	n->ctl.from_engine = ring(name, "from_eng", 64, sizeof(struct mn_cmd));
	snprintf(dev, sizeof(dev), "net_fuzz_%s", name);
	port = rte_eth_from_rings(dev, &n->nic_rx, 1, &n->nic_tx, 1, SOCKET_ID_ANY);
	if (port < 0 || rte_eth_dev_configure((uint16_t)port, 1, 1, &port_conf) != 0 ||
	    rte_eth_rx_queue_setup((uint16_t)port, 0, NIC_RING_SIZE, SOCKET_ID_ANY,
				   NULL, w->pool) != 0 ||
	    rte_eth_tx_queue_setup((uint16_t)port, 0, NIC_RING_SIZE, SOCKET_ID_ANY,
				   NULL) != 0 ||
	    rte_eth_dev_start((uint16_t)port) != 0)
		die("cannot start a ring port");
	n->ifc.port_id = (uint16_t)port;
	n->ifc.ip = ip;
	n->ifc.netmask = UINT32_C(0xffffff00); /* RTE_IPV4 would shift into the sign */
	n->ifc.mtu = 1500;
	n->ifc.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)ip } };
	/* af_packet's way: the wire copies each frame and drops its reference. */
	n->ifc.tx_shares_frames = true;
}

void
fuzz_world_init(struct fuzz_world *w)
{
	memset(w, 0, sizeof(*w));
	w->pool_size = POOL_SIZE;
	/* No per-lcore cache: the teardown's count of free mbufs is exact. */
	w->pool = rte_pktmbuf_pool_create("fuzz_pool", POOL_SIZE, 0, MN_MBUF_PRIV_SIZE,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (w->pool == NULL)
		die("cannot create the mbuf pool");
	node_init(w, &w->t, "t", FUZZ_IP_T);
	node_init(w, &w->p, "p", FUZZ_IP_P);
}

static void
drain(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

static void
drain_cmds(struct rte_ring *r)
{
	struct mn_cmd done;

	while (rte_ring_dequeue_elem(r, &done, sizeof(done)) == 0)
		;
}

/* What an application that reads everything does with its messages. */
static void
app_read_all(struct fuzz_node *n)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(n->app_rx, (void **)&m) == 0) {
		n->state.usage[0].rx_taken++;
		rte_pktmbuf_free(m);
	}
}

/* Settings of test_transport.c, whose timing the seeds were made with. */
static void
node_config(struct fuzz_world *w, struct fuzz_node *n)
{
	mn_config_defaults(&n->cfg);
	n->cfg.ip = n->ifc.ip;
	n->cfg.max_flows = FUZZ_MAX_FLOWS;
	n->cfg.pool_size = w->pool_size;
	n->cfg.rto_us = 5000;
	n->cfg.rto_min_us = 1000;
	n->cfg.rto_max_us = 200000;
	n->cfg.max_retries = 12;
}

/* The engines' source of sequence numbers and ports, restarted with each
 * world so that it is the same world every time. */
static uint64_t world_seed;

static uint32_t
world_random(void)
{
	world_seed = world_seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(world_seed >> 32);
}

static void
node_start(struct fuzz_world *w, struct fuzz_node *n)
{
	struct mn_cmd cmd = { 0 };

	node_config(w, n);
	memset(&n->state, 0, sizeof(n->state));
	memset(n->flow_usage, 0, sizeof(n->flow_usage));
	n->state.mss = mn_wire_mss(n->ifc.mtu);
	n->state.ring_size = APP_RING_SIZE;
	n->ctl.state = &n->state;
	if (sem_init(&n->ctl.wake, 0, 0) != 0 ||
	    mn_engine_init(&n->e, &n->cfg, &n->ifc, &n->state, &n->ctl, w->pool) != 0)
		die("cannot start an engine");
	n->e.random = world_random;
	mn_engine_set_flow_usage(&n->e, n->flow_usage);
	mn_engine_set_channel(&n->e, 0, n->app_tx, n->app_rx);
	cmd.msg.op = MN_CTRL_ATTACH;
	cmd.msg.generation = 1;
	mn_engine_handle_cmd(&n->e, &cmd);
	drain_cmds(n->ctl.from_engine);
}

/* Copies what from sent to to's NIC, as a wire does; drop_data DATA
 * frames (the first ones) are lost on the way. */
static void
wire(struct fuzz_world *w, struct fuzz_node *from, struct fuzz_node *to,
     unsigned int drop_data)
{
	struct rte_mbuf *sent, *m;

	while (rte_ring_dequeue(from->nic_tx, (void **)&sent) == 0) {
		const struct mn_hdr *h = rte_pktmbuf_mtod_offset(sent,
			const struct mn_hdr *, MN_WIRE_HDRS_LEN - sizeof(struct mn_hdr));

		if (drop_data > 0 && sent->data_len >= MN_WIRE_HDRS_LEN &&
		    h->type == MN_PKT_DATA) {
			drop_data--;
			rte_pktmbuf_free(sent);
			continue;
		}
		m = rte_pktmbuf_copy(sent, w->pool, 0, UINT32_MAX);
		rte_pktmbuf_free(sent);
		if (m == NULL)
			die("pool empty on the wire");
		if (to == &w->t && w->tap != NULL)
			w->tap(m, w->now);
		if (rte_ring_enqueue(to->nic_rx, m) != 0)
			die("nic ring full");
	}
}

void
fuzz_pump(struct fuzz_world *w, unsigned int steps)
{
	while (steps-- > 0) {
		w->now += FUZZ_STEP_NS;
		mn_engine_step(&w->t.e, w->now);
		mn_engine_step(&w->p.e, w->now);
		wire(w, &w->t, &w->p, 0);
		wire(w, &w->p, &w->t, 0);
		app_read_all(&w->t);
		app_read_all(&w->p);
	}
}

void
fuzz_step_target(struct fuzz_world *w, uint64_t delta_ns)
{
	w->now += delta_ns;
	mn_engine_step(&w->t.e, w->now);
	drain(w->t.nic_tx);
	app_read_all(&w->t);
	drain_cmds(w->t.ctl.from_engine);
}

int
fuzz_request(struct fuzz_world *w, struct fuzz_node *n, uint32_t op,
	     struct mn_flow_tuple *flow, unsigned int max_steps)
{
	struct mn_cmd cmd = { 0 }, done;

	cmd.msg.op = op;
	cmd.msg.generation = 1;
	cmd.msg.flow = *flow;
	if (rte_ring_enqueue_elem(n->ctl.to_engine, &cmd, sizeof(cmd)) != 0)
		die("control ring full");
	while (max_steps-- > 0) {
		fuzz_pump(w, 1);
		if (rte_ring_dequeue_elem(n->ctl.from_engine, &done, sizeof(done)) == 0) {
			*flow = done.msg.flow;
			return done.msg.status;
		}
	}
	return -1;
}

void
fuzz_app_send(struct fuzz_world *w, struct fuzz_node *n,
	      const struct mn_flow_tuple *t, uint32_t len)
{
	uint8_t *buf = malloc(len);
	struct mn_iov iov = { buf, len };
	struct mn_flow_key key;
	struct mn_flow *f;
	struct rte_mbuf *msg;
	uint32_t i;

	if (buf == NULL)
		die("out of memory");
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131u);
	msg = mn_msg_build(w->pool, &iov, 1, len, n->state.mss, true);
	free(buf);
	mn_flow_key_from_tuple(&key, t);
	f = mn_flow_lookup(&n->e.flows, &key);
	if (msg == NULL || f == NULL)
		die("cannot send a message");
	mn_msg_meta(msg)->flow = *t;
	mn_msg_meta(msg)->ref = mn_engine_flow_ref(&n->e, f);
	n->state.usage[0].tx_queued += msg->nb_segs; /* as libmachnet counts */
	if (rte_ring_enqueue(n->app_tx, msg) != 0)
		die("application ring full");
}

/* A received frame as a NIC hands it over: one segment, offload flags set. */
static struct rte_mbuf *
rx_frame(struct fuzz_world *w, uint8_t ctl, const uint8_t *bytes, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
	char *p;

	if (m == NULL)
		die("pool empty for a received frame");
	len = RTE_MIN(len, (size_t)rte_pktmbuf_tailroom(m));
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (len > 0)
		memcpy(p, bytes, len);
	if (ctl & FUZZ_CTL_IP_GOOD)
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	if (ctl & FUZZ_CTL_L4_GOOD)
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return m;
}

void
fuzz_world_feed(struct fuzz_world *w, const uint8_t *data, size_t size)
{
	unsigned int records = 0;

	while (size >= FUZZ_REC_HDR && records++ < FUZZ_MAX_RECORDS) {
		uint8_t ctl = data[0];
		size_t len = (size_t)(data[1] << 8 | data[2]);
		uint64_t d = ctl >> 2;

		len = RTE_MIN(len, size - FUZZ_REC_HDR);
		if (rte_ring_enqueue(w->t.nic_rx,
				     rx_frame(w, ctl, data + FUZZ_REC_HDR, len)) != 0)
			die("nic ring full");
		fuzz_step_target(w, d * d * FUZZ_CTL_TICK_NS);
		data += FUZZ_REC_HDR + len;
		size -= FUZZ_REC_HDR + len;
	}
}

static struct mn_flow_tuple
reverse(const struct mn_flow_tuple *t)
{
	return (struct mn_flow_tuple){ .src_ip = t->dst_ip, .dst_ip = t->src_ip,
				       .src_port = t->dst_port,
				       .dst_port = t->src_port };
}

static void
open_flows(struct fuzz_world *w)
{
	struct mn_flow_tuple lt = { .src_ip = FUZZ_IP_T, .src_port = FUZZ_PORT_T };
	struct mn_flow_tuple lp = { .src_ip = FUZZ_IP_P, .src_port = FUZZ_PORT_P };

	w->p_s = (struct mn_flow_tuple){ .src_ip = FUZZ_IP_P, .dst_ip = FUZZ_IP_T,
					 .dst_port = FUZZ_PORT_T };
	w->c = (struct mn_flow_tuple){ .src_ip = FUZZ_IP_T, .dst_ip = FUZZ_IP_P,
				       .dst_port = FUZZ_PORT_P };
	if (fuzz_request(w, &w->t, MN_CTRL_LISTEN, &lt, 10) != 0 ||
	    fuzz_request(w, &w->p, MN_CTRL_LISTEN, &lp, 10) != 0 ||
	    fuzz_request(w, &w->p, MN_CTRL_CONNECT, &w->p_s, 1000) != 0 ||
	    fuzz_request(w, &w->t, MN_CTRL_CONNECT, &w->c, 1000) != 0)
		die("the flows did not open");
	w->s = reverse(&w->p_s);
	w->p_c = reverse(&w->c);
	fuzz_pump(w, 10); /* until the last handshake packets are through */
}

/* A connect of t's left waiting: its answers never reach t. */
static void
start_connect(struct fuzz_world *w, uint32_t ip, uint16_t port)
{
	struct mn_cmd cmd = { 0 };

	cmd.msg.op = MN_CTRL_CONNECT;
	cmd.msg.generation = 1;
	cmd.msg.flow = (struct mn_flow_tuple){ .src_ip = FUZZ_IP_T, .dst_ip = ip,
					       .dst_port = port };
	mn_engine_handle_cmd(&w->t.e, &cmd);
	fuzz_step_target(w, FUZZ_STEP_NS);
}

void
fuzz_world_setup(struct fuzz_world *w)
{
	uint32_t mss;

	world_seed = 1;
	w->now = 1000 * MN_NS_PER_MS;
	node_start(w, &w->t);
	node_start(w, &w->p);
	open_flows(w);
	mss = w->t.state.mss;
	/* In flight on c: t's three segments never reach p. */
	fuzz_app_send(w, &w->t, &w->c, 3 * mss);
	fuzz_step_target(w, FUZZ_STEP_NS);
	/* Held on s: p's first segment is lost, the other two arrive. */
	fuzz_app_send(w, &w->p, &w->p_s, 3 * mss);
	w->now += FUZZ_STEP_NS;
	mn_engine_step(&w->p.e, w->now);
	wire(w, &w->p, &w->t, 1);
	fuzz_step_target(w, FUZZ_STEP_NS);
	/* Connects still under way: one sent its SYN, one waits for ARP. */
	start_connect(w, FUZZ_IP_P, FUZZ_PORT_P);
	start_connect(w, FUZZ_IP_ABSENT, FUZZ_PORT_P);
}

static void
node_stop(struct fuzz_node *n)
{
	struct mn_cmd cmd = { 0 };

	/* As when machnetd's last tenant leaves: its backlog goes too. */
	cmd.msg.op = MN_CTRL_DETACH;
	cmd.msg.generation = 1;
	mn_engine_handle_cmd(&n->e, &cmd);
	mn_engine_free(&n->e);
	drain(n->nic_rx);
	drain(n->nic_tx);
	drain(n->app_tx);
	drain(n->app_rx);
	drain_cmds(n->ctl.to_engine);
	drain_cmds(n->ctl.from_engine);
	sem_destroy(&n->ctl.wake);
}

void
fuzz_world_teardown(struct fuzz_world *w)
{
	unsigned int free_count;

	node_stop(&w->t);
	node_stop(&w->p);
	free_count = rte_mempool_avail_count(w->pool);
	if (free_count != w->pool_size) {
		fprintf(stderr, "fuzz world: %u mbufs leaked\n",
			w->pool_size - free_count);
		abort();
	}
}
