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

#define MN_PORT_ERR_LEN 256

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

#endif /* MN_PORT_H */
