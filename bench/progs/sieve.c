/* SPDX-License-Identifier: MIT */
/* Sieve of Eratosthenes on a 400-byte array on the stack: counts the
 * primes below 400 plus one chosen by the input, 4 times over. */
#include "bench_prog.h"

#define N 400

/* Where the array lives: on the stack, or (the XDP build, xdp_sieve.c)
 * in global data, which the kernel's verifier does not track byte by
 * byte. */
#ifndef SIEVE_ARRAY
#define SIEVE_ARRAY(words) u64 words[N / 8]
#endif

BENCH_ENTRY(bench_sieve)
{
	SIEVE_ARRAY(words); /* cleared a word at a time */
	u8 *composite = (u8 *)words;
	u64 total = 0;
	u32 extra = len ? mem[len - 1] % 8 : 0;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N / 8; i++)
			words[i] = 0;
		u32 count = 0;
		for (u32 i = 2; i < N; i++) {
			if (composite[i])
				continue;
			count++;
			for (u32 j = i * i; j < N; j += i)
				composite[j] = 1;
		}
		total = total * 31 + count + extra + round;
	}
	return total;
}
