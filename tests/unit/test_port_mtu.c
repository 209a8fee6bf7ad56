/*
 * test_port_mtu.c: machnetd takes the largest MTU the configuration and
 * the port allow, and the port's limit is what its device really carries
 * (port_mtu.c), not the 1518-byte frame af_packet and memif report; the
 * pool's buffers hold what each device needs to receive into them.
 */
#include <rte_mbuf.h>

#include "port_mtu.h"
#include "unit.h"

static struct mn_port_mtu
decide(const char *driver, const char *devargs, uint32_t max_mtu,
       uint32_t max_rx_pktlen, uint32_t link_mtu)
{
	struct mn_port_facts f = { driver, devargs, max_mtu, max_rx_pktlen,
				   link_mtu };
	struct mn_port_mtu m;

	mn_port_mtu_of(&f, &m);
	return m;
}

START_TEST(af_packet_carries_its_frame_size_and_no_more_than_its_link)
{
	struct mn_port_mtu m;

	/* The default 2048-byte frames: 66 bytes go to the kernel's header. */
	m = decide("net_af_packet", "iface=veth0", UINT16_MAX, 1518, 9000);
	ck_assert_uint_eq(m.max_mtu, 2048 - 66 - 14);
	ck_assert_uint_eq(m.rx_buf_min, 2048 - 32);
	m = decide("net_af_packet", "iface=veth0,framesz=9216,blocksz=36864",
		   UINT16_MAX, 1518, 9000);
	ck_assert_uint_eq(m.max_mtu, 9000);
	ck_assert_ptr_nonnull(strstr(m.why, "link MTU 9000"));
	ck_assert_uint_eq(m.rx_buf_min, 9216 - 32);
	m = decide("net_af_packet", "iface=veth0,framesz=9216", UINT16_MAX, 1518, 1500);
	ck_assert_uint_eq(m.max_mtu, 1500);
	m = decide("net_af_packet", "iface=veth0,framesz=9216", UINT16_MAX, 1518, 0);
	ck_assert_uint_eq(m.max_mtu, 9216 - 66 - 14);
}
END_TEST

START_TEST(memif_carries_one_buffer)
{
	ck_assert_uint_eq(decide("net_memif", "role=server", UINT16_MAX, 1518, 0).max_mtu,
			  2048 - 14);
	ck_assert_uint_eq(decide("net_memif", "role=client,bsize=9216,socket=/x",
				 UINT16_MAX, 1518, 0).max_mtu, 9216 - 14);
	/* A number that is not one leaves the default. */
	ck_assert_uint_eq(decide("net_memif", "bsize=big", UINT16_MAX, 1518, 0).max_mtu,
			  2048 - 14);
}
END_TEST

START_TEST(af_xdp_carries_its_own_limit_and_its_links)
{
	struct mn_port_mtu m = decide("net_af_xdp", "iface=veth0", 3542, 3560, 9000);

	/* Less than the 3542 it reports: a whole mbuf must fit a 4 KiB umem
	 * chunk with room to spare; 3398 is the last MTU that worked here. */
	ck_assert_uint_eq(m.max_mtu, 3398);
	ck_assert_uint_eq(m.rx_headroom, 256);
	ck_assert_uint_eq(decide("net_af_xdp", "iface=veth0", 3542, 3560, 1500).max_mtu,
			  1500);
}
END_TEST

START_TEST(a_nic_carries_its_max_mtu_or_its_longest_frame)
{
	ck_assert_uint_eq(decide("net_ice", "", 9702, 9728, 0).max_mtu, 9702);
	/* No max_mtu given: the frame less Ethernet header and CRC. */
	ck_assert_uint_eq(decide("net_netvsc", "", UINT16_MAX, 1518, 0).max_mtu, 1500);
	ck_assert_uint_eq(decide("net_vnic", "", 0, 9018, 0).max_mtu, 9000);
}
END_TEST

START_TEST(the_configured_mtu_is_a_ceiling)
{
	struct mn_port_mtu jumbo = decide("net_ice", "", 9702, 9728, 0);
	struct mn_port_mtu plain = decide("net_netvsc", "", UINT16_MAX, 1518, 0);

	ck_assert_uint_eq(mn_port_mtu_choose(1500, &jumbo), 1500);
	ck_assert_uint_eq(mn_port_mtu_choose(9000, &jumbo), 9000);
	ck_assert_uint_eq(mn_port_mtu_choose(9000, &plain), 1500);
}
END_TEST

START_TEST(buffers_hold_what_the_device_receives_into_them)
{
	struct mn_port_mtu m = decide("net_af_xdp", "iface=veth0", 3542, 3560, 0);

	/* Never less than 2 KiB of data room, what MTU 1500 always had. */
	ck_assert_uint_eq(mn_port_mtu_data_room(&m, 1500), RTE_PKTMBUF_HEADROOM + 2048);
	/* af_xdp's 256 bytes before the frame come out of the data room. */
	ck_assert_uint_ge(mn_port_mtu_data_room(&m, 3500),
			  RTE_PKTMBUF_HEADROOM + 256 + 3500 + 14);
	/* af_packet wants room for a whole PACKET_MMAP frame, whatever the MTU. */
	m = decide("net_af_packet", "iface=veth0,framesz=9216", UINT16_MAX, 1518, 1500);
	ck_assert_uint_ge(mn_port_mtu_data_room(&m, 1500), RTE_PKTMBUF_HEADROOM + 9184);
	m = decide("net_memif", "bsize=9216", UINT16_MAX, 1518, 0);
	ck_assert_uint_ge(mn_port_mtu_data_room(&m, 9000), RTE_PKTMBUF_HEADROOM + 9014);
}
END_TEST

static Suite *
port_mtu_suite(void)
{
	Suite *s = suite_create("port_mtu");
	TCase *tc = tcase_create("port_mtu");

	tcase_add_test(tc, af_packet_carries_its_frame_size_and_no_more_than_its_link);
	tcase_add_test(tc, memif_carries_one_buffer);
	tcase_add_test(tc, af_xdp_carries_its_own_limit_and_its_links);
	tcase_add_test(tc, a_nic_carries_its_max_mtu_or_its_longest_frame);
	tcase_add_test(tc, the_configured_mtu_is_a_ceiling);
	tcase_add_test(tc, buffers_hold_what_the_device_receives_into_them);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(port_mtu_suite)
