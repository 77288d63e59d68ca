// SPDX-License-Identifier: MIT
/*
 * Scalar value tracking is sound: for abstract registers built around
 * small random sets of concrete values (edges of every domain, small
 * numbers, clusters, random bits), every concrete result of an ALU op,
 * extension, byte swap, or every pair satisfying a branch condition, is
 * a member of the abstract result (its tnum and all eight bounds), and
 * a branch said to be always/never taken is so for every pair. Then the
 * precision the kernel reaches, on cases whose results were read from
 * the verifier log of Linux 6.18 on this machine.
 */
#include <linux/bpf.h>
#include <string.h>

#include "tests/check.h"
#include "tests/kernel/rng.h"
#include "verifier/reg.h"

#define MAXV 4

/* ---- building abstract registers ---- */

static uint64_t edge_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, ~0ull, ~0ull - 1, 1ull << 63, (1ull << 63) - 1,
		0x80000000ull, 0x7fffffffull, 0xffffffffull, 0x100000000ull,
		0xffffffff80000000ull, 0xffffffff7fffffffull, 0x80ull, 0x7fffull,
		0xff, 0xffff, 0x8000ull, 0xffffffff00000000ull, 32, 63, 64,
	};

	switch (below(8)) {
	case 0:
	case 1:
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	case 2:
		return below(17);
	case 3:
		return (uint64_t)-(int64_t)below(17);
	case 4:
		return (uint32_t)rnd();
	case 5:
		return rnd() & (0xffull << (8 * below(8)));
	default:
		return rnd();
	}
}

static int make_set(uint64_t *v)
{
	int n = 1 + (int)below(MAXV);

	v[0] = edge_value();
	for (int i = 1; i < n; i++) {
		/* clusters make narrow ranges, lone edges wide ones */
		if (below(2))
			v[i] = v[0] + below(9) - 4;
		else
			v[i] = edge_value();
	}
	return n;
}

/* The tightest tnum and ranges of the set, then synced. */
static void abstract(struct reg_state *r, const uint64_t *v, int n)
{
	uint64_t and = ~0ull, or = 0;

	memset(r, 0, sizeof(*r));
	r->type = SCALAR_VALUE;
	r->umin_value = ~0ull;
	r->u32_min_value = ~0u;
	r->smin_value = INT64_MAX;
	r->smax_value = INT64_MIN;
	r->s32_min_value = INT32_MAX;
	r->s32_max_value = INT32_MIN;
	for (int i = 0; i < n; i++) {
		uint64_t x = v[i];

		and &= x;
		or |= x;
		if (x < r->umin_value) r->umin_value = x;
		if (x > r->umax_value) r->umax_value = x;
		if ((int64_t)x < r->smin_value) r->smin_value = (int64_t)x;
		if ((int64_t)x > r->smax_value) r->smax_value = (int64_t)x;
		if ((uint32_t)x < r->u32_min_value) r->u32_min_value = (uint32_t)x;
		if ((uint32_t)x > r->u32_max_value) r->u32_max_value = (uint32_t)x;
		if ((int32_t)x < r->s32_min_value) r->s32_min_value = (int32_t)x;
		if ((int32_t)x > r->s32_max_value) r->s32_max_value = (int32_t)x;
	}
	r->var_off = TNUM(and, and ^ or);
	reg_bounds_sync(r);
}

static bool member(const struct reg_state *r, uint64_t x)
{
	return (x & ~r->var_off.mask) == r->var_off.value &&
	       r->umin_value <= x && x <= r->umax_value &&
	       r->smin_value <= (int64_t)x && (int64_t)x <= r->smax_value &&
	       r->u32_min_value <= (uint32_t)x && (uint32_t)x <= r->u32_max_value &&
	       r->s32_min_value <= (int32_t)x && (int32_t)x <= r->s32_max_value;
}

static long samples;
static int reported;

static void report(bool ok, const char *what, const struct reg_state *r, uint64_t x,
		   uint64_t a, uint64_t b)
{
	if (ok)
		return;
	CHECK_REPORT(false, "%s: 0x%" PRIx64 " (from 0x%" PRIx64 ", 0x%" PRIx64 ") not in "
		     "var_off=(0x%" PRIx64 "; 0x%" PRIx64 ") u=[0x%" PRIx64 ", 0x%" PRIx64 "] "
		     "s=[%" PRId64 ", %" PRId64 "] u32=[0x%x, 0x%x] s32=[%d, %d]",
		     what, x, a, b, r->var_off.value, r->var_off.mask, r->umin_value,
		     r->umax_value, r->smin_value, r->smax_value, r->u32_min_value,
		     r->u32_max_value, r->s32_min_value, r->s32_max_value);
	reported++;
}

/* One CHECK per test function for the millions of samples that pass,
 * one per failure (the first few printed). */
#define SOUND(ok, ...)                                                      \
	do {                                                                \
		if (!(ok) && reported < 20)                                 \
			report(false, __VA_ARGS__);                         \
		else if (!(ok))                                             \
			check_failed++;                                     \
		else                                                        \
			samples++;                                          \
	} while (0)

/* ---- the concrete operations (the interpreter's semantics) ---- */

static uint64_t concrete_alu(uint8_t op, bool alu32, bool sdiv, uint64_t a, uint64_t b)
{
	if (alu32) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b;

		switch (op) {
		case BPF_ADD: return (uint32_t)(x + y);
		case BPF_SUB: return (uint32_t)(x - y);
		case BPF_MUL: return (uint32_t)(x * y);
		case BPF_DIV:
			if (!y) return 0;
			if (sdiv) {
				if ((int32_t)x == INT32_MIN && (int32_t)y == -1) return x;
				return (uint32_t)((int32_t)x / (int32_t)y);
			}
			return x / y;
		case BPF_MOD:
			if (!y) return x;
			if (sdiv) {
				if ((int32_t)y == -1) return 0;
				return (uint32_t)((int32_t)x % (int32_t)y);
			}
			return x % y;
		case BPF_OR: return x | y;
		case BPF_AND: return x & y;
		case BPF_XOR: return x ^ y;
		case BPF_LSH: return (uint32_t)(x << (y & 31));
		case BPF_RSH: return x >> (y & 31);
		case BPF_ARSH: return (uint32_t)((int32_t)x >> (y & 31));
		case BPF_NEG: return (uint32_t)-x;
		}
		return 0;
	}
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_DIV:
		if (!b) return 0;
		if (sdiv) {
			if ((int64_t)a == INT64_MIN && (int64_t)b == -1) return a;
			return (uint64_t)((int64_t)a / (int64_t)b);
		}
		return a / b;
	case BPF_MOD:
		if (!b) return a;
		if (sdiv) {
			if ((int64_t)b == -1) return 0;
			return (uint64_t)((int64_t)a % (int64_t)b);
		}
		return a % b;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & 63);
	case BPF_RSH: return a >> (b & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)a >> (b & 63));
	case BPF_NEG: return -a;
	}
	return 0;
}

static bool concrete_cond(uint8_t op, bool jmp32, uint64_t a, uint64_t b)
{
	uint64_t x = jmp32 ? (uint32_t)a : a, y = jmp32 ? (uint32_t)b : b;
	int64_t sx = jmp32 ? (int32_t)a : (int64_t)a, sy = jmp32 ? (int32_t)b : (int64_t)b;

	switch (op) {
	case BPF_JEQ: return x == y;
	case BPF_JNE: return x != y;
	case BPF_JSET: return (x & y) != 0;
	case BPF_JSET | BPF_X: return (x & y) == 0;
	case BPF_JGT: return x > y;
	case BPF_JGE: return x >= y;
	case BPF_JLT: return x < y;
	case BPF_JLE: return x <= y;
	case BPF_JSGT: return sx > sy;
	case BPF_JSGE: return sx >= sy;
	case BPF_JSLT: return sx < sy;
	case BPF_JSLE: return sx <= sy;
	}
	return false;
}

static uint64_t bswap(uint64_t v, int width)
{
	if (width == 16) return __builtin_bswap16((uint16_t)v);
	if (width == 32) return __builtin_bswap32((uint32_t)v);
	return __builtin_bswap64(v);
}

static uint64_t sext(uint64_t v, int bits)
{
	if (bits == 8) return (uint64_t)(int64_t)(int8_t)v;
	if (bits == 16) return (uint64_t)(int64_t)(int16_t)v;
	if (bits == 32) return (uint64_t)(int64_t)(int32_t)v;
	return v;
}

/* ---- soundness ---- */

#define ROUNDS 60000

static const uint8_t alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_OR,
				   BPF_AND, BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_NEG };

static void test_sync_keeps_members(void)
{
	uint64_t v[MAXV];
	struct reg_state r;

	rng_state = 0x5eed0001;
	for (int i = 0; i < ROUNDS * 4; i++) {
		int n = make_set(v);

		abstract(&r, v, n);
		for (int k = 0; k < n; k++)
			SOUND(member(&r, v[k]), "sync", &r, v[k], v[k], 0);
		SOUND(!reg_bounds_invalid(&r), "sync valid", &r, v[0], v[0], 0);
	}
	CHECK(reported == 0);
}

static void test_alu_sound(void)
{
	uint64_t a[MAXV], b[MAXV];
	struct reg_state dst, src, res;

	rng_state = 0x5eed0002;
	for (int i = 0; i < ROUNDS; i++) {
		for (size_t o = 0; o < sizeof(alu_ops); o++) {
			uint8_t op = alu_ops[o];

			for (int w = 0; w < 2; w++) {
				bool alu32 = w, sdiv = below(2);
				int na = make_set(a), nb;

				/* shifts are tracked for constant, in-range amounts */
				if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && below(4)) {
					nb = 1;
					b[0] = below(alu32 ? 32 : 64);
				} else {
					nb = make_set(b);
				}
				abstract(&dst, a, na);
				abstract(&src, b, nb);
				res = dst;
				scalar_alu(&res, &src, op, alu32, sdiv);
				for (int x = 0; x < na; x++)
					for (int y = 0; y < nb; y++) {
						uint64_t c = concrete_alu(op, alu32, sdiv, a[x], b[y]);

						SOUND(member(&res, c), alu32 ? "alu32" : "alu64",
						      &res, c, a[x], b[y]);
					}
			}
		}
	}
	CHECK(reported == 0);
}

static void test_ext_and_swap_sound(void)
{
	static const int sx_bits[] = { 8, 16, 32 };
	uint64_t a[MAXV];
	struct reg_state r, res;

	rng_state = 0x5eed0003;
	for (int i = 0; i < ROUNDS * 2; i++) {
		int n = make_set(a);

		abstract(&r, a, n);
		for (int s = 0; s < 3; s++) {
			int bits = sx_bits[s];

			/* r = (sN)r */
			scalar_movsx(&res, &r, bits, false);
			for (int k = 0; k < n; k++)
				SOUND(member(&res, sext(a[k], bits)), "movsx64", &res,
				      sext(a[k], bits), a[k], bits);
			/* w = (sN)w, zero-extended (N = 32: a plain move) */
			scalar_movsx(&res, &r, bits, true);
			for (int k = 0; k < n; k++) {
				uint64_t c = (uint32_t)sext(a[k], bits);

				SOUND(member(&res, c), "movsx32", &res, c, a[k], bits);
			}
		}
		for (int size = 1; size <= 8; size *= 2) {
			uint64_t mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;

			res = r;
			reg_coerce_to_size(&res, size, false);
			for (int k = 0; k < n; k++)
				SOUND(member(&res, a[k] & mask), "coerce", &res, a[k] & mask,
				      a[k], size);
			res = r;
			reg_coerce_to_size(&res, size, true);
			for (int k = 0; k < n; k++) {
				uint64_t c = sext(a[k], size * 8);

				SOUND(member(&res, c), "coerce sx", &res, c, a[k], size);
			}
		}
		for (int width = 16; width <= 64; width *= 2) {
			uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;

			for (int kind = 0; kind < 3; kind++) {
				/* kind 0: bswap (ALU64), 1: be (swap on this
				 * little-endian host), 2: le (truncation) */
				res = r;
				scalar_byte_swap(&res, width, kind == 1, kind == 0);
				for (int k = 0; k < n; k++) {
					uint64_t c = kind == 2 ? a[k] & mask : bswap(a[k], width);

					SOUND(member(&res, c), "byte swap", &res, c, a[k], width);
				}
			}
		}
	}
	CHECK(reported == 0);
}

static const uint8_t conds[] = { BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JSET | BPF_X, BPF_JGT,
				 BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT,
				 BPF_JSLE };

static void test_branch_sound(void)
{
	uint64_t a[MAXV], b[MAXV];
	struct reg_state r1, r2, t1, t2;
	long decided = 0;

	rng_state = 0x5eed0004;
	for (int i = 0; i < ROUNDS; i++) {
		for (size_t c = 0; c < sizeof(conds); c++) {
			uint8_t op = conds[c];

			for (int w = 0; w < 2; w++) {
				bool jmp32 = w;
				int na = make_set(a), nb;
				int taken, any = 0, all = 1;

				/* constants on the right are what JNE/JSET refine on */
				if (below(2)) {
					nb = 1;
					b[0] = below(2) ? 1ull << below(64) : edge_value();
				} else {
					nb = make_set(b);
				}
				abstract(&r1, a, na);
				abstract(&r2, b, nb);
				taken = scalar_branch_taken(&r1, &r2, op, jmp32);
				decided += taken >= 0;
				t1 = r1;
				t2 = r2;
				scalar_refine_cond(&t1, &t2, op, jmp32);
				for (int x = 0; x < na; x++)
					for (int y = 0; y < nb; y++) {
						bool holds = concrete_cond(op, jmp32, a[x], b[y]);

						any |= holds;
						all &= holds;
						if (!holds)
							continue;
						SOUND(member(&t1, a[x]), "refine r1", &t1, a[x], a[x], b[y]);
						SOUND(member(&t2, b[y]), "refine r2", &t2, b[y], a[x], b[y]);
					}
				SOUND(taken != 1 || all, "taken", &r1, op, a[0], b[0]);
				SOUND(taken != 0 || !any, "not taken", &r1, op, a[0], b[0]);
				SOUND(!any || !reg_bounds_invalid(&t1), "refine valid", &t1, op, a[0], b[0]);
				SOUND(!any || !reg_bounds_invalid(&t2), "refine valid", &t2, op, a[0], b[0]);
				/* the negation and the flip describe the same pairs */
				SOUND(concrete_cond(cond_negate(op), jmp32, a[0], b[0]) !=
				      concrete_cond(op, jmp32, a[0], b[0]), "negate", &r1, op, a[0], b[0]);
				SOUND(concrete_cond(cond_flip(op), jmp32, b[0], a[0]) ==
				      concrete_cond(op, jmp32, a[0], b[0]), "flip", &r1, op, a[0], b[0]);
			}
		}
	}
	/* the sampling must reach decided branches to test them */
	CHECK(decided > ROUNDS);
	CHECK(reported == 0);
}

/* ---- precision: the kernel's results ---- */

static struct reg_state unknown(void)
{
	struct reg_state r;

	reg_mark_unknown(&r);
	return r;
}

static struct reg_state known(uint64_t v)
{
	struct reg_state r;

	reg_mark_known(&r, v);
	return r;
}

#define CHECK_BOUNDS(r, umin, umax, smin, smax, u32min, u32max, s32min, s32max)  \
	do {                                                                \
		CHECK_EQ((r).umin_value, umin);                             \
		CHECK_EQ((r).umax_value, umax);                             \
		CHECK_EQ((r).smin_value, smin);                             \
		CHECK_EQ((r).smax_value, smax);                             \
		CHECK_EQ((r).u32_min_value, u32min);                        \
		CHECK_EQ((r).u32_max_value, u32max);                        \
		CHECK_EQ((r).s32_min_value, s32min);                        \
		CHECK_EQ((r).s32_max_value, s32max);                        \
	} while (0)

static void test_and_mask(void)
{
	/* r1 &= 0xff: smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff) */
	struct reg_state r = unknown(), k = known(0xff);

	scalar_alu(&r, &k, BPF_AND, false, false);
	CHECK_BOUNDS(r, 0, 255, 0, 255, 0, 255, 0, 255);
	CHECK_EQ(r.var_off.value, 0);
	CHECK_EQ(r.var_off.mask, 0xff);
}

static void test_jgt_false_path(void)
{
	/* if r1 > 10, fall-through: umax 10, var_off=(0x0; 0xf) */
	struct reg_state r = unknown(), k = known(10);

	CHECK_EQ(cond_negate(BPF_JGT), BPF_JLE);
	scalar_refine_cond(&r, &k, cond_negate(BPF_JGT), false);
	CHECK_BOUNDS(r, 0, 10, 0, 10, 0, 10, 0, 10);
	CHECK_EQ(r.var_off.mask, 0xf);
	CHECK(reg_is_const(&k));
	CHECK_EQ(scalar_branch_taken(&r, &k, BPF_JGT, false), 0);
}

static void test_alu32_zext(void)
{
	/* w0 += 1 on an unknown register: smin=0,smax=umax=0xffffffff */
	struct reg_state r = unknown(), k = known(1), m;

	scalar_alu(&r, &k, BPF_ADD, true, false);
	CHECK_BOUNDS(r, 0, 0xffffffff, 0, 0xffffffff, 0, 0xffffffff, INT32_MIN, INT32_MAX);
	CHECK_EQ(r.var_off.mask, 0xffffffff);
	/* w0 &= 0xf0: the u32 bounds become the 64-bit ones */
	m = known(0xf0);
	scalar_alu(&r, &m, BPF_AND, true, false);
	CHECK_BOUNDS(r, 0, 0xf0, 0, 0xf0, 0, 0xf0, 0, 0xf0);
}

static void test_sign_extension_idiom(void)
{
	/* r0 &= 100; r0 <<= 32 gives smax=umax=0x6400000000, u32 0;
	 * r0 s>>= 32 gives back [0, 100], var_off=(0x0; 0x64) */
	struct reg_state r = unknown(), k = known(100), s = known(32);

	scalar_alu(&r, &k, BPF_AND, false, false);
	scalar_alu(&r, &s, BPF_LSH, false, false);
	CHECK_BOUNDS(r, 0, 0x6400000000ull, 0, 0x6400000000ull, 0, 0, 0, 0);
	scalar_alu(&r, &s, BPF_ARSH, false, false);
	CHECK_BOUNDS(r, 0, 100, 0, 100, 0, 100, 0, 100);
	CHECK_EQ(r.var_off.mask, 0x64);

	/* w0 = w0 (any u32), <<= 32, s>>= 32: the s32 range as s64 */
	r = unknown();
	reg_zext_32_to_64(&r);
	reg_bounds_sync(&r);
	CHECK_BOUNDS(r, 0, 0xffffffff, 0, 0xffffffff, 0, 0xffffffff, INT32_MIN, INT32_MAX);
	scalar_alu(&r, &s, BPF_LSH, false, false);
	CHECK_EQ(r.smax_value, 0x7fffffff00000000ll);
	CHECK_EQ(r.umax_value, 0xffffffff00000000ull);
	scalar_alu(&r, &s, BPF_ARSH, false, false);
	CHECK_EQ(r.smin_value, (int64_t)INT32_MIN);
	CHECK_EQ(r.smax_value, INT32_MAX);
	CHECK_EQ(r.umax_value, ~0ull);
}

static void test_jset(void)
{
	struct reg_state r = unknown(), k = known(4), m = known(0xf0);

	/* a single-bit JSET makes the bit known */
	CHECK_EQ(scalar_branch_taken(&r, &k, BPF_JSET, false), -1);
	scalar_refine_cond(&r, &k, BPF_JSET, false);
	CHECK_EQ(r.var_off.value, 4);
	CHECK_EQ(r.umin_value, 4);
	CHECK_EQ(scalar_branch_taken(&r, &k, BPF_JSET, false), 1);
	/* a multi-bit one learns nothing; its negation clears them all */
	r = unknown();
	scalar_refine_cond(&r, &m, BPF_JSET, false);
	CHECK(tnum_is_unknown(r.var_off));
	CHECK_EQ(cond_negate(BPF_JSET), BPF_JSET | BPF_X);
	scalar_refine_cond(&r, &m, cond_negate(BPF_JSET), false);
	CHECK_EQ(r.var_off.mask, ~0xf0ull);
	CHECK_EQ(scalar_branch_taken(&r, &m, BPF_JSET, false), 0);
}

static void test_jeq_const(void)
{
	struct reg_state r = unknown(), k = known(0xff), c = known(7);

	scalar_alu(&r, &k, BPF_AND, false, false);
	scalar_refine_cond(&r, &c, BPF_JEQ, false);
	CHECK(reg_is_const(&r));
	CHECK_EQ(r.var_off.value, 7);
	CHECK_BOUNDS(r, 7, 7, 7, 7, 7, 7, 7, 7);
	CHECK(!reg_bounds_invalid(&r));
	/* the not-equal path cuts the end: [0, 255] != 0 is [1, 255] */
	r = unknown();
	scalar_alu(&r, &k, BPF_AND, false, false);
	c = known(0);
	scalar_refine_cond(&r, &c, BPF_JNE, false);
	CHECK_EQ(r.umin_value, 1);
	CHECK_EQ(r.umax_value, 255);
}

static void test_jeq_disjoint_bits(void)
{
	/* r0 |= 1; if r0 == 2: never, by the low bit (the kernel prunes it) */
	struct reg_state r = unknown(), one = known(1), two = known(2);

	scalar_alu(&r, &one, BPF_OR, false, false);
	CHECK_EQ(r.smin_value, (int64_t)0x8000000000000001ull);
	CHECK_EQ(r.umin_value, 1);
	CHECK_EQ(r.s32_min_value, (int32_t)0x80000001);
	CHECK_EQ(scalar_branch_taken(&r, &two, BPF_JEQ, false), 0);
	CHECK_EQ(scalar_branch_taken(&r, &two, BPF_JNE, false), 1);
}

static void test_single_member(void)
{
	/* r0 &= 0x101; if r0 > 0x100 ...; if r0 < 2 ...: only 0x100 is left */
	struct reg_state r = unknown(), k = known(0x101), hi = known(0x100), lo = known(2);

	scalar_alu(&r, &k, BPF_AND, false, false);
	scalar_refine_cond(&r, &hi, BPF_JLE, false);
	CHECK_EQ(r.umax_value, 0x100);
	scalar_refine_cond(&r, &lo, BPF_JGE, false);
	CHECK(reg_is_const(&r));
	CHECK_EQ(r.var_off.value, 0x100);
}

static void test_sign_crossing32(void)
{
	/* if w0 < 3 / if w0 > 0x80000010 / if w0 s< -5 (all fall through):
	 * umin=smin32=umin32=3, umax32=0x7fffffff, smin=0x8000000000000003,
	 * smax=0x7fffffff7fffffff, umax=0xffffffff7fffffff */
	struct reg_state r = unknown(), a = known(3), b = known(0x80000010),
			 c = known((uint64_t)-5);

	scalar_refine_cond(&r, &a, BPF_JGE, true);
	scalar_refine_cond(&r, &b, BPF_JLE, true);
	CHECK_EQ(r.umax_value, 0xffffffff80000010ull);
	scalar_refine_cond(&r, &c, BPF_JSGE, true);
	CHECK_BOUNDS(r, 3, 0xffffffff7fffffffull, (int64_t)0x8000000000000003ull,
		     0x7fffffff7fffffffll, 3, 0x7fffffff, 3, 0x7fffffff);
}

static void test_sub_neg_mul(void)
{
	struct reg_state r = unknown(), k = known(15), five = known(5), f = known(0xff),
			 m3 = known((uint64_t)-3), x5 = known(5), s7 = known(0x7f);

	/* [0, 15] - 5: smin=-5, smax=10, the unsigned range wraps */
	scalar_alu(&r, &k, BPF_AND, false, false);
	scalar_alu(&r, &five, BPF_SUB, false, false);
	CHECK_BOUNDS(r, 0, ~0ull, -5, 10, 0, ~0u, -5, 10);
	/* -([0, 255]) = [-255, 0]; then w = -w is [0, 255] again */
	r = unknown();
	scalar_alu(&r, &f, BPF_AND, false, false);
	scalar_alu(&r, &r, BPF_NEG, false, false);
	CHECK_EQ(r.smin_value, -255);
	CHECK_EQ(r.smax_value, 0);
	scalar_alu(&r, &r, BPF_NEG, true, false);
	CHECK_BOUNDS(r, 0, 255, 0, 255, 0, 255, 0, 255);
	/* [0, 127] * -3 = [-381, 0]; then ^ 5 knows nothing */
	r = unknown();
	scalar_alu(&r, &s7, BPF_AND, false, false);
	scalar_alu(&r, &m3, BPF_MUL, false, false);
	CHECK_EQ(r.smin_value, -381);
	CHECK_EQ(r.smax_value, 0);
	CHECK_EQ(r.s32_min_value, -381);
	scalar_alu(&r, &x5, BPF_XOR, false, false);
	CHECK(tnum_is_unknown(r.var_off));
	CHECK_EQ(r.smin_value, INT64_MIN);
}

static void test_div_mod_untracked(void)
{
	/* Linux 6.18: r0 = [0, 255] / 2 and w0 %= 7 give scalar() */
	struct reg_state r = unknown(), f = known(0xff), two = known(2), seven = known(7);

	scalar_alu(&r, &f, BPF_AND, false, false);
	scalar_alu(&r, &two, BPF_DIV, false, false);
	CHECK(tnum_is_unknown(r.var_off));
	CHECK_EQ(r.umax_value, ~0ull);
	scalar_alu(&r, &f, BPF_AND, true, false);
	CHECK_EQ(r.umax_value, 255);
	scalar_alu(&r, &seven, BPF_MOD, true, false);
	CHECK(tnum_is_unknown(r.var_off));
	CHECK_EQ(r.umax_value, ~0ull);
}

static void test_byte_swap(void)
{
	/* r0 &= 0x3f00; bswap16 / be16: umax 63, var_off=(0x0; 0x3f);
	 * le16: unchanged */
	struct reg_state r, k = known(0x3f00);

	for (int kind = 0; kind < 3; kind++) {
		r = unknown();
		scalar_alu(&r, &k, BPF_AND, false, false);
		scalar_byte_swap(&r, 16, kind == 1, kind == 0);
		if (kind == 2) {
			CHECK_BOUNDS(r, 0, 0x3f00, 0, 0x3f00, 0, 0x3f00, 0, 0x3f00);
		} else {
			CHECK_BOUNDS(r, 0, 63, 0, 63, 0, 63, 0, 63);
			CHECK_EQ(r.var_off.mask, 0x3f);
		}
	}
}

static void test_movsx(void)
{
	/* w0 += 1 (any u32), then r2 = (s8)r0, r3 = (s32)r0, w4 = (s16)w0 */
	struct reg_state r = unknown(), one = known(1), d;

	scalar_alu(&r, &one, BPF_ADD, true, false);
	scalar_movsx(&d, &r, 8, false);
	CHECK_BOUNDS(d, 0, ~0ull, -128, 127, 0, ~0u, -128, 127);
	scalar_movsx(&d, &r, 32, false);
	CHECK_BOUNDS(d, 0, ~0ull, INT32_MIN, INT32_MAX, 0, ~0u, INT32_MIN, INT32_MAX);
	scalar_movsx(&d, &r, 16, true);
	CHECK_BOUNDS(d, 0, 0xffffffff, 0, 0xffffffff, 0, ~0u, -32768, 32767);
	/* constants extend exactly */
	d = known(0x80);
	scalar_movsx(&d, &d, 8, false);
	CHECK(reg_is_const(&d));
	CHECK_EQ(d.var_off.value, (uint64_t)-128);
}

static void test_invalid(void)
{
	struct reg_state r = unknown(), m = known(0xf0), a = known(0x10), b = known(5);

	/* r &= 0xf0; r > 0x10: umin 0x11 (the range is not moved to the
	 * next member of the tnum, as in the kernel); then r < 5 is an
	 * impossible branch, which branch_taken sees. */
	scalar_alu(&r, &m, BPF_AND, false, false);
	scalar_refine_cond(&r, &a, BPF_JGT, false);
	CHECK(!reg_bounds_invalid(&r));
	CHECK_EQ(r.umin_value, 0x11);
	CHECK_EQ(scalar_branch_taken(&r, &b, BPF_JLT, false), 0);
	/* crossing ends */
	r = known(3);
	r.umin_value = 5;
	r.var_off = tnum_unknown;
	CHECK(reg_bounds_invalid(&r));
	/* a constant tnum with a wider range */
	r = known(3);
	r.umax_value = 4;
	CHECK(reg_bounds_invalid(&r));
	r = known(3);
	r.s32_min_value = 2;
	CHECK(reg_bounds_invalid(&r));
	CHECK(!reg_bounds_invalid(&b));
}

static void test_samples_counted(void)
{
	printf("soundness samples: %ld\n", samples);
	CHECK(samples > 1000000);
}

int main(void)
{
	RUN(test_sync_keeps_members);
	RUN(test_alu_sound);
	RUN(test_ext_and_swap_sound);
	RUN(test_branch_sound);
	RUN(test_samples_counted);
	RUN(test_and_mask);
	RUN(test_jgt_false_path);
	RUN(test_alu32_zext);
	RUN(test_sign_extension_idiom);
	RUN(test_jset);
	RUN(test_jeq_const);
	RUN(test_jeq_disjoint_bits);
	RUN(test_single_member);
	RUN(test_sign_crossing32);
	RUN(test_sub_neg_mul);
	RUN(test_div_mod_untracked);
	RUN(test_byte_swap);
	RUN(test_movsx);
	RUN(test_invalid);
	return check_summary("verifier_reg_bounds_sound");
}
