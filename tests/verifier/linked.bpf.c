/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: linked scalars. A copy of a scalar shares its id, and so
 * does a copy plus a constant (`r7 = r6; r7 += 10`, the kernel's
 * BPF_ADD_CONST): what a jump proves on one is applied to the others,
 * shifted by the constant. 32-bit copies link when the value fits in 32
 * bits, and a 32-bit addition links in 32-bit arithmetic (its wrap-around
 * must not be taken for a bound). Compilers write these for `c - '0' < 10`
 * and for loops whose counter is copied before the check.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long long[6]);
	__uint(max_entries, 1);
} map_array_48b SEC(".maps");

/* r8 = a pointer to map_array_48b's value (or exit), r6 = a random
 * number in [0, 255]. */
#define VALUE48_IN_R8_BYTE_IN_R6                                               \
	"r1 = 0;"                                                              \
	"*(u32 *)(r10 - 4) = r1;"                                              \
	"r2 = r10;"                                                            \
	"r2 += -4;"                                                            \
	"r1 = %[map_array_48b] ll;"                                            \
	"call %[bpf_map_lookup_elem];"                                         \
	"if r0 != 0 goto l9_%=;"                                               \
	"exit;"                                                                \
	"l9_%=:"                                                               \
	"r8 = r0;"                                                             \
	"call %[bpf_get_prandom_u32];"                                         \
	"r6 = r0;"                                                             \
	"r6 &= 0xff;"

#define IMMS __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32)

SEC("socket")
__description("linked: a copy plus a constant bounds the original")
__success
__naked void add_const64(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += 10;"
	"if r7 > 20 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 37);"  /* r6 <= 10 */
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: ... and one byte more is out of bounds")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1")
__naked void add_const64_bad(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += 10;"
	"if r7 > 20 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 38);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: the original bounds the copy plus a constant")
__success
__naked void add_const64_other_way(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += 10;"
	"if r6 > 20 goto l0_%=;"
	"r8 += r7;"
	"r0 = *(u8 *)(r8 + 17);"  /* r7 <= 30 */
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a negative constant (c - '0' < 10)")
__success
__naked void add_const64_negative(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += -48;"
	"if r7 > 9 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 - 10);"  /* r6 in [48, 57] */
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: two copies plus different constants bound each other")
__success
__naked void add_const64_two_copies(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += 10;"
	"r9 = r6;"
	"r9 += 30;"
	"if r7 > 20 goto l0_%=;"
	"r8 += r9;"
	"r0 = *(u8 *)(r8 + 7);"   /* r9 <= 40 */
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a second constant unlinks the copy")
__failure __msg("invalid access to map value, value_size=48 off=292 size=1")
__naked void add_const64_twice(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += 5;"
	"r7 += 5;"
	"if r7 > 20 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 37);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a 32-bit copy of a 32-bit value")
__success
__naked void mov32_link(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"w7 = w6;"
	"if w7 > 10 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 37);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a 32-bit copy of a wider value is not linked")
__failure __msg("R8 unbounded memory access")
__naked void mov32_wide_no_link(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r6 <<= 32;"
	"r6 |= 0x1;"
	"w7 = w6;"
	"if w7 > 10 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 0);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a 32-bit copy plus a constant")
__success
__naked void add_const32(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"w7 = w6;"
	"w7 += 10;"
	"if w7 > 20 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 37);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a 32-bit addition wraps, no bound")
__failure __msg("R8 unbounded memory access")
__naked void add_const32_wraps(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"call %[bpf_get_prandom_u32];"
	"w6 = w0;"                /* any 32-bit value */
	"w7 = w6;"
	"w7 += 10;"
	"if w7 > 20 goto l0_%=;"  /* w6 in [0, 10] or [2^32 - 10, 2^32 - 1] */
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 0);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a 64-bit addition that may wrap: no unsigned bound")
__failure __msg("R8 unbounded memory access")
__naked void add_const64_wraps(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"call %[bpf_get_prandom_u32];"
	"r6 = r0;"
	"r6 <<= 32;"
	"r6 s>>= 32;"             /* any value in [-2^31, 2^31) */
	"r7 = r6;"
	"r7 += 10;"
	"if r7 > 20 goto l0_%=;"  /* r6 in [-10, 10] */
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 10);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: the original written after the copy is not bounded")
__failure __msg("invalid access to map value, value_size=48 off=1057 size=1")
__naked void add_const64_original_changed(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += 10;"
	"r6 <<= 2;"
	"if r7 > 20 goto l0_%=;"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 37);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: the link survives a spill and a fill")
__success
__naked void add_const64_spilled(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"r7 = r6;"
	"r7 += 10;"
	"*(u64 *)(r10 - 16) = r6;"
	"if r7 > 20 goto l0_%=;"
	"r6 = *(u64 *)(r10 - 16);"
	"r8 += r6;"
	"r0 = *(u8 *)(r8 + 37);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: a copy plus a 64-bit constant and one plus a 32-bit one do not sync")
__failure __msg("invalid access to map value, value_size=48 off=288 size=1")
__naked void add_const_widths_apart(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"w7 = w6;"
	"w7 += 3;"
	"r6 += 1;"                /* now both carry a constant, of other widths */
	"if r6 s>= 9 goto l0_%=;"
	"r8 += r7;"
	"r0 = *(u8 *)(r8 + 30);"
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

SEC("socket")
__description("linked: two copies plus 32-bit constants sync")
__success
__naked void add_const32_both(void)
{
	asm volatile (VALUE48_IN_R8_BYTE_IN_R6
	"w7 = w6;"
	"w7 += 3;"
	"w6 += 1;"
	"if r6 s>= 9 goto l0_%=;"
	"r8 += r7;"
	"r0 = *(u8 *)(r8 + 30);"  /* r7 <= 10 */
	"l0_%=: r0 = 0;"
	"exit;"
	:: IMMS : __clobber_all);
}

char _license[] SEC("license") = "GPL";
