/*
 * listen.c: the listener table. Listening is rare and the table small, so
 * a linear scan beats a hash here.
 */
#include <errno.h>
#include <stddef.h>

#include <rte_pause.h>

#include "listen.h"

int
mn_listen_add(struct mn_listen_table *t, uint16_t port, uint16_t channel,
	      uint32_t channel_gen)
{
	struct mn_listener *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < MN_MAX_LISTENERS; i++) {
		struct mn_listener *l = &t->entries[i];

		if (l->port == port)
			return EADDRINUSE;
		if (l->port == 0 && free_slot == NULL)
			free_slot = l;
	}
	if (free_slot == NULL)
		return ENOSPC;
	rte_seqcount_write_begin(&t->seq);
	free_slot->port = port;
	free_slot->channel = channel;
	free_slot->channel_gen = channel_gen;
	__atomic_store_n(&free_slot->half_open, 0, __ATOMIC_RELAXED);
	rte_seqcount_write_end(&t->seq);
	return 0;
}

struct mn_listener *
mn_listen_find(struct mn_listen_table *t, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < MN_MAX_LISTENERS; i++)
		if (port != 0 && t->entries[i].port == port)
			return &t->entries[i];
	return NULL;
}

void
mn_listen_remove_channel(struct mn_listen_table *t, uint16_t channel)
{
	unsigned int i;

	rte_seqcount_write_begin(&t->seq);
	for (i = 0; i < MN_MAX_LISTENERS; i++)
		if (t->entries[i].port != 0 && t->entries[i].channel == channel)
			t->entries[i].port = 0;
	rte_seqcount_write_end(&t->seq);
}

void
mn_listen_snapshot(const struct mn_listen_table *t,
		   struct mn_listener out[MN_MAX_LISTENERS])
{
	unsigned int i;
	uint32_t sn;

	for (;;) {
		sn = rte_seqcount_read_begin(&t->seq);
		for (i = 0; i < MN_MAX_LISTENERS; i++) {
			out[i].port = t->entries[i].port;
			out[i].channel = t->entries[i].channel;
			out[i].channel_gen = t->entries[i].channel_gen;
			out[i].half_open = __atomic_load_n(&t->entries[i].half_open,
							   __ATOMIC_RELAXED);
		}
		if (!rte_seqcount_read_retry(&t->seq, sn))
			return;
		rte_pause();
	}
}
