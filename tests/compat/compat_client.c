/*
 * compat_client: a one-shot client written the way upstream Machnet
 * clients are, to prove such code runs unchanged here. It includes
 * "machnet_common.h" then "machnet.h" (the other spelling upstream code
 * uses) and relies on them for printf, exit and usleep. It checks the two
 * flow orientations upstream applications depend on: connect gives
 * src = this end, and the echo arrives on the flow as the server sent it,
 * the connected flow swapped. It exits without closing or detaching, as
 * upstream clients do, which the server must not notice.
 *
 *   compat_client LOCAL_IP REMOTE_IP PORT SIZE
 *
 * Exit status 0 when the echo came back whole within the deadline; 1,
 * with the reason and the times of the steps, when not.
 * Built as C and as C++ from this one file.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "machnet_common.h"
#include "machnet.h"

#ifdef __cplusplus
#define CC_FLOW MachnetFlow
#else
#define CC_FLOW struct MachnetFlow
#endif

/*
 * For the send and for the echo: generous for a loaded 2-core VM, where a
 * round trip takes well under 1 ms, short enough to fail a run quickly.
 */
#define CC_DEADLINE_S 5
#define CC_IDLE_US 10

static void
cc_fail(const char *why)
{
	printf("compat_client: %s\n", why);
	fflush(stdout);
	exit(1);
}

static void
cc_die(const char *call)
{
	printf("compat_client: %s: %s\n", call, strerror(errno));
	fflush(stdout);
	exit(1);
}

static uint64_t
cc_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Host byte order, as MachnetFlow holds addresses. */
static uint32_t
cc_parse_ip(const char *s)
{
	unsigned int a, b, c, d;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 ||
	    a > 255 || b > 255 || c > 255 || d > 255)
		cc_fail("bad address");
	return a << 24 | b << 16 | c << 8 | d;
}

/* Depends on the position, so a lost, doubled or shifted chunk shows. */
static uint8_t
cc_pattern(uint32_t seed, size_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u + seed;

	return (uint8_t)(x >> 13 ^ x >> 24);
}

static void
cc_check_connected(const CC_FLOW *f, const char *local, const char *remote,
		   uint16_t port)
{
	if (f->src_ip != cc_parse_ip(local) ||
	    f->dst_ip != cc_parse_ip(remote) || f->dst_port != port ||
	    f->src_port == 0)
		cc_fail("connect gave a flow that is not src = local");
}

/* The echo is on the flow as the server sent it: ours, swapped. */
static void
cc_check_reply_flow(const CC_FLOW *tx, const CC_FLOW *rx)
{
	if (rx->src_ip != tx->dst_ip || rx->dst_ip != tx->src_ip ||
	    rx->src_port != tx->dst_port || rx->dst_port != tx->src_port) {
		printf("compat_client: reply flow %08x:%u -> %08x:%u, "
		       "connected %08x:%u -> %08x:%u\n", (unsigned)rx->src_ip,
		       rx->src_port, (unsigned)rx->dst_ip, rx->dst_port,
		       (unsigned)tx->src_ip, tx->src_port,
		       (unsigned)tx->dst_ip, tx->dst_port);
		cc_fail("reply flow is not the connected flow swapped");
	}
}

static void
cc_send(void *ch, CC_FLOW flow, const uint8_t *buf, size_t len,
	uint64_t deadline)
{
	while (machnet_send(ch, flow, buf, len) != 0) {
		if (errno != EAGAIN || cc_now_us() > deadline)
			cc_die("machnet_send");
		usleep(CC_IDLE_US);
	}
}

/* Start-up, connect and send times tell a slow host from a lost message. */
static void
cc_report(const char *what, const uint64_t *t, uint16_t port)
{
	printf("compat_client: %s (port %u; init %llu ms, connected at %llu "
	       "ms, sent at %llu ms, now %llu ms)\n", what, port,
	       (unsigned long long)(t[1] - t[0]) / 1000,
	       (unsigned long long)(t[2] - t[0]) / 1000,
	       (unsigned long long)(t[3] - t[0]) / 1000,
	       (unsigned long long)(cc_now_us() - t[0]) / 1000);
	fflush(stdout);
}

/* One byte more than sent, so a longer echo is seen, not truncated. */
static ssize_t
cc_wait_echo(void *ch, uint8_t *buf, size_t room, CC_FLOW *rx,
	     const CC_FLOW *tx, const uint64_t *t)
{
	uint64_t deadline = t[3] + CC_DEADLINE_S * 1000000u;
	ssize_t n;

	while ((n = machnet_recv(ch, buf, room, rx)) == 0) {
		if (cc_now_us() > deadline) {
			cc_report("no echo within the deadline", t,
				  tx->src_port);
			exit(1);
		}
		usleep(CC_IDLE_US);
	}
	if (n < 0)
		cc_die("machnet_recv");
	return n;
}

static void
cc_check_echo(const uint8_t *tx, const uint8_t *rx, size_t size, ssize_t n)
{
	size_t i;

	if ((size_t)n != size) {
		printf("compat_client: echo of %zd bytes, sent %zu\n", n, size);
		exit(1);
	}
	for (i = 0; i < size; i++) {
		if (rx[i] != tx[i]) {
			printf("compat_client: echo byte %zu of %zu is %u, "
			       "sent %u\n", i, size, rx[i], tx[i]);
			exit(1);
		}
	}
}

/*
 * t[0..3]: start, machnet_init done, connected, sent. Sending and the
 * echo each get CC_DEADLINE_S; start-up is left to the caller's timeout,
 * because on a 2-core VM shared with other DPDK processes rte_eal_init
 * alone was seen to take seconds (pinning itself to the first core).
 */
int
main(int argc, char **argv)
{
	uint8_t *tx_buf, *rx_buf;
	CC_FLOW flow, rx_flow;
	uint64_t t[4];
	uint32_t seed;
	size_t size, i;
	int port;
	ssize_t n;
	void *ch;

	if (argc != 5 || (port = atoi(argv[3])) <= 0 || port > UINT16_MAX ||
	    atol(argv[4]) <= 0 || atol(argv[4]) > MACHNET_MSG_MAX_LEN) {
		printf("usage: compat_client LOCAL_IP REMOTE_IP PORT SIZE\n");
		exit(2);
	}
	size = (size_t)atol(argv[4]);
	seed = (uint32_t)getpid();
	tx_buf = (uint8_t *)malloc(size);
	rx_buf = (uint8_t *)malloc(size + 1);
	if (tx_buf == NULL || rx_buf == NULL)
		cc_die("malloc");
	for (i = 0; i < size; i++)
		tx_buf[i] = cc_pattern(seed, i);

	t[0] = cc_now_us();
	if (machnet_init() != 0)
		cc_die("machnet_init");
	t[1] = cc_now_us();
	ch = machnet_attach();
	if (ch == NULL)
		cc_die("machnet_attach");
	if (machnet_connect(ch, argv[1], argv[2], (uint16_t)port, &flow) != 0)
		cc_die("machnet_connect");
	t[2] = cc_now_us();
	cc_check_connected(&flow, argv[1], argv[2], (uint16_t)port);
	cc_send(ch, flow, tx_buf, size, t[2] + CC_DEADLINE_S * 1000000u);
	t[3] = cc_now_us();

	n = cc_wait_echo(ch, rx_buf, size + 1, &rx_flow, &flow, t);
	cc_check_reply_flow(&flow, &rx_flow);
	cc_check_echo(tx_buf, rx_buf, size, n);
	cc_report("echo checked", t, flow.src_port);
	return 0;
}
