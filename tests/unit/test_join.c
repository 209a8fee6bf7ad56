/*
 * test_join.c: the join record tells machnetd when the process that may
 * hold a heap lock died while joining (a pid left with no lock held, or
 * a live joiner waiting behind such a one), and never when the joiner is
 * alive and came after a clean join, or nobody is joining.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap_guard.h"
#include "join.h"
#include "unit.h"

static char path[] = "/tmp/mn_test_join.XXXXXX";
static int fd;

static void
setup(void)
{
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, sizeof(struct mn_join_record)), 0);
}

static void
teardown(void)
{
	close(fd);
	unlink(path);
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);
}

/* A child that joins and dies halfway, as a SIGKILL would leave it. */
static pid_t
joiner_dies_halfway(void)
{
	pid_t pid = fork();
	struct mnl_join j;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(mnl_join_begin(&j, path) == 0 ? 0 : 1);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A child that joins and waits under the lock until told over go[]. */
static pid_t
joiner_waits(int go[2], int ready[2])
{
	pid_t pid;
	char c = 0;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct mnl_join j;

		if (mnl_join_begin(&j, path) != 0)
			_exit(1);
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		mnl_join_end(&j);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	return pid;
}

static void
joiner_finish(pid_t pid, int go[2], int ready[2])
{
	int status;
	char c = 0;

	ck_assert_int_eq(write(go[1], &c, 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

START_TEST(a_finished_join_leaves_nothing)
{
	struct mnl_join j;
	int32_t dead = -1;

	ck_assert_int_eq(mnl_join_begin(&j, path), 0);
	mnl_join_end(&j);
	ck_assert(!mn_join_left_by_dead(fd, &dead));
	ck_assert_int_eq(dead, 0);
}
END_TEST

START_TEST(a_joiner_that_died_halfway_is_dead)
{
	pid_t child = joiner_dies_halfway();
	int32_t dead = 0;

	ck_assert(mn_join_left_by_dead(fd, &dead));
	ck_assert_int_eq(dead, child);
}
END_TEST

START_TEST(a_live_joiner_after_a_clean_join_is_alive)
{
	int go[2], ready[2];
	int32_t dead = -1;
	pid_t child;

	child = joiner_waits(go, ready);
	ck_assert(!mn_join_left_by_dead(fd, &dead));
	joiner_finish(child, go, ready);
	ck_assert(!mn_join_left_by_dead(fd, &dead));
}
END_TEST

START_TEST(a_live_joiner_behind_a_dead_one_names_the_dead)
{
	pid_t first = joiner_dies_halfway(), second;
	int go[2], ready[2];
	int32_t dead = 0;

	second = joiner_waits(go, ready);
	ck_assert(mn_join_left_by_dead(fd, &dead));
	ck_assert_int_eq(dead, first);
	/* Its join went through: whatever the dead held, it was given back. */
	joiner_finish(second, go, ready);
	ck_assert(!mn_join_left_by_dead(fd, &dead));
}
END_TEST

START_TEST(a_second_joiner_waits_for_the_first)
{
	int go[2], ready[2];
	struct mnl_join j;
	pid_t child;

	child = joiner_waits(go, ready);
	/* A lock held by another process: F_SETLK refuses at once. */
	ck_assert_int_eq(fcntl(fd, F_SETLK, &(struct flock){
		.l_type = F_WRLCK, .l_whence = SEEK_SET }), -1);
	joiner_finish(child, go, ready);
	ck_assert_int_eq(mnl_join_begin(&j, path), 0);
	mnl_join_end(&j);
}
END_TEST

static Suite *
join_suite(void)
{
	Suite *s = suite_create("join");
	TCase *tc = tcase_create("join");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_finished_join_leaves_nothing);
	tcase_add_test(tc, a_joiner_that_died_halfway_is_dead);
	tcase_add_test(tc, a_live_joiner_after_a_clean_join_is_alive);
	tcase_add_test(tc, a_live_joiner_behind_a_dead_one_names_the_dead);
	tcase_add_test(tc, a_second_joiner_waits_for_the_first);
	suite_add_tcase(s, tc);
	return s;
}

MN_UNIT_MAIN(join_suite)
