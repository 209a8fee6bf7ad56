/*
 * compat_window: a pipelining client written the way upstream msg_gen's
 * client is (a window of messages in flight on one flow), to prove that
 * such code runs unchanged here and that every byte survives. Sizes vary
 * from 1 B to 64 KiB so that one-packet, packet-boundary and many-packet
 * messages share the window. It sends with machnet_sendmsg in two pieces
 * (sequence header, then payload), as upstream code that prepends its own
 * header does, and includes <machnet.h> alone.
 *
 *   compat_window LOCAL_IP REMOTE_IP PORT COUNT [WINDOW]
 *
 * Every echo must come back in order (machnet flows are reliable and
 * ordered, the server echoes in order), with the size and every byte of
 * the message of that sequence number, on the connected flow swapped.
 * Exit status 0 when all COUNT echoes did so within the deadline.
 * Built as C and as C++ from this one file.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <machnet.h>

#ifdef __cplusplus
#define CW_FLOW MachnetFlow
#else
#define CW_FLOW struct MachnetFlow
#endif

#define CW_MAX_SIZE (64 * 1024)
#define CW_HDR_LEN 8
#define CW_DEFAULT_WINDOW 8
#define CW_MAX_WINDOW 256
#define CW_DEADLINE_S 30
#define CW_IDLE_US 10

/*
 * One size in four comes from here: the edges of the header and, at
 * MTU 1500, of one, two and many packets (the payload per packet is 1424
 * bytes today; the neighbours catch a change of a few header bytes).
 */
static const uint32_t cw_edge_sizes[] = {
	1, 7, 8, 9, 1400, 1423, 1424, 1425, 1472, 2847, 2848, 2849,
	32768, 65535, 65536,
};

#define CW_NB_EDGES (sizeof(cw_edge_sizes) / sizeof(cw_edge_sizes[0]))

struct cw_state {
	void *ch;
	CW_FLOW flow;
	uint64_t count;
	uint64_t window;
	uint64_t sent;
	uint64_t received;
	uint64_t bytes;
	uint8_t *body; /* payload of the message being sent */
	uint8_t *rx;
};

static void
cw_die(const char *call)
{
	printf("compat_window: %s: %s\n", call, strerror(errno));
	fflush(stdout);
	exit(1);
}

static uint64_t
cw_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* splitmix64: sizes and payload follow from the sequence number alone. */
static uint64_t
cw_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Log-uniform between edges, so small messages are as common as large. */
static uint32_t
cw_size(uint64_t seq)
{
	uint64_t h = cw_mix(seq);
	unsigned int bits = (unsigned int)(h % 17);

	if (seq % 4 == 0)
		return cw_edge_sizes[(seq / 4) % CW_NB_EDGES];
	return 1 + (uint32_t)((h >> 8) % (1u << bits));
}

/*
 * Byte i of message seq: the sequence number (little endian) in the first
 * CW_HDR_LEN bytes, as far as the message reaches, then a stream that
 * depends on both seq and position.
 */
static uint8_t
cw_byte(uint64_t seq, uint32_t i)
{
	if (i < CW_HDR_LEN)
		return (uint8_t)(seq >> (8 * i));
	return (uint8_t)(cw_mix(seq << 20 ^ (i >> 3)) >> (8 * (i & 7)));
}

/* 0 when queued, 1 when the channel is full (try again after a receive). */
static int
cw_send_one(struct cw_state *s)
{
	uint32_t size = cw_size(s->sent), i, hdr_len;
	struct MachnetMsgHdr msg;
	MachnetIovec_t iov[2];
	uint8_t hdr[CW_HDR_LEN];

	hdr_len = size < CW_HDR_LEN ? size : CW_HDR_LEN;
	for (i = 0; i < hdr_len; i++)
		hdr[i] = cw_byte(s->sent, i);
	for (i = hdr_len; i < size; i++)
		s->body[i - hdr_len] = cw_byte(s->sent, i);
	iov[0].base = hdr;
	iov[0].len = hdr_len;
	iov[1].base = s->body;
	iov[1].len = size - hdr_len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_size = size;
	msg.flow_info = s->flow;
	msg.msg_iov = iov;
	msg.msg_iovlen = size > hdr_len ? 2 : 1;
	msg.flags = MACHNET_MSG_FLAGS_NONE;
	if (machnet_sendmsg(s->ch, &msg) != 0) {
		if (errno == EAGAIN)
			return 1;
		cw_die("machnet_sendmsg");
	}
	s->sent++;
	return 0;
}

static void
cw_check_echo(const struct cw_state *s, ssize_t n, const CW_FLOW *rx)
{
	uint64_t seq = s->received;
	uint32_t size = cw_size(seq), i;

	if (rx->src_ip != s->flow.dst_ip || rx->dst_ip != s->flow.src_ip ||
	    rx->src_port != s->flow.dst_port ||
	    rx->dst_port != s->flow.src_port) {
		printf("compat_window: echo %llu on %08x:%u -> %08x:%u, not "
		       "the connected flow swapped\n", (unsigned long long)seq,
		       (unsigned)rx->src_ip, rx->src_port,
		       (unsigned)rx->dst_ip, rx->dst_port);
		exit(1);
	}
	if (n != (ssize_t)size) {
		printf("compat_window: echo %llu has %zd bytes, sent %u\n",
		       (unsigned long long)seq, n, size);
		exit(1);
	}
	for (i = 0; i < size; i++) {
		if (s->rx[i] != cw_byte(seq, i)) {
			printf("compat_window: echo %llu (%u bytes): byte %u "
			       "is %u, sent %u\n", (unsigned long long)seq,
			       size, i, s->rx[i], cw_byte(seq, i));
			exit(1);
		}
	}
}

/* 1 when an echo was taken, 0 when none was pending. */
static int
cw_recv_one(struct cw_state *s)
{
	CW_FLOW rx_flow;
	ssize_t n;

	/* One byte of room more than any message, so none is truncated. */
	n = machnet_recv(s->ch, s->rx, CW_MAX_SIZE + 1, &rx_flow);
	if (n < 0)
		cw_die("machnet_recv");
	if (n == 0)
		return 0;
	if (s->received >= s->sent) {
		printf("compat_window: an echo of %zd bytes nobody sent\n", n);
		exit(1);
	}
	cw_check_echo(s, n, &rx_flow);
	s->bytes += (uint64_t)n;
	s->received++;
	return 1;
}

static void
cw_run(struct cw_state *s, uint64_t deadline)
{
	int busy;

	while (s->received < s->count) {
		busy = 0;
		while (s->sent < s->count &&
		       s->sent - s->received < s->window && cw_send_one(s) == 0)
			busy = 1;
		busy |= cw_recv_one(s);
		if (busy)
			continue;
		if (cw_now_us() > deadline) {
			printf("compat_window: deadline: %llu of %llu echoed, "
			       "%llu sent\n", (unsigned long long)s->received,
			       (unsigned long long)s->count,
			       (unsigned long long)s->sent);
			exit(1);
		}
		usleep(CW_IDLE_US);
	}
}

/*
 * The deadline runs from the connect: start-up is left to the caller's
 * timeout, as a loaded 2-core VM can stretch rte_eal_init to seconds.
 */
int
main(int argc, char **argv)
{
	struct cw_state s;
	uint64_t start;
	int port;

	memset(&s, 0, sizeof(s));
	if (argc < 5 || argc > 6 || (port = atoi(argv[3])) <= 0 ||
	    port > UINT16_MAX || atoll(argv[4]) <= 0) {
		printf("usage: compat_window LOCAL_IP REMOTE_IP PORT COUNT "
		       "[WINDOW]\n");
		exit(2);
	}
	s.count = (uint64_t)atoll(argv[4]);
	s.window = argc == 6 ? (uint64_t)atoll(argv[5]) : CW_DEFAULT_WINDOW;
	if (s.window < 1 || s.window > CW_MAX_WINDOW) {
		printf("compat_window: WINDOW is 1..%d\n", CW_MAX_WINDOW);
		exit(2);
	}
	s.body = (uint8_t *)malloc(CW_MAX_SIZE);
	s.rx = (uint8_t *)malloc(CW_MAX_SIZE + 1);
	if (s.body == NULL || s.rx == NULL)
		cw_die("malloc");

	if (machnet_init() != 0)
		cw_die("machnet_init");
	s.ch = machnet_attach();
	if (s.ch == NULL)
		cw_die("machnet_attach");
	if (machnet_connect(s.ch, argv[1], argv[2], (uint16_t)port,
			    &s.flow) != 0)
		cw_die("machnet_connect");

	start = cw_now_us();
	cw_run(&s, start + CW_DEADLINE_S * 1000000ull);
	printf("compat_window: %llu messages, %llu bytes echoed and checked "
	       "at window %llu in %llu ms\n", (unsigned long long)s.received,
	       (unsigned long long)s.bytes, (unsigned long long)s.window,
	       (unsigned long long)((cw_now_us() - start) / 1000));
	return 0;
}
