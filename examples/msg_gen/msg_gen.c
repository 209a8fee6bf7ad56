/*
 * msg_gen: the message-rate and latency benchmark, with the flags upstream
 * Machnet's msg_gen users know, so their scripts and habits carry over.
 *
 * Without --remote_ip it is a server that echoes every message on its
 * flow. With it, a client keeps --msg_window messages in flight on one
 * flow, prints every second the TX and RX rates and the round-trip
 * percentiles of that second (in upstream msg_gen's format, which the
 * server uses too), and at the end one machine-readable `summary:` line;
 * the server prints one when a signal stops it. Every message carries its
 * sequence number in its first 8 bytes (little endian) and a pseudo-random
 * stream seeded by it after them, so a lost, duplicated or reordered echo
 * is an error; --verify checks every byte instead of the sequence number
 * alone. Gb/s counts payload in one direction. cpu_per_s in a summary is
 * the process's own CPU time (user and system, all threads) per second of
 * the run, so the cost of polling and of waiting can be set side by side.
 *
 * --idle spin, yield or sleep says what a poller does when a poll finds
 * nothing (examples/common/example.h); --idle wait does not poll at all
 * but sleeps in machnet_recv_wait until an echo, or the next report or
 * the end of the run, is due.
 *
 * Exit status: 0, or 1 on an API error, an echo error, or when --msg_nr
 * echoes did not all come back before --duration (default 60 s with
 * --msg_nr); 2 on bad arguments. --self-test checks the latency histogram
 * and exits.
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
#include <sys/resource.h>

#include "ex_flow.h"
#include "example.h"
#include "histogram.h"
#include "machnet.h"

#define MG_DEFAULT_PORT 888
#define MG_RECV_BURST 32
#define MG_NR_TIMEOUT_S 60
#define MG_SHOWN_ERRORS 10
#define MG_SEQ_BYTES 8
#define MG_NS_PER_S 1000000000ull
#define MG_NS_PER_MS 1000000ull

struct mg_opts {
	const char *local_ip;
	const char *remote_ip;
	uint16_t local_port;
	uint16_t remote_port;
	size_t msg_size;
	uint32_t window;
	uint64_t msg_nr;     /* 0: unlimited */
	uint64_t duration_s; /* 0: until --msg_nr or a signal */
	bool verify;
	bool self_test;
	/* With wait, idle is only for a send the channel has no room for. */
	bool wait;
	enum ex_idle idle;
};

/* Counters at the start of the current one-second report interval. */
struct mg_tick {
	uint64_t start_ns;
	uint64_t sent;
	uint64_t received;
	unsigned int secs;
};

struct mg_client {
	const struct mg_opts *o;
	void *ch;
	MachnetFlow_t flow;
	uint8_t *txbuf;
	uint8_t *rxbuf;
	uint64_t *sent_at; /* per window slot */
	uint64_t sent;
	uint64_t received;
	uint64_t filled; /* the seq whose content txbuf holds, +1; 0: none */
	uint64_t errors;
	double cpu_start_s;
	struct hist *second;
	struct hist *total;
	struct mg_tick tick;
};

static volatile sig_atomic_t mg_stop;

static void
mg_usage(void)
{
	fprintf(stderr, "usage: msg_gen --local_ip IP [--local_port P] "
		"[--idle spin|yield|sleep|wait]   (server: echoes)\n"
		"       msg_gen --local_ip IP --remote_ip IP [--remote_port P] "
		"[--msg_size B] [--msg_window W] [--msg_nr N] [--verify] "
		"[--duration S] [--idle spin|yield|sleep|wait]\n"
		"       msg_gen --self-test\n");
	exit(2);
}

static void
mg_die(const char *call)
{
	fprintf(stderr, "msg_gen: %s: %s\n", call, strerror(errno));
	exit(1);
}

static void
mg_on_signal(int sig)
{
	(void)sig;
	mg_stop = 1;
}

static uint64_t
mg_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Word w (8 bytes from offset 8w) of message seq: seq itself, then a stream. */
static uint64_t
mg_word(uint64_t *state, uint64_t seq, size_t w)
{
	return w == 0 ? seq : mg_splitmix(state);
}

static void
mg_fill(uint8_t *buf, size_t len, uint64_t seq)
{
	uint64_t state = seq, word = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			word = mg_word(&state, seq, i / 8);
		buf[i] = (uint8_t)(word >> (8 * (i % 8)));
	}
}

/* The offset of the first of len bytes that differs from mg_fill's, or len. */
static size_t
mg_check(const uint8_t *buf, size_t len, uint64_t seq)
{
	uint64_t state = seq, word = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			word = mg_word(&state, seq, i / 8);
		if (buf[i] != (uint8_t)(word >> (8 * (i % 8))))
			return i;
	}
	return len;
}

static size_t
mg_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void
mg_parse_one(int c, struct mg_opts *o)
{
	switch (c) {
	case 'l':
		o->local_ip = optarg;
		break;
	case 'r':
		o->remote_ip = optarg;
		break;
	case 'p':
		o->local_port = ex_parse_u64(optarg, 1, UINT16_MAX, mg_usage);
		break;
	case 'P':
		o->remote_port = ex_parse_u64(optarg, 1, UINT16_MAX, mg_usage);
		break;
	case 's':
		o->msg_size = ex_parse_u64(optarg, 1, MACHNET_MSG_MAX_LEN,
					   mg_usage);
		break;
	case 'w':
		o->window = ex_parse_u64(optarg, 1, 65536, mg_usage);
		break;
	case 'n':
		o->msg_nr = ex_parse_u64(optarg, 1, UINT64_MAX, mg_usage);
		break;
	case 'd':
		o->duration_s = ex_parse_u64(optarg, 1, 365 * 86400, mg_usage);
		break;
	case 'v':
		o->verify = true;
		break;
	case 'i':
		o->wait = strcmp(optarg, "wait") == 0;
		o->idle = o->wait ? EX_IDLE_YIELD : ex_parse_idle(optarg, mg_usage);
		break;
	case 'T':
		o->self_test = true;
		break;
	default:
		mg_usage();
	}
}

static void
mg_parse(int argc, char **argv, struct mg_opts *o)
{
	static const struct option longopts[] = {
		{ "local_ip", required_argument, NULL, 'l' },
		{ "remote_ip", required_argument, NULL, 'r' },
		{ "local_port", required_argument, NULL, 'p' },
		{ "remote_port", required_argument, NULL, 'P' },
		{ "msg_size", required_argument, NULL, 's' },
		{ "msg_window", required_argument, NULL, 'w' },
		{ "msg_nr", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "verify", no_argument, NULL, 'v' },
		{ "idle", required_argument, NULL, 'i' },
		{ "self-test", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct mg_opts){ .local_port = MG_DEFAULT_PORT,
			       .remote_port = MG_DEFAULT_PORT, .msg_size = 64,
			       .window = 8, .idle = EX_IDLE_SLEEP };
	opterr = 0; /* mg_usage() is all a bad argument gets */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		mg_parse_one(c, o);
	if (optind != argc || (!o->self_test && o->local_ip == NULL))
		mg_usage();
}

static void
mg_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = mg_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void *
mg_join(const struct mg_opts *o)
{
	void *ch;

	ex_idle_prepare(o->idle);
	if (machnet_init() != 0)
		mg_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		mg_die("machnet_attach");
	return ch;
}

/* The process's user and system time so far, all its threads. */
static double
mg_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		mg_die("getrusage");
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* A wait's timeout: whole milliseconds until due, rounded up, at least 1. */
static int
mg_ms_until(uint64_t due, uint64_t now)
{
	if (due <= now)
		return 1;
	return (int)((due - now + MG_NS_PER_MS - 1) / MG_NS_PER_MS);
}

static double
mg_gbps(double msg_per_s, size_t msg_size)
{
	return msg_per_s * (double)msg_size * 8 / 1e9;
}

/* Sends until accepted; EAGAIN only means the channel is full for now. */
static void
mg_echo(void *ch, MachnetFlow_t flow, const void *buf, size_t len,
	enum ex_idle idle)
{
	unsigned int empty = 0;

	while (machnet_send(ch, flow, buf, len) != 0) {
		if (errno != EAGAIN)
			mg_die("machnet_send");
		if (mg_stop)
			return;
		ex_idle(idle, false, &empty);
	}
}

/* What the server echoed since start_ns, for its once-a-second line. */
struct mg_echoed {
	uint64_t start_ns;
	uint64_t msgs;
	uint64_t bytes;
};

static double
mg_pct_us(const struct hist *h, double q)
{
	return (double)hist_percentile(h, q) / 1e3;
}

/*
 * The per-second line, in upstream msg_gen's format so that scripts
 * written around its output read ours: thousands of messages and payload
 * Gb/s each way, then the round-trip percentiles of the second in whole
 * microseconds, or N/A for a second without any (always, on a server).
 */
static void
mg_print_second(double tx_msgs, double rx_msgs, double tx_gbps,
		double rx_gbps, const struct hist *rtt)
{
	printf("TX/RX (msg/sec, Gbps): (%.1fK/%.1fK, %.3f/%.3f). "
	       "RTT (p50/99/99.9 us): ", tx_msgs / 1e3, rx_msgs / 1e3, tx_gbps,
	       rx_gbps);
	if (rtt == NULL || hist_count(rtt) == 0)
		printf("N/A\n");
	else
		printf("%.0f/%.0f/%.0f\n", mg_pct_us(rtt, 0.5),
		       mg_pct_us(rtt, 0.99), mg_pct_us(rtt, 0.999));
	fflush(stdout);
}

/* Prints the echo rate of the last second, if anything was echoed. */
static void
mg_server_tick(struct mg_echoed *e, uint64_t now)
{
	double secs = (double)(now - e->start_ns) / 1e9;
	double msgs = (double)e->msgs / secs;
	double gbps = (double)e->bytes * 8 / 1e9 / secs;

	if (e->msgs != 0)
		mg_print_second(msgs, msgs, gbps, gbps, NULL);
	*e = (struct mg_echoed){ .start_ns = now };
}

/*
 * One receive on the server: a poll, or with --idle wait a sleep until a
 * message comes or the next report is due. A signal's EINTR is nothing
 * received: the loop then sees mg_stop.
 */
static ssize_t
mg_server_recv(const struct mg_opts *o, void *ch, uint8_t *buf,
	       MachnetFlow_t *flow, uint64_t report_due)
{
	ssize_t n;

	if (!o->wait)
		return machnet_recv(ch, buf, MACHNET_MSG_MAX_LEN, flow);
	n = machnet_recv_wait(ch, buf, MACHNET_MSG_MAX_LEN, flow,
			      mg_ms_until(report_due, ex_now_ns()));
	return n < 0 && errno == EINTR ? 0 : n;
}

/* Echoes until a signal; returns how many messages it echoed. */
static uint64_t
mg_serve(const struct mg_opts *o, void *ch, uint8_t *buf)
{
	struct mg_echoed echoed = { .start_ns = ex_now_ns() };
	unsigned int empty = 0;
	uint64_t total = 0, now;
	MachnetFlow_t flow;
	ssize_t n;

	while (!mg_stop) {
		n = mg_server_recv(o, ch, buf, &flow,
				   echoed.start_ns + MG_NS_PER_S);
		if (n < 0 && !mg_stop)
			mg_die("machnet_recv");
		if (n > 0) {
			mg_echo(ch, ex_flow_reply(&flow), buf, (size_t)n, o->idle);
			echoed.msgs++;
			echoed.bytes += (uint64_t)n;
			total++;
		}
		now = ex_now_ns();
		if (now - echoed.start_ns >= MG_NS_PER_S)
			mg_server_tick(&echoed, now);
		if (!o->wait)
			ex_idle(o->idle, n > 0, &empty);
	}
	return total;
}

static int
mg_server(const struct mg_opts *o)
{
	uint8_t *buf = malloc(MACHNET_MSG_MAX_LEN);
	uint64_t start, msgs;
	double cpu_start, secs;
	void *ch;

	if (buf == NULL)
		mg_die("malloc");
	ch = mg_join(o);
	if (machnet_listen(ch, o->local_ip, o->local_port) != 0)
		mg_die("machnet_listen");
	printf("msg_gen: listening on %s:%u\n", o->local_ip, o->local_port);
	fflush(stdout);
	start = ex_now_ns();
	cpu_start = mg_cpu_s();
	msgs = mg_serve(o, ch, buf);
	secs = (double)(ex_now_ns() - start) / 1e9;
	printf("summary: msgs=%" PRIu64 " secs=%.3f cpu_per_s=%.3f\n", msgs,
	       secs, (mg_cpu_s() - cpu_start) / secs);
	fflush(stdout);
	if (machnet_detach(ch) != 0)
		mg_die("machnet_detach");
	free(buf);
	return 0;
}

static bool
mg_may_send(const struct mg_client *c)
{
	const struct mg_opts *o = c->o;

	return c->sent - c->received < o->window &&
	       (o->msg_nr == 0 || c->sent < o->msg_nr);
}

/*
 * Without --verify the buffer keeps the stream of message 0 and only the
 * sequence number changes, so sending costs no more than the copy.
 */
static void
mg_prepare(struct mg_client *c)
{
	size_t size = c->o->msg_size;

	if (c->filled == c->sent + 1)
		return; /* a retry after EAGAIN */
	if (c->o->verify || c->filled == 0)
		mg_fill(c->txbuf, size, c->sent);
	else
		mg_fill(c->txbuf, mg_min(size, MG_SEQ_BYTES), c->sent);
	c->filled = c->sent + 1;
}

static bool
mg_try_send(struct mg_client *c)
{
	bool progress = false;
	uint64_t now;

	while (mg_may_send(c)) {
		mg_prepare(c);
		/* The round trip includes the copy into the channel. */
		now = ex_now_ns();
		if (machnet_send(c->ch, c->flow, c->txbuf,
				 c->o->msg_size) != 0) {
			if (errno != EAGAIN)
				mg_die("machnet_send");
			break;
		}
		c->sent_at[c->sent % c->o->window] = now;
		c->sent++;
		progress = true;
	}
	return progress;
}

static void
mg_echo_error(struct mg_client *c, ssize_t n, const char *why)
{
	uint64_t head = 0;
	size_t i;

	if (c->errors++ >= MG_SHOWN_ERRORS)
		return;
	for (i = 0; i < mg_min((size_t)n, MG_SEQ_BYTES); i++)
		head |= (uint64_t)c->rxbuf[i] << (8 * i);
	fprintf(stderr, "msg_gen: echo %" PRIu64 " (%zd bytes): %s; its head "
		"names message %" PRIu64 "\n", c->received, n, why, head);
}

/* Checks the echo of message c->received: its length, then its bytes. */
static void
mg_check_echo(struct mg_client *c, ssize_t n)
{
	size_t size = c->o->msg_size, len, bad;

	if ((size_t)n != size) {
		mg_echo_error(c, n, "wrong length");
		return;
	}
	len = c->o->verify ? size : mg_min(size, MG_SEQ_BYTES);
	bad = mg_check(c->rxbuf, len, c->received);
	if (bad == len)
		return;
	if (bad < mg_min(size, MG_SEQ_BYTES))
		mg_echo_error(c, n, "wrong sequence number");
	else
		mg_echo_error(c, n, "payload differs");
}

static void
mg_on_echo(struct mg_client *c, ssize_t n, const MachnetFlow_t *flow,
	   uint64_t now)
{
	MachnetFlow_t mine = ex_flow_reply(flow);

	if (!ex_flow_eq(&mine, &c->flow)) {
		mg_echo_error(c, n, "arrived on a foreign flow");
		return;
	}
	if (c->received >= c->sent) {
		mg_echo_error(c, n, "more echoes than messages sent");
		return;
	}
	mg_check_echo(c, n);
	hist_record(c->second, now - c->sent_at[c->received % c->o->window]);
	c->received++;
}

static bool
mg_try_recv(struct mg_client *c)
{
	MachnetFlow_t flow;
	unsigned int i;
	ssize_t n = 0;

	for (i = 0; i < MG_RECV_BURST; i++) {
		n = machnet_recv(c->ch, c->rxbuf, MACHNET_MSG_MAX_LEN, &flow);
		if (n < 0)
			mg_die("machnet_recv");
		if (n == 0)
			break;
		mg_on_echo(c, n, &flow, ex_now_ns());
	}
	return i > 0;
}

/*
 * With --idle wait and no message it may send: sleeps until an echo comes
 * (taken as mg_try_recv takes one) or due passes.
 */
static void
mg_wait_echo(struct mg_client *c, uint64_t due)
{
	MachnetFlow_t flow;
	ssize_t n;

	n = machnet_recv_wait(c->ch, c->rxbuf, MACHNET_MSG_MAX_LEN, &flow,
			      mg_ms_until(due, ex_now_ns()));
	if (n < 0 && errno != EINTR)
		mg_die("machnet_recv_wait");
	if (n > 0)
		mg_on_echo(c, n, &flow, ex_now_ns());
}

static void
mg_client_tick(struct mg_client *c, uint64_t now)
{
	struct mg_tick *t = &c->tick;
	double secs = (double)(now - t->start_ns) / 1e9;
	double tx = (double)(c->sent - t->sent) / secs;
	double rx = (double)(c->received - t->received) / secs;
	size_t size = c->o->msg_size;

	t->secs++;
	mg_print_second(tx, rx, mg_gbps(tx, size), mg_gbps(rx, size),
			c->second);
	hist_merge(c->total, c->second);
	hist_reset(c->second);
	*t = (struct mg_tick){ .start_ns = now, .sent = c->sent,
			       .received = c->received, .secs = t->secs };
}

static void
mg_summary(struct mg_client *c, uint64_t elapsed_ns)
{
	double rate = (double)c->received * 1e9 / (double)elapsed_ns;

	hist_merge(c->total, c->second);
	hist_reset(c->second);
	printf("summary: msg_size=%zu msg_window=%u msgs=%" PRIu64
	       " msg_per_s=%.0f gbps=%.3f p50_us=%.2f p99_us=%.2f "
	       "p999_us=%.2f max_us=%.2f errors=%" PRIu64 " cpu_per_s=%.3f\n",
	       c->o->msg_size, c->o->window, c->received, rate,
	       mg_gbps(rate, c->o->msg_size), mg_pct_us(c->total, 0.5),
	       mg_pct_us(c->total, 0.99), mg_pct_us(c->total, 0.999),
	       (double)hist_max(c->total) / 1e3, c->errors,
	       (mg_cpu_s() - c->cpu_start_s) * 1e9 / (double)elapsed_ns);
	fflush(stdout);
}

/* When the run must end: --duration, or the --msg_nr timeout; 0: never. */
static uint64_t
mg_deadline(const struct mg_opts *o, uint64_t start)
{
	if (o->duration_s != 0)
		return start + o->duration_s * MG_NS_PER_S;
	if (o->msg_nr != 0)
		return start + MG_NR_TIMEOUT_S * MG_NS_PER_S;
	return 0;
}

/* When a waiting client must be up again: the next report, or the end. */
static uint64_t
mg_wake_due(const struct mg_client *c, uint64_t start, uint64_t deadline)
{
	uint64_t report = start + (c->tick.secs + 1ull) * MG_NS_PER_S;

	return deadline != 0 && deadline < report ? deadline : report;
}

static void
mg_run(struct mg_client *c, uint64_t start)
{
	uint64_t deadline = mg_deadline(c->o, start), now;
	unsigned int empty = 0;
	bool progress;

	c->tick.start_ns = start;
	while (!mg_stop && (c->o->msg_nr == 0 || c->received < c->o->msg_nr)) {
		progress = mg_try_recv(c);
		progress |= mg_try_send(c);
		now = ex_now_ns();
		/* Ticks on whole seconds from start: 3 lines for a 3 s run. */
		if (now - start >= (c->tick.secs + 1ull) * MG_NS_PER_S)
			mg_client_tick(c, now);
		if (deadline != 0 && now >= deadline)
			break;
		if (c->o->wait && !mg_may_send(c))
			mg_wait_echo(c, mg_wake_due(c, start, deadline));
		else
			ex_idle(c->o->idle, progress, &empty);
	}
}

static void
mg_client_init(struct mg_client *c, const struct mg_opts *o)
{
	*c = (struct mg_client){ .o = o };
	c->txbuf = malloc(o->msg_size);
	c->rxbuf = malloc(MACHNET_MSG_MAX_LEN);
	c->sent_at = calloc(o->window, sizeof(*c->sent_at));
	c->second = hist_create();
	c->total = hist_create();
	if (!c->txbuf || !c->rxbuf || !c->sent_at || !c->second || !c->total)
		mg_die("malloc");
}

static void
mg_client_free(struct mg_client *c)
{
	free(c->txbuf);
	free(c->rxbuf);
	free(c->sent_at);
	hist_free(c->second);
	hist_free(c->total);
}

/* Whether every requested echo came back; says what is missing if not. */
static bool
mg_complete(const struct mg_client *c)
{
	uint64_t nr = c->o->msg_nr;

	if (nr == 0 || c->received >= nr)
		return true;
	fprintf(stderr, "msg_gen: %s: %" PRIu64 " of %" PRIu64 " echoes "
		"missing (%" PRIu64 " sent)\n",
		mg_stop ? "interrupted" : "out of time", nr - c->received, nr,
		c->sent);
	return false;
}

static int
mg_client(const struct mg_opts *o)
{
	struct mg_client c;
	uint64_t start;
	bool ok;

	mg_client_init(&c, o);
	c.ch = mg_join(o);
	/* A server that resets the flow ends the run at once, not by timeout. */
	if (machnet_set_flow_events(c.ch, 1) != 0)
		mg_die("machnet_set_flow_events");
	start = ex_now_ns();
	if (machnet_connect(c.ch, o->local_ip, o->remote_ip, o->remote_port,
			    &c.flow) != 0)
		mg_die("machnet_connect");
	printf("msg_gen: connected to %s:%u in %.1f us; %zu B messages, "
	       "window %u%s\n", o->remote_ip, o->remote_port,
	       (double)(ex_now_ns() - start) / 1e3, o->msg_size, o->window,
	       o->verify ? ", verifying every byte" : "");
	fflush(stdout);
	start = ex_now_ns();
	c.cpu_start_s = mg_cpu_s();
	mg_run(&c, start);
	mg_summary(&c, ex_now_ns() - start);
	ok = mg_complete(&c) && c.errors == 0;
	if (machnet_close(c.ch, c.flow) != 0)
		mg_die("machnet_close");
	if (machnet_detach(c.ch) != 0)
		mg_die("machnet_detach");
	mg_client_free(&c);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct mg_opts o;

	mg_parse(argc, argv, &o);
	if (o.self_test)
		return hist_self_test(stdout) ? 0 : 1;
	mg_catch_signals();
	return o.remote_ip ? mg_client(&o) : mg_server(&o);
}
