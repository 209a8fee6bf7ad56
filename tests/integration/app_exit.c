/*
 * app_exit: the shortest life of an application: machnet_init(), N
 * channels attached, one message sent to PEER:PORT on the first, then
 * exit(0) without detaching, or SIGKILL.
 *
 *   app_exit CHANNELS exit|kill LOCAL PEER PORT
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machnet.h"

static int
ae_die(const char *what)
{
	perror(what);
	return 1;
}

int
main(int argc, char **argv)
{
	MachnetFlow_t flow;
	void *first = NULL, *ch;
	int n, i;

	if (argc != 6 || (strcmp(argv[2], "exit") != 0 &&
			  strcmp(argv[2], "kill") != 0)) {
		fprintf(stderr, "usage: app_exit CHANNELS exit|kill LOCAL PEER "
			"PORT\n");
		return 2;
	}
	n = atoi(argv[1]);
	if (machnet_init() != 0)
		return ae_die("app_exit: machnet_init");
	for (i = 0; i < n; i++) {
		ch = machnet_attach();
		if (ch == NULL)
			return ae_die("app_exit: machnet_attach");
		if (first == NULL)
			first = ch;
	}
	if (machnet_connect(first, argv[3], argv[4], (uint16_t)atoi(argv[5]),
			    &flow) != 0 ||
	    machnet_send(first, flow, "bye", 3) != 0)
		return ae_die("app_exit: connect and send");
	if (strcmp(argv[2], "kill") == 0)
		raise(SIGKILL);
	return 0;
}
