/*
 * no_primary: an application started while no machnetd runs must get a
 * clean error from machnet_init and carry on, not crash or exit.
 *
 * Expects $MACHNET_INSTANCE to name an instance nobody runs. Exits 0 when
 * machnet_init returned -1 with ENODEV, twice, and the process survived.
 * A marker line follows the first call so that the caller can count what
 * the library printed for it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "machnet.h"

static int
np_check(const char *what)
{
	int rc, err;

	errno = 0;
	rc = machnet_init();
	err = errno;
	if (rc == -1 && err == ENODEV)
		return 0;
	printf("no_primary: FAIL: %s machnet_init gave %d, errno %s\n", what,
	       rc, strerror(err));
	return 1;
}

int
main(void)
{
	int failures = np_check("first");

	printf("no_primary: first call done\n");
	fflush(stdout);
	failures += np_check("second");
	if (failures == 0)
		printf("no_primary: ok: machnet_init gave ENODEV and the "
		       "process continued\n");
	return failures == 0 ? 0 : 1;
}
