/*
 * holders.h: which processes still hold an instance's DPDK files.
 *
 * A machnetd that died leaves its applications mapping the instance's
 * hugepage and runtime files. A new machnetd of the same instance cannot
 * start beside them (DPDK's memory files are locked by them, and sharing
 * their pages would hand a stale application the new machnetd's memory),
 * and DPDK's own error ("cannot init memzone") does not say why. This
 * finds them so machnetd can name them.
 */
#ifndef MN_HOLDERS_H
#define MN_HOLDERS_H

#include <stddef.h>

/*
 * Writes "pid N (comm), ..." for every process other than this one that
 * maps a file of instance into out, and returns how many there are.
 */
int mn_instance_holders(const char *instance, char *out, size_t outlen);

#endif /* MN_HOLDERS_H */
