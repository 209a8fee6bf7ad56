/*
 * test_iface.c: which destinations connect refuses at once as no host's
 * address (0.0.0.0, multicast, reserved, broadcast, the local subnet's
 * network and broadcast addresses), and that every other one is kept,
 * including hosts beyond a gateway and both ends of a /31.
 */
#include "iface.h"
#include "unit.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static struct mn_iface
iface(uint32_t ip, uint32_t mask)
{
	struct mn_iface ifc = { .ip = ip, .netmask = mask };

	return ifc;
}

START_TEST(refuses_what_no_host_has)
{
	struct mn_iface ifc = iface(IP(10, 99, 0, 1), IP(255, 255, 255, 0));

	ck_assert(!mn_iface_unicast(&ifc, 0));
	ck_assert(!mn_iface_unicast(&ifc, IP(255, 255, 255, 255)));
	ck_assert(!mn_iface_unicast(&ifc, IP(224, 0, 0, 1)));
	ck_assert(!mn_iface_unicast(&ifc, IP(239, 255, 255, 250)));
	ck_assert(!mn_iface_unicast(&ifc, IP(240, 0, 0, 1)));
	ck_assert(!mn_iface_unicast(&ifc, IP(10, 99, 0, 0)));
	ck_assert(!mn_iface_unicast(&ifc, IP(10, 99, 0, 255)));
}
END_TEST

START_TEST(keeps_every_host)
{
	struct mn_iface ifc = iface(IP(10, 99, 0, 1), IP(255, 255, 255, 0));

	ck_assert(mn_iface_unicast(&ifc, IP(10, 99, 0, 2)));
	ck_assert(mn_iface_unicast(&ifc, IP(10, 99, 0, 254)));
	ck_assert(mn_iface_unicast(&ifc, IP(10, 99, 0, 1)));
	/* Off the subnet, .0 and .255 can be hosts of a wider one. */
	ck_assert(mn_iface_unicast(&ifc, IP(10, 98, 0, 0)));
	ck_assert(mn_iface_unicast(&ifc, IP(10, 98, 0, 255)));
	ck_assert(mn_iface_unicast(&ifc, IP(223, 255, 255, 254)));
}
END_TEST

START_TEST(point_to_point_subnets_have_no_broadcast)
{
	struct mn_iface p2p = iface(IP(10, 0, 0, 0), IP(255, 255, 255, 254));
	struct mn_iface host = iface(IP(10, 0, 0, 7), IP(255, 255, 255, 255));
	struct mn_iface wide = iface(IP(10, 1, 2, 3), IP(255, 0, 0, 0));

	ck_assert(mn_iface_unicast(&p2p, IP(10, 0, 0, 0)));
	ck_assert(mn_iface_unicast(&p2p, IP(10, 0, 0, 1)));
	ck_assert(mn_iface_unicast(&host, IP(10, 0, 0, 7)));
	ck_assert(!mn_iface_unicast(&wide, IP(10, 255, 255, 255)));
	ck_assert(!mn_iface_unicast(&wide, IP(10, 0, 0, 0)));
	ck_assert(mn_iface_unicast(&wide, IP(10, 0, 0, 255)));
}
END_TEST

static Suite *
iface_suite(void)
{
	Suite *s = suite_create("iface");
	TCase *tc = tcase_create("iface");

	tcase_add_test(tc, refuses_what_no_host_has);
	tcase_add_test(tc, keeps_every_host);
	tcase_add_test(tc, point_to_point_subnets_have_no_broadcast);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(iface_suite)
