/*
 * test_fault.c: fault injection. Every loss test depends on it, so it must
 * do what the configuration says, at the configured rates, the same way
 * for the same seed, and never lose or leak a packet it was not asked to.
 */
#include <string.h>

#include "clock.h"
#include "config.h"
#include "fault.h"
#include "unit.h"

#define POOL_SIZE 8191
#define PKT_LEN 64
#define T0 UINT64_C(1000000000)
#define BURST 32u
#define MANY 10000u

static struct rte_mempool *pool;

static void
setup(void)
{
	pool = mn_unit_pool("fault", POOL_SIZE);
	ck_assert_ptr_nonnull(pool);
}

static void
teardown(void)
{
	rte_mempool_free(pool);
}

/* A packet carrying its number, then a pattern that depends on it. */
static struct rte_mbuf *
make_pkt(uint32_t id)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	unsigned int i;

	ck_assert_ptr_nonnull(m);
	p = (uint8_t *)rte_pktmbuf_append(m, PKT_LEN);
	ck_assert_ptr_nonnull(p);
	memcpy(p, &id, sizeof(id));
	for (i = sizeof(id); i < PKT_LEN; i++)
		p[i] = (uint8_t)(id * 7 + i);
	return m;
}

static uint32_t
pkt_id(const struct rte_mbuf *m)
{
	uint32_t id;

	memcpy(&id, rte_pktmbuf_mtod(m, const void *), sizeof(id));
	return id;
}

static void
make_burst(struct rte_mbuf **pkts, uint32_t first_id, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		pkts[i] = make_pkt(first_id + i);
}

/* Records the ids of pkts[0..n) in ids (from *len on) and frees them. */
static void
collect(struct rte_mbuf **pkts, uint16_t n, uint32_t *ids, unsigned int *len)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		ids[(*len)++] = pkt_id(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
}

static void
config_with(struct mn_config *cfg, double *field, double p, uint32_t seed)
{
	mn_config_defaults(cfg);
	*field = p;
	cfg->fault_seed = seed;
}

/* Pushes MANY packets through rx in bursts; ids of what came out in ids. */
static unsigned int
run_many(struct mn_fault *f, uint32_t *ids)
{
	struct rte_mbuf *pkts[BURST * 2];
	unsigned int len = 0;
	uint16_t burst, n;
	uint32_t id;

	for (id = 0; id < MANY; id += burst) {
		burst = RTE_MIN(BURST, MANY - id);
		make_burst(pkts, id, burst);
		n = mn_fault_apply(&f->rx, pkts, burst, RTE_DIM(pkts), T0, pool);
		collect(pkts, n, ids, &len);
	}
	n = mn_fault_apply(&f->rx, pkts, 0, RTE_DIM(pkts), UINT64_MAX, pool);
	collect(pkts, n, ids, &len);
	return len;
}

START_TEST(test_disabled_is_noop)
{
	struct rte_mbuf *pkts[BURST], *before[BURST];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int in_use;

	mn_config_defaults(&cfg);
	ck_assert(!mn_fault_configured(&cfg));
	mn_fault_init(&f, &cfg);
	ck_assert(!f.enabled);
	make_burst(pkts, 0, BURST);
	memcpy(before, pkts, sizeof(pkts));
	in_use = rte_mempool_in_use_count(pool);
	ck_assert_uint_eq(mn_fault_apply(&f.rx, pkts, BURST, BURST, T0, pool),
			  BURST);
	ck_assert_uint_eq(mn_fault_apply(&f.tx, pkts, BURST, BURST, T0, pool),
			  BURST);
	ck_assert_int_eq(memcmp(pkts, before, sizeof(pkts)), 0);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), in_use);
	rte_pktmbuf_free_bulk(pkts, BURST);
}
END_TEST

START_TEST(test_drop_all_frees)
{
	struct rte_mbuf *pkts[BURST];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int start = rte_mempool_in_use_count(pool);

	config_with(&cfg, &cfg.fault_rx_drop, 1, 1);
	ck_assert(mn_fault_configured(&cfg));
	mn_fault_init(&f, &cfg);
	ck_assert(f.enabled);
	ck_assert(f.rx.on);
	ck_assert(!f.tx.on);
	make_burst(pkts, 0, BURST);
	ck_assert_uint_eq(mn_fault_apply(&f.rx, pkts, BURST, BURST, T0, pool), 0);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

static unsigned int
dropped_of_many(double p, uint32_t seed)
{
	static uint32_t ids[MANY * 2];
	static struct mn_fault f;
	struct mn_config cfg;

	config_with(&cfg, &cfg.fault_rx_drop, p, seed);
	mn_fault_init(&f, &cfg);
	return MANY - run_many(&f, ids);
}

/* Expected 3000 and 10; bounds 5 standard deviations (46 and 3) away. */
START_TEST(test_drop_rate)
{
	unsigned int start = rte_mempool_in_use_count(pool);
	unsigned int dropped;

	dropped = dropped_of_many(0.3, 7);
	ck_assert_uint_ge(dropped, 3000 - 5 * 46);
	ck_assert_uint_le(dropped, 3000 + 5 * 46);
	dropped = dropped_of_many(0.001, 7);
	ck_assert_uint_ge(dropped, 1);
	ck_assert_uint_le(dropped, 10 + 5 * 3);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

/* Which of MANY packets survive a 50% drop with this seed, on rx or tx. */
static unsigned int
survivors(uint32_t seed, bool tx, uint32_t *ids)
{
	struct rte_mbuf *pkts[BURST];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int len = 0;
	uint16_t burst, n;
	uint32_t id;

	mn_config_defaults(&cfg);
	cfg.fault_rx_drop = 0.5;
	cfg.fault_tx_drop = 0.5;
	cfg.fault_seed = seed;
	mn_fault_init(&f, &cfg);
	for (id = 0; id < MANY; id += burst) {
		burst = RTE_MIN(BURST, MANY - id);
		make_burst(pkts, id, burst);
		n = mn_fault_apply(tx ? &f.tx : &f.rx, pkts, burst, BURST, T0,
				   pool);
		collect(pkts, n, ids, &len);
	}
	return len;
}

static bool
same_ids(const uint32_t *a, unsigned int na, const uint32_t *b,
	 unsigned int nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

START_TEST(test_seed_reproducible)
{
	static uint32_t a[MANY], b[MANY];
	unsigned int na, nb;

	na = survivors(42, false, a);
	nb = survivors(42, false, b);
	ck_assert(same_ids(a, na, b, nb));
	nb = survivors(43, false, b);
	ck_assert(!same_ids(a, na, b, nb));
	nb = survivors(42, true, b);
	ck_assert_msg(!same_ids(a, na, b, nb), "rx and tx share a stream");
	na = survivors(0, false, a);
	ck_assert_uint_gt(na, 0);
	ck_assert_uint_lt(na, MANY);
}
END_TEST

START_TEST(test_duplicate_all)
{
	struct rte_mbuf *pkts[BURST * 2];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int start = rte_mempool_in_use_count(pool);
	uint16_t n, i;

	config_with(&cfg, &cfg.fault_tx_duplicate, 1, 3);
	mn_fault_init(&f, &cfg);
	make_burst(pkts, 100, BURST);
	n = mn_fault_apply(&f.tx, pkts, BURST, RTE_DIM(pkts), T0, pool);
	ck_assert_uint_eq(n, BURST * 2);
	for (i = 0; i < n; i += 2) {
		ck_assert_ptr_ne(pkts[i], pkts[i + 1]);
		ck_assert_uint_eq(pkt_id(pkts[i]), 100 + i / 2);
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(pkts[i + 1]), PKT_LEN);
		ck_assert_int_eq(memcmp(rte_pktmbuf_mtod(pkts[i], void *),
					rte_pktmbuf_mtod(pkts[i + 1], void *),
					PKT_LEN), 0);
	}
	rte_pktmbuf_free_bulk(pkts, n);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

/* Without room in pkts, or without mbufs for the copy, no duplicate. */
START_TEST(test_duplicate_skipped)
{
	struct rte_mbuf *pkts[BURST], *hog[64];
	struct rte_mempool *tiny;
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int start = rte_mempool_in_use_count(pool);
	uint16_t n, i;

	config_with(&cfg, &cfg.fault_rx_duplicate, 1, 3);
	mn_fault_init(&f, &cfg);
	make_burst(pkts, 0, 10);
	n = mn_fault_apply(&f.rx, pkts, 10, 10, T0, pool);
	ck_assert_uint_eq(n, 10);
	n = mn_fault_apply(&f.rx, pkts, 10, 15, T0, pool);
	ck_assert_uint_eq(n, 15);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(pkt_id(pkts[2 * i]), pkt_id(pkts[2 * i + 1]));
	rte_pktmbuf_free_bulk(pkts, n);

	tiny = mn_unit_pool("fault_tiny", RTE_DIM(hog));
	ck_assert_ptr_nonnull(tiny);
	ck_assert_int_eq(rte_pktmbuf_alloc_bulk(tiny, hog, RTE_DIM(hog)), 0);
	make_burst(pkts, 0, 10);
	n = mn_fault_apply(&f.rx, pkts, 10, BURST, T0, tiny);
	ck_assert_uint_eq(n, 10);
	rte_pktmbuf_free_bulk(pkts, n);
	rte_pktmbuf_free_bulk(hog, RTE_DIM(hog));
	rte_mempool_free(tiny);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

/* How many packets that went in after ids[k] came out before it. */
static unsigned int
overtaken(const uint32_t *ids, unsigned int k)
{
	unsigned int j, n = 0;

	for (j = 0; j < k; j++)
		n += ids[j] > ids[k];
	return n;
}

/*
 * A reordered packet comes out right after the next one that passes: it
 * is overtaken by exactly that one, and nothing else moves.
 */
START_TEST(test_reorder)
{
	static uint32_t ids[MANY * 2];
	static bool seen[MANY];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int start = rte_mempool_in_use_count(pool);
	unsigned int len, k, swapped = 0, times;

	config_with(&cfg, &cfg.fault_rx_reorder, 0.2, 11);
	mn_fault_init(&f, &cfg);
	len = run_many(&f, ids);
	ck_assert_uint_eq(len, MANY);
	for (k = 0; k < len; k++) {
		ck_assert_uint_lt(ids[k], MANY);
		ck_assert_msg(!seen[ids[k]], "%u came out twice", ids[k]);
		seen[ids[k]] = true;
		times = overtaken(ids, k);
		ck_assert_msg(times <= 1, "%u overtaken %u times", ids[k], times);
		swapped += times;
	}
	ck_assert_uint_ge(swapped, 1500);
	ck_assert_uint_le(swapped, 2500);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

/* With nothing passing, reordered packets wait delay_us, then keep order. */
START_TEST(test_reorder_timeout)
{
	struct rte_mbuf *pkts[BURST];
	static struct mn_fault f;
	struct mn_config cfg;
	uint64_t delay = 300 * MN_NS_PER_US;
	uint16_t n, i;

	config_with(&cfg, &cfg.fault_tx_reorder, 1, 5);
	cfg.fault_delay_us = 300;
	mn_fault_init(&f, &cfg);
	make_burst(pkts, 0, 8);
	ck_assert_uint_eq(mn_fault_apply(&f.tx, pkts, 8, BURST, T0, pool), 0);
	ck_assert_uint_eq(mn_fault_apply(&f.tx, pkts, 0, BURST, T0 + delay - 1,
					 pool), 0);
	n = mn_fault_apply(&f.tx, pkts, 0, BURST, T0 + delay, pool);
	ck_assert_uint_eq(n, 8);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(pkt_id(pkts[i]), i);
	rte_pktmbuf_free_bulk(pkts, n);
}
END_TEST

START_TEST(test_delay)
{
	struct rte_mbuf *pkts[BURST];
	static struct mn_fault f;
	struct mn_config cfg;
	uint64_t delay = 200 * MN_NS_PER_US;
	uint16_t n, i;

	config_with(&cfg, &cfg.fault_rx_delay, 1, 9);
	mn_fault_init(&f, &cfg);
	make_burst(pkts, 0, 10);
	ck_assert_uint_eq(mn_fault_apply(&f.rx, pkts, 10, BURST, T0, pool), 0);
	make_burst(pkts, 10, 5);
	ck_assert_uint_eq(mn_fault_apply(&f.rx, pkts, 5, BURST, T0 + 1000, pool),
			  0);
	ck_assert_uint_eq(mn_fault_apply(&f.rx, pkts, 0, BURST, T0 + delay - 1,
					 pool), 0);
	n = mn_fault_apply(&f.rx, pkts, 0, BURST, T0 + delay, pool);
	ck_assert_uint_eq(n, 10);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(pkt_id(pkts[i]), i);
	rte_pktmbuf_free_bulk(pkts, n);
	n = mn_fault_apply(&f.rx, pkts, 0, BURST, T0 + delay + 1000, pool);
	ck_assert_uint_eq(n, 5);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(pkt_id(pkts[i]), 10 + i);
	rte_pktmbuf_free_bulk(pkts, n);
}
END_TEST

/* Released packets never exceed cap; the rest wait, in order, for room. */
START_TEST(test_cap_respected)
{
	struct rte_mbuf *pkts[BURST];
	static uint32_t ids[100];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int start = rte_mempool_in_use_count(pool);
	unsigned int len = 0, i;
	uint32_t id;
	uint16_t n;

	config_with(&cfg, &cfg.fault_rx_delay, 1, 9);
	mn_fault_init(&f, &cfg);
	for (id = 0; id < 100; id += 20) {
		make_burst(pkts, id, 20);
		ck_assert_uint_eq(mn_fault_apply(&f.rx, pkts, 20, 20, T0, pool),
				  0);
	}
	while (len < 100) {
		n = mn_fault_apply(&f.rx, pkts, 0, 30, UINT64_MAX, pool);
		ck_assert_uint_eq(n, RTE_MIN(30u, 100 - len));
		collect(pkts, n, ids, &len);
	}
	for (i = 0; i < len; i++)
		ck_assert_uint_eq(ids[i], i);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

/* A full hold queue lets packets pass rather than run the pool dry. */
START_TEST(test_hold_full_passes)
{
	struct rte_mbuf *pkts[BURST];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int start = rte_mempool_in_use_count(pool);
	unsigned int passed = 0;
	uint32_t id;
	uint16_t n;

	config_with(&cfg, &cfg.fault_rx_delay, 1, 9);
	mn_fault_init(&f, &cfg);
	for (id = 0; id < MN_FAULT_HOLD + 4 * BURST; id += BURST) {
		make_burst(pkts, id, BURST);
		n = mn_fault_apply(&f.rx, pkts, BURST, BURST, T0, pool);
		passed += n;
		rte_pktmbuf_free_bulk(pkts, n);
	}
	ck_assert_uint_eq(passed, 4 * BURST);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start + MN_FAULT_HOLD);
	mn_fault_free(&f);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

START_TEST(test_free_releases_held)
{
	struct rte_mbuf *pkts[BURST];
	static struct mn_fault f;
	struct mn_config cfg;
	unsigned int start = rte_mempool_in_use_count(pool);

	mn_config_defaults(&cfg);
	cfg.fault_rx_delay = 1;
	cfg.fault_tx_reorder = 1;
	mn_fault_init(&f, &cfg);
	make_burst(pkts, 0, BURST);
	ck_assert_uint_eq(mn_fault_apply(&f.rx, pkts, BURST, BURST, T0, pool), 0);
	make_burst(pkts, 0, BURST);
	ck_assert_uint_eq(mn_fault_apply(&f.tx, pkts, BURST, BURST, T0, pool), 0);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start + 2 * BURST);
	mn_fault_free(&f);
	ck_assert_uint_eq(rte_mempool_in_use_count(pool), start);
}
END_TEST

START_TEST(test_describe)
{
	struct mn_config cfg;
	char buf[256], small[12];

	mn_config_defaults(&cfg);
	cfg.fault_rx_drop = 0.05;
	cfg.fault_rx_reorder = 0.01;
	cfg.fault_seed = 7;
	mn_fault_describe(&cfg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "rx drop 0.05 reorder 0.01, tx off, delay_us 200, "
			 "seed 7");
	mn_config_defaults(&cfg);
	cfg.fault_tx_drop = 1;
	cfg.fault_tx_duplicate = 0.5;
	mn_fault_describe(&cfg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "rx off, tx drop 1 duplicate 0.5, seed 1");
	mn_fault_describe(&cfg, small, sizeof(small));
	ck_assert_str_eq(small, "rx off, tx ");
}
END_TEST

static Suite *
fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("fault");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_disabled_is_noop);
	tcase_add_test(tc, test_drop_all_frees);
	tcase_add_test(tc, test_drop_rate);
	tcase_add_test(tc, test_seed_reproducible);
	tcase_add_test(tc, test_duplicate_all);
	tcase_add_test(tc, test_duplicate_skipped);
	tcase_add_test(tc, test_reorder);
	tcase_add_test(tc, test_reorder_timeout);
	tcase_add_test(tc, test_delay);
	tcase_add_test(tc, test_cap_respected);
	tcase_add_test(tc, test_hold_full_passes);
	tcase_add_test(tc, test_free_releases_held);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(fault_suite)
