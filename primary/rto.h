/*
 * rto.h: the retransmission timeout of a flow, from measured round trips
 * (RFC 6298 on a nanosecond clock, with a floor and ceiling suited to
 * datacenter round trips rather than the RFC's one second).
 */
#ifndef MN_RTO_H
#define MN_RTO_H

#include <stdint.h>

struct mn_rto {
	uint64_t srtt;   /* smoothed round trip, ns; 0 before the first sample */
	uint64_t rttvar; /* its variation, ns */
	uint64_t rto;    /* current timeout, ns, back-off included */
	uint64_t min;
	uint64_t max;
};

void mn_rto_init(struct mn_rto *r, uint64_t initial, uint64_t min, uint64_t max);
/* Takes one round-trip sample and recomputes the timeout (undoing back-off). */
void mn_rto_sample(struct mn_rto *r, uint64_t rtt);
/* Doubles the timeout after an expiry, up to the ceiling. */
void mn_rto_backoff(struct mn_rto *r);

#endif /* MN_RTO_H */
