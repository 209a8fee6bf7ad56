/*
 * heap_holder: an application killed while it joins machnetd, at the worst
 * moment: holding the lock of machnetd's shared heap. It joins as
 * libmachnet does (under the join record's lock, then rte_eal_init() as a
 * secondary), then dumps the heaps into a stream that kills the process
 * at the first line the dump writes under heap 0's lock.
 *
 *   MACHNET_INSTANCE=... heap_holder
 *
 * Dies by SIGKILL; exits 1 if it could not get that far.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "join.h"
#include "mn_names.h"

static ssize_t
die_under_the_lock(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	if (len >= 9 && memcmp(buf, "Heap size", 9) == 0)
		raise(SIGKILL);
	return (ssize_t)len;
}

int
main(void)
{
	cookie_io_functions_t io = { .write = die_under_the_lock };
	const char *instance = getenv(MN_INSTANCE_ENV);
	char prefix[PATH_MAX], path[PATH_MAX];
	char *argv[] = { "heap_holder", "--proc-type=secondary", prefix,
			 "--no-pci", "--no-telemetry", "--log-level=error" };
	struct mnl_join join;
	FILE *dump;

	if (instance == NULL)
		instance = MN_INSTANCE_DEFAULT;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", instance);
	snprintf(path, sizeof(path), "/var/run/dpdk/%s/" MN_JOIN_FILE, instance);
	if (mnl_join_begin(&join, path) != 0) {
		perror("heap_holder: join record");
		return 1;
	}
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "heap_holder: cannot join: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	dump = fopencookie(NULL, "w", io);
	if (dump == NULL)
		return 1;
	setvbuf(dump, NULL, _IONBF, 0);
	rte_malloc_dump_heaps(dump);
	fprintf(stderr, "heap_holder: the dump never wrote under a lock\n");
	return 1;
}
