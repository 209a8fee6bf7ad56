/*
 * join.h: one application at a time joins machnetd, holding the join
 * record's lock (mn_join.h), so that machnetd can free a heap lock that a
 * joiner killed halfway left behind.
 */
#ifndef MNL_JOIN_H
#define MNL_JOIN_H

#include "mn_join.h"

struct mnl_join {
	int fd;
	struct mn_join_record rec;
};

/* Waits (up to MNL_JOIN_WAIT_S) for the lock on the record at path. */
int mnl_join_begin(struct mnl_join *j, const char *path);
/* The join is over, done or failed: clears the record, drops the lock. */
void mnl_join_end(struct mnl_join *j);

#define MNL_JOIN_WAIT_S 60

#endif /* MNL_JOIN_H */
