/* SPDX-License-Identifier: MIT */
/*
 * Tristate numbers: what the verifier knows of a value, bit by bit. A bit
 * set in mask is unknown; the others are known and equal to value's (a
 * valid tnum never has a bit set in both). Every operation gives a tnum
 * that holds every result the operation can give on members of its
 * inputs: the verifier stays sound by construction.
 *
 * The operations and their precision are the kernel's (kernel/bpf/tnum.c,
 * Documentation/bpf/verifier.rst), so that uebpf reaches the same
 * verdicts: a more precise operation here would accept programs the
 * kernel refuses, a less precise one would refuse programs it accepts.
 */
#ifndef UEBPF_VERIFIER_TNUM_H
#define UEBPF_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tnum {
	uint64_t value;
	uint64_t mask;
};

#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })
static const struct tnum tnum_unknown = { .value = 0, .mask = ~0ull };

static inline struct tnum tnum_const(uint64_t value)
{
	return TNUM(value, 0);
}

static inline bool tnum_is_const(struct tnum a)
{
	return !a.mask;
}

static inline bool tnum_equals_const(struct tnum a, uint64_t b)
{
	return tnum_is_const(a) && a.value == b;
}

static inline bool tnum_is_unknown(struct tnum a)
{
	return !~a.mask;
}

/* The smallest tnum holding every value of [min, max]. */
struct tnum tnum_range(uint64_t min, uint64_t max);

struct tnum tnum_lshift(struct tnum a, uint8_t shift);
struct tnum tnum_rshift(struct tnum a, uint8_t shift);
/* Arithmetic shift of a 32- or 64-bit operand (insn_bitness 32 or 64);
 * a 32-bit result is zero-extended, as the ALU32 instructions give it. */
struct tnum tnum_arshift(struct tnum a, uint8_t min_shift, uint8_t insn_bitness);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
/* The values either may hold (what both know alike stays known). */
struct tnum tnum_union(struct tnum a, struct tnum b);

/* What both a and b say (for values known to be members of both). */
struct tnum tnum_intersect(struct tnum a, struct tnum b);
/* The low size bytes (size 1, 2, 4 or 8). */
struct tnum tnum_cast(struct tnum a, uint8_t size);
/* Every member is a multiple of size (a power of 2; 0: true). */
bool tnum_is_aligned(struct tnum a, uint64_t size);
/* Every member of b is a member of a. */
bool tnum_in(struct tnum a, struct tnum b);

/* The 32-bit subregister and the rest. */
struct tnum tnum_subreg(struct tnum a);
struct tnum tnum_clear_subreg(struct tnum a);
struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg);
struct tnum tnum_const_subreg(struct tnum a, uint32_t value);
static inline bool tnum_subreg_is_const(struct tnum a)
{
	return !(uint32_t)a.mask;
}

/* "(0x4; 0x3)" as the kernel's verifier log prints var_off; returns the
 * length snprintf gives. */
int tnum_strn(char *buf, size_t size, struct tnum a);
/* Bit by bit, most significant first: '0', '1' or 'x' (65 bytes). */
int tnum_sbin(char *buf, size_t size, struct tnum a);

#endif /* UEBPF_VERIFIER_TNUM_H */
