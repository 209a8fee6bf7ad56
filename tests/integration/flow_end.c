/*
 * flow_end: how the end of a flow reaches an application, with and
 * without flow events, and which way round a received flow is named.
 *
 *   flow_end LOCAL PEER PORT
 *
 * PEER runs an echo server on PORT. Two channels each open a flow and get
 * one echo: the echo's flow must name the peer as src (as upstream
 * Machnet's does), and sending on it unswapped must fail (ENOTCONN). Then
 * "flow_end: ready" is printed and the test stops the server, which
 * closes both flows. The channel that asked for flow events must get -1
 * with EPIPE and the flow named as a received one; the other, which keeps
 * sending, must never see a receive fail, while its sends soon fail with
 * ECONNRESET.
 * Exits 0 when all of this held, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ex_flow.h"
#include "example.h"
#include "machnet.h"

#define FE_DEADLINE_NS (20 * 1000000000ull)
#define FE_QUIET_CHECK_NS (500 * 1000000ull)
#define FE_SEND_GAP_NS (10 * 1000000ull)

struct fe_chan {
	const char *name;
	void *ch;
	MachnetFlow_t flow; /* as connect named it: src = local */
	bool ended;
	uint64_t next_send;
};

static void
fe_fail(const struct fe_chan *c, const char *what)
{
	printf("flow_end: FAIL: %s channel: %s (errno %s)\n", c->name, what,
	       strerror(errno));
	exit(1);
}

static uint32_t
fe_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "flow_end: bad IP '%s'\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

/* Polls c until a message comes; returns its flow. */
static MachnetFlow_t
fe_wait_echo(const struct fe_chan *c)
{
	uint64_t deadline = ex_now_ns() + FE_DEADLINE_NS;
	MachnetFlow_t from;
	char buf[16];
	ssize_t n;

	while ((n = machnet_recv(c->ch, buf, sizeof(buf), &from)) == 0)
		if (ex_now_ns() > deadline)
			fe_fail(c, "no echo");
	if (n != 1 || buf[0] != 'e')
		fe_fail(c, "a bad echo");
	return from;
}

static void
fe_open(struct fe_chan *c, const char *local, const char *peer,
	uint16_t port)
{
	MachnetFlow_t from;
	char byte = 'e';

	c->ch = machnet_attach();
	if (c->ch == NULL)
		fe_fail(c, "attach");
	if (machnet_connect(c->ch, local, peer, port, &c->flow) != 0)
		fe_fail(c, "connect");
	if (c->flow.src_ip != fe_ip(local) || c->flow.dst_ip != fe_ip(peer) ||
	    c->flow.dst_port != port)
		fe_fail(c, "connect's flow does not have src = local");
	if (machnet_send(c->ch, c->flow, &byte, 1) != 0)
		fe_fail(c, "send");
	from = fe_wait_echo(c);
	if (from.src_ip != c->flow.dst_ip || from.src_port != port ||
	    from.dst_ip != c->flow.src_ip || from.dst_port != c->flow.src_port)
		fe_fail(c, "the echo's flow does not name the peer as src");
	errno = 0;
	if (machnet_send(c->ch, from, &byte, 1) == 0 || errno != ENOTCONN)
		fe_fail(c, "send on the unswapped received flow did not give "
			"ENOTCONN");
}

/* The channel with flow events: one -1/EPIPE naming the flow as received. */
static void
fe_poll_told(struct fe_chan *c)
{
	MachnetFlow_t from, mine;
	char buf[16];
	ssize_t n;

	n = machnet_recv(c->ch, buf, sizeof(buf), &from);
	if (n > 0)
		fe_fail(c, "a message after the last echo");
	if (n == 0)
		return;
	if (errno != EPIPE)
		fe_fail(c, "the flow's end came with another errno than EPIPE");
	mine = ex_flow_reply(&from);
	if (!ex_flow_eq(&mine, &c->flow))
		fe_fail(c, "the flow's end names another flow");
	c->ended = true;
	printf("flow_end: told channel: EPIPE for the closed flow\n");
}

/* The channel without: receives never fail; a send learns of the end. */
static void
fe_poll_quiet(struct fe_chan *c)
{
	MachnetFlow_t from;
	char buf[16], byte = 'x';
	ssize_t n;

	n = machnet_recv(c->ch, buf, sizeof(buf), &from);
	/* Echoes of its own sends come back until the server stops. */
	if (n < 0 || (n > 0 && (n != 1 || buf[0] != 'x')))
		fe_fail(c, "a receive failed or got a foreign message");
	if (c->ended || ex_now_ns() < c->next_send)
		return;
	/* Few enough sends that the channel never fills (EAGAIN). */
	c->next_send = ex_now_ns() + FE_SEND_GAP_NS;
	errno = 0;
	if (machnet_send(c->ch, c->flow, &byte, 1) == 0)
		return;
	if (errno != ECONNRESET)
		fe_fail(c, "send on the closed flow did not give ECONNRESET");
	c->ended = true;
	printf("flow_end: quiet channel: receives stayed 0, send gave "
	       "ECONNRESET\n");
}

int
main(int argc, char **argv)
{
	struct fe_chan told = { .name = "told" }, quiet = { .name = "quiet" };
	uint64_t deadline, quiet_until = 0;
	bool was_ended;
	uint16_t port;

	if (argc != 4) {
		fprintf(stderr, "usage: flow_end LOCAL PEER PORT\n");
		return 2;
	}
	port = (uint16_t)atoi(argv[3]);
	if (machnet_init() != 0) {
		printf("flow_end: FAIL: machnet_init: %s\n", strerror(errno));
		return 1;
	}
	fe_open(&told, argv[1], argv[2], port);
	if (machnet_set_flow_events(told.ch, 1) != 0)
		fe_fail(&told, "machnet_set_flow_events");
	fe_open(&quiet, argv[1], argv[2], port);
	printf("flow_end: ready\n");
	fflush(stdout);
	deadline = ex_now_ns() + FE_DEADLINE_NS;
	/* The quiet channel keeps receiving a while after its end too. */
	while (!told.ended || !quiet.ended || ex_now_ns() < quiet_until) {
		if (ex_now_ns() > deadline)
			fe_fail(told.ended ? &quiet : &told, "the end never came");
		if (!told.ended)
			fe_poll_told(&told);
		was_ended = quiet.ended;
		fe_poll_quiet(&quiet);
		if (!was_ended && quiet.ended)
			quiet_until = ex_now_ns() + FE_QUIET_CHECK_NS;
	}
	if (machnet_detach(told.ch) != 0 || machnet_detach(quiet.ch) != 0)
		fe_fail(&told, "detach");
	printf("flow_end: PASS\n");
	return 0;
}
