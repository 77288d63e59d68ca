// SPDX-License-Identifier: MIT
/*
 * Scalar value tracking: a tnum plus unsigned/signed 64- and 32-bit
 * ranges per register. The rules are the kernel's (verifier.c of Linux
 * 6.18 with its stable updates, the kernel this project compares
 * against), rewritten here; where the kernel is deliberately imprecise
 * (division, modulo) so are we, because a verifier that knows more than
 * the kernel's accepts programs the kernel refuses.
 *
 * All arithmetic on bounds is done on unsigned types or through the
 * overflow-checking builtins: signed overflow must never happen here.
 */
#include <linux/bpf.h>
#include <string.h>

#include "verifier/reg.h"

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX

static inline uint64_t umax64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint64_t umin64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline int64_t smax64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t smin64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline uint32_t umax32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t umin32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline int32_t smax32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t smin32(int32_t a, int32_t b) { return a < b ? a : b; }

/* ---- small tnum helpers the bounds code needs ---- */

/* Some value is a member of both (their known bits agree). */
static bool tnum_overlap(struct tnum a, struct tnum b)
{
	uint64_t known = ~a.mask & ~b.mask;

	return (a.value & known) == (b.value & known);
}

static bool tnum_has(struct tnum t, uint64_t v)
{
	return (v & ~t.mask) == t.value;
}

/*
 * The smallest member of t greater than z, for t.value <= z < tmax (tmax
 * itself when z >= tmax, t.value when z < t.value). Keeping t's known
 * bits and z's bits at t's unknown positions gives a member j; if j > z,
 * the answer keeps z above the highest known 1 of t where z has a 0 and
 * the known bits (unknowns 0) below it; if j <= z, the unknown positions
 * above the highest known 0 where z has a 1 are counted up by one, the
 * lower unknown ones cleared.
 */
static uint64_t tnum_step(struct tnum t, uint64_t z)
{
	uint64_t tmax = t.value | t.mask, j, p, q;
	int k;

	if (z >= tmax)
		return tmax;
	if (z < t.value)
		return t.value;
	j = t.value | (z & t.mask);
	if (j > z) {
		p = ~z & t.value & ~t.mask;
		k = p ? 64 - __builtin_clzll(p) : 0;
		q = k == 64 ? 0 : ~0ull << k;
		return (q & z) | (~q & t.value);
	}
	p = z & ~t.value & ~t.mask;
	k = p ? 64 - __builtin_clzll(p) : 0;
	q = k == 64 ? 0 : ~0ull << k;
	/* Known positions above k set to 1 so the carry runs through them
	 * into the next unknown one. */
	p = (q & t.mask & z) | (q & ~t.mask);
	p += k == 64 ? 0 : 1ull << k;
	return (p & t.mask) | t.value;
}

static uint64_t bswap_n(uint64_t v, int width)
{
	if (width == 16)
		return __builtin_bswap16((uint16_t)v);
	if (width == 32)
		return __builtin_bswap32((uint32_t)v);
	return __builtin_bswap64(v);
}

/* ---- marking ---- */

static void set_known(struct reg_state *reg, uint64_t imm)
{
	reg->var_off = tnum_const(imm);
	reg->smin_value = (int64_t)imm;
	reg->smax_value = (int64_t)imm;
	reg->umin_value = imm;
	reg->umax_value = imm;
	reg->s32_min_value = (int32_t)imm;
	reg->s32_max_value = (int32_t)imm;
	reg->u32_min_value = (uint32_t)imm;
	reg->u32_max_value = (uint32_t)imm;
}

static void set_known32(struct reg_state *reg, uint32_t imm)
{
	reg->var_off = tnum_const_subreg(reg->var_off, imm);
	reg->s32_min_value = (int32_t)imm;
	reg->s32_max_value = (int32_t)imm;
	reg->u32_min_value = imm;
	reg->u32_max_value = imm;
}

static void unbound64(struct reg_state *reg)
{
	reg->smin_value = S64_MIN;
	reg->smax_value = S64_MAX;
	reg->umin_value = 0;
	reg->umax_value = UINT64_MAX;
}

static void unbound32(struct reg_state *reg)
{
	reg->s32_min_value = S32_MIN;
	reg->s32_max_value = S32_MAX;
	reg->u32_min_value = 0;
	reg->u32_max_value = UINT32_MAX;
}

void reg_mark_unbounded(struct reg_state *reg)
{
	unbound64(reg);
	unbound32(reg);
}

void reg_mark_known(struct reg_state *reg, uint64_t imm)
{
	/* A fresh constant: no pointer parts, no links to other registers. */
	reg->type = SCALAR_VALUE;
	reg->off = 0;
	reg->range = 0;
	reg->map_ptr = NULL;
	reg->id = 0;
	reg->link = LINK_SAME;
	reg->ref_obj_id = 0;
	reg->frameno = 0;
	set_known(reg, imm);
}

void reg_mark_known_zero(struct reg_state *reg)
{
	/* The type is the caller's (a pointer being created): only the
	 * offset parts are reset. */
	uint32_t type = reg->type;

	reg_mark_known(reg, 0);
	reg->type = type;
}

void reg_mark_unknown(struct reg_state *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->type = SCALAR_VALUE;
	reg->var_off = tnum_unknown;
	reg_mark_unbounded(reg);
}

bool reg_is_const(const struct reg_state *reg)
{
	return base_type(reg->type) == SCALAR_VALUE && tnum_is_const(reg->var_off);
}

/* ---- keeping the nine facts consistent ---- */

/* Bounds implied by the tnum: the smallest and largest members, per
 * domain (the sign bit decides the signed ones). */
static void update_bounds32(struct reg_state *reg)
{
	struct tnum t = tnum_subreg(reg->var_off);

	reg->s32_min_value = smax32(reg->s32_min_value,
				    (int32_t)(t.value | (t.mask & 0x80000000u)));
	reg->s32_max_value = smin32(reg->s32_max_value,
				    (int32_t)(t.value | (t.mask & 0x7fffffffu)));
	reg->u32_min_value = umax32(reg->u32_min_value, (uint32_t)t.value);
	reg->u32_max_value = umin32(reg->u32_max_value, (uint32_t)(t.value | t.mask));
}

static void update_bounds64(struct reg_state *reg)
{
	struct tnum t = reg->var_off;
	uint64_t tmax = t.value | t.mask, next;
	bool umin_in;

	reg->smin_value = smax64(reg->smin_value,
				 (int64_t)(t.value | (t.mask & (1ull << 63))));
	reg->smax_value = smin64(reg->smax_value,
				 (int64_t)(t.value | (t.mask & ~(1ull << 63))));
	reg->umin_value = umax64(reg->umin_value, t.value);
	reg->umax_value = umin64(reg->umax_value, tmax);

	/* When the u64 range holds a single member of the tnum, that member
	 * is the value: the first member at or above umin is checked, and
	 * the one after it must lie above umax. */
	next = tnum_step(t, reg->umin_value);
	umin_in = tnum_has(t, reg->umin_value);
	if (umin_in && next > reg->umax_value)
		set_known(reg, reg->umin_value);
	else if (!umin_in && next == tmax)
		set_known(reg, tmax);
	else if (!umin_in && next <= reg->umax_value &&
		 tnum_step(t, next) > reg->umax_value)
		set_known(reg, next);
}

static void update_bounds(struct reg_state *reg)
{
	update_bounds32(reg);
	update_bounds64(reg);
}

/* 64 -> 32, and u32 <-> s32. */
static void deduce_bounds32(struct reg_state *reg)
{
	uint64_t umin = reg->umin_value, umax = reg->umax_value;
	uint64_t smin = (uint64_t)reg->smin_value, smax = (uint64_t)reg->smax_value;

	/* Same upper half across the whole 64-bit range: the low halves
	 * form a range too (unsigned, and signed if it does not wrap). */
	if ((umin >> 32) == (umax >> 32)) {
		reg->u32_min_value = umax32(reg->u32_min_value, (uint32_t)umin);
		reg->u32_max_value = umin32(reg->u32_max_value, (uint32_t)umax);
		if ((int32_t)umin <= (int32_t)umax) {
			reg->s32_min_value = smax32(reg->s32_min_value, (int32_t)umin);
			reg->s32_max_value = smin32(reg->s32_max_value, (int32_t)umax);
		}
	}
	if ((reg->smin_value >> 32) == (reg->smax_value >> 32)) {
		if ((uint32_t)smin <= (uint32_t)smax) {
			reg->u32_min_value = umax32(reg->u32_min_value, (uint32_t)smin);
			reg->u32_max_value = umin32(reg->u32_max_value, (uint32_t)smax);
		}
		if ((int32_t)smin <= (int32_t)smax) {
			reg->s32_min_value = smax32(reg->s32_min_value, (int32_t)smin);
			reg->s32_max_value = smin32(reg->s32_max_value, (int32_t)smax);
		}
	}
	/* Upper halves N and N+1 with the low halves going from negative to
	 * non-negative: the low halves are one s32 range through zero. */
	if ((uint32_t)(umin >> 32) + 1 == (uint32_t)(umax >> 32) &&
	    (int32_t)umin < 0 && (int32_t)umax >= 0) {
		reg->s32_min_value = smax32(reg->s32_min_value, (int32_t)umin);
		reg->s32_max_value = smin32(reg->s32_max_value, (int32_t)umax);
	}
	if ((uint32_t)(smin >> 32) + 1 == (uint32_t)(smax >> 32) &&
	    (int32_t)smin < 0 && (int32_t)smax >= 0) {
		reg->s32_min_value = smax32(reg->s32_min_value, (int32_t)smin);
		reg->s32_max_value = smin32(reg->s32_max_value, (int32_t)smax);
	}
	/* A u32 range on one side of the sign bit is an s32 range. */
	if ((int32_t)reg->u32_min_value <= (int32_t)reg->u32_max_value) {
		reg->s32_min_value = smax32(reg->s32_min_value, (int32_t)reg->u32_min_value);
		reg->s32_max_value = smin32(reg->s32_max_value, (int32_t)reg->u32_max_value);
	}
	/* And the other way round; an s32 range through zero is two u32
	 * pieces, usable when the u32 range meets only one of them. */
	if ((uint32_t)reg->s32_min_value <= (uint32_t)reg->s32_max_value) {
		reg->u32_min_value = umax32(reg->u32_min_value, (uint32_t)reg->s32_min_value);
		reg->u32_max_value = umin32(reg->u32_max_value, (uint32_t)reg->s32_max_value);
	} else if (reg->u32_max_value < (uint32_t)reg->s32_min_value) {
		/* only the non-negative piece */
		reg->s32_min_value = (int32_t)reg->u32_min_value;
		reg->u32_max_value = umin32(reg->u32_max_value, (uint32_t)reg->s32_max_value);
	} else if ((uint32_t)reg->s32_max_value < reg->u32_min_value) {
		/* only the negative piece */
		reg->s32_max_value = (int32_t)reg->u32_max_value;
		reg->u32_min_value = umax32(reg->u32_min_value, (uint32_t)reg->s32_min_value);
	}
}

/* u64 <-> s64, the same reasoning one width up. */
static void deduce_bounds64(struct reg_state *reg)
{
	if ((int64_t)reg->umin_value <= (int64_t)reg->umax_value) {
		reg->smin_value = smax64(reg->smin_value, (int64_t)reg->umin_value);
		reg->smax_value = smin64(reg->smax_value, (int64_t)reg->umax_value);
	}
	if ((uint64_t)reg->smin_value <= (uint64_t)reg->smax_value) {
		reg->umin_value = umax64(reg->umin_value, (uint64_t)reg->smin_value);
		reg->umax_value = umin64(reg->umax_value, (uint64_t)reg->smax_value);
	} else if (reg->umax_value < (uint64_t)reg->smin_value) {
		reg->smin_value = (int64_t)reg->umin_value;
		reg->umax_value = umin64(reg->umax_value, (uint64_t)reg->smax_value);
	} else if ((uint64_t)reg->smax_value < reg->umin_value) {
		reg->smax_value = (int64_t)reg->umax_value;
		reg->umin_value = umax64(reg->umin_value, (uint64_t)reg->smin_value);
	}
}

/* 32 -> 64. */
static void deduce_bounds_mixed(struct reg_state *reg)
{
	const uint64_t hi = ~0xffffffffull;
	uint64_t new_umin, new_umax;
	int64_t new_smin, new_smax;

	/* The low half of the 64-bit ends may be raised/lowered to the u32
	 * ends: with the upper half fixed, that stays a valid range. */
	new_umin = (reg->umin_value & hi) | reg->u32_min_value;
	new_umax = (reg->umax_value & hi) | reg->u32_max_value;
	reg->umin_value = umax64(reg->umin_value, new_umin);
	reg->umax_value = umin64(reg->umax_value, new_umax);
	new_smin = (int64_t)(((uint64_t)reg->smin_value & hi) | reg->u32_min_value);
	new_smax = (int64_t)(((uint64_t)reg->smax_value & hi) | reg->u32_max_value);
	reg->smin_value = smax64(reg->smin_value, new_smin);
	reg->smax_value = smin64(reg->smax_value, new_smax);

	/* Within [S32_MIN, S32_MAX] as s64 (upper half all 0s or all 1s) a
	 * non-negative s32 half excludes the all-1s upper half: the value
	 * is the s32 range itself (the case after a sign-extending load). */
	if (reg->s32_min_value >= 0 && reg->smin_value >= S32_MIN &&
	    reg->smax_value <= S32_MAX) {
		reg->smin_value = reg->s32_min_value;
		reg->smax_value = reg->s32_max_value;
		reg->umin_value = (uint64_t)reg->s32_min_value;
		reg->umax_value = (uint64_t)reg->s32_max_value;
		reg->var_off = tnum_intersect(reg->var_off,
					      tnum_range((uint64_t)reg->smin_value,
							 (uint64_t)reg->smax_value));
	}
}

static void deduce_bounds(struct reg_state *reg)
{
	deduce_bounds32(reg);
	deduce_bounds64(reg);
	deduce_bounds_mixed(reg);
}

/* Bits the ranges imply. */
static void bound_offset(struct reg_state *reg)
{
	struct tnum t64 = tnum_intersect(reg->var_off,
					 tnum_range(reg->umin_value, reg->umax_value));
	struct tnum t32 = tnum_intersect(tnum_subreg(t64),
					 tnum_range(reg->u32_min_value, reg->u32_max_value));

	reg->var_off = tnum_or(tnum_clear_subreg(t64), t32);
}

/* A known number whose nine facts already say so: a fixed point of
 * every step of reg_bounds_sync (most registers of straight code). */
static bool bounds_at_const(const struct reg_state *reg)
{
	uint64_t v = reg->var_off.value;

	return !reg->var_off.mask && reg->umin_value == v && reg->umax_value == v &&
	       reg->smin_value == (int64_t)v && reg->smax_value == (int64_t)v &&
	       reg->u32_min_value == (uint32_t)v && reg->u32_max_value == (uint32_t)v &&
	       reg->s32_min_value == (int32_t)v && reg->s32_max_value == (int32_t)v;
}

void reg_bounds_sync(struct reg_state *reg)
{
	if (bounds_at_const(reg))
		return;
	update_bounds(reg);
	/* Each pass may feed the next (32 -> 64 -> 32); the kernel runs
	 * three, and more or fewer would change what is proven. */
	deduce_bounds(reg);
	deduce_bounds(reg);
	deduce_bounds(reg);
	bound_offset(reg);
	update_bounds(reg);
}

bool reg_bounds_invalid(const struct reg_state *reg)
{
	if (reg->umin_value > reg->umax_value || reg->smin_value > reg->smax_value ||
	    reg->u32_min_value > reg->u32_max_value ||
	    reg->s32_min_value > reg->s32_max_value)
		return true;
	if (tnum_is_const(reg->var_off)) {
		uint64_t v = reg->var_off.value;

		if (reg->umin_value != v || reg->umax_value != v ||
		    reg->smin_value != (int64_t)v || reg->smax_value != (int64_t)v)
			return true;
	}
	if (tnum_subreg_is_const(reg->var_off)) {
		uint32_t v = (uint32_t)reg->var_off.value;

		if (reg->u32_min_value != v || reg->u32_max_value != v ||
		    reg->s32_min_value != (int32_t)v || reg->s32_max_value != (int32_t)v)
			return true;
	}
	return false;
}

/* ---- ALU ---- */

static void assign_32_into_64(struct reg_state *reg)
{
	reg->umin_value = reg->u32_min_value;
	reg->umax_value = reg->u32_max_value;
	/* Signed 32-bit bounds carry over only when both are non-negative;
	 * otherwise the zero-extended value is somewhere in [0, U32_MAX]. */
	if (reg->s32_min_value >= 0 && reg->s32_max_value >= 0) {
		reg->smin_value = reg->s32_min_value;
		reg->smax_value = reg->s32_max_value;
	} else {
		reg->smin_value = 0;
		reg->smax_value = UINT32_MAX;
	}
}

void reg_zext_32_to_64(struct reg_state *reg)
{
	reg->var_off = tnum_subreg(reg->var_off);
	assign_32_into_64(reg);
}

/*
 * Add and subtract: a signed end that overflows loses the signed range;
 * the unsigned range survives when either every or no sum wraps (the
 * ends tell which), since then the results stay contiguous.
 */
static void add32(struct reg_state *dst, const struct reg_state *src)
{
	int32_t smin, smax;
	uint32_t umin, umax;
	bool min_ov, max_ov;

	if (__builtin_add_overflow(dst->s32_min_value, src->s32_min_value, &smin) ||
	    __builtin_add_overflow(dst->s32_max_value, src->s32_max_value, &smax)) {
		smin = S32_MIN;
		smax = S32_MAX;
	}
	dst->s32_min_value = smin;
	dst->s32_max_value = smax;
	min_ov = __builtin_add_overflow(dst->u32_min_value, src->u32_min_value, &umin);
	max_ov = __builtin_add_overflow(dst->u32_max_value, src->u32_max_value, &umax);
	if (!min_ov && max_ov) {
		umin = 0;
		umax = UINT32_MAX;
	}
	dst->u32_min_value = umin;
	dst->u32_max_value = umax;
}

static void add64(struct reg_state *dst, const struct reg_state *src)
{
	int64_t smin, smax;
	uint64_t umin, umax;
	bool min_ov, max_ov;

	if (__builtin_add_overflow(dst->smin_value, src->smin_value, &smin) ||
	    __builtin_add_overflow(dst->smax_value, src->smax_value, &smax)) {
		smin = S64_MIN;
		smax = S64_MAX;
	}
	dst->smin_value = smin;
	dst->smax_value = smax;
	min_ov = __builtin_add_overflow(dst->umin_value, src->umin_value, &umin);
	max_ov = __builtin_add_overflow(dst->umax_value, src->umax_value, &umax);
	if (!min_ov && max_ov) {
		umin = 0;
		umax = UINT64_MAX;
	}
	dst->umin_value = umin;
	dst->umax_value = umax;
}

static void sub32(struct reg_state *dst, const struct reg_state *src)
{
	int32_t smin, smax;
	uint32_t umin, umax;
	bool min_un, max_un;

	if (__builtin_sub_overflow(dst->s32_min_value, src->s32_max_value, &smin) ||
	    __builtin_sub_overflow(dst->s32_max_value, src->s32_min_value, &smax)) {
		smin = S32_MIN;
		smax = S32_MAX;
	}
	dst->s32_min_value = smin;
	dst->s32_max_value = smax;
	min_un = __builtin_sub_overflow(dst->u32_min_value, src->u32_max_value, &umin);
	max_un = __builtin_sub_overflow(dst->u32_max_value, src->u32_min_value, &umax);
	if (min_un && !max_un) {
		umin = 0;
		umax = UINT32_MAX;
	}
	dst->u32_min_value = umin;
	dst->u32_max_value = umax;
}

static void sub64(struct reg_state *dst, const struct reg_state *src)
{
	int64_t smin, smax;
	uint64_t umin, umax;
	bool min_un, max_un;

	if (__builtin_sub_overflow(dst->smin_value, src->smax_value, &smin) ||
	    __builtin_sub_overflow(dst->smax_value, src->smin_value, &smax)) {
		smin = S64_MIN;
		smax = S64_MAX;
	}
	dst->smin_value = smin;
	dst->smax_value = smax;
	min_un = __builtin_sub_overflow(dst->umin_value, src->umax_value, &umin);
	max_un = __builtin_sub_overflow(dst->umax_value, src->umin_value, &umax);
	if (min_un && !max_un) {
		umin = 0;
		umax = UINT64_MAX;
	}
	dst->umin_value = umin;
	dst->umax_value = umax;
}

/* Multiply: unsigned ends multiply when the larger product fits; signed
 * ends are the extremes of the four corner products when none overflows. */
static void mul32(struct reg_state *dst, const struct reg_state *src)
{
	int32_t p[4];
	uint32_t umin, umax;

	if (__builtin_mul_overflow(dst->u32_max_value, src->u32_max_value, &umax) ||
	    __builtin_mul_overflow(dst->u32_min_value, src->u32_min_value, &umin)) {
		umin = 0;
		umax = UINT32_MAX;
	}
	dst->u32_min_value = umin;
	dst->u32_max_value = umax;
	if (__builtin_mul_overflow(dst->s32_min_value, src->s32_min_value, &p[0]) ||
	    __builtin_mul_overflow(dst->s32_min_value, src->s32_max_value, &p[1]) ||
	    __builtin_mul_overflow(dst->s32_max_value, src->s32_min_value, &p[2]) ||
	    __builtin_mul_overflow(dst->s32_max_value, src->s32_max_value, &p[3])) {
		dst->s32_min_value = S32_MIN;
		dst->s32_max_value = S32_MAX;
	} else {
		dst->s32_min_value = smin32(smin32(p[0], p[1]), smin32(p[2], p[3]));
		dst->s32_max_value = smax32(smax32(p[0], p[1]), smax32(p[2], p[3]));
	}
}

static void mul64(struct reg_state *dst, const struct reg_state *src)
{
	int64_t p[4];
	uint64_t umin, umax;

	if (__builtin_mul_overflow(dst->umax_value, src->umax_value, &umax) ||
	    __builtin_mul_overflow(dst->umin_value, src->umin_value, &umin)) {
		umin = 0;
		umax = UINT64_MAX;
	}
	dst->umin_value = umin;
	dst->umax_value = umax;
	if (__builtin_mul_overflow(dst->smin_value, src->smin_value, &p[0]) ||
	    __builtin_mul_overflow(dst->smin_value, src->smax_value, &p[1]) ||
	    __builtin_mul_overflow(dst->smax_value, src->smin_value, &p[2]) ||
	    __builtin_mul_overflow(dst->smax_value, src->smax_value, &p[3])) {
		dst->smin_value = S64_MIN;
		dst->smax_value = S64_MAX;
	} else {
		dst->smin_value = smin64(smin64(p[0], p[1]), smin64(p[2], p[3]));
		dst->smax_value = smax64(smax64(p[0], p[1]), smax64(p[2], p[3]));
	}
}

/* A u32 range that stays on one side of the sign bit is also the s32
 * range; otherwise nothing is known of the sign. */
static void s32_from_u32(struct reg_state *dst)
{
	if ((int32_t)dst->u32_min_value <= (int32_t)dst->u32_max_value) {
		dst->s32_min_value = (int32_t)dst->u32_min_value;
		dst->s32_max_value = (int32_t)dst->u32_max_value;
	} else {
		dst->s32_min_value = S32_MIN;
		dst->s32_max_value = S32_MAX;
	}
}

static void s64_from_u64(struct reg_state *dst)
{
	if ((int64_t)dst->umin_value <= (int64_t)dst->umax_value) {
		dst->smin_value = (int64_t)dst->umin_value;
		dst->smax_value = (int64_t)dst->umax_value;
	} else {
		dst->smin_value = S64_MIN;
		dst->smax_value = S64_MAX;
	}
}

/*
 * AND, OR, XOR: dst->var_off already holds the result's tnum. Two
 * constants give a constant; otherwise the bitwise result's extremes
 * come from the tnum, sharpened by the operands' ranges where the
 * operation is monotone (x & y <= min(x, y), x | y >= max(x, y)).
 */
static void and32(struct reg_state *dst, const struct reg_state *src, bool both_const)
{
	struct tnum t = tnum_subreg(dst->var_off);

	if (both_const) {
		set_known32(dst, (uint32_t)t.value);
		return;
	}
	dst->u32_min_value = (uint32_t)t.value;
	dst->u32_max_value = umin32(dst->u32_max_value, src->u32_max_value);
	s32_from_u32(dst);
}

static void and64(struct reg_state *dst, const struct reg_state *src, bool both_const)
{
	if (both_const) {
		set_known(dst, dst->var_off.value);
		return;
	}
	dst->umin_value = dst->var_off.value;
	dst->umax_value = umin64(dst->umax_value, src->umax_value);
	s64_from_u64(dst);
	update_bounds(dst);
}

static void or32(struct reg_state *dst, const struct reg_state *src, bool both_const)
{
	struct tnum t = tnum_subreg(dst->var_off);

	if (both_const) {
		set_known32(dst, (uint32_t)t.value);
		return;
	}
	dst->u32_min_value = umax32(dst->u32_min_value, src->u32_min_value);
	dst->u32_max_value = (uint32_t)(t.value | t.mask);
	s32_from_u32(dst);
}

static void or64(struct reg_state *dst, const struct reg_state *src, bool both_const)
{
	if (both_const) {
		set_known(dst, dst->var_off.value);
		return;
	}
	dst->umin_value = umax64(dst->umin_value, src->umin_value);
	dst->umax_value = dst->var_off.value | dst->var_off.mask;
	s64_from_u64(dst);
	update_bounds(dst);
}

static void xor32(struct reg_state *dst, bool both_const)
{
	struct tnum t = tnum_subreg(dst->var_off);

	if (both_const) {
		set_known32(dst, (uint32_t)t.value);
		return;
	}
	dst->u32_min_value = (uint32_t)t.value;
	dst->u32_max_value = (uint32_t)(t.value | t.mask);
	s32_from_u32(dst);
}

static void xor64(struct reg_state *dst, bool both_const)
{
	if (both_const) {
		set_known(dst, dst->var_off.value);
		return;
	}
	dst->umin_value = dst->var_off.value;
	dst->umax_value = dst->var_off.value | dst->var_off.mask;
	s64_from_u64(dst);
	update_bounds(dst);
}

/* Left shifts: the unsigned range shifts when the top bit cannot be
 * shifted out; the sign is lost, except for the "<< 32" of the
 * sign-extension idiom where the s32 range moves up whole. */
static void lsh32_bounds(struct reg_state *dst, uint64_t smin_sh, uint64_t smax_sh)
{
	dst->s32_min_value = S32_MIN;
	dst->s32_max_value = S32_MAX;
	if (smax_sh > 31 || dst->u32_max_value > 1ull << (31 - smax_sh)) {
		dst->u32_min_value = 0;
		dst->u32_max_value = UINT32_MAX;
	} else {
		dst->u32_min_value <<= smin_sh;
		dst->u32_max_value <<= smax_sh;
	}
}

static void lsh64_bounds(struct reg_state *dst, uint64_t smin_sh, uint64_t smax_sh)
{
	if (smin_sh == 32 && smax_sh == 32) {
		dst->smax_value = (int64_t)((uint64_t)(int64_t)dst->s32_max_value << 32);
		dst->smin_value = (int64_t)((uint64_t)(int64_t)dst->s32_min_value << 32);
	} else {
		dst->smax_value = S64_MAX;
		dst->smin_value = S64_MIN;
	}
	if (dst->umax_value > 1ull << (63 - smax_sh)) {
		dst->umin_value = 0;
		dst->umax_value = UINT64_MAX;
	} else {
		dst->umin_value <<= smin_sh;
		dst->umax_value <<= smax_sh;
	}
}

static void lsh32(struct reg_state *dst, const struct reg_state *src)
{
	struct tnum sub = tnum_subreg(dst->var_off);
	uint32_t lo = src->u32_min_value, hi = src->u32_max_value;

	lsh32_bounds(dst, lo, hi);
	dst->var_off = tnum_subreg(tnum_lshift(sub, (uint8_t)lo));
	/* the 64-bit half is rebuilt by the zero extension */
	unbound64(dst);
	update_bounds32(dst);
}

static void lsh64(struct reg_state *dst, const struct reg_state *src)
{
	/* the 64-bit rule reads the unshifted s32 bounds: it goes first */
	lsh64_bounds(dst, src->umin_value, src->umax_value);
	lsh32_bounds(dst, src->umin_value, src->umax_value);
	dst->var_off = tnum_lshift(dst->var_off, (uint8_t)src->umin_value);
	update_bounds(dst);
}

/* Logical right shift: the sign of the result comes from the new
 * unsigned range and tnum alone. */
static void rsh32(struct reg_state *dst, const struct reg_state *src)
{
	struct tnum sub = tnum_subreg(dst->var_off);
	uint32_t lo = src->u32_min_value, hi = src->u32_max_value;

	dst->s32_min_value = S32_MIN;
	dst->s32_max_value = S32_MAX;
	dst->var_off = tnum_rshift(sub, (uint8_t)lo);
	dst->u32_min_value >>= hi;
	dst->u32_max_value >>= lo;
	unbound64(dst);
	update_bounds32(dst);
}

static void rsh64(struct reg_state *dst, const struct reg_state *src)
{
	uint64_t lo = src->umin_value, hi = src->umax_value;

	dst->smin_value = S64_MIN;
	dst->smax_value = S64_MAX;
	dst->var_off = tnum_rshift(dst->var_off, (uint8_t)lo);
	dst->umin_value >>= hi;
	dst->umax_value >>= lo;
	/* the low half depends on bits shifted in from above: from the
	 * tnum only */
	unbound32(dst);
	update_bounds(dst);
}

/* Arithmetic right shift by a constant: monotone in the signed domain. */
static void arsh32(struct reg_state *dst, const struct reg_state *src)
{
	uint32_t sh = src->u32_min_value;

	dst->s32_min_value = dst->s32_min_value >> sh;
	dst->s32_max_value = dst->s32_max_value >> sh;
	dst->var_off = tnum_arshift(tnum_subreg(dst->var_off), (uint8_t)sh, 32);
	dst->u32_min_value = 0;
	dst->u32_max_value = UINT32_MAX;
	unbound64(dst);
	update_bounds32(dst);
}

static void arsh64(struct reg_state *dst, const struct reg_state *src)
{
	uint64_t sh = src->umin_value;

	dst->smin_value = dst->smin_value >> sh;
	dst->smax_value = dst->smax_value >> sh;
	dst->var_off = tnum_arshift(dst->var_off, (uint8_t)sh, 64);
	dst->umin_value = 0;
	dst->umax_value = UINT64_MAX;
	unbound32(dst);
	update_bounds(dst);
}

/* Which operations the bounds are computed for; the others (division,
 * modulo, shifts by a variable or too far) give an unknown register:
 * Linux 6.18 does not track division or modulo. */
static bool alu_tracked(const struct reg_state *src, uint8_t op, bool alu32)
{
	bool src_const;

	if (alu32)
		src_const = tnum_subreg_is_const(src->var_off) &&
			    src->s32_min_value == src->s32_max_value &&
			    src->u32_min_value == src->u32_max_value;
	else
		src_const = tnum_is_const(src->var_off) &&
			    src->smin_value == src->smax_value &&
			    src->umin_value == src->umax_value;

	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_NEG:
	case BPF_AND:
	case BPF_XOR:
	case BPF_OR:
	case BPF_MUL:
		return true;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		return src_const && src->umax_value < (alu32 ? 32u : 64u);
	default:
		return false;
	}
}

void scalar_alu(struct reg_state *dst, const struct reg_state *src_in, uint8_t op,
		bool alu32, bool sdiv)
{
	struct reg_state src = *src_in, neg_of;
	bool both_const;

	(void)sdiv; /* division is not tracked, signed or not */
	if (!alu_tracked(&src, op, alu32)) {
		reg_mark_unknown(dst);
		return;
	}
	both_const = alu32 ? tnum_subreg_is_const(src.var_off) &&
				     tnum_subreg_is_const(dst->var_off)
			   : tnum_is_const(src.var_off) && tnum_is_const(dst->var_off);

	switch (op) {
	case BPF_ADD:
		add32(dst, &src);
		add64(dst, &src);
		dst->var_off = tnum_add(dst->var_off, src.var_off);
		break;
	case BPF_SUB:
		sub32(dst, &src);
		sub64(dst, &src);
		dst->var_off = tnum_sub(dst->var_off, src.var_off);
		break;
	case BPF_NEG:
		/* 0 - dst */
		neg_of = *dst;
		set_known(dst, 0);
		sub32(dst, &neg_of);
		sub64(dst, &neg_of);
		dst->var_off = tnum_neg(neg_of.var_off);
		break;
	case BPF_MUL:
		dst->var_off = tnum_mul(dst->var_off, src.var_off);
		mul32(dst, &src);
		mul64(dst, &src);
		break;
	case BPF_AND:
		dst->var_off = tnum_and(dst->var_off, src.var_off);
		and32(dst, &src, both_const);
		and64(dst, &src, both_const);
		break;
	case BPF_OR:
		dst->var_off = tnum_or(dst->var_off, src.var_off);
		or32(dst, &src, both_const);
		or64(dst, &src, both_const);
		break;
	case BPF_XOR:
		dst->var_off = tnum_xor(dst->var_off, src.var_off);
		xor32(dst, both_const);
		xor64(dst, both_const);
		break;
	case BPF_LSH:
		if (alu32)
			lsh32(dst, &src);
		else
			lsh64(dst, &src);
		break;
	case BPF_RSH:
		if (alu32)
			rsh32(dst, &src);
		else
			rsh64(dst, &src);
		break;
	case BPF_ARSH:
		if (alu32)
			arsh32(dst, &src);
		else
			arsh64(dst, &src);
		break;
	}
	if (alu32)
		reg_zext_32_to_64(dst);
	reg_bounds_sync(dst);
}

/* ---- extensions ---- */

static void coerce_zext(struct reg_state *reg, int size)
{
	uint64_t mask;

	if (size >= 8) {
		reg_bounds_sync(reg);
		return;
	}
	reg->var_off = tnum_cast(reg->var_off, (uint8_t)size);
	mask = (1ull << (size * 8)) - 1;
	/* Same bits above the size across the range: the truncated ends
	 * still bound it. */
	if ((reg->umin_value & ~mask) == (reg->umax_value & ~mask)) {
		reg->umin_value &= mask;
		reg->umax_value &= mask;
	} else {
		reg->umin_value = 0;
		reg->umax_value = mask;
	}
	reg->smin_value = (int64_t)reg->umin_value;
	reg->smax_value = (int64_t)reg->umax_value;
	/* Narrower than the subregister: its bounds are rebuilt from the
	 * 64-bit ones. At 4 bytes they are unchanged. */
	if (size < 4)
		unbound32(reg);
	reg_bounds_sync(reg);
}

static int64_t sext(uint64_t v, int size)
{
	if (size == 1)
		return (int8_t)v;
	if (size == 2)
		return (int16_t)v;
	return (int32_t)v;
}

static void coerce_sext64(struct reg_state *reg, int size)
{
	unsigned bits = (unsigned)size * 8;
	int64_t a, b, lo, hi;

	if (size >= 8)
		return;
	if (tnum_is_const(reg->var_off)) {
		set_known(reg, (uint64_t)sext(reg->var_off.value, size));
		return;
	}
	/* Same bits above the size at both signed ends: the low parts form
	 * a range, which sign extension keeps when it does not cross the
	 * size's sign bit. */
	if (((uint64_t)reg->smax_value >> bits) == ((uint64_t)reg->smin_value >> bits)) {
		a = sext((uint64_t)reg->smax_value, size);
		b = sext((uint64_t)reg->smin_value, size);
		hi = smax64(a, b);
		lo = smin64(a, b);
		if ((hi >= 0) == (lo >= 0)) {
			reg->smin_value = lo;
			reg->smax_value = hi;
			reg->s32_min_value = (int32_t)lo;
			reg->s32_max_value = (int32_t)hi;
			reg->umin_value = (uint64_t)lo;
			reg->umax_value = (uint64_t)hi;
			reg->u32_min_value = (uint32_t)lo;
			reg->u32_max_value = (uint32_t)hi;
			reg->var_off = tnum_range((uint64_t)lo, (uint64_t)hi);
			return;
		}
	}
	/* The whole range of the size, sign-extended. */
	reg->smin_value = reg->s32_min_value = size == 1 ? INT8_MIN : size == 2 ? INT16_MIN : S32_MIN;
	reg->smax_value = reg->s32_max_value = size == 1 ? INT8_MAX : size == 2 ? INT16_MAX : S32_MAX;
	reg->umin_value = 0;
	reg->u32_min_value = 0;
	reg->umax_value = UINT64_MAX;
	reg->u32_max_value = UINT32_MAX;
	reg->var_off = tnum_unknown;
}

/* The 32-bit form for "w = (s8/s16) w": only the subregister moves. */
static void coerce_sext32(struct reg_state *reg, int size)
{
	unsigned bits = (unsigned)size * 8;
	int32_t a, b, lo, hi;

	if (tnum_is_const(reg->var_off)) {
		uint32_t v = (uint32_t)sext(reg->var_off.value, size);

		reg->var_off = tnum_const((uint64_t)sext(reg->var_off.value, size));
		reg->s32_min_value = reg->s32_max_value = (int32_t)v;
		reg->u32_min_value = reg->u32_max_value = v;
		return;
	}
	if (((uint32_t)reg->s32_max_value >> bits) == ((uint32_t)reg->s32_min_value >> bits)) {
		a = (int32_t)sext((uint32_t)reg->s32_max_value, size);
		b = (int32_t)sext((uint32_t)reg->s32_min_value, size);
		hi = smax32(a, b);
		lo = smin32(a, b);
		if ((hi >= 0) == (lo >= 0)) {
			reg->s32_min_value = lo;
			reg->s32_max_value = hi;
			reg->u32_min_value = (uint32_t)lo;
			reg->u32_max_value = (uint32_t)hi;
			reg->var_off = tnum_subreg(tnum_range((uint64_t)(int64_t)lo,
							      (uint64_t)(int64_t)hi));
			return;
		}
	}
	reg->s32_min_value = size == 1 ? INT8_MIN : INT16_MIN;
	reg->s32_max_value = size == 1 ? INT8_MAX : INT16_MAX;
	reg->u32_min_value = 0;
	reg->u32_max_value = UINT32_MAX;
	reg->var_off = tnum_subreg(tnum_unknown);
}

void reg_coerce_to_size(struct reg_state *reg, int size, bool sign)
{
	if (sign)
		coerce_sext64(reg, size);
	else
		coerce_zext(reg, size);
}

void scalar_movsx(struct reg_state *dst, const struct reg_state *src, int bits,
		  bool alu32)
{
	*dst = *src;
	/* A value that sign extension cannot change keeps its link to the
	 * source; any other gets a new identity. */
	if (!(src->umax_value < 1ull << (bits - 1)))
		scalar_unlink(dst);
	if (alu32) {
		if (bits < 32)
			coerce_sext32(dst, bits / 8);
		reg_zext_32_to_64(dst);
		reg_bounds_sync(dst);
	} else {
		coerce_sext64(dst, bits / 8);
	}
}

void scalar_byte_swap(struct reg_state *reg, int width, bool to_be, bool alu64)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	const bool big_endian = true;
#else
	const bool big_endian = false;
#endif
	/* bswap always swaps; le/be swap when the host order differs. */
	bool swap = alu64 || to_be != big_endian;

	if (swap) {
		/* A permutation of bytes: the tnum follows exactly, the
		 * ranges are rebuilt from it. */
		uint64_t keep = width >= 64 ? ~0ull : (1ull << width) - 1;

		reg->var_off = TNUM(bswap_n(reg->var_off.value & keep, width),
				    bswap_n(reg->var_off.mask & keep, width));
		reg_mark_unbounded(reg);
	}
	/* a changed value is no longer linked to its copies */
	if (swap || width < 64)
		scalar_unlink(reg);
	if (width == 16 || width == 32)
		coerce_zext(reg, width / 8);
	/* no zero extension of the 32-bit class here: le64/be64 keep the
	 * upper half */
	reg_bounds_sync(reg);
}

/* ---- conditional jumps ---- */

uint8_t cond_negate(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	/* "no bit in common" has no opcode: JSET with the X bit marks it */
	case BPF_JSET: return BPF_JSET | BPF_X;
	case BPF_JSET | BPF_X: return BPF_JSET;
	case BPF_JGE: return BPF_JLT;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSLT: return BPF_JSGE;
	default: return 0;
	}
}

uint8_t cond_flip(uint8_t op)
{
	switch (op) {
	case BPF_JGE: return BPF_JLE;
	case BPF_JGT: return BPF_JLT;
	case BPF_JLE: return BPF_JGE;
	case BPF_JLT: return BPF_JGT;
	case BPF_JSGE: return BPF_JSLE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSLE: return BPF_JSGE;
	case BPF_JSLT: return BPF_JSGT;
	default: return op; /* symmetric */
	}
}

static bool is_const_w(const struct reg_state *reg, bool w32)
{
	return base_type(reg->type) == SCALAR_VALUE &&
	       (w32 ? tnum_subreg_is_const(reg->var_off) : tnum_is_const(reg->var_off));
}

static uint64_t const_w(const struct reg_state *reg, bool w32)
{
	return w32 ? (uint32_t)reg->var_off.value : reg->var_off.value;
}

int scalar_branch_taken(const struct reg_state *r1, const struct reg_state *r2,
			uint8_t op, bool jmp32)
{
	struct tnum t1 = jmp32 ? tnum_subreg(r1->var_off) : r1->var_off;
	struct tnum t2 = jmp32 ? tnum_subreg(r2->var_off) : r2->var_off;
	uint64_t umin1 = jmp32 ? r1->u32_min_value : r1->umin_value;
	uint64_t umax1 = jmp32 ? r1->u32_max_value : r1->umax_value;
	int64_t smin1 = jmp32 ? r1->s32_min_value : r1->smin_value;
	int64_t smax1 = jmp32 ? r1->s32_max_value : r1->smax_value;
	uint64_t umin2 = jmp32 ? r2->u32_min_value : r2->umin_value;
	uint64_t umax2 = jmp32 ? r2->u32_max_value : r2->umax_value;
	int64_t smin2 = jmp32 ? r2->s32_min_value : r2->smin_value;
	int64_t smax2 = jmp32 ? r2->s32_max_value : r2->smax_value;
	bool disjoint;
	int r;

	switch (op) {
	case BPF_JEQ:
	case BPF_JNE:
		if (tnum_is_const(t1) && tnum_is_const(t2))
			return (t1.value == t2.value) == (op == BPF_JEQ);
		/* No common member: by the bits, or by any of the ranges (the
		 * 32-bit ones too, for a 64-bit compare). */
		disjoint = !tnum_overlap(t1, t2) || umin1 > umax2 || umax1 < umin2 ||
			   smin1 > smax2 || smax1 < smin2;
		if (!jmp32 && !disjoint)
			disjoint = r1->u32_min_value > r2->u32_max_value ||
				   r1->u32_max_value < r2->u32_min_value ||
				   r1->s32_min_value > r2->s32_max_value ||
				   r1->s32_max_value < r2->s32_min_value;
		if (disjoint)
			return op == BPF_JNE;
		return -1;
	case BPF_JSET:
	case BPF_JSET | BPF_X:
		if (!is_const_w(r2, jmp32)) {
			struct tnum t = t1;

			t1 = t2;
			t2 = t;
			if (!is_const_w(r1, jmp32))
				return -1;
		}
		r = -1;
		if (t1.value & t2.value) /* a known 1 in common */
			r = 1;
		else if (!((t1.mask | t1.value) & t2.value))
			r = 0;
		if (r >= 0 && op != BPF_JSET)
			r = !r;
		return r;
	case BPF_JGT:
		if (umin1 > umax2)
			return 1;
		if (umax1 <= umin2)
			return 0;
		return -1;
	case BPF_JSGT:
		if (smin1 > smax2)
			return 1;
		if (smax1 <= smin2)
			return 0;
		return -1;
	case BPF_JLT:
		if (umax1 < umin2)
			return 1;
		if (umin1 >= umax2)
			return 0;
		return -1;
	case BPF_JSLT:
		if (smax1 < smin2)
			return 1;
		if (smin1 >= smax2)
			return 0;
		return -1;
	case BPF_JGE:
		if (umin1 >= umax2)
			return 1;
		if (umax1 < umin2)
			return 0;
		return -1;
	case BPF_JSGE:
		if (smin1 >= smax2)
			return 1;
		if (smax1 < smin2)
			return 0;
		return -1;
	case BPF_JLE:
		if (umax1 <= umin2)
			return 1;
		if (umin1 > umax2)
			return 0;
		return -1;
	case BPF_JSLE:
		if (smax1 <= smin2)
			return 1;
		if (smin1 > smax2)
			return 0;
		return -1;
	default:
		return -1;
	}
}

static void swap_regs(struct reg_state **a, struct reg_state **b)
{
	struct reg_state *t = *a;

	*a = *b;
	*b = t;
}

/* The +1/-1 below run on the far end of an impossible branch only; they
 * wrap (in unsigned arithmetic) rather than overflow. */
static int64_t s64_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int32_t s32_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

static void refine(struct reg_state *r1, struct reg_state *r2, uint8_t op, bool w32)
{
	struct tnum t;
	uint64_t val;

	/* Greater-than forms are the less-than forms with operands swapped. */
	switch (op) {
	case BPF_JGE:
	case BPF_JGT:
	case BPF_JSGE:
	case BPF_JSGT:
		op = cond_flip(op);
		swap_regs(&r1, &r2);
		break;
	}

	switch (op) {
	case BPF_JEQ:
		/* Both hold the one value: each range is the intersection. */
		if (w32) {
			r1->u32_min_value = umax32(r1->u32_min_value, r2->u32_min_value);
			r1->u32_max_value = umin32(r1->u32_max_value, r2->u32_max_value);
			r1->s32_min_value = smax32(r1->s32_min_value, r2->s32_min_value);
			r1->s32_max_value = smin32(r1->s32_max_value, r2->s32_max_value);
			r2->u32_min_value = r1->u32_min_value;
			r2->u32_max_value = r1->u32_max_value;
			r2->s32_min_value = r1->s32_min_value;
			r2->s32_max_value = r1->s32_max_value;
			t = tnum_intersect(tnum_subreg(r1->var_off), tnum_subreg(r2->var_off));
			r1->var_off = tnum_with_subreg(r1->var_off, t);
			r2->var_off = tnum_with_subreg(r2->var_off, t);
		} else {
			r1->umin_value = umax64(r1->umin_value, r2->umin_value);
			r1->umax_value = umin64(r1->umax_value, r2->umax_value);
			r1->smin_value = smax64(r1->smin_value, r2->smin_value);
			r1->smax_value = smin64(r1->smax_value, r2->smax_value);
			r2->umin_value = r1->umin_value;
			r2->umax_value = r1->umax_value;
			r2->smin_value = r1->smin_value;
			r2->smax_value = r1->smax_value;
			r1->var_off = tnum_intersect(r1->var_off, r2->var_off);
			r2->var_off = r1->var_off;
		}
		break;
	case BPF_JNE:
		/* Only a constant at an end of the other's range cuts it. */
		if (!is_const_w(r2, w32))
			swap_regs(&r1, &r2);
		if (!is_const_w(r2, w32))
			break;
		val = const_w(r2, w32);
		if (w32) {
			if (r1->u32_min_value == (uint32_t)val)
				r1->u32_min_value++;
			if (r1->u32_max_value == (uint32_t)val)
				r1->u32_max_value--;
			if (r1->s32_min_value == (int32_t)val)
				r1->s32_min_value = s32_add(r1->s32_min_value, 1);
			if (r1->s32_max_value == (int32_t)val)
				r1->s32_max_value = s32_add(r1->s32_max_value, -1);
		} else {
			if (r1->umin_value == val)
				r1->umin_value++;
			if (r1->umax_value == val)
				r1->umax_value--;
			if (r1->smin_value == (int64_t)val)
				r1->smin_value = s64_add(r1->smin_value, 1);
			if (r1->smax_value == (int64_t)val)
				r1->smax_value = s64_add(r1->smax_value, -1);
		}
		break;
	case BPF_JSET:
		/* "some bit of val is set" says which bit only when val has
		 * a single one. */
		if (!is_const_w(r2, w32))
			swap_regs(&r1, &r2);
		if (!is_const_w(r2, w32))
			break;
		val = const_w(r2, w32);
		if (!val || (val & (val - 1)))
			break;
		if (w32) {
			t = tnum_or(tnum_subreg(r1->var_off), tnum_const(val));
			r1->var_off = tnum_with_subreg(r1->var_off, t);
		} else {
			r1->var_off = tnum_or(r1->var_off, tnum_const(val));
		}
		break;
	case BPF_JSET | BPF_X:
		/* no bit of val set: all of them are known zeros */
		if (!is_const_w(r2, w32))
			swap_regs(&r1, &r2);
		if (!is_const_w(r2, w32))
			break;
		val = const_w(r2, w32);
		/* The ranges are forgotten first and rebuilt from the tnum,
		 * as Linux 6.18 does (on a dead branch they could contradict
		 * the narrowed tnum): what they knew beyond it is lost. */
		reg_mark_unbounded(r1);
		if (w32) {
			t = tnum_and(tnum_subreg(r1->var_off), tnum_const(~val));
			r1->var_off = tnum_with_subreg(r1->var_off, t);
		} else {
			r1->var_off = tnum_and(r1->var_off, tnum_const(~val));
		}
		break;
	case BPF_JLE:
		if (w32) {
			r1->u32_max_value = umin32(r1->u32_max_value, r2->u32_max_value);
			r2->u32_min_value = umax32(r1->u32_min_value, r2->u32_min_value);
		} else {
			r1->umax_value = umin64(r1->umax_value, r2->umax_value);
			r2->umin_value = umax64(r1->umin_value, r2->umin_value);
		}
		break;
	case BPF_JLT:
		if (w32) {
			r1->u32_max_value = umin32(r1->u32_max_value, r2->u32_max_value - 1);
			r2->u32_min_value = umax32(r1->u32_min_value + 1, r2->u32_min_value);
		} else {
			r1->umax_value = umin64(r1->umax_value, r2->umax_value - 1);
			r2->umin_value = umax64(r1->umin_value + 1, r2->umin_value);
		}
		break;
	case BPF_JSLE:
		if (w32) {
			r1->s32_max_value = smin32(r1->s32_max_value, r2->s32_max_value);
			r2->s32_min_value = smax32(r1->s32_min_value, r2->s32_min_value);
		} else {
			r1->smax_value = smin64(r1->smax_value, r2->smax_value);
			r2->smin_value = smax64(r1->smin_value, r2->smin_value);
		}
		break;
	case BPF_JSLT:
		if (w32) {
			r1->s32_max_value = smin32(r1->s32_max_value, s32_add(r2->s32_max_value, -1));
			r2->s32_min_value = smax32(s32_add(r1->s32_min_value, 1), r2->s32_min_value);
		} else {
			r1->smax_value = smin64(r1->smax_value, s64_add(r2->smax_value, -1));
			r2->smin_value = smax64(s64_add(r1->smin_value, 1), r2->smin_value);
		}
		break;
	}
}

void scalar_refine_cond(struct reg_state *r1, struct reg_state *r2, uint8_t op,
			bool jmp32)
{
	refine(r1, r2, op, jmp32);
	reg_bounds_sync(r1);
	reg_bounds_sync(r2);
}
