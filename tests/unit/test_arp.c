/*
 * test_arp.c: the ARP cache (learning, ageing, static entries, deletion in
 * crowded probe runs, the resolve state machine) and ARP on the wire,
 * checked against frames written out byte by byte.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "arp.h"
#include "unit.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#define OUR_IP IP(10, 0, 0, 1)
#define PEER_IP IP(10, 0, 0, 2)
#define OTHER_IP IP(10, 0, 0, 3)

#define RETRY 100
#define TRIES 3
#define AGEING 1000

static struct rte_mempool *pool;
/* Too big for a test's stack to hold two of comfortably. */
static struct mn_arp_table table;
static struct mn_arp_table scratch;

static const struct rte_ether_addr mac1 = {{0x02, 0, 0, 0, 0, 0x11}};
static const struct rte_ether_addr mac2 = {{0x02, 0, 0, 0, 0, 0x22}};

static const struct mn_iface ifc = {
	.ip = OUR_IP,
	.netmask = IP(255, 255, 255, 0),
	.mac = {{0x02, 0, 0, 0, 0, 0x01}},
};

static void
setup(void)
{
	mn_arp_init(&table, RETRY, TRIES, AGEING);
}

static void
assert_mac(const struct rte_ether_addr *got, const struct rte_ether_addr *want)
{
	ck_assert_mem_eq(got->addr_bytes, want->addr_bytes, RTE_ETHER_ADDR_LEN);
}

static void
assert_resolved(struct mn_arp_table *t, uint32_t ip, uint64_t now,
		const struct rte_ether_addr *want)
{
	struct rte_ether_addr mac;

	ck_assert_msg(mn_arp_lookup(t, ip, now, &mac), "%08x not found", ip);
	assert_mac(&mac, want);
}

static void
assert_unknown(const struct mn_arp_table *t, uint32_t ip, uint64_t now)
{
	struct rte_ether_addr mac;

	ck_assert_msg(!mn_arp_lookup(t, ip, now, &mac), "%08x found", ip);
}

/* The slot ip lands in when alone in a table: its hash home. */
static uint32_t
home_slot(uint32_t ip)
{
	uint32_t i;

	mn_arp_init(&scratch, RETRY, TRIES, AGEING);
	ck_assert_int_eq(mn_arp_learn(&scratch, ip, &mac1, 0), 0);
	for (i = 0; i < MN_ARP_TABLE_SIZE; i++)
		if (scratch.entries[i].state != MN_ARP_ENTRY_FREE)
			return i;
	ck_abort_msg("learnt entry not in the table");
	return 0;
}

/* Fills ips[] with n distinct addresses from 10.1/16 whose home is slot. */
static void
ips_with_home(uint32_t slot, uint32_t *ips, int n)
{
	uint32_t ip;
	int found = 0;

	for (ip = IP(10, 1, 0, 0); found < n && ip < IP(10, 2, 0, 0); ip++)
		if (home_slot(ip) == slot)
			ips[found++] = ip;
	ck_assert_int_eq(found, n);
}

START_TEST(learn_then_lookup)
{
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac1, 10), 0);
	ck_assert_uint_eq(table.used, 1);
	assert_resolved(&table, PEER_IP, 10, &mac1);
	assert_unknown(&table, OTHER_IP, 10);
}
END_TEST

START_TEST(relearn_overwrites)
{
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac1, 10), 0);
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac2, 20), 0);
	ck_assert_uint_eq(table.used, 1);
	assert_resolved(&table, PEER_IP, 20, &mac2);
}
END_TEST

START_TEST(static_survives_learning_and_ageing)
{
	struct rte_ether_addr mac;
	bool send;

	ck_assert_int_eq(mn_arp_add_static(&table, PEER_IP, &mac1), 0);
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac2, 5), 0);
	assert_resolved(&table, PEER_IP, 5, &mac1);
	mn_arp_age(&table, 100 * AGEING);
	ck_assert_uint_eq(table.used, 1);
	assert_resolved(&table, PEER_IP, 100 * AGEING, &mac1);
	ck_assert_int_eq(mn_arp_resolve(&table, PEER_IP, 100 * AGEING, &mac,
					&send), MN_ARP_RESOLVED);
	ck_assert(!send);
	assert_mac(&mac, &mac1);
}
END_TEST

START_TEST(static_replaces_learnt)
{
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac2, 0), 0);
	ck_assert_int_eq(mn_arp_add_static(&table, PEER_IP, &mac1), 0);
	ck_assert_uint_eq(table.used, 1);
	mn_arp_age(&table, 100 * AGEING);
	assert_resolved(&table, PEER_IP, 100 * AGEING, &mac1);
}
END_TEST

START_TEST(ageing)
{
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac1, 0), 0);
	ck_assert_int_eq(mn_arp_learn(&table, OTHER_IP, &mac2, 500), 0);
	assert_resolved(&table, PEER_IP, AGEING, &mac1);
	assert_unknown(&table, PEER_IP, AGEING + 1);
	/* A clock behind the stamp does not make an entry old. */
	assert_resolved(&table, OTHER_IP, 0, &mac2);

	mn_arp_age(&table, AGEING);
	ck_assert_uint_eq(table.used, 2);
	mn_arp_age(&table, AGEING + 1);
	ck_assert_uint_eq(table.used, 1);
	assert_unknown(&table, PEER_IP, 0);
	assert_resolved(&table, OTHER_IP, AGEING + 1, &mac2);
}
END_TEST

START_TEST(ageing_zero_never_ages)
{
	mn_arp_init(&table, RETRY, TRIES, 0);
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac1, 0), 0);
	mn_arp_age(&table, UINT64_MAX);
	ck_assert_uint_eq(table.used, 1);
	assert_resolved(&table, PEER_IP, UINT64_MAX, &mac1);
}
END_TEST

START_TEST(aged_entry_resolves_afresh)
{
	struct rte_ether_addr mac;
	bool send;

	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac1, 0), 0);
	ck_assert_int_eq(mn_arp_resolve(&table, PEER_IP, AGEING + 1, &mac,
					&send), MN_ARP_PENDING);
	ck_assert(send);
	ck_assert_uint_eq(table.used, 1);
}
END_TEST

START_TEST(full_table)
{
	struct rte_ether_addr mac;
	uint32_t i;
	bool send = true;

	for (i = 0; i < MN_ARP_TABLE_SIZE; i++)
		ck_assert_int_eq(mn_arp_learn(&table, IP(10, 1, 0, 0) + i,
					      &mac1, 0), 0);
	ck_assert_uint_eq(table.used, MN_ARP_TABLE_SIZE);
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac1, 0), -1);
	ck_assert_int_eq(mn_arp_add_static(&table, PEER_IP, &mac1), -1);
	ck_assert_int_eq(mn_arp_resolve(&table, PEER_IP, 0, &mac, &send),
			 MN_ARP_FAILED);
	ck_assert(!send);
	assert_unknown(&table, PEER_IP, 0);
	ck_assert_int_eq(mn_arp_learn(&table, IP(10, 1, 0, 7), &mac2, 1), 0);
	for (i = 0; i < MN_ARP_TABLE_SIZE; i++)
		assert_resolved(&table, IP(10, 1, 0, 0) + i, 1,
				i == 7 ? &mac2 : &mac1);
}
END_TEST

/*
 * A run of three keys sharing a home plus one whose home is the next slot;
 * removing the first and third must leave the others reachable. With home
 * at the last slot the run wraps round the end of the table.
 */
static void
check_deletion_in_run(uint32_t home)
{
	uint32_t same[3];
	uint32_t next;

	ips_with_home(home, same, 3);
	ips_with_home((home + 1) % MN_ARP_TABLE_SIZE, &next, 1);
	mn_arp_init(&table, RETRY, TRIES, AGEING);
	ck_assert_int_eq(mn_arp_learn(&table, same[0], &mac1, 0), 0);
	ck_assert_int_eq(mn_arp_learn(&table, same[1], &mac2, 500), 0);
	ck_assert_int_eq(mn_arp_learn(&table, same[2], &mac1, 0), 0);
	ck_assert_int_eq(mn_arp_learn(&table, next, &mac2, 500), 0);
	ck_assert_uint_eq(table.entries[(home + 3) % MN_ARP_TABLE_SIZE].ip,
			  next);

	mn_arp_age(&table, AGEING + 1);
	ck_assert_uint_eq(table.used, 2);
	assert_unknown(&table, same[0], AGEING + 1);
	assert_unknown(&table, same[2], AGEING + 1);
	assert_resolved(&table, same[1], AGEING + 1, &mac2);
	assert_resolved(&table, next, AGEING + 1, &mac2);
	ck_assert_uint_eq(table.entries[home].ip, same[1]);
}

START_TEST(deletion_keeps_run_reachable)
{
	check_deletion_in_run(17);
}
END_TEST

START_TEST(deletion_keeps_wrapped_run_reachable)
{
	check_deletion_in_run(MN_ARP_TABLE_SIZE - 1);
}
END_TEST

/* A crowded table, half of it aged out in one sweep. */
START_TEST(deletion_in_crowded_table)
{
	const uint32_t n = MN_ARP_TABLE_SIZE - 24;
	uint32_t i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(mn_arp_learn(&table, IP(10, 2, 0, 0) + i * 7,
					      &mac1, i % 2 ? 500 : 0), 0);
	mn_arp_age(&table, AGEING + 1);
	ck_assert_uint_eq(table.used, n / 2);
	for (i = 0; i < n; i++) {
		if (i % 2)
			assert_resolved(&table, IP(10, 2, 0, 0) + i * 7,
					AGEING + 1, &mac1);
		else
			assert_unknown(&table, IP(10, 2, 0, 0) + i * 7, 0);
	}
}
END_TEST

static void
assert_resolve(uint32_t ip, uint64_t now, enum mn_arp_status want,
	       bool want_send)
{
	struct rte_ether_addr mac;
	bool send = !want_send;

	ck_assert_int_eq(mn_arp_resolve(&table, ip, now, &mac, &send), want);
	ck_assert_msg(send == want_send, "at %lu: send_request %d",
		      (unsigned long)now, send);
}

START_TEST(resolve_retries_then_fails)
{
	assert_resolve(PEER_IP, 1000, MN_ARP_PENDING, true);
	ck_assert_uint_eq(table.used, 1);
	assert_unknown(&table, PEER_IP, 1000);
	assert_resolve(PEER_IP, 1050, MN_ARP_PENDING, false);
	assert_resolve(PEER_IP, 1100, MN_ARP_PENDING, true);
	assert_resolve(PEER_IP, 1199, MN_ARP_PENDING, false);
	assert_resolve(PEER_IP, 1200, MN_ARP_PENDING, true);
	assert_resolve(PEER_IP, 1299, MN_ARP_PENDING, false);
	assert_resolve(PEER_IP, 1300, MN_ARP_FAILED, false);
	ck_assert_uint_eq(table.used, 0);
	assert_resolve(PEER_IP, 1300, MN_ARP_PENDING, true);
	assert_resolve(PEER_IP, 1301, MN_ARP_PENDING, false);
	ck_assert_uint_eq(table.used, 1);
}
END_TEST

START_TEST(learn_resolves_pending)
{
	struct rte_ether_addr mac;
	bool send;

	assert_resolve(PEER_IP, 0, MN_ARP_PENDING, true);
	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac1, 10), 0);
	ck_assert_int_eq(mn_arp_resolve(&table, PEER_IP, 20, &mac, &send),
			 MN_ARP_RESOLVED);
	ck_assert(!send);
	assert_mac(&mac, &mac1);
	ck_assert_uint_eq(table.used, 1);
}
END_TEST

START_TEST(abandoned_pending_aged_out)
{
	assert_resolve(PEER_IP, 0, MN_ARP_PENDING, true);
	mn_arp_age(&table, RETRY + AGEING);
	ck_assert_uint_eq(table.used, 1);
	mn_arp_age(&table, RETRY + AGEING + 1);
	ck_assert_uint_eq(table.used, 0);
}
END_TEST

/* Wire frames, written out here byte by byte rather than with DPDK's structs. */

#define B_OUR_MAC 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define B_PEER_MAC 0x02, 0x00, 0x00, 0x00, 0x00, 0x11
#define B_BCAST 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define B_ZERO_MAC 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
#define B_OUR_IP 0x0a, 0x00, 0x00, 0x01
#define B_PEER_IP 0x0a, 0x00, 0x00, 0x02
#define B_OTHER_IP 0x0a, 0x00, 0x00, 0x03
#define B_ARP_ETH_IPV4 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04
#define B_PAD18 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* Who has 10.0.0.1? Tell 10.0.0.2 (02:..:11). */
static const uint8_t request_for_us[42] = {
	B_BCAST, B_PEER_MAC, B_ARP_ETH_IPV4, 0x00, 0x01,
	B_PEER_MAC, B_PEER_IP, B_ZERO_MAC, B_OUR_IP,
};

static const uint8_t expected_reply[60] = {
	B_PEER_MAC, B_OUR_MAC, B_ARP_ETH_IPV4, 0x00, 0x02,
	B_OUR_MAC, B_OUR_IP, B_PEER_MAC, B_PEER_IP, B_PAD18,
};

static struct rte_mbuf *
frame(const uint8_t *bytes, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	ck_assert_ptr_nonnull(m);
	p = rte_pktmbuf_append(m, len);
	ck_assert_ptr_nonnull(p);
	memcpy(p, bytes, len);
	return m;
}

static void
assert_reply(struct rte_mbuf *m)
{
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), sizeof(expected_reply));
	ck_assert_uint_eq(rte_pktmbuf_data_len(m), sizeof(expected_reply));
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), expected_reply,
			 sizeof(expected_reply));
	rte_pktmbuf_free(m);
}

START_TEST(request_for_us_is_answered)
{
	struct rte_mbuf *m = frame(request_for_us, sizeof(request_for_us));

	assert_reply(mn_arp_input(&table, &ifc, m, 7));
	assert_resolved(&table, PEER_IP, 7, &mac1);
}
END_TEST

/* Padded on the wire with junk: the reply is still exactly 60 bytes. */
START_TEST(padded_request_for_us_is_answered)
{
	uint8_t padded[64];
	struct rte_mbuf *m;

	memset(padded, 0xa5, sizeof(padded));
	memcpy(padded, request_for_us, sizeof(request_for_us));
	m = frame(padded, sizeof(padded));
	assert_reply(mn_arp_input(&table, &ifc, m, 7));
}
END_TEST

START_TEST(reply_offloads_cleared)
{
	struct rte_mbuf *m = frame(request_for_us, sizeof(request_for_us));

	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	m = mn_arp_input(&table, &ifc, m, 7);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	rte_pktmbuf_free(m);
}
END_TEST

/* Who has 10.0.0.3? Tell 10.0.0.2. */
static const uint8_t request_for_other[42] = {
	B_BCAST, B_PEER_MAC, B_ARP_ETH_IPV4, 0x00, 0x01,
	B_PEER_MAC, B_PEER_IP, B_ZERO_MAC, B_OTHER_IP,
};

START_TEST(request_for_other_not_learnt)
{
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *m = frame(request_for_other, sizeof(request_for_other));

	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 7));
	ck_assert_uint_eq(table.used, 0);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
}
END_TEST

START_TEST(request_for_other_refreshes_known)
{
	struct rte_mbuf *m = frame(request_for_other, sizeof(request_for_other));

	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac2, 0), 0);
	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 900));
	assert_resolved(&table, PEER_IP, 900 + AGEING, &mac1);
}
END_TEST

/* 10.0.0.2 announces itself (gratuitous ARP, sender = target). */
static const uint8_t gratuitous[42] = {
	B_BCAST, B_PEER_MAC, B_ARP_ETH_IPV4, 0x00, 0x01,
	B_PEER_MAC, B_PEER_IP, B_ZERO_MAC, B_PEER_IP,
};

START_TEST(gratuitous_updates_known_only)
{
	struct rte_mbuf *m = frame(gratuitous, sizeof(gratuitous));

	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 0));
	ck_assert_uint_eq(table.used, 0);

	ck_assert_int_eq(mn_arp_learn(&table, PEER_IP, &mac2, 0), 0);
	m = frame(gratuitous, sizeof(gratuitous));
	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 0));
	assert_resolved(&table, PEER_IP, 0, &mac1);
}
END_TEST

/* 10.0.0.2 is at 02:..:11, to us. */
static const uint8_t reply_to_us[42] = {
	B_OUR_MAC, B_PEER_MAC, B_ARP_ETH_IPV4, 0x00, 0x02,
	B_PEER_MAC, B_PEER_IP, B_OUR_MAC, B_OUR_IP,
};

START_TEST(reply_resolves_pending)
{
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	bool send;

	assert_resolve(PEER_IP, 0, MN_ARP_PENDING, true);
	m = frame(reply_to_us, sizeof(reply_to_us));
	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 10));
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
	ck_assert_int_eq(mn_arp_resolve(&table, PEER_IP, 20, &mac, &send),
			 MN_ARP_RESOLVED);
	ck_assert(!send);
	assert_mac(&mac, &mac1);
}
END_TEST

START_TEST(reply_from_zero_ip_not_learnt)
{
	uint8_t bytes[42];
	struct rte_mbuf *m;

	memcpy(bytes, reply_to_us, sizeof(bytes));
	memset(&bytes[28], 0, 4);
	m = frame(bytes, sizeof(bytes));
	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 0));
	ck_assert_uint_eq(table.used, 0);
}
END_TEST

/* Each case corrupts one byte of a request for us. */
static const struct {
	unsigned int off;
	uint8_t val;
} corruptions[] = {
	{ 13, 0x00 }, /* ethertype 0x0800 */
	{ 15, 0x06 }, /* hardware type 6 (IEEE 802) */
	{ 16, 0x86 }, /* protocol 0x86dd */
	{ 18, 0x08 }, /* hlen 8 */
	{ 19, 0x10 }, /* plen 16 */
	{ 21, 0x03 }, /* opcode RARP request */
	{ 21, 0x00 }, /* opcode 0 */
};

START_TEST(malformed_dropped)
{
	unsigned int avail = rte_mempool_avail_count(pool);
	uint8_t bytes[42];
	struct rte_mbuf *m;

	memcpy(bytes, request_for_us, sizeof(bytes));
	bytes[corruptions[_i].off] = corruptions[_i].val;
	m = frame(bytes, sizeof(bytes));
	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 0));
	ck_assert_uint_eq(table.used, 0);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
}
END_TEST

START_TEST(truncated_dropped)
{
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *m;

	m = frame(request_for_us, (uint16_t)_i);
	ck_assert_ptr_null(mn_arp_input(&table, &ifc, m, 0));
	ck_assert_uint_eq(table.used, 0);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
}
END_TEST

START_TEST(request_frame)
{
	static const uint8_t want[60] = {
		B_BCAST, B_OUR_MAC, B_ARP_ETH_IPV4, 0x00, 0x01,
		B_OUR_MAC, B_OUR_IP, B_ZERO_MAC, 0xc0, 0xa8, 0x01, 0xfe,
		B_PAD18,
	};
	struct rte_mbuf *m = mn_arp_request(pool, &ifc, IP(192, 168, 1, 254));

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->nb_segs, 1);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), sizeof(want));
	ck_assert_uint_eq(rte_pktmbuf_data_len(m), sizeof(want));
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), want, sizeof(want));
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(request_on_empty_pool)
{
	struct rte_mempool *tiny = mn_unit_pool("arp_tiny", 1);
	struct rte_mbuf *held;

	ck_assert_ptr_nonnull(tiny);
	held = mn_arp_request(tiny, &ifc, PEER_IP);
	ck_assert_ptr_nonnull(held);
	ck_assert_ptr_null(mn_arp_request(tiny, &ifc, PEER_IP));
	rte_pktmbuf_free(held);
	rte_mempool_free(tiny);
}
END_TEST

static Suite *
arp_suite(void)
{
	Suite *s = suite_create("arp");
	TCase *cache = tcase_create("cache");
	TCase *wire = tcase_create("wire");

	pool = mn_unit_pool("arp_test", 256);
	if (pool == NULL) {
		fprintf(stderr, "test_arp: cannot create mbuf pool\n");
		exit(2);
	}

	tcase_add_checked_fixture(cache, setup, NULL);
	tcase_add_test(cache, learn_then_lookup);
	tcase_add_test(cache, relearn_overwrites);
	tcase_add_test(cache, static_survives_learning_and_ageing);
	tcase_add_test(cache, static_replaces_learnt);
	tcase_add_test(cache, ageing);
	tcase_add_test(cache, ageing_zero_never_ages);
	tcase_add_test(cache, aged_entry_resolves_afresh);
	tcase_add_test(cache, full_table);
	tcase_add_test(cache, deletion_keeps_run_reachable);
	tcase_add_test(cache, deletion_keeps_wrapped_run_reachable);
	tcase_add_test(cache, deletion_in_crowded_table);
	tcase_add_test(cache, resolve_retries_then_fails);
	tcase_add_test(cache, learn_resolves_pending);
	tcase_add_test(cache, abandoned_pending_aged_out);
	suite_add_tcase(s, cache);

	tcase_add_checked_fixture(wire, setup, NULL);
	tcase_add_test(wire, request_for_us_is_answered);
	tcase_add_test(wire, padded_request_for_us_is_answered);
	tcase_add_test(wire, reply_offloads_cleared);
	tcase_add_test(wire, request_for_other_not_learnt);
	tcase_add_test(wire, request_for_other_refreshes_known);
	tcase_add_test(wire, gratuitous_updates_known_only);
	tcase_add_test(wire, reply_resolves_pending);
	tcase_add_test(wire, reply_from_zero_ip_not_learnt);
	tcase_add_loop_test(wire, malformed_dropped, 0,
			    (int)RTE_DIM(corruptions));
	tcase_add_loop_test(wire, truncated_dropped, 0,
			    (int)sizeof(request_for_us));
	tcase_add_test(wire, request_frame);
	tcase_add_test(wire, request_on_empty_pool);
	suite_add_tcase(s, wire);
	return s;
}

MN_UNIT_MAIN(arp_suite)
