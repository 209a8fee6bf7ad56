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

/* The same with the default target scaling: 2 ms more as windows shrink. */
static struct mn_cc_params
scaled_params(void)
{
	struct mn_cc_params p = params;

	p.fs_range = 2000 * MN_NS_PER_US;
	return p;
}

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
 * freeze there with whatever shares they had. The same holds with a target
 * that rises for small windows.
 */
static void
assert_flows_converge(const struct mn_cc_params *p)
{
	const double pipe = 97.0; /* packets in flight at 1 packet/us, 97 us */
	struct mn_cc cc[3];
	double start[3] = { 120.0, 20.0, 1.0 }, avg[3] = { 0 }, sum = 0, sum2 = 0;
	uint64_t now = MN_NS_PER_MS, rtt = 0;
	int i, round;

	for (i = 0; i < 3; i++) {
		mn_cc_init(&cc[i], p);
		cc[i].cwnd = start[i];
	}
	for (round = 0; round < 4000; round++) {
		double total = cc[0].cwnd + cc[1].cwnd + cc[2].cwnd;
		double queue_us = total > pipe ? total - pipe : 0.0;

		rtt = (uint64_t)((pipe + queue_us) * MN_NS_PER_US);
		for (i = 0; i < 3; i++) {
			uint32_t acked = cc[i].cwnd < 1.0 ? 1 : (uint32_t)cc[i].cwnd;

			mn_cc_on_ack(&cc[i], p, acked, rtt, rtt, now);
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
	ck_assert_uint_lt(rtt, 2 * mn_cc_target(&cc[0], p));
}

START_TEST(flows_sharing_a_bottleneck_converge_to_equal_shares)
{
	const struct mn_cc_params scaled = scaled_params();

	assert_flows_converge(&params);
	assert_flows_converge(&scaled);
}
END_TEST

static uint64_t
target_at(double cwnd)
{
	const struct mn_cc_params scaled = scaled_params();
	struct mn_cc cc = { .cwnd = cwnd };

	return mn_cc_target(&cc, &scaled);
}

START_TEST(small_windows_aim_at_a_higher_delay)
{
	const struct mn_cc_params scaled = scaled_params();
	struct mn_cc cc;
	uint64_t now = 10 * MN_NS_PER_MS, srtt = MN_NS_PER_MS;

	ck_assert_uint_eq(target_at(256), 500 * MN_NS_PER_US);
	ck_assert_uint_eq(target_at(MN_CC_FS_MAX_CWND), 500 * MN_NS_PER_US);
	ck_assert_uint_eq(target_at(MN_CC_FS_MIN_CWND), 2500 * MN_NS_PER_US);
	ck_assert_uint_eq(target_at(0.01), 2500 * MN_NS_PER_US);
	/* in between with 1/sqrt(cwnd): 500 + 2000 * (1 - 0.1) / (sqrt(10) - 0.1) */
	ck_assert_uint_lt(target_at(1.0) - 1087 * MN_NS_PER_US, MN_NS_PER_US);
	ck_assert_uint_gt(target_at(10), target_at(20));
	/* without a range, one target for all */
	ck_assert_uint_eq(mn_cc_target(&(struct mn_cc){ .cwnd = 0.01 }, &params),
			  params.target);
	/* 2 ms: a small window grows, a large one shrinks */
	mn_cc_init(&cc, &scaled);
	cc.cwnd = 0.1;
	mn_cc_on_ack(&cc, &scaled, 1, 2 * MN_NS_PER_MS, srtt, now);
	ck_assert_double_eq_tol(cc.cwnd, 1.1, 1e-9);
	cc.cwnd = 100.0;
	mn_cc_on_ack(&cc, &scaled, 1, 2 * MN_NS_PER_MS, srtt, now);
	ck_assert_double_lt(cc.cwnd, 100.0);
}
END_TEST

/*
 * Three flows through one bottleneck (one packet per microsecond behind a
 * 50 us base round trip), and, as on a VM whose vCPUs are shared, every
 * round trip sample carries a random scheduling delay: half of them more
 * than the base target. Each flow's acks come back one by one; below one
 * packet a flow paces itself srtt/cwnd apart. Returns the longest time
 * any flow went without sending, after a warm-up, in ns.
 */
static uint64_t
longest_silence_under_noisy_delay(const struct mn_cc_params *p)
{
	enum { FLOWS = 3, MAX_INFLIGHT = 256 };
	const uint64_t tick = 10 * MN_NS_PER_US, end = 4000 * MN_NS_PER_MS;
	struct {
		struct mn_cc cc;
		struct mn_rto rto;
		uint64_t due[MAX_INFLIGHT], sent_at[MAX_INFLIGHT];
		unsigned int inflight;
		uint64_t last_sent;
	} fl[FLOWS];
	uint64_t rng = 7, now, longest = 0;
	unsigned int i, j, total;

	for (i = 0; i < FLOWS; i++) {
		mn_cc_init(&fl[i].cc, p);
		mn_rto_init(&fl[i].rto, 5 * MN_NS_PER_MS, MN_NS_PER_MS, 200 * MN_NS_PER_MS);
		fl[i].inflight = 0;
		fl[i].last_sent = 0;
	}
	for (now = tick; now < end; now += tick) {
		total = 0;
		for (i = 0; i < FLOWS; i++)
			total += fl[i].inflight;
		for (i = 0; i < FLOWS; i++) {
			for (j = 0; j < fl[i].inflight;) {
				uint64_t rtt;

				if (fl[i].due[j] > now) {
					j++;
					continue;
				}
				rtt = now - fl[i].sent_at[j];
				mn_rto_sample(&fl[i].rto, rtt);
				mn_cc_on_ack(&fl[i].cc, p, 1, rtt, fl[i].rto.srtt, now);
				fl[i].inflight--;
				fl[i].due[j] = fl[i].due[fl[i].inflight];
				fl[i].sent_at[j] = fl[i].sent_at[fl[i].inflight];
			}
			while (fl[i].inflight < RTE_MIN(mn_cc_window(&fl[i].cc),
							 (uint32_t)MAX_INFLIGHT) &&
			       now - fl[i].last_sent >=
				       mn_cc_pacing_gap(&fl[i].cc, fl[i].rto.srtt)) {
				uint64_t queue = total > 50 ? (total - 50) * MN_NS_PER_US : 0;
				uint64_t noise;

				rng = rng * 6364136223846793005ull + 1442695040888963407ull;
				noise = (rng >> 33) % 2 ? (rng >> 40) % (3 * MN_NS_PER_MS) : 0;
				if (now > 500 * MN_NS_PER_MS && now - fl[i].last_sent > longest)
					longest = now - fl[i].last_sent;
				fl[i].due[fl[i].inflight] = now + 50 * MN_NS_PER_US +
							    queue + noise;
				fl[i].sent_at[fl[i].inflight++] = now;
				fl[i].last_sent = now;
				total++;
			}
		}
	}
	return longest;
}

/*
 * With one target for all, samples above it keep cutting a paced flow
 * (one sample per pacing gap) down to min_cwnd, and it then waits 100
 * round trips between packets: a flow starved for a long while, as
 * incast on a shared VM showed. A higher target for small windows lets
 * it climb back at once.
 */
START_TEST(noisy_delay_starves_no_flow)
{
	const struct mn_cc_params scaled = scaled_params();
	uint64_t one_target = longest_silence_under_noisy_delay(&params);
	uint64_t with_scaling = longest_silence_under_noisy_delay(&scaled);

	ck_assert_uint_gt(one_target, 50 * MN_NS_PER_MS);
	ck_assert_uint_lt(with_scaling, 20 * MN_NS_PER_MS);
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
	tcase_add_test(tc, small_windows_aim_at_a_higher_delay);
	tcase_add_test(tc, noisy_delay_starves_no_flow);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(cc_suite)
