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
	bool tx_udp_cksum_none;   /* memif: no wire, UDP checksum 0 */
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

/*
 * Whether dst can be one host's unicast address: not 0.0.0.0, a class D
 * (multicast) or E (reserved, and the limited broadcast) address, nor the
 * network or broadcast address of the local subnet (unless the subnet is
 * a /31 or /32, which have neither, RFC 3021). A flow to any of these
 * could never complete, so connect refuses it at once.
 */
static inline bool
mn_iface_unicast(const struct mn_iface *ifc, uint32_t dst)
{
	uint32_t host = dst & ~ifc->netmask;

	if (dst == 0 || dst >= 0xe0000000u)
		return false;
	if ((dst & ifc->netmask) != (ifc->ip & ifc->netmask) ||
	    ifc->netmask >= 0xfffffffeu)
		return true;
	return host != 0 && host != ~ifc->netmask;
}

#endif /* MN_IFACE_H */
