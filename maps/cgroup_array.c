/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_CGROUP_ARRAY: slots of cgroups (v2), for
 * bpf_current_task_under_cgroup. User space puts a cgroup in by the fd of
 * its directory; the slot keeps the cgroup's id (the directory's inode
 * number on cgroup2, which is the kernel's cgroup id), so every process
 * that shares the map sees the same cgroup. As in the kernel, user space
 * cannot read a slot back (no lookup: ENOTSUPP).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "maps/map.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

static int cga_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
	if (hdr->key_size != 4 || hdr->value_size != 4 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra)
		return -EINVAL;
	hdr->data_size = (uint64_t)hdr->max_entries * sizeof(uint64_t);
	return 0;
}

static uint64_t *cga_ids(struct map *map)
{
	return (uint64_t *)map->data;
}

uint64_t cgroup_array_get(struct map *map, uint32_t index)
{
	if (index >= map->hdr->max_entries)
		return 0;
	return __atomic_load_n(&cga_ids(map)[index], __ATOMIC_ACQUIRE);
}

static int cga_update(struct map *map, const void *key, const void *value, uint64_t flags,
		      uint32_t cpu)
{
	uint32_t index;
	int fd;
	struct stat st;
	struct statfs sfs;

	(void)cpu;
	memcpy(&index, key, 4);
	memcpy(&fd, value, 4);
	if (flags != BPF_ANY)
		return -EINVAL;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	/* Only a cgroup2 directory is a cgroup here, as in the kernel. */
	if (fstat(fd, &st) || !S_ISDIR(st.st_mode) || fstatfs(fd, &sfs) ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EBADF;
	__atomic_store_n(&cga_ids(map)[index], (uint64_t)st.st_ino, __ATOMIC_RELEASE);
	return 0;
}

static int cga_delete(struct map *map, const void *key)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	return __atomic_exchange_n(&cga_ids(map)[index], 0, __ATOMIC_ACQ_REL) ? 0 : -ENOENT;
}

const struct map_ops cgroup_array_map_ops = {
	.check = cga_check,
	.update = cga_update,
	.delete = cga_delete,
	.get_next_key = array_get_next_key,
};
