/*
 * forge: a tenant that tries to act for another. It joins machnetd like
 * any application, reads the victim's channel index and generation from
 * the state memzone (which every tenant can read), and sends control
 * requests on that channel as libmachnet would, with a guessed token and
 * with its own. machnetd must refuse every one of them (EBADF).
 *
 *   forge VICTIM_PID PORT
 *
 * Exits 0 when every forged request was refused, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_memzone.h>

#include "channel.h"
#include "handle.h"
#include "machnet.h"
#include "mn_names.h"

static int failures;

static void
try_op(const struct mn_state *st, uint32_t op, const char *what,
       const struct mn_channel_slot *s, uint32_t index, uint64_t token,
       uint32_t ip, uint16_t port)
{
	struct mn_ctrl_msg m = {
		.op = op, .channel = index, .generation = s->generation,
		.token = token,
	};
	int rc;

	m.flow.src_ip = ip;
	m.flow.src_port = port;
	errno = 0;
	rc = mnl_ctrl_request(st, &m);
	printf("forge: %s on the victim's channel %u, token %s: %s\n", what,
	       index, token == 0 ? "guessed" : "its own",
	       rc == 0 ? "ACCEPTED" : strerror(errno));
	if (rc == 0 || errno != EBADF)
		failures++;
}

int
main(int argc, char **argv)
{
	const struct rte_memzone *mz;
	const struct mn_state *st;
	struct mnl_channel *own;
	uint32_t i, ip;
	uint16_t port;
	int victim;
	void *h;

	if (argc != 3) {
		fprintf(stderr, "usage: forge VICTIM_PID PORT\n");
		return 2;
	}
	victim = atoi(argv[1]);
	if (machnet_init() != 0 || (h = machnet_attach()) == NULL) {
		perror("forge: joining machnetd");
		return 1;
	}
	own = mnl_handle_get(h);
	mz = rte_memzone_lookup(MN_STATE_MZ_NAME);
	st = mz->addr;
	ip = st->local_ip;
	port = (uint16_t)(atoi(argv[2]) + 1);
	for (i = 0; i < MN_MAX_CHANNELS; i++) {
		const struct mn_channel_slot *s = &st->channels[i];

		if (s->state != MN_CHANNEL_ATTACHED || s->owner_pid != victim)
			continue;
		try_op(st, MN_CTRL_LISTEN, "listen", s, i, 0, ip, port);
		try_op(st, MN_CTRL_LISTEN, "listen", s, i, own->token, ip, port);
		try_op(st, MN_CTRL_DETACH, "detach", s, i, 0, 0, 0);
		try_op(st, MN_CTRL_DETACH, "detach", s, i, own->token, 0, 0);
		break;
	}
	if (i == MN_MAX_CHANNELS) {
		printf("forge: FAIL: pid %d holds no channel\n", victim);
		return 1;
	}
	printf("forge: %d forged request(s) accepted or not refused with "
	       "EBADF\n", failures);
	return failures == 0 ? 0 : 1;
}
