/*
 * pingpong: validates machnet end to end and measures round trips.
 *
 * The server echoes every message on its flow. The client keeps a window
 * of messages in flight, each filled with a pattern derived from its
 * sequence number, so every byte of every echo is checked and a lost,
 * duplicated or reordered message shows up as a mismatch. It uses nothing
 * but machnet.h, as any application would.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex_flow.h"
#include "example.h"
#include "machnet.h"

#define PP_DEFAULT_PORT 31580

struct pp_opts {
	bool server;
	bool client;
	const char *local;
	const char *remote;
	uint16_t port;
	uint64_t count;
	size_t size;
	uint32_t window;
	enum ex_idle idle;
	double timeout_s;
};

static volatile sig_atomic_t pp_stop;

static void
pp_usage(void)
{
	fprintf(stderr, "usage: pingpong --server --local IP [--port P] "
		"[--idle spin|yield|sleep] | --client --local IP --remote IP "
		"[--port P] [--count N] [--size S] [--window W] "
		"[--idle spin|yield|sleep] [--timeout SECONDS]\n");
	exit(2);
}

static void
pp_die(const char *call)
{
	fprintf(stderr, "pingpong: %s: %s\n", call, strerror(errno));
	exit(1);
}

static void
pp_on_signal(int sig)
{
	(void)sig;
	pp_stop = 1;
}

static uint64_t
pp_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Message seq is its sequence number (8 bytes, little endian) followed by a
 * pseudo-random stream seeded by it, cut to len bytes: any two messages
 * differ, and the head of an echo names the message it belongs to.
 */
static void
pp_fill(uint8_t *buf, size_t len, uint64_t seq)
{
	uint64_t state = seq, word = seq;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0 && i != 0)
			word = pp_splitmix(&state);
		buf[i] = (uint8_t)(word >> (8 * (i % 8)));
	}
}

/* Returns the offset of the first wrong byte, or len when all match. */
static size_t
pp_check(const uint8_t *buf, size_t len, uint64_t seq)
{
	uint64_t state = seq, word = seq;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0 && i != 0)
			word = pp_splitmix(&state);
		if (buf[i] != (uint8_t)(word >> (8 * (i % 8))))
			return i;
	}
	return len;
}

static void
pp_parse(int argc, char **argv, struct pp_opts *o)
{
	static const struct option longopts[] = {
		{ "server", no_argument, NULL, 'S' },
		{ "client", no_argument, NULL, 'C' },
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{ "idle", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct pp_opts){ .port = PP_DEFAULT_PORT, .count = 10000,
			       .size = 64, .window = 1,
			       .idle = EX_IDLE_SLEEP, .timeout_s = 60 };
	opterr = 0; /* pp_usage() is the one line a bad argument gets */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			o->server = true;
			break;
		case 'C':
			o->client = true;
			break;
		case 'l':
			o->local = optarg;
			break;
		case 'r':
			o->remote = optarg;
			break;
		case 'p':
			o->port = ex_parse_u64(optarg, 1, UINT16_MAX, pp_usage);
			break;
		case 'n':
			o->count = ex_parse_u64(optarg, 1, UINT32_MAX,
						pp_usage);
			break;
		case 's':
			o->size = ex_parse_u64(optarg, 1, MACHNET_MSG_MAX_LEN,
					       pp_usage);
			break;
		case 'w':
			o->window = ex_parse_u64(optarg, 1, 65536, pp_usage);
			break;
		case 'i':
			o->idle = ex_parse_idle(optarg, pp_usage);
			break;
		case 't':
			o->timeout_s = ex_parse_u64(optarg, 1, 86400, pp_usage);
			break;
		default:
			pp_usage();
		}
	}
	if (optind != argc || o->server == o->client || o->local == NULL ||
	    (o->client && o->remote == NULL) || (o->server && o->remote))
		pp_usage();
}

static void *
pp_join(void)
{
	void *ch;

	if (machnet_init() != 0)
		pp_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		pp_die("machnet_attach");
	return ch;
}

static void
pp_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = pp_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sends until accepted; EAGAIN only means the channel is full for now. */
static void
pp_echo(void *ch, MachnetFlow_t flow, const void *buf, size_t len,
	enum ex_idle idle)
{
	unsigned int empty = 0;

	while (machnet_send(ch, flow, buf, len) != 0) {
		if (errno != EAGAIN)
			pp_die("machnet_send");
		if (pp_stop)
			return;
		ex_idle(idle, false, &empty);
	}
}

static int
pp_server(const struct pp_opts *o)
{
	uint8_t *buf = malloc(MACHNET_MSG_MAX_LEN);
	unsigned int empty = 0;
	uint64_t start;
	MachnetFlow_t flow;
	void *ch;
	ssize_t n;

	if (buf == NULL)
		pp_die("malloc");
	ch = pp_join();
	start = ex_now_ns();
	if (machnet_listen(ch, o->local, o->port) != 0)
		pp_die("machnet_listen");
	printf("pingpong: listening on %s:%u (listen took %.1f us)\n", o->local,
	       o->port, (ex_now_ns() - start) / 1e3);
	fflush(stdout);
	while (!pp_stop) {
		n = machnet_recv(ch, buf, MACHNET_MSG_MAX_LEN, &flow);
		if (n < 0) {
			if (pp_stop)
				break;
			pp_die("machnet_recv");
		}
		if (n > 0)
			pp_echo(ch, ex_flow_reply(&flow), buf, (size_t)n, o->idle);
		ex_idle(o->idle, n > 0, &empty);
	}
	if (machnet_detach(ch) != 0)
		pp_die("machnet_detach");
	free(buf);
	return 0;
}

struct pp_client {
	const struct pp_opts *o;
	void *ch;
	MachnetFlow_t flow;
	uint8_t *txbuf;
	uint8_t *rxbuf;
	uint64_t sent;
	uint64_t received;
	uint64_t filled;       /* seq whose pattern txbuf holds, +1; 0: none */
	uint64_t *sent_at;     /* per window slot */
	uint64_t *rtt_ns;      /* per message */
};

static bool
pp_try_send(struct pp_client *c)
{
	const struct pp_opts *o = c->o;
	bool progress = false;

	while (c->sent < o->count && c->sent - c->received < o->window) {
		if (c->filled != c->sent + 1) {
			pp_fill(c->txbuf, o->size, c->sent);
			c->filled = c->sent + 1;
		}
		if (machnet_send(c->ch, c->flow, c->txbuf, o->size) != 0) {
			if (errno != EAGAIN)
				pp_die("machnet_send");
			break;
		}
		c->sent_at[c->sent % o->window] = ex_now_ns();
		c->sent++;
		progress = true;
	}
	return progress;
}

static void
pp_mismatch(const struct pp_client *c, ssize_t n, const char *why)
{
	uint64_t got = 0;

	if (n >= 8)
		memcpy(&got, c->rxbuf, sizeof(got));
	fprintf(stderr, "pingpong: echo %" PRIu64 " (%zd bytes): %s; "
		"its head names message %" PRIu64 "\n",
		c->received, n, why, got);
	exit(1);
}

static bool
pp_try_recv(struct pp_client *c)
{
	const struct pp_opts *o = c->o;
	MachnetFlow_t flow, mine;
	uint64_t now;
	ssize_t n;
	size_t bad;

	n = machnet_recv(c->ch, c->rxbuf, MACHNET_MSG_MAX_LEN, &flow);
	if (n < 0)
		pp_die("machnet_recv");
	if (n == 0)
		return false;
	now = ex_now_ns();
	mine = ex_flow_reply(&flow);
	if (!ex_flow_eq(&mine, &c->flow))
		pp_mismatch(c, n, "arrived on a foreign flow");
	if (c->received >= c->sent)
		pp_mismatch(c, n, "more echoes than messages sent");
	if ((size_t)n != o->size)
		pp_mismatch(c, n, "wrong length");
	bad = pp_check(c->rxbuf, o->size, c->received);
	if (bad != o->size) {
		fprintf(stderr, "pingpong: echo %" PRIu64 ": byte %zu differs\n",
			c->received, bad);
		pp_mismatch(c, n, "payload mismatch");
	}
	c->rtt_ns[c->received] = now - c->sent_at[c->received % o->window];
	c->received++;
	return true;
}

static int
pp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double
pp_pct_us(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t rank = (uint64_t)(q * (double)n + 0.999999);

	if (rank == 0)
		rank = 1;
	return (double)sorted[rank - 1] / 1000.0;
}

static void
pp_report(const struct pp_client *c, uint64_t elapsed_ns)
{
	const struct pp_opts *o = c->o;
	uint64_t n = c->received;

	qsort(c->rtt_ns, n, sizeof(c->rtt_ns[0]), pp_cmp_u64);
	printf("pingpong: %" PRIu64 " messages of %zu B, window %u: "
	       "%.0f msg/s, %.1f MB/s; rtt us p50 %.1f p99 %.1f p99.9 %.1f "
	       "max %.1f\n",
	       n, o->size, o->window, (double)n * 1e9 / (double)elapsed_ns,
	       (double)n * (double)o->size * 1e3 / (double)elapsed_ns,
	       pp_pct_us(c->rtt_ns, n, 0.50), pp_pct_us(c->rtt_ns, n, 0.99),
	       pp_pct_us(c->rtt_ns, n, 0.999), pp_pct_us(c->rtt_ns, n, 1.0));
}

static int
pp_client(const struct pp_opts *o)
{
	struct pp_client c = { .o = o };
	uint64_t start, deadline;
	unsigned int empty = 0;
	bool progress;

	c.txbuf = malloc(o->size);
	c.rxbuf = malloc(MACHNET_MSG_MAX_LEN);
	c.sent_at = calloc(o->window, sizeof(*c.sent_at));
	c.rtt_ns = calloc(o->count, sizeof(*c.rtt_ns));
	if (!c.txbuf || !c.rxbuf || !c.sent_at || !c.rtt_ns)
		pp_die("malloc");
	c.ch = pp_join();
	/* A server that resets the flow ends the run at once, not by timeout. */
	if (machnet_set_flow_events(c.ch, 1) != 0)
		pp_die("machnet_set_flow_events");
	start = ex_now_ns();
	if (machnet_connect(c.ch, o->local, o->remote, o->port, &c.flow) != 0)
		pp_die("machnet_connect");
	printf("pingpong: connected in %.1f us\n", (ex_now_ns() - start) / 1e3);
	start = ex_now_ns();
	deadline = start + (uint64_t)(o->timeout_s * 1e9);
	while (c.received < o->count && !pp_stop) {
		progress = pp_try_send(&c);
		progress |= pp_try_recv(&c);
		if (!progress && ex_now_ns() > deadline)
			break;
		ex_idle(o->idle, progress, &empty);
	}
	if (c.received < o->count) {
		fprintf(stderr, "pingpong: %s: %" PRIu64 " of %" PRIu64
			" echoes missing (%" PRIu64 " sent)\n",
			pp_stop ? "interrupted" : "timeout",
			o->count - c.received, o->count, c.sent);
		return 1;
	}
	pp_report(&c, ex_now_ns() - start);
	if (machnet_close(c.ch, c.flow) != 0)
		pp_die("machnet_close");
	if (machnet_detach(c.ch) != 0)
		pp_die("machnet_detach");
	free(c.txbuf);
	free(c.rxbuf);
	free(c.sent_at);
	free(c.rtt_ns);
	return 0;
}

int
main(int argc, char **argv)
{
	struct pp_opts o;

	/* Each line as it happens, also into a log file: "connected" tells a
	 * watcher that the flow is up. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	pp_parse(argc, argv, &o);
	pp_catch_signals();
	ex_idle_prepare(o.idle);
	return o.server ? pp_server(&o) : pp_client(&o);
}
