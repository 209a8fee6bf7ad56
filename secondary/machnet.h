/*
 * machnet.h: the public API of libmachnet.
 *
 * Source-compatible with upstream Machnet's public header: the same names,
 * struct tags, typedefs, argument lists, macros and struct layouts, and
 * the same standard includes (stdio.h, stdlib.h, unistd.h), which upstream
 * applications rely on. docs/COMPATIBILITY.md lists every call, what
 * upstream does, what this library does, and why where they differ.
 *
 * It includes no DPDK header on purpose: applications build with
 * `pkg-config --cflags --libs machnet` alone and never see DPDK.
 *
 * Flow orientation, as upstream: a flow given to machnet_send (and what
 * machnet_connect returns) has src = this end; a flow filled in by
 * machnet_recv or machnet_recvmsg is the flow as the sender sees it,
 * src = the remote peer. A server replies by swapping src and dst.
 *
 * Every call that returns -1 sets errno.
 */
#ifndef MACHNET_H
#define MACHNET_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "machnet_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of MachnetMsgHdr_t; none is defined for the first protocol version. */
#define MACHNET_MSG_FLAGS_NONE 0

/* One piece of a message, like struct iovec. */
struct MachnetIovec {
	void *base;
	size_t len;
};
typedef struct MachnetIovec MachnetIovec_t;

/* A message: msg_size bytes in msg_iovlen pieces, on flow_info. */
struct MachnetMsgHdr {
	uint32_t msg_size;
	MachnetFlow_t flow_info;
	MachnetIovec_t *msg_iov;
	size_t msg_iovlen;
	uint16_t flags;
};
typedef struct MachnetMsgHdr MachnetMsgHdr_t;

/*
 * Joins the machnetd instance named by $MACHNET_INSTANCE (default
 * "machnet") as a DPDK secondary process. Returns 0, or -1 with errno when
 * no machnetd runs (ENODEV) or the instance cannot be joined. A second call
 * after success returns 0 and does nothing.
 */
int machnet_init(void);

/* A new channel for the calling thread, or NULL with errno. */
void *machnet_attach(void);

/* Receive flows that remote applications open to local_ip:port. */
int machnet_listen(void *channel, const char *local_ip, uint16_t port);

/*
 * Opens a flow to remote_ip:remote_port and fills *flow (src = local).
 * Returns when the handshake completes, or -1 with errno ETIMEDOUT,
 * ECONNREFUSED or EHOSTUNREACH.
 */
int machnet_connect(void *channel, const char *local_ip, const char *remote_ip,
		    uint16_t remote_port, MachnetFlow_t *flow);

/*
 * Queues one message on flow (src = local). -1 with EAGAIN when the
 * channel is full or machnetd is short of buffers (retry later), with
 * ECONNRESET when the flow has ended (the peer closed or reset it, or it
 * stopped answering) and a receive call has passed its last message.
 */
int machnet_send(const void *channel, MachnetFlow_t flow, const void *buf,
		 size_t len);
int machnet_sendmsg(const void *channel, const MachnetMsgHdr_t *msghdr);
/*
 * Queues msghdrs[0..vlen-1] in order and returns how many were queued; a
 * count short of vlen (0 included, as upstream) leaves errno saying why
 * the next one was not, as machnet_sendmsg would. -1 with EINVAL only for
 * a NULL channel or msghdrs, or a negative vlen.
 */
int machnet_sendmmsg(const void *channel, const MachnetMsgHdr_t *msghdrs,
		     int vlen);

/*
 * Copies the next message into buf and returns its length, 0 when none is
 * pending, or -1 with errno: EMSGSIZE when buf is too small (the message
 * is dropped, as upstream and as with a datagram socket), ESHUTDOWN when
 * machnetd has gone. *flow is the flow as the sender sees it (src = the
 * remote peer). A flow that ends is no receive error unless the channel
 * asked for flow events (machnet_set_flow_events).
 */
ssize_t machnet_recv(const void *channel, void *buf, size_t len,
		     MachnetFlow_t *flow);
/* Returns 1 with a message, 0 when none is pending, -1 with errno as
 * machnet_recv; msghdr->flow_info is set as machnet_recv sets *flow. */
int machnet_recvmsg(const void *channel, MachnetMsgHdr_t *msghdr);

/* Additions of this project; upstream Machnet has no equivalent. */

/* Closes a flow (src = local): messages already queued are still sent. */
int machnet_close(void *channel, MachnetFlow_t flow);
/* Gives the channel back; its flows are closed. */
int machnet_detach(void *channel);

/*
 * Asks for (enable != 0) or stops the report of flow ends on the receive
 * path of this channel. With it, machnet_recv and machnet_recvmsg return
 * -1 once per ended flow, in order after the flow's last message, with
 * the flow filled in as for a message (src = the remote peer) and errno
 * ECONNRESET (the flow failed: reset by the peer, its application died,
 * or it stopped answering) or EPIPE (the peer closed it). Off by default,
 * as upstream, where a receive fails only for a message that does not fit.
 */
int machnet_set_flow_events(void *channel, int enable);

/*
 * Waiting instead of polling. machnet_recv_wait and machnet_recvmsg_wait
 * are machnet_recv and machnet_recvmsg that, when nothing is pending,
 * wait up to timeout_ms milliseconds (-1: without limit, 0: not at all)
 * for a message or a reported flow end, without using the CPU. On time-out
 * they return 0 with errno ETIMEDOUT; -1 with EINTR when a signal
 * interrupted the wait; otherwise as machnet_recv and machnet_recvmsg.
 * machnetd stopping or dying ends the wait with -1 and ESHUTDOWN.
 */
ssize_t machnet_recv_wait(const void *channel, void *buf, size_t len,
			  MachnetFlow_t *flow, int timeout_ms);
int machnet_recvmsg_wait(const void *channel, MachnetMsgHdr_t *msghdr,
			 int timeout_ms);

/*
 * A file descriptor for epoll, poll or select: readable while the channel
 * may have something to receive. Once it polls readable, call a receive
 * until it returns 0 (nothing pending) before waiting on it again; a
 * receive that returns 0 is what makes it unreadable. machnetd stopping or
 * dying makes it readable too (the receive then fails with ESHUTDOWN).
 * The channel owns it: do not read it or close it; machnet_detach closes
 * it. Every call on one channel returns the same fd, or -1 with errno.
 */
int machnet_channel_fd(const void *channel);

#ifdef __cplusplus
}
#endif

#endif /* MACHNET_H */
