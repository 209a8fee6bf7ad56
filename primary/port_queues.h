/*
 * port_queues.h: how many queues machnetd asks of the port and whether it
 * uses RSS, decided from the device's own limits so that a virtual NIC
 * offering less than a server NIC is taken as it is, never refused.
 */
#ifndef MN_PORT_QUEUES_H
#define MN_PORT_QUEUES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mn_port_queues {
	uint16_t rx;        /* rx queues to configure */
	uint16_t tx;        /* tx queues to configure */
	uint16_t max_rx;    /* what the device says it has */
	uint16_t max_tx;
	bool rss_offered;   /* the device hashes some flow type */
	bool rss;           /* RSS configured: offered and more than one rx queue */
	uint64_t rss_hf;    /* RTE_ETH_RSS_* to hash on when rss */
};

/*
 * want_rx/want_tx: what the engines could use; max_rx/max_tx and
 * rss_offloads: rte_eth_dev_info's max_rx_queues, max_tx_queues and
 * flow_type_rss_offloads.
 */
void mn_port_queues_of(uint16_t want_rx, uint16_t want_tx, uint16_t max_rx,
		       uint16_t max_tx, uint64_t rss_offloads,
		       struct mn_port_queues *q);

/* Two lines, "machnetd: port <id> (<driver>): rx/tx queues ..." and
 * "... RSS: ...". */
void mn_port_queues_say(const struct mn_port_queues *q, uint16_t port_id,
			const char *driver, FILE *out);

#endif /* MN_PORT_QUEUES_H */
