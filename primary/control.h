/*
 * control.h: the control plane of machnetd.
 *
 * Requests from applications arrive on DPDK's multi-process channel in the
 * EAL's IPC thread. That thread only queues them: it must never block, and
 * allocating DPDK memory from it can deadlock. The control thread keeps the
 * channel table and passes each request to the engine, which owns flows
 * and listeners; the engine's answers come back the same way and the
 * control thread sends the replies. Nothing here waits on a periodic tick.
 */
#ifndef MN_CONTROL_H
#define MN_CONTROL_H

#include <semaphore.h>
#include <stdbool.h>

#include <rte_ring.h>

#include "heap_guard.h"
#include "mn_ctrl.h"
#include "mn_state.h"

#define MN_PEER_LEN 128

/* A request and where its reply goes. */
struct mn_cmd {
	struct mn_ctrl_msg msg;
	char peer[MN_PEER_LEN];
	/* MN_CTRL_WAKEFD only: the eventfd that came with the request, whose
	 * owner is whoever holds the command (the engine once it took it). */
	int fd;
};

struct mn_control {
	struct mn_state *state;
	struct rte_ring *inbox;    /* IPC thread -> control thread */
	struct rte_ring *to_engine;
	struct rte_ring *from_engine;
	sem_t wake;                /* posted whenever inbox or from_engine fill */
	volatile bool quit;
	uint32_t ctrl_timeout_ms;
	uint32_t channels_per_process;
	struct mn_heap_guard *heap_guard; /* NULL: off */
	/* Each attached channel's secret; never in shared memory. */
	uint64_t tokens[MN_MAX_CHANNELS];
};

int mn_control_init(struct mn_control *c, struct mn_state *state,
		    uint32_t ring_entries, uint32_t channels_per_process);
/* Registers the IPC action and starts the control thread. */
int mn_control_start(struct mn_control *c);
/* Refuses new requests, fails queued ones with ESHUTDOWN, joins the thread. */
void mn_control_stop(struct mn_control *c);

/* Engine side: an answered request goes back to the control thread. */
void mn_control_complete(struct mn_control *c, const struct mn_cmd *cmd);

#endif /* MN_CONTROL_H */
