/* SPDX-License-Identifier: MIT */
/* Arithmetic loop: a xorshift/multiply mix, 1000 rounds, no memory. */
#include "bench_prog.h"

BENCH_ENTRY(bench_arith_loop)
{
	u64 x = len ? mem[0] | 0x9e3779b97f4a7c15ull : 1, acc = 0;
	for (int i = 0; i < 1000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += (x * 0x2545f4914f6cdd1dull) >> 32;
		acc ^= (u32)i * 2654435761u;
		acc = (acc << 3) | (acc >> 61);
	}
	return acc;
}
