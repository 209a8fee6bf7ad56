/*
 * port_offload.c: checksums are the only per-byte work machnetd can hand
 * the port. Each is taken on its own where the port offers it; what the
 * port does not do the protocol code does in software (af_packet, af_xdp
 * and memif offer none). On receive, a checksum the port marked good is
 * not summed again, one marked bad is dropped, and one it left unknown is
 * summed in software, whatever was configured.
 *
 * memif is no wire: the two processes share the memory the frames are in,
 * and nothing between them can corrupt a frame that their own memory
 * would not. There the UDP checksum is 0 (none, which IPv4 allows and the
 * receiver then does not check): summing every byte twice was a fifth of
 * the CPU of a 64 KiB transfer over memif (perf, PERFORMANCE.md).
 *
 * UDP segmentation offload is not used even where a NIC has it: it cuts
 * one datagram into many that share one copy of its headers, and every
 * Machnet packet needs a header of its own (sequence number, acks, clock).
 * Large frames come from a large MTU instead (port_mtu.c).
 */
#include <string.h>

#include <rte_ethdev.h>

#include "port_offload.h"

void
mn_port_offloads_of(const char *driver, uint64_t rx_capa, uint64_t tx_capa,
		    struct mn_port_offloads *o)
{
	o->tx_udp_cksum_none = strcmp(driver, "net_memif") == 0;
	o->tx_ip_cksum = (tx_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	o->tx_udp_cksum = (tx_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0;
	o->rx_ip_cksum = (rx_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) != 0;
	o->rx_udp_cksum = (rx_capa & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) != 0;
	o->tx = (o->tx_ip_cksum ? RTE_ETH_TX_OFFLOAD_IPV4_CKSUM : 0) |
		(o->tx_udp_cksum ? RTE_ETH_TX_OFFLOAD_UDP_CKSUM : 0);
	o->rx = (o->rx_ip_cksum ? RTE_ETH_RX_OFFLOAD_IPV4_CKSUM : 0) |
		(o->rx_udp_cksum ? RTE_ETH_RX_OFFLOAD_UDP_CKSUM : 0);
}

static const char *
by(bool port)
{
	return port ? "by the port" : "in software (the port does not offer it)";
}

void
mn_port_offloads_say(const struct mn_port_offloads *o, FILE *out)
{
	fprintf(out, "machnetd: offload: IPv4 checksum on transmit %s\n",
		by(o->tx_ip_cksum));
	if (o->tx_udp_cksum_none)
		fprintf(out, "machnetd: offload: UDP checksum not used (memif: "
			"the link is shared memory)\n");
	else
		fprintf(out, "machnetd: offload: UDP checksum on transmit %s\n",
			by(o->tx_udp_cksum));
	fprintf(out, "machnetd: offload: IPv4 checksum on receive %s\n",
		by(o->rx_ip_cksum));
	fprintf(out, "machnetd: offload: UDP checksum on receive %s\n",
		by(o->rx_udp_cksum));
	fprintf(out, "machnetd: offload: UDP segmentation not used (each "
		"Machnet packet has its own header)\n");
}
