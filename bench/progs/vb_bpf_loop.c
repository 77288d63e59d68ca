/* SPDX-License-Identifier: MIT */
/* Verification benchmark: bpf_loop callbacks, each call verified until
 * the callback's states meet; 32 calls of 4 callbacks with branchy
 * bodies. */
#include "pkt.h"

struct cb_ctx {
	u64 acc;
	u32 seed;
};

#define CB(n)                                                              \
	static long cb##n(u64 i, struct cb_ctx *c)                         \
	{                                                                  \
		u64 x = c->acc ^ (i * (n + 3));                            \
		for (int k = 0; k < 8; k++) {                              \
			if (x & (1u << k))                                 \
				x = x * 5 + n;                             \
			else                                               \
				x ^= x >> (k + 1);                         \
		}                                                          \
		c->acc = x;                                                \
		return x > (u64)c->seed * 1000 ? 1 : 0;                    \
	}
CB(0) CB(1) CB(2) CB(3)

SEC("xdp") int vb_bpf_loop(struct xdp_md *ctx)
{
	struct cb_ctx c = { .acc = ctx->ingress_ifindex, .seed = ctx->rx_queue_index };
#pragma unroll
	for (int r = 0; r < 8; r++) {
		bpf_loop(16 + r, cb0, &c, 0);
		bpf_loop(16 + r, cb1, &c, 0);
		bpf_loop(16 + r, cb2, &c, 0);
		bpf_loop(16 + r, cb3, &c, 0);
	}
	return c.acc & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
