/*
 * main.c: machnetd, the per-host primary process.
 *
 * Reads the configuration, starts the EAL as the primary of its instance,
 * creates every object applications will look up by name (pool, state,
 * channel rings), brings up the port, and runs the engine on the main
 * lcore until SIGINT or SIGTERM; then it tells applications it is going
 * and releases the port.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "clock.h"
#include "config.h"
#include "control.h"
#include "engine.h"
#include "fault.h"
#include "heap_guard.h"
#include "holders.h"
#include "mn_msg.h"
#include "mn_names.h"
#include "mn_state.h"
#include "mn_wire.h"
#include "pool.h"
#include "port.h"
#include "port_mtu.h"
#include "telemetry.h"

#define MN_MAX_EAL_ARGS 64
#define MN_CONTROL_RING 1024

static volatile bool quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = true;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: machnetd [-c FILE] [--check] [--<section>.<key>=<value> ...]\n"
		"  -c FILE   configuration (INI); every key can be overridden,\n"
		"            e.g. --net.ip=10.0.0.1 --machnet.instance=hosta\n"
		"  --check   validate the configuration and print every key as\n"
		"            resolved, without starting DPDK (exit 0, or 2 naming\n"
		"            the key that is wrong)\n");
}

static int
parse_args(int argc, char **argv, const char **path, char **overrides, int *n,
	   bool *check)
{
	int i;

	*n = 0;
	*check = false;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(argv[i], "--check") == 0) {
			*check = true;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			*path = argv[++i];
		} else if (strncmp(argv[i], "--", 2) == 0 && strchr(argv[i], '=')) {
			overrides[(*n)++] = argv[i] + 2;
		} else {
			fprintf(stderr, "machnetd: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

/* argv for rte_eal_init: the instance's prefix, then eal_args split on blanks. */
static int
eal_argv(const struct mn_config *cfg, char *buf, size_t buflen, char **argv)
{
	static char prefix[96];
	int argc = 0;
	char *tok, *save = NULL;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", cfg->instance);
	argv[argc++] = "machnetd";
	argv[argc++] = prefix;
	argv[argc++] = "--proc-type=primary";
	/*
	 * Applications must map the shared memory at the addresses machnetd
	 * uses. DPDK's default base sits where an application's libraries and
	 * heap may already be (address-space randomisation makes it a matter
	 * of chance: machnet_init then fails with ENOMEM), so start high up,
	 * far from both. eal_args may override it.
	 */
	argv[argc++] = "--base-virtaddr=0x200000000000";
	snprintf(buf, buflen, "%s", cfg->eal_args);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (argc == MN_MAX_EAL_ARGS - 1)
			return -1;
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	return argc;
}

/* Free buffers applications must leave in the pool when they send: the
 * engine's own (receive, acks, retransmissions) come from there. */
static uint32_t
send_pool_floor(const struct mn_config *cfg)
{
	return cfg->pool_size / 4;
}

static struct mn_state *
state_create(const struct mn_config *cfg, uint32_t mss)
{
	const struct rte_memzone *mz;
	struct mn_state *s;
	struct timespec now;

	mz = rte_memzone_reserve(MN_STATE_MZ_NAME, sizeof(*s), rte_socket_id(), 0);
	if (mz == NULL)
		return NULL;
	s = mz->addr;
	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_REALTIME, &now);
	s->epoch = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	s->primary_pid = getpid();
	s->local_ip = cfg->ip;
	s->mss = mss;
	s->ring_size = cfg->ring_size;
	s->ctrl_timeout_ms = cfg->connect_timeout_ms;
	s->send_pool_floor = send_pool_floor(cfg);
	s->channel_tx_share = cfg->channel_tx_share;
	s->flow_tx_share = cfg->flow_tx_share;
	s->flow_slots = cfg->max_flows;
	s->magic = MN_STATE_MAGIC;
	return s;
}

/* Zeroed: serial 0 in every slot, no flow yet. */
static struct mn_flow_usage *
flow_usage_create(const struct mn_config *cfg)
{
	const struct rte_memzone *mz;

	mz = rte_memzone_reserve(MN_FLOW_USAGE_MZ_NAME,
				 (size_t)cfg->max_flows * sizeof(struct mn_flow_usage),
				 rte_socket_id(), 0);
	if (mz == NULL)
		return NULL;
	memset(mz->addr, 0, mz->len);
	return mz->addr;
}

static struct rte_ring *
channel_ring(const char *fmt, uint16_t idx, uint32_t size)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), fmt, idx);
	return rte_ring_create(name, size, rte_socket_id(),
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
}

/* Every channel's rings exist from the start: attaching allocates nothing. */
static int
channel_rings_create(const struct mn_config *cfg, struct mn_engine *e)
{
	uint16_t i;

	for (i = 0; i < MN_MAX_CHANNELS; i++) {
		struct rte_ring *to_engine, *to_app;

		to_engine = channel_ring(MN_RING_APP_TO_ENGINE_FMT, i, cfg->ring_size);
		to_app = channel_ring(MN_RING_ENGINE_TO_APP_FMT, i, cfg->ring_size);
		if (to_engine == NULL || to_app == NULL)
			return -1;
		mn_engine_set_channel(e, i, to_engine, to_app);
	}
	return 0;
}

/* The MTU to use, said at start-up with what set it. */
static uint32_t
choose_mtu(uint32_t configured, const struct mn_port_mtu *port)
{
	uint32_t mtu = mn_port_mtu_choose(configured, port);

	if (mtu < configured)
		printf("machnetd: MTU %u, not net.mtu %u: the port carries no "
		       "more (%s)\n", mtu, configured, port->why);
	else
		printf("machnetd: MTU %u (net.mtu; the port carries up to %u: "
		       "%s)\n", mtu, port->max_mtu, port->why);
	return mtu;
}

/* What the engine counted, for whoever reads the log after a run. */
static void
print_counters(const struct mn_counters *c)
{
	printf("machnetd: counters rx_packets=%" PRIu64 " tx_packets=%" PRIu64
	       " rx_dropped=%" PRIu64 " rx_malformed=%" PRIu64
	       " rx_no_flow=%" PRIu64 " rx_duplicate=%" PRIu64
	       " rx_beyond_window=%" PRIu64 " tx_retransmits=%" PRIu64
	       " rto_expiries=%" PRIu64 " rto_spurious=%" PRIu64
	       " flows_reset=%" PRIu64
	       " pool_tight=%" PRIu64 " arp_requests=%" PRIu64
	       " arp_replies=%" PRIu64 " icmp_echo_replies=%" PRIu64
	       " msgs_from_apps=%" PRIu64 " msgs_to_apps=%" PRIu64
	       " syn_backlog_full=%" PRIu64 " flow_table_full=%" PRIu64
	       " half_open_expired=%" PRIu64 " handshake_invalid=%" PRIu64
	       " rst_invalid=%" PRIu64 " challenge_acks=%" PRIu64
	       " keepalive_probes=%" PRIu64 " msgs_coalesced=%" PRIu64
	       " heap_lock_recoveries=%" PRIu64 "\n",
	       c->rx_packets, c->tx_packets, c->rx_dropped, c->rx_malformed,
	       c->rx_no_flow, c->rx_duplicate, c->rx_beyond_window,
	       c->tx_retransmits,
	       c->rto_expiries, c->rto_spurious, c->flows_reset, c->pool_tight,
	       c->arp_requests_sent, c->arp_replies_sent, c->icmp_echo_replies,
	       c->msgs_from_apps, c->msgs_to_apps, c->syn_backlog_full,
	       c->flow_table_full, c->half_open_expired, c->handshake_invalid,
	       c->rst_invalid, c->challenge_acks, c->keepalive_probes,
	       c->msgs_coalesced,
	       c->heap_lock_recoveries);
}

/*
 * The shares keep tenants apart only while they fit in the pool together;
 * beyond that the host-wide marks (send floor, low mark) are all that is
 * left, and they hold back everybody. Says when this configuration allows
 * that, and from how many busy channels on.
 */
static void
warn_overcommit(const struct mn_config *cfg)
{
	uint64_t per_channel = (uint64_t)cfg->channel_rx_share + cfg->channel_tx_share;
	uint64_t all = per_channel * MN_MAX_CHANNELS;
	uint64_t room = cfg->pool_size - send_pool_floor(cfg) - cfg->rx_desc -
			cfg->tx_desc;

	if (all <= room)
		return;
	fprintf(stderr, "machnetd: resources: %" PRIu64 " busy channels at "
		"their full shares (channel_rx_share %u + channel_tx_share %u "
		"buffers) exceed the %" PRIu64 " buffers the pool of %u leaves "
		"them; then the host-wide marks hold back every flow (raise "
		"pool_size or lower the shares to rule that out)\n",
		room / per_channel + 1, cfg->channel_rx_share,
		cfg->channel_tx_share, room, cfg->pool_size);
}

static int
fail(const char *what, const char *why)
{
	fprintf(stderr, "machnetd: %s: %s\n", what, why);
	return 1;
}

/* What the telemetry commands read, once the engine and the port are up. */
static int
telemetry_start(const struct mn_config *cfg, const struct mn_state *state,
		struct rte_mempool *pool, const struct mn_engine *e,
		const struct timespec *started)
{
	struct mn_telemetry_src src = {
		.cfg = cfg,
		.state = state,
		.pool = pool,
		.flows = e->flows.stats,
		.flow_slots = e->flows.capacity,
		.channels = e->channel_stats,
		.arp = &e->arp,
		.listeners = &e->listeners,
		.mac = e->ifc.mac,
		.port_id = e->ifc.port_id,
		.started = *started,
	};

	if (mn_port_describe(e->ifc.port_id, &src.port) != 0)
		return -1;
	return mn_telemetry_init(&src);
}

/*
 * Another process maps the instance's files: a live machnetd of the same
 * instance, or applications of one that died. Says which, in one line.
 */
static bool
instance_held(const char *instance)
{
	char who[512];
	int n = mn_instance_holders(instance, who, sizeof(who));

	if (n == 0)
		return false;
	fprintf(stderr, "machnetd: instance \"%s\" is still in use by %s: stop "
		"%s (applications of a machnetd that died must restart) or use "
		"another machnet.instance\n", instance, who,
		n == 1 ? "it" : "them");
	return true;
}

int
main(int argc, char **argv)
{
	static struct mn_config cfg;
	static struct mn_control control;
	static struct mn_engine engine;
	static struct mn_heap_guard heap_guard;
	char err[MN_CONFIG_ERR_LEN], port_err[MN_PORT_ERR_LEN], ip[16];
	char eal_buf[sizeof(cfg.eal_args)], *eal_args[MN_MAX_EAL_ARGS];
	char **overrides = calloc((size_t)argc, sizeof(char *));
	const char *path = NULL;
	struct rte_mempool *pool;
	struct mn_iface ifc;
	struct mn_state *state;
	struct mn_flow_usage *flow_usage;
	struct mn_port_mtu port_mtu;
	struct timespec started;
	uint32_t mss;
	uint16_t port_id;
	int n_overrides, n_eal;
	bool heap_guarded, check;

	clock_gettime(CLOCK_MONOTONIC, &started);
	if (overrides == NULL ||
	    parse_args(argc, argv, &path, overrides, &n_overrides, &check) != 0)
		return 2;
	if (mn_config_load(&cfg, path, overrides, n_overrides, err) != 0) {
		fprintf(stderr, "machnetd: %s\n", err);
		return 2;
	}
	free(overrides);
	if (mn_fault_configured(&cfg)) {
		char faults[256];

		mn_fault_describe(&cfg, faults, sizeof(faults));
		fprintf(stderr, "machnetd: FAULT INJECTION ON: %s\n", faults);
	}
	n_eal = eal_argv(&cfg, eal_buf, sizeof(eal_buf), eal_args);
	if (n_eal < 0) {
		fprintf(stderr, "machnetd: machnet.eal_args: too many arguments\n");
		return 2;
	}
	if (check) {
		mn_config_print(&cfg, stdout);
		return 0;
	}
	if (instance_held(cfg.instance))
		return 1;
	warn_overcommit(&cfg);
	if (rte_eal_init(n_eal, eal_args) < 0)
		return fail("cannot start DPDK (see EAL's lines above; its arguments "
			    "are machnet.eal_args)", rte_strerror(rte_errno));
	mn_clock_init();
	if (mn_port_find(&port_id, port_err) != 0)
		return fail("port", port_err);
	if (mn_port_mtu_probe(port_id, &port_mtu) != 0)
		return fail("port", "cannot read what it can carry");
	cfg.mtu = (uint16_t)choose_mtu(cfg.mtu, &port_mtu);
	pool = mn_pool_create(&cfg, (uint16_t)mn_port_mtu_data_room(&port_mtu, cfg.mtu),
			      !mn_port_uses_physical_addresses(port_id));
	if (pool == NULL)
		return fail("cannot create the packet pool (resources.pool_size, hugepages)",
			    rte_strerror(rte_errno));
	mss = RTE_MIN(mn_wire_mss(cfg.mtu),
		      (uint32_t)rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM);
	state = state_create(&cfg, mss);
	flow_usage = flow_usage_create(&cfg);
	if (state == NULL || flow_usage == NULL)
		return fail("cannot create shared state", rte_strerror(rte_errno));
	heap_guarded = mn_heap_guard_init(&heap_guard, state, err, sizeof(err)) == 0;
	if (!heap_guarded)
		fprintf(stderr, "machnetd: heap guard off (%s): an application "
			"killed while it joins can stop later ones from starting\n",
			err);
	if (mn_port_init(&cfg, port_id, pool, &ifc, port_err) != 0)
		return fail("port", port_err);
	state->payload_sum = !ifc.tx_udp_cksum_offload && !ifc.tx_udp_cksum_none;
	if (mn_control_init(&control, state, MN_CONTROL_RING,
			    cfg.channels_per_process) != 0)
		return fail("control", rte_strerror(rte_errno));
	if (heap_guarded)
		control.heap_guard = &heap_guard;
	if (mn_engine_init(&engine, &cfg, &ifc, state, &control, pool) != 0)
		return fail("engine", "cannot allocate its tables");
	mn_engine_set_flow_usage(&engine, flow_usage);
	if (channel_rings_create(&cfg, &engine) != 0)
		return fail("cannot create channel rings", rte_strerror(rte_errno));
	if (telemetry_start(&cfg, state, pool, &engine, &started) != 0)
		return fail("telemetry", "cannot register its commands");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (mn_control_start(&control) != 0)
		return fail("control", rte_strerror(rte_errno));
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", cfg.ip >> 24, (cfg.ip >> 16) & 255,
		 (cfg.ip >> 8) & 255, cfg.ip & 255);
	printf("machnetd: ready instance=%s ip=%s mac=" RTE_ETHER_ADDR_PRT_FMT
	       " mss=%u pid=%d\n", cfg.instance, ip,
	       RTE_ETHER_ADDR_BYTES(&ifc.mac), mss, getpid());
	fflush(stdout);

	mn_engine_run(&engine, &quit);

	state->stopping = 1;
	mn_engine_wake_all(&engine);
	mn_control_stop(&control);
	print_counters(&state->counters);
	/* stdout is often a file, fully buffered: keep the counters in the log
	 * even if the teardown below dies. */
	fflush(stdout);
	/* The engine's tables go: telemetry must be done reading them. */
	mn_telemetry_stop();
	mn_engine_free(&engine);
	mn_port_stop(&ifc);
	/*
	 * No rte_eal_cleanup(): in DPDK 22.11 it unmaps the hugepage memory
	 * while the EAL's interrupt and telemetry threads still run, and both
	 * may still read it. net_memif never unregisters its listener socket,
	 * whose interrupt source the EAL keeps in that memory, and closing the
	 * port wakes the interrupt thread to walk its sources: when it ran late
	 * (about one stop in 50) it walked them after the unmap and died in
	 * rte_intr_fd_get. A telemetry request answered during the stop read the
	 * unmapped state memzone the same way. Exiting unmaps memory only once
	 * every thread is gone. All cleanup would have removed is the runtime
	 * dir's mp_socket, which a killed machnetd leaves too and which
	 * applications and the next machnetd already cope with.
	 */
	printf("machnetd: stopped\n");
	return 0;
}
