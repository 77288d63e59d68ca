/* SPDX-License-Identifier: MIT */
/* Verification benchmark: loops the compiler unrolls (#pragma unroll),
 * which the verifier sees as long straight code with many checks. */
#include "pkt.h"

/* A hash of the first 512 bytes after one bounds check, the loop
 * unrolled: 512 loads and mixes. */
SEC("xdp") int vb_unroll_hash(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 512 > end)
		return XDP_PASS;
	u32 h = 2166136261u;
#pragma unroll
	for (int i = 0; i < 512; i++)
		h = (h ^ data[i]) * 16777619u;
	return h & 1 ? XDP_PASS : XDP_DROP;
}

/* A 48-word table on the stack, filled and folded 24 times, both loops
 * unrolled (nested): a few thousand stack accesses. */
SEC("xdp") int vb_unroll_stack(struct xdp_md *ctx)
{
	u64 t[48];
	u64 x = ctx->ingress_ifindex;
#pragma unroll
	for (int i = 0; i < 48; i++)
		t[i] = x * (i + 1);
#pragma unroll
	for (int r = 0; r < 24; r++) {
#pragma unroll
		for (int i = 1; i < 48; i++)
			t[i] ^= t[i - 1] + r;
	}
	return t[47] & 1 ? XDP_PASS : XDP_DROP;
}

/* Per-byte bounds checks, unrolled: 256 packet checks and branches. */
SEC("xdp") int vb_unroll_checks(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	u32 n = 0;
#pragma unroll
	for (int i = 0; i < 256; i++) {
		if (data + i + 1 > end)
			break;
		if (data[i] == 0x20)
			n++;
	}
	return n > 3 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
