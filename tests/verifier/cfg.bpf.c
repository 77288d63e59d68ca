/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: the shape of the program and the encoding of its
 * instructions. Unreachable code, loops that do not terminate or run too
 * long, falling off the end, jumps out of range or into an lddw, exit
 * without a return value or with one the program type does not allow,
 * and raw encodings the assembler cannot write: unknown opcodes, reserved
 * fields set, bad lddw pairs, registers that do not exist.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

/* ---- control flow ---- */

SEC("socket")
__description("unreachable instructions after exit")
__failure __msg("unreachable insn 2")
__naked void unreachable(void)
{
	asm volatile ("r0 = 0;"
		      "exit;"
		      "r0 = 1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a jump to itself")
__failure __msg("infinite loop detected at insn 1")
__naked void self_loop(void)
{
	asm volatile ("r0 = 0;"
		      "l0_%=: goto l0_%=;"
		      ::: __clobber_all);
}

SEC("socket")
__description("an endless loop with a changing counter runs out of budget")
__failure __msg("BPF program is too large. Processed 1000001 insn") __log_level(1)
__naked void loop_no_exit(void)
{
	asm volatile ("r0 = 0;"
		      "l0_%=: r0 += 1;"
		      "goto l0_%=;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a bounded loop of 10 iterations")
__success
__naked void bounded_loop(void)
{
	asm volatile ("r0 = 0;"
		      "l0_%=: r0 += 1;"
		      "if r0 < 10 goto l0_%=;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a loop bounded by a context value")
__success
__naked void loop_bounded_by_ctx(void)
{
	asm volatile ("r1 = *(u32 *)(r1 + 0);"
		      "r1 &= 0x1f;"
		      "r0 = 0;"
		      "l0_%=: if r0 >= r1 goto l1_%=;"
		      "r0 += 1;"
		      "goto l0_%=;"
		      "l1_%=: exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a loop of two million iterations exceeds the budget")
__failure __msg("BPF program is too large. Processed 1000001 insn") __log_level(1)
__naked void loop_too_long(void)
{
	asm volatile ("r0 = 0;"
		      "l0_%=: r0 += 1;"
		      "if r0 < 2000000 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("the last instruction falls through")
__failure __msg("last insn is not an exit or jmp")
__naked void falls_off_end(void)
{
	asm volatile ("r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = 1;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a conditional jump over the last exit falls off the end")
__failure __msg("jump out of range from insn 1 to 3")
__naked void jump_past_end(void)
{
	asm volatile ("r0 = 0;"
		      "if r0 == 0 goto +1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("gotol (32-bit offset jump)")
__success
__naked void gotol(void)
{
	asm volatile ("r0 = 0;"
		      "gotol l0_%=;"
		      "l1_%=: exit;"
		      "l0_%=: gotol l1_%=;"
		      ::: __clobber_all);
}

SEC("socket")
__description("both paths set r0 before they meet")
__success
__naked void merge_paths(void)
{
	asm volatile ("r1 = *(u32 *)(r1 + 0);"
		      "if r1 > 5 goto l0_%=;"
		      "r0 = 1;"
		      "goto l1_%=;"
		      "l0_%=: r0 = 2;"
		      "l1_%=: exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("one path leaves r0 unset")
__failure __msg("R0 !read_ok")
__naked void merge_paths_uninit(void)
{
	asm volatile ("r1 = *(u32 *)(r1 + 0);"
		      "if r1 > 5 goto l0_%=;"
		      "r0 = 1;"
		      "l0_%=: exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("exit with r0 never set")
__failure __msg("R0 !read_ok")
__naked void exit_uninit_r0(void)
{
	asm volatile ("exit;" ::: __clobber_all);
}

SEC("socket")
__description("socket: returning a pointer (privileged)")
__success
__naked void return_pointer(void)
{
	asm volatile ("r0 = r10;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: returning an unknown value")
__success
__naked void xdp_return_unknown(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 16);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("cgroup skb ingress: return value 2 is out of range")
__failure __msg("should have been in [0, 1]")
__naked void cgskb_return_range(void)
{
	asm volatile ("r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("cgroup skb ingress: returning a pointer")
__failure __msg("R0 is not a known value (ctx)")
__naked void cgskb_return_pointer(void)
{
	asm volatile ("r0 = r1;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("cgroup skb ingress: r0 bounded to [0, 1] by a mask")
__success
__naked void cgskb_return_masked(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 0);"
		      "r0 &= 1;"
		      "exit;"
		      ::: __clobber_all);
}

/* ---- raw encodings ---- */

SEC("socket")
__description("unknown opcode 0xff")
__failure __msg("unknown opcode ff")
__naked void opcode_ff(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(0xff, 0, 0, 0, 0))
		      : __clobber_all);
}

SEC("socket")
__description("indirect call (callx) is not supported")
__failure __msg("unknown opcode 8d")
__naked void callx(void)
{
	asm volatile ("r0 = 0;"
		      "r1 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_JMP | BPF_CALL | BPF_X, 1, 0, 0, 0))
		      : __clobber_all);
}

SEC("socket")
__description("call in the JMP32 class")
__failure __msg("unknown opcode 86")
__naked void call_jmp32(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_JMP32 | BPF_CALL, 0, 0, 0, 7))
		      : __clobber_all);
}

SEC("socket")
__description("alu64 add immediate with a source register set")
__failure __msg("BPF_ALU uses reserved fields")
__naked void alu_reserved_src(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ALU64 | BPF_ADD | BPF_K, 0, 1, 0, 1))
		      : __clobber_all);
}

SEC("socket")
__description("alu64 add register with an offset set")
__failure __msg("BPF_ALU uses reserved fields")
__naked void alu_reserved_off(void)
{
	asm volatile ("r0 = 0;"
		      "r1 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 1, 0))
		      : __clobber_all);
}

SEC("socket")
__description("mov64 register with offset 1 is addr_space_cast (arena programs only)")
__failure __msg("addr_space_cast insn can only convert between address space 1 and 0")
__naked void mov_off_1(void)
{
	asm volatile ("r1 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 1, 0))
		      : __clobber_all);
}

SEC("socket")
__description("mov64 register with offset 2 (not a movsx width)")
__failure __msg("BPF_MOV uses reserved fields")
__naked void mov_reserved_off(void)
{
	asm volatile ("r1 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 2, 0))
		      : __clobber_all);
}

SEC("socket")
__description("sdiv64 register with offset 2")
__failure __msg("BPF_ALU uses reserved fields")
__naked void sdiv_reserved_off(void)
{
	asm volatile ("r0 = 1;"
		      "r1 = 1;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 2, 0))
		      : __clobber_all);
}

SEC("socket")
__description("byte swap of width 24")
__failure __msg("BPF_END uses reserved fields")
__naked void end_bad_width(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 24))
		      : __clobber_all);
}

SEC("socket")
__description("ja with an immediate set")
__failure __msg("BPF_JA uses reserved fields")
__naked void ja_reserved(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_JMP | BPF_JA, 0, 0, 0, 1))
		      : __clobber_all);
}

SEC("socket")
__description("exit with an immediate set")
__failure __msg("BPF_EXIT uses reserved fields")
__naked void exit_reserved(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      :: __imm_insn(insn, __raw_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 1))
		      : __clobber_all);
}

SEC("socket")
__description("ldx with an immediate set")
__failure __msg("BPF_LDX uses reserved fields")
__naked void ldx_reserved(void)
{
	asm volatile ("r1 = 0;"
		      "*(u64 *)(r10 - 8) = r1;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, -8, 1))
		      : __clobber_all);
}

SEC("socket")
__description("st with a source register set")
__failure __msg("BPF_ST uses reserved fields")
__naked void st_reserved(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ST | BPF_MEM | BPF_DW, 10, 1, -8, 0))
		      : __clobber_all);
}

SEC("socket")
__description("atomic with an unknown operation")
__failure __msg("BPF_ATOMIC uses invalid atomic opcode 0f")
__naked void atomic_bad_op(void)
{
	asm volatile ("r0 = 0;"
		      "r1 = 1;"
		      "*(u64 *)(r10 - 8) = r1;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, 0x0f))
		      : __clobber_all);
}

SEC("socket")
__description("register r11 does not exist")
__failure __msg("R11 is invalid")
__naked void reg_11(void)
{
	asm volatile (".8byte %[insn];"
		      "r0 = 0;"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_ALU64 | BPF_MOV | BPF_K, 11, 0, 0, 0))
		      : __clobber_all);
}

SEC("socket")
__description("jump far past the end")
__failure __msg("jump out of range from insn 1 to 102")
__naked void jump_out_of_range(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_JMP | BPF_JA, 0, 0, 100, 0))
		      : __clobber_all);
}

SEC("socket")
__description("jump into the second half of an lddw")
__failure __msg("jump into the middle of ldimm64 insn 2")
__naked void jump_into_lddw(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 0);"
		      ".8byte %[jeq];"
		      "r1 = 0x100000000 ll;"
		      "exit;"
		      :: __imm_insn(jeq, __raw_insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0))
		      : __clobber_all);
}

SEC("socket")
__description("lddw whose second half has an opcode")
__failure __msg("invalid bpf_ld_imm64 insn")
__naked void lddw_bad_second(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[lo];"
		      ".8byte %[hi];"
		      "exit;"
		      :: __imm_insn(lo, __raw_insn(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 1)),
			 __imm_insn(hi, __raw_insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0))
		      : __clobber_all);
}

SEC("socket")
__description("lddw with an unknown source (pseudo) value")
__failure __msg("unrecognized bpf_ld_imm64 insn")
__naked void lddw_bad_src(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[lo];"
		      ".8byte %[hi];"
		      "exit;"
		      :: __imm_insn(lo, __raw_insn(BPF_LD | BPF_IMM | BPF_DW, 1, 15, 0, 1)),
			 __imm_insn(hi, __raw_insn(0, 0, 0, 0, 0))
		      : __clobber_all);
}

SEC("socket")
__description("lddw cut in half by the end of the program")
__failure __msg("last insn is not an exit or jmp")
__naked void lddw_truncated(void)
{
	asm volatile ("r0 = 0;"
		      "exit;"
		      ".8byte %[lo];"
		      :: __imm_insn(lo, __raw_insn(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 1))
		      : __clobber_all);
}

SEC("socket")
__description("legacy BPF_LD with mode IMM and size W")
__failure __msg("unknown opcode 00")
__naked void ld_imm_w(void)
{
	asm volatile ("r0 = 0;"
		      ".8byte %[insn];"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(BPF_LD | BPF_IMM | BPF_W, 0, 0, 0, 0))
		      : __clobber_all);
}

char _license[] SEC("license") = "GPL";
