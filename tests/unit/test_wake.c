/*
 * test_wake.c: the engine's end of waking applications (primary/wake.c):
 * only an eventfd is taken from an application, made non-blocking, and
 * it is signalled exactly when the application armed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "unit.h"
#include "wake.h"

static uint64_t
drained(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}

START_TEST(only_an_eventfd_is_taken_and_made_nonblocking)
{
	int p[2], efd = eventfd(0, 0);

	ck_assert_int_eq(pipe(p), 0);
	errno = 0;
	ck_assert_int_eq(mn_wake_check_fd(p[1]), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(mn_wake_check_fd(-1), -1);
	ck_assert_int_ge(efd, 0);
	ck_assert_int_eq(fcntl(efd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(mn_wake_check_fd(efd), 0);
	ck_assert_int_ne(fcntl(efd, F_GETFL) & O_NONBLOCK, 0);
	close(p[0]);
	close(p[1]);
	close(efd);
}
END_TEST

START_TEST(signals_only_an_armed_channel_once)
{
	struct mn_channel_wake line = { 0 };
	struct mn_wake w;
	int efd = eventfd(0, EFD_NONBLOCK);

	mn_wake_init(&w, &line);
	mn_wake_after_enqueue(&w); /* no fd: nothing at all */
	mn_wake_set_fd(&w, efd);
	mn_wake_after_enqueue(&w);
	ck_assert_uint_eq(drained(efd), 0);
	ck_assert_uint_eq(line.wakes, 0);
	line.armed = 1;
	mn_wake_after_enqueue(&w);
	mn_wake_after_enqueue(&w);
	ck_assert_uint_eq(line.armed, 0);
	ck_assert_uint_eq(line.wakes, 1);
	ck_assert_uint_eq(drained(efd), 1);
	/* Stopping wakes it whether armed or not. */
	mn_wake_force(&w);
	ck_assert_uint_eq(drained(efd), 1);
	ck_assert_uint_eq(line.wakes, 2);
	mn_wake_close(&w);
	ck_assert_int_eq(w.fd, -1);
	ck_assert_uint_eq(line.wakes, 0);
	ck_assert_int_eq(fcntl(efd, F_GETFD), -1); /* closed */
}
END_TEST

static Suite *
wake_suite(void)
{
	Suite *s = suite_create("wake");
	TCase *tc = tcase_create("wake");

	tcase_add_test(tc, only_an_eventfd_is_taken_and_made_nonblocking);
	tcase_add_test(tc, signals_only_an_armed_channel_once);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(wake_suite)
