/*
 * proto.h: the Machnet transport, input and output paths.
 *
 * Input parses a frame (ARP, ICMP or Machnet over UDP), drives the flow
 * state machine and hands complete messages to the engine. Output prepends
 * headers in place on the application's segments, builds control packets
 * and queues everything for the NIC (or straight back to input for our own
 * address).
 */
#ifndef MN_PROTO_H
#define MN_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "engine.h"
#include "flow.h"

/* What input needs from a parsed Machnet packet. */
struct mn_pkt {
	const struct rte_ether_hdr *eth;
	struct mn_flow_key key;
	uint8_t type;
	uint8_t flags;
	uint16_t window;
	uint32_t seq;
	uint32_t ack;
	uint32_t msg_len;
	uint32_t mss;
	uint64_t ts;
	uint64_t ts_echo;
	uint64_t sack;
	uint32_t payload_off;
	uint32_t payload_len;
};

/*
 * Initial sequence numbers and ephemeral ports an off-path sender cannot
 * guess (RFC 6528, RFC 6056): e->random is libbsd's arc4random, a
 * ChaCha20 generator the kernel seeds, where rte_rand's next outputs
 * follow from a few seen.
 */
static inline uint32_t
mn_proto_isn(struct mn_engine *e)
{
	return e->random();
}

/* Uniform in 0..n-1, n > 0 (the bias of the modulo is below 2^-16). */
static inline uint32_t
mn_proto_random_below(struct mn_engine *e, uint32_t n)
{
	return e->random() % n;
}

/* proto_handshake.c: the listening side of the handshake */
/* A SYN for a 4-tuple that has no flow. */
void mn_hs_on_syn(struct mn_engine *e, const struct mn_pkt *p);
/* Any other packet for a half-open handshake: the flow it completes, or
 * NULL when it completed nothing (it was counted, and nothing is owed). */
struct mn_flow *mn_hs_on_packet(struct mn_engine *e, struct mn_half_open *h,
				const struct mn_pkt *p);
/* SYNACKs again for handshakes whose last ack has not come; expiry. */
void mn_hs_timers(struct mn_engine *e);
/* The channel's listeners are gone: so are their handshakes. */
void mn_hs_forget_channel(struct mn_engine *e, uint16_t channel);
/* Answers a packet that has no flow with RST or BUSY. */
void mn_proto_refuse(struct mn_engine *e, const struct mn_pkt *p, uint8_t type);

/* proto_input.c */
void mn_proto_input(struct mn_engine *e, struct rte_mbuf *m);
/* Packets the flow can still take from its peer: what is left of its
 * buffer shares (share.h), 0 while the pool is short. */
uint32_t mn_proto_rx_window(const struct mn_engine *e, const struct mn_flow *f);
/* Sends the acks that this burst of input made due. */
void mn_proto_flush_acks(struct mn_engine *e);

/* proto_output.c */
void mn_out_tx(struct mn_engine *e, struct rte_mbuf *m);
void mn_out_flush(struct mn_engine *e);
/* Sends a packet without payload on the flow (SYN, SYNACK, ACK, FIN). */
void mn_out_ctrl(struct mn_engine *e, struct mn_flow *f, uint8_t type,
		 uint32_t seq);
/* A keepalive: an ACK the peer answers at once. */
void mn_out_keepalive(struct mn_engine *e, struct mn_flow *f);

/* A packet outside any flow: a refusal (RST, BUSY) or a half-open
 * handshake's SYNACK. key names the 4-tuple from our side. */
struct mn_flowless {
	const struct rte_ether_addr *dst_mac;
	const struct mn_flow_key *key;
	uint8_t type;
	uint32_t seq;
	uint32_t ack;
	uint16_t window;
	uint64_t ts_echo;
};
void mn_out_flowless(struct mn_engine *e, const struct mn_flowless *p);
/* Sends as many queued segments as the windows, pacing and tx buffer allow. */
uint32_t mn_out_data(struct mn_engine *e, struct mn_flow *f, uint32_t budget);
/* Whether the windows let the flow send more (pacing may still delay it). */
bool mn_out_can_send(const struct mn_engine *e, const struct mn_flow *f);
/* Sends one queued segment whatever the windows: a zero-window probe. */
void mn_out_probe(struct mn_engine *e, struct mn_flow *f);
/* Resends unacknowledged segments below the highest one the peer sacked,
 * each at most once per round trip; returns how many. */
uint32_t mn_out_retransmit_holes(struct mn_engine *e, struct mn_flow *f);
/* Resends every unacknowledged segment not sacked (on a timeout). */
void mn_out_retransmit(struct mn_engine *e, struct mn_flow *f);
/* Room left in the tx buffer. */
static inline uint32_t
mn_out_room(const struct mn_engine *e)
{
	return MN_TXBUF_SIZE - e->txbuf_len;
}

#endif /* MN_PROTO_H */
