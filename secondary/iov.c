/*
 * iov.c: checks an application's iovecs once, where send and receive
 * share the rules, and copies them into the form mn_msg.c takes.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "iov.h"

int
mnl_iovs_import(struct mnl_iovs *io, const MachnetIovec_t *iov,
		size_t iovlen)
{
	size_t i;

	if ((iov == NULL && iovlen > 0) || iovlen > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	io->v = io->stack;
	if (iovlen > MNL_IOV_STACK) {
		io->v = malloc(iovlen * sizeof(*io->v));
		if (io->v == NULL) {
			errno = ENOMEM;
			return -1;
		}
	}
	io->cnt = (int)iovlen;
	io->total = 0;
	for (i = 0; i < iovlen; i++) {
		if ((iov[i].base == NULL && iov[i].len > 0) ||
		    iov[i].len > SIZE_MAX - io->total) {
			mnl_iovs_release(io);
			errno = EINVAL;
			return -1;
		}
		io->v[i].base = iov[i].base;
		io->v[i].len = iov[i].len;
		io->total += iov[i].len;
	}
	return 0;
}

void
mnl_iovs_release(struct mnl_iovs *io)
{
	if (io->v != io->stack)
		free(io->v);
	io->v = io->stack;
}
