/* SPDX-License-Identifier: MIT */
/*
 * Internet checksum arithmetic as the kernel computes it on x86-64, bit
 * for bit: the 32-bit partial sums (__wsum) the kernel returns to
 * programs (bpf_csum_diff) depend on the order in which its
 * csum_partial adds 64-bit words and folds the carries, so that order is
 * reproduced here, not just the ones' complement sum it stands for.
 * All values are raw memory values (network byte order loaded in host
 * order), as the kernel handles them.
 */
#ifndef UEBPF_HELPERS_CSUM_H
#define UEBPF_HELPERS_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* The kernel's csum_partial on x86-64: buf is read as little-endian
 * 64-bit words (the machine the kernel runs on). */
uint32_t csum_partial_x86(const void *buf, size_t len, uint32_t seed);

/* 32-bit ones' complement addition with end-around carry. */
static inline uint32_t csum32_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;
	return r + (r < b);
}

static inline uint32_t csum32_sub(uint32_t a, uint32_t b)
{
	return csum32_add(a, ~b);
}

static inline uint16_t csum16_add(uint16_t a, uint16_t b)
{
	uint16_t r = (uint16_t)(a + b);
	return (uint16_t)(r + (r < b));
}

/* Folds a 32-bit sum to the complemented 16-bit checksum. */
static inline uint16_t csum_fold32(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Folds a 32-bit sum to 16 bits, uncomplemented: the high half of
 * sum + (sum rotated by 16). */
static inline uint16_t csum_from32to16(uint32_t sum)
{
	sum += (sum >> 16) | (sum << 16);
	return (uint16_t)(sum >> 16);
}

#endif /* UEBPF_HELPERS_CSUM_H */
