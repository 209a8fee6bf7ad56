/*
 * channel.c: everything that needs machnetd's answer (attach, detach,
 * listen, connect, close) as rte_mp requests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "channel.h"
#include "handle.h"
#include "init.h"
#include "mn_names.h"

/*
 * EAL refuses a second request under one action name while the first
 * waits for its reply (EEXIST), so threads of one process take turns,
 * even behind a connect that waits for its handshake.
 */
static pthread_mutex_t ctrl_lock = PTHREAD_MUTEX_INITIALIZER;

/* No reply: a dead primary says more than the timeout does. */
static int
no_reply_errno(const struct mn_state *state, int err)
{
	return mnl_primary_gone(state) ? ESHUTDOWN : err;
}

int
mnl_ctrl_request(const struct mn_state *state, struct mn_ctrl_msg *msg)
{
	return mnl_ctrl_request_fd(state, msg, -1);
}

int
mnl_ctrl_request_fd(const struct mn_state *state, struct mn_ctrl_msg *msg,
		    int fd)
{
	uint32_t wait_ms = state->ctrl_timeout_ms + 1000;
	struct timespec ts = {
		.tv_sec = wait_ms / 1000,
		.tv_nsec = (long)(wait_ms % 1000) * 1000000,
	};
	struct rte_mp_reply reply = { .nb_received = 0 };
	struct rte_mp_msg req;
	int ret, err = 0;

	/* A dead machnetd cannot answer: say so now, not after a timeout. */
	if (mnl_primary_gone(state))
		return mnl_fail(ESHUTDOWN);
	memset(&req, 0, sizeof(req));
	strlcpy(req.name, MN_CTRL_ACTION, sizeof(req.name));
	msg->pid = getpid();
	msg->status = 0;
	req.len_param = sizeof(*msg);
	memcpy(req.param, msg, sizeof(*msg));
	if (fd >= 0) {
		req.num_fds = 1;
		req.fds[0] = fd;
	}

	pthread_mutex_lock(&ctrl_lock);
	ret = rte_mp_request_sync(&req, &reply, &ts);
	if (ret < 0)
		err = rte_errno != 0 ? rte_errno : EIO;
	pthread_mutex_unlock(&ctrl_lock);

	if (ret < 0 || reply.nb_received != 1)
		err = no_reply_errno(state, ret < 0 ? err : ETIMEDOUT);
	else if (reply.msgs[0].len_param != (int)sizeof(*msg))
		err = EPROTO;
	else
		memcpy(msg, reply.msgs[0].param, sizeof(*msg));
	free(reply.msgs);
	if (err == 0 && msg->status != 0)
		err = msg->status;
	return err != 0 ? mnl_fail(err) : 0;
}

/*
 * machnetd announces a stop, but a killed one cannot: when its heartbeat
 * has not moved for a second, its pid decides. Looking at most once a second keeps
 * the system call off the fast path.
 */
bool
mnl_channel_gone(struct mnl_channel *ch)
{
	uint64_t now, beat;

	if (ch->primary_dead)
		return true;
	if (ch->state->stopping) {
		ch->primary_dead = mnl_primary_gone(ch->state);
		return true;
	}
	now = rte_get_timer_cycles();
	if (now < ch->next_look)
		return false;
	ch->next_look = now + rte_get_timer_hz();
	beat = ch->state->heartbeat;
	if (beat != ch->heartbeat_seen) {
		ch->heartbeat_seen = beat;
		return false;
	}
	ch->primary_dead = mnl_primary_gone(ch->state);
	return ch->primary_dead;
}

static void
channel_free(struct mnl_channel *ch)
{
	mnl_wait_fini(&ch->wait);
	mnl_flowset_fini(&ch->flows);
	mnl_flowset_fini(&ch->ended);
	free(ch);
}

static struct rte_ring *
channel_ring(const char *fmt, uint32_t index)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), fmt, index);
	return rte_ring_lookup(name);
}

/* Gives a channel slot back to machnetd; the handle is gone either way. */
static int
channel_detach(struct mnl_channel *ch)
{
	struct mn_ctrl_msg msg = {
		.op = MN_CTRL_DETACH,
		.channel = ch->index,
		.generation = ch->generation,
		.token = ch->token,
	};
	int ret = mnl_ctrl_request(ch->state, &msg);
	int err = errno;

	channel_free(ch);
	errno = err;
	return ret;
}

void *
machnet_attach(void)
{
	const struct mnl_env *env = mnl_env_get();
	struct mn_ctrl_msg msg = { .op = MN_CTRL_ATTACH };
	struct mnl_channel *ch;
	void *handle;

	if (env == NULL) {
		errno = ENODEV;
		return NULL;
	}
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL || mnl_flowset_init(&ch->flows) < 0 ||
	    mnl_flowset_init(&ch->ended) < 0) {
		if (ch != NULL)
			mnl_flowset_fini(&ch->flows);
		free(ch);
		errno = ENOMEM;
		return NULL;
	}
	ch->state = env->state;
	ch->pool = env->pool;
	if (mnl_ctrl_request(env->state, &msg) < 0) {
		channel_free(ch);
		return NULL;
	}
	ch->index = msg.channel;
	ch->generation = msg.generation;
	ch->token = msg.token;
	if (msg.channel < MN_MAX_CHANNELS) {
		ch->usage = &env->state->usage[msg.channel];
		ch->wake = &env->state->wake[msg.channel];
		ch->flow_usage = env->flow_usage;
		ch->to_engine = channel_ring(MN_RING_APP_TO_ENGINE_FMT,
					     msg.channel);
		ch->from_engine = channel_ring(MN_RING_ENGINE_TO_APP_FMT,
					       msg.channel);
	}
	if (ch->to_engine == NULL || ch->from_engine == NULL) {
		channel_detach(ch);
		errno = EPROTO;
		return NULL;
	}
	handle = mnl_handle_new(ch);
	if (handle == NULL) {
		channel_detach(ch);
		errno = ENOSPC;
	}
	return handle;
}

int
machnet_detach(void *channel)
{
	struct mnl_channel *ch = mnl_handle_get(channel);

	if (ch == NULL)
		return -1;
	mnl_handle_drop(channel);
	return channel_detach(ch);
}

/* A dotted-quad address in host order; -1 with EINVAL if it is not one. */
static int
parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return mnl_fail(EINVAL);
	*ip = ntohl(a.s_addr);
	return 0;
}

void
mnl_ctrl_for(const struct mnl_channel *ch, struct mn_ctrl_msg *msg,
	     enum mn_ctrl_op op)
{
	memset(msg, 0, sizeof(*msg));
	msg->op = op;
	msg->channel = ch->index;
	msg->generation = ch->generation;
	msg->token = ch->token;
}

static int
close_flow(struct mnl_channel *ch, const struct mn_flow_tuple *flow)
{
	struct mn_ctrl_msg msg;
	int ret;

	mnl_ctrl_for(ch, &msg, MN_CTRL_CLOSE);
	msg.flow = *flow;
	ret = mnl_ctrl_request(ch->state, &msg);
	/* machnetd not knowing the flow means it is closed all the same. */
	if (ret == 0 || errno == ENOTCONN)
		mnl_flowset_remove(&ch->flows, flow);
	return ret;
}

int
machnet_listen(void *channel, const char *local_ip, uint16_t port)
{
	struct mnl_channel *ch = mnl_handle_get(channel);
	struct mn_ctrl_msg msg;

	if (ch == NULL)
		return -1;
	mnl_ctrl_for(ch, &msg, MN_CTRL_LISTEN);
	if (parse_ip(local_ip, &msg.flow.src_ip) < 0)
		return -1;
	msg.flow.src_port = port;
	return mnl_ctrl_request(ch->state, &msg);
}

int
machnet_connect(void *channel, const char *local_ip, const char *remote_ip,
		uint16_t remote_port, MachnetFlow_t *flow)
{
	struct mnl_channel *ch = mnl_handle_get(channel);
	struct mn_ctrl_msg msg;

	if (ch == NULL)
		return -1;
	if (flow == NULL)
		return mnl_fail(EINVAL);
	mnl_ctrl_for(ch, &msg, MN_CTRL_CONNECT);
	if (parse_ip(local_ip, &msg.flow.src_ip) < 0 ||
	    parse_ip(remote_ip, &msg.flow.dst_ip) < 0)
		return -1;
	msg.flow.dst_port = remote_port;
	if (mnl_ctrl_request(ch->state, &msg) < 0)
		return -1;
	mnl_flowset_remove(&ch->ended, &msg.flow);
	if (mnl_flowset_add(&ch->flows, &msg.flow, &msg.ref) == NULL) {
		/* A flow send would refuse is of no use: give it back. */
		close_flow(ch, &msg.flow);
		return mnl_fail(ENOMEM);
	}
	*flow = mnl_flow_to_app(&msg.flow);
	return 0;
}

int
machnet_close(void *channel, MachnetFlow_t flow)
{
	struct mnl_channel *ch = mnl_handle_get(channel);
	struct mn_flow_tuple t = mnl_flow_from_app(&flow);

	if (ch == NULL)
		return -1;
	/* A flow that already ended only needs forgetting. */
	if (mnl_flowset_remove(&ch->ended, &t))
		return 0;
	return close_flow(ch, &t);
}
