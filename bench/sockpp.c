/*
 * sockpp: the kernel baseline of scripts/bench.sh.
 *
 * The comparison with machnet is only fair if the kernel runs the same
 * client: N messages of S bytes, W in flight, an echo server, round trips
 * timed per message and reported as exact percentiles. This tool does that
 * over kernel UDP (one datagram per message, so S <= 65507) and kernel TCP
 * (each message framed by a 4-byte length). It waits in poll() like an
 * ordinary socket application rather than spinning, because on the shared
 * cores of the bench machine a spinning process starves its peer.
 *
 * UDP is unreliable: a message with no echo after SP_UDP_LOSS_MS counts as
 * lost and the window moves on, so a drop costs one pause, not the run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "example.h"

#define SP_UDP_MAX 65507u
#define SP_MAX_SIZE (8u * 1024u * 1024u)
#define SP_HDR 4u
#define SP_SOCKBUF (4 * 1024 * 1024)
#define SP_UDP_LOSS_MS 200
#define SP_TCP_STALL_MS 5000
#define SP_CONNECT_TRIES 50

enum sp_state { SP_UNSENT, SP_INFLIGHT, SP_DONE, SP_LOST };

struct sp_opts {
	bool server;
	bool tcp;
	const char *remote;
	uint16_t port;
	uint64_t count;
	size_t size;
	uint32_t window;
	double duration_s;
};

struct sp_client {
	const struct sp_opts *o;
	int fd;
	uint8_t *txbuf;        /* one message, with room for the TCP header */
	size_t tx_off;         /* TCP: bytes of the current frame written */
	uint8_t *rxbuf;
	size_t rx_len;         /* TCP: bytes buffered, not yet parsed */
	size_t rx_cap;
	uint64_t sent;
	uint64_t inflight;
	uint64_t received;
	uint64_t lost;
	uint64_t limit;        /* messages to send: count, or fewer at the deadline */
	uint64_t last_rx_ns;
	uint8_t *state;        /* enum sp_state per message */
	uint64_t *sent_at;     /* per message */
	uint64_t *rtt_ns;      /* per echo received */
};

static void
sp_usage(void)
{
	fprintf(stderr, "usage: sockpp --server --proto udp|tcp [--port P] | "
		"--client --proto udp|tcp --remote IP [--port P] [--size S] "
		"[--window W] [--count N] [--duration SECONDS]\n");
	exit(2);
}

static void
sp_die(const char *call)
{
	fprintf(stderr, "sockpp: %s: %s\n", call, strerror(errno));
	exit(1);
}

static void
sp_parse(int argc, char **argv, struct sp_opts *o)
{
	static const struct option longopts[] = {
		{ "server", no_argument, NULL, 'S' },
		{ "client", no_argument, NULL, 'C' },
		{ "proto", required_argument, NULL, 'P' },
		{ "remote", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	bool client = false, proto = false;
	int c;

	*o = (struct sp_opts){ .port = 7777, .count = 10000, .size = 64,
			       .window = 1, .duration_s = 10 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			o->server = true;
			break;
		case 'C':
			client = true;
			break;
		case 'P':
			if (strcmp(optarg, "tcp") != 0 && strcmp(optarg, "udp") != 0)
				sp_usage();
			o->tcp = strcmp(optarg, "tcp") == 0;
			proto = true;
			break;
		case 'r':
			o->remote = optarg;
			break;
		case 'p':
			o->port = ex_parse_u64(optarg, 1, UINT16_MAX, sp_usage);
			break;
		case 'n':
			o->count = ex_parse_u64(optarg, 1, UINT32_MAX,
						sp_usage);
			break;
		case 's':
			o->size = ex_parse_u64(optarg, 8, SP_MAX_SIZE,
					       sp_usage);
			break;
		case 'w':
			o->window = ex_parse_u64(optarg, 1, 65536, sp_usage);
			break;
		case 'd':
			o->duration_s = ex_parse_u64(optarg, 1, 86400,
						     sp_usage);
			break;
		default:
			sp_usage();
		}
	}
	if (optind != argc || o->server == client || !proto ||
	    (client && o->remote == NULL) || (o->server && o->remote))
		sp_usage();
}

/* Large buffers keep a window of big messages from being dropped (UDP) or
 * throttled by the default autotuning start (TCP); root may exceed rmem_max. */
static void
sp_tune(int fd, bool tcp)
{
	int one = 1, sz = SP_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (tcp && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			      sizeof(one)) != 0)
		sp_die("TCP_NODELAY");
}

static struct sockaddr_in
sp_addr(const char *ip, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };

	if (ip != NULL && inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		sp_usage();
	return sa;
}

static void
sp_write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			sp_die("write");
		p += n;
		len -= (size_t)n;
	}
}

static void
sp_serve_udp(int fd)
{
	uint8_t *buf = malloc(SP_UDP_MAX);
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;

	if (buf == NULL)
		sp_die("malloc");
	for (;;) {
		fl = sizeof(from);
		n = recvfrom(fd, buf, SP_UDP_MAX, 0, (struct sockaddr *)&from, &fl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			sp_die("recvfrom");
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) < 0 &&
		    errno != ENOBUFS && errno != EAGAIN)
			sp_die("sendto");
	}
}

/* Echoes every complete frame of one connection until the peer closes. */
static void
sp_serve_conn(int fd, uint8_t *buf, size_t cap)
{
	size_t len = 0, off, frame;
	uint32_t mlen;
	ssize_t n;

	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		len += (size_t)n;
		off = 0;
		while (len - off >= SP_HDR) {
			memcpy(&mlen, buf + off, SP_HDR);
			frame = SP_HDR + ntohl(mlen);
			if (ntohl(mlen) > SP_MAX_SIZE)
				return;
			if (len - off < frame)
				break;
			sp_write_all(fd, buf + off, frame);
			off += frame;
		}
		memmove(buf, buf + off, len - off);
		len -= off;
	}
}

static void
sp_serve_tcp(int lfd)
{
	size_t cap = 2 * (SP_HDR + SP_MAX_SIZE);
	uint8_t *buf = malloc(cap);
	int fd;

	if (buf == NULL)
		sp_die("malloc");
	if (listen(lfd, 4) != 0)
		sp_die("listen");
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			sp_die("accept");
		sp_tune(fd, true);
		sp_serve_conn(fd, buf, cap);
		close(fd);
	}
}

static int
sp_server(const struct sp_opts *o)
{
	struct sockaddr_in sa = sp_addr(NULL, o->port);
	int fd, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	fd = socket(AF_INET, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		sp_die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sp_tune(fd, o->tcp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		sp_die("bind");
	printf("sockpp: %s server on port %u\n", o->tcp ? "tcp" : "udp", o->port);
	fflush(stdout);
	if (o->tcp)
		sp_serve_tcp(fd);
	else
		sp_serve_udp(fd);
	return 0;
}

/* The server may still be starting: retry a refused connect for a while. */
static int
sp_connect(const struct sp_opts *o)
{
	struct sockaddr_in sa = sp_addr(o->remote, o->port);
	struct timespec pause = { 0, 100000000 };
	int fd, i;

	for (i = 0; i < SP_CONNECT_TRIES; i++) {
		fd = socket(AF_INET, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (fd < 0)
			sp_die("socket");
		sp_tune(fd, o->tcp);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (errno != ECONNREFUSED)
			sp_die("connect");
		close(fd);
		nanosleep(&pause, NULL);
	}
	sp_die("connect");
	return -1;
}

/* The head of a message names it: the echo is matched to its send time. */
static uint8_t *
sp_payload(struct sp_client *c)
{
	return c->txbuf + (c->o->tcp ? SP_HDR : 0);
}

static bool
sp_send_udp(struct sp_client *c)
{
	bool progress = false;

	while (c->sent < c->limit && c->inflight < c->o->window) {
		memcpy(sp_payload(c), &c->sent, sizeof(c->sent));
		c->sent_at[c->sent] = ex_now_ns();
		if (send(c->fd, c->txbuf, c->o->size, MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == ENOBUFS)
				break;
			sp_die("send");
		}
		c->state[c->sent++] = SP_INFLIGHT;
		c->inflight++;
		progress = true;
	}
	return progress;
}

static bool
sp_send_tcp(struct sp_client *c)
{
	size_t frame = SP_HDR + c->o->size;
	bool progress = false;
	ssize_t n;

	while (c->sent < c->limit && c->inflight < c->o->window) {
		if (c->tx_off == 0) {
			memcpy(sp_payload(c), &c->sent, sizeof(c->sent));
			c->sent_at[c->sent] = ex_now_ns();
		}
		n = send(c->fd, c->txbuf + c->tx_off, frame - c->tx_off,
			 MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			sp_die("send");
		}
		progress = true;
		c->tx_off += (size_t)n;
		if (c->tx_off < frame)
			break;
		c->tx_off = 0;
		c->state[c->sent++] = SP_INFLIGHT;
		c->inflight++;
	}
	return progress;
}

static void
sp_echoed(struct sp_client *c, const uint8_t *payload, size_t len,
	  uint64_t now)
{
	uint64_t seq;

	if (len != c->o->size) {
		fprintf(stderr, "sockpp: echo of %zu bytes, expected %zu\n",
			len, c->o->size);
		exit(1);
	}
	memcpy(&seq, payload, sizeof(seq));
	if (seq >= c->sent) {
		fprintf(stderr, "sockpp: echo names message %" PRIu64
			", only %" PRIu64 " sent\n", seq, c->sent);
		exit(1);
	}
	if (c->state[seq] != SP_INFLIGHT)
		return; /* a late echo of a message already counted lost */
	c->state[seq] = SP_DONE;
	c->inflight--;
	c->rtt_ns[c->received++] = now - c->sent_at[seq];
	c->last_rx_ns = now;
}

static bool
sp_recv_udp(struct sp_client *c)
{
	bool progress = false;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->rxbuf, c->rx_cap, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				return progress;
			if (errno == ECONNREFUSED)
				continue; /* ICMP from a server not yet up */
			sp_die("recv");
		}
		sp_echoed(c, c->rxbuf, (size_t)n, ex_now_ns());
		progress = true;
	}
}

static bool
sp_recv_tcp(struct sp_client *c)
{
	size_t off = 0, frame;
	uint32_t mlen;
	uint64_t now;
	ssize_t n;

	n = recv(c->fd, c->rxbuf + c->rx_len, c->rx_cap - c->rx_len,
		 MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return false;
	if (n < 0)
		sp_die("recv");
	if (n == 0) {
		fprintf(stderr, "sockpp: server closed the connection\n");
		exit(1);
	}
	now = ex_now_ns();
	c->rx_len += (size_t)n;
	while (c->rx_len - off >= SP_HDR) {
		memcpy(&mlen, c->rxbuf + off, SP_HDR);
		frame = SP_HDR + ntohl(mlen);
		if (c->rx_len - off < frame)
			break;
		sp_echoed(c, c->rxbuf + off + SP_HDR, ntohl(mlen), now);
		off += frame;
	}
	memmove(c->rxbuf, c->rxbuf + off, c->rx_len - off);
	c->rx_len -= off;
	return true;
}

/* UDP: a silent window means its messages were dropped. */
static void
sp_expire(struct sp_client *c)
{
	uint64_t i;

	for (i = 0; i < c->sent; i++) {
		if (c->state[i] == SP_INFLIGHT) {
			c->state[i] = SP_LOST;
			c->lost++;
		}
	}
	c->inflight = 0;
}

static void
sp_wait(struct sp_client *c, bool want_write)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int ms = c->o->tcp ? SP_TCP_STALL_MS : SP_UDP_LOSS_MS;
	int n;

	if (want_write)
		p.events |= POLLOUT;
	n = poll(&p, 1, ms);
	if (n < 0 && errno != EINTR)
		sp_die("poll");
	if (n != 0)
		return;
	if (c->o->tcp) {
		fprintf(stderr, "sockpp: no progress for %d ms (%" PRIu64
			" sent, %" PRIu64 " echoed, %zu bytes of a frame written, "
			"%zu buffered)\n", ms, c->sent, c->received, c->tx_off,
			c->rx_len);
		exit(1);
	}
	sp_expire(c);
}

static int
sp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double
sp_pct_us(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t rank = (uint64_t)(q * (double)n + 0.999999);

	if (n == 0)
		return 0;
	if (rank == 0)
		rank = 1;
	return (double)sorted[rank - 1] / 1000.0;
}

static void
sp_report(const struct sp_client *c, uint64_t elapsed_ns)
{
	const struct sp_opts *o = c->o;
	uint64_t n = c->received;

	qsort(c->rtt_ns, n, sizeof(c->rtt_ns[0]), sp_cmp_u64);
	printf("sockpp: proto=%s size=%zu window=%u msgs=%" PRIu64
	       " lost=%" PRIu64 " msg_per_s=%.0f p50_us=%.1f p99_us=%.1f "
	       "p999_us=%.1f max_us=%.1f\n",
	       o->tcp ? "tcp" : "udp", o->size, o->window, n, c->lost,
	       (double)n * 1e9 / (double)elapsed_ns,
	       sp_pct_us(c->rtt_ns, n, 0.50), sp_pct_us(c->rtt_ns, n, 0.99),
	       sp_pct_us(c->rtt_ns, n, 0.999), sp_pct_us(c->rtt_ns, n, 1.0));
}

static void
sp_client_alloc(struct sp_client *c)
{
	const struct sp_opts *o = c->o;
	uint32_t len = htonl((uint32_t)o->size);

	c->rx_cap = o->tcp ? 2 * (SP_HDR + o->size) + 65536 : SP_UDP_MAX;
	c->txbuf = calloc(1, SP_HDR + o->size);
	c->rxbuf = malloc(c->rx_cap);
	c->state = calloc(o->count, sizeof(*c->state));
	c->sent_at = calloc(o->count, sizeof(*c->sent_at));
	c->rtt_ns = calloc(o->count, sizeof(*c->rtt_ns));
	if (!c->txbuf || !c->rxbuf || !c->state || !c->sent_at || !c->rtt_ns)
		sp_die("malloc");
	if (o->tcp)
		memcpy(c->txbuf, &len, SP_HDR);
}

static int
sp_client(const struct sp_opts *o)
{
	struct sp_client c = { .o = o, .limit = o->count };
	uint64_t start, deadline;
	bool progress;

	if (!o->tcp && o->size > SP_UDP_MAX) {
		fprintf(stderr, "sockpp: udp: %zu B exceeds the largest datagram "
			"(%u B)\n", o->size, SP_UDP_MAX);
		return 3;
	}
	sp_client_alloc(&c);
	c.fd = sp_connect(o);
	start = ex_now_ns();
	c.last_rx_ns = start;
	deadline = start + (uint64_t)(o->duration_s * 1e9);
	while (c.received + c.lost < c.sent || c.sent < c.limit) {
		if (c.sent < c.limit && ex_now_ns() > deadline)
			c.limit = c.sent; /* stop sending; collect what is out */
		progress = o->tcp ? sp_send_tcp(&c) : sp_send_udp(&c);
		progress |= o->tcp ? sp_recv_tcp(&c) : sp_recv_udp(&c);
		if (!progress)
			sp_wait(&c, c.tx_off != 0 ||
				    (c.sent < c.limit && c.inflight < o->window));
	}
	sp_report(&c, c.last_rx_ns - start);
	close(c.fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sp_opts o;

	sp_parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return o.server ? sp_server(&o) : sp_client(&o);
}
