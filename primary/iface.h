/*
 * iface.h: the one network interface machnetd serves, as the protocol code
 * sees it (addresses, MTU, which checksums the port computes).
 */
#ifndef MN_IFACE_H
#define MN_IFACE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

struct mn_iface {
	uint16_t port_id;
	uint16_t mtu;
	uint32_t ip;      /* host byte order, as every address in primary/ */
	uint32_t netmask;
	uint32_t gateway; /* 0: none */
	struct rte_ether_addr mac;
	bool tx_ip_cksum_offload;
	bool tx_udp_cksum_offload;
	bool rx_cksum_offload;
	/* The PMD only reads a frame it sends and then drops its reference,
	 * so it may be given the flow's own frame rather than a copy. */
	bool tx_shares_frames;
};

/* The IP to resolve to reach dst, or 0 when dst is off-link with no gateway. */
static inline uint32_t
mn_iface_next_hop(const struct mn_iface *ifc, uint32_t dst)
{
	if ((dst & ifc->netmask) == (ifc->ip & ifc->netmask))
		return dst;
	return ifc->gateway;
}

#endif /* MN_IFACE_H */
