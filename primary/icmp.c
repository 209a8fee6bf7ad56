/*
 * icmp.c: answers ICMP echo, so that an operator can `ping` a machnetd
 * address as they would any host, although no kernel stack owns it.
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "icmp.h"

#define ICMP_L2_LEN sizeof(struct rte_ether_hdr)
#define ICMP_ECHO_TTL 64

/* Who may be answered: not "this network", multicast nor broadcast. */
static bool
icmp_src_unicast(uint32_t src)
{
	return src != 0 && src != UINT32_MAX && (src >> 28) != 0xe;
}

/*
 * The IPv4 header of m if it is an unfragmented, checksummed datagram for
 * ifc->ip carrying ICMP, with every header in the first segment and the
 * whole datagram in the mbuf.
 */
static struct rte_ipv4_hdr *
icmp_parse_ipv4(const struct mn_iface *ifc, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint32_t hlen;
	uint32_t tot;

	if (rte_pktmbuf_data_len(m) < ICMP_L2_LEN + sizeof(*ip))
		return NULL;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ICMP_L2_LEN);
	hlen = rte_ipv4_hdr_len(ip);
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != IPVERSION || hlen < sizeof(*ip) ||
	    ICMP_L2_LEN + hlen + sizeof(struct rte_icmp_hdr) >
	    rte_pktmbuf_data_len(m) ||
	    tot < hlen + sizeof(struct rte_icmp_hdr) ||
	    ICMP_L2_LEN + tot > rte_pktmbuf_pkt_len(m))
		return NULL;
	if (rte_ipv4_cksum(ip) != 0)
		return NULL;
	if (ip->next_proto_id != IPPROTO_ICMP ||
	    (ip->fragment_offset &
	     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
	    rte_be_to_cpu_32(ip->dst_addr) != ifc->ip ||
	    !icmp_src_unicast(rte_be_to_cpu_32(ip->src_addr)))
		return NULL;
	return ip;
}

/* One's-complement sum of the ICMP message, which may span segments. */
static uint16_t
icmp_sum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = rte_ipv4_hdr_len(ip);
	uint16_t sum = 0;

	/* Lengths were checked against the mbuf, so this cannot fail. */
	(void)rte_raw_cksum_mbuf(m, ICMP_L2_LEN + hlen,
				 rte_be_to_cpu_16(ip->total_length) - hlen, &sum);
	return sum;
}

/* The ICMP header of the datagram at ip if it is a valid echo request. */
static struct rte_icmp_hdr *
icmp_echo_request(const struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	struct rte_icmp_hdr *icmp;

	icmp = (struct rte_icmp_hdr *)((char *)ip + rte_ipv4_hdr_len(ip));
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
	    icmp->icmp_code != 0 || icmp_sum(m, ip) != 0xffff)
		return NULL;
	return icmp;
}

/* Drops the Ethernet padding that short datagrams arrive with. */
static int
icmp_trim_padding(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint32_t want = ICMP_L2_LEN + rte_be_to_cpu_16(ip->total_length);
	uint32_t extra = rte_pktmbuf_pkt_len(m) - want;

	if (extra == 0)
		return 0;
	if (extra > UINT16_MAX)
		return -1;
	return rte_pktmbuf_trim(m, (uint16_t)extra);
}

static void
icmp_make_reply(const struct mn_iface *ifc, struct rte_mbuf *m,
		struct rte_ipv4_hdr *ip, struct rte_icmp_hdr *icmp)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	ip->dst_addr = ip->src_addr;
	ip->src_addr = rte_cpu_to_be_32(ifc->ip);
	ip->time_to_live = ICMP_ECHO_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~icmp_sum(m, ip);
	/* Both checksums are final: the port must not redo them. */
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
}

struct rte_mbuf *
mn_icmp_input(const struct mn_iface *ifc, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = icmp_parse_ipv4(ifc, m);
	struct rte_icmp_hdr *icmp = ip != NULL ? icmp_echo_request(m, ip) : NULL;

	if (icmp == NULL || icmp_trim_padding(m, ip) < 0)
		goto drop;
	icmp_make_reply(ifc, m, ip, icmp);
	return m;
drop:
	rte_pktmbuf_free(m);
	return NULL;
}
