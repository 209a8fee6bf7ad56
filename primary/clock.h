/*
 * clock.h: the engine's time base, in nanoseconds from the TSC, so timers
 * cost no system call on the fast path.
 */
#ifndef MN_CLOCK_H
#define MN_CLOCK_H

#include <stdint.h>

#include <rte_cycles.h>

extern uint64_t mn_clock_hz;

static inline void
mn_clock_init(void)
{
	mn_clock_hz = rte_get_timer_hz();
}

static inline uint64_t
mn_now_ns(void)
{
	return (uint64_t)((unsigned __int128)rte_get_timer_cycles() *
			  1000000000u / mn_clock_hz);
}

#define MN_NS_PER_US 1000ull
#define MN_NS_PER_MS 1000000ull

#endif /* MN_CLOCK_H */
