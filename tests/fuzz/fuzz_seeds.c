/*
 * fuzz_seeds.c: writes the packet-input fuzzer's seed corpus, real frames
 * that the project's own engines exchange, so that no binary corpus needs
 * to live in the repository.
 *
 * Each scenario starts from the world the fuzzer starts from (world.h),
 * lets the peer p talk to the engine under test t, and records what p
 * sent t, in order, as fuzz records: handshakes, data of several sizes,
 * acks, close, reset, refused connects, ARP and ping. A scenario gives one
 * seed of all its frames (checksums checked in software, as they were
 * made) and one seed per frame (checksums marked good, so that mutations
 * of it get past them).
 *
 *   usage: fuzz_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_icmp.h>

#include "arp.h"
#include "clock.h"
#include "world.h"

/* Seeds stay below the fuzzer's -max_len (the Makefile's FUZZ_MAX_LEN):
 * a longer capture goes on in a second seed. */
#define SEED_MAX 16384
#define RESUME_STEPS 6000 /* 60 ms: retransmissions and a second SYN done */

static struct fuzz_world world;
static const char *dir;
static const char *scenario;
static uint8_t seed[SEED_MAX];
static size_t seed_len;
static unsigned int parts, frames, files;
static uint64_t last_frame_at;

static void
write_file(const char *name, const uint8_t *bytes, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
		exit(1);
	}
	files++;
}

static void
flush_seed(void)
{
	char name[128];

	if (seed_len == 0)
		return;
	snprintf(name, sizeof(name), "%s-all-%u", scenario, ++parts);
	write_file(name, seed, seed_len);
	seed_len = 0;
}

/* The record's clock step: the smallest d with d * d ticks >= elapsed. */
static uint8_t
clock_ctl(uint64_t elapsed)
{
	uint8_t d = 0;

	while (d < 63 && (uint64_t)d * d * FUZZ_CTL_TICK_NS < elapsed)
		d++;
	return (uint8_t)(d << 2);
}

static void
put_record(uint8_t *to, uint8_t ctl, const struct rte_mbuf *m)
{
	to[0] = ctl;
	to[1] = (uint8_t)(m->data_len >> 8);
	to[2] = (uint8_t)m->data_len;
	memcpy(to + FUZZ_REC_HDR, rte_pktmbuf_mtod(m, const void *), m->data_len);
}

/* The tap: every frame p sends t becomes a record of both seeds. */
static void
capture(const struct rte_mbuf *m, uint64_t now)
{
	uint8_t one[FUZZ_REC_HDR + RTE_MBUF_DEFAULT_DATAROOM];
	uint8_t ctl = clock_ctl(last_frame_at != 0 ? now - last_frame_at : 0);
	size_t len = FUZZ_REC_HDR + m->data_len;
	char name[128];

	last_frame_at = now;
	if (seed_len + len > sizeof(seed))
		flush_seed();
	put_record(seed + seed_len, ctl, m);
	seed_len += len;
	put_record(one, ctl | FUZZ_CTL_IP_GOOD | FUZZ_CTL_L4_GOOD, m);
	snprintf(name, sizeof(name), "%s-%03u", scenario, ++frames);
	write_file(name, one, len);
}

/* A frame that p's engine never sends itself, built as a host would. */
static void
capture_built(struct rte_mbuf *m)
{
	if (m == NULL) {
		fprintf(stderr, "fuzz_seeds: pool empty\n");
		exit(1);
	}
	capture(m, world.now);
	rte_pktmbuf_free(m);
}

static struct rte_mbuf *
ping(uint16_t payload)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(world.pool);
	uint16_t len = (uint16_t)(sizeof(struct rte_ipv4_hdr) +
				  sizeof(struct rte_icmp_hdr) + payload);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint16_t i;

	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + len)) == NULL)
		return NULL;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->dst_addr = world.t.ifc.mac;
	eth->src_addr = world.p.ifc.mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(FUZZ_IP_P);
	ip->dst_addr = rte_cpu_to_be_32(FUZZ_IP_T);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_code = 0;
	icmp->icmp_cksum = 0;
	icmp->icmp_ident = RTE_BE16(0x4d4e);
	icmp->icmp_seq_nb = RTE_BE16(1);
	for (i = 0; i < payload; i++)
		((uint8_t *)(icmp + 1))[i] = (uint8_t)i;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + payload);
	return m;
}

static void
send_sizes(struct fuzz_node *n, const struct mn_flow_tuple *t,
	   const uint32_t *sizes, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		fuzz_app_send(&world, n, t, sizes[i]);
}

static void
sc_resume(void)
{
	fuzz_pump(&world, RESUME_STEPS);
}

static void
sc_messages(void)
{
	uint32_t mss = world.p.state.mss;
	const uint32_t from_p[] = { 1, 64, mss - 1, mss, mss + 1, 3 * mss + 7 };
	const uint32_t from_t[] = { 100, 2 * mss };

	fuzz_pump(&world, RESUME_STEPS);
	send_sizes(&world.p, &world.p_s, from_p, RTE_DIM(from_p));
	send_sizes(&world.p, &world.p_c, from_p, 3);
	send_sizes(&world.t, &world.s, from_t, RTE_DIM(from_t));
	send_sizes(&world.t, &world.c, from_t, RTE_DIM(from_t));
	fuzz_pump(&world, RESUME_STEPS);
}

static void
sc_peer_closes(void)
{
	fuzz_pump(&world, RESUME_STEPS);
	fuzz_request(&world, &world.p, MN_CTRL_CLOSE, &world.p_s, 1000);
	fuzz_request(&world, &world.p, MN_CTRL_CLOSE, &world.p_c, 1000);
	fuzz_pump(&world, RESUME_STEPS);
}

static void
sc_target_closes(void)
{
	fuzz_pump(&world, RESUME_STEPS);
	fuzz_request(&world, &world.t, MN_CTRL_CLOSE, &world.s, 1000);
	fuzz_request(&world, &world.t, MN_CTRL_CLOSE, &world.c, 1000);
	fuzz_pump(&world, RESUME_STEPS);
}

static void
sc_peer_resets(void)
{
	struct mn_flow_tuple none = { 0 };

	fuzz_pump(&world, RESUME_STEPS);
	fuzz_request(&world, &world.p, MN_CTRL_REAP, &none, 1000);
	fuzz_pump(&world, 100);
}

static void
sc_connects(void)
{
	struct mn_flow_tuple again = { .src_ip = FUZZ_IP_P, .dst_ip = FUZZ_IP_T,
				       .dst_port = FUZZ_PORT_T };
	struct mn_flow_tuple closed = again;

	closed.dst_port = FUZZ_PORT_T + 777;
	fuzz_request(&world, &world.p, MN_CTRL_CONNECT, &again, 1000);
	fuzz_request(&world, &world.p, MN_CTRL_CONNECT, &closed, 1000);
	fuzz_app_send(&world, &world.p, &again, 200);
	fuzz_pump(&world, 100);
}

/* The absent host's answer to t's request, as its machnetd would give it. */
static struct rte_mbuf *
absent_host_reply(const struct mn_iface *absent)
{
	struct rte_mbuf *req = mn_arp_request(world.pool, &world.t.ifc, FUZZ_IP_ABSENT);
	struct mn_arp_table table;

	mn_arp_init(&table, MN_NS_PER_MS, 1, 1000 * MN_NS_PER_MS);
	return req != NULL ? mn_arp_input(&table, absent, req, world.now) : NULL;
}

static void
sc_arp_ping(void)
{
	struct mn_iface absent = world.p.ifc;

	absent.ip = FUZZ_IP_ABSENT;
	absent.mac.addr_bytes[5] = 3;
	capture_built(absent_host_reply(&absent));
	capture_built(mn_arp_request(world.pool, &absent, FUZZ_IP_T));
	capture_built(mn_arp_request(world.pool, &world.p.ifc, FUZZ_IP_T));
	capture_built(mn_arp_request(world.pool, &world.p.ifc, RTE_IPV4(10, 0, 0, 4)));
	capture_built(ping(56));
	capture_built(ping(1400));
}

struct scenario {
	const char *name;
	void (*run)(void);
	bool tap_setup; /* its frames are those of the set-up itself */
};

static const struct scenario scenarios[] = {
	{ "setup", NULL, true },
	{ "resume", sc_resume, false },
	{ "messages", sc_messages, false },
	{ "peer_closes", sc_peer_closes, false },
	{ "target_closes", sc_target_closes, false },
	{ "peer_resets", sc_peer_resets, false },
	{ "connects", sc_connects, false },
	{ "arp_ping", sc_arp_ping, false },
};

static void
run(const struct scenario *s)
{
	scenario = s->name;
	parts = frames = 0;
	last_frame_at = 0;
	world.tap = s->tap_setup ? capture : NULL;
	fuzz_world_setup(&world);
	/* The fuzzer's first frame comes right after the set-up. */
	last_frame_at = world.now;
	world.tap = capture;
	if (s->run != NULL)
		s->run();
	world.tap = NULL;
	flush_seed();
	fuzz_world_teardown(&world);
	printf("fuzz_seeds: %-14s %u frames\n", s->name, frames);
}

int
main(int argc, char **argv)
{
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	fuzz_eal_init(argv[0]);
	fuzz_world_init(&world);
	for (i = 0; i < RTE_DIM(scenarios); i++)
		run(&scenarios[i]);
	printf("fuzz_seeds: %u seeds in %s\n", files, dir);
	return 0;
}
