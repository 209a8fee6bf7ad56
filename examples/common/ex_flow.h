/*
 * ex_flow.h: the two things the example programs and tests/integration's
 * C programs do with flows, kept apart from example.h because that one
 * needs nothing but libc (bench/sockpp.c includes it without machnet).
 *
 * The receive calls name a flow as its sender does (src = the remote
 * peer), as upstream Machnet's do, while send, close and connect name it
 * from this end (src = local): ex_flow_reply turns the one into the other.
 */
#ifndef EX_FLOW_H
#define EX_FLOW_H

#include <stdbool.h>

#include <machnet.h>

/* The flow to answer on, or to look up, for a flow a receive reported. */
static inline MachnetFlow_t
ex_flow_reply(const MachnetFlow_t *received)
{
	MachnetFlow_t f = {
		.src_ip = received->dst_ip,
		.dst_ip = received->src_ip,
		.src_port = received->dst_port,
		.dst_port = received->src_port,
	};

	return f;
}

static inline bool
ex_flow_eq(const MachnetFlow_t *a, const MachnetFlow_t *b)
{
	return a->src_ip == b->src_ip && a->dst_ip == b->dst_ip &&
	       a->src_port == b->src_port && a->dst_port == b->dst_port;
}

#endif /* EX_FLOW_H */
