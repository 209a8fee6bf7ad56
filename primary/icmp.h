/*
 * icmp.h: ICMP echo, so that `ping` reaches a machnetd address.
 */
#ifndef MN_ICMP_H
#define MN_ICMP_H

#include <rte_mbuf.h>

#include "iface.h"

/*
 * Handles a received IPv4 frame carrying ICMP (m->data at the Ethernet
 * header). Returns m rewritten in place as the echo reply when it is a
 * valid echo request for ifc->ip; otherwise frees m and returns NULL.
 */
struct rte_mbuf *mn_icmp_input(const struct mn_iface *ifc, struct rte_mbuf *m);

#endif /* MN_ICMP_H */
