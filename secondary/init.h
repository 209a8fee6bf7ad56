/*
 * init.h: what machnet_init() finds in the instance it joins, for the rest
 * of the library. Set once, never changed afterwards.
 */
#ifndef MNL_INIT_H
#define MNL_INIT_H

#include <stdbool.h>

#include <rte_mempool.h>

#include "mn_state.h"

struct mnl_env {
	struct mn_state *state;
	struct mn_flow_usage *flow_usage; /* state->flow_slots entries */
	struct rte_mempool *pool;
};

/* NULL until machnet_init() has succeeded. */
const struct mnl_env *mnl_env_get(void);

/*
 * True once the machnetd this process joined is stopping or has died.
 * It is checked by the pid in the state area, not by EAL's liveness test,
 * which a machnetd restarted under the same instance would pass. The
 * first time it says so it prints one line telling the user to restart
 * the application: DPDK cannot be joined twice in one process.
 */
bool mnl_primary_gone(const struct mn_state *state);

#endif /* MNL_INIT_H */
