/*
 * mn_wire.h: the Machnet header, the one wire format both ends must agree
 * on. It follows Ethernet / IPv4 / UDP; docs/PROTOCOL.md describes it byte
 * by byte. All multi-byte fields are big-endian.
 */
#ifndef MN_WIRE_H
#define MN_WIRE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#define MN_WIRE_MAGIC 0x4d4e /* "MN" */
#define MN_WIRE_VERSION 1

enum mn_pkt_type {
	MN_PKT_SYN = 1,    /* open a flow; seq = sender's first data seq */
	MN_PKT_SYNACK = 2, /* accept it; seq = acceptor's first data seq */
	MN_PKT_DATA = 3,   /* one segment of a message */
	MN_PKT_ACK = 4,    /* acknowledgement only */
	MN_PKT_RST = 5,    /* no such flow or listener: refuse or abort */
	MN_PKT_FIN = 6,    /* the sender closed the flow */
	MN_PKT_BUSY = 7,   /* refused for want of room: the listener's backlog
			    * or the host's flow table is full */
};

#define MN_PKT_F_MSG_FIRST 0x01 /* first segment of a message */
#define MN_PKT_F_MSG_LAST 0x02  /* last segment of a message */
#define MN_PKT_F_ACK_NOW 0x04   /* ACK: a keepalive, answer at once */
#define MN_PKT_F_COALESCED 0x08 /* DATA: several whole messages, each a
				 * 2-byte length and its bytes; msg_len
				 * is how many (PROTOCOL.md) */

struct mn_hdr {
	rte_be16_t magic;
	uint8_t version;
	uint8_t type;     /* enum mn_pkt_type */
	uint8_t flags;    /* MN_PKT_F_* */
	uint8_t reserved;
	rte_be16_t window;  /* packets the receiver can still take */
	rte_be32_t seq;     /* packet sequence number (DATA, SYN, SYNACK) */
	rte_be32_t ack;     /* next seq the sender of this packet expects */
	rte_be32_t msg_len; /* DATA: length of the whole message */
	rte_be32_t mss;     /* SYN, SYNACK: payload bytes the sender takes in
			     * one packet; 0 elsewhere, or not said */
	rte_be64_t sack;    /* bit i: seq ack+1+i was received */
	rte_be64_t ts;      /* sender's clock, ns */
	rte_be64_t ts_echo; /* ts of the packet that triggered this one */
} __rte_packed;

#define MN_WIRE_HDRS_LEN                                              \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
	 sizeof(struct rte_udp_hdr) + sizeof(struct mn_hdr))

/* Payload bytes per packet for an IP MTU. */
static inline uint32_t
mn_wire_mss(uint32_t mtu)
{
	return mtu - (uint32_t)(sizeof(struct rte_ipv4_hdr) +
				sizeof(struct rte_udp_hdr) + sizeof(struct mn_hdr));
}

/* What a peer that does not say its MSS takes: MTU 1500's. */
#define MN_WIRE_MSS_DEFAULT 1424u
/* The least a peer may ask for, MTU 576's (the least IPv4 link). */
#define MN_WIRE_MSS_MIN 500u

/*
 * The most payload a flow puts in one packet: what both ends take. An MSS
 * below the least IPv4 link's is not believed (it would cut an 8 MiB
 * message into tens of thousands of packets).
 */
static inline uint32_t
mn_wire_flow_mss(uint32_t ours, uint32_t peers)
{
	if (peers == 0)
		peers = MN_WIRE_MSS_DEFAULT;
	return RTE_MIN(ours, RTE_MAX(peers, MN_WIRE_MSS_MIN));
}

/* Sequence arithmetic that survives wrap-around. */
static inline int
mn_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline int
mn_seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

#endif /* MN_WIRE_H */
