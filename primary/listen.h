/*
 * listen.h: which channel accepts flows to which local port.
 *
 * The engine alone writes the table. Telemetry reads it from another
 * thread: adding and removing listeners happens inside a write of the
 * table's sequence count, as for the flow records of stats.h, and
 * mn_listen_snapshot copies it out whole. A listener's count of half-open
 * handshakes moves outside it, one aligned word the reader loads whole.
 */
#ifndef MN_LISTEN_H
#define MN_LISTEN_H

#include <stdint.h>

#include <rte_seqcount.h>

#define MN_MAX_LISTENERS 256

struct mn_listener {
	uint16_t port;    /* 0: free slot */
	uint16_t channel;
	uint32_t channel_gen;
	uint32_t half_open; /* its handshakes under way (half_open.h) */
};

struct mn_listen_table {
	rte_seqcount_t seq; /* odd while the engine adds or removes one */
	struct mn_listener entries[MN_MAX_LISTENERS];
};

/* 0, or a positive errno: EADDRINUSE, ENOSPC. */
int mn_listen_add(struct mn_listen_table *t, uint16_t port, uint16_t channel,
		  uint32_t channel_gen);
struct mn_listener *mn_listen_find(struct mn_listen_table *t, uint16_t port);
void mn_listen_remove_channel(struct mn_listen_table *t, uint16_t channel);

/* For a reader on another thread: a copy of every slot as one addition or
 * removal or the next left them (free ones have port 0). Listeners change
 * only at an application's request, so the copy is soon consistent. */
void mn_listen_snapshot(const struct mn_listen_table *t,
			struct mn_listener out[MN_MAX_LISTENERS]);

#endif /* MN_LISTEN_H */
