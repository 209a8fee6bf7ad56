/*
 * port_offload.h: which checksum work the port does for machnetd, decided
 * from its capabilities alone, and said at start-up one line a decision.
 */
#ifndef MN_PORT_OFFLOAD_H
#define MN_PORT_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mn_port_offloads {
	uint64_t rx;       /* RTE_ETH_RX_OFFLOAD_* to configure */
	uint64_t tx;       /* RTE_ETH_TX_OFFLOAD_* to configure */
	bool tx_ip_cksum;  /* the port fills the IPv4 header checksum */
	bool tx_udp_cksum; /* ...and the UDP checksum */
	bool tx_udp_cksum_none; /* the link is memory: UDP checksum 0 (none) */
	bool rx_ip_cksum;  /* the port marks received IPv4 checksums */
	bool rx_udp_cksum; /* ...and UDP checksums */
};

void mn_port_offloads_of(const char *driver, uint64_t rx_capa,
			 uint64_t tx_capa, struct mn_port_offloads *o);

/* One line a decision, each starting "machnetd: offload". */
void mn_port_offloads_say(const struct mn_port_offloads *o, FILE *out);

#endif /* MN_PORT_OFFLOAD_H */
