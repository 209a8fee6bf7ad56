/*
 * iov.h: MachnetIovec_t arrays seen as struct mn_iov arrays.
 *
 * The two types have the same members but are distinct C types, so the
 * library copies rather than casts; short arrays stay on the stack.
 */
#ifndef MNL_IOV_H
#define MNL_IOV_H

#include <stddef.h>

#include "machnet.h"
#include "mn_msg.h"

#define MNL_IOV_STACK 16

struct mnl_iovs {
	struct mn_iov *v;
	int cnt;
	size_t total; /* bytes in all of them */
	struct mn_iov stack[MNL_IOV_STACK];
};

/*
 * 0, or -1 with errno EINVAL (NULL array or base with a length, more
 * iovecs than an int counts, lengths overflowing size_t) or ENOMEM.
 */
int mnl_iovs_import(struct mnl_iovs *io, const MachnetIovec_t *iov,
		    size_t iovlen);
void mnl_iovs_release(struct mnl_iovs *io);

#endif /* MNL_IOV_H */
