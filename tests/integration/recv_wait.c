/*
 * recv_wait: an application polling machnet_recv while machnetd stops
 * must get an error within a few seconds instead of waiting forever.
 *
 *   recv_wait LOCAL PORT SECONDS
 *
 * Listens, prints "recv_wait: waiting", polls until a call fails, then
 * checks that later calls fail too. Exits 0 on those failures, 1 if
 * SECONDS pass with machnet_recv still returning 0 or if it ever returns
 * a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machnet.h"

static void
rw_nap(void)
{
	static const struct timespec nap = { 0, 100000 };

	nanosleep(&nap, NULL);
}

/* Returns 0 once machnet_recv fails, 1 on timeout or a message. */
static int
rw_wait_for_error(void *ch, int secs)
{
	time_t deadline = time(NULL) + secs;
	MachnetFlow_t flow;
	char buf[64];
	ssize_t n;

	while (time(NULL) <= deadline) {
		n = machnet_recv(ch, buf, sizeof(buf), &flow);
		if (n < 0) {
			printf("recv_wait: machnet_recv failed: %s\n",
			       strerror(errno));
			return 0;
		}
		if (n > 0) {
			printf("recv_wait: FAIL: unexpected message\n");
			return 1;
		}
		rw_nap();
	}
	printf("recv_wait: FAIL: machnet_recv still waiting after %d s\n",
	       secs);
	return 1;
}

int
main(int argc, char **argv)
{
	MachnetFlow_t flow = { 0 };
	char byte = 0;
	void *ch;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: recv_wait LOCAL PORT SECONDS\n");
		return 2;
	}
	if (machnet_init() != 0 || (ch = machnet_attach()) == NULL ||
	    machnet_listen(ch, argv[1], (uint16_t)atoi(argv[2])) != 0) {
		printf("recv_wait: FAIL: set-up: %s\n", strerror(errno));
		return 1;
	}
	printf("recv_wait: waiting\n");
	fflush(stdout);
	if (rw_wait_for_error(ch, atoi(argv[3])) != 0)
		return 1;
	rc = machnet_send(ch, flow, &byte, 1);
	printf("recv_wait: later machnet_send gave %d (%s)\n", rc,
	       rc == -1 ? strerror(errno) : "no error");
	return rc == -1 ? 0 : 1;
}
