/*
 * port_queues.c: the queue and RSS decisions of port bring-up, kept apart
 * from ethdev so that a unit test can hand them any device's limits.
 */
#include <rte_common.h>
#include <rte_ethdev.h>

#include "port_queues.h"

/* What machnetd's IPv4/UDP traffic can be spread on; the rest is unused. */
#define MN_RSS_WANTED (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP)

/*
 * A device that reports no queues at all (some virtual ones leave the
 * field 0) still gets one asked of it: configure then says whether it
 * works, which is better than refusing a device that may.
 */
static uint16_t
clamp_queues(uint16_t want, uint16_t max)
{
	if (want == 0)
		want = 1;
	if (max == 0)
		return 1;
	return RTE_MIN(want, max);
}

void
mn_port_queues_of(uint16_t want_rx, uint16_t want_tx, uint16_t max_rx,
		  uint16_t max_tx, uint64_t rss_offloads,
		  struct mn_port_queues *q)
{
	q->max_rx = max_rx;
	q->max_tx = max_tx;
	q->rx = clamp_queues(want_rx, max_rx);
	q->tx = clamp_queues(want_tx, max_tx);
	q->rss_offered = (rss_offloads & MN_RSS_WANTED) != 0;
	/* With one rx queue there is nothing to spread over. */
	q->rss = q->rss_offered && q->rx > 1;
	q->rss_hf = q->rss ? rss_offloads & MN_RSS_WANTED : 0;
}

void
mn_port_queues_say(const struct mn_port_queues *q, uint16_t port_id,
		   const char *driver, FILE *out)
{
	fprintf(out, "machnetd: port %u (%s): rx/tx queues %u/%u "
		"(device max %u/%u)\n", port_id, driver, q->rx, q->tx,
		q->max_rx, q->max_tx);
	if (q->rss)
		fprintf(out, "machnetd: port %u (%s): RSS: on over %u rx queues\n",
			port_id, driver, q->rx);
	else if (q->rss_offered)
		fprintf(out, "machnetd: port %u (%s): RSS: offered, not used "
			"(single rx queue)\n", port_id, driver);
	else
		fprintf(out, "machnetd: port %u (%s): RSS: not offered, "
			"single queue\n", port_id, driver);
}
