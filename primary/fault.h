/*
 * fault.h: fault injection for tests. The test machines' kernel has no
 * netem, so machnetd itself drops, duplicates, reorders and delays packets
 * right after the NIC receives them and right before it transmits them,
 * with configured probabilities and a seed, so that a failing run can be
 * repeated. Engine-private: one direction is used by one lcore, no locks.
 */
#ifndef MN_FAULT_H
#define MN_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config.h"

/* Packets one queue can hold; a packet that finds it full passes instead. */
#define MN_FAULT_HOLD 1024

struct mn_fault_held {
	struct rte_mbuf *m;
	uint64_t due_ns;
};

/* Held packets in the order they were held; due times never decrease. */
struct mn_fault_queue {
	struct mn_fault_held slot[MN_FAULT_HOLD];
	uint16_t head;
	uint16_t count;
};

struct mn_fault_dir {
	bool on;                         /* any probability above 0 */
	double drop;
	double duplicate;
	double reorder;
	double delay;
	uint64_t delay_ns;
	uint64_t rng;                    /* splitmix64 state */
	struct mn_fault_queue delayed;   /* released when due */
	struct mn_fault_queue reordered; /* released after the next packet */
};

struct mn_fault {
	struct mn_fault_dir rx;
	struct mn_fault_dir tx;
	bool enabled;
};

/* True if cfg asks for any fault at all. */
bool mn_fault_configured(const struct mn_config *cfg);

/* Enabled iff any probability is above 0; rx and tx draw separate streams. */
void mn_fault_init(struct mn_fault *f, const struct mn_config *cfg);

/*
 * Applies faults to pkts[0..n) in place and returns the new count, at most
 * cap (the room in pkts, at least n). Dropped packets are freed; a duplicate is a copy
 * from pool that follows its original (skipped if the copy fails or there
 * is no room); a delayed packet is held until now_ns + delay_us; a
 * reordered one until the next packet has passed, or delay_us at the
 * latest. Held packets that are due are appended as far as cap allows; the
 * rest stay held. Call it on every engine pass, with n == 0 too, so that
 * held packets come out.
 */
uint16_t mn_fault_apply(struct mn_fault_dir *d, struct rte_mbuf **pkts,
			uint16_t n, uint16_t cap, uint64_t now_ns,
			struct rte_mempool *pool);

/* Frees every held packet. */
void mn_fault_free(struct mn_fault *f);

/* One line of what is on, for the log, e.g. "rx drop 0.05, tx off, seed 7". */
void mn_fault_describe(const struct mn_config *cfg, char *buf, size_t len);

#endif /* MN_FAULT_H */
