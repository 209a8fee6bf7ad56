/*
 * wait.c: waiting for a channel instead of polling it, an addition of this
 * project (docs/COMPATIBILITY.md): machnet_recv_wait, machnet_recvmsg_wait
 * and machnet_channel_fd.
 *
 * Nothing changes for an application that polls: a channel is set up for
 * waiting only when it first waits or asks for its fd. The engine then
 * makes a system call only for a channel that armed (common/mn_state.h),
 * and the application only when it arms after a signal, or sleeps.
 */
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "channel.h"
#include "handle.h"

/* How long a waiter sleeps between looks at machnetd where no pidfd
 * tells of its death. */
#define MNL_WAIT_SLICE_MS 1000

static void
close_fds(struct mnl_wait *w)
{
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->efd >= 0)
		close(w->efd);
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->epfd = w->efd = w->pidfd = -1;
}

void
mnl_wait_fini(struct mnl_wait *w)
{
	if (!w->on)
		return;
	close_fds(w);
	w->on = false;
}

static int
epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int
mnl_wait_setup(struct mnl_channel *ch)
{
	struct mnl_wait *w = &ch->wait;
	struct mn_ctrl_msg msg;
	int err;

	if (w->on)
		return 0;
	w->pidfd = (int)syscall(SYS_pidfd_open, ch->state->primary_pid, 0);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->efd < 0 || w->epfd < 0 || epoll_add(w->epfd, w->efd) < 0 ||
	    (w->pidfd >= 0 && epoll_add(w->epfd, w->pidfd) < 0))
		goto fail;
	mnl_ctrl_for(ch, &msg, MN_CTRL_WAKEFD);
	if (mnl_ctrl_request_fd(ch->state, &msg, w->efd) < 0)
		goto fail;
	w->wakes_seen = ch->wake->wakes;
	w->on = true;
	/* Armed from the start: an epoll loop may wait before any receive. */
	mnl_wait_arm(ch);
	return 0;
fail:
	err = errno;
	close_fds(w);
	errno = err;
	return -1;
}

/* At most once a millisecond, so that a polling loop stays cheap. */
static bool
primary_exited(struct mnl_wait *w)
{
	struct pollfd p = { .fd = w->pidfd, .events = POLLIN };
	uint64_t now;

	if (w->pidfd < 0)
		return false;
	now = rte_get_timer_cycles();
	if (now < w->next_look)
		return false;
	w->next_look = now + rte_get_timer_hz() / 1000;
	return poll(&p, 1, 0) == 1;
}

static void
drain(struct mnl_wait *w)
{
	uint64_t count;

	if (read(w->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return;
}

bool
mnl_wait_arm(struct mnl_channel *ch)
{
	struct mn_channel_wake *k = ch->wake;
	struct mnl_wait *w = &ch->wait;
	uint64_t one = 1;

	if (primary_exited(w)) {
		ch->primary_dead = true;
		return true;
	}
	/* Armed, and no signal since the last drain: the eventfd is clear. */
	if (k->armed && k->wakes == w->wakes_seen)
		return false;
	/* Read before the drain: a signal counted later is drained later. */
	w->wakes_seen = __atomic_load_n(&k->wakes, __ATOMIC_ACQUIRE);
	drain(w);
	k->armed = 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rte_ring_count(ch->from_engine) == 0)
		return false;
	/*
	 * A message came before the engine could see armed. Only this call
	 * takes it: signal the eventfd so that it stays readable for the
	 * rest, unless the engine took armed first and signals itself.
	 */
	if (__atomic_exchange_n(&k->armed, 0, __ATOMIC_ACQ_REL) != 0 &&
	    write(w->efd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		mn_wake_count(k);
	return true;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Sleeps until the eventfd or machnetd's pidfd is readable, or the
 * deadline (-1: none) passes. 1 when woken, 0 at the deadline, -1 with
 * errno (EINTR).
 */
static int
sleep_until(struct mnl_channel *ch, int64_t deadline)
{
	struct mnl_wait *w = &ch->wait;
	struct pollfd p[2] = {
		{ .fd = w->efd, .events = POLLIN },
		{ .fd = w->pidfd, .events = POLLIN },
	};
	int64_t left = deadline < 0 ? -1 : deadline - now_ms();
	int timeout, n;

	if (deadline >= 0 && left <= 0)
		return 0;
	timeout = (int)left;
	if (w->pidfd < 0 && (timeout < 0 || timeout > MNL_WAIT_SLICE_MS))
		timeout = MNL_WAIT_SLICE_MS;
	n = poll(p, w->pidfd >= 0 ? 2 : 1, timeout);
	if (n < 0)
		return -1;
	if (n > 0 && (p[1].revents & POLLIN) != 0)
		ch->primary_dead = true;
	return n > 0 || deadline < 0 || now_ms() < deadline ? 1 : 0;
}

/*
 * The wait shared by both calls: take() is the non-blocking receive,
 * which arms the channel when it finds nothing.
 */
static ssize_t
wait_for(const void *channel, int timeout_ms, ssize_t (*take)(const void *, void *),
	 void *arg)
{
	struct mnl_channel *ch = mnl_handle_get(channel);
	int64_t deadline;
	ssize_t ret;
	int slept;

	if (ch == NULL)
		return -1;
	if (timeout_ms != 0 && mnl_wait_setup(ch) < 0)
		return -1;
	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		ret = take(channel, arg);
		if (ret != 0)
			return ret;
		slept = timeout_ms == 0 ? 0 : sleep_until(ch, deadline);
		if (slept < 0)
			return -1;
		if (slept == 0) {
			errno = ETIMEDOUT;
			return 0;
		}
	}
}

struct recv_args {
	void *buf;
	size_t len;
	MachnetFlow_t *flow;
};

static ssize_t
take_recv(const void *channel, void *arg)
{
	struct recv_args *a = arg;

	return machnet_recv(channel, a->buf, a->len, a->flow);
}

static ssize_t
take_recvmsg(const void *channel, void *arg)
{
	return machnet_recvmsg(channel, arg);
}

ssize_t
machnet_recv_wait(const void *channel, void *buf, size_t len,
		  MachnetFlow_t *flow, int timeout_ms)
{
	struct recv_args a = { .buf = buf, .len = len, .flow = flow };

	return wait_for(channel, timeout_ms, take_recv, &a);
}

int
machnet_recvmsg_wait(const void *channel, MachnetMsgHdr_t *msghdr,
		     int timeout_ms)
{
	return (int)wait_for(channel, timeout_ms, take_recvmsg, msghdr);
}

int
machnet_channel_fd(const void *channel)
{
	struct mnl_channel *ch = mnl_handle_get(channel);

	if (ch == NULL || mnl_wait_setup(ch) < 0)
		return -1;
	return ch->wait.epfd;
}
