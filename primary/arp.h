/*
 * arp.h: the ARP cache and ARP's input and output.
 *
 * The engine owns one table; nothing here locks. Entries are learnt from
 * requests and replies, aged out, or static (never aged). Resolution is
 * driven by the caller: mn_arp_resolve() says whether to send a request
 * now, so retries need no timer of their own.
 *
 * Telemetry reads the table from another thread: every change to an
 * entry is made inside a write of the table's sequence count, as for the
 * flow records of stats.h, and mn_arp_snapshot copies it out whole. A
 * lookup that finds its entry usable changes nothing and writes no count.
 */
#ifndef MN_ARP_H
#define MN_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_seqcount.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iface.h"

#define MN_ARP_TABLE_SIZE 1024 /* power of two */

enum mn_arp_status {
	MN_ARP_RESOLVED,
	MN_ARP_PENDING,
	MN_ARP_FAILED,
};

enum mn_arp_entry_state {
	MN_ARP_ENTRY_FREE = 0,
	MN_ARP_ENTRY_PENDING,
	MN_ARP_ENTRY_RESOLVED,
	MN_ARP_ENTRY_STATIC,
};

struct mn_arp_entry {
	uint32_t ip;
	uint8_t state;  /* enum mn_arp_entry_state */
	uint8_t tries;  /* requests sent while pending */
	struct rte_ether_addr mac;
	uint64_t stamp; /* resolved: when learnt; pending: next retry due */
};

struct mn_arp_table {
	rte_seqcount_t seq;     /* odd while the engine changes an entry */
	uint64_t retry_ns;
	uint64_t ageing_ns;
	uint32_t max_tries;
	uint32_t used;
	struct mn_arp_entry entries[MN_ARP_TABLE_SIZE];
};

void mn_arp_init(struct mn_arp_table *t, uint64_t retry_ns, uint32_t max_tries,
		 uint64_t ageing_ns);
int mn_arp_add_static(struct mn_arp_table *t, uint32_t ip,
		      const struct rte_ether_addr *mac);
/* Records ip -> mac (static entries are left alone). -1 if the table is full. */
int mn_arp_learn(struct mn_arp_table *t, uint32_t ip,
		 const struct rte_ether_addr *mac, uint64_t now);
/* Fills *mac and returns true if ip is resolved (and not aged out). */
bool mn_arp_lookup(const struct mn_arp_table *t, uint32_t ip, uint64_t now,
		   struct rte_ether_addr *mac);
/*
 * RESOLVED fills *mac. PENDING sets *send_request when a request is due
 * now (the first call, then every retry_ns up to max_tries). FAILED once
 * max_tries requests went unanswered for retry_ns each; the entry is then
 * forgotten so a later call starts afresh.
 */
enum mn_arp_status mn_arp_resolve(struct mn_arp_table *t, uint32_t ip,
				  uint64_t now, struct rte_ether_addr *mac,
				  bool *send_request);
/* Drops learnt entries older than ageing_ns. */
void mn_arp_age(struct mn_arp_table *t, uint64_t now);
/* Whether a resolved entry is past ageing_ns at now (and so unusable). */
bool mn_arp_expired(const struct mn_arp_table *t, const struct mn_arp_entry *e,
		    uint64_t now);

/*
 * For a reader on another thread: a copy of every slot as one change or
 * the next left them (free slots included, their state FREE). -EBUSY if
 * the engine kept changing the table through every attempt (an ARP flood),
 * so that a reader never spins for as long as one lasts.
 */
int mn_arp_snapshot(const struct mn_arp_table *t,
		    struct mn_arp_entry out[MN_ARP_TABLE_SIZE]);

/*
 * Handles a received ARP frame (m->data at the Ethernet header). Learns the
 * sender. Returns m rewritten in place as the reply when it is a request
 * for ifc->ip, otherwise frees m and returns NULL.
 */
struct rte_mbuf *mn_arp_input(struct mn_arp_table *t, const struct mn_iface *ifc,
			      struct rte_mbuf *m, uint64_t now);
/* A broadcast who-has for target_ip, or NULL when the pool is empty. */
struct rte_mbuf *mn_arp_request(struct rte_mempool *mp, const struct mn_iface *ifc,
				uint32_t target_ip);

#endif /* MN_ARP_H */
