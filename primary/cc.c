/*
 * cc.c: the Swift-style window arithmetic (see cc.h). Kept apart from the
 * protocol code so that the arithmetic can be tested on its own.
 */
#include <math.h>

#include <rte_common.h>

#include "cc.h"

/* A flow starts with this many packets in flight, as a new TCP flow would
 * with a large initial window: enough for small messages to go at once. */
#define MN_CC_INITIAL_CWND 32.0

static void
clamp(struct mn_cc *cc, const struct mn_cc_params *p)
{
	cc->cwnd = RTE_MAX(cc->cwnd, p->min_cwnd);
	cc->cwnd = RTE_MIN(cc->cwnd, p->max_cwnd);
}

void
mn_cc_init(struct mn_cc *cc, const struct mn_cc_params *p)
{
	cc->cwnd = MN_CC_INITIAL_CWND;
	cc->last_decrease = 0;
	clamp(cc, p);
}

static void
decrease(struct mn_cc *cc, const struct mn_cc_params *p, double factor,
	 uint64_t srtt, uint64_t now)
{
	if (cc->last_decrease != 0 && now - cc->last_decrease < srtt)
		return;
	cc->cwnd *= RTE_MAX(factor, 1.0 - p->max_mdf);
	cc->last_decrease = now;
	clamp(cc, p);
}

/*
 * Swift's flow-based scaling: the target rises with 1/sqrt(cwnd), from the
 * base at MN_CC_FS_MAX_CWND packets to base + fs_range at MN_CC_FS_MIN_CWND.
 * Every flow on a bottleneck sees the same delay, so at equilibrium the
 * small ones still grow while the large ones shrink. It matters most where
 * delay is noisy (shared vCPUs): with one target for all, a flow paced far
 * below one packet per RTT gets one noisy sample per pacing gap, and each
 * sample above the target cuts it again, while a large flow is cut at most
 * once per RTT however many samples it gets.
 */
uint64_t
mn_cc_target(const struct mn_cc *cc, const struct mn_cc_params *p)
{
	const double lo = 1.0 / sqrt(MN_CC_FS_MAX_CWND);
	const double hi = 1.0 / sqrt(MN_CC_FS_MIN_CWND);
	double share;

	if (p->fs_range == 0)
		return p->target;
	share = (1.0 / sqrt(cc->cwnd) - lo) / (hi - lo);
	share = RTE_MAX(RTE_MIN(share, 1.0), 0.0);
	return p->target + (uint64_t)(share * (double)p->fs_range);
}

void
mn_cc_on_ack(struct mn_cc *cc, const struct mn_cc_params *p, uint32_t acked,
	     uint64_t rtt, uint64_t srtt, uint64_t now)
{
	uint64_t target = mn_cc_target(cc, p);

	/* At the target itself keep growing: holding still there would
	 * freeze unequal shares. */
	if (rtt <= target) {
		if (cc->cwnd >= 1.0)
			cc->cwnd += p->ai * acked / cc->cwnd;
		else
			cc->cwnd += p->ai * acked;
		clamp(cc, p);
		return;
	}
	decrease(cc, p, 1.0 - p->beta * (double)(rtt - target) / (double)rtt,
		 srtt, now);
}

/*
 * Loss alone never takes the window below one packet: delay is the signal
 * of congestion, and a random loss on a lossy path says nothing about it;
 * only a growing delay paces a flow slower than one packet per RTT.
 */
static void
floor_one(struct mn_cc *cc, double before)
{
	if (cc->cwnd < 1.0)
		cc->cwnd = RTE_MIN(before, 1.0);
}

void
mn_cc_on_loss(struct mn_cc *cc, const struct mn_cc_params *p, uint64_t srtt,
	      uint64_t now)
{
	double before = cc->cwnd;

	decrease(cc, p, 1.0 - p->max_mdf, srtt, now);
	floor_one(cc, before);
}

void
mn_cc_on_timeout(struct mn_cc *cc, const struct mn_cc_params *p, uint64_t now)
{
	double before = cc->cwnd;

	cc->cwnd *= 1.0 - p->max_mdf;
	cc->last_decrease = now;
	clamp(cc, p);
	floor_one(cc, before);
}

uint32_t
mn_cc_window(const struct mn_cc *cc)
{
	return cc->cwnd < 1.0 ? 1 : (uint32_t)cc->cwnd;
}

uint64_t
mn_cc_pacing_gap(const struct mn_cc *cc, uint64_t srtt)
{
	return cc->cwnd < 1.0 ? (uint64_t)((double)srtt / cc->cwnd) : 0;
}
