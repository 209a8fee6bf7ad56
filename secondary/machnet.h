/*
 * machnet.h: the public API of libmachnet.
 *
 * Source-compatible with upstream Machnet's public header (same names,
 * argument lists, types and macros) so existing applications and bindings
 * recompile unchanged. It includes no DPDK header on purpose: applications
 * build with `pkg-config --cflags --libs machnet` alone and never see DPDK.
 *
 * Addresses and ports in MachnetFlow_t are in host byte order.
 * Every call that returns -1 sets errno.
 */
#ifndef MACHNET_H
#define MACHNET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MACHNET_MSG_MAX_LEN (8u * 1024u * 1024u)

/* Flags of MachnetMsgHdr_t; none is defined for the first protocol version. */
#define MACHNET_MSG_FLAGS_NONE 0

typedef struct {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
} MachnetFlow_t;

typedef struct {
	void *base;
	size_t len;
} MachnetIovec_t;

typedef struct {
	uint32_t msg_size;
	MachnetFlow_t flow_info;
	MachnetIovec_t *msg_iov;
	size_t msg_iovlen;
	uint16_t flags;
} MachnetMsgHdr_t;

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
 * Opens a flow to remote_ip:remote_port and fills *flow. Returns when the
 * handshake completes, or -1 with errno ETIMEDOUT, ECONNREFUSED or
 * EHOSTUNREACH.
 */
int machnet_connect(void *channel, const char *local_ip, const char *remote_ip,
		    uint16_t remote_port, MachnetFlow_t *flow);

/* Queues one message; -1 with EAGAIN when the channel is full or machnetd
 * is short of buffers (retry later). */
int machnet_send(const void *channel, MachnetFlow_t flow, const void *buf,
		 size_t len);
int machnet_sendmsg(const void *channel, const MachnetMsgHdr_t *msghdr);
/* Returns the number of messages queued (0..vlen), or -1 on error. */
int machnet_sendmmsg(const void *channel, const MachnetMsgHdr_t *msghdrs,
		     int vlen);

/*
 * Copies the next message into buf and returns its length, 0 when none is
 * pending, or -1 with errno (EMSGSIZE when buf is too small: the message
 * is dropped, as with a datagram socket). When a flow fails (the peer
 * reset it, its application died, or it stopped answering) -1 with
 * ECONNRESET is returned once, after the flow's last message, with *flow
 * set to it. Sending on a flow that failed or that the peer closed fails
 * with ECONNRESET once machnet_recv has passed the flow's end.
 */
ssize_t machnet_recv(const void *channel, void *buf, size_t len,
		     MachnetFlow_t *flow);
/* Returns 1 with a message, 0 when none is pending, -1 on error (as
 * machnet_recv; for ECONNRESET msghdr->flow_info names the flow). */
int machnet_recvmsg(const void *channel, MachnetMsgHdr_t *msghdr);

/* Additions of this project; upstream Machnet has no equivalent. */

/* Closes a flow: messages already queued are still delivered. */
int machnet_close(void *channel, MachnetFlow_t flow);
/* Gives the channel back; its flows are closed. */
int machnet_detach(void *channel);

#ifdef __cplusplus
}
#endif

#endif /* MACHNET_H */
