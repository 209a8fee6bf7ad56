/*
 * telemetry.h: machnetd seen from outside while it runs, over DPDK's
 * telemetry socket (dpdk-telemetry.py, usertools/machnetctl, or any
 * client of /var/run/dpdk/<instance>/dpdk_telemetry.v2): its counters,
 * its flows, channels, listeners and ARP cache, and what it runs on. The
 * commands answer in DPDK's telemetry thread from what the engine
 * publishes (stats.h, and the sequence counts of arp.h and listen.h), and
 * never ask the engine anything.
 */
#ifndef MN_TELEMETRY_H
#define MN_TELEMETRY_H

#include <stdint.h>
#include <time.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "arp.h"
#include "config.h"
#include "listen.h"
#include "mn_state.h"
#include "port.h"
#include "stats.h"

/* What the commands read; copied at init. */
struct mn_telemetry_src {
	const struct mn_config *cfg;
	const struct mn_state *state;
	struct rte_mempool *pool;
	/* the engine's records: one per flow-table slot, one per channel */
	const struct mn_flow_stats *flows;
	uint32_t flow_slots;
	const struct mn_channel_stats *channels;
	/* the engine's tables, read under their sequence counts */
	const struct mn_arp_table *arp;
	const struct mn_listen_table *listeners;
	struct rte_ether_addr mac;
	uint16_t port_id;
	struct mn_port_desc port;
	struct timespec started; /* CLOCK_MONOTONIC, when machnetd started */
};

/* Registers /machnet/counters, /machnet/flows, /machnet/channels,
 * /machnet/listeners, /machnet/arp and /machnet/info; 0, or -1 if DPDK
 * refused one. */
int mn_telemetry_init(const struct mn_telemetry_src *src);

/* From now on the commands read nothing of the engine's records and
 * tables (/machnet/flows, channels, listeners and arp answer null), so
 * that they can be freed. Waits for a request reading them to finish. */
void mn_telemetry_stop(void);

#endif /* MN_TELEMETRY_H */
