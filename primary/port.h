/*
 * port.h: the one DPDK port machnetd drives (a PCI NIC in production, a
 * virtual device in tests) and what it can offload.
 */
#ifndef MN_PORT_H
#define MN_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "config.h"
#include "iface.h"
#include "port_offload.h"

#define MN_PORT_ERR_LEN 256
#define MN_PORT_DRIVER_LEN 32

/* What the port is, as telemetry tells it. */
struct mn_port_desc {
	char driver[MN_PORT_DRIVER_LEN];   /* e.g. net_af_xdp, net_ice */
	struct mn_port_offloads offloads;  /* as mn_port_init chose them */
};

/* The one port EAL probed; -1 with err unless there is exactly one. */
int mn_port_find(uint16_t *port_id, char err[MN_PORT_ERR_LEN]);

/* Whether the device reads and writes buffers by physical address, so that
 * a buffer must not straddle two hugepages. */
bool mn_port_uses_physical_addresses(uint16_t port_id);

/* Configures and starts port_id (from mn_port_find); fills ifc. -1 with
 * err on failure. */
int mn_port_init(const struct mn_config *cfg, uint16_t port_id,
		 struct rte_mempool *pool, struct mn_iface *ifc,
		 char err[MN_PORT_ERR_LEN]);
void mn_port_stop(const struct mn_iface *ifc);
/* 0, or -1 if ethdev cannot say. */
int mn_port_describe(uint16_t port_id, struct mn_port_desc *d);

#endif /* MN_PORT_H */
