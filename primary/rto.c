/*
 * rto.c: RFC 6298's estimator (alpha 1/8, beta 1/4, K 4) in nanoseconds.
 * The floor keeps scheduling hiccups of a shared VM from firing spurious
 * timeouts; the ceiling bounds how long a lost packet can stall a flow.
 */
#include <rte_common.h>

#include "rto.h"

void
mn_rto_init(struct mn_rto *r, uint64_t initial, uint64_t min, uint64_t max)
{
	r->srtt = 0;
	r->rttvar = 0;
	r->min = min;
	r->max = max;
	r->rto = RTE_MIN(RTE_MAX(initial, min), max);
}

void
mn_rto_sample(struct mn_rto *r, uint64_t rtt)
{
	uint64_t err;

	if (r->srtt == 0) {
		r->srtt = rtt;
		r->rttvar = rtt / 2;
	} else {
		err = rtt > r->srtt ? rtt - r->srtt : r->srtt - rtt;
		r->rttvar = (3 * r->rttvar + err) / 4;
		r->srtt = (7 * r->srtt + rtt) / 8;
	}
	r->rto = RTE_MIN(RTE_MAX(r->srtt + 4 * r->rttvar, r->min), r->max);
}

void
mn_rto_backoff(struct mn_rto *r)
{
	r->rto = RTE_MIN(r->rto * 2, r->max);
}
