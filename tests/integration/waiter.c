/*
 * waiter: an application that waits for its messages instead of polling,
 * through machnet_recv_wait or an epoll loop on machnet_channel_fd.
 *
 *   waiter server block|epoll LOCAL PORT
 *       echoes every message until SIGTERM, waiting between them; prints
 *       "waiter: ready" once listening, and at the end the CPU time it
 *       used while it waited: "waiter: idle cpu_ms=N" over the waits that
 *       lasted a second or more. A wait that ends with ESHUTDOWN prints
 *       "waiter: shutdown" and exits 3.
 *   waiter client LOCAL REMOTE PORT COUNT
 *       sends COUNT messages of sizes 1..64 KiB and checks every echoed
 *       byte, waiting for each echo; every 16th message waits 30 ms
 *       first, so that the server is asleep when it arrives.
 *   waiter timeout LOCAL PORT
 *       nothing arrives: a 300 ms wait returns 0 with ETIMEDOUT after
 *       300 ms, a 0 ms wait at once, and the fd polls unreadable.
 * Exits 0 when all held, 1 (with the reason) when not.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

#include "ex_flow.h"
#include "machnet.h"

#define MAX_MSG (64 * 1024)

static volatile sig_atomic_t stop;
static unsigned char buf[MAX_MSG], expect[MAX_MSG];

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
fail(const char *what)
{
	fprintf(stderr, "waiter: %s: %s\n", what, strerror(errno));
	return 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void *
open_channel(const char *local, uint16_t port)
{
	void *ch;

	if (machnet_init() != 0)
		return NULL;
	ch = machnet_attach();
	if (ch != NULL && port != 0 && machnet_listen(ch, local, port) != 0)
		return NULL;
	return ch;
}

static int
echo(void *ch, MachnetFlow_t from, ssize_t n)
{
	MachnetFlow_t back = ex_flow_reply(&from);

	while (machnet_send(ch, back, buf, (size_t)n) != 0) {
		if (errno != EAGAIN)
			return -1;
	}
	return 0;
}

/* Waits on the epoll set until something may be pending; 1 when it may,
 * 0 when SIGTERM came, -1 on failure. idle_cpu gains a long wait's CPU. */
static int
wait_once(int epfd, double *idle_cpu, double *idle_s)
{
	struct epoll_event ev;
	double t0 = now_s(), c0 = cpu_s();
	int n;

	n = epoll_wait(epfd, &ev, 1, -1);
	if (now_s() - t0 >= 1.0) {
		*idle_cpu += cpu_s() - c0;
		*idle_s += now_s() - t0;
	}
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	return 1;
}

static int
server(const char *mode, const char *local, uint16_t port)
{
	double idle_cpu = 0, idle_s = 0;
	int epfd = -1, inner, msgs = 0;
	void *ch = open_channel(local, port);

	if (ch == NULL)
		return fail("attach/listen");
	if (strcmp(mode, "epoll") == 0) {
		struct epoll_event ev = { .events = EPOLLIN };

		inner = machnet_channel_fd(ch);
		if (inner < 0 || machnet_channel_fd(ch) != inner)
			return fail("machnet_channel_fd");
		epfd = epoll_create1(0);
		ev.data.fd = inner;
		if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, inner, &ev) != 0)
			return fail("epoll");
	}
	printf("waiter: ready\n");
	fflush(stdout);
	while (!stop) {
		MachnetFlow_t from;
		double t0 = now_s(), c0 = cpu_s();
		ssize_t n;

		if (epfd >= 0) {
			int w = wait_once(epfd, &idle_cpu, &idle_s);

			if (w <= 0) {
				if (w < 0)
					return fail("epoll_wait");
				break;
			}
			n = machnet_recv(ch, buf, sizeof(buf), &from);
		} else {
			n = machnet_recv_wait(ch, buf, sizeof(buf), &from, -1);
			if (now_s() - t0 >= 1.0) {
				idle_cpu += cpu_s() - c0;
				idle_s += now_s() - t0;
			}
		}
		if (n < 0 && errno == ESHUTDOWN) {
			printf("waiter: shutdown\n");
			return 3;
		}
		if (n < 0 && errno == EINTR)
			break;
		if (n < 0)
			return fail("receive");
		if (n == 0 && epfd < 0)
			return fail("machnet_recv_wait without limit returned 0");
		if (n > 0) {
			if (echo(ch, from, n) != 0)
				return fail("send");
			msgs++;
		}
	}
	printf("waiter: echoed=%d idle_s=%.1f idle cpu_ms=%.0f\n", msgs, idle_s,
	       idle_cpu * 1000);
	return machnet_detach(ch) == 0 ? 0 : fail("detach");
}

static int
client(const char *local, const char *remote, uint16_t port, int count)
{
	void *ch = open_channel(local, 0);
	MachnetFlow_t flow, from;
	int i;

	if (ch == NULL)
		return fail("attach");
	if (machnet_connect(ch, local, remote, port, &flow) != 0)
		return fail("connect");
	for (i = 0; i < count; i++) {
		size_t len = 1 + ((size_t)i * 7919) % MAX_MSG;
		ssize_t n;
		size_t j;

		for (j = 0; j < len; j++)
			expect[j] = (unsigned char)(i * 31 + j * 7);
		if (i % 16 == 15)
			nanosleep(&(struct timespec){ .tv_nsec = 30000000 }, NULL);
		while (machnet_send(ch, flow, expect, len) != 0)
			if (errno != EAGAIN)
				return fail("send");
		n = machnet_recv_wait(ch, buf, sizeof(buf), &from, 5000);
		if (n == 0) {
			fprintf(stderr, "waiter: echo %d did not come in 5 s\n", i);
			return 1;
		}
		if (n < 0)
			return fail("machnet_recv_wait");
		if ((size_t)n != len || memcmp(buf, expect, len) != 0) {
			fprintf(stderr, "waiter: echo %d differs\n", i);
			return 1;
		}
	}
	printf("waiter: %d echoes checked\n", count);
	return 0;
}

static int
timeouts(const char *local, uint16_t port)
{
	void *ch = open_channel(local, port);
	struct pollfd p;
	MachnetFlow_t from;
	double t0, took;
	ssize_t n;

	if (ch == NULL)
		return fail("attach/listen");
	t0 = now_s();
	n = machnet_recv_wait(ch, buf, sizeof(buf), &from, 300);
	took = now_s() - t0;
	if (n != 0 || errno != ETIMEDOUT || took < 0.29 || took > 3.0) {
		fprintf(stderr, "waiter: 300 ms wait: %zd, %s, %.3f s\n", n,
			strerror(errno), took);
		return 1;
	}
	errno = 0;
	if (machnet_recv_wait(ch, buf, sizeof(buf), &from, 0) != 0 || errno != ETIMEDOUT)
		return fail("0 ms wait");
	p.fd = machnet_channel_fd(ch);
	p.events = POLLIN;
	/* The first receive to find nothing is what leaves it unreadable. */
	if (p.fd < 0 || machnet_recv(ch, buf, sizeof(buf), &from) != 0 ||
	    poll(&p, 1, 100) != 0)
		return fail("an idle channel's fd polled readable");
	if (machnet_recv_wait(NULL, buf, sizeof(buf), &from, 10) != -1 || errno != EINVAL)
		return fail("a NULL channel");
	if (machnet_detach(ch) != 0)
		return fail("detach");
	printf("waiter: timeouts held (%.3f s)\n", took);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGTERM, on_term);
	if (argc == 5 && strcmp(argv[1], "server") == 0)
		return server(argv[2], argv[3], (uint16_t)atoi(argv[4]));
	if (argc == 6 && strcmp(argv[1], "client") == 0)
		return client(argv[2], argv[3], (uint16_t)atoi(argv[4]), atoi(argv[5]));
	if (argc == 4 && strcmp(argv[1], "timeout") == 0)
		return timeouts(argv[2], (uint16_t)atoi(argv[3]));
	fprintf(stderr, "usage: waiter server block|epoll LOCAL PORT | "
		"client LOCAL REMOTE PORT COUNT | timeout LOCAL PORT\n");
	return 2;
}
