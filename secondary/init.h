/*
 * init.h: what machnet_init() finds in the instance it joins, for the rest
 * of the library. Set once, never changed afterwards.
 */
#ifndef MNL_INIT_H
#define MNL_INIT_H

#include <rte_mempool.h>

#include "mn_state.h"

struct mnl_env {
	struct mn_state *state;
	struct rte_mempool *pool;
};

/* NULL until machnet_init() has succeeded. */
const struct mnl_env *mnl_env_get(void);

#endif /* MNL_INIT_H */
