/* SPDX-License-Identifier: MIT */
/* XDP frames with fragments (over 3520 bytes, or a shorter linear part
 * asked through xdp_md.data_end): bpf_xdp_get_buff_len, bpf_xdp_load_bytes
 * and bpf_xdp_store_bytes across the linear part and the fragments, a
 * program loaded for fragments (xdp.frags). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __s32);
	__type(value, __u32);
} mb_results SEC(".maps");

static __always_inline void note(__s32 key)
{
	__u32 one = 1, *v = bpf_map_lookup_elem(&mb_results, &key);
	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&mb_results, &key, &one, BPF_ANY);
}

SEC("xdp")
int xdp_buff_len(struct xdp_md *ctx)
{
	__u64 all = bpf_xdp_get_buff_len(ctx);
	__u32 linear = ctx->data_end - ctx->data;
	note((__s32)(all - linear));
	return all > linear ? XDP_TX : XDP_PASS;
}

/* The last 16 bytes read, wherever they are; written back reversed in the
 * middle of the frame. */
static __always_inline int tail_swap(struct xdp_md *ctx)
{
	__u8 buf[16], rev[16];
	__u32 all = bpf_xdp_get_buff_len(ctx);
	if (all < 64)
		return XDP_PASS;
	long r = bpf_xdp_load_bytes(ctx, all - 16, buf, 16);
	note(r ? (__s32)r : 1);
	if (r)
		return XDP_ABORTED;
	for (int i = 0; i < 16; i++)
		rev[i] = buf[15 - i];
	r = bpf_xdp_store_bytes(ctx, all / 2 - 8, rev, 16);
	note(r ? (__s32)r - 100 : 2);
	/* Past the end: refused. */
	r = bpf_xdp_load_bytes(ctx, all - 8, buf, 16);
	note((__s32)r - 200);
	return r ? XDP_TX : XDP_DROP;
}

SEC("xdp")
int xdp_tail_swap(struct xdp_md *ctx)
{
	return tail_swap(ctx);
}

SEC("xdp.frags")
int xdp_frags_trim(struct xdp_md *ctx)
{
	int ret = tail_swap(ctx);
	__u32 all = bpf_xdp_get_buff_len(ctx);
	/* Trim up to 600 bytes: fragments shrink and go away first. */
	int r = bpf_xdp_adjust_tail(ctx, -(int)(all % 600));
	note(r ? r - 300 : 3);
	__u32 linear = ctx->data_end - ctx->data;
	asm volatile("" : "+r"(linear)); /* a scalar, not a pointer difference */
	note((__s32)(bpf_xdp_get_buff_len(ctx) - linear) + 10000);
	return r ? XDP_DROP : ret;
}
