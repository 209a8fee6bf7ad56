/*
 * test_port_offload.c: each checksum is handed to the port when, and only
 * when, the port offers that one; the start-up lines say which.
 */
#include <rte_ethdev.h>

#include "port_offload.h"
#include "unit.h"

static char *
said(const struct mn_port_offloads *o)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	mn_port_offloads_say(o, f);
	fclose(f);
	return buf;
}

START_TEST(a_port_with_every_checksum_does_them_all)
{
	struct mn_port_offloads o;

	mn_port_offloads_of("net_ice", RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
			    RTE_ETH_RX_OFFLOAD_TCP_CKSUM,
			    RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
			    RTE_ETH_TX_OFFLOAD_UDP_TSO, &o);
	ck_assert(o.tx_ip_cksum && o.tx_udp_cksum && o.rx_ip_cksum && o.rx_udp_cksum);
	/* Only what machnetd uses is configured: no TCP, no segmentation. */
	ck_assert_uint_eq(o.tx, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	ck_assert_uint_eq(o.rx, RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	ck_assert_ptr_nonnull(strstr(said(&o), "UDP checksum on transmit by the port"));
	ck_assert_ptr_nonnull(strstr(said(&o), "UDP segmentation not used"));
}
END_TEST

START_TEST(a_virtual_device_leaves_them_to_software)
{
	struct mn_port_offloads o;

	/* af_packet's: VLAN only. */
	mn_port_offloads_of("net_af_packet", RTE_ETH_RX_OFFLOAD_VLAN_STRIP,
			    RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_VLAN_INSERT, &o);
	ck_assert(!o.tx_ip_cksum && !o.tx_udp_cksum && !o.rx_ip_cksum && !o.rx_udp_cksum);
	ck_assert(!o.tx_udp_cksum_none);
	ck_assert_uint_eq(o.tx, 0);
	ck_assert_uint_eq(o.rx, 0);
	ck_assert_ptr_nonnull(strstr(said(&o), "IPv4 checksum on transmit in software"));
	ck_assert_ptr_nonnull(strstr(said(&o), "UDP checksum on receive in software"));
}
END_TEST

START_TEST(each_checksum_is_taken_on_its_own)
{
	struct mn_port_offloads o;

	mn_port_offloads_of("net_vnic", RTE_ETH_RX_OFFLOAD_UDP_CKSUM,
			    RTE_ETH_TX_OFFLOAD_IPV4_CKSUM, &o);
	ck_assert(o.tx_ip_cksum && !o.tx_udp_cksum);
	ck_assert(!o.rx_ip_cksum && o.rx_udp_cksum);
	ck_assert_uint_eq(o.tx, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
	ck_assert_uint_eq(o.rx, RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
}
END_TEST

START_TEST(memif_sends_no_udp_checksum)
{
	struct mn_port_offloads o;

	/* No wire between the two processes: none is summed, none checked. */
	mn_port_offloads_of("net_memif", 0, RTE_ETH_TX_OFFLOAD_MULTI_SEGS, &o);
	ck_assert(o.tx_udp_cksum_none);
	ck_assert(!o.tx_udp_cksum && !o.tx_ip_cksum);
	ck_assert_ptr_nonnull(strstr(said(&o), "UDP checksum not used (memif"));
	ck_assert_ptr_null(strstr(said(&o), "UDP checksum on transmit"));
	mn_port_offloads_of("net_ice", 0, RTE_ETH_TX_OFFLOAD_UDP_CKSUM, &o);
	ck_assert(!o.tx_udp_cksum_none);
}
END_TEST

static Suite *
port_offload_suite(void)
{
	Suite *s = suite_create("port_offload");
	TCase *tc = tcase_create("port_offload");

	tcase_add_test(tc, a_port_with_every_checksum_does_them_all);
	tcase_add_test(tc, a_virtual_device_leaves_them_to_software);
	tcase_add_test(tc, each_checksum_is_taken_on_its_own);
	tcase_add_test(tc, memif_sends_no_udp_checksum);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(port_offload_suite)
