/*
 * cc.h: delay-based congestion control in the style of Swift.
 *
 * The congestion window grows additively while the measured round trip
 * stays below a target delay and shrinks in proportion to the excess
 * (capped, at most once per round trip) when it does not. It may fall
 * below one packet: the sender then paces single packets RTT/cwnd apart.
 * Small windows aim at a higher delay (Swift's flow-based scaling), so that
 * flows squeezed to a few packets win back their share from large ones.
 */
#ifndef MN_CC_H
#define MN_CC_H

#include <stdint.h>

struct mn_cc_params {
	uint64_t target;  /* ns, for a window of MN_CC_FS_MAX_CWND or more */
	uint64_t fs_range; /* ns added to it as the window shrinks; 0: none */
	double ai;        /* packets per RTT */
	double beta;
	double max_mdf;
	double min_cwnd;
	double max_cwnd;
};

struct mn_cc {
	double cwnd;             /* packets */
	uint64_t last_decrease;  /* ns */
};

/* The window span over which the target rises by the whole fs_range. */
#define MN_CC_FS_MIN_CWND 0.1
#define MN_CC_FS_MAX_CWND 100.0

void mn_cc_init(struct mn_cc *cc, const struct mn_cc_params *p);
/* acked packets newly acknowledged, with one round-trip sample. */
void mn_cc_on_ack(struct mn_cc *cc, const struct mn_cc_params *p,
		  uint32_t acked, uint64_t rtt, uint64_t srtt, uint64_t now);
/* A loss found by selective acks: one decrease per round trip. */
void mn_cc_on_loss(struct mn_cc *cc, const struct mn_cc_params *p,
		   uint64_t srtt, uint64_t now);
/* A retransmission timeout. */
void mn_cc_on_timeout(struct mn_cc *cc, const struct mn_cc_params *p,
		      uint64_t now);
/* The delay a flow with this window aims at, ns. */
uint64_t mn_cc_target(const struct mn_cc *cc, const struct mn_cc_params *p);
/* Packets that may be in flight: at least one. */
uint32_t mn_cc_window(const struct mn_cc *cc);
/* Gap between two packets when the window is below one, else 0. */
uint64_t mn_cc_pacing_gap(const struct mn_cc *cc, uint64_t srtt);

#endif /* MN_CC_H */
