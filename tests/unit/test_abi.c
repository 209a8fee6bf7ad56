/*
 * test_abi.c: the public structs are laid out exactly as upstream
 * Machnet's, byte for byte, so that its language bindings (Go, Rust, C#,
 * JavaScript), which call these functions through FFI with their own copy
 * of the layout, work against libmachnet unchanged; and the flow a receive
 * reports is the one upstream reports (src = the sender).
 *
 * The expected values come from upstream's declarations on x86-64 Linux
 * (System V LP64: 4-byte uint32_t, 8-byte pointers and size_t):
 *   src/ext/machnet_common.h: struct MachnetFlow { uint32_t src_ip;
 *     uint32_t dst_ip; uint16_t src_port; uint16_t dst_port; };
 *   src/ext/machnet.h: struct MachnetIovec { void *base; size_t len; };
 *     struct MachnetMsgHdr { uint32_t msg_size; MachnetFlow_t flow_info;
 *     MachnetIovec_t *msg_iov; size_t msg_iovlen; uint16_t flags; };
 *   MACHNET_MSG_MAX_LEN is (8 * MB), MB being (KB * KB), KB (1 << 10):
 *     an int, 8388608.
 * They are written out as numbers, not derived from our headers, so that a
 * change of ours that moves a field fails here.
 */
#include <stdalign.h>
#include <stddef.h>

#include "channel.h"
#include "machnet.h"
#include "unit.h"

START_TEST(flow_layout)
{
	ck_assert_uint_eq(sizeof(struct MachnetFlow), 12);
	ck_assert_uint_eq(alignof(struct MachnetFlow), 4);
	ck_assert_uint_eq(offsetof(struct MachnetFlow, src_ip), 0);
	ck_assert_uint_eq(offsetof(struct MachnetFlow, dst_ip), 4);
	ck_assert_uint_eq(offsetof(struct MachnetFlow, src_port), 8);
	ck_assert_uint_eq(offsetof(struct MachnetFlow, dst_port), 10);
	ck_assert_uint_eq(sizeof(((MachnetFlow_t *)0)->src_ip), 4);
	ck_assert_uint_eq(sizeof(((MachnetFlow_t *)0)->src_port), 2);
}
END_TEST

START_TEST(iovec_layout)
{
	ck_assert_uint_eq(sizeof(struct MachnetIovec), 16);
	ck_assert_uint_eq(alignof(struct MachnetIovec), 8);
	ck_assert_uint_eq(offsetof(struct MachnetIovec, base), 0);
	ck_assert_uint_eq(offsetof(struct MachnetIovec, len), 8);
	ck_assert_uint_eq(sizeof(((MachnetIovec_t *)0)->len), 8);
}
END_TEST

START_TEST(msghdr_layout)
{
	ck_assert_uint_eq(sizeof(struct MachnetMsgHdr), 40);
	ck_assert_uint_eq(alignof(struct MachnetMsgHdr), 8);
	ck_assert_uint_eq(offsetof(struct MachnetMsgHdr, msg_size), 0);
	ck_assert_uint_eq(offsetof(struct MachnetMsgHdr, flow_info), 4);
	ck_assert_uint_eq(offsetof(struct MachnetMsgHdr, msg_iov), 16);
	ck_assert_uint_eq(offsetof(struct MachnetMsgHdr, msg_iovlen), 24);
	ck_assert_uint_eq(offsetof(struct MachnetMsgHdr, flags), 32);
	ck_assert_uint_eq(sizeof(((MachnetMsgHdr_t *)0)->msg_size), 4);
	ck_assert_uint_eq(sizeof(((MachnetMsgHdr_t *)0)->flags), 2);
}
END_TEST

START_TEST(tags_and_typedefs_name_one_type)
{
	struct MachnetFlow f = { 1, 2, 3, 4 };
	MachnetFlow_t *tf = &f;
	struct MachnetIovec v = { NULL, 0 };
	MachnetIovec_t *tv = &v;
	struct MachnetMsgHdr h = { 0 };
	MachnetMsgHdr_t *th = &h;

	/* Assigning through the typedef'd pointer would not compile if the
	 * tag and the typedef were different types. */
	th->flow_info = *tf;
	th->msg_iov = tv;
	ck_assert_uint_eq(h.flow_info.dst_port, 4);
	ck_assert_ptr_eq(h.msg_iov, &v);
}
END_TEST

START_TEST(max_len_is_upstreams_int)
{
	ck_assert_int_eq(_Generic(MACHNET_MSG_MAX_LEN, int: 1, default: 0), 1);
	ck_assert_int_eq(MACHNET_MSG_MAX_LEN, 8388608);
	ck_assert_uint_eq(MN_MSG_MAX_LEN, (unsigned int)MACHNET_MSG_MAX_LEN);
}
END_TEST

/* What the engine holds (src = local) reaches the application swapped. */
START_TEST(received_flow_names_the_sender_as_src)
{
	struct mn_flow_tuple t = {
		.src_ip = 0x0a000001, .dst_ip = 0x0a000002,
		.src_port = 49152, .dst_port = 888,
	};
	MachnetFlow_t rx = mnl_flow_as_sent(&t);
	MachnetFlow_t own = mnl_flow_to_app(&t);
	struct mn_flow_tuple back = mnl_flow_from_app(&own);

	ck_assert_uint_eq(rx.src_ip, 0x0a000002);
	ck_assert_uint_eq(rx.dst_ip, 0x0a000001);
	ck_assert_uint_eq(rx.src_port, 888);
	ck_assert_uint_eq(rx.dst_port, 49152);
	ck_assert_uint_eq(own.src_port, 49152);
	ck_assert_mem_eq(&back, &t, sizeof(t));
}
END_TEST

static Suite *
abi_suite(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("abi");

	tcase_add_test(tc, flow_layout);
	tcase_add_test(tc, iovec_layout);
	tcase_add_test(tc, msghdr_layout);
	tcase_add_test(tc, tags_and_typedefs_name_one_type);
	tcase_add_test(tc, max_len_is_upstreams_int);
	tcase_add_test(tc, received_flow_names_the_sender_as_src);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(abi_suite)
