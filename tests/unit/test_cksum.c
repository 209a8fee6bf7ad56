/*
 * test_cksum.c: mn_cksum, DPDK's checksum sum built with its loop
 * vectorized, must give rte_raw_cksum's result for every length and
 * alignment (a vectorized loop has head and tail cases of its own), and
 * mn_cksum_add must carry end-around as ones' complement addition does.
 */
#include <rte_ip.h>

#include "mn_cksum.h"
#include "unit.h"

static uint8_t buf[70000];

START_TEST(same_sum_as_dpdk_for_every_length_and_alignment)
{
	uint64_t rng = 42;
	size_t i, len, off;

	for (i = 0; i < 4096; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(rng >> 56);
	}
	for (off = 0; off < 16; off++)
		for (len = 0; len <= 3000; len++)
			ck_assert_uint_eq(mn_cksum(buf + off, len),
					  rte_raw_cksum(buf + off, len));
}
END_TEST

START_TEST(long_runs_of_carries_are_folded)
{
	memset(buf, 0xff, sizeof(buf));
	ck_assert_uint_eq(mn_cksum(buf, 65535), rte_raw_cksum(buf, 65535));
	ck_assert_uint_eq(mn_cksum(buf, 9000), 0xffff);
	memset(buf, 0, sizeof(buf));
	ck_assert_uint_eq(mn_cksum(buf, 9000), 0);
}
END_TEST

START_TEST(add_carries_end_around)
{
	ck_assert_uint_eq(mn_cksum_add(0, 0), 0);
	ck_assert_uint_eq(mn_cksum_add(0x1234, 0x0001), 0x1235);
	ck_assert_uint_eq(mn_cksum_add(0xffff, 0x0001), 0x0001);
	ck_assert_uint_eq(mn_cksum_add(0xffff, 0xffff), 0xffff);
	ck_assert_uint_eq(mn_cksum_add(0x8000, 0x8000), 0x0001);
}
END_TEST

static Suite *
cksum_suite(void)
{
	Suite *s = suite_create("cksum");
	TCase *tc = tcase_create("cksum");

	tcase_add_test(tc, same_sum_as_dpdk_for_every_length_and_alignment);
	tcase_add_test(tc, long_runs_of_carries_are_folded);
	tcase_add_test(tc, add_carries_end_around);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(cksum_suite)
