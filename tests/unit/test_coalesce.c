/*
 * test_coalesce.c: small messages packed into one packet come apart as
 * they went in, at every boundary (one byte, a full MSS, the most records
 * a packet may carry), and a packet that is not well-formed records (a
 * length of 0, one running past the end, bytes left over, a count that
 * disagrees) is refused with nothing allocated.
 */
#include <rte_byteorder.h>

#include "coalesce.h"
#include "mn_wire.h"
#include "unit.h"

#define MSS 1424

static struct rte_mempool *pool;

static void
setup(void)
{
	pool = mn_unit_pool("coalesce", 1024);
	ck_assert_ptr_nonnull(pool);
}

static void
teardown(void)
{
	rte_mempool_free(pool);
}

/* A whole one-segment message of len bytes of salt, as the engine queues it. */
static struct rte_mbuf *
message(uint16_t len, uint8_t salt)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	uint16_t i;

	ck_assert_ptr_nonnull(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(salt + i);
	mn_msg_meta(m)->seg_flags = MN_PKT_F_MSG_FIRST | MN_PKT_F_MSG_LAST;
	mn_msg_meta(m)->msg_len = len;
	return m;
}

/* Packs messages of lens[0..n) into the first one, as the sender does. */
static struct rte_mbuf *
pack(const uint16_t *lens, unsigned int n)
{
	struct rte_mbuf *pkt = message(lens[0], 0);
	unsigned int i;

	for (i = 1; i < n; i++) {
		struct rte_mbuf *m = message(lens[i], (uint8_t)i);

		ck_assert(mn_coalesce_fits(pkt, m, MSS));
		mn_coalesce_add(pkt, m);
		rte_pktmbuf_free(m);
	}
	mn_coalesce_finish(pkt);
	return pkt;
}

static void
check_split(struct rte_mbuf *pkt, const uint16_t *lens, unsigned int n)
{
	struct rte_mbuf *m, *next;
	unsigned int i = 0, j;

	ck_assert_uint_eq(mn_msg_meta(pkt)->msg_len, n);
	ck_assert(mn_msg_meta(pkt)->seg_flags & MN_PKT_F_COALESCED);
	ck_assert_int_eq(mn_coalesce_split(pool, pkt, n, &m), 0);
	for (; m != NULL; m = next, i++) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		ck_assert_uint_lt(i, n);
		ck_assert_uint_eq(m->data_len, lens[i]);
		ck_assert_uint_eq(mn_msg_meta(m)->msg_len, lens[i]);
		for (j = 0; j < lens[i]; j++)
			ck_assert_uint_eq(p[j], (uint8_t)(i + j));
		next = mn_msg_meta(m)->next_msg;
		rte_pktmbuf_free(m);
	}
	ck_assert_uint_eq(i, n);
}

START_TEST(messages_come_apart_as_they_went_in)
{
	const uint16_t lens[] = { 1, 64, 300, 2, 1000 - 367 - 10 };
	struct rte_mbuf *pkt = pack(lens, RTE_DIM(lens));

	check_split(pkt, lens, RTE_DIM(lens));
	rte_pktmbuf_free(pkt);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), 0);
}
END_TEST

START_TEST(a_packet_is_filled_to_the_mss_and_no_further)
{
	/* Two records: 2 + a + 2 + b = MSS exactly. */
	const uint16_t lens[] = { 700, MSS - 4 - 700 };
	struct rte_mbuf *pkt = message(lens[0], 0), *more = message(lens[1], 1);
	struct rte_mbuf *one_more = message(lens[1] + 1, 1);

	ck_assert(!mn_coalesce_fits(pkt, one_more, MSS));
	ck_assert(mn_coalesce_fits(pkt, more, MSS));
	mn_coalesce_add(pkt, more);
	mn_coalesce_finish(pkt);
	ck_assert_uint_eq(pkt->data_len, MSS);
	ck_assert(!mn_coalesce_fits(pkt, one_more, MSS));
	check_split(pkt, lens, 2);
	rte_pktmbuf_free(pkt);
	rte_pktmbuf_free(more);
	rte_pktmbuf_free(one_more);
}
END_TEST

START_TEST(a_packet_takes_at_most_the_most_records)
{
	uint16_t lens[MN_COALESCE_MAX];
	struct rte_mbuf *pkt, *extra;
	unsigned int i;

	for (i = 0; i < MN_COALESCE_MAX; i++)
		lens[i] = 1;
	pkt = pack(lens, MN_COALESCE_MAX);
	extra = message(1, 0);
	ck_assert(!mn_coalesce_fits(pkt, extra, MSS));
	check_split(pkt, lens, MN_COALESCE_MAX);
	rte_pktmbuf_free(pkt);
	rte_pktmbuf_free(extra);
}
END_TEST

START_TEST(only_whole_messages_are_packed)
{
	struct rte_mbuf *pkt = message(100, 0), *part = message(100, 1);

	mn_msg_meta(part)->seg_flags = MN_PKT_F_MSG_FIRST;
	ck_assert(!mn_coalesce_fits(pkt, part, MSS));
	ck_assert(!mn_coalesce_fits(part, pkt, MSS));
	ck_assert(!mn_coalesce_fits(pkt, NULL, MSS));
	rte_pktmbuf_free(pkt);
	rte_pktmbuf_free(part);
}
END_TEST

/* A received payload of the given bytes. */
static struct rte_mbuf *
payload(const uint8_t *bytes, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	ck_assert_ptr_nonnull(m);
	memcpy(rte_pktmbuf_append(m, len), bytes, len);
	return m;
}

static void
refused(const uint8_t *bytes, uint16_t len, uint32_t count)
{
	struct rte_mbuf *m = payload(bytes, len), *out = NULL;
	unsigned int in_use = rte_mempool_in_use_count(pool);

	ck_assert_int_eq(mn_coalesce_split(pool, m, count, &out), -1);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
	rte_pktmbuf_free(m);
}

START_TEST(a_malformed_packet_is_refused)
{
	const uint8_t good[] = { 0, 1, 'a', 0, 2, 'b', 'c' };
	const uint8_t zero[] = { 0, 1, 'a', 0, 0 };
	const uint8_t past[] = { 0, 1, 'a', 0, 9, 'b', 'c' };
	const uint8_t left[] = { 0, 1, 'a', 0, 1, 'b', 'c' };
	const uint8_t half[] = { 0, 1, 'a', 0 };
	struct rte_mbuf *m = payload(good, sizeof(good)), *out;

	ck_assert_int_eq(mn_coalesce_split(pool, m, 2, &out), 0);
	rte_pktmbuf_free(mn_msg_meta(out)->next_msg);
	rte_pktmbuf_free(out);
	rte_pktmbuf_free(m);
	refused(good, sizeof(good), 1);  /* count too small: bytes left */
	refused(good, sizeof(good), 3);  /* count too large */
	refused(good, sizeof(good), MN_COALESCE_MAX + 1);
	refused(zero, sizeof(zero), 2);
	refused(past, sizeof(past), 2);
	refused(left, sizeof(left), 2);
	refused(half, sizeof(half), 2);
}
END_TEST

START_TEST(a_receiver_out_of_buffers_takes_nothing)
{
	const uint16_t lens[] = { 10, 20, 30 };
	struct rte_mempool *tiny = mn_unit_pool("tiny", 2);
	struct rte_mbuf *pkt = pack(lens, RTE_DIM(lens)), *out = NULL;

	ck_assert_ptr_nonnull(tiny);
	ck_assert_int_eq(mn_coalesce_split(tiny, pkt, 3, &out), -1);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(rte_mempool_in_use_count(tiny), 0);
	rte_pktmbuf_free(pkt);
	rte_mempool_free(tiny);
}
END_TEST

static Suite *
coalesce_suite(void)
{
	Suite *s = suite_create("coalesce");
	TCase *tc = tcase_create("coalesce");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, messages_come_apart_as_they_went_in);
	tcase_add_test(tc, a_packet_is_filled_to_the_mss_and_no_further);
	tcase_add_test(tc, a_packet_takes_at_most_the_most_records);
	tcase_add_test(tc, only_whole_messages_are_packed);
	tcase_add_test(tc, a_malformed_packet_is_refused);
	tcase_add_test(tc, a_receiver_out_of_buffers_takes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(coalesce_suite)
