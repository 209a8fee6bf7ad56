/*
 * port_mtu.h: the largest MTU the port carries, and what each receive
 * buffer must hold for it. ethdev's dev_info is not the whole truth for
 * the virtual devices: af_packet and memif report a 1518-byte frame but
 * carry what their frame and buffer sizes (device arguments) allow, and
 * af_packet and af_xdp also carry no more than their kernel link's MTU.
 */
#ifndef MN_PORT_MTU_H
#define MN_PORT_MTU_H

#include <stdint.h>

#define MN_PORT_WHY_LEN 160

/* What is known of a port, gathered by mn_port_mtu_probe(). */
struct mn_port_facts {
	const char *driver;     /* ethdev driver name, "net_af_packet", ... */
	const char *devargs;    /* the device's arguments, "" if none */
	uint32_t max_mtu;       /* dev_info.max_mtu (UINT16_MAX: not set) */
	uint32_t max_rx_pktlen; /* dev_info.max_rx_pktlen */
	uint32_t link_mtu;      /* the kernel link's MTU, 0 if none or unknown */
};

struct mn_port_mtu {
	uint32_t max_mtu;     /* the largest IP MTU the port carries */
	uint32_t rx_buf_min;  /* bytes every receive buffer's data room
			       * must hold past the headroom, whatever the MTU */
	uint32_t rx_headroom; /* bytes the device keeps before each frame it
			       * receives, on top of the mbuf headroom */
	char why[MN_PORT_WHY_LEN]; /* what set max_mtu, for people */
};

/* Decides from facts alone (no DPDK call), so every rule is unit-tested. */
void mn_port_mtu_of(const struct mn_port_facts *f, struct mn_port_mtu *m);

/* Gathers the facts of port_id and decides. -1 if the port is unknown. */
int mn_port_mtu_probe(uint16_t port_id, struct mn_port_mtu *m);

/* The MTU machnetd uses: the configured one, or less if the port says so. */
uint32_t mn_port_mtu_choose(uint32_t configured, const struct mn_port_mtu *m);

/* The pool's data room for frames of mtu on this port (headroom included). */
uint32_t mn_port_mtu_data_room(const struct mn_port_mtu *m, uint32_t mtu);

#endif /* MN_PORT_MTU_H */
