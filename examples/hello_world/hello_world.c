/*
 * hello_world: the smallest complete machnet application, to read before
 * writing one. Both sides listen on HW_PORT; the client (--remote given)
 * connects, sends "Hello World!" and prints the echo; the server prints
 * every message it receives and echoes it on its flow. A received flow
 * names the sender as src, as upstream Machnet's does; the server swaps
 * the two ends to answer (ex_flow_reply in examples/common/ex_flow.h).
 *
 *   hello_world --local IP                 server, until SIGINT/SIGTERM
 *   hello_world --local IP --remote IP     client
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ex_flow.h"
#include "machnet.h"

#define HW_PORT 31580
#define HW_MSG "Hello World!"
#define HW_BUF_LEN 1024
#define HW_REPLY_TIMEOUT_S 10
/* machnet_recv never blocks: pause this long between empty polls. */
#define HW_POLL_PAUSE_NS 20000

static volatile sig_atomic_t hw_stop;

static void
hw_on_signal(int sig)
{
	(void)sig;
	hw_stop = 1;
}

static void
hw_die(const char *call)
{
	fprintf(stderr, "hello_world: %s: %s\n", call, strerror(errno));
	exit(1);
}

static void
hw_usage(void)
{
	fprintf(stderr, "usage: hello_world --local IP [--remote IP]\n");
	exit(2);
}

static void
hw_pause(void)
{
	static const struct timespec nap = { 0, HW_POLL_PAUSE_NS };

	nanosleep(&nap, NULL);
}

/* A received flow names its sender as src; addresses are in host order. */
static void
hw_print_msg(const char *what, const char *buf, ssize_t len,
	     const MachnetFlow_t *flow)
{
	uint32_t ip = flow->src_ip;

	printf("hello_world: %s \"%.*s\" from %u.%u.%u.%u:%u\n", what,
	       (int)len, buf, ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
	       ip & 0xff, flow->src_port);
	fflush(stdout);
}

/* Retries while the channel is full, as every sender must. */
static void
hw_send(void *ch, MachnetFlow_t flow, const void *buf, size_t len)
{
	while (machnet_send(ch, flow, buf, len) != 0) {
		if (errno != EAGAIN)
			hw_die("machnet_send");
		hw_pause();
	}
}

static int
hw_server(void *ch)
{
	char buf[HW_BUF_LEN];
	MachnetFlow_t flow;
	ssize_t n;

	while (!hw_stop) {
		n = machnet_recv(ch, buf, sizeof(buf), &flow);
		if (n < 0 && !hw_stop)
			hw_die("machnet_recv");
		if (n <= 0) {
			hw_pause();
			continue;
		}
		hw_print_msg("received", buf, n, &flow);
		/* The reply goes back on the flow seen from this end. */
		hw_send(ch, ex_flow_reply(&flow), buf, (size_t)n);
	}
	return 0;
}

static int
hw_client(void *ch, const char *local, const char *remote)
{
	time_t deadline = time(NULL) + HW_REPLY_TIMEOUT_S;
	char buf[HW_BUF_LEN];
	MachnetFlow_t flow, from;
	ssize_t n;

	if (machnet_connect(ch, local, remote, HW_PORT, &flow) != 0)
		hw_die("machnet_connect");
	hw_send(ch, flow, HW_MSG, strlen(HW_MSG));
	while ((n = machnet_recv(ch, buf, sizeof(buf), &from)) == 0) {
		if (hw_stop || time(NULL) > deadline) {
			fprintf(stderr, "hello_world: no reply within %d s\n",
				HW_REPLY_TIMEOUT_S);
			return 1;
		}
		hw_pause();
	}
	if (n < 0)
		hw_die("machnet_recv");
	hw_print_msg("reply", buf, n, &from);
	if (machnet_close(ch, flow) != 0)
		hw_die("machnet_close");
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = hw_on_signal };
	const char *local = NULL, *remote = NULL;
	void *ch;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'l')
			local = optarg;
		else if (c == 'r')
			remote = optarg;
		else
			hw_usage();
	}
	if (local == NULL || optind != argc)
		hw_usage();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (machnet_init() != 0)
		hw_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		hw_die("machnet_attach");
	if (machnet_listen(ch, local, HW_PORT) != 0)
		hw_die("machnet_listen");
	printf("hello_world: listening on %s:%u\n", local, HW_PORT);
	fflush(stdout);
	rc = remote ? hw_client(ch, local, remote) : hw_server(ch);
	if (machnet_detach(ch) != 0)
		hw_die("machnet_detach");
	return rc;
}
