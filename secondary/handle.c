/*
 * handle.c: the process's table of channel handles (see handle.h).
 *
 * A handle packs a tag, the slot's generation and the slot number into a
 * pointer-sized value. A slot's generation moves on every drop, so a stale
 * handle never matches again, even after its slot has been reused. Lookups
 * take no lock: a channel belongs to one thread, and only attach and
 * detach, which lock, change the table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include "handle.h"
#include "mn_state.h"

#define MNL_HANDLE_TAG (UINT64_C(0x4d4e) << 48) /* "MN" */
#define MNL_HANDLE_TAG_MASK (UINT64_C(0xffff) << 48)

struct mnl_handle_slot {
	struct mnl_channel *ch;
	uint32_t generation;
};

_Static_assert(sizeof(void *) == sizeof(uint64_t),
	       "handles pack 64 bits into a pointer");

static pthread_mutex_t handle_lock = PTHREAD_MUTEX_INITIALIZER;
/* machnetd hands out at most MN_MAX_CHANNELS channels in all. */
static struct mnl_handle_slot slots[MN_MAX_CHANNELS];

static void *
pack(uint32_t slot, uint32_t generation)
{
	return (void *)(uintptr_t)(MNL_HANDLE_TAG |
				   (uint64_t)generation << 16 | slot);
}

void *
mnl_handle_new(struct mnl_channel *ch)
{
	void *h = NULL;
	uint32_t i;

	pthread_mutex_lock(&handle_lock);
	for (i = 0; i < MN_MAX_CHANNELS && h == NULL; i++)
		if (slots[i].ch == NULL) {
			slots[i].ch = ch;
			h = pack(i, slots[i].generation);
		}
	pthread_mutex_unlock(&handle_lock);
	if (h == NULL)
		errno = ENOSPC;
	return h;
}

/* The slot a live handle names, or NULL. */
static struct mnl_handle_slot *
lookup(const void *handle)
{
	uint64_t v = (uint64_t)(uintptr_t)handle;
	uint32_t slot = (uint32_t)(v & 0xffff);
	uint32_t generation = (uint32_t)(v >> 16);
	struct mnl_handle_slot *s;

	if ((v & MNL_HANDLE_TAG_MASK) != MNL_HANDLE_TAG ||
	    slot >= MN_MAX_CHANNELS)
		return NULL;
	s = &slots[slot];
	if (s->ch == NULL || s->generation != generation)
		return NULL;
	return s;
}

struct mnl_channel *
mnl_handle_get(const void *handle)
{
	struct mnl_handle_slot *s;

	if (handle == NULL) {
		errno = EINVAL;
		return NULL;
	}
	s = lookup(handle);
	if (s == NULL) {
		errno = EBADF;
		return NULL;
	}
	return s->ch;
}

void
mnl_handle_drop(const void *handle)
{
	struct mnl_handle_slot *s;

	pthread_mutex_lock(&handle_lock);
	s = lookup(handle);
	if (s != NULL) {
		s->ch = NULL;
		s->generation++;
	}
	pthread_mutex_unlock(&handle_lock);
}
