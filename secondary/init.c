/*
 * init.c: machnet_init(), which makes the application a DPDK secondary
 * process of the machnetd instance it names and checks that the instance
 * offers what this library expects, so later calls need no such checks.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
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
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_service_component.h>

#include "init.h"
#include "join.h"
#include "machnet.h"
#include "mn_msg.h"
#include "mn_names.h"

/* Set (not to 0) to let DPDK's own log through to the application. */
#define MN_EAL_LOG_ENV "MACHNET_EAL_LOG"

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

bool
mnl_primary_gone(const struct mn_state *state)
{
	static bool told;
	bool gone;

	gone = state->stopping ||
	       (kill(state->primary_pid, 0) != 0 && errno == ESRCH);
	if (gone && !__atomic_exchange_n(&told, true, __ATOMIC_RELAXED))
		fprintf(stderr, "machnet: machnetd (pid %d) has %s; restart this "
			"application to use machnetd again\n",
			(int)state->primary_pid, state->stopping ? "stopped" :
			"died");
	return gone;
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

/* A file in the instance's runtime directory, by the rules EAL follows. */
static int
runtime_file(const char *instance, const char *file, char *buf, size_t len)
{
	const char *dir = "/var/run";
	int n;

	if (getuid() != 0) {
		dir = getenv("XDG_RUNTIME_DIR");
		if (dir == NULL)
			dir = "/tmp";
	}
	n = snprintf(buf, len, "%s/dpdk/%s/%s", dir, instance, file);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/*
 * "--lcores=0@(a,b,...)": lcore 0 on every CPU in set. EAL applies it with
 * sched_setaffinity; with a single CPU the thread would have to wait for
 * that CPU, seconds on a loaded host, while the whole set costs nothing.
 */
static void
lcores_arg_of(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "--lcores=0@(");
	const char *sep = "";
	int cpu;

	for (cpu = 0; cpu < CPU_SETSIZE && used + 8 < len; cpu++) {
		if (!CPU_ISSET(cpu, set))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%d", sep, cpu);
		sep = ",";
	}
	snprintf(buf + used, len - used, ")");
}

static ssize_t
discard(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	(void)buf;
	return (ssize_t)len;
}

/*
 * DPDK's log is machnetd's business: an application that lost its
 * machnetd would otherwise print two EAL lines per failed call. Set
 * before rte_eal_init, the stream wins over the console EAL opens, so
 * not even its start-up lines show, unless $MACHNET_EAL_LOG asks for them.
 */
static void
quiet_eal(void)
{
	static cookie_io_functions_t null_io = { .write = discard };
	const char *want = getenv(MN_EAL_LOG_ENV);
	FILE *sink;

	if (want != NULL && want[0] != '\0' && strcmp(want, "0") != 0)
		return;
	sink = fopencookie(NULL, "w", null_io);
	if (sink != NULL)
		rte_openlog_stream(sink);
}

/*
 * What rte_eal_init() leaves in machnetd's hugepage heap for this process
 * alone, given back at once, because nothing gives it back later: EAL frees
 * it only in rte_eal_cleanup(), which an application that exits or is
 * killed never reaches, so each application that ever ran kept it for the
 * life of machnetd. In DPDK 22.11 that is
 *  - the service library's tables (rte_service_init(), run in every
 *    process: "rte_services", 8 KiB, and "rte_service_core_states",
 *    144 KiB for 128 lcores), 152 KiB with malloc headers; and
 *  - the process-private data of the ports the secondary attaches to
 *    (net_af_xdp: 4 KiB of queue fds; net_memif: 2 KiB), which the PMD
 *    frees when the secondary closes its port.
 * The application runs no services (no service lcore, no call) and never
 * touches a port: machnetd does all I/O. Closing a port in a secondary
 * releases only that process's view of it (ethdev: "Secondary process
 * needs to close device to release process private resources"); the
 * primary's port, queues and shared data stay as they are. EAL keeps its
 * pointers to the freed service tables, so nothing in this process may use
 * the service API afterwards: true while no device that registers a service
 * is hot-plugged into a running instance (machnetd hot-plugs nothing).
 * Still left, 192 bytes an application with net_memif only: its probe
 * allocates a MAC address that a secondary loses at once.
 */
static void
eal_release_private(void)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port)
		rte_eth_dev_close(port);
	rte_service_finalize();
}

/*
 * EAL pins the calling thread to its main lcore's CPUs; the application
 * did not ask for that, so its affinity is put back afterwards. The lcore
 * is 0 (nothing here runs per-lcore work) on the CPUs the thread may use
 * anyway.
 */
static int
join_eal(const char *instance)
{
	static char prefix_arg[PATH_MAX];
	static char lcores_arg[1024];
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
	quiet_eal();
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", instance);
	if (!have_cpus) {
		CPU_ZERO(&cpus);
		CPU_SET(0, &cpus);
	}
	lcores_arg_of(&cpus, lcores_arg, sizeof(lcores_arg));
	ret = rte_eal_init((int)RTE_DIM(argv), argv);
	err = rte_errno != 0 ? rte_errno : ENODEV;
	/*
	 * Also after a failure, which may come after the allocations; but not
	 * when EAL had been started before (EALREADY): then none of it is ours.
	 */
	if (ret >= 0 || err != EALREADY)
		eal_release_private();
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
	const struct rte_memzone *usage_mz;
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
	usage_mz = rte_memzone_lookup(MN_FLOW_USAGE_MZ_NAME);
	if (usage_mz == NULL ||
	    usage_mz->len < (size_t)state->flow_slots * sizeof(struct mn_flow_usage))
		return init_fail(ENODEV,
				 "machnetd instance \"%s\" has no flow usage area",
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
	e->flow_usage = usage_mz->addr;
	e->pool = pool;
	return 0;
}

/* Joins under the join record's lock (join.h), as every application does. */
static int
join_eal_alone(const char *instance)
{
	char path[PATH_MAX];
	struct mnl_join join;
	int ret, err;

	if (runtime_file(instance, MN_JOIN_FILE, path, sizeof(path)) < 0 ||
	    mnl_join_begin(&join, path) < 0)
		return init_fail(errno, "cannot join machnetd instance \"%s\": "
				 "its join record %s: %s", instance, path,
				 strerror(errno));
	ret = join_eal(instance);
	err = errno;
	mnl_join_end(&join);
	errno = err;
	return ret;
}

static int
join_instance(const char *instance)
{
	char path[PATH_MAX];

	if (!eal_joined) {
		if (strchr(instance, '/') != NULL ||
		    runtime_file(instance, "config", path, sizeof(path)) < 0)
			return init_fail(EINVAL,
					 "invalid instance name \"%s\" in $%s",
					 instance, MN_INSTANCE_ENV);
		if (!rte_eal_primary_proc_alive(path))
			return init_fail(ENODEV,
					 "no machnetd is running for instance \"%s\" (start machnetd first)",
					 instance);
		if (join_eal_alone(instance) < 0)
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
	} else if (mnl_primary_gone(env.state)) {
		ret = -1;
		err = ESHUTDOWN;
	}
	pthread_mutex_unlock(&init_lock);
	if (ret < 0)
		errno = err;
	return ret;
}
