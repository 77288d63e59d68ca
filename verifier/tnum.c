// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "verifier/tnum.h"

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max, delta;
	int bits = chi ? 64 - __builtin_clzll(chi) : 0;

	/* Bits above the highest that differs are common to the range. */
	if (bits > 63)
		return tnum_unknown;
	delta = (1ull << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_lshift(struct tnum a, uint8_t shift)
{
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, uint8_t shift)
{
	return TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, uint8_t min_shift, uint8_t insn_bitness)
{
	/* An unknown sign bit (in mask) spreads as unknown; a known one
	 * as itself. */
	if (insn_bitness == 32)
		return TNUM((uint32_t)((int32_t)a.value >> min_shift),
			    (uint32_t)((int32_t)a.mask >> min_shift));
	return TNUM((uint64_t)((int64_t)a.value >> min_shift),
		    (uint64_t)((int64_t)a.mask >> min_shift));
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
	/* Bits where the carries may differ: all unknown. */
	uint64_t chi = (sm + sv) ^ sv, mu = chi | a.mask | b.mask;

	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t chi = alpha ^ beta, mu = chi | a.mask | b.mask;

	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_neg(struct tnum a)
{
	return tnum_sub(tnum_const(0), a);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;

	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;

	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;

	return TNUM(v & ~mu, mu);
}

/* Long multiplication: the known product of the known bits, plus, for
 * each bit of a that is 1 or unknown, b (or b's unknown bits) shifted
 * there, summed as unknowns. */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	/* Long multiplication over a's bits, as Linux 6.18 does it: a
	 * certain 1 adds b, an unknown bit keeps what both sums have in
	 * common (a union of adding b and not). The operand order matters:
	 * the verifier passes the destination first. */
	struct tnum acc = TNUM(0, 0);

	while (a.value || a.mask) {
		if (a.value & 1)
			acc = tnum_add(acc, b);
		else if (a.mask & 1)
			acc = tnum_union(acc, tnum_add(acc, b));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return acc;
}

/* What a and b both say for sure: a bit known only where both know it
 * alike. */
struct tnum tnum_union(struct tnum a, struct tnum b)
{
	uint64_t mu = (a.value ^ b.value) | a.mask | b.mask;

	return TNUM(a.value & b.value & ~mu, mu);
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;

	return TNUM(v & ~mu, mu);
}

struct tnum tnum_cast(struct tnum a, uint8_t size)
{
	uint64_t keep = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;

	return TNUM(a.value & keep, a.mask & keep);
}

bool tnum_is_aligned(struct tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

struct tnum tnum_subreg(struct tnum a)
{
	return tnum_cast(a, 4);
}

struct tnum tnum_clear_subreg(struct tnum a)
{
	return tnum_lshift(tnum_rshift(a, 32), 32);
}

struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg)
{
	return tnum_or(tnum_clear_subreg(reg), tnum_subreg(subreg));
}

struct tnum tnum_const_subreg(struct tnum a, uint32_t value)
{
	return tnum_with_subreg(a, tnum_const(value));
}

int tnum_strn(char *buf, size_t size, struct tnum a)
{
	/* The kernel's %#llx prints 0 as 0x0. */
	return snprintf(buf, size, "(0x%llx; 0x%llx)", (unsigned long long)a.value,
			(unsigned long long)a.mask);
}

int tnum_sbin(char *buf, size_t size, struct tnum a)
{
	for (size_t n = 64; n > 0; n--) {
		if (n < size) {
			char c = a.mask & 1 ? 'x' : a.value & 1 ? '1' : '0';

			buf[n - 1] = c;
		}
		a.mask >>= 1;
		a.value >>= 1;
	}
	if (size)
		buf[size < 65 ? size - 1 : 64] = '\0';
	return 64;
}
