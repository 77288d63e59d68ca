/* SPDX-License-Identifier: MIT */
/* The differential tests' random numbers: xorshift64*, deterministic for
 * a seed (set rng_state), so that a failing sequence can be replayed. */
#ifndef UEBPF_TESTS_KERNEL_RNG_H
#define UEBPF_TESTS_KERNEL_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Uniform enough in [0, n), n > 0. */
static inline unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

#endif
