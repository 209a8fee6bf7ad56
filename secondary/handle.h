/*
 * handle.h: the channel handles applications hold. A handle is not a
 * pointer but a slot number and that slot's generation, so that a handle
 * used after machnet_detach, detached twice, or made up, is refused with
 * EBADF instead of reaching freed memory.
 */
#ifndef MNL_HANDLE_H
#define MNL_HANDLE_H

struct mnl_channel;

/* A handle for ch, or NULL with errno ENOSPC when the table is full. */
void *mnl_handle_new(struct mnl_channel *ch);

/*
 * The channel behind a live handle, or NULL with errno EINVAL (a NULL
 * handle) or EBADF (detached, or never a handle of this process).
 */
struct mnl_channel *mnl_handle_get(const void *handle);

/* Ends a handle: from now on mnl_handle_get refuses it. */
void mnl_handle_drop(const void *handle);

#endif /* MNL_HANDLE_H */
