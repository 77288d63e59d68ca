/* SPDX-License-Identifier: MIT */
/* Map helpers: bpf_map_lookup_elem / update_elem / delete_elem. r1 is the
 * map itself (the loader resolves map references to it). */
#include <errno.h>
#include <string.h>

#include "helpers/helpers.h"
#include "maps/lock.h"
#include "maps/map.h"

/* In checked mode, arguments a verifier would have proven: the map is the
 * program's, the key (and value) readable. Faults the run otherwise. */
static struct map *checked_map_slow(struct uebpf_exec *exec, uint64_t r1,
				     const void *key, const void *value)
{
	struct map *map = (struct map *)(uintptr_t)r1;
	if (!exec_map_ok(exec, map)) {
		uebpf_exec_fault(exec, "R1 is not a map of this program (0x%llx)",
				 (unsigned long long)r1);
		return NULL;
	}
	if (uebpf_exec_check_mem(exec, key, map->hdr->key_size, UEBPF_MEM_READ)) {
		uebpf_exec_fault(exec, "map key: %u bytes at %p are not readable",
				 map->hdr->key_size, key);
		return NULL;
	}
	if (value && uebpf_exec_check_mem(exec, value, map->hdr->value_size, UEBPF_MEM_READ)) {
		uebpf_exec_fault(exec, "map value: %u bytes at %p are not readable",
				 map->hdr->value_size, value);
		return NULL;
	}
	return map;
}

/* Normal mode: the verifier has proven the arguments, nothing to check
 * (inline: a program's lookups go through here). */
static inline __attribute__((always_inline)) struct map *
checked_map(struct uebpf_exec *exec, uint64_t r1, const void *key, const void *value)
{
	if (!exec->checked)
		return (struct map *)(uintptr_t)r1;
	return checked_map_slow(exec, r1, key, value);
}

HELPER(map_lookup_elem)
{
	const void *key = (const void *)(uintptr_t)r2;
	struct map *map = checked_map(exec, r1, key, NULL);
	if (!map || !map->ops->lookup_ptr)
		return 0;
	void *value = map->ops->lookup_ptr(map, key, exec_map_cpu(exec, map->hdr->ncpus));
	if (!value || !exec->checked)
		return (uintptr_t)value;
	uint32_t type = map->hdr->type;
	if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		/* Not memory: a map the program may pass to map helpers. */
		if (exec_add_inner_map(exec, value))
			uebpf_exec_fault(exec, "out of memory tracking inner maps");
		return (uintptr_t)value;
	}
	uebpf_exec_add_region(exec, value, map->hdr->value_size,
			      map->hdr->map_flags & BPF_F_RDONLY_PROG ? UEBPF_MEM_READ : UEBPF_MEM_RW);
	return (uintptr_t)value;
}

/* bpf_map_lookup_percpu_elem(map, key, cpu): the value of another CPU
 * (NULL for a CPU the map has no copy for, or a map not per-CPU). */
HELPER(map_lookup_percpu_elem)
{
	const void *key = (const void *)(uintptr_t)r2;
	struct map *map = checked_map(exec, r1, key, NULL);
	(void)r4;
	(void)r5;
	if (!map || !map->ops->lookup_ptr || !map_is_percpu(map->hdr->type) ||
	    r3 >= map->hdr->ncpus)
		return 0;
	void *value = map->ops->lookup_ptr(map, key, (uint32_t)r3);
	if (value && exec->checked)
		uebpf_exec_add_region(exec, value, map->hdr->value_size,
				      map->hdr->map_flags & BPF_F_RDONLY_PROG ? UEBPF_MEM_READ
									 : UEBPF_MEM_RW);
	return (uintptr_t)value;
}

HELPER(map_update_elem)
{
	const void *key = (const void *)(uintptr_t)r2, *value = (const void *)(uintptr_t)r3;
	struct map *map = checked_map(exec, r1, key, value);
	if (!map)
		return 0;
	if (map->hdr->map_flags & BPF_F_RDONLY_PROG)
		return (uint64_t)-EPERM; /* the kernel's verifier refuses this */
	if (!map->ops->update)
		return (uint64_t)-ENOTSUPP;
	return (uint64_t)(int64_t)map->ops->update(map, key, value, r4, exec_map_cpu(exec, map->hdr->ncpus));
}

HELPER(map_delete_elem)
{
	const void *key = (const void *)(uintptr_t)r2;
	struct map *map = checked_map(exec, r1, key, NULL);
	if (!map)
		return 0;
	if (map->hdr->map_flags & BPF_F_RDONLY_PROG)
		return (uint64_t)-EPERM;
	if (!map->ops->delete)
		return (uint64_t)-ENOTSUPP;
	return (uint64_t)(int64_t)map->ops->delete(map, key);
}

/* Keyless maps (queue, stack, bloom filter): r1 = map, r2 = value. */
static struct map *checked_keyless(struct uebpf_exec *exec, uint64_t r1, const void *value,
					 unsigned access)
{
	struct map *map = (struct map *)(uintptr_t)r1;
	if (!exec_map_ok(exec, map)) {
		uebpf_exec_fault(exec, "R1 is not a map of this program (0x%llx)",
				 (unsigned long long)r1);
		return NULL;
	}
	if (uebpf_exec_check_mem(exec, value, map->hdr->value_size, access)) {
		uebpf_exec_fault(exec, "map value: %u bytes at %p are not %s",
				 map->hdr->value_size, value,
				 access == UEBPF_MEM_READ ? "readable" : "writable");
		return NULL;
	}
	return map;
}

HELPER(map_push_elem)
{
	const void *value = (const void *)(uintptr_t)r2;
	struct map *map = checked_keyless(exec, r1, value, UEBPF_MEM_READ);
	if (!map)
		return 0;
	if (map->hdr->map_flags & BPF_F_RDONLY_PROG)
		return (uint64_t)-EPERM; /* the kernel's verifier refuses this */
	if (!map->ops->push)
		return (uint64_t)-ENOTSUPP;
	return (uint64_t)(int64_t)map->ops->push(map, value, r3);
}

HELPER(map_pop_elem)
{
	void *value = (void *)(uintptr_t)r2;
	struct map *map = checked_keyless(exec, r1, value, UEBPF_MEM_WRITE);
	if (!map)
		return 0;
	if (map->hdr->map_flags & BPF_F_RDONLY_PROG)
		return (uint64_t)-EPERM;
	if (!map->ops->pop)
		return (uint64_t)-ENOTSUPP;
	int err = map->ops->pop(map, value);
	if (err) /* a program's buffer is cleared when nothing came out */
		memset(value, 0, map->hdr->value_size);
	return (uint64_t)(int64_t)err;
}

HELPER(map_peek_elem)
{
	void *value = (void *)(uintptr_t)r2;
	/* The bloom filter reads the value (the element tested); queues and
	 * stacks write it. */
	struct map *tmp = (struct map *)(uintptr_t)r1;
	unsigned access = exec_map_ok(exec, tmp) &&
				  tmp->hdr->type == BPF_MAP_TYPE_BLOOM_FILTER
			  ? UEBPF_MEM_READ : UEBPF_MEM_WRITE;
	struct map *map = checked_keyless(exec, r1, value, access);
	if (!map)
		return 0;
	if (!map->ops->peek)
		return (uint64_t)-ENOTSUPP;
	int err = map->ops->peek(map, value);
	if (err && map->hdr->type != BPF_MAP_TYPE_BLOOM_FILTER)
		memset(value, 0, map->hdr->value_size);
	return (uint64_t)(int64_t)err;
}

/* bpf_spin_lock / bpf_spin_unlock: the lock is a word in a map value, so
 * it works across processes too. In checked mode it must be in memory the
 * program may write (a map value it looked up). */
static _Atomic uint32_t *lock_arg(struct uebpf_exec *exec, uint64_t r1)
{
	void *lock = (void *)(uintptr_t)r1;
	if (uebpf_exec_check_mem(exec, lock, 4, UEBPF_MEM_RW) || (r1 & 3)) {
		uebpf_exec_fault(exec, "%p is not a spin lock in a map value", lock);
		return NULL;
	}
	return lock;
}

HELPER(spin_lock)
{
	_Atomic uint32_t *lock = lock_arg(exec, r1);
	if (lock)
		seg_lock(lock);
	return 0;
}

HELPER(spin_unlock)
{
	_Atomic uint32_t *lock = lock_arg(exec, r1);
	if (lock)
		seg_unlock(lock);
	return 0;
}
