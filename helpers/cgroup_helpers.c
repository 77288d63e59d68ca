/* SPDX-License-Identifier: MIT */
/*
 * The current thread's cgroup (v2): bpf_get_current_cgroup_id,
 * bpf_get_current_ancestor_cgroup_id and bpf_current_task_under_cgroup.
 * The thread's cgroup is the "0::" line of /proc/thread-self/cgroup, a
 * path below the cgroup2 mount (found once in /proc/self/mountinfo); a
 * cgroup's id is the inode number of its directory there, which is the
 * kernel's cgroup id. The thread may move between cgroups, so nothing
 * about it is cached. Where there is no cgroup2 (or /proc), the ids are
 * 0 and no cgroup contains the thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "maps/map.h"

static char cgroup2_mount[PATH_MAX];
static pthread_once_t cgroup2_once = PTHREAD_ONCE_INIT;

/* mountinfo: "id parent major:minor root mountpoint options... - fstype
 * source superoptions"; the mount of the hierarchy's root. */
static void find_cgroup2_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char root[PATH_MAX], point[PATH_MAX];
		const char *sep = strstr(line, " - cgroup2 ");
		if (sep && sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) == 2 &&
		    !strcmp(root, "/") && strlen(point) < sizeof(cgroup2_mount)) {
			strcpy(cgroup2_mount, point);
			break;
		}
	}
	fclose(f);
}

/* The current thread's cgroup directory, and where its path below the
 * mount starts (*rel); -1 when unknown. */
static int current_cgroup_dir(char *dir, size_t size, size_t *rel)
{
	char buf[4096];
	ssize_t n;
	int fd;

	pthread_once(&cgroup2_once, find_cgroup2_mount);
	if (!cgroup2_mount[0] || (fd = open("/proc/thread-self/cgroup", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *path = strstr(buf, "0::");
	if (!path || (path != buf && path[-1] != '\n'))
		return -1;
	path += 3;
	size_t len = strcspn(path, "\n");
	*rel = strlen(cgroup2_mount);
	if (*rel + len + 1 > size)
		return -1;
	memcpy(dir, cgroup2_mount, *rel);
	memcpy(dir + *rel, path, len);
	dir[*rel + len] = '\0';
	/* "/" is the root: the mount itself */
	if (len == 1)
		dir[*rel] = '\0';
	return 0;
}

static uint64_t dir_id(const char *dir)
{
	struct stat st;
	return stat(dir, &st) ? 0 : (uint64_t)st.st_ino;
}

HELPER(get_current_cgroup_id)
{
	char dir[PATH_MAX];
	size_t rel;
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)exec;
	return current_cgroup_dir(dir, sizeof(dir), &rel) ? 0 : dir_id(dir);
}

/* The ancestor at a level of the hierarchy (0: the root), or 0 when the
 * thread's cgroup is less deep. */
HELPER(get_current_ancestor_cgroup_id)
{
	char dir[PATH_MAX];
	size_t rel;
	(void)r2, (void)r3, (void)r4, (void)r5, (void)exec;
	if (current_cgroup_dir(dir, sizeof(dir), &rel))
		return 0;
	char *p = dir + rel;
	for (uint64_t level = 0; level < r1; level++) {
		if (*p != '/')
			return 0;
		char *next = strchr(p + 1, '/');
		p = next ? next : p + strlen(p);
	}
	*p = '\0';
	return dir_id(dir);
}

/* 1 when the thread is in the cgroup of the array's slot or below it, 0
 * when not; -E2BIG past the array, -EAGAIN for an empty slot. */
static uint64_t under_cgroup(struct uebpf_exec *exec, uint64_t map_r, uint32_t index,
			     const char *arg)
{
	struct map *map = (struct map *)(uintptr_t)map_r;
	char dir[PATH_MAX];
	size_t rel;
	if (!exec_map_ok(exec, map) || map->hdr->type != BPF_MAP_TYPE_CGROUP_ARRAY) {
		if (!exec->checked)
			return (uint64_t)-EINVAL; /* the verifier refuses other maps */
		uebpf_exec_fault(exec, "%s is not a cgroup array map of this program (0x%llx)", arg,
				 (unsigned long long)map_r);
		return 0;
	}
	if (index >= map->hdr->max_entries)
		return (uint64_t)-E2BIG;
	uint64_t id = cgroup_array_get(map, index);
	if (!id)
		return (uint64_t)-EAGAIN;
	if (current_cgroup_dir(dir, sizeof(dir), &rel))
		return 0;
	for (;;) {
		if (dir_id(dir) == id)
			return 1;
		char *slash = strrchr(dir + rel, '/');
		if (!slash)
			return 0;
		*slash = '\0';
	}
}

HELPER(current_task_under_cgroup)
{
	(void)r3, (void)r4, (void)r5;
	return under_cgroup(exec, r1, (uint32_t)r2, "R1");
}

/*
 * Whether the skb's socket belongs to the cgroup of the array's slot or
 * one below it. The kernel's test run gives the skb a socket it makes
 * for the run, which sk_alloc puts in the cgroup of the thread calling
 * BPF_PROG_TEST_RUN; uebpf's skb has no kernel socket, and its socket is
 * taken to be the process's, in the cgroup of the thread running the
 * program, which is the same answer for a test run. Never -ENOENT (no
 * socket), which the kernel gives a packet without one.
 */
HELPER(skb_under_cgroup)
{
	(void)r1, (void)r4, (void)r5;
	return under_cgroup(exec, r2, (uint32_t)r3, "R2");
}
