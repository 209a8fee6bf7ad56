/*
 * wake.h: the engine's end of waking applications that wait on a channel
 * instead of polling it (machnet_recv_wait, machnet_channel_fd).
 *
 * The engine never blocks and makes no system call per message: a
 * channel without an eventfd costs one branch per delivery, and one with
 * an eventfd a fence and a read of its shared wake line, with a write to
 * the eventfd only when the application said it is about to sleep
 * (common/mn_state.h, struct mn_channel_wake).
 */
#ifndef MN_WAKE_H
#define MN_WAKE_H

#include "mn_state.h"

struct mn_wake {
	int fd; /* the application's eventfd, -1: it polls */
	struct mn_channel_wake *shared;
};

void mn_wake_init(struct mn_wake *w, struct mn_channel_wake *shared);
/* Takes fd, closing the one before; the shared line starts disarmed. */
void mn_wake_set_fd(struct mn_wake *w, int fd);
/* The channel is detached: its eventfd goes, the line is reset. */
void mn_wake_close(struct mn_wake *w);
/* Signals the eventfd whatever armed says: machnetd is stopping. */
void mn_wake_force(struct mn_wake *w);
/* Signals the eventfd after armed was taken. */
void mn_wake_signal(struct mn_wake *w);

/* After a message or event went on the channel's ring. */
static inline void
mn_wake_after_enqueue(struct mn_wake *w)
{
	if (w->fd >= 0 && mn_wake_take(w->shared))
		mn_wake_signal(w);
}

/*
 * 0 if fd is an eventfd, made non-blocking so that a write can never
 * stop the engine; -1 with errno (EBADF, EINVAL) if it is not one.
 */
int mn_wake_check_fd(int fd);

#endif /* MN_WAKE_H */
