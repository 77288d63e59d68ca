// SPDX-License-Identifier: MIT
/*
 * Tristate numbers: every operation is sound (exhaustively, on tnums
 * whose unknown bits are any of bits 0-2 and 63, over three backgrounds
 * of known bits: every result of the concrete operation on members is a
 * member of the result), and as precise as the kernel's algorithms are,
 * on cases worked out by hand from them.
 */
#include <string.h>

#include "tests/check.h"
#include "verifier/tnum.h"

static const int positions[] = { 0, 1, 2, 63 };
#define NPOS 4

/* Every tnum whose unknown bits are some of positions[], with the other
 * bits from background: 3^4 patterns per background. */
static size_t make_set(struct tnum *out)
{
	static const uint64_t backgrounds[] = { 0, ~0ull, 0x5a5a5a5a5a5a5a5aull };
	size_t n = 0;

	for (size_t b = 0; b < 3; b++) {
		for (int code = 0; code < 81; code++) {
			uint64_t value = backgrounds[b], mask = 0;
			int c = code;

			for (int i = 0; i < NPOS; i++, c /= 3) {
				uint64_t bit = 1ull << positions[i];

				value &= ~bit;
				if (c % 3 == 1)
					value |= bit;
				else if (c % 3 == 2)
					mask |= bit;
			}
			out[n++] = TNUM(value, mask);
		}
	}
	return n;
}

/* The k-th member of a (k < 2^popcount(mask)). */
static uint64_t member(struct tnum a, unsigned k)
{
	uint64_t v = a.value;

	for (int bit = 0; bit < 64 && k; bit++) {
		if (a.mask >> bit & 1) {
			if (k & 1)
				v |= 1ull << bit;
			k >>= 1;
		}
	}
	return v;
}

static unsigned members(struct tnum a)
{
	return 1u << __builtin_popcountll(a.mask);
}

enum op { ADD, SUB, AND, OR, XOR, MUL, NOPS };
static const char *const op_names[] = { "add", "sub", "and", "or", "xor", "mul" };

static uint64_t concrete(enum op op, uint64_t x, uint64_t y)
{
	switch (op) {
	case ADD: return x + y;
	case SUB: return x - y;
	case AND: return x & y;
	case OR: return x | y;
	case XOR: return x ^ y;
	default: return x * y;
	}
}

static struct tnum abstract(enum op op, struct tnum a, struct tnum b)
{
	switch (op) {
	case ADD: return tnum_add(a, b);
	case SUB: return tnum_sub(a, b);
	case AND: return tnum_and(a, b);
	case OR: return tnum_or(a, b);
	case XOR: return tnum_xor(a, b);
	default: return tnum_mul(a, b);
	}
}

static void test_binary_operations_are_sound(void)
{
	static struct tnum set[243];
	size_t n = make_set(set);

	for (int op = 0; op < NOPS; op++) {
		long bad = 0, checked = 0;

		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < n; j++) {
				struct tnum r = abstract(op, set[i], set[j]);

				if (r.value & r.mask)
					bad++; /* not a valid tnum */
				for (unsigned x = 0; x < members(set[i]); x++)
					for (unsigned y = 0; y < members(set[j]); y++) {
						uint64_t v = concrete(op, member(set[i], x),
								      member(set[j], y));
						checked++;
						bad += !tnum_in(r, tnum_const(v));
					}
			}
		}
		CHECK_REPORT(bad == 0, "%s: %ld of %ld results outside the tnum", op_names[op],
			     bad, checked);
	}
}

static void test_unary_operations_are_sound(void)
{
	static struct tnum set[243];
	size_t n = make_set(set);
	long bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct tnum a = set[i];

		for (unsigned k = 0; k < members(a); k++) {
			uint64_t x = member(a, k);

			for (uint8_t s = 0; s < 64; s += 7) {
				bad += !tnum_in(tnum_lshift(a, s), tnum_const(x << s));
				bad += !tnum_in(tnum_rshift(a, s), tnum_const(x >> s));
				bad += !tnum_in(tnum_arshift(a, s, 64),
						tnum_const((uint64_t)((int64_t)x >> s)));
				if (s < 32)
					bad += !tnum_in(tnum_arshift(a, s, 32),
							tnum_const((uint32_t)((int32_t)x >> s)));
			}
			bad += !tnum_in(tnum_neg(a), tnum_const(-x));
			for (uint8_t size = 1; size <= 8; size *= 2)
				bad += !tnum_in(tnum_cast(a, size),
						tnum_const(size == 8 ? x : x & ((1ull << size * 8) - 1)));
			bad += !tnum_in(tnum_subreg(a), tnum_const((uint32_t)x));
			bad += !tnum_in(tnum_clear_subreg(a), tnum_const(x & ~0xffffffffull));
			bad += !tnum_in(tnum_const_subreg(a, 0x1234),
					tnum_const((x & ~0xffffffffull) | 0x1234));
		}
	}
	CHECK_EQ(bad, 0);
}

static void test_range_holds_its_interval_and_no_more_than_needed(void)
{
	/* Hand-worked: the bits above the highest differing one are kept. */
	struct tnum r = tnum_range(0, 255);
	CHECK(r.value == 0 && r.mask == 0xff);
	r = tnum_range(4, 7);
	CHECK(r.value == 4 && r.mask == 3);
	r = tnum_range(0x100, 0x1ff);
	CHECK(r.value == 0x100 && r.mask == 0xff);
	r = tnum_range(5, 5);
	CHECK(tnum_equals_const(r, 5));
	CHECK(tnum_is_unknown(tnum_range(0, ~0ull)));
	CHECK(tnum_is_unknown(tnum_range(1, 1ull << 63)));
	/* Every value of random intervals is in their tnum. */
	uint64_t seed = 42;
	long bad = 0;
	for (int i = 0; i < 20000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t lo = seed >> (seed & 63), len = (seed >> 7) & 0xfff;
		struct tnum t = tnum_range(lo, lo + len < lo ? ~0ull : lo + len);
		for (uint64_t v = lo; v - lo <= len && v >= lo; v += 1 + len / 16)
			bad += !tnum_in(t, tnum_const(v));
	}
	CHECK_EQ(bad, 0);
}

static void test_precision_is_the_kernels(void)
{
	/* add: 0 or 1, plus 1, is 1 or 2: the kernel's tnum says x, x. */
	struct tnum r = tnum_add(TNUM(0, 1), tnum_const(1));
	CHECK(r.value == 0 && r.mask == 3);
	CHECK(tnum_equals_const(tnum_add(tnum_const(40), tnum_const(2)), 42));
	/* sub: 8 or 9 (0b100x) minus 1: 7 or 8 share no bit */
	r = tnum_sub(TNUM(8, 1), tnum_const(1));
	CHECK(r.value == 0 && r.mask == 0xf);
	/* and with a constant mask keeps only those bits unknown */
	r = tnum_and(TNUM(0, 0xff), tnum_const(0x0f));
	CHECK(r.value == 0 && r.mask == 0x0f);
	/* or sets known ones */
	r = tnum_or(TNUM(0, 0xff), tnum_const(0x81));
	CHECK(r.value == 0x81 && r.mask == 0x7e);
	/* xor of unknowns stays unknown, known bits flip */
	r = tnum_xor(TNUM(0x10, 0x1), tnum_const(0x11));
	CHECK(r.value == 0x00 && r.mask == 0x1);
	/* mul of constants is their product; by an aligned unknown keeps
	 * the alignment (x * 8: low three bits known zero) */
	CHECK(tnum_equals_const(tnum_mul(tnum_const(7), tnum_const(6)), 42));
	r = tnum_mul(TNUM(0, 0xf), tnum_const(8));
	CHECK(tnum_is_aligned(r, 8) && r.mask == 0x78);
	/* arshift spreads a known sign bit as itself */
	r = tnum_arshift(tnum_const(0x80000000), 4, 32);
	CHECK(tnum_equals_const(r, 0xf8000000));
	r = tnum_arshift(TNUM(0, 1ull << 63), 60, 64);
	CHECK(r.value == 0 && r.mask == ~0ull << 3);
	/* intersect: what both know */
	r = tnum_intersect(TNUM(0, 0xff), TNUM(0x0f, 0xf0));
	CHECK(r.value == 0x0f && r.mask == 0xf0);
	/* membership and alignment */
	CHECK(tnum_in(TNUM(0, 0xff), TNUM(0x10, 0x0f)));
	CHECK(!tnum_in(TNUM(0, 0x0f), TNUM(0x10, 0x0f)));
	CHECK(tnum_is_aligned(TNUM(0x40, 0x30), 16));
	CHECK(!tnum_is_aligned(TNUM(0x40, 0x31), 2));
	CHECK(tnum_is_aligned(tnum_unknown, 0));
	/* subregisters */
	r = tnum_with_subreg(TNUM(0x10000000000ull, 0xff00000000ull), TNUM(5, 0xff00ull));
	CHECK(r.value == 0x10000000005ull && r.mask == 0xff0000ff00ull);
	CHECK(tnum_subreg_is_const(TNUM(7, 1ull << 40)));
}

static void test_log_text_is_the_kernels(void)
{
	char buf[80];

	tnum_strn(buf, sizeof(buf), TNUM(0, 0xff));
	CHECK_STR(buf, "(0x0; 0xff)");
	tnum_strn(buf, sizeof(buf), tnum_const(0x2a));
	CHECK_STR(buf, "(0x2a; 0x0)");
	CHECK_EQ(tnum_sbin(buf, sizeof(buf), TNUM(0x5, 0x2)), 64);
	CHECK_EQ(strlen(buf), 64);
	CHECK_STR(buf + 60, "01x1");
	CHECK_EQ(tnum_sbin(buf, 4, TNUM(0, 0)), 64);
	CHECK_STR(buf, "000");
}

int main(void)
{
	RUN(test_binary_operations_are_sound);
	RUN(test_unary_operations_are_sound);
	RUN(test_range_holds_its_interval_and_no_more_than_needed);
	RUN(test_precision_is_the_kernels);
	RUN(test_log_text_is_the_kernels);
	return check_summary("verifier_tnum_test");
}
