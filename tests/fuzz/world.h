/*
 * world.h: what the packet-input fuzzer and its seed generator share: two
 * engines on DPDK's ring PMD with a fake clock, brought to the same state
 * (same addresses, ports and, through a generator of its own in place of
 * the engines' arc4random, sequence numbers) every
 * time, so that frames the generator captures fit the flows the fuzzer
 * feeds. The engine under test is t; p is only its peer while the flows
 * are set up (and, for the generator, while frames are captured).
 *
 * After fuzz_world_setup t has:
 *   a listener on FUZZ_PORT_T, and flow s on it, opened by p, with two
 *   segments of a three-segment message held out of order (the first was
 *   lost);
 *   flow c, which it opened to p's FUZZ_PORT_P, with a three-segment
 *   message in flight (none acked);
 *   a second connect to p's FUZZ_PORT_P, its SYN sent and unanswered, and
 *   a connect to FUZZ_IP_ABSENT, waiting for an ARP reply.
 *
 * The fuzz input format (records, fed by fuzz_world_feed) is defined here
 * too; the unit test test_fuzz_finds.c replays findings with it.
 */
#ifndef MN_FUZZ_WORLD_H
#define MN_FUZZ_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config.h"
#include "control.h"
#include "engine.h"

#define FUZZ_IP_T RTE_IPV4(10, 0, 0, 1)
#define FUZZ_IP_P RTE_IPV4(10, 0, 0, 2)
#define FUZZ_IP_ABSENT RTE_IPV4(10, 0, 0, 3) /* no engine: ARP goes unanswered */
#define FUZZ_PORT_T 7000
#define FUZZ_PORT_P 7001
#define FUZZ_MAX_FLOWS 8 /* small: a few SYNs fill the table */
#define FUZZ_STEP_NS (10 * 1000ull)

/*
 * One record of a fuzz input: ctl, a 16-bit big-endian length, then that
 * many bytes of frame (or what is left of the input). ctl's two low bits
 * say which checksums the "NIC" found good (FUZZ_CTL_*: unset ones are
 * checked in software, as without offloads); the six high bits, d, move
 * the clock by d * d * FUZZ_CTL_TICK_NS before the frame is received, from
 * nothing to about 200 ms, so that timers fire between frames. Records
 * beyond FUZZ_MAX_RECORDS are ignored, to bound the time an input takes.
 */
#define FUZZ_REC_HDR 3
#define FUZZ_CTL_IP_GOOD 0x1
#define FUZZ_CTL_L4_GOOD 0x2
#define FUZZ_CTL_TICK_NS (50 * 1000ull)
#define FUZZ_MAX_RECORDS 64

struct fuzz_node {
	struct mn_config cfg;
	struct mn_state state;
	struct mn_control ctl;
	struct mn_engine e;
	struct mn_flow_usage flow_usage[FUZZ_MAX_FLOWS];
	struct mn_iface ifc;
	struct rte_ring *nic_rx, *nic_tx, *app_tx, *app_rx;
};

/* Sees each frame p sends t, before t gets it (the generator's capture). */
typedef void (*fuzz_tap)(const struct rte_mbuf *m, uint64_t now);

struct fuzz_world {
	struct rte_mempool *pool;
	unsigned int pool_size;
	struct fuzz_node t, p;
	uint64_t now;
	fuzz_tap tap;
	/* the two flows as t names them, and as p does */
	struct mn_flow_tuple s, c, p_s, p_c;
};

/* EAL without hugepages, devices or runtime files; exits on failure. */
void fuzz_eal_init(const char *prog);
/* Pool, rings and ports, once per process. */
void fuzz_world_init(struct fuzz_world *w);
/* Fresh engines in the state above; aborts if the flows do not open. */
void fuzz_world_setup(struct fuzz_world *w);
/* Frees the engines and every frame; aborts if an mbuf went missing. */
void fuzz_world_teardown(struct fuzz_world *w);

/* Gives t the frames of a fuzz input, one per pass (records above). */
void fuzz_world_feed(struct fuzz_world *w, const uint8_t *data, size_t size);

/* Steps both engines, moving frames between them, for steps passes. */
void fuzz_pump(struct fuzz_world *w, unsigned int steps);
/* Moves the clock by delta_ns and runs one pass of t alone; what t sends
 * and delivers is thrown away, as by a peer that is not there. */
void fuzz_step_target(struct fuzz_world *w, uint64_t delta_ns);
/* A control request on channel 0 of n, answered within max_steps pumps. */
int fuzz_request(struct fuzz_world *w, struct fuzz_node *n, uint32_t op,
		 struct mn_flow_tuple *flow, unsigned int max_steps);
/* An application message of len bytes on flow t (as n names it). */
void fuzz_app_send(struct fuzz_world *w, struct fuzz_node *n,
		   const struct mn_flow_tuple *t, uint32_t len);

#endif /* MN_FUZZ_WORLD_H */
