/*
 * tenant: one application among several on a machnetd, doing what a
 * careless or busy tenant does, for the tests of tenant isolation.
 *
 *   tenant hold N LOCAL PORT
 *       attaches N channels and listens on PORT with the first, then
 *       checks that one more attach fails with ENOSPC (the per-process
 *       limit is N), prints "tenant: holding N" and sleeps until killed
 *       (at most 120 s). Exits 1 if an attach failed too early or the
 *       extra one did not fail with ENOSPC.
 *   tenant attach
 *       attaches one channel and exits 0 (1 if it could not).
 *   tenant sink LOCAL PORT
 *       listens on PORT and never reads; prints "tenant: sinking" and
 *       sleeps until killed (at most 20 min).
 *   tenant send LOCAL REMOTE PORT COUNT SIZE
 *       sends COUNT messages of SIZE bytes to REMOTE:PORT, which need not
 *       read them, and exits 0 two seconds after all are queued (time for
 *       machnetd to send them before the exit resets the flow).
 *   tenant orphan LOCAL PORT REMOTE
 *       attaches and listens, prints "tenant: ready", then polls until
 *       machnetd is gone (at most 20 s) and checks that every call fails
 *       with ESHUTDOWN at once, machnet_init included; prints "tenant:
 *       orphaned" and sleeps until killed (at most 120 s).
 *   tenant storm SECONDS LOCAL PORT
 *       makes control calls (listen on PORT, again and again) for SECONDS
 *       without a pause, then prints how many and exits 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "example.h"
#include "machnet.h"

static void
tn_die(const char *what)
{
	printf("tenant: FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *
tn_join(void)
{
	void *ch;

	if (machnet_init() != 0)
		tn_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		tn_die("machnet_attach");
	return ch;
}

static int
tn_hold(int n, const char *local, uint16_t port)
{
	void *first = tn_join();
	int i;

	if (machnet_listen(first, local, port) != 0)
		tn_die("machnet_listen");
	for (i = 1; i < n; i++)
		if (machnet_attach() == NULL)
			tn_die("an attach within the limit");
	if (machnet_attach() != NULL || errno != ENOSPC) {
		printf("tenant: FAIL: attach %d did not fail with ENOSPC\n",
		       n + 1);
		return 1;
	}
	printf("tenant: holding %d, attach %d: ENOSPC\n", n, n + 1);
	fflush(stdout);
	sleep(120);
	return 0;
}

static int
tn_sink(const char *local, uint16_t port)
{
	void *ch = tn_join();

	if (machnet_listen(ch, local, port) != 0)
		tn_die("machnet_listen");
	printf("tenant: sinking\n");
	fflush(stdout);
	sleep(1200);
	return 0;
}

static int
tn_send(const char *local, const char *remote, uint16_t port, int count,
	size_t size)
{
	void *ch = tn_join();
	char *buf = calloc(1, size);
	MachnetFlow_t flow;
	int i;

	if (buf == NULL)
		tn_die("calloc");
	if (machnet_connect(ch, local, remote, port, &flow) != 0)
		tn_die("machnet_connect");
	for (i = 0; i < count; i++)
		while (machnet_send(ch, flow, buf, size) != 0) {
			if (errno != EAGAIN)
				tn_die("machnet_send");
			usleep(100); /* the channel is full: wait, do not spin */
		}
	printf("tenant: queued %d messages of %zu bytes\n", count, size);
	fflush(stdout);
	/* An exit now would reset the flow before machnetd sent them all. */
	sleep(2);
	free(buf);
	return 0;
}

/* Fails unless rc is -1 with ESHUTDOWN and came within 100 ms. */
static void
tn_expect_shutdown(const char *call, long rc, uint64_t t0)
{
	uint64_t ms = (ex_now_ns() - t0) / 1000000;

	if (rc != -1 || errno != ESHUTDOWN || ms > 100) {
		printf("tenant: FAIL: %s after machnetd died: rc %ld, %s, %" PRIu64
		       " ms\n", call, rc, strerror(errno), ms);
		exit(1);
	}
}

static int
tn_orphan(const char *local, uint16_t port, const char *remote)
{
	uint64_t end = ex_now_ns() + 20000000000ull, t0;
	MachnetFlow_t flow = { 0 };
	void *ch = tn_join();
	char buf[64];
	ssize_t n;

	if (machnet_listen(ch, local, port) != 0)
		tn_die("machnet_listen");
	printf("tenant: ready\n");
	fflush(stdout);
	while ((n = machnet_recv(ch, buf, sizeof(buf), &flow)) == 0 &&
	       ex_now_ns() < end)
		usleep(1000);
	tn_expect_shutdown("the first machnet_recv", n, ex_now_ns());
	t0 = ex_now_ns();
	tn_expect_shutdown("machnet_recv", machnet_recv(ch, buf, 1, &flow), t0);
	t0 = ex_now_ns();
	tn_expect_shutdown("machnet_send", machnet_send(ch, flow, buf, 1), t0);
	t0 = ex_now_ns();
	tn_expect_shutdown("machnet_listen", machnet_listen(ch, local, port + 1),
			   t0);
	t0 = ex_now_ns();
	tn_expect_shutdown("machnet_connect",
			   machnet_connect(ch, local, remote, port, &flow), t0);
	t0 = ex_now_ns();
	tn_expect_shutdown("machnet_attach", machnet_attach() == NULL ? -1 : 0,
			   t0);
	t0 = ex_now_ns();
	tn_expect_shutdown("machnet_init", machnet_init(), t0);
	printf("tenant: orphaned: every call gave ESHUTDOWN at once\n");
	fflush(stdout);
	sleep(120);
	return 0;
}

static int
tn_storm(int secs, const char *local, uint16_t port)
{
	uint64_t end = ex_now_ns() + (uint64_t)secs * 1000000000ull;
	void *ch = tn_join();
	uint64_t calls = 0;

	printf("tenant: storming\n");
	fflush(stdout);
	while (ex_now_ns() < end) {
		if (machnet_listen(ch, local, port) != 0 && errno != EADDRINUSE)
			tn_die("machnet_listen");
		calls++;
	}
	printf("tenant: %" PRIu64 " control calls in %d s\n", calls, secs);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "hold") == 0)
		return tn_hold(atoi(argv[2]), argv[3], (uint16_t)atoi(argv[4]));
	if (argc == 2 && strcmp(argv[1], "attach") == 0)
		return tn_join() != NULL ? 0 : 1;
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		return tn_sink(argv[2], (uint16_t)atoi(argv[3]));
	if (argc == 7 && strcmp(argv[1], "send") == 0)
		return tn_send(argv[2], argv[3], (uint16_t)atoi(argv[4]),
			       atoi(argv[5]), (size_t)atoi(argv[6]));
	if (argc == 5 && strcmp(argv[1], "orphan") == 0)
		return tn_orphan(argv[2], (uint16_t)atoi(argv[3]), argv[4]);
	if (argc == 5 && strcmp(argv[1], "storm") == 0)
		return tn_storm(atoi(argv[2]), argv[3], (uint16_t)atoi(argv[4]));
	fprintf(stderr, "usage: tenant hold N LOCAL PORT | tenant attach | "
		"tenant sink LOCAL PORT | tenant send LOCAL REMOTE PORT COUNT SIZE | "
		"tenant orphan LOCAL PORT REMOTE | "
		"tenant storm SECONDS LOCAL PORT\n");
	return 2;
}
