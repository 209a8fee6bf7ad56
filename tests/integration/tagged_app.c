/*
 * tagged_app: one of several applications sharing a machnetd, used to
 * prove that each application sees only its own flows and messages.
 *
 * Every message carries the application's id, so a message delivered to
 * the wrong application is caught by the receiver.
 *
 *   tagged_app server LOCAL PORT APP
 *       echoes until SIGTERM; exits 1 at once on a foreign message,
 *       0 on SIGTERM if it echoed at least one message.
 *   tagged_app client LOCAL REMOTE PORT APP FLOWS COUNT
 *       opens FLOWS flows, sends COUNT messages on each, round robin,
 *       checks every echo (tag, flow, order); exits 0 when all came back.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ex_flow.h"
#include "machnet.h"

#define TA_MAGIC 0x54414731u /* "TAG1" */
#define TA_MAX_FLOWS 16
#define TA_MAX_LEN 3000
#define TA_DEADLINE_S 60

struct ta_hdr {
	uint32_t magic;
	uint32_t app;
	uint32_t flow_idx;
	uint32_t seq;
};

static volatile sig_atomic_t ta_stop;

static void
ta_on_signal(int sig)
{
	(void)sig;
	ta_stop = 1;
}

static void
ta_die(const char *call)
{
	fprintf(stderr, "tagged_app: %s: %s\n", call, strerror(errno));
	exit(1);
}

static void
ta_nap(void)
{
	static const struct timespec nap = { 0, 50000 };

	nanosleep(&nap, NULL);
}

static uint32_t
ta_num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end != '\0' || v > UINT16_MAX) {
		fprintf(stderr, "tagged_app: bad number '%s'\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

static void *
ta_join(void)
{
	void *ch;

	if (machnet_init() != 0)
		ta_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		ta_die("machnet_attach");
	return ch;
}

/* Length varies with seq so that several sizes are exercised. */
static size_t
ta_len(uint32_t seq)
{
	return sizeof(struct ta_hdr) + (seq * 97u) % (TA_MAX_LEN - 16);
}

static void
ta_fill(uint8_t *buf, const struct ta_hdr *h)
{
	size_t len = ta_len(h->seq), i;

	memcpy(buf, h, sizeof(*h));
	for (i = sizeof(*h); i < len; i++)
		buf[i] = (uint8_t)(h->app * 31u + h->seq + i);
}

static bool
ta_valid(const uint8_t *buf, ssize_t n, uint32_t app)
{
	struct ta_hdr h;
	size_t i;

	if (n < (ssize_t)sizeof(h))
		return false;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != TA_MAGIC || h.app != app || (size_t)n != ta_len(h.seq))
		return false;
	for (i = sizeof(h); i < (size_t)n; i++)
		if (buf[i] != (uint8_t)(h.app * 31u + h.seq + i))
			return false;
	return true;
}

/* Retries while the channel is full, unless a SIGTERM asks to stop. */
static void
ta_send(void *ch, MachnetFlow_t flow, const void *buf, size_t len)
{
	while (machnet_send(ch, flow, buf, len) != 0) {
		if (errno != EAGAIN)
			ta_die("machnet_send");
		if (ta_stop)
			return;
		ta_nap();
	}
}

static int
ta_server(const char *local, uint16_t port, uint32_t app)
{
	static uint8_t buf[TA_MAX_LEN];
	struct sigaction sa = { .sa_handler = ta_on_signal };
	uint64_t echoed = 0;
	MachnetFlow_t flow;
	void *ch;
	ssize_t n;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	ch = ta_join();
	if (machnet_listen(ch, local, port) != 0)
		ta_die("machnet_listen");
	printf("tagged_app: app %u listening on port %u\n", app, port);
	fflush(stdout);
	while (!ta_stop) {
		n = machnet_recv(ch, buf, sizeof(buf), &flow);
		if (n < 0)
			ta_die("machnet_recv");
		if (n <= 0) {
			ta_nap();
			continue;
		}
		/* A received flow names this end as dst. */
		if (!ta_valid(buf, n, app) || flow.dst_port != port) {
			fprintf(stderr, "tagged_app: app %u got a foreign "
				"message (%zd bytes, local port %u)\n",
				app, n, flow.dst_port);
			return 1;
		}
		ta_send(ch, ex_flow_reply(&flow), buf, (size_t)n);
		echoed++;
	}
	printf("tagged_app: app %u echoed %" PRIu64 " messages\n", app, echoed);
	return echoed > 0 ? 0 : 1;
}

struct ta_flow {
	MachnetFlow_t flow;
	uint32_t sent;
	uint32_t received;
};

static int
ta_flow_index(const struct ta_flow *f, uint32_t nflows,
	      const MachnetFlow_t *received)
{
	MachnetFlow_t m = ex_flow_reply(received);
	uint32_t i;

	for (i = 0; i < nflows; i++)
		if (ex_flow_eq(&f[i].flow, &m))
			return (int)i;
	return -1;
}

/* Checks one echo against its flow's next expected message. */
static void
ta_client_check(struct ta_flow *f, uint32_t nflows, const uint8_t *buf,
		ssize_t n, const MachnetFlow_t *flow, uint32_t app)
{
	int idx = ta_flow_index(f, nflows, flow);
	struct ta_hdr h;

	if (idx < 0 || !ta_valid(buf, n, app)) {
		fprintf(stderr, "tagged_app: app %u got a foreign echo\n", app);
		exit(1);
	}
	memcpy(&h, buf, sizeof(h));
	if (h.flow_idx != (uint32_t)idx || h.seq != f[idx].received) {
		fprintf(stderr, "tagged_app: app %u flow %d: expected seq %u, "
			"got flow %u seq %u\n", app, idx, f[idx].received,
			h.flow_idx, h.seq);
		exit(1);
	}
	f[idx].received++;
}

static int
ta_client(const char *local, const char *remote, uint16_t port, uint32_t app,
	  uint32_t nflows, uint32_t count)
{
	static uint8_t buf[TA_MAX_LEN];
	struct ta_flow f[TA_MAX_FLOWS] = { 0 };
	time_t deadline = time(NULL) + TA_DEADLINE_S;
	uint64_t done = 0, total = (uint64_t)nflows * count;
	MachnetFlow_t flow;
	uint32_t i;
	void *ch;
	ssize_t n;

	if (nflows == 0 || nflows > TA_MAX_FLOWS || count == 0) {
		fprintf(stderr, "tagged_app: FLOWS must be 1..%d, COUNT > 0\n",
			TA_MAX_FLOWS);
		return 2;
	}
	ch = ta_join();
	for (i = 0; i < nflows; i++)
		if (machnet_connect(ch, local, remote, port, &f[i].flow) != 0)
			ta_die("machnet_connect");
	while (done < total) {
		for (i = 0; i < nflows; i++) {
			struct ta_hdr h = { TA_MAGIC, app, i, f[i].sent };

			if (f[i].sent == count || f[i].sent - f[i].received >= 4)
				continue;
			ta_fill(buf, &h);
			ta_send(ch, f[i].flow, buf, ta_len(h.seq));
			f[i].sent++;
		}
		n = machnet_recv(ch, buf, sizeof(buf), &flow);
		if (n < 0)
			ta_die("machnet_recv");
		if (n > 0) {
			ta_client_check(f, nflows, buf, n, &flow, app);
			done++;
		} else if (time(NULL) > deadline) {
			fprintf(stderr, "tagged_app: app %u: timeout, %" PRIu64
				" of %" PRIu64 " echoes\n", app, done, total);
			return 1;
		} else {
			ta_nap();
		}
	}
	printf("tagged_app: app %u: %" PRIu64 " echoes on %u flows, all its own\n",
	       app, done, nflows);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "server") == 0)
		return ta_server(argv[2], ta_num(argv[3]), ta_num(argv[4]));
	if (argc == 8 && strcmp(argv[1], "client") == 0)
		return ta_client(argv[2], argv[3], ta_num(argv[4]),
				 ta_num(argv[5]), ta_num(argv[6]),
				 ta_num(argv[7]));
	fprintf(stderr, "usage: tagged_app server LOCAL PORT APP | "
		"tagged_app client LOCAL REMOTE PORT APP FLOWS COUNT\n");
	return 2;
}
