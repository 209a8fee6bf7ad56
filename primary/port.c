/*
 * port.c: bringing up the port. One rx and one tx queue for the single
 * engine, within what the device has (port_queues.c); the checksum offloads
 * port_offload.c picks from what the device offers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "pool.h"
#include "port.h"
#include "port_queues.h"

int
mn_port_find(uint16_t *port_id, char err[MN_PORT_ERR_LEN])
{
	uint16_t n = rte_eth_dev_count_avail();
	uint16_t pid;

	if (n != 1) {
		snprintf(err, MN_PORT_ERR_LEN,
			 "expected exactly one DPDK port, found %u "
			 "(machnet.eal_args must name one virtual device or PCI address)", n);
		return -1;
	}
	RTE_ETH_FOREACH_DEV(pid) {
		*port_id = pid;
		break;
	}
	return 0;
}

/*
 * PMDs known only to read a frame they send and then drop their reference,
 * so the engine may hand them the frame a flow keeps for retransmission
 * (a frame still held when it is resent is copied then: slot_own_frame).
 * af_packet and memif copy it out within tx_burst; af_xdp in zero-copy
 * mode puts the buffer itself on the kernel's ring and frees its reference
 * when the kernel completes it (DPDK 22.11 af_xdp_tx_zc, pull_umem_cq).
 * af_xdp once seemed to lose such frames: those were buffers outside its
 * umem, before the pool was laid out in one piece (pool.c). Not a NIC
 * driver yet: some rewrite a shared frame for offloads, and none is
 * measured here.
 */
static bool
driver_shares_frames(const char *driver)
{
	return strcmp(driver, "net_af_packet") == 0 ||
	       strcmp(driver, "net_memif") == 0 ||
	       strcmp(driver, "net_af_xdp") == 0;
}

static int
set_mac(const struct mn_config *cfg, struct mn_iface *ifc)
{
	if (!cfg->mac_set)
		return rte_eth_macaddr_get(ifc->port_id, &ifc->mac);
	ifc->mac = cfg->mac;
	/* A device that cannot change its address still hears ours this way. */
	if (rte_eth_dev_default_mac_addr_set(ifc->port_id, &ifc->mac) != 0)
		return rte_eth_promiscuous_enable(ifc->port_id);
	return 0;
}

int
mn_port_init(const struct mn_config *cfg, uint16_t port_id,
	     struct rte_mempool *pool, struct mn_iface *ifc,
	     char err[MN_PORT_ERR_LEN])
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct mn_port_offloads offloads;
	struct mn_port_queues queues;
	uint16_t rx_desc = cfg->rx_desc, tx_desc = cfg->tx_desc;
	const char *step;
	int rc;

	memset(ifc, 0, sizeof(*ifc));
	memset(&conf, 0, sizeof(conf));
	ifc->port_id = port_id;
	ifc->ip = cfg->ip;
	ifc->netmask = cfg->netmask;
	ifc->gateway = cfg->gateway;
	ifc->mtu = cfg->mtu;
	step = "dev_info_get";
	rc = rte_eth_dev_info_get(ifc->port_id, &info);
	if (rc != 0)
		goto fail;
	if (strcmp(info.driver_name, "net_af_xdp") == 0 &&
	    !mn_pool_is_one_piece(pool)) {
		snprintf(err, MN_PORT_ERR_LEN, "port %u: af_xdp needs the packet "
			 "pool in one gap-free piece of memory and DPDK could not "
			 "lay it out so (try a smaller resources.pool_size)",
			 ifc->port_id);
		return -1;
	}
	/* One engine polls one queue pair, so RSS stays off (queues.rss). */
	mn_port_queues_of(1, 1, info.max_rx_queues, info.max_tx_queues,
			  info.flow_type_rss_offloads, &queues);
	mn_port_queues_say(&queues, ifc->port_id, info.driver_name, stdout);
	mn_port_offloads_of(info.driver_name, info.rx_offload_capa,
			    info.tx_offload_capa, &offloads);
	mn_port_offloads_say(&offloads, stdout);
	conf.rxmode.offloads = offloads.rx;
	conf.txmode.offloads = offloads.tx;
	ifc->tx_ip_cksum_offload = offloads.tx_ip_cksum;
	ifc->tx_udp_cksum_offload = offloads.tx_udp_cksum;
	ifc->tx_udp_cksum_none = offloads.tx_udp_cksum_none;
	ifc->tx_shares_frames = driver_shares_frames(info.driver_name);
	step = "configure";
	rc = rte_eth_dev_configure(ifc->port_id, queues.rx, queues.tx, &conf);
	if (rc != 0)
		goto fail;
	step = "adjust_nb_rx_tx_desc";
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(ifc->port_id, &rx_desc, &tx_desc);
	if (rc != 0)
		goto fail;
	step = "rx_queue_setup";
	rc = rte_eth_rx_queue_setup(ifc->port_id, 0, rx_desc,
				    rte_eth_dev_socket_id(ifc->port_id), NULL, pool);
	if (rc != 0)
		goto fail;
	step = "tx_queue_setup";
	rc = rte_eth_tx_queue_setup(ifc->port_id, 0, tx_desc,
				    rte_eth_dev_socket_id(ifc->port_id), NULL);
	if (rc != 0)
		goto fail;
	step = "set MAC address";
	rc = set_mac(cfg, ifc);
	if (rc != 0)
		goto fail;
	/* Virtual devices carry more than ethdev believes (port_mtu.c): their
	 * MTU is their link's, already checked, so ethdev is not asked. */
	rc = (uint32_t)cfg->mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN > info.max_rx_pktlen ?
	     0 : rte_eth_dev_set_mtu(ifc->port_id, cfg->mtu);
	if (rc != 0 && rc != -ENOTSUP)
		fprintf(stderr, "machnetd: port %u: cannot set MTU %u (%s); "
			"the link's MTU must be at least that\n", ifc->port_id,
			cfg->mtu, strerror(-rc));
	step = "start";
	rc = rte_eth_dev_start(ifc->port_id);
	if (rc != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, MN_PORT_ERR_LEN, "port %u: %s failed: %s", ifc->port_id,
		 step, strerror(rc < 0 ? -rc : rc));
	return -1;
}

bool
mn_port_uses_physical_addresses(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		return false;
	if (rte_eth_dev_info_get(port_id, &info) != 0)
		return true;
	return strcmp(rte_bus_name(rte_dev_bus(info.device)), "vdev") != 0;
}

int
mn_port_describe(uint16_t port_id, struct mn_port_desc *d)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port_id, &info) != 0)
		return -1;
	snprintf(d->driver, sizeof(d->driver), "%s", info.driver_name);
	mn_port_offloads_of(info.driver_name, info.rx_offload_capa,
			    info.tx_offload_capa, &d->offloads);
	return 0;
}

void
mn_port_stop(const struct mn_iface *ifc)
{
	rte_eth_dev_stop(ifc->port_id);
	rte_eth_dev_close(ifc->port_id);
}
