/*
 * port_mtu.c: what MTU the port can carry. Measured on the test machine
 * (DPDK 22.11, veth links), the limits are those of the devices' own
 * buffers, not the 1518-byte frame their dev_info reports:
 *  - af_packet copies a frame into one PACKET_MMAP frame of `framesz`
 *    bytes (default 2048): on transmit after a 32-byte header, and it
 *    drops longer ones without a word; on receive the kernel puts the
 *    frame 66 bytes in (its header, then the IP header aligned to 16)
 *    and truncates what does not fit. The PMD also refuses a receive
 *    queue whose mbufs hold less than framesz less 32 bytes;
 *  - memif splits a frame over buffers of `bsize` bytes (default 2048),
 *    and 22.11 mishandles the chained descriptors (at MTU 9000 over
 *    2048-byte buffers: 81 million bogus receives, then a crash), so a
 *    frame must fit one buffer;
 *  - af_xdp reports its own limit (3542 with 4 KiB pages) and puts
 *    XDP's 256 bytes of headroom before each frame it receives, inside
 *    the mbuf's data room; and the kernel takes the pool as its umem only
 *    if a whole mbuf, headers and private area included, fits a 4 KiB
 *    page with two cache lines to spare (measured: MTU 3398 is the last
 *    that works, 3399 gets "Failed to create umem"), which leaves less;
 *  - af_packet and af_xdp send through a kernel link, which drops a frame
 *    beyond its MTU (a veth with XDP attached takes at most about 3500).
 * A NIC's limit is its dev_info max_mtu, or its max_rx_pktlen less the
 * Ethernet header and CRC.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_mbuf.h>

#include "mn_msg.h"
#include "port_mtu.h"

#define AF_PACKET_HDR 32     /* TPACKET2 header less its sockaddr_ll */
#define AF_PACKET_RX_OFF 66  /* where the kernel puts a received frame */
#define AF_PACKET_FRAMESZ 2048
#define MEMIF_BSIZE 2048
#define XDP_HEADROOM 256     /* XDP_PACKET_HEADROOM */
#define XDP_CHUNK_MAX 4096   /* a umem chunk: one page */
#define MIN_DATA_ROOM 2048

/* A number-valued device argument, or dflt when absent or not a number. */
static uint32_t
devarg_u32(const char *devargs, const char *key, uint32_t dflt)
{
	struct rte_kvargs *kv = rte_kvargs_parse(devargs, NULL);
	const char *v = kv != NULL ? rte_kvargs_get(kv, key) : NULL;
	uint32_t n = dflt;
	char *end;

	if (v != NULL) {
		unsigned long x = strtoul(v, &end, 0);

		if (end != v && *end == '\0' && x > 0 && x <= UINT32_MAX)
			n = (uint32_t)x;
	}
	rte_kvargs_free(kv);
	return n;
}

static void
nic_limit(const struct mn_port_facts *f, struct mn_port_mtu *m)
{
	if (f->max_mtu != 0 && f->max_mtu < UINT16_MAX) {
		m->max_mtu = f->max_mtu;
		snprintf(m->why, sizeof(m->why), "%s max_mtu %u", f->driver,
			 f->max_mtu);
		return;
	}
	m->max_mtu = f->max_rx_pktlen - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	snprintf(m->why, sizeof(m->why), "%s max_rx_pktlen %u", f->driver,
		 f->max_rx_pktlen);
}

/* The largest MTU whose mbufs, as mn_port_mtu_data_room() sizes them,
 * the kernel takes as umem chunks: the mempool object's header line, and
 * one line more (found by trying, not in DPDK's or the kernel's docs). */
static void
chunk_limit(struct mn_port_mtu *m)
{
	uint32_t room = XDP_CHUNK_MAX - 2 * RTE_CACHE_LINE_SIZE -
			(uint32_t)sizeof(struct rte_mbuf) - MN_MBUF_PRIV_SIZE;
	uint32_t mtu = room - RTE_PKTMBUF_HEADROOM - m->rx_headroom -
		       RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN;

	if (mtu >= m->max_mtu)
		return;
	m->max_mtu = mtu;
	snprintf(m->why, sizeof(m->why), "af_xdp, a whole mbuf in a %u-byte umem chunk",
		 XDP_CHUNK_MAX);
}

static void
link_limit(const struct mn_port_facts *f, struct mn_port_mtu *m)
{
	size_t used = strlen(m->why);

	if (f->link_mtu == 0 || f->link_mtu >= m->max_mtu)
		return;
	m->max_mtu = f->link_mtu;
	snprintf(m->why + used, sizeof(m->why) - used, ", link MTU %u",
		 f->link_mtu);
}

void
mn_port_mtu_of(const struct mn_port_facts *f, struct mn_port_mtu *m)
{
	memset(m, 0, sizeof(*m));
	if (strcmp(f->driver, "net_af_packet") == 0) {
		uint32_t framesz = devarg_u32(f->devargs, "framesz",
					      AF_PACKET_FRAMESZ);

		m->rx_buf_min = framesz - AF_PACKET_HDR;
		m->max_mtu = framesz - AF_PACKET_RX_OFF - RTE_ETHER_HDR_LEN;
		snprintf(m->why, sizeof(m->why), "af_packet framesz %u", framesz);
		link_limit(f, m);
	} else if (strcmp(f->driver, "net_memif") == 0) {
		uint32_t bsize = devarg_u32(f->devargs, "bsize", MEMIF_BSIZE);

		m->max_mtu = bsize - RTE_ETHER_HDR_LEN;
		snprintf(m->why, sizeof(m->why), "memif bsize %u", bsize);
	} else if (strcmp(f->driver, "net_af_xdp") == 0) {
		m->rx_headroom = XDP_HEADROOM;
		nic_limit(f, m);
		chunk_limit(m);
		link_limit(f, m);
	} else {
		nic_limit(f, m);
	}
}

/* The kernel link a device sends through: its `iface` argument. */
static uint32_t
link_mtu_of(const char *devargs)
{
	struct rte_kvargs *kv = rte_kvargs_parse(devargs, NULL);
	const char *name = kv != NULL ? rte_kvargs_get(kv, "iface") : NULL;
	struct ifreq ifr;
	uint32_t mtu = 0;
	int fd;

	if (name != NULL && strlen(name) < sizeof(ifr.ifr_name)) {
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, name);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
			mtu = (uint32_t)ifr.ifr_mtu;
		if (fd >= 0)
			close(fd);
	}
	rte_kvargs_free(kv);
	return mtu;
}

int
mn_port_mtu_probe(uint16_t port_id, struct mn_port_mtu *m)
{
	struct rte_eth_dev_info info;
	const struct rte_devargs *da;
	struct mn_port_facts f;

	if (rte_eth_dev_info_get(port_id, &info) != 0)
		return -1;
	da = info.device != NULL ? rte_dev_devargs(info.device) : NULL;
	f.driver = info.driver_name;
	f.devargs = da != NULL && da->args != NULL ? da->args : "";
	f.max_mtu = info.max_mtu;
	f.max_rx_pktlen = info.max_rx_pktlen;
	f.link_mtu = link_mtu_of(f.devargs);
	mn_port_mtu_of(&f, m);
	return 0;
}

uint32_t
mn_port_mtu_choose(uint32_t configured, const struct mn_port_mtu *m)
{
	return RTE_MIN(configured, m->max_mtu);
}

uint32_t
mn_port_mtu_data_room(const struct mn_port_mtu *m, uint32_t mtu)
{
	uint32_t frame = mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + m->rx_headroom;

	return RTE_PKTMBUF_HEADROOM +
	       RTE_MAX(RTE_MAX(frame, m->rx_buf_min), (uint32_t)MIN_DATA_ROOM);
}
