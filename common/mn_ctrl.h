/*
 * mn_ctrl.h: control requests from libmachnet to machnetd.
 *
 * They travel as the parameter of an rte_mp request (action MN_CTRL_ACTION)
 * and come back, with status filled in, as its reply. The layout is the
 * same both ways so a reply is the request echoed with results.
 */
#ifndef MN_CTRL_H
#define MN_CTRL_H

#include <stdint.h>

#include "mn_msg.h"

enum mn_ctrl_op {
	MN_CTRL_ATTACH = 1,
	MN_CTRL_DETACH,
	MN_CTRL_LISTEN,
	MN_CTRL_CONNECT,
	MN_CTRL_CLOSE,
	/* machnetd's own, never from an application: detach the channels of
	 * an application that died, resetting its flows. */
	MN_CTRL_REAP,
	/* The channel's eventfd, passed with the request (rte_mp_msg.fds):
	 * machnetd signals it when the application waits (mn_state.h). */
	MN_CTRL_WAKEFD,
};

struct mn_ctrl_msg {
	uint32_t op;          /* enum mn_ctrl_op */
	int32_t status;       /* reply: 0 or a positive errno */
	int32_t pid;          /* requesting application */
	uint32_t channel;     /* index into mn_state.channels */
	uint32_t generation;  /* of that channel slot, from the attach reply */
	uint32_t pad;
	/*
	 * The channel's secret, from the attach reply: every later request on
	 * the channel must carry it. machnetd keeps it in its own memory, not
	 * in the state memzone every tenant can read.
	 */
	uint64_t token;
	/*
	 * LISTEN: src_ip/src_port. CONNECT: src_ip, dst_ip, dst_port in the
	 * request; the reply holds the whole flow, and ref where machnetd
	 * keeps it. CLOSE: the flow.
	 */
	struct mn_flow_tuple flow;
	struct mn_flow_ref ref;
};

#endif /* MN_CTRL_H */
