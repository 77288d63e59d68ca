/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: max_entries values
 * indexed by a 4-byte key, all present from the start (zeroed). A per-CPU
 * array keeps ncpus copies of each value side by side. */
#include <errno.h>
#include <string.h>

#include "maps/map.h"

static int array_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
				 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG |
				 BPF_F_MMAPABLE | BPF_F_INNER_MAP;
	if (hdr->key_size != 4 || hdr->value_size == 0 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra)
		return -EINVAL;
	if (map_is_percpu(hdr->type) &&
	    hdr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP | BPF_F_NUMA_NODE))
		return -EINVAL;
	/* Per-CPU values are limited to the per-CPU allocator's unit. */
	if (map_is_percpu(hdr->type) ? hdr->value_stride > 32768 : hdr->value_size > INT32_MAX)
		return -E2BIG;
	uint64_t size = (uint64_t)hdr->max_entries * hdr->value_stride * hdr->ncpus;
	if (size > ((uint64_t)1 << 40))
		return -ENOMEM;
	hdr->data_size = size;
	return 0;
}


static void *array_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return NULL;
	return array_value(map, index, cpu);
}

static int array_lookup(struct map *map, const void *key, void *value,
			uint64_t flags)
{
	const struct map_hdr *hdr = map->hdr;
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= hdr->max_entries)
		return -ENOENT;
	if (!map_is_percpu(hdr->type)) {
		map_value_copy_out(hdr, value, array_value(map, index, 0), flags & BPF_F_LOCK);
		return 0;
	}
	/* Every CPU's copy, each padded to 8 bytes. */
	memcpy(value, array_value(map, index, 0), (size_t)hdr->value_stride * hdr->ncpus);
	return 0;
}

static int array_update(struct map *map, const void *key, const void *value,
			uint64_t flags, uint32_t cpu)
{
	const struct map_hdr *hdr = map->hdr;
	uint32_t index;
	memcpy(&index, key, 4);
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST ||
	    (flags & BPF_F_LOCK && hdr->spin_lock_off < 0))
		return -EINVAL;
	if (index >= hdr->max_entries)
		return -E2BIG;
	if ((flags & ~(uint64_t)BPF_F_LOCK) == BPF_NOEXIST)
		return -EEXIST; /* every element exists */
	if (!map_is_percpu(hdr->type)) {
		map_value_copy_in(hdr, array_value(map, index, 0), value, flags & BPF_F_LOCK);
	} else if (cpu != MAP_USER) {
		memcpy(array_value(map, index, cpu), value, hdr->value_size);
	} else {
		/* Each CPU's copy, with its padding, as the kernel copies it. */
		memcpy(array_value(map, index, 0), value,
		       (size_t)hdr->value_stride * hdr->ncpus);
	}
	return 0;
}

static int array_delete(struct map *map, const void *key)
{
	return -EINVAL;
}

void *u64_slot_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	uint32_t index;
	(void)cpu;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return NULL;
	_Atomic uint64_t *slot = map_u64_slot(map, index);
	return atomic_load_explicit(slot, memory_order_acquire) ? (void *)slot : NULL;
}

int array_get_next_key(struct map *map, const void *key, void *next_key)
{
	uint32_t index = 0, next;
	if (key)
		memcpy(&index, key, 4);
	if (!key || index >= map->hdr->max_entries)
		next = 0;
	else if (index == map->hdr->max_entries - 1)
		return -ENOENT;
	else
		next = index + 1;
	memcpy(next_key, &next, 4);
	return 0;
}

const struct map_ops array_map_ops = {
	.check = array_check,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE,
	.lookup_ptr = array_lookup_ptr,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
};

const struct map_ops percpu_array_map_ops = {
	.check = array_check,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE,
	.lookup_ptr = array_lookup_ptr,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
};
