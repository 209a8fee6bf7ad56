/*
 * kv: a key-value service over machnet, to show how a real request/response
 * service uses the API: a server keeping a hash table and answering GET,
 * PUT and DEL from any number of flows (kv_server.c), and a client that
 * runs a scripted, checked workload over several pipelined flows and
 * reports ops/s and latency (kv_client.c). The wire format is in kv.h.
 *
 *   kv --local IP [--port P] [--idle M]                       server
 *   kv --local IP --remote IP [--port P] [--keys N]
 *      [--value_size B] [--flows F] [--window W] [--timeout S] [--idle M]
 *
 * Exit status: 0; 1 on an API error or, for the client, any wrong
 * response or a workload not finished within --timeout; 2 on bad
 * arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "machnet.h"

volatile sig_atomic_t kv_stop;

static void
kv_usage(void)
{
	fprintf(stderr, "usage: kv --local IP [--port P] "
		"[--idle spin|yield|sleep]   (server)\n"
		"       kv --local IP --remote IP [--port P] [--keys N] "
		"[--value_size B] [--flows F] [--window W] [--timeout S] "
		"[--idle spin|yield|sleep]\n");
	exit(2);
}

void
kv_die(const char *call)
{
	fprintf(stderr, "kv: %s: %s\n", call, strerror(errno));
	exit(1);
}

static void
kv_on_signal(int sig)
{
	(void)sig;
	kv_stop = 1;
}

void *
kv_join(void)
{
	void *ch;

	if (machnet_init() != 0)
		kv_die("machnet_init");
	ch = machnet_attach();
	if (ch == NULL)
		kv_die("machnet_attach");
	return ch;
}

static void
kv_parse_one(int c, struct kv_opts *o)
{
	switch (c) {
	case 'l':
		o->local = optarg;
		break;
	case 'r':
		o->remote = optarg;
		break;
	case 'p':
		o->port = ex_parse_u64(optarg, 1, UINT16_MAX, kv_usage);
		break;
	case 'k':
		o->keys = ex_parse_u64(optarg, 1, 10000000, kv_usage);
		break;
	case 's':
		o->value_size = ex_parse_u64(optarg, 1, KV_VAL_MAX, kv_usage);
		break;
	case 'f':
		o->flows = ex_parse_u64(optarg, 1, 64, kv_usage);
		break;
	case 'w':
		o->window = ex_parse_u64(optarg, 1, 1024, kv_usage);
		break;
	case 't':
		o->timeout_s = ex_parse_u64(optarg, 1, 86400, kv_usage);
		break;
	case 'i':
		o->idle = ex_parse_idle(optarg, kv_usage);
		break;
	default:
		kv_usage();
	}
}

static void
kv_parse(int argc, char **argv, struct kv_opts *o)
{
	static const struct option longopts[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "value_size", required_argument, NULL, 's' },
		{ "flows", required_argument, NULL, 'f' },
		{ "window", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "idle", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct kv_opts){ .port = KV_DEFAULT_PORT, .keys = 1000,
			       .value_size = 1024, .flows = 4, .window = 4,
			       .timeout_s = 60, .idle = EX_IDLE_SLEEP };
	opterr = 0; /* kv_usage() is all a bad argument gets */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		kv_parse_one(c, o);
	if (optind != argc || o->local == NULL)
		kv_usage();
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = kv_on_signal };
	struct kv_opts o;

	kv_parse(argc, argv, &o);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ex_idle_prepare(o.idle);
	return o.remote ? kv_client(&o) : kv_server(&o);
}
