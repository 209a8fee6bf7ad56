/*
 * example.h: what the example programs (pingpong, msg_gen, kv), the kernel
 * baseline bench/sockpp.c and tests/integration/stress.c share besides
 * machnet.h, so each program's file is about its own protocol.
 *
 * They time with the same clock and read their numeric flags with the same
 * strictness, so a bench comparing machnet with sockpp compares like with
 * like; and the example programs' pollers back off the same way for the
 * same --idle word. Each program keeps its own usage text, passed in as
 * its usage function. Header-only, so every program stays one compile of
 * its own sources. Needs nothing but libc: sockpp does not link machnet.
 */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#define EX_SLEEP_AFTER_POLLS 64
#define EX_IDLE_SLEEP_NS 20000

/* What a poller does after a poll that found nothing (--idle). */
enum ex_idle { EX_IDLE_SPIN, EX_IDLE_YIELD, EX_IDLE_SLEEP };

static inline uint64_t
ex_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * s as a whole decimal number in [min, max]; on anything else calls usage,
 * which must exit. The sign is refused by hand because strtoull would take
 * "-1" for 2^64 - 1.
 */
static inline uint64_t
ex_parse_u64(const char *s, uint64_t min, uint64_t max, void (*usage)(void))
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    v < min || v > max)
		usage();
	return v;
}

/* The --idle word spin, yield or sleep; on anything else calls usage. */
static inline enum ex_idle
ex_parse_idle(const char *s, void (*usage)(void))
{
	if (strcmp(s, "spin") == 0)
		return EX_IDLE_SPIN;
	if (strcmp(s, "yield") == 0)
		return EX_IDLE_YIELD;
	if (strcmp(s, "sleep") != 0)
		usage();
	return EX_IDLE_SLEEP;
}

/* Before the first poll: a sleeping poller should wake when asked, not up
 * to the default 50 us of timer slack later. */
static inline void
ex_idle_prepare(enum ex_idle mode)
{
	if (mode == EX_IDLE_SLEEP)
		prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
}

/*
 * Called after every poll, with whether it did anything; *empty, 0 at the
 * start, counts the empty polls in a row. A yield is cheap and hands a
 * shared vCPU to whoever has work at once; a sleep costs a wake-up, so it
 * waits for a run of empty polls.
 */
static inline void
ex_idle(enum ex_idle mode, bool progress, unsigned int *empty)
{
	static const struct timespec nap = { 0, EX_IDLE_SLEEP_NS };

	if (progress) {
		*empty = 0;
		return;
	}
	if (mode == EX_IDLE_SPIN)
		return;
	if (mode == EX_IDLE_YIELD) {
		sched_yield();
		return;
	}
	if (++*empty < EX_SLEEP_AFTER_POLLS)
		return;
	*empty = 0;
	nanosleep(&nap, NULL);
}

#endif /* EXAMPLE_H */
