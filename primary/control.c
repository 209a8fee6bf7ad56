/*
 * control.c: machnetd's control plane (see control.h for why it is split
 * between the EAL IPC thread, this thread and the engine).
 *
 * The control thread also owns the channel table in the state memzone and
 * notices applications that died without detaching, so their channels
 * come back for others.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring_elem.h>

#include "clock.h"
#include "control.h"
#include "mn_names.h"
#include "wake.h"

#define MN_CONTROL_WAKE_NS (100 * 1000 * 1000L)

/* rte_mp handlers take no user argument. */
static struct mn_control *the_control;
static pthread_t control_thread;

static void
reply(const struct mn_cmd *cmd)
{
	struct rte_mp_msg r;

	if (cmd->peer[0] == '\0')
		return; /* raised by machnetd itself: nobody waits */
	memset(&r, 0, sizeof(r));
	strlcpy(r.name, MN_CTRL_ACTION, sizeof(r.name));
	r.len_param = sizeof(cmd->msg);
	memcpy(r.param, &cmd->msg, sizeof(cmd->msg));
	if (rte_mp_reply(&r, cmd->peer) < 0)
		fprintf(stderr, "machnetd: cannot answer pid %d: %s\n",
			cmd->msg.pid, rte_strerror(rte_errno));
}

static void
reply_status(struct mn_cmd *cmd, int status)
{
	cmd->msg.status = status;
	reply(cmd);
}

/* A command that is answered without reaching its owner gives its fd back. */
static void
cmd_close_fd(struct mn_cmd *cmd)
{
	if (cmd->msg.op == MN_CTRL_WAKEFD && cmd->fd >= 0)
		close(cmd->fd);
	cmd->fd = -1;
}

static void
refuse(struct mn_cmd *cmd, int status)
{
	cmd_close_fd(cmd);
	reply_status(cmd, status);
}

/*
 * The one descriptor a WAKEFD request carries is kept; any other that
 * came with a request would only stay open in machnetd.
 */
static int
take_fd(const struct rte_mp_msg *msg, uint32_t op)
{
	int i, kept = -1;

	for (i = 0; i < msg->num_fds && i < RTE_MP_MAX_FD_NUM; i++) {
		if (op == MN_CTRL_WAKEFD && msg->num_fds == 1)
			kept = msg->fds[i];
		else
			close(msg->fds[i]);
	}
	return kept;
}

/* EAL IPC thread: queue and return at once. */
static int
on_request(const struct rte_mp_msg *msg, const void *peer)
{
	struct mn_control *c = the_control;
	struct mn_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	strlcpy(cmd.peer, peer, sizeof(cmd.peer));
	if (msg->len_param != sizeof(cmd.msg)) {
		take_fd(msg, 0);
		cmd.msg.op = 0;
		reply_status(&cmd, EPROTO);
		return 0;
	}
	memcpy(&cmd.msg, msg->param, sizeof(cmd.msg));
	cmd.fd = take_fd(msg, cmd.msg.op);
	if (c->quit || c->state->stopping) {
		refuse(&cmd, ESHUTDOWN);
		return 0;
	}
	if (rte_ring_mp_enqueue_elem(c->inbox, &cmd, sizeof(cmd)) != 0) {
		refuse(&cmd, EAGAIN);
		return 0;
	}
	sem_post(&c->wake);
	return 0;
}

void
mn_control_complete(struct mn_control *c, const struct mn_cmd *cmd)
{
	struct mn_cmd done = *cmd;

	if (rte_ring_sp_enqueue_elem(c->from_engine, &done, sizeof(done)) != 0) {
		/* Cannot happen: the ring holds every request in flight. */
		fprintf(stderr, "machnetd: control completion ring full\n");
		return;
	}
	sem_post(&c->wake);
}

/*
 * The requesting process, from the name of the socket EAL answers it on
 * (".../mp_socket_<pid>_<tsc>"), which it cannot choose in ordinary use;
 * the pid in the request only when the name has none.
 */
static int32_t
requester_pid(const struct mn_cmd *cmd)
{
	const char *p = strstr(cmd->peer, "mp_socket_");
	long pid;

	if (p == NULL)
		return cmd->msg.pid;
	pid = strtol(p + strlen("mp_socket_"), NULL, 10);
	return pid > 0 && pid <= INT32_MAX ? (int32_t)pid : cmd->msg.pid;
}

/*
 * A request on a channel must name a live slot, come from the process
 * that attached it, and carry the slot's secret: channel indices and
 * generations are small numbers any tenant reads in the state memzone.
 */
static bool
slot_matches(const struct mn_control *c, const struct mn_cmd *cmd)
{
	const struct mn_ctrl_msg *m = &cmd->msg;
	const struct mn_channel_slot *s;

	if (m->channel >= MN_MAX_CHANNELS)
		return false;
	s = &c->state->channels[m->channel];
	return s->state == MN_CHANNEL_ATTACHED && s->generation == m->generation &&
	       s->owner_pid == requester_pid(cmd) &&
	       c->tokens[m->channel] == m->token;
}

static uint32_t
channels_of(const struct mn_control *c, int32_t pid)
{
	uint32_t i, n = 0;

	for (i = 0; i < MN_MAX_CHANNELS; i++)
		if (c->state->channels[i].state == MN_CHANNEL_ATTACHED &&
		    c->state->channels[i].owner_pid == pid)
			n++;
	return n;
}

/* 64 bits from the kernel's random source; 0 is no token. */
static uint64_t
new_token(void)
{
	uint64_t t = 0;

	while (t == 0)
		if (getrandom(&t, sizeof(t), 0) != (ssize_t)sizeof(t))
			return 0;
	return t;
}

static void
forward(struct mn_control *c, struct mn_cmd *cmd)
{
	if (rte_ring_sp_enqueue_elem(c->to_engine, cmd, sizeof(*cmd)) != 0)
		refuse(cmd, EAGAIN);
}

static void
handle_attach(struct mn_control *c, struct mn_cmd *cmd)
{
	int32_t pid = requester_pid(cmd);
	uint64_t token;
	uint32_t i;

	if (channels_of(c, pid) >= c->channels_per_process) {
		reply_status(cmd, ENOSPC);
		return;
	}
	token = new_token();
	if (token == 0) {
		reply_status(cmd, EAGAIN);
		return;
	}
	for (i = 0; i < MN_MAX_CHANNELS; i++) {
		struct mn_channel_slot *s = &c->state->channels[i];

		if (s->state != MN_CHANNEL_FREE)
			continue;
		s->state = MN_CHANNEL_ATTACHED;
		s->generation++;
		s->owner_pid = pid;
		c->tokens[i] = token;
		cmd->msg.channel = i;
		cmd->msg.generation = s->generation;
		cmd->msg.token = token;
		forward(c, cmd);
		return;
	}
	reply_status(cmd, ENOSPC);
}

static void
handle_request(struct mn_control *c, struct mn_cmd *cmd)
{
	if (cmd->msg.op == MN_CTRL_ATTACH) {
		handle_attach(c, cmd);
		return;
	}
	if (!slot_matches(c, cmd)) {
		refuse(cmd, EBADF);
		return;
	}
	if (cmd->msg.op == MN_CTRL_WAKEFD &&
	    (cmd->fd < 0 || mn_wake_check_fd(cmd->fd) < 0)) {
		refuse(cmd, cmd->fd < 0 ? EINVAL : errno);
		return;
	}
	forward(c, cmd);
}

static void
handle_completion(struct mn_control *c, struct mn_cmd *cmd)
{
	struct mn_channel_slot *s = NULL;

	if (cmd->msg.channel < MN_MAX_CHANNELS)
		s = &c->state->channels[cmd->msg.channel];
	if (s != NULL && s->generation == cmd->msg.generation &&
	    (((cmd->msg.op == MN_CTRL_DETACH || cmd->msg.op == MN_CTRL_REAP) &&
	      cmd->msg.status == 0) ||
	     (cmd->msg.op == MN_CTRL_ATTACH && cmd->msg.status != 0))) {
		s->state = MN_CHANNEL_FREE;
		s->owner_pid = 0;
		c->tokens[cmd->msg.channel] = 0;
	}
	reply(cmd);
}

/* Detaches channels whose application died without saying so. */
static void
reap_dead_owners(struct mn_control *c)
{
	uint32_t i;

	for (i = 0; i < MN_MAX_CHANNELS; i++) {
		struct mn_channel_slot *s = &c->state->channels[i];
		struct mn_cmd cmd;

		if (s->state != MN_CHANNEL_ATTACHED || s->owner_pid <= 0 ||
		    kill(s->owner_pid, 0) == 0 || errno != ESRCH)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.msg.op = MN_CTRL_REAP;
		cmd.msg.pid = s->owner_pid;
		cmd.msg.channel = i;
		cmd.msg.generation = s->generation;
		s->owner_pid = 0; /* asked once */
		forward(c, &cmd);
	}
}

static void
drain(struct mn_control *c)
{
	struct mn_cmd cmd;

	while (rte_ring_sc_dequeue_elem(c->inbox, &cmd, sizeof(cmd)) == 0)
		handle_request(c, &cmd);
	while (rte_ring_sc_dequeue_elem(c->from_engine, &cmd, sizeof(cmd)) == 0)
		handle_completion(c, &cmd);
}

/*
 * Sleeps until a request or completion arrives, or MN_CONTROL_WAKE_NS
 * pass. Dead owners are looked for by the clock, not only when a wait
 * times out: a tenant making a control call every few milliseconds keeps
 * the thread from ever timing out, and must not keep a dead one's
 * channels alive.
 */
static void *
control_main(void *arg)
{
	struct mn_control *c = arg;
	uint64_t next_reap = mn_now_ns() + MN_CONTROL_WAKE_NS;

	while (!c->quit) {
		struct timespec deadline;
		uint64_t now;

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += MN_CONTROL_WAKE_NS;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		sem_timedwait(&c->wake, &deadline);
		now = mn_now_ns();
		if (now >= next_reap) {
			reap_dead_owners(c);
			if (c->heap_guard != NULL)
				mn_heap_guard_check(c->heap_guard, now);
			c->state->heartbeat++;
			next_reap = now + MN_CONTROL_WAKE_NS;
		}
		drain(c);
	}
	return NULL;
}

static struct rte_ring *
cmd_ring(const char *name, uint32_t entries, unsigned int flags)
{
	return rte_ring_create_elem(name, sizeof(struct mn_cmd), entries,
				    rte_socket_id(), flags);
}

int
mn_control_init(struct mn_control *c, struct mn_state *state,
		uint32_t ring_entries, uint32_t channels_per_process)
{
	memset(c, 0, sizeof(*c));
	c->state = state;
	c->channels_per_process = channels_per_process;
	c->inbox = cmd_ring("mn_ctl_inbox", ring_entries, RING_F_SC_DEQ);
	c->to_engine = cmd_ring("mn_ctl_to_engine", ring_entries,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	c->from_engine = cmd_ring("mn_ctl_from_engine", ring_entries,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (c->inbox == NULL || c->to_engine == NULL || c->from_engine == NULL)
		return -1;
	return sem_init(&c->wake, 0, 0);
}

int
mn_control_start(struct mn_control *c)
{
	the_control = c;
	if (rte_mp_action_register(MN_CTRL_ACTION, on_request) < 0)
		return -1;
	return rte_ctrl_thread_create(&control_thread, "mn-control", NULL,
				      control_main, c);
}

void
mn_control_stop(struct mn_control *c)
{
	struct mn_cmd cmd;

	rte_mp_action_unregister(MN_CTRL_ACTION);
	c->quit = true;
	sem_post(&c->wake);
	pthread_join(control_thread, NULL);
	while (rte_ring_sc_dequeue_elem(c->from_engine, &cmd, sizeof(cmd)) == 0)
		reply(&cmd);
	while (rte_ring_sc_dequeue_elem(c->inbox, &cmd, sizeof(cmd)) == 0)
		refuse(&cmd, ESHUTDOWN);
	while (rte_ring_sc_dequeue_elem(c->to_engine, &cmd, sizeof(cmd)) == 0)
		refuse(&cmd, ESHUTDOWN);
	rte_ring_free(c->inbox);
	rte_ring_free(c->to_engine);
	rte_ring_free(c->from_engine);
	sem_destroy(&c->wake);
}
