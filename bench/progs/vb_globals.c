/* SPDX-License-Identifier: MIT */
/* Verification benchmark: many global functions (each verified once on
 * its own from its BTF signature) and static ones called from them. */
#include "pkt.h"

#define GLOBAL __attribute__((noinline))

static __attribute__((noinline)) u32 mix(u32 h, u32 v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

struct buf64 { u8 b[64]; };

/* Each global function reads a byte of the packet copy it is given,
 * bounded by the size its signature says. */
#define G(n)                                                           \
	GLOBAL u32 g##n(struct buf64 *buf, u32 h)                           \
	{                                                              \
		if (!buf)                                              \
			return h;                                      \
		for (int i = 0; i < 8; i++)                            \
			h = mix(h, buf->b[(n * 8 + i) & 63]);          \
		return h;                                              \
	}
#define G8(n) G(n##0) G(n##1) G(n##2) G(n##3) G(n##4) G(n##5) G(n##6) G(n##7)
G8(1) G8(2) G8(3) G8(4) G8(5) G8(6) G8(7) G8(8)

#define C(n) h = g##n(&buf, h);
#define C8(n) C(n##0) C(n##1) C(n##2) C(n##3) C(n##4) C(n##5) C(n##6) C(n##7)

SEC("xdp") int vb_globals(struct xdp_md *ctx)
{
	struct buf64 buf;
	if (bpf_xdp_load_bytes(ctx, 0, buf.b, sizeof(buf.b)))
		return XDP_PASS;
	u32 h = 0;
	C8(1) C8(2) C8(3) C8(4) C8(5) C8(6) C8(7) C8(8)
	return h & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
