/*
 * test_port_queues.c: machnetd takes the queues a device has, however few,
 * and uses RSS only where the device offers it and there is more than one
 * queue to spread over; the start-up lines say so.
 */
#include <string.h>

#include <rte_ethdev.h>

#include "port_queues.h"
#include "unit.h"

static char *
said(const struct mn_port_queues *q, const char *driver)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	mn_port_queues_say(q, 0, driver, f);
	fclose(f);
	return buf;
}

START_TEST(a_single_queue_device_gets_one_queue_and_no_rss)
{
	struct mn_port_queues q;

	/* af_xdp and af_packet as DPDK 22.11 builds them: one queue, no hash. */
	mn_port_queues_of(1, 1, 1, 1, 0, &q);
	ck_assert_uint_eq(q.rx, 1);
	ck_assert_uint_eq(q.tx, 1);
	ck_assert(!q.rss_offered && !q.rss);
	ck_assert_uint_eq(q.rss_hf, 0);
	ck_assert_str_eq(said(&q, "net_af_xdp"),
			 "machnetd: port 0 (net_af_xdp): rx/tx queues 1/1 (device max 1/1)\n"
			 "machnetd: port 0 (net_af_xdp): RSS: not offered, single queue\n");
}
END_TEST

START_TEST(queues_are_clamped_to_the_device)
{
	struct mn_port_queues q;

	mn_port_queues_of(8, 8, 4, 2, 0, &q);
	ck_assert_uint_eq(q.rx, 4);
	ck_assert_uint_eq(q.tx, 2);
	ck_assert_ptr_nonnull(strstr(said(&q, "net_ena"),
				     "rx/tx queues 4/2 (device max 4/2)"));
	mn_port_queues_of(1, 1, 64, 64, 0, &q);
	ck_assert_uint_eq(q.rx, 1);
	ck_assert_uint_eq(q.tx, 1);
}
END_TEST

START_TEST(a_device_reporting_no_queues_is_still_asked_for_one)
{
	struct mn_port_queues q;

	mn_port_queues_of(1, 1, 0, 0, 0, &q);
	ck_assert_uint_eq(q.rx, 1);
	ck_assert_uint_eq(q.tx, 1);
	mn_port_queues_of(0, 0, 16, 16, 0, &q);
	ck_assert_uint_eq(q.rx, 1);
	ck_assert_uint_eq(q.tx, 1);
}
END_TEST

START_TEST(rss_offered_is_unused_with_one_queue)
{
	struct mn_port_queues q;

	mn_port_queues_of(1, 1, 64, 64, RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP, &q);
	ck_assert(q.rss_offered);
	ck_assert(!q.rss);
	ck_assert_uint_eq(q.rss_hf, 0);
	ck_assert_ptr_nonnull(strstr(said(&q, "net_ice"),
				     "RSS: offered, not used (single rx queue)"));
}
END_TEST

START_TEST(rss_hashes_only_what_machnet_sends)
{
	struct mn_port_queues q;

	mn_port_queues_of(4, 4, 64, 64, RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP |
			  RTE_ETH_RSS_TCP, &q);
	ck_assert(q.rss);
	ck_assert_uint_eq(q.rss_hf, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP);
	ck_assert_ptr_nonnull(strstr(said(&q, "net_ice"), "RSS: on over 4 rx queues"));
	/* A device that hashes only what machnet never sends offers nothing. */
	mn_port_queues_of(4, 4, 64, 64, RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV4_TCP, &q);
	ck_assert(!q.rss_offered && !q.rss);
}
END_TEST

static Suite *
port_queues_suite(void)
{
	Suite *s = suite_create("port_queues");
	TCase *tc = tcase_create("port_queues");

	tcase_add_test(tc, a_single_queue_device_gets_one_queue_and_no_rss);
	tcase_add_test(tc, queues_are_clamped_to_the_device);
	tcase_add_test(tc, a_device_reporting_no_queues_is_still_asked_for_one);
	tcase_add_test(tc, rss_offered_is_unused_with_one_queue);
	tcase_add_test(tc, rss_hashes_only_what_machnet_sends);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(port_queues_suite)
