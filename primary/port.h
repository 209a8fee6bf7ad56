/*
 * port.h: the one DPDK port machnetd drives (a PCI NIC in production, a
 * virtual device in tests) and what it can offload.
 */
#ifndef MN_PORT_H
#define MN_PORT_H

#include <rte_mempool.h>

#include "config.h"
#include "iface.h"

#define MN_PORT_ERR_LEN 256

/* Configures and starts the port; fills ifc. -1 with err on failure. */
int mn_port_init(const struct mn_config *cfg, struct rte_mempool *pool,
		 struct mn_iface *ifc, char err[MN_PORT_ERR_LEN]);
void mn_port_stop(const struct mn_iface *ifc);

#endif /* MN_PORT_H */
