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
/* RST to the sender of a packet that matched no flow or listener. */
void mn_out_rst(struct mn_engine *e, const struct rte_ether_addr *dst_mac,
		uint32_t local_ip, uint32_t remote_ip, uint16_t local_port,
		uint16_t remote_port);
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
