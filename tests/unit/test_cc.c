/*
 * test_cc.c: the congestion window arithmetic (Swift-style) and the
 * retransmission timeout estimator, on their own, with made-up round trips.
 */
#include "cc.h"
#include "clock.h"
#include "rto.h"
#include "unit.h"

static const struct mn_cc_params params = {
	.target = 500 * MN_NS_PER_US,
	.ai = 1.0,
	.beta = 0.8,
	.max_mdf = 0.5,
	.min_cwnd = 0.01,
	.max_cwnd = 256,
};

START_TEST(window_grows_one_packet_per_rtt_below_target)
{
	struct mn_cc cc;
	uint64_t now = MN_NS_PER_MS;
	int i;

	mn_cc_init(&cc, &params);
	cc.cwnd = 10.0;
	/* one window's worth of acks, each for one packet */
	for (i = 0; i < 10; i++)
		mn_cc_on_ack(&cc, &params, 1, 100 * MN_NS_PER_US, 100 * MN_NS_PER_US, now);
	ck_assert_double_eq_tol(cc.cwnd, 11.0, 0.05);
	ck_assert_uint_eq(mn_cc_window(&cc), 10);
}
END_TEST

START_TEST(window_shrinks_in_proportion_to_excess_delay)
{
	struct mn_cc cc;
	uint64_t srtt = 600 * MN_NS_PER_US, now = 10 * MN_NS_PER_MS;

	mn_cc_init(&cc, &params);
	cc.cwnd = 100.0;
	/* 1000 us against a 500 us target: factor 1 - 0.8 * 500/1000 = 0.6 */
	mn_cc_on_ack(&cc, &params, 1, 1000 * MN_NS_PER_US, srtt, now);
	ck_assert_double_eq_tol(cc.cwnd, 60.0, 1e-9);
	/* at most once per round trip */
	mn_cc_on_ack(&cc, &params, 1, 1000 * MN_NS_PER_US, srtt, now + srtt / 2);
	ck_assert_double_eq_tol(cc.cwnd, 60.0, 1e-9);
	/* a huge delay is capped by max_mdf */
	mn_cc_on_ack(&cc, &params, 1, 100 * MN_NS_PER_MS, srtt, now + srtt);
	ck_assert_double_eq_tol(cc.cwnd, 30.0, 1e-9);
}
END_TEST

START_TEST(window_below_one_paces_packets)
{
	struct mn_cc cc;
	uint64_t srtt = 100 * MN_NS_PER_US, now = MN_NS_PER_MS;
	int i;

	mn_cc_init(&cc, &params);
	for (i = 0; i < 40; i++, now += srtt)
		mn_cc_on_ack(&cc, &params, 1, 100 * MN_NS_PER_MS, srtt, now);
	ck_assert_double_eq_tol(cc.cwnd, params.min_cwnd, 1e-12);
	ck_assert_uint_eq(mn_cc_window(&cc), 1);
	ck_assert_uint_eq(mn_cc_pacing_gap(&cc, srtt), 100 * srtt);
	/* below target again: +ai per ack while under one packet */
	mn_cc_on_ack(&cc, &params, 1, 10 * MN_NS_PER_US, srtt, now);
	ck_assert_double_eq_tol(cc.cwnd, 1.01, 1e-9);
	ck_assert_uint_eq(mn_cc_pacing_gap(&cc, srtt), 0);
}
END_TEST

START_TEST(timeout_and_loss_cut_the_window)
{
	struct mn_cc cc;
	uint64_t srtt = 100 * MN_NS_PER_US;

	mn_cc_init(&cc, &params);
	cc.cwnd = 64.0;
	mn_cc_on_timeout(&cc, &params, MN_NS_PER_MS);
	ck_assert_double_eq_tol(cc.cwnd, 32.0, 1e-9);
	mn_cc_on_loss(&cc, &params, srtt, MN_NS_PER_MS + srtt);
	ck_assert_double_eq_tol(cc.cwnd, 16.0, 1e-9);
	mn_cc_on_loss(&cc, &params, srtt, MN_NS_PER_MS + srtt + 1);
	ck_assert_double_eq_tol(cc.cwnd, 16.0, 1e-9);
	cc.cwnd = 300.0;
	mn_cc_on_ack(&cc, &params, 1, 10, srtt, 10 * MN_NS_PER_MS);
	ck_assert_double_le(cc.cwnd, params.max_cwnd);
}
END_TEST

START_TEST(rto_follows_rfc6298_within_bounds)
{
	struct mn_rto r;

	mn_rto_init(&r, 5 * MN_NS_PER_MS, MN_NS_PER_MS, 200 * MN_NS_PER_MS);
	ck_assert_uint_eq(r.rto, 5 * MN_NS_PER_MS);
	/* first sample: srtt = R, rttvar = R/2, rto = R + 4 R/2 = 3R (floored) */
	mn_rto_sample(&r, 100 * MN_NS_PER_US);
	ck_assert_uint_eq(r.srtt, 100 * MN_NS_PER_US);
	ck_assert_uint_eq(r.rto, MN_NS_PER_MS);
	mn_rto_sample(&r, 2 * MN_NS_PER_MS);
	ck_assert_uint_eq(r.srtt, (7 * 100 * MN_NS_PER_US + 2 * MN_NS_PER_MS) / 8);
	ck_assert_uint_eq(r.rttvar, (3 * 50 * MN_NS_PER_US + 1900 * MN_NS_PER_US) / 4);
	ck_assert_uint_eq(r.rto, r.srtt + 4 * r.rttvar);
	mn_rto_backoff(&r);
	ck_assert_uint_eq(r.rto, 2 * (r.srtt + 4 * r.rttvar));
	for (int i = 0; i < 20; i++)
		mn_rto_backoff(&r);
	ck_assert_uint_eq(r.rto, 200 * MN_NS_PER_MS);
	mn_rto_sample(&r, 100 * MN_NS_PER_US);
	ck_assert_uint_lt(r.rto, 200 * MN_NS_PER_MS);
}
END_TEST

START_TEST(loss_alone_keeps_at_least_one_packet)
{
	struct mn_cc cc;
	uint64_t now = MN_NS_PER_MS;
	int i;

	mn_cc_init(&cc, &params);
	for (i = 0; i < 20; i++, now += MN_NS_PER_MS) {
		mn_cc_on_timeout(&cc, &params, now);
		mn_cc_on_loss(&cc, &params, 100 * MN_NS_PER_US, now);
	}
	ck_assert_double_eq_tol(cc.cwnd, 1.0, 1e-12);
	ck_assert_uint_eq(mn_cc_pacing_gap(&cc, 100 * MN_NS_PER_US), 0);
	/* below one already (from delay): loss leaves it there, not above */
	cc.cwnd = 0.2;
	mn_cc_on_timeout(&cc, &params, now);
	ck_assert_double_eq_tol(cc.cwnd, 0.2, 1e-12);
}
END_TEST

/*
 * Three flows share a bottleneck of one packet per microsecond behind a
 * 97 us base round trip; whatever exceeds the pipe queues and adds delay
 * that all three see. Starting far apart, their windows (and, with one
 * round trip for all, their throughputs) end up equal: Jain's index over
 * the last rounds is above 0.99, and the queue stays near the target. A
 * round trip exactly at the target counts as below it: otherwise the flows
 * freeze there with whatever shares they had.
 */
START_TEST(flows_sharing_a_bottleneck_converge_to_equal_shares)
{
	const double pipe = 97.0; /* packets in flight at 1 packet/us, 97 us */
	struct mn_cc cc[3];
	double start[3] = { 120.0, 20.0, 1.0 }, avg[3] = { 0 }, sum = 0, sum2 = 0;
	uint64_t now = MN_NS_PER_MS, rtt = 0;
	int i, round;

	for (i = 0; i < 3; i++) {
		mn_cc_init(&cc[i], &params);
		cc[i].cwnd = start[i];
	}
	for (round = 0; round < 4000; round++) {
		double total = cc[0].cwnd + cc[1].cwnd + cc[2].cwnd;
		double queue_us = total > pipe ? total - pipe : 0.0;

		rtt = (uint64_t)((pipe + queue_us) * MN_NS_PER_US);
		for (i = 0; i < 3; i++) {
			uint32_t acked = cc[i].cwnd < 1.0 ? 1 : (uint32_t)cc[i].cwnd;

			mn_cc_on_ack(&cc[i], &params, acked, rtt, rtt, now);
			if (round >= 3000)
				avg[i] += cc[i].cwnd / 1000.0;
		}
		now += rtt;
	}
	for (i = 0; i < 3; i++) {
		sum += avg[i];
		sum2 += avg[i] * avg[i];
	}
	ck_assert_double_gt(sum * sum / (3 * sum2), 0.99);
	ck_assert_uint_lt(rtt, 2 * params.target);
}
END_TEST

static Suite *
cc_suite(void)
{
	Suite *s = suite_create("cc");
	TCase *tc = tcase_create("cc");

	tcase_add_test(tc, window_grows_one_packet_per_rtt_below_target);
	tcase_add_test(tc, window_shrinks_in_proportion_to_excess_delay);
	tcase_add_test(tc, window_below_one_paces_packets);
	tcase_add_test(tc, timeout_and_loss_cut_the_window);
	tcase_add_test(tc, rto_follows_rfc6298_within_bounds);
	tcase_add_test(tc, loss_alone_keeps_at_least_one_packet);
	tcase_add_test(tc, flows_sharing_a_bottleneck_converge_to_equal_shares);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(cc_suite)
