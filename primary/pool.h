/*
 * pool.h: the shared packet pool, where every packet buffer of machnetd and
 * of the applications comes from.
 */
#ifndef MN_POOL_H
#define MN_POOL_H

#include <stdbool.h>

#include <rte_mempool.h>

#include "config.h"

/* The pool of mbufs of data_room bytes (headroom included), or NULL with
 * rte_errno set. Objects may straddle page boundaries (and the pool is
 * then laid out in one gap-free piece) when no device reads or writes
 * them by physical address. */
struct rte_mempool *mn_pool_create(const struct mn_config *cfg,
				   uint16_t data_room,
				   bool objects_may_span_pages);

/* Whether every object lies in the first populated_size * object size bytes
 * from the first object, which is all that DPDK 22.11's af_xdp registers. */
bool mn_pool_is_one_piece(struct rte_mempool *pool);

#endif /* MN_POOL_H */
