/*
 * mn_names.h: every name machnetd and libmachnet share.
 *
 * The two processes find each other's objects only by these names, so they
 * live here and nowhere else. DPDK separates instances by --file-prefix,
 * which is why the names carry no instance: the instance is the prefix.
 */
#ifndef MN_NAMES_H
#define MN_NAMES_H

#define MN_INSTANCE_ENV "MACHNET_INSTANCE"
#define MN_INSTANCE_DEFAULT "machnet"

/* Packet buffers shared by machnetd and every application. */
#define MN_POOL_NAME "mn_pktpool"
/* struct mn_state: epoch, primary pid, heartbeat, channel table, counters. */
#define MN_STATE_MZ_NAME "mn_state"
/* struct mn_flow_usage[mn_state.flow_slots]: each flow's sends in the pool. */
#define MN_FLOW_USAGE_MZ_NAME "mn_flow_usage"
/* rte_mp action for control requests (struct mn_ctrl_msg). */
#define MN_CTRL_ACTION "mn_ctrl"

/* Channel rings, preallocated by machnetd at start-up, by channel index. */
#define MN_RING_APP_TO_ENGINE_FMT "mn_ch%u_tx"
#define MN_RING_ENGINE_TO_APP_FMT "mn_ch%u_rx"

#endif /* MN_NAMES_H */
