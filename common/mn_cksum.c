/*
 * mn_cksum.c: rte_raw_cksum compiled once with its loop vectorized (the
 * Makefile builds this file at -O3; see mn_cksum.h for why).
 */
#include <rte_ip.h>

#include "mn_cksum.h"

uint16_t
mn_cksum(const void *buf, size_t len)
{
	return rte_raw_cksum(buf, len);
}
