/*
 * test_fuzz_finds.c: every input `make fuzz` found to break machnetd's
 * packet-input path, fed exactly as the fuzzer fed it to the engine it
 * fuzzes (tests/fuzz/world.h: same flows, same sequence numbers), so that
 * a fix stays fixed without running the fuzzer.
 */
#include "clock.h"
#include "unit.h"
#include "world.h"

static struct fuzz_world w;

/*
 * Found 1: a DATA frame on flow c at the sequence number t expects, with
 * MSG_FIRST, msg_len 2686 and no payload (UDP length 56: headers only);
 * ctl 0x03, checksums marked good. (Its port and seq were moved to flow
 * c's since, when ports and ISNs became random.) Reassembly took it as the first segment
 * of a message, 0 bytes long, and the receive window of the ack it earned
 * divided by that length (mn_reasm_missing): SIGFPE, machnetd gone.
 */
static const uint8_t empty_first_segment[] = {
	0x03, 0x00, 0x5b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x05, 0xfe, 0xff, 0xff,
	0x00, 0x00, 0x02, 0x08, 0x00, 0x45, 0x00, 0x00, 0x4d, 0x00, 0x00, 0x40,
	0x00, 0x40, 0x11, 0x26, 0x9e, 0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00,
	0x01, 0x1b, 0x59, 0xd5, 0xcd, 0x00, 0x38, 0x90, 0xa5, 0x4d, 0x4e, 0x01,
	0x03, 0x01, 0x00, 0x03, 0x00, 0x80, 0x21, 0x81, 0xe6, 0x19, 0xb3, 0xfd,
	0x00, 0x00, 0x00, 0x0a, 0x7e, 0x90, 0xff, 0x36, 0x00, 0x42, 0x31, 0x52,
	0x47, 0x5f, 0x8f, 0x91, 0xa0, 0x93, 0x10, 0x90, 0x8f, 0x9d, 0x61, 0x63,
	0x6b, 0x20, 0x00, 0x01, 0xa0, 0x00, 0x90, 0x8f, 0x9d, 0x61,
};

static struct mn_flow *
target_flow(const struct mn_flow_tuple *t)
{
	struct mn_flow_key key;

	mn_flow_key_from_tuple(&key, t);
	return mn_flow_lookup(&w.t.e.flows, &key);
}

START_TEST(empty_first_segment_is_dropped)
{
	uint64_t dropped = w.t.state.counters.rx_dropped;
	struct mn_flow *f = target_flow(&w.c);

	/* Still the world the frame was found in: its port is flow c's and
	 * its seq the next one. */
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(w.c.src_port, 54733);
	ck_assert_uint_eq(f->rcv_nxt, 0x802181e6);
	fuzz_world_feed(&w, empty_first_segment, sizeof(empty_first_segment));
	/* The ack it earned waits for the ack delay: let it go. */
	fuzz_step_target(&w, MN_NS_PER_MS);
	ck_assert_ptr_eq(target_flow(&w.c), f);
	ck_assert_uint_eq(f->state, MN_FLOW_ESTABLISHED);
	ck_assert_uint_eq(f->rcv_nxt, 0x802181e6 + 1);
	ck_assert_uint_eq(mn_reasm_held(&f->reasm), 0);
	ck_assert_uint_eq(w.t.state.counters.rx_dropped, dropped + 1);
}
END_TEST

static void
setup(void)
{
	fuzz_world_setup(&w);
}

/* Checks, as after every fuzz input, that no mbuf went missing. */
static void
teardown(void)
{
	fuzz_world_teardown(&w);
}

static Suite *
fuzz_finds_suite(void)
{
	Suite *s = suite_create("fuzz_finds");
	TCase *tc = tcase_create("packet input");

	fuzz_world_init(&w);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_first_segment_is_dropped);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(fuzz_finds_suite)
