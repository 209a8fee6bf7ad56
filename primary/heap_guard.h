/*
 * heap_guard.h: frees DPDK's shared heap locks when the process holding one
 * died while joining machnetd (see mn_join.h), so that one application
 * killed at the wrong moment cannot stop every later one from starting.
 */
#ifndef MN_HEAP_GUARD_H
#define MN_HEAP_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_malloc.h>

#include "mn_state.h"

/* Longer than any hold by a live process: DPDK's own time-out for the
 * IPC a secondary makes under the lock to grow the heap is 5 s. */
#define MN_HEAP_LOCK_ORPHAN_NS (6 * 1000 * 1000 * 1000ULL)

struct mn_heap_guard {
	struct mn_state *state;
	int join_fd;
	unsigned int n_locks;
	volatile int32_t *locks[RTE_MAX_HEAPS]; /* in EAL's shared config */
	uint64_t held_since[RTE_MAX_HEAPS];     /* 0: seen free last time */
	bool warned[RTE_MAX_HEAPS];              /* about a live holder */
};

/*
 * Creates the join record and finds the heap locks. Run before any other
 * thread of machnetd uses the heap. Returns -1 with a reason in err (the
 * guard is then off, and machnetd runs as before).
 */
int mn_heap_guard_init(struct mn_heap_guard *g, struct mn_state *state,
		       char *err, size_t err_len);

/*
 * True when the join record at join_fd says a joiner died halfway and no
 * live process has joined cleanly since: the one that may hold a heap
 * lock is dead (its pid in dead_pid), whether a live joiner now waits
 * behind it or nobody does.
 */
bool mn_join_left_by_dead(int join_fd, int32_t *dead_pid);

/* From the control thread, every 100 ms or so; never touches the heap. */
void mn_heap_guard_check(struct mn_heap_guard *g, uint64_t now_ns);

#endif /* MN_HEAP_GUARD_H */
