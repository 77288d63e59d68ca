/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_PROG_ARRAY: slots of programs for bpf_tail_call. Programs
 * belong to one process, so the slots that hold them are this process's
 * (map->progs, filled by uebpf_prog_array_set()); the segment keeps each
 * slot's program id, which is what lookups return, as in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"

static int pa_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
	if (hdr->key_size != 4 || hdr->value_size != 4 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra)
		return -EINVAL;
	hdr->data_size = (uint64_t)hdr->max_entries * 4;
	return 0;
}

static int pa_attach(struct map *map)
{
	const struct map_hdr *hdr = map->seg.base;
	map->progs = calloc(hdr->max_entries, sizeof(*map->progs));
	return map->progs ? 0 : -ENOMEM;
}

static uint32_t *pa_ids(struct map *map)
{
	return (uint32_t *)map->data;
}

static int pa_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index, id;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries || !(id = __atomic_load_n(&pa_ids(map)[index],
								      __ATOMIC_RELAXED)))
		return -ENOENT;
	memcpy(value, &id, 4);
	return 0;
}

int (*prog_array_fd_set)(struct map *map, uint32_t index, int fd);

/* User space puts programs in by fd (uebpf_prog_load's). */
static int pa_update(struct map *map, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu)
{
	uint32_t index;
	int fd;
	memcpy(&index, key, 4);
	memcpy(&fd, value, 4);
	if (flags != BPF_ANY)
		return -EINVAL;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	if (prog_array_fd_set)
		return prog_array_fd_set(map, index, fd);
	return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EINVAL; /* not a program */
}

static int pa_delete(struct map *map, const void *key)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	void *old = __atomic_exchange_n(&map->progs[index], NULL, __ATOMIC_ACQ_REL);
	__atomic_store_n(&pa_ids(map)[index], 0, __ATOMIC_RELAXED);
	if (!old)
		return -ENOENT;
	map->prog_put(old);
	return 0;
}

static int pa_get_next_key(struct map *map, const void *key, void *next_key)
{
	return array_get_next_key(map, key, next_key);
}

const struct map_ops prog_array_map_ops = {
	.check = pa_check,
	.attach = pa_attach,
	.lookup = pa_lookup,
	.update = pa_update,
	.delete = pa_delete,
	.get_next_key = pa_get_next_key,
};

int prog_array_set(struct map *map, uint32_t index, void *prog, uint32_t id,
		   void (*put)(void *prog))
{
	if (map->hdr->type != BPF_MAP_TYPE_PROG_ARRAY)
		return -EINVAL;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	map->prog_put = put;
	void *old = __atomic_exchange_n(&map->progs[index], prog, __ATOMIC_ACQ_REL);
	__atomic_store_n(&pa_ids(map)[index], prog ? id : 0, __ATOMIC_RELAXED);
	if (old)
		put(old);
	return 0;
}

void *prog_array_get(struct map *map, uint32_t index)
{
	if (index >= map->hdr->max_entries)
		return NULL;
	return __atomic_load_n(&map->progs[index], __ATOMIC_ACQUIRE);
}
