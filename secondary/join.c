/*
 * join.c: the application's half of the join record (mn_join.h). The lock
 * is a POSIX record lock, which the kernel drops when the process dies
 * however it dies; the record says whether the holder finished.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "join.h"

/*
 * A record that cannot be written costs only machnetd's means to free a
 * heap lock this joiner might leave behind: the join goes on.
 */
static void
record_write(const struct mnl_join *j)
{
	ssize_t n = pwrite(j->fd, &j->rec, sizeof(j->rec), 0);

	(void)n;
}

int
mnl_join_begin(struct mnl_join *j, const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	const struct timespec pause = { .tv_nsec = 1000 * 1000 };
	time_t give_up = time(NULL) + MNL_JOIN_WAIT_S;
	int err;

	j->fd = open(path, O_RDWR | O_CLOEXEC);
	if (j->fd < 0)
		return -1;
	while (fcntl(j->fd, F_SETLK, &fl) != 0) {
		err = errno;
		if (err == EACCES || err == EAGAIN) {
			if (time(NULL) < give_up) {
				nanosleep(&pause, NULL);
				continue;
			}
			err = ETIMEDOUT;
		}
		close(j->fd);
		errno = err;
		return -1;
	}
	if (pread(j->fd, &j->rec, sizeof(j->rec), 0) != (ssize_t)sizeof(j->rec))
		memset(&j->rec, 0, sizeof(j->rec));
	if (j->rec.pid != 0)
		j->rec.dead_before = j->rec.pid;
	j->rec.pid = getpid();
	record_write(j);
	return 0;
}

void
mnl_join_end(struct mnl_join *j)
{
	memset(&j->rec, 0, sizeof(j->rec));
	record_write(j);
	close(j->fd);
}
