/*
 * init.c: machnet_init(), which makes the application a DPDK secondary
 * process of the machnetd instance it names and checks that the instance
 * offers what this library expects, so later calls need no such checks.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "init.h"
#include "machnet.h"
#include "mn_msg.h"
#include "mn_names.h"

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mnl_env env;
/* Published only once env is complete; read without the lock. */
static const struct mnl_env *env_ready;
/* rte_eal_init() cannot run twice, even when what came after it failed. */
static bool eal_joined;

const struct mnl_env *
mnl_env_get(void)
{
	return __atomic_load_n(&env_ready, __ATOMIC_ACQUIRE);
}

/* An application gets one line saying why, never EAL's log. */
static int __rte_format_printf(2, 3)
init_fail(int err, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "machnet: %s\n", line);
	errno = err;
	return -1;
}

static const char *
instance_name(void)
{
	const char *name = getenv(MN_INSTANCE_ENV);

	return name != NULL && name[0] != '\0' ? name : MN_INSTANCE_DEFAULT;
}

/* Where the primary's config file is, by the rules EAL itself follows. */
static int
config_path(const char *instance, char *buf, size_t len)
{
	const char *dir = "/var/run";
	int n;

	if (getuid() != 0) {
		dir = getenv("XDG_RUNTIME_DIR");
		if (dir == NULL)
			dir = "/tmp";
	}
	n = snprintf(buf, len, "%s/dpdk/%s/config", dir, instance);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int
first_cpu(const cpu_set_t *set)
{
	int cpu;

	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set))
			return cpu;
	return 0;
}

/*
 * EAL pins the calling thread to its main lcore; the application did not
 * ask for that, so its affinity is put back afterwards. The lcore is 0
 * (nothing here runs per-lcore work) on a CPU the thread may use anyway.
 */
static int
join_eal(const char *instance)
{
	static char prefix_arg[PATH_MAX];
	static char lcores_arg[32];
	char *argv[] = {
		program_invocation_short_name, "--proc-type=secondary",
		prefix_arg, "--no-pci", lcores_arg, "--no-telemetry",
		"--log-level=error",
	};
	cpu_set_t cpus;
	bool have_cpus;
	int ret, err;

	have_cpus = pthread_getaffinity_np(pthread_self(), sizeof(cpus),
					   &cpus) == 0;
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", instance);
	snprintf(lcores_arg, sizeof(lcores_arg), "--lcores=0@%d",
		 have_cpus ? first_cpu(&cpus) : 0);
	ret = rte_eal_init((int)RTE_DIM(argv), argv);
	err = rte_errno != 0 ? rte_errno : ENODEV;
	if (have_cpus)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	if (ret < 0)
		return init_fail(err,
				 "cannot join machnetd instance \"%s\": %s",
				 instance, strerror(err));
	eal_joined = true;
	return 0;
}

static int
find_instance_objects(const char *instance, struct mnl_env *e)
{
	const struct rte_memzone *mz = rte_memzone_lookup(MN_STATE_MZ_NAME);
	struct rte_mempool *pool;
	struct mn_state *state;

	if (mz == NULL || mz->len < sizeof(*state))
		return init_fail(ENODEV,
				 "machnetd instance \"%s\" has no state area",
				 instance);
	state = mz->addr;
	if (state->magic != MN_STATE_MAGIC)
		return init_fail(EPROTO,
				 "machnetd instance \"%s\" is of another version",
				 instance);
	pool = rte_mempool_lookup(MN_POOL_NAME);
	if (pool == NULL)
		return init_fail(ENODEV,
				 "machnetd instance \"%s\" has no packet pool",
				 instance);
	if (rte_pktmbuf_priv_size(pool) < sizeof(struct mn_msg_meta) ||
	    state->mss == 0 ||
	    rte_pktmbuf_data_room_size(pool) <
		    (uint64_t)RTE_PKTMBUF_HEADROOM + state->mss)
		return init_fail(EPROTO,
				 "machnetd instance \"%s\" has packet buffers too small for its MSS (%u)",
				 instance, state->mss);
	e->state = state;
	e->pool = pool;
	return 0;
}

static int
join_instance(const char *instance)
{
	char path[PATH_MAX];

	if (!eal_joined) {
		if (strchr(instance, '/') != NULL ||
		    config_path(instance, path, sizeof(path)) < 0)
			return init_fail(EINVAL,
					 "invalid instance name \"%s\" in $%s",
					 instance, MN_INSTANCE_ENV);
		if (!rte_eal_primary_proc_alive(path))
			return init_fail(ENODEV,
					 "no machnetd is running for instance \"%s\" (start machnetd first)",
					 instance);
		if (join_eal(instance) < 0)
			return -1;
	}
	if (find_instance_objects(instance, &env) < 0)
		return -1;
	__atomic_store_n(&env_ready, &env, __ATOMIC_RELEASE);
	return 0;
}

int
machnet_init(void)
{
	int ret = 0, err = 0;

	pthread_mutex_lock(&init_lock);
	if (mnl_env_get() == NULL) {
		ret = join_instance(instance_name());
		err = errno;
	}
	pthread_mutex_unlock(&init_lock);
	if (ret < 0)
		errno = err;
	return ret;
}
