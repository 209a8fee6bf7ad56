/*
 * test_reasm.c: reassembly refuses every inconsistent sequence of segments
 * and frees what it held; the flow's send bookkeeping releases exactly
 * the acknowledged segments, across sequence-number wrap-around; and the
 * flow table's list of live flows stays exact.
 */
#include <machnet.h>

#include "flow.h"
#include "mn_wire.h"
#include "reasm.h"
#include "unit.h"

static struct rte_mempool *pool;

static struct rte_mbuf *
seg(uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(rte_pktmbuf_append(m, len));
	memset(rte_pktmbuf_mtod(m, void *), len & 0xff, len);
	return m;
}

static unsigned int
in_use(void)
{
	return rte_mempool_in_use_count(pool);
}

START_TEST(three_segments_make_one_message)
{
	struct mn_reasm r = { 0 };
	struct rte_mbuf *msg = NULL;

	ck_assert_int_eq(mn_reasm_push(&r, seg(100), MN_PKT_F_MSG_FIRST, 250, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(100), 0, 250, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(50), MN_PKT_F_MSG_LAST, 250, &msg), MN_REASM_DONE);
	ck_assert_uint_eq(msg->nb_segs, 3);
	ck_assert_uint_eq(msg->pkt_len, 250);
	ck_assert_uint_eq(mn_msg_meta(msg)->msg_len, 250);
	ck_assert_ptr_null(r.head);
	rte_pktmbuf_free(msg);
	ck_assert_uint_eq(in_use(), 0);
}
END_TEST

START_TEST(inconsistent_segments_are_refused_and_freed)
{
	struct mn_reasm r = { 0 };
	struct rte_mbuf *msg = NULL;

	/* middle segment without a first */
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), 0, 20, &msg), MN_REASM_ERROR);
	/* a second first while one is open */
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_FIRST, 20, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_FIRST, 20, &msg), MN_REASM_ERROR);
	/* length changes mid-message */
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_FIRST, 20, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_LAST, 21, &msg), MN_REASM_ERROR);
	/* last segment leaves the message short, or overruns it */
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_FIRST, 30, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_LAST, 30, &msg), MN_REASM_ERROR);
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_FIRST, 15, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), 0, 15, &msg), MN_REASM_ERROR);
	/* zero and oversized lengths */
	ck_assert_int_eq(mn_reasm_push(&r, seg(1), MN_PKT_F_MSG_FIRST | MN_PKT_F_MSG_LAST,
				       0, &msg), MN_REASM_ERROR);
	ck_assert_int_eq(mn_reasm_push(&r, seg(1), MN_PKT_F_MSG_FIRST,
				       MACHNET_MSG_MAX_LEN + 1, &msg), MN_REASM_ERROR);
	ck_assert_ptr_null(r.head);
	ck_assert_uint_eq(in_use(), 0);
}
END_TEST

/* Found by make fuzz (test_fuzz_finds.c has the frame). */
START_TEST(empty_segments_are_refused)
{
	struct mn_reasm r = { 0 };
	struct rte_mbuf *msg = NULL;

	ck_assert_int_eq(mn_reasm_push(&r, seg(0), MN_PKT_F_MSG_FIRST, 20, &msg), MN_REASM_ERROR);
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_FIRST, 20, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(0), 0, 20, &msg), MN_REASM_ERROR);
	ck_assert_ptr_null(r.head);
	ck_assert_uint_eq(mn_reasm_missing(&r), 0);
	ck_assert_uint_eq(in_use(), 0);
}
END_TEST

START_TEST(reset_frees_a_partial_message)
{
	struct mn_reasm r = { 0 };
	struct rte_mbuf *msg = NULL;

	ck_assert_int_eq(mn_reasm_push(&r, seg(10), MN_PKT_F_MSG_FIRST, 30, &msg), MN_REASM_MORE);
	ck_assert_int_eq(mn_reasm_push(&r, seg(10), 0, 30, &msg), MN_REASM_MORE);
	mn_reasm_reset(&r);
	ck_assert_uint_eq(in_use(), 0);
}
END_TEST

START_TEST(acks_release_segments_across_wraparound)
{
	struct mn_flow_table t;
	struct mn_flow_key key = { 1, 2, 3, 4 };
	struct mn_flow *f;
	uint32_t i;

	ck_assert_int_eq(mn_flow_table_init(&t, "reasm_flows", 16, 8), 0);
	f = mn_flow_create(&t, &key);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(mn_flow_create(&t, &key));
	ck_assert_ptr_eq(mn_flow_lookup(&t, &key), f);
	f->snd_una = f->snd_nxt = UINT32_MAX - 2;
	for (i = 0; i < 6; i++) {
		f->tx[f->snd_nxt & f->tx_mask].m = seg(1);
		f->snd_nxt++;
	}
	ck_assert_uint_eq(mn_flow_ack(f, UINT32_MAX - 10), 0); /* old ack */
	ck_assert_uint_eq(mn_flow_ack(f, 10), 0);              /* beyond snd_nxt */
	ck_assert_uint_eq(mn_flow_ack(f, 1), 4);
	ck_assert_uint_eq(in_use(), 2);
	ck_assert(mn_flow_tx_pending(f));
	ck_assert_uint_eq(mn_flow_ack(f, 3), 2);
	ck_assert(!mn_flow_tx_pending(f));
	mn_flow_queue_msg(f, seg(5));
	mn_flow_destroy(&t, f);
	ck_assert_ptr_null(mn_flow_lookup(&t, &key));
	ck_assert_uint_eq(t.count, 0);
	ck_assert_uint_eq(in_use(), 0);
	mn_flow_table_free(&t);
}
END_TEST

/* The live list holds exactly the live flows, whatever order they go in. */
START_TEST(live_list_follows_create_and_destroy)
{
	struct mn_flow_table t;
	struct mn_flow *f[5];
	bool seen[5];
	uint32_t i, j;

	ck_assert_int_eq(mn_flow_table_init(&t, "live_flows", 8, 8), 0);
	for (i = 0; i < 5; i++) {
		struct mn_flow_key k = { 1, 2, (uint16_t)(100 + i), 7 };

		f[i] = mn_flow_create(&t, &k);
		ck_assert_ptr_nonnull(f[i]);
		f[i]->state = MN_FLOW_ESTABLISHED;
	}
	mn_flow_destroy(&t, f[1]);
	mn_flow_destroy(&t, f[4]);
	mn_flow_destroy(&t, f[0]);
	ck_assert_uint_eq(t.count, 2);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < t.count; i++)
		for (j = 0; j < 5; j++)
			if (mn_flow_table_live(&t, i) == f[j])
				seen[j] = true;
	ck_assert(!seen[0] && !seen[1] && seen[2] && seen[3] && !seen[4]);
	mn_flow_destroy(&t, f[3]);
	mn_flow_destroy(&t, f[2]);
	ck_assert_uint_eq(t.count, 0);
	mn_flow_table_free(&t);
}
END_TEST

static Suite *
reasm_suite(void)
{
	Suite *s = suite_create("reasm");
	TCase *tc = tcase_create("reasm");

	pool = mn_unit_pool("reasm_pool", 1023);
	tcase_add_test(tc, three_segments_make_one_message);
	tcase_add_test(tc, inconsistent_segments_are_refused_and_freed);
	tcase_add_test(tc, empty_segments_are_refused);
	tcase_add_test(tc, reset_frees_a_partial_message);
	tcase_add_test(tc, acks_release_segments_across_wraparound);
	tcase_add_test(tc, live_list_follows_create_and_destroy);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(reasm_suite)
