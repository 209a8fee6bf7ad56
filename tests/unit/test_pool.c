/*
 * test_pool.c: the shared packet pool. DPDK 22.11's af_xdp registers only
 * populated_size * object size bytes from the first object as its umem, so
 * a pool laid out page by page (with a gap at every page's end) has objects
 * the kernel rejects; machnetd therefore lays the pool out in one piece
 * when no device needs page-bound buffers, and refuses af_xdp otherwise.
 */
#include "config.h"
#include "mn_msg.h"
#include "pool.h"
#include "unit.h"

static struct mn_config cfg;

static void
setup(void)
{
	mn_config_defaults(&cfg);
	cfg.pool_size = 4096;
}

START_TEST(page_bound_layout_leaves_objects_outside_the_span)
{
	/* This test EAL runs on 4 KiB pages: one 2.5 KiB object a page. */
	struct rte_mempool *mp = mn_pool_create(&cfg, 2048 + RTE_PKTMBUF_HEADROOM, false);

	ck_assert_ptr_nonnull(mp);
	ck_assert(!mn_pool_is_one_piece(mp));
	rte_mempool_free(mp);
}
END_TEST

START_TEST(pool_that_may_span_pages_is_one_piece)
{
	struct rte_mempool *mp = mn_pool_create(&cfg, 2048 + RTE_PKTMBUF_HEADROOM, true);

	ck_assert_ptr_nonnull(mp);
	ck_assert_uint_eq(mp->populated_size, cfg.pool_size);
	ck_assert(mn_pool_is_one_piece(mp));
	rte_mempool_free(mp);
}
END_TEST

START_TEST(mbufs_carry_the_message_private_area_and_data_room)
{
	struct rte_mempool *mp = mn_pool_create(&cfg, 2048 + RTE_PKTMBUF_HEADROOM, true);
	struct rte_mbuf *m;

	ck_assert_ptr_nonnull(mp);
	m = rte_pktmbuf_alloc(mp);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(rte_pktmbuf_priv_size(mp), MN_MBUF_PRIV_SIZE);
	ck_assert_uint_ge(rte_pktmbuf_data_room_size(mp),
			  RTE_PKTMBUF_HEADROOM + cfg.mtu + RTE_ETHER_HDR_LEN);
	ck_assert_uint_eq(m->data_off, RTE_PKTMBUF_HEADROOM);
	rte_pktmbuf_free(m);
	rte_mempool_free(mp);
}
END_TEST

static Suite *
pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("layout");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, page_bound_layout_leaves_objects_outside_the_span);
	tcase_add_test(tc, pool_that_may_span_pages_is_one_piece);
	tcase_add_test(tc, mbufs_carry_the_message_private_area_and_data_room);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(pool_suite)
