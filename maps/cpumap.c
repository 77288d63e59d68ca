/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_CPUMAP: CPUs by index, for bpf_redirect_map from XDP.
 *
 * A value is the kernel's struct bpf_cpumap_val: the queue size, and with
 * value_size 8 a program (an fd going in, its id coming out). Each entry
 * is one 64-bit word (qsize | prog id << 32, little-endian: the struct's
 * layout), written atomically; qsize 0 is an empty entry, as in the
 * kernel, where storing it deletes the CPU. The kernel's rules: keys are
 * CPUs below max_entries that are possible on this machine, a queue of
 * at most 16384 frames, only BPF_F_NUMA_NODE at creation, and programs
 * reach the map only through bpf_redirect_map. uebpf programs have no
 * fds yet, so a program fd > 0 is refused (EINVAL) and the prog id is 0.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "maps/map.h"
#include "uebpf/maps.h"

/* The kernel's NR_CPUS of common configurations (8192): more entries
 * are refused with E2BIG. */
#define CPUMAP_MAX_ENTRIES 8192
/* The kernel's sanity limit on a CPU's queue. */
#define CPUMAP_MAX_QSIZE 16384

static int cpumap_check(struct map_hdr *hdr)
{
	if (hdr->max_entries == 0 || hdr->key_size != 4 ||
	    (hdr->value_size != 4 && hdr->value_size != 8) ||
	    hdr->map_flags & ~(uint32_t)BPF_F_NUMA_NODE || hdr->map_extra)
		return -EINVAL;
	if (hdr->max_entries > CPUMAP_MAX_ENTRIES)
		return -E2BIG;
	hdr->data_size = (uint64_t)hdr->max_entries * 8;
	return 0;
}

static int cpu_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	uint64_t *slot = u64_slot_lookup_ptr(map, key, 0);
	if (!slot)
		return -ENOENT;
	uint64_t entry = atomic_load_explicit((_Atomic uint64_t *)slot, memory_order_acquire);
	memcpy(value, &entry, map->hdr->value_size);
	return 0;
}

static int cpu_update(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	uint8_t val[8] = { 0 };
	uint32_t index, qsize;
	int32_t prog_fd;

	memcpy(&index, key, 4);
	memcpy(val, value, map->hdr->value_size);
	memcpy(&qsize, val, 4);
	memcpy(&prog_fd, val + 4, 4);
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST; /* every slot exists */
	if (qsize > CPUMAP_MAX_QSIZE)
		return -EOVERFLOW;
	if (index >= (uint32_t)uebpf_num_possible_cpus())
		return -ENODEV;
	if (qsize && prog_fd > 0)
		return -EINVAL;
	atomic_store_explicit(map_u64_slot(map, index), qsize, memory_order_release);
	return 0;
}

static int cpu_delete(struct map *map, const void *key)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -EINVAL;
	atomic_store_explicit(map_u64_slot(map, index), 0, memory_order_release);
	return 0;
}

const struct map_ops cpumap_map_ops = {
	.check = cpumap_check,
	.lookup_ptr = u64_slot_lookup_ptr,
	.lookup = cpu_lookup,
	.update = cpu_update,
	.delete = cpu_delete,
	.get_next_key = array_get_next_key,
};
