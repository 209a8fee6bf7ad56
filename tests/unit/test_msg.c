/*
 * test_msg.c: message chains as both processes build, read and free them:
 * every byte lands where it belongs for sizes around the MSS and up to
 * 8 MiB, whatever the iovec boundaries; segments keep the headroom the
 * engine needs; metadata is set; and no mbuf is ever lost, even when the
 * pool runs dry halfway through a message.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "machnet.h"

#include "mn_msg.h"
#include "unit.h"

#define BIG_POOL 12000
#define SMALL_POOL 150
#define MAX_MSS (RTE_MBUF_DEFAULT_DATAROOM)

static struct rte_mempool *big;
static struct rte_mempool *small;
static struct rte_mempool *cached;

static const uint32_t msses[] = { 1424, 977, MAX_MSS };
#define NB_SIZES 6

static uint32_t
size_for(uint32_t mss, int which)
{
	const uint32_t sizes[NB_SIZES] = {
		1, mss - 1, mss, mss + 1, 3 * mss + 7, MACHNET_MSG_MAX_LEN,
	};

	return sizes[which];
}

/* Bytes with no period that could line up with a segment or an iovec. */
static uint8_t *
random_bytes(size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len);
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
	return p;
}

/*
 * Cuts len bytes at base into iovecs whose lengths cycle through cuts
 * (zero-length ones included); the last one takes what is left.
 */
static int
split(uint8_t *base, size_t len, const size_t *cuts, size_t nb_cuts,
      struct mn_iov *iov, int max)
{
	size_t off = 0, n;
	int cnt = 0;

	while (cnt < max - 1 && off < len) {
		n = RTE_MIN(cuts[cnt % nb_cuts], len - off);
		iov[cnt].base = base + off;
		iov[cnt].len = n;
		off += n;
		cnt++;
	}
	iov[cnt].base = base + off;
	iov[cnt].len = len - off;
	return cnt + 1;
}

/*
 * Leaves garbage where a careless build would pick it up: metadata, data
 * offset and lengths of every mbuf in the pool.
 */
static void
dirty_pool(struct rte_mempool *mp)
{
	unsigned int n = rte_mempool_avail_count(mp), i;
	struct rte_mbuf **all = calloc(n, sizeof(*all));

	ck_assert_ptr_nonnull(all);
	ck_assert_int_eq(rte_mempool_generic_get(mp, (void **)all, n, NULL), 0);
	for (i = 0; i < n; i++) {
		memset(rte_mbuf_to_priv(all[i]), 0xa5, MN_MBUF_PRIV_SIZE);
		all[i]->data_off = 0;
		all[i]->data_len = 77;
		all[i]->pkt_len = 77;
	}
	rte_mempool_generic_put(mp, (void **)all, n, NULL);
	free(all);
}

static void
check_chain(struct rte_mbuf *m, const uint8_t *src, uint32_t len,
	    uint32_t mss)
{
	struct mn_msg_meta zero, head, expect;
	uint32_t off = 0, segs = 0;

	memset(&zero, 0, sizeof(zero));
	head = zero;
	head.msg_len = len;
	ck_assert_uint_eq(m->pkt_len, len);
	ck_assert_uint_eq(m->nb_segs, mn_msg_nb_segs(len, mss));
	for (; m != NULL; m = m->next, segs++) {
		ck_assert_uint_eq(rte_pktmbuf_headroom(m),
				  RTE_PKTMBUF_HEADROOM);
		ck_assert_uint_le(m->data_len, mss);
		if (m->next != NULL)
			ck_assert_uint_eq(m->data_len, mss);
		else
			ck_assert_uint_gt(m->data_len, 0);
		/* nothing but the length (head) and the payload's sum */
		expect = segs == 0 ? head : zero;
		expect.payload_sum = rte_raw_cksum(src + off, m->data_len);
		ck_assert_int_eq(memcmp(mn_msg_meta(m), &expect, sizeof(expect)), 0);
		ck_assert_int_eq(memcmp(rte_pktmbuf_mtod(m, uint8_t *),
					src + off, m->data_len), 0);
		off += m->data_len;
	}
	ck_assert_uint_eq(off, len);
	ck_assert_uint_eq(segs, mn_msg_nb_segs(len, mss));
}

START_TEST(build_copy_free_roundtrip)
{
	static const size_t in_cuts[] = { 1, 7, 1423, 0, 3, 2049, 511 };
	static const size_t out_cuts[] = { 5, 1000, 0, 3, 4099, 1 };
	uint32_t mss = msses[_i / NB_SIZES];
	uint32_t len = size_for(mss, _i % NB_SIZES);
	uint8_t *src = random_bytes(len, (uint32_t)_i);
	uint8_t *dst = calloc(1, len);
	struct mn_iov in[64], out[64];
	unsigned int avail;
	struct rte_mbuf *m;
	int nin, nout;

	ck_assert_ptr_nonnull(dst);
	dirty_pool(big);
	avail = rte_mempool_avail_count(big);
	nin = split(src, len, in_cuts, RTE_DIM(in_cuts), in, 64);
	nout = split(dst, len, out_cuts, RTE_DIM(out_cuts), out, 64);

	m = mn_msg_build(big, in, nin, len, mss, true);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(rte_mempool_avail_count(big),
			  avail - mn_msg_nb_segs(len, mss));
	check_chain(m, src, len, mss);

	ck_assert_uint_eq(mn_msg_copy_out(m, out, nout), len);
	ck_assert_int_eq(memcmp(src, dst, len), 0);

	mn_msg_free_nocache(m);
	ck_assert_uint_eq(rte_mempool_avail_count(big), avail);
	free(src);
	free(dst);
}
END_TEST

static struct rte_mbuf *
build_len(struct rte_mempool *mp, uint32_t len, uint32_t mss)
{
	uint8_t *src = random_bytes(len, len);
	struct mn_iov iov = { .base = src, .len = len };
	struct rte_mbuf *m = mn_msg_build(mp, &iov, 1, len, mss, true);

	free(src);
	return m;
}

/* The third bulk of 64 fails: the two taken before must go back. */
START_TEST(exhaustion_midway_leaks_nothing)
{
	ck_assert_uint_eq(rte_mempool_avail_count(small), SMALL_POOL);
	rte_errno = 0;
	ck_assert_ptr_null(build_len(small, 200 * 1000, 1000));
	ck_assert_int_eq(rte_errno, ENOBUFS);
	ck_assert_uint_eq(rte_mempool_avail_count(small), SMALL_POOL);
}
END_TEST

/* A message can use the pool's very last mbuf (bulks of 64, 64, 22). */
START_TEST(exhaustion_exact_fit)
{
	struct rte_mbuf *m = build_len(small, SMALL_POOL * 1000, 1000);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(rte_mempool_avail_count(small), 0);
	ck_assert_ptr_null(build_len(small, 1, 1000));
	ck_assert_uint_eq(rte_mempool_avail_count(small), 0);
	mn_msg_free_nocache(m);
	ck_assert_uint_eq(rte_mempool_avail_count(small), SMALL_POOL);
}
END_TEST

/* The first bulk already fails, with part of the pool held elsewhere. */
START_TEST(exhaustion_first_bulk)
{
	struct rte_mbuf *held = build_len(small, 110 * 1000, 1000);

	ck_assert_ptr_nonnull(held);
	ck_assert_uint_eq(rte_mempool_avail_count(small), 40);
	ck_assert_ptr_null(build_len(small, 64 * 1000, 1000));
	ck_assert_uint_eq(rte_mempool_avail_count(small), 40);
	mn_msg_free_nocache(held);
	ck_assert_uint_eq(rte_mempool_avail_count(small), SMALL_POOL);
}
END_TEST

START_TEST(bad_arguments_take_nothing)
{
	static uint8_t wide[65536];
	uint8_t buf[100] = { 0 };
	struct mn_iov two[2] = { { buf, 60 }, { buf + 60, 40 } };
	struct mn_iov null_base = { NULL, 10 };
	unsigned int avail = rte_mempool_avail_count(big);

	rte_errno = 0;
	ck_assert_ptr_null(mn_msg_build(big, two, 2, 100, 0, true));
	ck_assert_int_eq(rte_errno, EINVAL);
	ck_assert_ptr_null(mn_msg_build(big, two, 2, 100, MAX_MSS + 1, true));
	ck_assert_ptr_null(mn_msg_build(big, two, 2, 99, 1424, true));
	ck_assert_ptr_null(mn_msg_build(big, two, 2, 101, 1424, true));
	ck_assert_ptr_null(mn_msg_build(big, two, 1, 100, 1424, true));
	ck_assert_ptr_null(mn_msg_build(big, &null_base, 1, 10, 1424, true));
	ck_assert_ptr_null(mn_msg_build(big, NULL, 1, 0, 1424, true));
	ck_assert_ptr_null(mn_msg_build(big, two, -1, 0, 1424, true));
	/* nb_segs is 16 bits wide. */
	ck_assert_ptr_null(mn_msg_build(big, &(struct mn_iov){ wide, 65536 },
					1, 65536, 1, true));
	ck_assert_uint_eq(rte_mempool_avail_count(big), avail);
}
END_TEST

START_TEST(copy_out_stops_when_iovecs_are_full)
{
	uint32_t len = 3 * 1424 + 7;
	uint8_t *src = random_bytes(len, 99);
	uint8_t dst[2000];
	struct mn_iov out[3] = {
		{ dst, 1 }, { dst + 1, 0 }, { dst + 1, 1500 },
	};
	struct rte_mbuf *m;

	memset(dst, 0x5a, sizeof(dst));
	m = mn_msg_build(big, &(struct mn_iov){ src, len }, 1, len, 1424, true);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(mn_msg_copy_out(m, out, 3), 1501);
	ck_assert_int_eq(memcmp(dst, src, 1501), 0);
	ck_assert_uint_eq(dst[1501], 0x5a);
	ck_assert_uint_eq(mn_msg_copy_out(m, out, 0), 0);
	mn_msg_free_nocache(m);
	free(src);
}
END_TEST

/*
 * The pool machnetd creates has lcore caches; an application sharing lcore
 * 0 with it must leave them alone, so nothing may ever land in one.
 */
static unsigned int
cached_len(void)
{
	return rte_mempool_default_cache(cached, rte_lcore_id())->len;
}

START_TEST(lcore_cache_is_never_used)
{
	unsigned int avail = rte_mempool_avail_count(cached);
	struct rte_mbuf *m = build_len(cached, 3 * 1424 + 7, 1424);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(cached_len(), 0);
	mn_msg_free_nocache(m);
	ck_assert_uint_eq(cached_len(), 0);
	ck_assert_uint_eq(rte_mempool_avail_count(cached), avail);
}
END_TEST

/*
 * Clones share their data with the original; whichever is freed last must
 * bring the data mbufs home, straight to the pool even though DPDK frees
 * a clone's data through the lcore cache, and the first must not free
 * them early.
 */
START_TEST(clones_are_freed_in_either_order)
{
	uint32_t len = 3 * 1000 + 1;
	uint8_t *src = random_bytes(len, 7);
	uint8_t *dst = calloc(1, len);
	unsigned int avail = rte_mempool_avail_count(cached);
	unsigned int clones = rte_mempool_avail_count(big);
	struct rte_mbuf *m, *c, *first, *last;

	ck_assert_ptr_nonnull(dst);
	m = mn_msg_build(cached, &(struct mn_iov){ src, len }, 1, len, 1000, true);
	ck_assert_ptr_nonnull(m);
	c = rte_pktmbuf_clone(m, big);
	ck_assert_ptr_nonnull(c);
	first = _i == 0 ? m : c;
	last = _i == 0 ? c : m;

	/* The original's mbufs hold the data: they stay out until both go. */
	mn_msg_free_nocache(first);
	ck_assert_uint_eq(rte_mempool_avail_count(cached), avail - 4);
	ck_assert_uint_eq(rte_mempool_avail_count(big),
			  clones - (first == m ? 4 : 0));
	ck_assert_uint_eq(mn_msg_copy_out(last, &(struct mn_iov){ dst, len },
					  1), len);
	ck_assert_int_eq(memcmp(src, dst, len), 0);
	mn_msg_free_nocache(last);
	ck_assert_uint_eq(cached_len(), 0);
	ck_assert_uint_eq(rte_mempool_avail_count(cached), avail);
	ck_assert_uint_eq(rte_mempool_avail_count(big), clones);
	free(src);
	free(dst);
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *round = tcase_create("roundtrip");
	TCase *pool = tcase_create("pool");

	big = mn_unit_pool("msg_big", BIG_POOL);
	small = mn_unit_pool("msg_small", SMALL_POOL);
	cached = rte_pktmbuf_pool_create("msg_cached", 1024, 64,
					 MN_MBUF_PRIV_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY);
	if (big == NULL || small == NULL || cached == NULL) {
		fprintf(stderr, "test_msg: cannot create mbuf pools\n");
		exit(2);
	}

	tcase_set_timeout(round, 30);
	tcase_add_loop_test(round, build_copy_free_roundtrip, 0,
			    (int)RTE_DIM(msses) * NB_SIZES);
	tcase_add_test(round, copy_out_stops_when_iovecs_are_full);
	suite_add_tcase(s, round);

	tcase_add_test(pool, exhaustion_midway_leaks_nothing);
	tcase_add_test(pool, exhaustion_exact_fit);
	tcase_add_test(pool, exhaustion_first_bulk);
	tcase_add_test(pool, bad_arguments_take_nothing);
	tcase_add_test(pool, lcore_cache_is_never_used);
	tcase_add_loop_test(pool, clones_are_freed_in_either_order, 0, 2);
	suite_add_tcase(s, pool);
	return s;
}

MN_UNIT_MAIN(msg_suite)
