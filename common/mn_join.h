/*
 * mn_join.h: the join record, a small file in the instance's runtime
 * directory that every application holds a lock on while it joins machnetd
 * (rte_eal_init() and what follows it in machnet_init()).
 *
 * DPDK's shared heap lock is a spinlock with no owner: a secondary killed
 * while it holds it (rte_eal_init() allocates from the heap) leaves it taken
 * for ever, and every later application spins in machnet_init(). Joining
 * one at a time, under a POSIX record lock that the kernel drops when its
 * holder dies, lets machnetd tell a heap lock held by a dead joiner from one
 * held by a live process (primary/heap_guard.c).
 */
#ifndef MN_JOIN_H
#define MN_JOIN_H

#include <stdint.h>

/* In rte_eal_get_runtime_dir(), beside EAL's own "config". */
#define MN_JOIN_FILE "machnet_join"

struct mn_join_record {
	/* The joiner under the lock, 0 between joins: a pid left here with
	 * no lock held is a joiner that died before it finished. */
	int32_t pid;
	/* Such a pid, moved here by the joiner that found it: the heap lock
	 * it is about to wait for may be held by the dead. Cleared when its
	 * join is done. */
	int32_t dead_before;
};

#endif /* MN_JOIN_H */
