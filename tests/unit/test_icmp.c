/*
 * test_icmp.c: echo requests come back as correct echo replies (addresses,
 * TTL, both checksums, IP options, padding, chained mbufs), and everything
 * else is dropped without leaking its mbuf.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "icmp.h"
#include "unit.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#define OUR_IP IP(10, 0, 0, 1)
#define PEER_IP IP(10, 0, 0, 2)
#define L2 sizeof(struct rte_ether_hdr)
#define IP_MIN sizeof(struct rte_ipv4_hdr)
#define ICMP_HDR sizeof(struct rte_icmp_hdr)
#define IDENT 0xbeef
#define SEQ 7
#define REQUEST_TTL 17

static struct rte_mempool *pool;

static const struct rte_ether_addr peer_mac = {{0x02, 0, 0, 0, 0, 0x22}};

static const struct mn_iface ifc = {
	.ip = OUR_IP,
	.netmask = IP(255, 255, 255, 0),
	.mac = {{0x02, 0, 0, 0, 0, 0x01}},
};

/* NOP, NOP, NOP, end of options: padding a header to any IHL. */
static const uint8_t options[40] = {1, 1, 1, 0};

static uint8_t
payload_byte(unsigned int i)
{
	return (uint8_t)(i * 7 + 3);
}

static struct rte_ipv4_hdr *
ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2);
}

static struct rte_icmp_hdr *
icmp_of(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);

	return (struct rte_icmp_hdr *)((char *)ip + rte_ipv4_hdr_len(ip));
}

static void
refresh_ip_cksum(struct rte_mbuf *m)
{
	ip_of(m)->hdr_checksum = 0;
	ip_of(m)->hdr_checksum = rte_ipv4_cksum(ip_of(m));
}

/* Valid only while the whole datagram is in the first segment. */
static void
refresh_icmp_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);

	icmp_of(m)->icmp_cksum = 0;
	icmp_of(m)->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp_of(m), len);
}

/*
 * An echo request from the peer to dst with opt_len bytes of IP options
 * and payload_len bytes of payload, padded with junk to frame_len when
 * that is longer.
 */
static struct rte_mbuf *
echo_request(uint32_t dst, unsigned int opt_len, uint16_t payload_len,
	     uint16_t frame_len)
{
	uint16_t ip_len = (uint16_t)(IP_MIN + opt_len + ICMP_HDR + payload_len);
	uint16_t len = RTE_MAX((uint16_t)(L2 + ip_len), frame_len);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint8_t *data;
	unsigned int i;

	ck_assert_ptr_nonnull(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	ck_assert_ptr_nonnull(eth);
	memset(eth, 0x5a, len);
	rte_ether_addr_copy(&ifc.mac, &eth->dst_addr);
	rte_ether_addr_copy(&peer_mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = (uint8_t)(IPVERSION << 4 | (IP_MIN + opt_len) / 4);
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->packet_id = RTE_BE16(0x1234);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = REQUEST_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	memcpy(ip + 1, options, opt_len);
	icmp = icmp_of(m);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_code = 0;
	icmp->icmp_ident = RTE_BE16(IDENT);
	icmp->icmp_seq_nb = RTE_BE16(SEQ);
	data = (uint8_t *)(icmp + 1);
	for (i = 0; i < payload_len; i++)
		data[i] = payload_byte(i);
	refresh_ip_cksum(m);
	refresh_icmp_cksum(m);
	return m;
}

static void
assert_echo_reply(struct rte_mbuf *m, unsigned int opt_len,
		  uint16_t payload_len)
{
	uint16_t ip_len = (uint16_t)(IP_MIN + opt_len + ICMP_HDR + payload_len);
	uint8_t flat[L2 + IP_MIN + 40 + ICMP_HDR + 2000] __rte_aligned(8);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)flat;
	const void *frame;
	struct rte_ipv4_hdr *ip;
	const struct rte_icmp_hdr *icmp;
	const uint8_t *data;
	uint16_t sent_cksum;
	unsigned int i;

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), L2 + ip_len);
	ck_assert_uint_le(rte_pktmbuf_pkt_len(m), sizeof(flat));
	ck_assert_uint_eq(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	/* A copy, so that the checksums can be redone without touching m. */
	frame = rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), flat);
	ck_assert_ptr_nonnull(frame);
	if (frame != flat)
		memcpy(flat, frame, rte_pktmbuf_pkt_len(m));

	ck_assert_mem_eq(eth->dst_addr.addr_bytes, peer_mac.addr_bytes, 6);
	ck_assert_mem_eq(eth->src_addr.addr_bytes, ifc.mac.addr_bytes, 6);
	ck_assert_uint_eq(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));

	ip = (struct rte_ipv4_hdr *)(flat + L2);
	ck_assert_uint_eq(rte_ipv4_hdr_len(ip), IP_MIN + opt_len);
	ck_assert_uint_eq(rte_be_to_cpu_16(ip->total_length), ip_len);
	ck_assert_uint_eq(ip->packet_id, RTE_BE16(0x1234));
	ck_assert_uint_eq(ip->time_to_live, 64);
	ck_assert_uint_eq(ip->next_proto_id, IPPROTO_ICMP);
	ck_assert_uint_eq(rte_be_to_cpu_32(ip->src_addr), OUR_IP);
	ck_assert_uint_eq(rte_be_to_cpu_32(ip->dst_addr), PEER_IP);
	ck_assert_mem_eq(ip + 1, options, opt_len);
	sent_cksum = ip->hdr_checksum;
	ip->hdr_checksum = 0;
	ck_assert_uint_eq(rte_ipv4_cksum(ip), sent_cksum);

	icmp = (const struct rte_icmp_hdr *)(flat + L2 + IP_MIN + opt_len);
	ck_assert_uint_eq(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	ck_assert_uint_eq(icmp->icmp_code, 0);
	ck_assert_uint_eq(icmp->icmp_ident, RTE_BE16(IDENT));
	ck_assert_uint_eq(icmp->icmp_seq_nb, RTE_BE16(SEQ));
	ck_assert_uint_eq(rte_raw_cksum(icmp, ICMP_HDR + payload_len), 0xffff);
	data = (const uint8_t *)(icmp + 1);
	for (i = 0; i < payload_len; i++)
		ck_assert_uint_eq(data[i], payload_byte(i));
	rte_pktmbuf_free(m);
}

static void
assert_dropped(struct rte_mbuf *m)
{
	unsigned int avail = rte_mempool_avail_count(pool);
	unsigned int segs = m->nb_segs;

	ck_assert_ptr_null(mn_icmp_input(&ifc, m));
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail + segs);
}

START_TEST(echo_is_answered)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	assert_echo_reply(mn_icmp_input(&ifc, m), 0, 56);
}
END_TEST

START_TEST(odd_payload_is_answered)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 37, 0);

	assert_echo_reply(mn_icmp_input(&ifc, m), 0, 37);
}
END_TEST

START_TEST(empty_payload_is_answered)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 0, 0);

	assert_echo_reply(mn_icmp_input(&ifc, m), 0, 0);
}
END_TEST

START_TEST(padding_is_trimmed)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 4, 60);

	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), 60);
	assert_echo_reply(mn_icmp_input(&ifc, m), 0, 4);
}
END_TEST

/* _i is the options length: IHL 6 and the largest, IHL 15. */
START_TEST(ip_options_are_kept)
{
	struct rte_mbuf *m = echo_request(OUR_IP, (unsigned int)_i, 56, 0);

	assert_echo_reply(mn_icmp_input(&ifc, m), (unsigned int)_i, 56);
}
END_TEST

START_TEST(offloads_are_cleared)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	assert_echo_reply(mn_icmp_input(&ifc, m), 0, 56);
}
END_TEST

/* A large ping received as two segments, with padding in the second. */
START_TEST(chained_echo_is_answered)
{
	const uint16_t payload = 1400;
	const uint16_t head = L2 + IP_MIN + ICMP_HDR + 100;
	struct rte_mbuf *m = echo_request(OUR_IP, 0, payload, 0);
	struct rte_mbuf *tail = rte_pktmbuf_alloc(pool);
	uint16_t rest = (uint16_t)(rte_pktmbuf_pkt_len(m) - head);
	char *p;

	ck_assert_ptr_nonnull(tail);
	p = rte_pktmbuf_append(tail, (uint16_t)(rest + 6));
	ck_assert_ptr_nonnull(p);
	memcpy(p, rte_pktmbuf_mtod_offset(m, char *, head), rest);
	memset(p + rest, 0x5a, 6);
	ck_assert_int_eq(rte_pktmbuf_trim(m, rest), 0);
	ck_assert_int_eq(rte_pktmbuf_chain(m, tail), 0);
	assert_echo_reply(mn_icmp_input(&ifc, m), 0, payload);
}
END_TEST

START_TEST(wrong_destination_dropped)
{
	assert_dropped(echo_request(IP(10, 0, 0, 9), 0, 56, 0));
	assert_dropped(echo_request(IP(10, 0, 0, 255), 0, 56, 0));
}
END_TEST

START_TEST(bad_source_dropped)
{
	static const uint32_t bad[] = {0, UINT32_MAX, IP(224, 0, 0, 1)};
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

		ip_of(m)->src_addr = rte_cpu_to_be_32(bad[i]);
		refresh_ip_cksum(m);
		assert_dropped(m);
	}
}
END_TEST

START_TEST(bad_ip_cksum_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	ip_of(m)->hdr_checksum ^= RTE_BE16(0x0100);
	assert_dropped(m);
}
END_TEST

START_TEST(bad_icmp_cksum_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	((uint8_t *)(icmp_of(m) + 1))[10] ^= 0x01;
	assert_dropped(m);
}
END_TEST

/* Total length claims bytes the frame does not have. */
START_TEST(short_datagram_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	ck_assert_int_eq(rte_pktmbuf_trim(m, 10), 0);
	assert_dropped(m);
}
END_TEST

/* _i is the frame length, always short of Ethernet + IP + ICMP headers. */
START_TEST(truncated_headers_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 0, 0);

	ck_assert_int_eq(rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) -
							 _i)), 0);
	assert_dropped(m);
}
END_TEST

START_TEST(total_length_below_headers_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	ip_of(m)->total_length = rte_cpu_to_be_16(IP_MIN + ICMP_HDR - 1);
	refresh_ip_cksum(m);
	assert_dropped(m);
}
END_TEST

static const struct {
	uint8_t type;
	uint8_t code;
} not_echo[] = {
	{ RTE_IP_ICMP_ECHO_REPLY, 0 },
	{ 3, 3 },  /* port unreachable */
	{ 13, 0 }, /* timestamp request */
	{ RTE_IP_ICMP_ECHO_REQUEST, 1 },
};

START_TEST(non_echo_ignored)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	icmp_of(m)->icmp_type = not_echo[_i].type;
	icmp_of(m)->icmp_code = not_echo[_i].code;
	refresh_icmp_cksum(m);
	assert_dropped(m);
}
END_TEST

START_TEST(not_icmp_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	ip_of(m)->next_proto_id = IPPROTO_UDP;
	refresh_ip_cksum(m);
	assert_dropped(m);
}
END_TEST

START_TEST(fragment_dropped)
{
	static const uint16_t frag[] = {
		RTE_IPV4_HDR_MF_FLAG, 1, RTE_IPV4_HDR_MF_FLAG | 8,
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(frag); i++) {
		struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

		ip_of(m)->fragment_offset = rte_cpu_to_be_16(frag[i]);
		refresh_ip_cksum(m);
		assert_dropped(m);
	}
}
END_TEST

/* _i is the version and IHL byte. */
START_TEST(bad_version_or_ihl_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	ip_of(m)->version_ihl = (uint8_t)_i;
	ip_of(m)->hdr_checksum = 0;
	ip_of(m)->hdr_checksum = (uint16_t)~rte_raw_cksum(ip_of(m), IP_MIN);
	assert_dropped(m);
}
END_TEST

START_TEST(not_ipv4_dropped)
{
	struct rte_mbuf *m = echo_request(OUR_IP, 0, 56, 0);

	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_IPV6);
	assert_dropped(m);
}
END_TEST

static Suite *
icmp_suite(void)
{
	Suite *s = suite_create("icmp");
	TCase *reply = tcase_create("reply");
	TCase *drop = tcase_create("drop");

	pool = mn_unit_pool("icmp_test", 256);
	if (pool == NULL) {
		fprintf(stderr, "test_icmp: cannot create mbuf pool\n");
		exit(2);
	}

	tcase_add_test(reply, echo_is_answered);
	tcase_add_test(reply, odd_payload_is_answered);
	tcase_add_test(reply, empty_payload_is_answered);
	tcase_add_test(reply, padding_is_trimmed);
	tcase_add_loop_test(reply, ip_options_are_kept, 4, 5);
	tcase_add_loop_test(reply, ip_options_are_kept, 40, 41);
	tcase_add_test(reply, offloads_are_cleared);
	tcase_add_test(reply, chained_echo_is_answered);
	suite_add_tcase(s, reply);

	tcase_add_test(drop, wrong_destination_dropped);
	tcase_add_test(drop, bad_source_dropped);
	tcase_add_test(drop, bad_ip_cksum_dropped);
	tcase_add_test(drop, bad_icmp_cksum_dropped);
	tcase_add_test(drop, short_datagram_dropped);
	tcase_add_loop_test(drop, truncated_headers_dropped, 0,
			    (int)(L2 + IP_MIN + ICMP_HDR));
	tcase_add_test(drop, total_length_below_headers_dropped);
	tcase_add_loop_test(drop, non_echo_ignored, 0, (int)RTE_DIM(not_echo));
	tcase_add_test(drop, not_icmp_dropped);
	tcase_add_test(drop, fragment_dropped);
	tcase_add_loop_test(drop, bad_version_or_ihl_dropped, 0x44, 0x45);
	tcase_add_loop_test(drop, bad_version_or_ihl_dropped, 0x65, 0x66);
	tcase_add_test(drop, not_ipv4_dropped);
	suite_add_tcase(s, drop);
	return s;
}

MN_UNIT_MAIN(icmp_suite)
