/*
 * clock.h: the engine's time base, in nanoseconds from the TSC, so timers
 * cost no system call on the fast path. The engine reads it on every pass,
 * so cycles become nanoseconds with a multiply and a shift (fixed point,
 * 32 fractional bits) rather than a 128-bit division.
 */
#ifndef MN_CLOCK_H
#define MN_CLOCK_H

#include <stdint.h>

#include <rte_cycles.h>

#define MN_NS_PER_US 1000ull
#define MN_NS_PER_MS 1000000ull
#define MN_NS_PER_S 1000000000ull

/* Nanoseconds per cycle, << 32. */
extern uint64_t mn_clock_ns_mult;

static inline uint64_t
mn_clock_mult(uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)MN_NS_PER_S << 32) / hz);
}

static inline uint64_t
mn_clock_cycles_to_ns(uint64_t cycles, uint64_t mult)
{
	return (uint64_t)(((unsigned __int128)cycles * mult) >> 32);
}

static inline void
mn_clock_init(void)
{
	mn_clock_ns_mult = mn_clock_mult(rte_get_timer_hz());
}

static inline uint64_t
mn_now_ns(void)
{
	return mn_clock_cycles_to_ns(rte_get_timer_cycles(), mn_clock_ns_mult);
}

#endif /* MN_CLOCK_H */
