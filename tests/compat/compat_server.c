/*
 * compat_server: an echo server written the way upstream Machnet servers
 * are (msg_gen's server loop), to prove such code runs unchanged here. It
 * includes <machnet.h> alone and relies on it for printf, exit, malloc
 * and usleep, receives with machnet_recvmsg, answers on the received flow
 * with its two ends swapped and treats any -1 from a receive as fatal:
 * a server that dies when one of its clients exits fails the suite.
 *
 *   compat_server LOCAL_IP PORT     runs until SIGTERM or SIGINT, then
 *                                   prints a summary and exits 0
 *
 * Built as C and as C++ from this one file.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include <machnet.h>

/* Upstream C++ names the struct by its tag, C by "struct". */
#ifdef __cplusplus
#define CS_FLOW MachnetFlow
#else
#define CS_FLOW struct MachnetFlow
#endif

/* A reply that cannot be queued for this long is dropped, not waited on. */
#define CS_SEND_PATIENCE_US (5 * 1000 * 1000)
#define CS_IDLE_US 10

static volatile sig_atomic_t cs_stop;

static void
cs_on_signal(int sig)
{
	(void)sig;
	cs_stop = 1;
}

static void
cs_die(const char *what)
{
	printf("compat_server: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

/*
 * The reply goes out on the flow as the sender sees it, reversed, exactly
 * as upstream's msg_gen builds it field by field.
 */
static CS_FLOW
cs_reply_flow(const CS_FLOW *rx)
{
	CS_FLOW tx;

	tx.dst_ip = rx->src_ip;
	tx.src_ip = rx->dst_ip;
	tx.src_port = rx->dst_port;
	tx.dst_port = rx->src_port;
	return tx;
}

/*
 * 0 when queued. A client may have gone by now, which is no reason for a
 * server to stop: the failure is counted and the message dropped.
 */
static int
cs_echo(void *ch, const MachnetMsgHdr_t *rx)
{
	MachnetIovec_t iov;
	MachnetMsgHdr_t tx;
	long waited = 0;

	iov.base = rx->msg_iov->base;
	iov.len = rx->msg_size;
	memset(&tx, 0, sizeof(tx));
	tx.msg_size = rx->msg_size;
	tx.flow_info = cs_reply_flow(&rx->flow_info);
	tx.msg_iov = &iov;
	tx.msg_iovlen = 1;
	tx.flags = MACHNET_MSG_FLAGS_NONE;
	while (machnet_sendmsg(ch, &tx) != 0) {
		if (errno != EAGAIN || cs_stop ||
		    waited > CS_SEND_PATIENCE_US) {
			printf("compat_server: echo of %u bytes: %s\n",
			       (unsigned)rx->msg_size, strerror(errno));
			fflush(stdout);
			return -1;
		}
		usleep(CS_IDLE_US);
		waited += CS_IDLE_US;
	}
	return 0;
}

static void
cs_serve(void *ch, void *buf, uint64_t *echoed, uint64_t *failed)
{
	MachnetIovec_t iov;
	MachnetMsgHdr_t rx;
	int ret;

	while (!cs_stop) {
		iov.base = buf;
		iov.len = MACHNET_MSG_MAX_LEN;
		memset(&rx, 0, sizeof(rx));
		rx.msg_iov = &iov;
		rx.msg_iovlen = 1;
		ret = machnet_recvmsg(ch, &rx);
		if (ret < 0)
			cs_die("machnet_recvmsg");
		if (ret == 0) {
			usleep(CS_IDLE_US);
			continue;
		}
		if (cs_echo(ch, &rx) == 0)
			(*echoed)++;
		else
			(*failed)++;
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	uint64_t echoed = 0, failed = 0;
	void *ch, *buf;
	int port;

	if (argc != 3 || (port = atoi(argv[2])) <= 0 || port > UINT16_MAX) {
		printf("usage: compat_server LOCAL_IP PORT\n");
		exit(2);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cs_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* The largest message must fit, or a receive fails with EMSGSIZE. */
	buf = malloc(MACHNET_MSG_MAX_LEN);
	if (buf == NULL)
		cs_die("malloc");
	if (machnet_init() != 0)
		cs_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		cs_die("machnet_attach");
	if (machnet_listen(ch, argv[1], (uint16_t)port) != 0)
		cs_die("machnet_listen");
	printf("compat_server: listening on %s:%d\n", argv[1], port);
	fflush(stdout);

	cs_serve(ch, buf, &echoed, &failed);
	printf("compat_server: echoed %llu failed %llu\n",
	       (unsigned long long)echoed, (unsigned long long)failed);
	fflush(stdout);
	free(buf);
	return 0;
}
