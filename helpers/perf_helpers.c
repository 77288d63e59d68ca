/* SPDX-License-Identifier: MIT */
/* bpf_perf_event_output(ctx, map, flags, data, size): a PERF_RECORD_SAMPLE
 * of the data into the perf event (ring) in a perf event array's slot.
 * XDP and __sk_buff programs may append the first bytes of their packet
 * (flags' BPF_F_CTXLEN_MASK), as the kernel's bpf_xdp_event_output and
 * bpf_skb_event_output do. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/helpers.h"
#include "maps/map.h"
#include "maps/perf_event_array.h"

HELPER(perf_event_output)
{
	struct map *map = (struct map *)(uintptr_t)r2;
	const void *data = (const void *)(uintptr_t)r4;
	if (!exec_map_ok(exec, map) || map->hdr->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		if (!exec->checked)
			return (uint64_t)-EINVAL; /* the verifier refuses other maps */
		uebpf_exec_fault(exec, "R2 is not a perf event array map of this program (0x%llx)",
				 (unsigned long long)r2);
		return 0;
	}
	if (uebpf_exec_check_mem(exec, data, r5, UEBPF_MEM_READ)) {
		uebpf_exec_fault(exec, "perf event output: %llu bytes at 0x%llx are not readable",
				 (unsigned long long)r5, (unsigned long long)r4);
		return 0;
	}
	uint64_t ctx_len = (r3 & BPF_F_CTXLEN_MASK) >> 32;
	if (!ctx_len || !packet_ctx_type(exec->prog_type))
		return (uint64_t)(int64_t)perf_event_array_output(map, r3, data, r5);
	/* The record's raw data: the program's bytes, then the packet's. */
	if (r3 & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK))
		return (uint64_t)-EINVAL;
	uint8_t *rec = malloc(r5 + ctx_len ? r5 + ctx_len : 1);
	if (!rec)
		return (uint64_t)-ENOMEM;
	int err = packet_ctx_head(exec, r1, ctx_len, rec + r5);
	if (!err) {
		if (r5)
			memcpy(rec, data, r5);
		err = perf_event_array_output(map, r3 & BPF_F_INDEX_MASK, rec, r5 + ctx_len);
	}
	free(rec);
	return (uint64_t)(int64_t)err;
}
