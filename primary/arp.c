/*
 * arp.c: the engine's ARP cache, and answering and asking ARP on the wire,
 * because machnetd owns its port and no kernel resolves neighbours for it.
 *
 * The cache is open addressing with linear probing. Deletion shifts later
 * members of a probe run back into the hole, so lookups never need
 * tombstones and a table that has churned for days probes as little as a
 * fresh one.
 *
 * Every public function that changes slots does so between arp_change_begin
 * and arp_change_end (the helpers below them never bump the count), so
 * that a telemetry reader sees the table as one change or the next left it.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "arp.h"

#define ARP_MASK (MN_ARP_TABLE_SIZE - 1)
#define ARP_HASH_SHIFT (32 - __builtin_ctz(MN_ARP_TABLE_SIZE))
#define ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))
/* Shortest frame on the wire once the NIC appends the CRC. */
#define ARP_MIN_FRAME (RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN)
/* Copies mn_arp_snapshot tries before it gives up: each takes a few
 * microseconds, and a change lasts a few nanoseconds. */
#define ARP_SNAPSHOT_TRIES 64

_Static_assert(MN_ARP_TABLE_SIZE > 1 && (MN_ARP_TABLE_SIZE & ARP_MASK) == 0,
	       "MN_ARP_TABLE_SIZE must be a power of two");

/*
 * Fibonacci hashing: a plain mask of the low bits would lay a subnet's
 * hosts end to end in one long run that every other key landing in it
 * must walk.
 */
static inline uint32_t
arp_home(uint32_t ip)
{
	return (uint32_t)(ip * 2654435761u) >> ARP_HASH_SHIFT;
}

static inline void
arp_change_begin(struct mn_arp_table *t)
{
	rte_seqcount_write_begin(&t->seq);
}

static inline void
arp_change_end(struct mn_arp_table *t)
{
	rte_seqcount_write_end(&t->seq);
}

/* The slot holding ip, or -1. */
static int
arp_find(const struct mn_arp_table *t, uint32_t ip)
{
	uint32_t i = arp_home(ip);
	uint32_t n;

	for (n = 0; n < MN_ARP_TABLE_SIZE; n++, i = (i + 1) & ARP_MASK) {
		const struct mn_arp_entry *e = &t->entries[i];

		if (e->state == MN_ARP_ENTRY_FREE)
			return -1;
		if (e->ip == ip)
			return (int)i;
	}
	return -1;
}

/*
 * The entry for ip, claiming a free slot when ip has none; a claimed one
 * comes back with state FREE for the caller to fill in at once. NULL when
 * the table is full.
 */
static struct mn_arp_entry *
arp_get(struct mn_arp_table *t, uint32_t ip)
{
	uint32_t i = arp_home(ip);
	uint32_t n;

	for (n = 0; n < MN_ARP_TABLE_SIZE; n++, i = (i + 1) & ARP_MASK) {
		struct mn_arp_entry *e = &t->entries[i];

		if (e->state == MN_ARP_ENTRY_FREE) {
			memset(e, 0, sizeof(*e));
			e->ip = ip;
			t->used++;
			return e;
		}
		if (e->ip == ip)
			return e;
	}
	return NULL;
}

/* Backward-shift deletion: what follows in the run moves up if it may. */
static void
arp_remove(struct mn_arp_table *t, struct mn_arp_entry *victim)
{
	uint32_t hole = (uint32_t)(victim - t->entries);
	uint32_t j = hole;

	t->entries[hole].state = MN_ARP_ENTRY_FREE;
	for (;;) {
		struct mn_arp_entry *e;
		uint32_t home;

		j = (j + 1) & ARP_MASK;
		e = &t->entries[j];
		if (e->state == MN_ARP_ENTRY_FREE)
			break;
		home = arp_home(e->ip);
		/* e may move only if its home does not lie after the hole. */
		if (((j - home) & ARP_MASK) >= ((j - hole) & ARP_MASK)) {
			t->entries[hole] = *e;
			e->state = MN_ARP_ENTRY_FREE;
			hole = j;
		}
	}
	memset(&t->entries[hole], 0, sizeof(t->entries[hole]));
	t->used--;
}

/* A fake or restarted clock may run behind a stamp: that is not old. */
static inline bool
arp_older_than_ageing(const struct mn_arp_table *t, uint64_t stamp,
		      uint64_t now)
{
	return t->ageing_ns != 0 && now > stamp && now - stamp > t->ageing_ns;
}

static bool
arp_usable(const struct mn_arp_table *t, const struct mn_arp_entry *e,
	   uint64_t now)
{
	if (e->state == MN_ARP_ENTRY_STATIC)
		return true;
	return e->state == MN_ARP_ENTRY_RESOLVED &&
	       !arp_older_than_ageing(t, e->stamp, now);
}

void
mn_arp_init(struct mn_arp_table *t, uint64_t retry_ns, uint32_t max_tries,
	    uint64_t ageing_ns)
{
	memset(t, 0, sizeof(*t));
	t->retry_ns = retry_ns;
	t->max_tries = max_tries;
	t->ageing_ns = ageing_ns;
}

int
mn_arp_add_static(struct mn_arp_table *t, uint32_t ip,
		  const struct rte_ether_addr *mac)
{
	struct mn_arp_entry *e;

	arp_change_begin(t);
	e = arp_get(t, ip);
	if (e != NULL) {
		e->state = MN_ARP_ENTRY_STATIC;
		e->tries = 0;
		e->stamp = 0;
		rte_ether_addr_copy(mac, &e->mac);
	}
	arp_change_end(t);
	return e != NULL ? 0 : -1;
}

int
mn_arp_learn(struct mn_arp_table *t, uint32_t ip,
	     const struct rte_ether_addr *mac, uint64_t now)
{
	struct mn_arp_entry *e;

	arp_change_begin(t);
	e = arp_get(t, ip);
	if (e != NULL && e->state != MN_ARP_ENTRY_STATIC) {
		e->state = MN_ARP_ENTRY_RESOLVED;
		e->tries = 0;
		e->stamp = now;
		rte_ether_addr_copy(mac, &e->mac);
	}
	arp_change_end(t);
	return e != NULL ? 0 : -1;
}

bool
mn_arp_lookup(const struct mn_arp_table *t, uint32_t ip, uint64_t now,
	      struct rte_ether_addr *mac)
{
	int i = arp_find(t, ip);

	if (i < 0 || !arp_usable(t, &t->entries[i], now))
		return false;
	rte_ether_addr_copy(&t->entries[i].mac, mac);
	return true;
}

static enum mn_arp_status
arp_retry(struct mn_arp_table *t, struct mn_arp_entry *e, uint64_t now,
	  bool *send_request)
{
	uint32_t max_tries = RTE_MIN(t->max_tries, (uint32_t)UINT8_MAX);

	if (now < e->stamp)
		return MN_ARP_PENDING;
	if (e->tries < max_tries) {
		e->tries++;
		e->stamp = now + t->retry_ns;
		*send_request = true;
		return MN_ARP_PENDING;
	}
	arp_remove(t, e);
	return MN_ARP_FAILED;
}

/* mn_arp_resolve for an ip with no usable entry: inside a change. */
static enum mn_arp_status
arp_resolve_unusable(struct mn_arp_table *t, uint32_t ip, uint64_t now,
		     bool *send_request)
{
	struct mn_arp_entry *e = arp_get(t, ip);

	/* A full table has nowhere to remember that a request is out. */
	if (e == NULL)
		return MN_ARP_FAILED;
	if (e->state == MN_ARP_ENTRY_PENDING)
		return arp_retry(t, e, now, send_request);
	/* New, or learnt so long ago that the neighbour may have moved. */
	e->state = MN_ARP_ENTRY_PENDING;
	e->tries = 1;
	e->stamp = now + t->retry_ns;
	*send_request = true;
	return MN_ARP_PENDING;
}

enum mn_arp_status
mn_arp_resolve(struct mn_arp_table *t, uint32_t ip, uint64_t now,
	       struct rte_ether_addr *mac, bool *send_request)
{
	enum mn_arp_status st;
	int i = arp_find(t, ip);

	*send_request = false;
	if (i >= 0 && arp_usable(t, &t->entries[i], now)) {
		rte_ether_addr_copy(&t->entries[i].mac, mac);
		return MN_ARP_RESOLVED;
	}
	arp_change_begin(t);
	st = arp_resolve_unusable(t, ip, now, send_request);
	arp_change_end(t);
	return st;
}

/*
 * Pending entries go too once nobody has asked about them for ageing_ns
 * past their due retry, or a peer that was tried once would hold its slot
 * for ever.
 */
static bool
arp_stale(const struct mn_arp_table *t, const struct mn_arp_entry *e,
	  uint64_t now)
{
	if (e->state != MN_ARP_ENTRY_RESOLVED &&
	    e->state != MN_ARP_ENTRY_PENDING)
		return false;
	return arp_older_than_ageing(t, e->stamp, now);
}

void
mn_arp_age(struct mn_arp_table *t, uint64_t now)
{
	uint32_t i = 0;

	if (t->ageing_ns == 0)
		return;
	/* A removal may shift an unvisited entry into slot i: look again. */
	while (i < MN_ARP_TABLE_SIZE) {
		if (arp_stale(t, &t->entries[i], now)) {
			arp_change_begin(t);
			arp_remove(t, &t->entries[i]);
			arp_change_end(t);
		} else {
			i++;
		}
	}
}

bool
mn_arp_expired(const struct mn_arp_table *t, const struct mn_arp_entry *e,
	       uint64_t now)
{
	return e->state == MN_ARP_ENTRY_RESOLVED &&
	       arp_older_than_ageing(t, e->stamp, now);
}

int
mn_arp_snapshot(const struct mn_arp_table *t,
		struct mn_arp_entry out[MN_ARP_TABLE_SIZE])
{
	uint32_t sn;
	int n;

	for (n = 0; n < ARP_SNAPSHOT_TRIES; n++) {
		sn = rte_seqcount_read_begin(&t->seq);
		memcpy(out, t->entries, sizeof(t->entries));
		if (!rte_seqcount_read_retry(&t->seq, sn))
			return 0;
		rte_pause();
	}
	return -EBUSY;
}

/* The ARP header of m if m is a whole, well-formed Ethernet/IPv4 ARP frame. */
static struct rte_arp_hdr *
arp_parse(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	uint16_t op;

	/* ARP is far smaller than any mbuf; a chain is not worth handling. */
	if (!rte_pktmbuf_is_contiguous(m) ||
	    rte_pktmbuf_data_len(m) < ARP_FRAME_LEN)
		return NULL;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
		return NULL;
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
				      sizeof(struct rte_ether_hdr));
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return NULL;
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return NULL;
	return arp;
}

/*
 * Like Linux: learn from replies and from requests aimed at us, and keep
 * known neighbours fresh from anything they say, but do not fill the table
 * with every host's chatter about others.
 */
static void
arp_learn_sender(struct mn_arp_table *t, const struct mn_iface *ifc,
		 const struct rte_arp_hdr *arp, uint64_t now)
{
	uint32_t sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	uint32_t tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
	struct rte_ether_addr sha;

	rte_ether_addr_copy(&arp->arp_data.arp_sha, &sha);
	if (sip == 0 || sip == ifc->ip || !rte_is_valid_assigned_ether_addr(&sha))
		return;
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY) || tip == ifc->ip ||
	    arp_find(t, sip) >= 0)
		(void)mn_arp_learn(t, sip, &sha, now);
}

/*
 * Sets m to exactly the minimum frame, zero-padded after the ARP header,
 * and drops any transmit offload the mbuf was carrying.
 */
static int
arp_set_min_frame(struct rte_mbuf *m)
{
	if (rte_pktmbuf_data_len(m) + rte_pktmbuf_tailroom(m) < ARP_MIN_FRAME)
		return -1;
	memset(rte_pktmbuf_mtod_offset(m, char *, ARP_FRAME_LEN), 0,
	       ARP_MIN_FRAME - ARP_FRAME_LEN);
	m->data_len = ARP_MIN_FRAME;
	m->pkt_len = ARP_MIN_FRAME;
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	return 0;
}

static int
arp_make_reply(const struct mn_iface *ifc, struct rte_mbuf *m,
	       struct rte_arp_hdr *arp)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr requester;
	uint32_t requester_ip = arp->arp_data.arp_sip;

	rte_ether_addr_copy(&arp->arp_data.arp_sha, &requester);
	rte_ether_addr_copy(&requester, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&ifc->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(ifc->ip);
	rte_ether_addr_copy(&requester, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = requester_ip;
	return arp_set_min_frame(m);
}

struct rte_mbuf *
mn_arp_input(struct mn_arp_table *t, const struct mn_iface *ifc,
	     struct rte_mbuf *m, uint64_t now)
{
	struct rte_arp_hdr *arp = arp_parse(m);

	if (arp == NULL)
		goto drop;
	arp_learn_sender(t, ifc, arp, now);
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
	    rte_be_to_cpu_32(arp->arp_data.arp_tip) != ifc->ip)
		goto drop;
	if (arp_make_reply(ifc, m, arp) < 0)
		goto drop;
	return m;
drop:
	rte_pktmbuf_free(m);
	return NULL;
}

struct rte_mbuf *
mn_arp_request(struct rte_mempool *mp, const struct mn_iface *ifc,
	       uint32_t target_ip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	if (arp_set_min_frame(m) < 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&ifc->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(ifc->ip);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = rte_cpu_to_be_32(target_ip);
	return m;
}
