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
#include "uebpf/progtypes.h"

static bool is_skb_type(uint32_t type)
{
	return type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT ||
	       type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_CGROUP_SKB;
}

/* The packet's first len bytes after data (XDP: fragments included),
 * copied to out; -EFAULT when the packet is shorter. */
static int packet_bytes(struct uebpf_exec *exec, const void *ctx, uint64_t len, uint8_t *out)
{
	if (uebpf_exec_check_mem(exec, ctx,
				 exec->prog_type == BPF_PROG_TYPE_XDP ? sizeof(struct uebpf_xdp_ctx)
								      : sizeof(struct uebpf_skb_ctx),
				 UEBPF_MEM_READ))
		return -EFAULT;
	if (exec->prog_type == BPF_PROG_TYPE_XDP) {
		const struct uebpf_xdp_ctx *x = ctx;
		uint64_t linear = (uint64_t)((const uint8_t *)x->data_end - (const uint8_t *)x->data);
		if (len > linear + x->frags_len)
			return -EFAULT;
		uint64_t head = len < linear ? len : linear;
		if (uebpf_exec_check_mem(exec, x->data, head, UEBPF_MEM_READ) ||
		    uebpf_exec_check_mem(exec, x->frags, len - head, UEBPF_MEM_READ))
			return -EFAULT;
		memcpy(out, x->data, head);
		if (len > head) /* from the fragments: there are some */
			memcpy(out + head, x->frags, len - head);
		return 0;
	}
	const struct uebpf_skb_ctx *s = ctx;
	if (len > s->len)
		return -EFAULT;
	if (uebpf_exec_check_mem(exec, s->data, len, UEBPF_MEM_READ))
		return -EFAULT;
	if (len)
		memcpy(out, s->data, len);
	return 0;
}

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
	bool packet = exec->prog_type == BPF_PROG_TYPE_XDP || is_skb_type(exec->prog_type);
	if (!packet || !ctx_len)
		return (uint64_t)(int64_t)perf_event_array_output(map, packet ? r3 & ~BPF_F_CTXLEN_MASK
									 : r3,
								  data, r5);
	/* The record's raw data: the program's bytes, then the packet's. */
	if (r3 & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK))
		return (uint64_t)-EINVAL;
	uint8_t *rec = malloc(r5 + ctx_len ? r5 + ctx_len : 1);
	if (!rec)
		return (uint64_t)-ENOMEM;
	int err = packet_bytes(exec, (const void *)(uintptr_t)r1, ctx_len, rec + r5);
	if (!err) {
		if (r5)
			memcpy(rec, data, r5);
		err = perf_event_array_output(map, r3 & BPF_F_INDEX_MASK, rec, r5 + ctx_len);
	}
	free(rec);
	return (uint64_t)(int64_t)err;
}
