/*
 * holders.c: finds the processes that map an instance's DPDK files (see
 * holders.h) by reading /proc/PID/maps, the one place that lists them
 * whatever the hugepage mount or runtime directory is.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "holders.h"

/*
 * DPDK names an instance's hugepage files "<prefix>map_<n>" and keeps its
 * runtime files (memseg arrays, config, sockets) in ".../dpdk/<prefix>/".
 */
static bool
is_instance_file(const char *path, const char *instance)
{
	const char *base = strrchr(path, '/');
	char dir[320];
	size_t n = strlen(instance);

	snprintf(dir, sizeof(dir), "/dpdk/%s/", instance);
	if (strstr(path, dir) != NULL)
		return true;
	return base != NULL && strncmp(base + 1, instance, n) == 0 &&
	       strncmp(base + 1 + n, "map_", 4) == 0;
}

static bool
maps_instance(const char *pid, const char *instance)
{
	char path[300], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false; /* gone meanwhile, or not ours to read */
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *file = strchr(line, '/');

		if (file != NULL) {
			file[strcspn(file, "\n")] = '\0';
			found = is_instance_file(file, instance);
		}
	}
	fclose(f);
	return found;
}

static void
comm_of(const char *pid, char *out, size_t outlen)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "r");
	if (f == NULL || fgets(out, (int)outlen, f) == NULL)
		snprintf(out, outlen, "?");
	out[strcspn(out, "\n")] = '\0';
	if (f != NULL)
		fclose(f);
}

static bool
all_digits(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int
mn_instance_holders(const char *instance, char *out, size_t outlen)
{
	char self[16], comm[32];
	struct dirent *d;
	size_t used = 0;
	int count = 0;
	DIR *proc;

	out[0] = '\0';
	snprintf(self, sizeof(self), "%d", (int)getpid());
	proc = opendir("/proc");
	if (proc == NULL)
		return 0;
	while ((d = readdir(proc)) != NULL) {
		if (!all_digits(d->d_name) || strcmp(d->d_name, self) == 0 ||
		    !maps_instance(d->d_name, instance))
			continue;
		comm_of(d->d_name, comm, sizeof(comm));
		if (used < outlen)
			used += (size_t)snprintf(out + used, outlen - used,
						 "%spid %s (%s)",
						 count > 0 ? ", " : "",
						 d->d_name, comm);
		count++;
	}
	closedir(proc);
	return count;
}
