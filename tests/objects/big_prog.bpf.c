/* SPDX-License-Identifier: MIT */
/* A long program (thousands of instructions from an unrolled loop and a
 * large switch), for sizes, long jumps and dense line info; also built
 * with -mcpu=v2. */
#include "corpus.h"

__u32 state[16];

static __always_inline __u32 mix(__u32 a, __u32 b)
{
	a ^= b;
	a = (a << 7) | (a >> 25);
	return a * 0x9e3779b1u;
}

SEC("socket")
int big(struct __sk_buff *skb)
{
	__u32 h = skb->len, op = skb->mark;

#pragma clang loop unroll(full)
	for (int i = 0; i < 400; i++)
		h = mix(h, state[i & 15] + i);
	switch (op & 31) {
	case 0: h += 1; break;
	case 1: h ^= 0x55; break;
	case 2: h *= 3; break;
	case 3: h -= state[3]; break;
	case 4: h = mix(h, 4); break;
	case 5: h |= 0x8000; break;
	case 6: h &= 0xffff; break;
	case 7: h <<= 2; break;
	case 8: h >>= 3; break;
	case 9: h = ~h; break;
	case 10: h += state[10] * 7; break;
	case 11: h = mix(h, state[11]); break;
	case 12: h /= 5; break;
	case 13: h %= 1000; break;
	case 14: h += skb->protocol; break;
	case 15: h += skb->ifindex; break;
	default: h = 0; break;
	}
	state[op & 15] = h;
	return h & 1;
}

char LICENSE[] SEC("license") = "GPL";
