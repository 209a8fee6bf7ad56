/*
 * unit.h: what every Check unit test shares: a throw-away DPDK environment
 * in ordinary memory (no hugepages, no devices, no runtime files), so that
 * mempools and mbufs work without a NIC, and a main() that runs a suite.
 */
#ifndef MN_UNIT_H
#define MN_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "mn_msg.h"

static inline void
mn_unit_eal_init(void)
{
	char *argv[] = {
		"unit", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
		"--no-telemetry", "-l", "0", "--log-level=error",
	};
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])), argv) < 0) {
		fprintf(stderr, "unit: cannot initialise DPDK EAL\n");
		exit(2);
	}
}

/* A pool laid out like machnetd's (same private area and data room). */
static inline struct rte_mempool *
mn_unit_pool(const char *name, unsigned int n)
{
	return rte_pktmbuf_pool_create(name, n, 0, MN_MBUF_PRIV_SIZE,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
}

/* Runs the suite built by make_suite; exit status 0 only if all passed. */
#define MN_UNIT_MAIN(make_suite)                                          \
	int main(void)                                                    \
	{                                                                 \
		mn_unit_eal_init();                                       \
		SRunner *sr = srunner_create(make_suite());               \
		srunner_run_all(sr, CK_NORMAL);                           \
		int failed = srunner_ntests_failed(sr);                   \
		srunner_free(sr);                                         \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;         \
	}

#endif /* MN_UNIT_H */
