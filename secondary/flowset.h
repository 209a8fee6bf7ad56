/*
 * flowset.h: the flows a channel knows, so that machnet_send() can refuse
 * a flow the application never opened or received from without asking
 * machnetd, and can count what each flow holds for its send share. One per channel and used by one thread, hence no locking.
 */
#ifndef MNL_FLOWSET_H
#define MNL_FLOWSET_H

#include <stdbool.h>
#include <stdint.h>

#include "mn_msg.h"

struct mnl_flowset_slot {
	struct mn_flow_tuple flow;
	uint32_t used;
	struct mn_flow_ref ref; /* where machnetd keeps the flow */
	uint64_t tx_queued;     /* segments send queued on it */
};

/* Open addressing with linear probing; the capacity is a power of two. */
struct mnl_flowset {
	struct mnl_flowset_slot *slots;
	uint32_t mask;  /* capacity - 1 */
	uint32_t count;
};

/* 0, or -1 with errno ENOMEM. */
int mnl_flowset_init(struct mnl_flowset *fs);
void mnl_flowset_fini(struct mnl_flowset *fs);

/*
 * The entry of f, added if need be, with ref as machnetd's place of the
 * flow (an entry for an earlier flow of the same 4-tuple starts over), or
 * NULL with errno ENOMEM. Entries move: a pointer to one is good until
 * the next add or remove.
 */
struct mnl_flowset_slot *mnl_flowset_add(struct mnl_flowset *fs,
					 const struct mn_flow_tuple *f,
					 const struct mn_flow_ref *ref);
/* The entry of f, or NULL. */
struct mnl_flowset_slot *mnl_flowset_find(struct mnl_flowset *fs,
					  const struct mn_flow_tuple *f);
bool mnl_flowset_contains(const struct mnl_flowset *fs,
			  const struct mn_flow_tuple *f);
/* True when the flow was present. */
bool mnl_flowset_remove(struct mnl_flowset *fs, const struct mn_flow_tuple *f);

static inline uint32_t
mnl_flowset_count(const struct mnl_flowset *fs)
{
	return fs->count;
}

#endif /* MNL_FLOWSET_H */
