/*
 * test_clock.c: the engine's cycles-to-nanoseconds conversion (fixed point
 * instead of a division per engine pass) stays exact enough for timers:
 * within a nanosecond over a second, within 100 us over a day (a relative
 * error of about 1e-9), and never running backwards.
 */
#include "clock.h"
#include "unit.h"

static const uint64_t clocks_hz[] = {
	1000000000ull, 2100000000ull, 2445678901ull, 3300000000ull, 5000000000ull,
};

START_TEST(one_second_of_cycles_is_one_second)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(clocks_hz); i++) {
		uint64_t mult = mn_clock_mult(clocks_hz[i]);
		uint64_t ns = mn_clock_cycles_to_ns(clocks_hz[i], mult);

		ck_assert_uint_le(MN_NS_PER_S - ns, 1);
		ck_assert_uint_eq(mn_clock_cycles_to_ns(0, mult), 0);
	}
}
END_TEST

START_TEST(a_day_of_cycles_is_a_day)
{
	const uint64_t day_ns = 86400 * MN_NS_PER_S;
	unsigned int i;

	for (i = 0; i < RTE_DIM(clocks_hz); i++) {
		uint64_t mult = mn_clock_mult(clocks_hz[i]);
		uint64_t ns = mn_clock_cycles_to_ns(86400 * clocks_hz[i], mult);

		ck_assert_uint_le(day_ns - ns, 100 * MN_NS_PER_US);
	}
}
END_TEST

START_TEST(time_never_runs_backwards)
{
	uint64_t mult = mn_clock_mult(2445678901ull), prev = 0, c, ns;

	for (c = 0; c < 10000000; c += 7) {
		ns = mn_clock_cycles_to_ns(c, mult);
		ck_assert_uint_ge(ns, prev);
		prev = ns;
	}
	ck_assert_uint_ge(mn_clock_cycles_to_ns(UINT64_MAX, mult),
			  mn_clock_cycles_to_ns(UINT64_MAX - 1, mult));
}
END_TEST

static Suite *
clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");

	tcase_add_test(tc, one_second_of_cycles_is_one_second);
	tcase_add_test(tc, a_day_of_cycles_is_a_day);
	tcase_add_test(tc, time_never_runs_backwards);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(clock_suite)
