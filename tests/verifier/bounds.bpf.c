/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: bounds of scalars, as the verifier learns them from
 * masks and conditional jumps (JMP and JMP32, signed and unsigned, either
 * operand order), seen through variable-offset stack accesses (which must
 * stay inside the 512-byte frame) and through branches the verifier must
 * prove dead. The unbounded and off-by-one variants must be refused.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

SEC("socket")
__description("var-offset stack write: offset masked to [0, 7]")
__success
__naked void var_off_masked(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 7;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("var-offset stack write: offset masked to [0, 15] reaches past fp")
__failure __msg("invalid variable-offset write to stack R2")
__naked void var_off_masked_too_wide(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 15;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("var-offset stack write: unbounded offset")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void var_off_unbounded(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("var-offset stack read of initialised bytes")
__success
__naked void var_off_read_init(void)
{
	asm volatile ("r1 = 0;"
		      "*(u64 *)(r10 - 16) = r1;"
		      "*(u64 *)(r10 - 8) = r1;"
		      "call %[bpf_ktime_get_ns];"
		      "r0 &= 8;"
		      "r2 = r10;"
		      "r2 += -16;"
		      "r2 += r0;"
		      "r0 = *(u64 *)(r2 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("subtracting a variable from a stack pointer is refused")
__failure __msg("R2 subtraction from stack pointer prohibited")
__naked void var_off_read_below_frame(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r2 = r10;"
		      "r2 += -512;"
		      "r2 -= r0;"
		      "r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jgt bounds the fall-through path")
__success
__naked void jgt_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 > 7 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jgt 8 leaves one byte past fp")
__failure __msg("invalid variable-offset write to stack R2")
__naked void jgt_off_by_one(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 > 8 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jge 8 bounds the fall-through path")
__success
__naked void jge_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 >= 8 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jlt 8 bounds the taken path")
__success
__naked void jlt_bounds_taken(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 < 8 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jle 7 bounds the taken path")
__success
__naked void jle_bounds_taken(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 <= 7 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jlt bounds the wrong path: the fall-through is unbounded")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void jlt_wrong_path(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 < 8 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("register operands reversed: if 8 > r0 (as r3 > r0)")
__success
__naked void reversed_operands(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r3 = 8;"
		      "if r3 > r0 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("signed upper bound alone: the value may be negative")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void signed_upper_only(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 s> 7 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("signed upper and lower bounds")
__success
__naked void signed_both(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 s> 7 goto l0_%=;"
		      "if r0 s< 0 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("signed bounds [-8, -1] as a negative offset from fp")
__success
__naked void signed_negative_range(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 s> -1 goto l0_%=;"
		      "if r0 s< -8 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("signed lower bound then unsigned upper bound")
__success
__naked void signed_then_unsigned(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 s< 0 goto l0_%=;"
		      "if r0 > 7 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jmp32 bound on a 64-bit unknown leaves the upper half unknown")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void jmp32_upper_unknown(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if w0 > 7 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jmp32 bound on a zero-extended value bounds all 64 bits")
__success
__naked void jmp32_zext_bounds(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[len]);"
		      "if w6 > 7 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r6;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm_const(len, __builtin_offsetof(struct __sk_buff, len))
		      : __clobber_all);
}

SEC("socket")
__description("jmp32 signed bounds on a zero-extended value")
__success
__naked void jmp32_signed_zext(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[len]);"
		      "if w6 s> 7 goto l0_%=;"
		      "if w6 s< 0 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r6;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm_const(len, __builtin_offsetof(struct __sk_buff, len))
		      : __clobber_all);
}

SEC("socket")
__description("jeq to a constant makes the register known")
__success
__naked void jeq_known(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "if r0 != 3 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u64 *)(r10 - 8) = r1;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("a copy of a register is bounded with it (same id)")
__success
__naked void linked_copy_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r3 = r0;"
		      "if r3 > 7 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("a copy changed after the check is not bounded")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void linked_copy_broken(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r3 = r0;"
		      "r0 *= 3;"
		      "if r3 > 7 goto l0_%=;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("register against register: both ranges decide the branch")
__success
__naked void reg_reg_ranges_dead(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r6 = r0;"
		      "r6 &= 0xf;"
		      "call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 |= 0x10;"
		      "if r6 > r0 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r6 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("register against register: overlapping ranges keep both paths")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void reg_reg_ranges_overlap(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r6 = r0;"
		      "r6 &= 0x1f;"
		      "call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 |= 0x10;"
		      "if r6 > r0 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r6 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("a branch on a constant is dead: its invalid access is never checked")
__success
__naked void dead_branch_constant(void)
{
	asm volatile ("r1 = 5;"
		      "if r1 > 10 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u64 *)(r10 + 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a live branch with the same invalid access is refused")
__failure __msg("invalid read from stack R10 off=8 size=8")
__naked void live_branch_constant(void)
{
	asm volatile ("r1 = 5;"
		      "if r1 > 4 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u64 *)(r10 + 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("jset on a bit the tnum knows is set: fall-through is dead")
__success
__naked void jset_known_bit(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 |= 4;"
		      "if r0 & 4 goto l0_%=;"
		      "r0 = *(u8 *)(r0 + 0);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jset fall-through forgets the ranges before narrowing the tnum")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void jset_clear_forgets_ranges(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 -= 128;"               /* [-128, 127] */
		      "if w0 & 0xfffffff6 goto l0_%=;"
		      /* only 0, 1, 8, 9 remain, but Linux 6.18 keeps just the
		       * tnum: the upper half unknown, no lower bound */
		      "r1 = r10;"
		      "r1 += -16;"
		      "r1 += r0;"
		      "r2 = 0;"
		      "*(u8 *)(r1 + 0) = r2;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("jmp32 on a constant whose low half decides the branch")
__success
__naked void jmp32_constant_dead(void)
{
	asm volatile ("r1 = 0x100000005 ll;"
		      "if w1 > 5 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("64-bit compare of the same constant takes the other path")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void jmp64_constant_live(void)
{
	asm volatile ("r1 = 0x100000005 ll;"
		      "if r1 > 5 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("tnum: offsets multiple of 8 make aligned 8-byte stack writes")
__success
__naked void tnum_aligned(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0x18;"
		      "r2 = r10;"
		      "r2 += -32;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u64 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("tnum: offsets multiple of 4 make misaligned 8-byte stack writes")
__failure __msg("misaligned stack access off")
__naked void tnum_misaligned(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0x1c;"
		      "r2 = r10;"
		      "r2 += -32;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u64 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("offset [-256, -1] from a masked byte minus 256")
__success
__naked void sub_to_negative_range(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 -= 256;"
		      "r2 = r10;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("offset [-600, -345] leaves the frame")
__failure __msg("invalid variable-offset write to stack R2")
__naked void sub_below_frame(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 -= 600;"
		      "r2 = r10;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("shift left 60 then right 60 keeps the value in [0, 15]")
__success
__naked void shift_back_bounded(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 <<= 60;"
		      "r0 >>= 60;"
		      "r2 = r10;"
		      "r2 += -16;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("shift left into the sign bit: the signed minimum is lost")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void shift_into_sign_bit(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r0 <<= 60;"
		      "r2 = r10;"
		      "r2 += -16;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("adding a bounded value to a stack pointer twice stays bounded")
__success
__naked void var_off_twice(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 7;"
		      "r2 = r10;"
		      "r2 += -32;"
		      "r2 += r0;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("a u8 loaded from the stack is in [0, 255]")
__success
__naked void byte_load_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "*(u64 *)(r10 - 8) = r0;"
		      "r1 = *(u8 *)(r10 - 8);"
		      "if r1 > 255 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("a sign-extending s8 load from the stack is in [-128, 127]")
__success
__naked void sign_load_bounds(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "*(u64 *)(r10 - 8) = r0;"
		      "r1 = *(s8 *)(r10 - 8);"
		      "if r1 s> 127 goto l0_%=;"
		      "if r1 s< -128 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

char _license[] SEC("license") = "GPL";
