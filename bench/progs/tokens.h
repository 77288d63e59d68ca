/* SPDX-License-Identifier: MIT */
/* The payload scan of xdp_tokens_loop.c and xdp_tokens_bounded.c: per
 * 8-byte word, the number of spaces (a SWAR byte compare) and a rolling
 * hash. */
#ifndef BENCH_TOKENS_H
#define BENCH_TOKENS_H

#include "pkt.h"

#define PAYLOAD_OFF (ETH_HLEN + sizeof(struct iphdr) + sizeof(struct tcphdr))
#define SCAN_WORDS 64

struct scan {
	u64 spaces;
	u64 hash;
};

INLINE void scan_word(struct scan *s, u64 w)
{
	u64 x = w ^ 0x2020202020202020ull; /* a space becomes a zero byte */
	u64 zero = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
	s->spaces += __builtin_popcountll(zero);
	s->hash = (s->hash ^ w) * 0x100000001b3ull;
}

#endif
