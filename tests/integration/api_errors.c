/*
 * api_errors: checks that misuse and unreachable peers come back as -1
 * with the errno machnet.h documents, instead of hanging or crashing.
 *
 *   api_errors LOCAL PEER OPEN_PORT CLOSED_PORT ABSENT_IP
 *
 * PEER runs a machnetd with an echo server on OPEN_PORT and none on
 * CLOSED_PORT; no host has ABSENT_IP. Exits 0 only if every check passed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machnet.h"

static int ae_failures;

static void
ae_report(const char *what, bool ok, int rc, int err)
{
	printf("%s: %s (rc %d, errno %s)\n", ok ? "ok  " : "FAIL", what, rc,
	       rc == -1 ? strerror(err) : "-");
	if (!ok)
		ae_failures++;
}

/* rc must be -1 and errno one of want1/want2. */
static void
ae_expect(const char *what, int rc, int err, int want1, int want2)
{
	ae_report(what, rc == -1 && (err == want1 || err == want2), rc, err);
}

static void
ae_connect(void *ch, const char *what, const char *local, const char *remote,
	   uint16_t port, int want1, int want2)
{
	MachnetFlow_t flow;
	int rc;

	errno = 0;
	rc = machnet_connect(ch, local, remote, port, &flow);
	ae_expect(what, rc, errno, want1, want2);
}

static void
ae_send(void *ch, const char *what, MachnetFlow_t flow, const void *buf,
	size_t len, int want)
{
	int rc;

	errno = 0;
	rc = machnet_send(ch, flow, buf, len);
	ae_expect(what, rc, errno, want, want);
}

static uint16_t
ae_port(const char *s)
{
	long v = strtol(s, NULL, 10);

	if (v <= 0 || v > UINT16_MAX) {
		fprintf(stderr, "api_errors: bad port '%s'\n", s);
		exit(2);
	}
	return (uint16_t)v;
}

/* The next message within a few seconds: its length, or -1 with errno. */
static ssize_t
ae_recv_wait(void *ch, void *buf, size_t len, MachnetFlow_t *from)
{
	time_t deadline = time(NULL) + 5;
	ssize_t n;

	while ((n = machnet_recv(ch, buf, len, from)) == 0 &&
	       time(NULL) <= deadline)
		;
	return n;
}

/*
 * As upstream: a message longer than the buffer is dropped with -1, and
 * the next one arrives intact; the flow names the sender (the echo
 * server) as src.
 */
static void
ae_recv_checks(void *ch, MachnetFlow_t flow)
{
	static const char big[100], small[5] = "hello";
	MachnetFlow_t from = { 0 };
	char buf[64];
	ssize_t n;

	if (machnet_send(ch, flow, big, sizeof(big)) != 0 ||
	    machnet_send(ch, flow, small, sizeof(small)) != 0) {
		ae_report("sends for the receive checks", false, -1, errno);
		return;
	}
	errno = 0;
	n = ae_recv_wait(ch, buf, 10, &from);
	ae_expect("recv into a too small buffer gives EMSGSIZE", (int)n, errno,
		  EMSGSIZE, EMSGSIZE);
	n = ae_recv_wait(ch, buf, sizeof(buf), &from);
	ae_report("the message after a dropped one arrives intact",
		  n == (ssize_t)sizeof(small) && memcmp(buf, small, 5) == 0,
		  (int)n, errno);
	ae_report("a received flow names the sender as src",
		  from.src_ip == flow.dst_ip && from.src_port == flow.dst_port &&
		  from.dst_ip == flow.src_ip && from.dst_port == flow.src_port,
		  0, 0);
}

/* As upstream: a batch stops at the first bad message, with its count. */
static void
ae_sendmmsg_checks(void *ch, MachnetFlow_t flow)
{
	char byte = 'x';
	MachnetIovec_t iov = { &byte, 1 };
	MachnetMsgHdr_t m[2] = {
		{ .msg_size = 1, .flow_info = flow, .msg_iov = &iov,
		  .msg_iovlen = 1 },
		{ .msg_size = 0, .flow_info = flow, .msg_iov = &iov,
		  .msg_iovlen = 1 },
	};
	int rc;

	errno = 0;
	rc = machnet_sendmmsg(ch, m, 2);
	ae_report("sendmmsg stops before an empty message: 1, EMSGSIZE",
		  rc == 1 && errno == EMSGSIZE, rc, errno);
	errno = 0;
	rc = machnet_sendmmsg(ch, &m[1], 1);
	ae_report("sendmmsg of one bad message: 0 (not -1), EMSGSIZE",
		  rc == 0 && errno == EMSGSIZE, rc, errno);
}

static void
ae_send_checks(void *ch, const char *local, const char *peer, uint16_t port)
{
	static const char byte = 'x';
	MachnetFlow_t flow, unknown;
	char *big;
	int rc;

	rc = machnet_connect(ch, local, peer, port, &flow);
	ae_report("connect to a listener succeeds", rc == 0, rc, errno);
	if (rc != 0)
		return;
	ae_send(ch, "send of 0 bytes gives EMSGSIZE", flow, &byte, 0, EMSGSIZE);
	big = calloc(1, (size_t)MACHNET_MSG_MAX_LEN + 1);
	if (big != NULL)
		ae_send(ch, "send of 8 MiB + 1 gives EMSGSIZE", flow, big,
			(size_t)MACHNET_MSG_MAX_LEN + 1, EMSGSIZE);
	free(big);
	unknown = flow;
	unknown.src_port ^= 0x5a5a;
	ae_send(ch, "send on an unknown flow gives ENOTCONN", unknown, &byte, 1,
		ENOTCONN);
	ae_recv_checks(ch, flow);
	ae_sendmmsg_checks(ch, flow);
	rc = machnet_close(ch, flow);
	ae_report("close of a connected flow succeeds", rc == 0, rc, errno);
	ae_send(ch, "send on a closed flow gives ENOTCONN", flow, &byte, 1,
		ENOTCONN);
}

/*
 * Addresses no host has fail at once with EINVAL, without ARP: 0.0.0.0,
 * multicast, the limited broadcast, and the local /24's network and
 * broadcast addresses (the test hosts' subnet, from LOCAL).
 */
static void
ae_connect_classes(void *ch, const char *local, uint16_t port)
{
	char net[32], bcast[32];
	const char *dot = strrchr(local, '.');
	int n = dot != NULL ? (int)(dot - local) : 0;
	struct timespec t0, t1;
	double ms;

	snprintf(net, sizeof(net), "%.*s.0", n, local);
	snprintf(bcast, sizeof(bcast), "%.*s.255", n, local);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ae_connect(ch, "connect to 0.0.0.0 gives EINVAL", local, "0.0.0.0",
		   port, EINVAL, EINVAL);
	ae_connect(ch, "connect to 255.255.255.255 gives EINVAL", local,
		   "255.255.255.255", port, EINVAL, EINVAL);
	ae_connect(ch, "connect to a multicast address gives EINVAL", local,
		   "224.0.0.1", port, EINVAL, EINVAL);
	ae_connect(ch, "connect to the subnet's network address gives EINVAL",
		   local, net, port, EINVAL, EINVAL);
	ae_connect(ch, "connect to the subnet's broadcast address gives EINVAL",
		   local, bcast, port, EINVAL, EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* ARP would take half a second for each; five refusals take far less. */
	ae_report("those five refusals took less than 400 ms", ms < 400, 0, 0);
}

/* expr (a call on a bad handle of the given kind) must give -1/EBADF. */
#define AE_EBADF(call, expr)                                                 \
	do {                                                                 \
		int rc_;                                                     \
		snprintf(what, sizeof(what), "%s on a %s handle gives EBADF", \
			 call, kind);                                    \
		errno = 0;                                                   \
		rc_ = (int)(expr);                                           \
		ae_expect(what, rc_, errno, EBADF, EBADF);                   \
	} while (0)

/* A detached or made-up handle: EBADF from every call, never a crash. */
static void
ae_handle_checks(void *gone, const char *local, const char *peer,
		 uint16_t port)
{
	void *forged = (void *)(uintptr_t)0x4d4e000100000003ull;
	void *handles[2] = { gone, forged };
	const char *names[2] = { "detached", "forged" };
	MachnetFlow_t flow = { 0 };
	MachnetMsgHdr_t hdr = { 0 };
	char buf[8] = { 0 }, what[96];
	int i;

	for (i = 0; i < 2; i++) {
		const char *kind = names[i];
		void *h = handles[i];

		AE_EBADF("send", machnet_send(h, flow, buf, 1));
		AE_EBADF("sendmsg", machnet_sendmsg(h, &hdr));
		AE_EBADF("sendmmsg", machnet_sendmmsg(h, &hdr, 1));
		AE_EBADF("recv", machnet_recv(h, buf, sizeof(buf), &flow));
		AE_EBADF("recvmsg", machnet_recvmsg(h, &hdr));
		AE_EBADF("listen", machnet_listen(h, local, port));
		AE_EBADF("connect", machnet_connect(h, local, peer, port, &flow));
		AE_EBADF("close", machnet_close(h, flow));
		AE_EBADF("set_flow_events", machnet_set_flow_events(h, 1));
		AE_EBADF("detach", machnet_detach(h));
	}
}

int
main(int argc, char **argv)
{
	const char *local, *peer, *absent;
	uint16_t open_port, closed_port;
	void *ch;
	int rc;

	if (argc != 6) {
		fprintf(stderr, "usage: api_errors LOCAL PEER OPEN_PORT "
			"CLOSED_PORT ABSENT_IP\n");
		return 2;
	}
	local = argv[1];
	peer = argv[2];
	open_port = ae_port(argv[3]);
	closed_port = ae_port(argv[4]);
	absent = argv[5];
	if (machnet_init() != 0 || (ch = machnet_attach()) == NULL) {
		fprintf(stderr, "api_errors: cannot join machnetd: %s\n",
			strerror(errno));
		return 1;
	}
	ae_connect(ch, "connect to a closed port gives ECONNREFUSED", local,
		   peer, closed_port, ECONNREFUSED, ECONNREFUSED);
	ae_connect(ch, "connect to an absent host gives EHOSTUNREACH/ETIMEDOUT",
		   local, absent, open_port, EHOSTUNREACH, ETIMEDOUT);
	ae_connect(ch, "connect to a bad remote IP gives EINVAL", local,
		   "10.99.0.300", open_port, EINVAL, EINVAL);
	ae_connect(ch, "connect from a bad local IP gives EINVAL", "not-an-ip",
		   peer, open_port, EINVAL, EINVAL);
	ae_connect_classes(ch, local, open_port);
	errno = 0;
	rc = machnet_listen(ch, "1.2.3", open_port);
	ae_expect("listen on a bad IP gives EINVAL", rc, errno, EINVAL, EINVAL);
	ae_send_checks(ch, local, peer, open_port);
	rc = machnet_detach(ch);
	ae_report("detach succeeds", rc == 0, rc, errno);
	ae_handle_checks(ch, local, peer, open_port);
	printf("api_errors: %d failure(s)\n", ae_failures);
	return ae_failures == 0 ? 0 : 1;
}
