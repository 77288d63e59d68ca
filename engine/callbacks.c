/* SPDX-License-Identifier: MIT */
/*
 * Helpers that call back into the program: bpf_loop and
 * bpf_for_each_map_elem. The callback is a subprogram, named by a
 * function reference (lddw src 4) that loading resolved to its first slot;
 * it runs in the same run, with a stack of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

/* The kernel's bound on bpf_loop iterations. */
#define MAX_LOOPS (1u << 23)

/* The start of a callback: a slot of the running program, else a fault. */
static const struct slot *callback_start(struct uebpf_exec *ex, uint64_t fn)
{
	const struct uebpf_code *code = ex->code;
	uintptr_t first = (uintptr_t)code->slots, s = (uintptr_t)fn;
	if (s < first || s >= first + code->insn_cnt * sizeof(struct slot) ||
	    (s - first) % sizeof(struct slot)) {
		uebpf_exec_fault(ex, "callback 0x%llx is not a function of this program",
				 (unsigned long long)fn);
		return NULL;
	}
	return (const struct slot *)s;
}

/* Runs the callback; 1 to go on, 0 to stop (it asked, or it failed). */
static int call_back(struct uebpf_exec *ex, const struct slot *start, const uint64_t *args)
{
	uint64_t r0 = 0;
	if (interp_call(ex->code, ex, start, args, &r0) || ex->stopped)
		return 0;
	return r0 == 0; /* 0: continue, 1: stop */
}

uint64_t helper_loop(uint64_t nr_loops, uint64_t fn, uint64_t ctx, uint64_t flags,
		     uint64_t r5, struct uebpf_exec *ex)
{
	if (flags)
		return (uint64_t)-EINVAL;
	if (nr_loops > MAX_LOOPS)
		return (uint64_t)-E2BIG;
	const struct slot *start = callback_start(ex, fn);
	if (!start)
		return 0;
	uint64_t i = 0;
	while (i < nr_loops) {
		const uint64_t args[5] = { i, ctx };
		i++;
		if (!call_back(ex, start, args))
			break;
	}
	return i;
}

uint64_t helper_for_each_map_elem(uint64_t map_ptr, uint64_t fn, uint64_t ctx, uint64_t flags,
				  uint64_t r5, struct uebpf_exec *ex)
{
	struct map *map = (struct map *)(uintptr_t)map_ptr;
	if (!exec_map_ok(ex, map)) {
		uebpf_exec_fault(ex, "R1 is not a map of this program (0x%llx)",
				 (unsigned long long)map_ptr);
		return 0;
	}
	if (flags)
		return (uint64_t)-EINVAL;
	uint32_t type = map->hdr->type;
	if (type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_PERCPU_HASH &&
	    type != BPF_MAP_TYPE_LRU_HASH && type != BPF_MAP_TYPE_LRU_PERCPU_HASH &&
	    type != BPF_MAP_TYPE_ARRAY && type != BPF_MAP_TYPE_PERCPU_ARRAY)
		return (uint64_t)-ENOTSUPP;
	const struct slot *start = callback_start(ex, fn);
	if (!start)
		return 0;

	/* Walks the keys; the callback gets the map, a key it may read and
	 * the value it may change (this CPU's copy). */
	uint32_t ks = map->hdr->key_size, cpu = exec_map_cpu(ex, map->hdr->ncpus);
	uint8_t *key = malloc(2 * (size_t)ks), *prev = NULL;
	uint64_t n = 0;
	if (!key)
		return (uint64_t)-ENOMEM;
	for (;;) {
		uint8_t *next = prev == key ? key + ks : key;
		if (map->ops->get_next_key(map, prev, next))
			break;
		prev = next;
		void *value = map->ops->lookup_ptr(map, prev, cpu);
		if (!value)
			continue; /* deleted meanwhile */
		uebpf_exec_add_region(ex, prev, ks, UEBPF_MEM_READ);
		uebpf_exec_add_region(ex, value, map->hdr->value_size,
				      map->hdr->map_flags & BPF_F_RDONLY_PROG ? UEBPF_MEM_READ
									   : UEBPF_MEM_RW);
		const uint64_t args[5] = { map_ptr, (uintptr_t)prev, (uintptr_t)value, ctx };
		n++;
		if (!call_back(ex, start, args))
			break;
	}
	free(key);
	return n;
}
