/*
 * telemetry.h: machnetd's counters over DPDK's telemetry socket, so that a
 * running machnetd can be watched (dpdk-telemetry.py, or any client of
 * /var/run/dpdk/<instance>/dpdk_telemetry.v2) without stopping it.
 */
#ifndef MN_TELEMETRY_H
#define MN_TELEMETRY_H

#include <rte_mempool.h>

#include "mn_state.h"

/* Registers /machnet/counters; 0, or -1 if DPDK refused the command. */
int mn_telemetry_init(const struct mn_state *state, struct rte_mempool *pool);

#endif /* MN_TELEMETRY_H */
