/* SPDX-License-Identifier: MIT */
/* Ring buffer helpers: output, reserve, submit, discard, query. */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/ringbuf.h"

static struct map *ring_arg(struct uebpf_exec *exec, uint64_t r1)
{
	struct map *map = (struct map *)(uintptr_t)r1;
	if (!exec_map_ok(exec, map) ||
	    (exec->checked && map->hdr->type != BPF_MAP_TYPE_RINGBUF)) {
		uebpf_exec_fault(exec, "R1 is not a ring buffer map of this program (0x%llx)",
				 (unsigned long long)r1);
		return NULL;
	}
	return map;
}

HELPER(ringbuf_output)
{
	struct map *map = ring_arg(exec, r1);
	if (!map)
		return 0;
	if (uebpf_exec_check_mem(exec, (void *)(uintptr_t)r2, r3, UEBPF_MEM_READ)) {
		uebpf_exec_fault(exec, "ringbuf output: %llu bytes at 0x%llx are not readable",
				 (unsigned long long)r3, (unsigned long long)r2);
		return 0;
	}
	return (uint64_t)(int64_t)ringbuf_output(map, (const void *)(uintptr_t)r2, r3, r4);
}

HELPER(ringbuf_reserve)
{
	struct map *map = ring_arg(exec, r1);
	if (!map)
		return 0;
	void *rec = ringbuf_reserve(map, r2, r3);
	if (rec && exec->checked)
		uebpf_exec_add_region(exec, rec, r2, UEBPF_MEM_RW);
	return (uintptr_t)rec;
}

/* In checked mode the pointer must be a reservation of one of the
 * program's rings. */
static struct map *reservation_ring(struct uebpf_exec *exec, void *sample)
{
	for (size_t i = 0; i < exec->map_cnt; i++) {
		struct map *map = exec->maps[i];
		if (map->hdr->type == BPF_MAP_TYPE_RINGBUF && ringbuf_owns(map, sample, 0))
			return map;
	}
	uebpf_exec_fault(exec, "%p is not a ring buffer reservation", sample);
	return NULL;
}

/* The ring a record belongs to: the verifier tracks it; here it is found
 * from the program's maps. */
static void commit(struct uebpf_exec *exec, uint64_t r1, uint64_t flags, int discard)
{
	void *sample = (void *)(uintptr_t)r1;
	struct map *map = reservation_ring(exec, sample);
	if (map)
		ringbuf_commit(map, sample, flags, discard);
}

HELPER(ringbuf_submit)
{
	commit(exec, r1, r2, 0);
	return 0;
}

HELPER(ringbuf_discard)
{
	commit(exec, r1, r2, 1);
	return 0;
}

HELPER(ringbuf_query)
{
	struct map *map = ring_arg(exec, r1);
	return map ? ringbuf_query(map, r2) : 0;
}
