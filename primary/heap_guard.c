/*
 * heap_guard.c: DPDK keeps one spinlock per heap in the shared config that
 * every process maps, and records no owner. A secondary killed while it
 * holds one (rte_eal_init() allocates the service library's tables, a
 * PMD's process-private data; libmachnet frees them again) leaves the lock
 * taken, and every application started afterwards spins inside
 * rte_eal_init() for ever, while machnetd itself keeps forwarding.
 *
 * DPDK 22.11 has no API that reaches the locks, so they are found at
 * start-up: machnetd dumps the heaps into a stream that, at the line each
 * dump prints under its heap's lock, compares EAL's shared config with a
 * copy taken before; the one word that went from 0 to 1 is that heap's
 * lock. Anything else than exactly one such word turns the guard off.
 *
 * A lock seen held at every check for MN_HEAP_LOCK_ORPHAN_NS is freed only
 * when the join record says its holder is a dead joiner: a pid is recorded
 * and nobody holds the record's lock (the joiner died under it), or the
 * live joiner that holds it found a dead one before it. A lock held by a
 * live process is never touched. The heap's lists are consistent if the
 * holder died outside malloc's few short list updates, which is the likely
 * case (most time under the lock is spent waiting for the primary to grow
 * the heap); freeing a lock taken in the middle of one could leave them
 * inconsistent, a risk taken over a host that no application can join.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "heap_guard.h"
#include "mn_join.h"

struct finder {
	const uint8_t *config;   /* EAL's shared config, as mapped */
	size_t len;
	uint8_t *before;         /* its copy with every heap lock free */
	struct mn_heap_guard *g;
	bool ambiguous;
};

/*
 * EAL maps its runtime directory's "config" file; where, /proc says, by
 * the file's real path (/var/run is often a link to /run).
 */
static int
find_config_map(const char *path, const uint8_t **addr, size_t *len)
{
	char line[4096], real[PATH_MAX];
	FILE *maps;
	int found = -1;

	if (realpath(path, real) == NULL)
		return -1;
	maps = fopen("/proc/self/maps", "r");
	if (maps == NULL)
		return -1;
	while (found != 0 && fgets(line, sizeof(line), maps) != NULL) {
		unsigned long lo, hi;
		char *name = strchr(line, '/');

		if (name == NULL || sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, real) != 0)
			continue;
		*addr = (const uint8_t *)lo;
		*len = hi - lo;
		found = 0;
	}
	fclose(maps);
	return found;
}

static void
note_lock(struct finder *f)
{
	volatile int32_t *lock = NULL;
	size_t off;

	for (off = 0; off + sizeof(int32_t) <= f->len; off += sizeof(int32_t)) {
		int32_t was, now;

		memcpy(&was, f->before + off, sizeof(was));
		memcpy(&now, f->config + off, sizeof(now));
		if (was == 0 && now == 1) {
			if (lock != NULL)
				f->ambiguous = true;
			lock = (volatile int32_t *)(f->config + off);
		}
	}
	if (lock == NULL || f->g->n_locks == RTE_MAX_HEAPS)
		f->ambiguous = true;
	else
		f->g->locks[f->g->n_locks++] = lock;
}

/* rte_malloc_dump_heaps() prints "Heap size" first under each lock. */
static ssize_t
finder_write(void *cookie, const char *buf, size_t len)
{
	struct finder *f = cookie;

	if (len >= 9 && memcmp(buf, "Heap size", 9) == 0)
		note_lock(f);
	return (ssize_t)len;
}

static int
find_heap_locks(struct mn_heap_guard *g, char *err, size_t err_len)
{
	cookie_io_functions_t io = { .write = finder_write };
	struct finder f = { .g = g };
	char path[PATH_MAX];
	FILE *dump;

	snprintf(path, sizeof(path), "%s/config", rte_eal_get_runtime_dir());
	if (find_config_map(path, &f.config, &f.len) != 0) {
		snprintf(err, err_len, "EAL's config %s is not mapped", path);
		return -1;
	}
	f.before = malloc(f.len);
	dump = fopencookie(&f, "w", io);
	if (f.before == NULL || dump == NULL) {
		free(f.before);
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	setvbuf(dump, NULL, _IONBF, 0);
	memcpy(f.before, f.config, f.len);
	rte_malloc_dump_heaps(dump);
	fclose(dump);
	free(f.before);
	if (f.ambiguous || g->n_locks != RTE_MAX_HEAPS) {
		snprintf(err, err_len, "cannot tell the heap locks in EAL's config");
		g->n_locks = 0;
		return -1;
	}
	return 0;
}

int
mn_heap_guard_init(struct mn_heap_guard *g, struct mn_state *state,
		   char *err, size_t err_len)
{
	struct mn_join_record rec = { 0 };
	char path[PATH_MAX];

	memset(g, 0, sizeof(*g));
	g->state = state;
	snprintf(path, sizeof(path), "%s/" MN_JOIN_FILE, rte_eal_get_runtime_dir());
	g->join_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (g->join_fd < 0 ||
	    pwrite(g->join_fd, &rec, sizeof(rec), 0) != (ssize_t)sizeof(rec)) {
		snprintf(err, err_len, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	return find_heap_locks(g, err, err_len);
}

/* The pid of the live joiner, 0 if nobody is joining. */
static pid_t
live_joiner(int join_fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(join_fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
		return 0;
	return fl.l_pid;
}

bool
mn_join_left_by_dead(int join_fd, int32_t *dead_pid)
{
	struct mn_join_record rec;
	pid_t joiner = live_joiner(join_fd);

	if (pread(join_fd, &rec, sizeof(rec), 0) != (ssize_t)sizeof(rec))
		return false;
	*dead_pid = joiner == 0 ? rec.pid : rec.dead_before;
	if (joiner != 0 && rec.pid != joiner)
		return false;
	return *dead_pid != 0;
}

static void
check_lock(struct mn_heap_guard *g, unsigned int i, uint64_t now_ns)
{
	int32_t dead = 0;

	if (__atomic_load_n(g->locks[i], __ATOMIC_RELAXED) == 0) {
		g->held_since[i] = 0;
		g->warned[i] = false;
		return;
	}
	if (g->held_since[i] == 0) {
		g->held_since[i] = now_ns;
		return;
	}
	if (now_ns - g->held_since[i] < MN_HEAP_LOCK_ORPHAN_NS)
		return;
	if (!mn_join_left_by_dead(g->join_fd, &dead)) {
		if (!g->warned[i]) {
			fprintf(stderr, "machnetd: heap %u's lock held for %llu s by "
				"a live process; left alone\n", i,
				(unsigned long long)((now_ns - g->held_since[i]) /
						     1000000000ULL));
			g->warned[i] = true;
		}
		return;
	}
	fprintf(stderr, "machnetd: heap %u's lock was left held by application "
		"pid %d, which died joining; freed\n", i, (int)dead);
	__atomic_store_n(g->locks[i], 0, __ATOMIC_RELEASE);
	g->held_since[i] = 0;
	g->state->counters.heap_lock_recoveries++;
}

void
mn_heap_guard_check(struct mn_heap_guard *g, uint64_t now_ns)
{
	unsigned int i;

	for (i = 0; i < g->n_locks; i++)
		check_lock(g, i, now_ns);
}
