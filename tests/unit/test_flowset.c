/*
 * test_flowset.c: the per-channel set of known flows answers exactly like
 * a plain list would, through growth to tens of thousands of flows and
 * through removals that shift probe runs around (wrap-around included).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flowset.h"
#include "unit.h"

#define MANY 20000u

static struct mnl_flowset fs;
static const struct mn_flow_ref ref1 = { 3, 1 };

static void
setup(void)
{
	ck_assert_int_eq(mnl_flowset_init(&fs), 0);
}

static void
teardown(void)
{
	mnl_flowset_fini(&fs);
}

/* Flows that differ only in their local port: a weak hash would cluster. */
static struct mn_flow_tuple
nth_flow(uint32_t n)
{
	struct mn_flow_tuple f = {
		.src_ip = 0x0a000001,
		.dst_ip = 0x0a000002 + (n >> 16),
		.src_port = (uint16_t)n,
		.dst_port = 888,
	};

	return f;
}

START_TEST(empty_set_knows_nothing)
{
	struct mn_flow_tuple f = nth_flow(1);

	ck_assert_uint_eq(mnl_flowset_count(&fs), 0);
	ck_assert(!mnl_flowset_contains(&fs, &f));
	ck_assert(!mnl_flowset_remove(&fs, &f));
}
END_TEST

START_TEST(add_lookup_remove)
{
	struct mn_flow_tuple f = nth_flow(7), g = nth_flow(8);

	ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &f, &ref1));
	ck_assert(mnl_flowset_contains(&fs, &f));
	ck_assert(!mnl_flowset_contains(&fs, &g));
	ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &f, &ref1));
	ck_assert_uint_eq(mnl_flowset_count(&fs), 1);
	ck_assert(mnl_flowset_remove(&fs, &f));
	ck_assert(!mnl_flowset_contains(&fs, &f));
	ck_assert(!mnl_flowset_remove(&fs, &f));
	ck_assert_uint_eq(mnl_flowset_count(&fs), 0);
	ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &f, &ref1));
	ck_assert(mnl_flowset_contains(&fs, &f));
}
END_TEST

/* No field is ignored, and the all-zero tuple is an ordinary member. */
START_TEST(every_field_counts)
{
	struct mn_flow_tuple base = { 0 }, f;
	int i;

	ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &base, &ref1));
	ck_assert(mnl_flowset_contains(&fs, &base));
	for (i = 0; i < 4; i++) {
		f = base;
		if (i == 0)
			f.src_ip = 1;
		else if (i == 1)
			f.dst_ip = 1;
		else if (i == 2)
			f.src_port = 1;
		else
			f.dst_port = 1;
		ck_assert(!mnl_flowset_contains(&fs, &f));
		ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &f, &ref1));
	}
	ck_assert_uint_eq(mnl_flowset_count(&fs), 5);
}
END_TEST

START_TEST(grows_past_thousands)
{
	struct mn_flow_tuple f;
	uint32_t i;

	for (i = 0; i < MANY; i++) {
		f = nth_flow(i);
		ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &f, &ref1));
	}
	ck_assert_uint_eq(mnl_flowset_count(&fs), MANY);
	ck_assert_uint_ge(fs.mask + 1, MANY);
	for (i = 0; i < MANY; i++) {
		f = nth_flow(i);
		ck_assert(mnl_flowset_contains(&fs, &f));
	}
	f = nth_flow(MANY);
	ck_assert(!mnl_flowset_contains(&fs, &f));
}
END_TEST

/* What send counts on a flow belongs to that flow: a later flow of the
 * same 4-tuple (another slot or serial in machnetd) starts from nothing. */
START_TEST(entry_keeps_its_count_until_the_flow_changes)
{
	struct mn_flow_tuple f = nth_flow(5);
	struct mn_flow_ref later = { 3, 2 };
	struct mnl_flowset_slot *e;
	uint32_t i;

	e = mnl_flowset_add(&fs, &f, &ref1);
	e->tx_queued = 40;
	ck_assert_uint_eq(mnl_flowset_add(&fs, &f, &ref1)->tx_queued, 40);
	/* Others added, the set grown: the entry moved with its count. */
	for (i = 100; i < 200; i++) {
		struct mn_flow_tuple g = nth_flow(i);

		ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &g, &ref1));
	}
	e = mnl_flowset_find(&fs, &f);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->tx_queued, 40);
	ck_assert_uint_eq(e->ref.serial, 1);
	e = mnl_flowset_add(&fs, &f, &later);
	ck_assert_uint_eq(e->tx_queued, 0);
	ck_assert_uint_eq(e->ref.serial, 2);
	ck_assert(mnl_flowset_remove(&fs, &f));
	ck_assert_ptr_null(mnl_flowset_find(&fs, &f));
}
END_TEST

START_TEST(removal_keeps_others_reachable)
{
	struct mn_flow_tuple f;
	uint32_t i;

	for (i = 0; i < MANY; i++) {
		f = nth_flow(i);
		ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &f, &ref1));
	}
	for (i = 0; i < MANY; i += 3) {
		f = nth_flow(i);
		ck_assert(mnl_flowset_remove(&fs, &f));
	}
	for (i = 0; i < MANY; i++) {
		f = nth_flow(i);
		ck_assert(mnl_flowset_contains(&fs, &f) == (i % 3 != 0));
	}
	for (i = 0; i < MANY; i++) {
		f = nth_flow(i);
		ck_assert(mnl_flowset_remove(&fs, &f) == (i % 3 != 0));
	}
	ck_assert_uint_eq(mnl_flowset_count(&fs), 0);
}
END_TEST

/*
 * Random adds and removes over a small universe, checked after every step
 * against a plain array: long probe runs form, wrap around the table's
 * end, and get cut in the middle.
 */
START_TEST(random_churn_matches_a_model)
{
	enum { UNIVERSE = 300, STEPS = 100000 };
	bool in[UNIVERSE] = { false };
	uint32_t x = 12345, n, model = 0, k;
	struct mn_flow_tuple f;
	int step;

	for (step = 0; step < STEPS; step++) {
		x = x * 1103515245u + 12345u;
		n = (x >> 8) % UNIVERSE;
		f = nth_flow(n * 7919);
		if (x & 0x80000000u) {
			ck_assert_ptr_nonnull(mnl_flowset_add(&fs, &f, &ref1));
			model += !in[n];
			in[n] = true;
		} else {
			ck_assert(mnl_flowset_remove(&fs, &f) == in[n]);
			model -= in[n];
			in[n] = false;
		}
		ck_assert_uint_eq(mnl_flowset_count(&fs), model);
		if (step % 1000 != 0)
			continue;
		for (k = 0; k < UNIVERSE; k++) {
			f = nth_flow(k * 7919);
			ck_assert(mnl_flowset_contains(&fs, &f) == in[k]);
		}
	}
}
END_TEST

static Suite *
flowset_suite(void)
{
	Suite *s = suite_create("flowset");
	TCase *tc = tcase_create("flowset");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, empty_set_knows_nothing);
	tcase_add_test(tc, add_lookup_remove);
	tcase_add_test(tc, every_field_counts);
	tcase_add_test(tc, grows_past_thousands);
	tcase_add_test(tc, entry_keeps_its_count_until_the_flow_changes);
	tcase_add_test(tc, removal_keeps_others_reachable);
	tcase_add_test(tc, random_churn_matches_a_model);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(flowset_suite)
