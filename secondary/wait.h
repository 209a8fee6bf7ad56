/*
 * wait.h: a channel's means to wait instead of polling: an eventfd that
 * machnetd signals when the application said it is about to sleep
 * (common/mn_state.h, struct mn_channel_wake), a pidfd of machnetd, so
 * that its death wakes a waiter too, and an epoll fd holding both, which
 * is the descriptor applications poll (machnet_channel_fd).
 */
#ifndef MNL_WAIT_H
#define MNL_WAIT_H

#include <stdbool.h>
#include <stdint.h>

struct mnl_channel;

struct mnl_wait {
	bool on;            /* set up and registered with machnetd */
	int efd;            /* eventfd, shared with machnetd */
	int pidfd;          /* machnetd's, -1 where the kernel has none */
	int epfd;           /* efd and pidfd, for the application */
	uint64_t wakes_seen; /* mn_channel_wake.wakes at the last drain */
	uint64_t next_look;  /* timer cycles: when to look at pidfd again */
};

/* Creates the descriptors and gives the eventfd to machnetd; 0 or -1. */
int mnl_wait_setup(struct mnl_channel *ch);
void mnl_wait_fini(struct mnl_wait *w);

/*
 * The receive ring was found empty: arms the channel so that the next
 * message signals the eventfd, draining it first when it may hold a
 * signal. True when the ring turned out not to be empty after all (take
 * again) or machnetd was found dead (the channel is gone).
 */
bool mnl_wait_arm(struct mnl_channel *ch);

#endif /* MNL_WAIT_H */
