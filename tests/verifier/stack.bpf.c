/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: the 512-byte stack. Accesses inside and outside the
 * frame, alignment, uninitialised reads (allowed to privileged loaders),
 * spills and fills that keep a register's type and bounds, partial
 * overwrites of a spilled pointer, spills of the wrong size.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

SEC("socket")
__description("write then read 8 bytes at fp-8")
__success
__naked void write_read(void)
{
	asm volatile ("r1 = 42;"
		      "*(u64 *)(r10 - 8) = r1;"
		      "r0 = *(u64 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("the lowest slot fp-512 is in the frame")
__success
__naked void lowest_slot(void)
{
	asm volatile ("r1 = 42;"
		      "*(u64 *)(r10 - 512) = r1;"
		      "r0 = *(u64 *)(r10 - 512);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("write at fp-520 is below the frame")
__failure __msg("invalid write to stack R10 off=-520 size=8")
__naked void below_frame(void)
{
	asm volatile ("r1 = 42;"
		      "*(u64 *)(r10 - 520) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("one-byte write at fp-513 is below the frame")
__failure __msg("invalid write to stack R10 off=-513 size=1")
__naked void below_frame_byte(void)
{
	asm volatile ("r1 = 42;"
		      "*(u8 *)(r10 - 513) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("write at fp+0 is above the frame")
__failure __msg("invalid write to stack R10 off=0 size=8")
__naked void above_frame(void)
{
	asm volatile ("r1 = 42;"
		      "*(u64 *)(r10 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("read at fp+8 is above the frame")
__failure __msg("invalid read from stack R10 off=8 size=8")
__naked void read_above_frame(void)
{
	asm volatile ("r0 = *(u64 *)(r10 + 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("4-byte write at fp-2 crosses the frame's end (misaligned first)")
__failure __msg("misaligned stack access off 0+0+-2 size 4")
__naked void crosses_fp(void)
{
	asm volatile ("r1 = 42;"
		      "*(u32 *)(r10 - 2) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("misaligned 8-byte stack write")
__failure __msg("misaligned stack access off 0+0+-12 size 8")
__naked void misaligned_write(void)
{
	asm volatile ("r1 = 42;"
		      "*(u64 *)(r10 - 12) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("misaligned 2-byte stack read")
__failure __msg("misaligned stack access off 0+0+-7 size 2")
__naked void misaligned_read(void)
{
	asm volatile ("r1 = 0;"
		      "*(u64 *)(r10 - 8) = r1;"
		      "r0 = *(u16 *)(r10 - 7);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("aligned narrow accesses of every size")
__success
__naked void narrow_sizes(void)
{
	asm volatile ("r1 = 1;"
		      "*(u8 *)(r10 - 1) = r1;"
		      "*(u16 *)(r10 - 4) = r1;"
		      "*(u32 *)(r10 - 8) = r1;"
		      "r0 = *(u8 *)(r10 - 1);"
		      "r0 = *(u16 *)(r10 - 4);"
		      "r0 = *(u32 *)(r10 - 8);"
		      "r0 = *(u64 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("misaligned access through a derived stack pointer")
__failure __msg("misaligned stack access off 0+-16+3 size 4")
__naked void misaligned_derived(void)
{
	asm volatile ("r2 = r10;"
		      "r2 += -16;"
		      "r1 = 0;"
		      "*(u32 *)(r2 + 3) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("reading uninitialised stack is allowed to a privileged loader")
__success
__naked void uninit_read_privileged(void)
{
	asm volatile ("r0 = *(u64 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("reading half-initialised stack is allowed to a privileged loader")
__success
__naked void partial_init_read(void)
{
	asm volatile ("r1 = 0;"
		      "*(u32 *)(r10 - 8) = r1;"
		      "r0 = *(u64 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("uninitialised stack reads as an unknown scalar")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void uninit_read_unknown(void)
{
	asm volatile ("r0 = *(u64 *)(r10 - 8);"
		      "if r0 == 0 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("write through a derived stack pointer, read through r10")
__success
__naked void derived_pointer(void)
{
	asm volatile ("r2 = r10;"
		      "r2 += -16;"
		      "r1 = 7;"
		      "*(u64 *)(r2 + 8) = r1;"
		      "r0 = *(u64 *)(r10 - 8);"
		      "if r0 != 7 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r0 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("store immediate then fill: the constant is known")
__success
__naked void st_imm_known(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = 0;"
		      "r1 = *(u64 *)(r10 - 8);"
		      "if r1 != 0 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("spill and fill of the context pointer keeps its type")
__success
__naked void spill_ctx(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "r1 = 0;"
		      "r1 = *(u64 *)(r10 - 8);"
		      "r0 = *(u32 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("spill and fill of a stack pointer keeps its offset")
__success
__naked void spill_fp(void)
{
	asm volatile ("r2 = r10;"
		      "r2 += -16;"
		      "*(u64 *)(r10 - 8) = r2;"
		      "r3 = *(u64 *)(r10 - 8);"
		      "r1 = 1;"
		      "*(u64 *)(r3 + 0) = r1;"
		      "r0 = *(u64 *)(r10 - 16);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("a filled stack pointer still has fp-16: +16 leaves the frame")
__failure __msg("invalid write to stack R3 off=0 size=8")
__naked void spill_fp_offset_checked(void)
{
	asm volatile ("r2 = r10;"
		      "r2 += -16;"
		      "*(u64 *)(r10 - 8) = r2;"
		      "r3 = *(u64 *)(r10 - 8);"
		      "r1 = 1;"
		      "*(u64 *)(r3 + 16) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("spill and fill of a constant keeps it known")
__success
__naked void spill_constant(void)
{
	asm volatile ("r1 = 5;"
		      "*(u64 *)(r10 - 8) = r1;"
		      "r2 = *(u64 *)(r10 - 8);"
		      "if r2 != 5 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("spill and fill of a bounded scalar keeps its bounds")
__success
__naked void spill_bounded(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 7;"
		      "*(u64 *)(r10 - 16) = r0;"
		      "r3 = *(u64 *)(r10 - 16);"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r3;"
		      "r1 = 0;"
		      "*(u8 *)(r2 + 0) = r1;"
		      "r0 = 0;"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("32-bit spill and fill of a constant keeps it known")
__success
__naked void spill32_constant(void)
{
	asm volatile ("w1 = 5;"
		      "*(u32 *)(r10 - 8) = r1;"
		      "r2 = *(u32 *)(r10 - 8);"
		      "if r2 != 5 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("bytes written over a spilled constant make it unknown")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void spill_constant_overwritten(void)
{
	asm volatile ("r1 = 5;"
		      "*(u64 *)(r10 - 8) = r1;"
		      "call %[bpf_ktime_get_ns];"
		      "*(u8 *)(r10 - 8) = r0;"
		      "r2 = *(u64 *)(r10 - 8);"
		      "if r2 != 5 goto l0_%=;"
		      "r0 = 0;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("partial overwrite of a spilled pointer: the fill is a scalar")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void spill_ptr_partial_overwrite(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "r2 = 0;"
		      "*(u8 *)(r10 - 8) = r2;"
		      "r1 = *(u64 *)(r10 - 8);"
		      "r0 = *(u32 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("full overwrite of a spilled pointer by a scalar")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void spill_ptr_overwrite(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "r2 = 0;"
		      "*(u64 *)(r10 - 8) = r2;"
		      "r1 = *(u64 *)(r10 - 8);"
		      "r0 = *(u32 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("narrow fill of a spilled pointer")
__failure __msg("invalid size of register fill")
__naked void spill_ptr_narrow_fill(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "r0 = *(u32 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("4-byte spill of a pointer")
__failure __msg("invalid size of register spill")
__naked void spill_ptr_narrow(void)
{
	asm volatile ("*(u32 *)(r10 - 8) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("misaligned spill of a pointer")
__failure __msg("misaligned stack access off 0+0+-4 size 8")
__naked void spill_ptr_misaligned(void)
{
	asm volatile ("*(u64 *)(r10 - 4) = r1;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("the pointer survives a spill across a helper call")
__success
__naked void spill_across_call(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "call %[bpf_get_prandom_u32];"
		      "r1 = *(u64 *)(r10 - 8);"
		      "r0 = *(u32 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_get_prandom_u32)
		      : __clobber_all);
}

SEC("socket")
__description("variable-offset write then fixed read of the range")
__success
__naked void var_write_fixed_read(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
		      "r0 &= 4;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u32 *)(r2 + 0) = r1;"
		      "r0 = *(u32 *)(r10 - 8);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("variable-offset read of uninitialised stack (privileged)")
__success
__naked void var_read_uninit(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];"
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
__description("variable-offset read over a spilled pointer gives a scalar")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void var_read_over_spill(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "*(u64 *)(r10 - 16) = r1;"
		      "call %[bpf_ktime_get_ns];"
		      "r0 &= 8;"
		      "r2 = r10;"
		      "r2 += -16;"
		      "r2 += r0;"
		      "r0 = *(u64 *)(r2 + 0);"
		      "r0 = *(u32 *)(r0 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("variable-offset write over a spilled pointer destroys it")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void var_write_over_spill(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "call %[bpf_ktime_get_ns];"
		      "r0 &= 4;"
		      "r2 = r10;"
		      "r2 += -8;"
		      "r2 += r0;"
		      "r1 = 0;"
		      "*(u32 *)(r2 + 0) = r1;"
		      "r1 = *(u64 *)(r10 - 8);"
		      "r0 = *(u32 *)(r1 + 0);"
		      "exit;"
		      :: __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("socket")
__description("atomic add on initialised stack")
__success
__naked void atomic_add_stack(void)
{
	asm volatile ("r1 = 1;"
		      "*(u64 *)(r10 - 8) = r1;"
		      "lock *(u64 *)(r10 - 8) += r1;"
		      "r0 = *(u64 *)(r10 - 8);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("atomic fetch-add on a spilled pointer is allowed; the slot becomes a scalar")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void atomic_on_spilled_ptr(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;"
		      "r2 = 1;"
		      "r2 = atomic_fetch_add((u64 *)(r10 - 8), r2);"
		      "r1 = *(u64 *)(r10 - 8);"
		      "r0 = *(u32 *)(r1 + 0);"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("stack pointer stored in the stack, then used to write")
__success
__naked void ptr_chain(void)
{
	asm volatile ("r2 = r10;"
		      "r2 += -24;"
		      "*(u64 *)(r10 - 8) = r2;"
		      "r3 = *(u64 *)(r10 - 8);"
		      "r4 = 9;"
		      "*(u64 *)(r3 + 0) = r4;"
		      "r0 = *(u64 *)(r10 - 24);"
		      "exit;"
		      ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";

SEC("socket")
__description("load-acquire into a register nothing set: it is written, not read")
__success
__naked void load_acquire_fresh_dst(void)
{
	asm volatile ("r1 = 7;"
		      "*(u64 *)(r10 - 8) = r1;"
		      ".8byte %[insn];" /* r2 = load_acquire((u64 *)(r10 - 8)) */
		      "r0 = r2;"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(0xdb, 2, 10, -8, 0x100))
		      : __clobber_all);
}

SEC("socket")
__description("load-acquire from below the stack")
__failure __msg("invalid read from stack R10 off=-520 size=8")
__naked void load_acquire_below_stack(void)
{
	asm volatile (".8byte %[insn];" /* r2 = load_acquire((u64 *)(r10 - 520)) */
		      "r0 = 0;"
		      "exit;"
		      :: __imm_insn(insn, __raw_insn(0xdb, 2, 10, -520, 0x100))
		      : __clobber_all);
}

SEC("xdp")
__description("helper: zero bytes at fp + 0 are outside the frame (found by the kernel agreement fuzzer)")
__failure __msg("invalid read from stack R1 off=0 size=0")
__naked void zero_size_at_frame_top(void)
{
	asm volatile ("r1 = r10;"
		      "r2 = 0;"
		      "r3 = 0;"
		      "r4 = 0;"
		      "r5 = 0;"
		      "call %[bpf_csum_diff];"
		      "r0 = 2;"
		      "exit;"
		      :: __imm(bpf_csum_diff)
		      : __clobber_all);
}

SEC("xdp")
__description("helper: zero bytes at fp - 1 are inside the frame")
__success
__naked void zero_size_below_frame_top(void)
{
	asm volatile ("r1 = r10;"
		      "r1 += -1;"
		      "r2 = 0;"
		      "r3 = 0;"
		      "r4 = 0;"
		      "r5 = 0;"
		      "call %[bpf_csum_diff];"
		      "r0 = 2;"
		      "exit;"
		      :: __imm(bpf_csum_diff)
		      : __clobber_all);
}
