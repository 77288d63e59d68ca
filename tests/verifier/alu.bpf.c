/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: ALU and ALU64 instructions on scalars. What the
 * verifier must refuse (shifts out of range, division by a constant zero,
 * uninitialised registers, writes to r10, arithmetic that makes no sense
 * on pointers) and what it must know about the results: the bounds it
 * tracks are checked by branches that are only safe to skip when the
 * verifier proves them dead ("if rX > N goto bad" where bad dereferences
 * a scalar).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

/* ---- plain arithmetic ---- */

SEC("socket")
__description("alu64 add of constants")
__success
__naked void add_constants(void)
{
	asm volatile ("r0 = 1;"
		      "r0 += 2;"
		      "r0 -= 3;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("alu32 ops on constants keep the result known")
__success
__naked void alu32_constants_known(void)
{
	asm volatile ("w1 = 6;"
		      "w1 *= 7;"
		      "w1 -= 2;"
		      "w1 <<= 2;"
		      "w1 >>= 1;"
		      "w1 |= 0x100;"
		      "w1 &= 0x1f3;"
		      "w1 ^= 1;"
		      /* ((6 * 7 - 2) << 2 >> 1 | 0x100) & 0x1f3 ^ 1 = 0x151 */
		      "if r1 != 0x151 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("alu64 neg of a constant is known")
__success
__naked void neg_constant(void)
{
	asm volatile ("r1 = 5;"
		      "r1 = -r1;"
		      "if r1 != -5 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

/* ---- shifts ---- */

SEC("socket")
__description("lsh64 by 63 is valid")
__success
__naked void lsh64_63(void)
{
	asm volatile ("r0 = 1;"
		      "r0 <<= 63;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("lsh64 by immediate 64 is refused")
__failure __msg("invalid shift 64")
__naked void lsh64_64(void)
{
	asm volatile ("r0 = 1;"
		      "r0 <<= 64;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("rsh64 by immediate 100 is refused")
__failure __msg("invalid shift 100")
__naked void rsh64_100(void)
{
	asm volatile ("r0 = 1;"
		      "r0 >>= 100;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("arsh64 by immediate 64 is refused")
__failure __msg("invalid shift 64")
__naked void arsh64_64(void)
{
	asm volatile ("r0 = 1;"
		      "r0 s>>= 64;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("lsh32 by 31 is valid")
__success
__naked void lsh32_31(void)
{
	asm volatile ("w0 = 1;"
		      "w0 <<= 31;"
		      "w0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("lsh32 by immediate 32 is refused")
__failure __msg("invalid shift 32")
__naked void lsh32_32(void)
{
	asm volatile ("w0 = 1;"
		      "w0 <<= 32;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("arsh32 by immediate -1 is refused")
__failure __msg("invalid shift -1")
__naked void arsh32_minus1(void)
{
	asm volatile ("w0 = 1;"
		      "w0 s>>= -1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("shift by a register of any value is valid (masked at run time)")
__success
__naked void shift_by_register(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r1 = 1;"
		      "r1 <<= r0;"
		      "w1 >>= w0;"
		      "r1 s>>= r0;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("rsh64 by 60 bounds an unknown value to [0, 15]")
__success
__naked void rsh_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 >>= 60;"
		      "if r0 > 15 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("rsh64 by 60: 15 is possible, the bad branch is live")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void rsh_bounds_tight(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 >>= 60;"
		      "if r0 > 14 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("arsh64 by 60 bounds an unknown value to [-8, 7]")
__success
__naked void arsh_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 s>>= 60;"
		      "if r0 s> 7 goto l0_%=;"
		      "if r0 s< -8 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("arsh64 by 60: -8 is possible")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void arsh_bounds_tight(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 s>>= 60;"
		      "if r0 s< -7 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("lsh 32 then arsh 32 sign-extends the low half")
__success
__naked void lsh_arsh_sign_extend(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
		      "r0 <<= 32;"
		      "r0 s>>= 32;"
		      "if r0 s> 0x7fffffff goto l0_%=;"
		      "if r0 s< -2147483648 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_get_prandom_u32)
		      : __clobber_all);
}

/* ---- division and modulo ---- */

SEC("socket")
__description("div64 by immediate zero is refused")
__failure __msg("div by zero")
__naked void div64_imm_zero(void)
{
	asm volatile ("r0 = 1;"
		      "r0 /= 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("mod32 by immediate zero is refused")
__failure __msg("div by zero")
__naked void mod32_imm_zero(void)
{
	asm volatile ("w0 = 1;"
		      "w0 %%= 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("sdiv64 by immediate zero is refused")
__failure __msg("div by zero")
__naked void sdiv64_imm_zero(void)
{
	asm volatile ("r0 = 1;"
		      "r0 s/= 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("smod32 by immediate zero is refused")
__failure __msg("div by zero")
__naked void smod32_imm_zero(void)
{
	asm volatile ("w0 = 1;"
		      "w0 s%%= 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("div and mod by a register that is zero are valid (result defined)")
__success
__naked void div_by_zero_register(void)
{
	asm volatile ("r0 = 7;"
		      "r1 = 0;"
		      "r0 /= r1;"
		      "r0 = 7;"
		      "r0 %%= r1;"
		      "w0 /= w1;"
		      "w0 %%= w1;"
		      "r0 s/= r1;"
		      "r0 s%%= r1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("sdiv and smod by -1 are valid (INT_MIN included)")
__success
__naked void sdiv_minus_one(void)
{
	asm volatile ("r0 = 1;"
		      "r0 <<= 63;"
		      "r0 s/= -1;"
		      "w0 = 0x80000000;"
		      "w0 s/= -1;"
		      "w0 s%%= -1;"
		      "r0 s%%= -1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("udiv of constants: the kernel does not fold it (result unknown)")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void div_constant_folded(void)
{
	asm volatile ("r1 = 100;"
		      "r1 /= 7;"
		      "if r1 != 14 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("mod by 10: the kernel does not bound the result")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void mod_unknown_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 %%= 10;"
		      "if r0 > 9 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("div by 2^28: the kernel does not bound the result")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void div_unknown_bounds(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
		      "r0 /= 0x10000000;"
		      "if r0 > 15 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_get_prandom_u32)
		      : __clobber_all);
}

/* ---- sign extension and byte swaps ---- */

SEC("socket")
__description("movsx8 of 0x80 is -128")
__success
__naked void movsx8_constant(void)
{
	asm volatile ("r1 = 0x80;"
		      "r2 = (s8)r1;"
		      "if r2 != -128 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("movsx8 of an unknown value is in [-128, 127]")
__success
__naked void movsx8_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r1 = (s8)r0;"
		      "if r1 s> 127 goto l0_%=;"
		      "if r1 s< -128 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("movsx8 may be negative: unsigned bound is not small")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void movsx8_may_be_negative(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r1 = (s8)r0;"
		      "if r1 > 127 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("movsx16 of a value masked to 15 bits stays non-negative")
__success
__naked void movsx16_masked(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0x7fff;"
		      "r1 = (s16)r0;"
		      "if r1 > 0x7fff goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("movsx32 (64-bit) of 0xffffffff is -1")
__success
__naked void movsx32_constant(void)
{
	asm volatile ("r1 = 0xffffffff ll;"
		      "r2 = (s32)r1;"
		      "if r2 != -1 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("alu32 movsx16 zero-extends into the upper half")
__success
__naked void movsx16_alu32_zext(void)
{
	asm volatile ("w1 = 0x8000;"
		      "w2 = (s16)w1;"
		      "r3 = 0xffff8000 ll;"
		      "if r2 != r3 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("be16 leaves at most 16 bits")
__success
__naked void bswap_be16_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 = be16 r0;"
		      "if r0 > 0xffff goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("bswap16 of a constant is known")
__success
__naked void bswap16_constant(void)
{
	asm volatile ("r1 = 0x1234;"
		      "r1 = bswap16 r1;"
		      "if r1 != 0x3412 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("bswap64 of an unknown value is unknown")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void bswap64_unknown(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
		      "w0 = w0;"
		      "r0 = bswap64 r0;"
		      "r1 = 0xffffffff ll;"
		      "if r0 > r1 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_get_prandom_u32)
		      : __clobber_all);
}

/* ---- bitwise ops and tnums ---- */

SEC("socket")
__description("and with 0xf0 clears the low bits (jset on them is dead)")
__success
__naked void and_tnum_jset(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xf0;"
		      "if r0 & 0xf goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("or with 1 makes the value non-zero")
__success
__naked void or_nonzero(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 |= 1;"
		      "if r0 == 0 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("xor of a register with itself")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void xor_self(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 ^= r0;"
		      "if r0 != 0 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("mul of [0, 15] by 3 is in [0, 45]")
__success
__naked void mul_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xf;"
		      "r0 *= 3;"
		      "if r0 > 45 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("mul of [0, 15] by 3: 45 is possible")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void mul_bounds_tight(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xf;"
		      "r0 *= 3;"
		      "if r0 > 44 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

/* ---- overflow and 32-bit subregisters ---- */

SEC("socket")
__description("alu64 sub below zero wraps: the unsigned bound is lost")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void sub_wraps_unsigned(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 -= 1;"
		      "if r0 > 254 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("alu64 sub below zero keeps the signed bounds [-1, 254]")
__success
__naked void sub_keeps_signed(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 -= 1;"
		      "if r0 s> 254 goto l0_%=;"
		      "if r0 s< -1 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("alu32 sub below zero wraps at 32 bits, upper half stays zero")
__success
__naked void sub32_wraps_zext(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "w0 &= 0xff;"
		      "w0 -= 1;"
		      "r1 = 0xffffffff ll;"
		      "if r0 > r1 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("alu32 sub below zero: 0xffffffff is possible")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void sub32_wraps_tight(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "w0 &= 0xff;"
		      "w0 -= 1;"
		      "if r0 > 0xfe goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("alu32 add zero-extends: -1 becomes 0xffffffff")
__success
__naked void alu32_zext_constant(void)
{
	asm volatile ("r1 = -1;"
		      "w1 += 0;"
		      "r2 = r1;"
		      "r2 >>= 32;"
		      "if r2 != 0 goto l0_%=;"
		      "r3 = 0xffffffff ll;"
		      "if r1 != r3 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("mov32 of an unknown 64-bit value bounds it to 32 bits")
__success
__naked void mov32_zext_unknown(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "w1 = w0;"
		      "r2 = 0xffffffff ll;"
		      "if r1 > r2 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("alu64 add of two 32-bit values cannot wrap 64 bits")
__success
__naked void add_no_overflow(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
		      "w6 = w0;"
		      "call %[bpf_get_prandom_u32];"
		      "w0 = w0;"
		      "r0 += r6;"
		      "r1 = 0x1fffffffe ll;"
		      "if r0 > r1 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_get_prandom_u32)
		      : __clobber_all);
}

/* ---- uninitialised registers and r10 ---- */

SEC("socket")
__description("alu with an uninitialised source register")
__failure __msg("R2 !read_ok")
__naked void uninit_src(void)
{
	asm volatile ("r0 = 0;"
		      "r0 += r2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("alu with an uninitialised destination register")
__failure __msg("R3 !read_ok")
__naked void uninit_dst(void)
{
	asm volatile ("r3 += 1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("mov from an uninitialised register")
__failure __msg("R5 !read_ok")
__naked void uninit_mov(void)
{
	asm volatile ("r0 = r5;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("mov to an uninitialised register initialises it")
__success
__naked void mov_initialises(void)
{
	asm volatile ("r7 = 3;"
		      "r0 = r7;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("r1..r5 are uninitialised after a helper call")
__failure __msg("R3 !read_ok")
__naked void uninit_after_call(void)
{
	asm volatile ("r3 = 1;"
		      "call %[bpf_get_prandom_u32];"
		      "r0 += r3;"
		      "exit;"
		      :: __imm(bpf_get_prandom_u32)
		      : __clobber_all);
}

SEC("socket")
__description("mov to r10 is refused")
__failure __msg("frame pointer is read only")
__naked void write_r10_mov(void)
{
	asm volatile ("r10 = 0;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("add to r10 is refused")
__failure __msg("frame pointer is read only")
__naked void write_r10_add(void)
{
	asm volatile ("r10 += -8;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("alu32 on r10 is refused")
__failure __msg("frame pointer is read only")
__naked void write_r10_alu32(void)
{
	asm volatile ("w10 = w1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

/* ---- arithmetic on pointers ---- */

SEC("socket")
__description("mul on a context pointer is refused")
__failure __msg("R1 pointer arithmetic with *= operator prohibited")
__naked void ptr_mul(void)
{
	asm volatile ("r1 *= 2;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("alu32 add on a pointer is refused")
__failure __msg("R1 32-bit pointer arithmetic prohibited")
__naked void ptr_alu32(void)
{
	asm volatile ("w1 += 1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("neg on a pointer makes a scalar (privileged)")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void ptr_neg(void)
{
	asm volatile ("r1 = -r1;"
		      "r1 = -r1;"
		      "r0 = *(u32 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("pointer minus pointer of the same stack is a scalar")
__success
__naked void ptr_sub_ptr(void)
{
	asm volatile ("r1 = r10;"
		      "r1 += -8;"
		      "r2 = r10;"
		      "r2 -= r1;"
		      "r0 = r2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("adding two pointers is refused")
__failure __msg("R1 pointer += pointer prohibited")
__naked void ptr_add_ptr(void)
{
	asm volatile ("r2 = r10;"
		      "r1 += r2;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("scalar minus pointer is refused")
__failure __msg("R0 tried to subtract pointer from scalar")
__naked void scalar_sub_ptr(void)
{
	asm volatile ("r0 = 0;"
		      "r0 -= r1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("bitwise and on a pointer is refused")
__failure __msg("R1 bitwise operator &= on pointer prohibited")
__naked void ptr_and(void)
{
	asm volatile ("r1 &= -8;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("mov32 of a pointer makes a scalar (privileged)")
__success
__naked void ptr_mov32(void)
{
	asm volatile ("w0 = w1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a pointer copied with mov64 keeps its type")
__success
__naked void ptr_mov64_keeps_type(void)
{
	asm volatile ("r2 = r1;"
		      "r0 = *(u32 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a pointer copied with mov32 cannot be dereferenced")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void ptr_mov32_loses_type(void)
{
	asm volatile ("w2 = w1;"
		      "r0 = *(u32 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
