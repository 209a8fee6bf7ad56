/*
 * flood: the careless tenant of test_flood.sh, a sender of large messages
 * and a receiver that does not read them, to show that what they pile up
 * stays within their own shares of machnetd's pool.
 *
 *   flood sink LOCAL PORT
 *       listens on PORT and reads nothing until SIGUSR1; then reads every
 *       message until the sender's flow ends, prints "flood: received N
 *       messages" and exits 0 (1 after 120 s without the end).
 *   flood send LOCAL REMOTE PORT SIZE
 *       connects and sends SIZE-byte messages as fast as its channel takes
 *       them, printing "flood: held back" at its first EAGAIN, until
 *       SIGTERM; then closes the flow, prints "flood: sent N messages, E
 *       EAGAIN" and exits 0. Every message is numbered in its first bytes,
 *       and the sink checks that they arrive in order, none missing.
 *   flood beside LOCAL REMOTE SINK_PORT ECHO_PORT SIZE
 *       one channel, two flows: fills the flow to the sink on SINK_PORT
 *       with SIZE-byte messages until its sends have been refused for
 *       0.3 s, then makes 200 window-1 round trips of SIZE bytes on the
 *       flow to the echo server on ECHO_PORT. Exits 0 when they all went
 *       and the first flow is still held back, printing "flood: beside:
 *       ..."; 1 with "flood: FAIL: ..." when a send on the second flow
 *       was refused for 2 s.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example.h"
#include "machnet.h"

#define FL_DEADLINE_NS (120 * 1000000000ull)
/*
 * After EAGAIN: the flooder is to fill machnetd's share, not a shared CPU.
 * On two vCPUs a wake-up every millisecond took a quarter of the
 * latency tenant's rate on its own (measured with the flooder stopped),
 * which is the kernel's scheduling and nothing machnetd could share out.
 */
#define FL_RETRY_NS (10 * 1000 * 1000)

static volatile sig_atomic_t fl_signalled;

static void
fl_on_signal(int sig)
{
	(void)sig;
	fl_signalled = 1;
}

static void
fl_die(const char *what)
{
	printf("flood: FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *
fl_join(int sig)
{
	struct sigaction sa = { .sa_handler = fl_on_signal };
	void *ch;

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	ex_idle_prepare(EX_IDLE_SLEEP);
	if (machnet_init() != 0)
		fl_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		fl_die("machnet_attach");
	return ch;
}

/* Reads until the flow's end (EPIPE); every message must be the next one. */
static int
fl_drain(void *ch, uint8_t *buf)
{
	uint64_t deadline = ex_now_ns() + FL_DEADLINE_NS, n = 0, seq;
	unsigned int empty = 0;
	ssize_t len;

	while (ex_now_ns() < deadline) {
		len = machnet_recv(ch, buf, MACHNET_MSG_MAX_LEN, NULL);
		if (len < 0 && errno == EPIPE) {
			printf("flood: received %" PRIu64 " messages\n", n);
			return 0;
		}
		if (len < 0)
			fl_die("machnet_recv");
		if (len >= (ssize_t)sizeof(seq)) {
			memcpy(&seq, buf, sizeof(seq));
			if (seq != n) {
				printf("flood: FAIL: message %" PRIu64
				       " arrived as number %" PRIu64 "\n", seq, n);
				return 1;
			}
			n++;
		}
		ex_idle(EX_IDLE_SLEEP, len > 0, &empty);
	}
	printf("flood: FAIL: the flow did not end (%" PRIu64 " messages)\n", n);
	return 1;
}

static int
fl_sink(const char *local, uint16_t port)
{
	uint8_t *buf = malloc(MACHNET_MSG_MAX_LEN);
	uint64_t deadline = ex_now_ns() + FL_DEADLINE_NS;
	void *ch = fl_join(SIGUSR1);
	struct timespec nap = { 0, 10 * 1000 * 1000 };

	if (buf == NULL)
		fl_die("malloc");
	if (machnet_set_flow_events(ch, 1) != 0)
		fl_die("machnet_set_flow_events");
	if (machnet_listen(ch, local, port) != 0)
		fl_die("machnet_listen");
	printf("flood: listening\n");
	while (!fl_signalled && ex_now_ns() < deadline)
		nanosleep(&nap, NULL);
	return fl_drain(ch, buf);
}

static int
fl_send(const char *local, const char *remote, uint16_t port, size_t size)
{
	uint8_t *buf = calloc(1, size);
	void *ch = fl_join(SIGTERM);
	struct timespec nap = { 0, FL_RETRY_NS };
	uint64_t sent = 0, eagain = 0;
	MachnetFlow_t flow;

	if (buf == NULL)
		fl_die("calloc");
	if (machnet_connect(ch, local, remote, port, &flow) != 0)
		fl_die("machnet_connect");
	printf("flood: connected\n");
	while (!fl_signalled) {
		memcpy(buf, &sent, sizeof(sent));
		if (machnet_send(ch, flow, buf, size) == 0) {
			sent++;
			continue;
		}
		if (errno != EAGAIN)
			fl_die("machnet_send");
		if (eagain++ == 0)
			printf("flood: held back\n");
		nanosleep(&nap, NULL);
	}
	/* The flow finishes sending after the close, and after the detach. */
	if (machnet_close(ch, flow) != 0)
		fl_die("machnet_close");
	if (machnet_detach(ch) != 0)
		fl_die("machnet_detach");
	printf("flood: sent %" PRIu64 " messages, %" PRIu64 " EAGAIN\n", sent,
	       eagain);
	return 0;
}

#define FL_HELD_NS (300 * 1000000ull)
#define FL_REFUSED_NS (2000 * 1000000ull)
#define FL_ROUNDS 200

/* Sends on flow until its sends have been refused for FL_HELD_NS. */
static uint64_t
fl_fill(void *ch, MachnetFlow_t flow, uint8_t *buf, size_t size)
{
	struct timespec nap = { 0, FL_RETRY_NS };
	uint64_t sent = 0, refused_since = 0;

	for (;;) {
		memcpy(buf, &sent, sizeof(sent));
		if (machnet_send(ch, flow, buf, size) == 0) {
			sent++;
			refused_since = 0;
			continue;
		}
		if (errno != EAGAIN)
			fl_die("machnet_send (first flow)");
		if (refused_since == 0)
			refused_since = ex_now_ns();
		else if (ex_now_ns() - refused_since > FL_HELD_NS)
			return sent;
		nanosleep(&nap, NULL);
	}
}

/* One round trip of a size-byte message on flow; false when its send was
 * refused for FL_REFUSED_NS. */
static bool
fl_round_trip(void *ch, MachnetFlow_t flow, uint8_t *buf, size_t size)
{
	uint64_t start = ex_now_ns();
	MachnetFlow_t from;

	while (machnet_send(ch, flow, buf, size) != 0) {
		if (errno != EAGAIN)
			fl_die("machnet_send (second flow)");
		if (ex_now_ns() - start > FL_REFUSED_NS)
			return false;
	}
	for (;;) {
		ssize_t len = machnet_recv(ch, buf, size, &from);

		if (len < 0)
			fl_die("machnet_recv (second flow)");
		/* recv names a flow as its sender does: our port is dst. */
		if (len > 0 && from.dst_port == flow.src_port)
			return true;
		if (ex_now_ns() - start > FL_DEADLINE_NS)
			fl_die("no echo on the second flow");
	}
}

static int
fl_beside(const char *local, const char *remote, uint16_t sink_port,
	  uint16_t echo_port, size_t size)
{
	uint8_t *buf = calloc(1, size);
	void *ch = fl_join(SIGTERM);
	MachnetFlow_t held, other;
	uint64_t sent;
	int i;

	if (buf == NULL)
		fl_die("calloc");
	if (machnet_connect(ch, local, remote, sink_port, &held) != 0 ||
	    machnet_connect(ch, local, remote, echo_port, &other) != 0)
		fl_die("machnet_connect");
	sent = fl_fill(ch, held, buf, size);
	for (i = 0; i < FL_ROUNDS; i++) {
		if (!fl_round_trip(ch, other, buf, size)) {
			printf("flood: FAIL: the other flow's send was refused for "
			       "2 s after %d round trips (first flow: %" PRIu64
			       " messages)\n", i, sent);
			return 1;
		}
	}
	if (machnet_send(ch, held, buf, size) == 0 || errno != EAGAIN)
		fl_die("the first flow is no longer held back");
	printf("flood: beside: %d round trips on one flow while the other "
	       "held %" PRIu64 " messages back\n", FL_ROUNDS, sent);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		return fl_sink(argv[2], (uint16_t)atoi(argv[3]));
	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return fl_send(argv[2], argv[3], (uint16_t)atoi(argv[4]),
			       (size_t)atoll(argv[5]));
	if (argc == 7 && strcmp(argv[1], "beside") == 0)
		return fl_beside(argv[2], argv[3], (uint16_t)atoi(argv[4]),
				 (uint16_t)atoi(argv[5]), (size_t)atoll(argv[6]));
	fprintf(stderr, "usage: flood sink LOCAL PORT | "
		"flood send LOCAL REMOTE PORT SIZE | "
		"flood beside LOCAL REMOTE SINK_PORT ECHO_PORT SIZE\n");
	return 2;
}
