/*
 * listen.c: the listener table. Listening is rare and the table small, so
 * a linear scan beats a hash here.
 */
#include <errno.h>
#include <stddef.h>

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
	free_slot->port = port;
	free_slot->channel = channel;
	free_slot->channel_gen = channel_gen;
	free_slot->half_open = 0;
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

	for (i = 0; i < MN_MAX_LISTENERS; i++)
		if (t->entries[i].port != 0 && t->entries[i].channel == channel)
			t->entries[i].port = 0;
}
