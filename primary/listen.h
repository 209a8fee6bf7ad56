/*
 * listen.h: which channel accepts flows to which local port.
 */
#ifndef MN_LISTEN_H
#define MN_LISTEN_H

#include <stdint.h>

#define MN_MAX_LISTENERS 256

struct mn_listener {
	uint16_t port;    /* 0: free slot */
	uint16_t channel;
	uint32_t channel_gen;
	uint32_t half_open; /* its handshakes under way (half_open.h) */
};

struct mn_listen_table {
	struct mn_listener entries[MN_MAX_LISTENERS];
};

/* 0, or a positive errno: EADDRINUSE, ENOSPC. */
int mn_listen_add(struct mn_listen_table *t, uint16_t port, uint16_t channel,
		  uint32_t channel_gen);
struct mn_listener *mn_listen_find(struct mn_listen_table *t, uint16_t port);
void mn_listen_remove_channel(struct mn_listen_table *t, uint16_t channel);

#endif /* MN_LISTEN_H */
