/*
 * wake.c: the eventfds of channels whose applications wait (wake.h). The
 * descriptors arrive from applications over the control channel, so each
 * is checked to be an eventfd before the engine ever writes to it: a pipe
 * or socket could block the engine or reach something else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wake.h"

void
mn_wake_init(struct mn_wake *w, struct mn_channel_wake *shared)
{
	w->fd = -1;
	w->shared = shared;
}

void
mn_wake_close(struct mn_wake *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->shared != NULL) {
		w->shared->armed = 0;
		w->shared->wakes = 0;
	}
}

void
mn_wake_set_fd(struct mn_wake *w, int fd)
{
	mn_wake_close(w);
	w->fd = fd;
}

void
mn_wake_signal(struct mn_wake *w)
{
	uint64_t one = 1;

	/* Non-blocking: it can fail only with a count near 2^64, which a
	 * reader draining it never leaves; the count bump still tells. */
	if (write(w->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return;
	mn_wake_count(w->shared);
}

void
mn_wake_force(struct mn_wake *w)
{
	if (w->fd < 0)
		return;
	w->shared->armed = 0;
	mn_wake_signal(w);
}

int
mn_wake_check_fd(int fd)
{
	char path[64], link[64];
	ssize_t n;
	int flags;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	if (strcmp(link, "anon_inode:[eventfd]") != 0) {
		errno = EINVAL;
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}
