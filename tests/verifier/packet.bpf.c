/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: direct packet access in xdp and tc. An access needs a
 * comparison against data_end that covers it, in any of the comparison
 * forms; the range follows copies of the pointer, is lost by arithmetic
 * with unknown scalars and by helpers that move the packet; data_meta is
 * checked against data; socket filters may not touch the packet directly.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

#define XDP(f) __imm_const(f, offsetof(struct xdp_md, f))
#define SKB(f) __imm_const(f, offsetof(struct __sk_buff, f))

SEC("xdp")
__description("xdp: read without a bounds check")
__failure __msg("invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)")
__naked void no_check(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r0 = *(u8 *)(r2 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data + 8 > data_end exits, 8 bytes readable")
__success
__naked void check_gt(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u64 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: 7 bytes checked, 8 read")
__failure __msg("invalid access to packet, off=0 size=8, R2(id=0,off=0,r=7)")
__naked void check_off_by_one(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 7;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u64 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: read on the path where the check failed")
__failure __msg("invalid access to packet")
__naked void check_wrong_path(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = 2;"
		      "exit;"
		      "l0_%=: r0 = *(u8 *)(r2 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data + 8 >= data_end exits, 8 bytes readable")
__success
__naked void check_ge(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 >= r3 goto l0_%=;"
		      "r0 = *(u64 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data + 8 < data_end jumps to the read")
__success
__naked void check_lt_taken(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 < r3 goto l0_%=;"
		      "r0 = 2;"
		      "exit;"
		      "l0_%=: r0 = *(u64 *)(r2 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data + 8 <= data_end jumps to the read")
__success
__naked void check_le_taken(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 <= r3 goto l0_%=;"
		      "r0 = 2;"
		      "exit;"
		      "l0_%=: r0 = *(u64 *)(r2 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: reversed, data_end < data + 8 exits")
__success
__naked void check_reversed_lt(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r3 < r4 goto l0_%=;"
		      "r0 = *(u64 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: reversed, data_end >= data + 8 jumps to the read")
__success
__naked void check_reversed_ge_taken(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r3 >= r4 goto l0_%=;"
		      "r0 = 2;"
		      "exit;"
		      "l0_%=: r0 = *(u64 *)(r2 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: a 32-bit comparison of packet pointers gives no range")
__failure __msg("invalid access to packet")
__naked void check_jmp32(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if w4 > w3 goto l0_%=;"
		      "r0 = *(u64 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: read at an offset inside the checked range")
__success
__naked void check_inner_offset(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 14;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u16 *)(r2 + 12);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: read before the start of the packet")
__failure __msg("invalid access to packet, off=-1 size=1")
__naked void negative_offset(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u8 *)(r2 - 1);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: the checked range applies to a copy made before the check")
__success
__naked void range_to_copy(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r6 = r2;"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u64 *)(r6 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: write after a bounds check")
__success
__naked void write_checked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 4;"
		      "if r4 > r3 goto l0_%=;"
		      "r5 = 0;"
		      "*(u32 *)(r2 + 0) = r5;"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: variable offset from a header length, checked again")
__success
__naked void var_offset_checked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 1;"
		      "if r4 > r3 goto l0_%=;"
		      "r5 = *(u8 *)(r2 + 0);"
		      "r5 &= 0xf;"
		      "r5 <<= 2;"
		      "r2 += r5;"
		      "r4 = r2;"
		      "r4 += 4;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u32 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: adding an unknown offset drops the checked range")
__failure __msg("invalid access to packet")
__naked void var_offset_unchecked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 64;"
		      "if r4 > r3 goto l0_%=;"
		      "r5 = *(u8 *)(r2 + 0);"
		      "r5 &= 0xf;"
		      "r2 += r5;"
		      "r0 = *(u8 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: packet pointer plus an unbounded scalar")
__failure __msg("math between pkt pointer and register with unbounded min value is not allowed")
__naked void unbounded_scalar(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[data]);"
		      "call %[bpf_ktime_get_ns];"
		      "r6 += r0;"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data), __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: packet pointer plus an 8-bit scalar, checked")
__success
__naked void bounded_scalar_8bit(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[data]);"
		      "r7 = *(u32 *)(r1 + %[data_end]);"
		      "call %[bpf_ktime_get_ns];"
		      "r0 &= 0xff;"
		      "r6 += r0;"
		      "r4 = r6;"
		      "r4 += 2;"
		      "if r4 > r7 goto l0_%=;"
		      "r0 = *(u16 *)(r6 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end), __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: packet pointer plus a 16-bit scalar: too large to get a range")
__failure __msg("invalid access to packet, off=0 size=2, R6(id=1,off=0,r=0)")
__msg("R6 offset is outside of the packet")
__naked void bounded_scalar_16bit(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[data]);"
		      "r7 = *(u32 *)(r1 + %[data_end]);"
		      "call %[bpf_ktime_get_ns];"
		      "r0 &= 0xffff;"
		      "r6 += r0;"
		      "r4 = r6;"
		      "r4 += 2;"
		      "if r4 > r7 goto l0_%=;"
		      "r0 = *(u16 *)(r6 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end), __imm(bpf_ktime_get_ns)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: packet pointer plus a value too large for a packet")
__failure __msg("math between pkt pointer and 536870912 is not allowed")
__naked void too_large_const(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r2 += 0x20000000;"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: arithmetic on data_end")
__failure __msg("R3 pointer arithmetic on pkt_end prohibited")
__naked void pkt_end_arith(void)
{
	asm volatile ("r3 = *(u32 *)(r1 + %[data_end]);"
		      "r3 += -8;"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data_end cannot be dereferenced")
__failure __msg("R3 invalid mem access 'pkt_end'")
__naked void pkt_end_deref(void)
{
	asm volatile ("r3 = *(u32 *)(r1 + %[data_end]);"
		      "r0 = *(u8 *)(r3 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data_meta checked against data")
__success
__naked void meta_checked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data_meta]);"
		      "r3 = *(u32 *)(r1 + %[data]);"
		      "r4 = r2;"
		      "r4 += 4;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u32 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data_meta), XDP(data)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data_meta read without a check")
__failure __msg("invalid access to packet, off=0 size=4")
__naked void meta_unchecked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data_meta]);"
		      "r0 = *(u32 *)(r2 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data_meta)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: data_meta checked against data_end gives no range")
__failure __msg("invalid access to packet")
__naked void meta_vs_end(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data_meta]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 4;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u32 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data_meta), XDP(data_end)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: adjust_head invalidates checked packet pointers")
__failure
__msg("R6 invalid mem access 'scalar'")
__naked void adjust_head_invalidates(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r6;"
		      "r4 += 8;"
		      "if r4 > r3 goto l0_%=;"
		      "r2 = 0;"
		      "call %[bpf_xdp_adjust_head];"
		      "r0 = *(u8 *)(r6 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end), __imm(bpf_xdp_adjust_head)
		      : __clobber_all);
}

SEC("tc")
__description("tc: read and write after a bounds check")
__success
__naked void tc_checked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 14;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u16 *)(r2 + 12);"
		      "*(u8 *)(r2 + 0) = r0;"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data), SKB(data_end)
		      : __clobber_all);
}

SEC("tc")
__description("tc: read without a bounds check")
__failure __msg("invalid access to packet, off=12 size=2, R2(id=0,off=12,r=0)")
__naked void tc_unchecked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r0 = *(u16 *)(r2 + 12);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(data)
		      : __clobber_all);
}

SEC("tc")
__description("tc: data_meta checked against data")
__success
__naked void tc_meta(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data_meta]);"
		      "r3 = *(u32 *)(r1 + %[data]);"
		      "r4 = r2;"
		      "r4 += 4;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u32 *)(r2 + 0);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data_meta), SKB(data)
		      : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("cgroup skb: packet read after a check")
__success
__naked void cgskb_read(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 1;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u8 *)(r2 + 0);"
		      "l0_%=: r0 = 1;"
		      "exit;"
		      :: SKB(data), SKB(data_end)
		      : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("cgroup skb: packet write is refused")
__failure __msg("cannot write into packet")
__naked void cgskb_write(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 1;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = 0;"
		      "*(u8 *)(r2 + 0) = r0;"
		      "l0_%=: r0 = 1;"
		      "exit;"
		      :: SKB(data), SKB(data_end)
		      : __clobber_all);
}

SEC("socket")
__description("socket: legacy LD_ABS byte load")
__success
__naked void ld_abs(void)
{
	asm volatile ("r6 = r1;"
		      "r0 = *(u8 *)skb[12];"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("socket")
__description("socket: LD_ABS needs the context in r6")
__failure __msg("at the time of BPF_LD_ABS|IND R6 != pointer to skb")
__naked void ld_abs_no_r6(void)
{
	asm volatile ("r6 = 0;"
		      "r0 = *(u8 *)skb[12];"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: LD_ABS is for socket filters and tc")
__failure __msg("BPF_LD_[ABS|IND] instructions not allowed for this program type")
__naked void ld_abs_xdp(void)
{
	asm volatile ("r6 = r1;"
		      "r0 = *(u8 *)skb[12];"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";

/* --- helpers that move or resize the packet --- */

SEC("tc")
__description("tc: skb_store_bytes invalidates a checked packet pointer")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void store_bytes_invalidates(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r6;"
		      "r4 += 14;"
		      "if r4 > r3 goto l0_%=;"
		      "r2 = 0;"
		      "*(u64 *)(r10 - 8) = r2;"
		      "r3 = r10;"
		      "r3 += -8;"
		      "r4 = 2;"
		      "r5 = 0;"
		      "call %[bpf_skb_store_bytes];"
		      "r0 = *(u8 *)(r6 + 0);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data), SKB(data_end), __imm(bpf_skb_store_bytes)
		      : __clobber_all);
}

SEC("tc")
__description("tc: a packet pointer spilled to the stack is invalidated too")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void spilled_pointer_invalidated(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 14;"
		      "if r4 > r3 goto l0_%=;"
		      "*(u64 *)(r10 - 16) = r2;"
		      "r2 = 0;"
		      "call %[bpf_skb_pull_data];"
		      "r2 = *(u64 *)(r10 - 16);"
		      "r0 = *(u8 *)(r2 + 0);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data), SKB(data_end), __imm(bpf_skb_pull_data)
		      : __clobber_all);
}

SEC("tc")
__description("tc: data_end is invalidated by l3_csum_replace: a check against it proves nothing")
__failure __msg("invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)")
__naked void data_end_invalidated(void)
{
	asm volatile ("r6 = r1;"
		      "r7 = *(u32 *)(r1 + %[data]);"
		      "r8 = *(u32 *)(r1 + %[data_end]);"
		      "r2 = 0;"
		      "r3 = 0;"
		      "r4 = 0;"
		      "r5 = 0;"
		      "call %[bpf_l3_csum_replace];"
		      "r2 = *(u32 *)(r6 + %[data]);"
		      "r3 = r8;"
		      "r4 = r2;"
		      "r4 += 1;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u8 *)(r2 + 0);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data), SKB(data_end), __imm(bpf_l3_csum_replace)
		      : __clobber_all);
}

SEC("tc")
__description("tc: pointers reloaded after skb_change_tail are usable")
__success
__naked void reload_after_change_tail(void)
{
	asm volatile ("r6 = r1;"
		      "r2 = 64;"
		      "r3 = 0;"
		      "call %[bpf_skb_change_tail];"
		      "r2 = *(u32 *)(r6 + %[data]);"
		      "r3 = *(u32 *)(r6 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 14;"
		      "if r4 > r3 goto l0_%=;"
		      "r0 = *(u8 *)(r2 + 13);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data), SKB(data_end), __imm(bpf_skb_change_tail)
		      : __clobber_all);
}

SEC("tc")
__description("tc: skb_load_bytes leaves packet pointers valid")
__success
__naked void load_bytes_keeps_pointers(void)
{
	asm volatile ("r6 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r6;"
		      "r4 += 14;"
		      "if r4 > r3 goto l0_%=;"
		      "r2 = 0;"
		      "r3 = r10;"
		      "r3 += -8;"
		      "r4 = 4;"
		      "call %[bpf_skb_load_bytes];"
		      "r0 = *(u8 *)(r6 + 0);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data), SKB(data_end), __imm(bpf_skb_load_bytes)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: adjust_tail invalidates data_meta too")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void adjust_tail_invalidates_meta(void)
{
	asm volatile ("r6 = r1;"
		      "r2 = *(u32 *)(r1 + %[data_meta]);"
		      "r3 = *(u32 *)(r1 + %[data]);"
		      "r4 = r2;"
		      "r4 += 4;"
		      "if r4 > r3 goto l0_%=;"
		      "r7 = r2;"
		      "r1 = r6;"
		      "r2 = -4;"
		      "call %[bpf_xdp_adjust_tail];"
		      "r2 = r7;"
		      "r0 = *(u32 *)(r2 + 0);"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data_meta), XDP(data), __imm(bpf_xdp_adjust_tail)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: csum_diff over the packet is allowed")
__success
__naked void csum_diff_on_packet(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r2;"
		      "r4 += 8;"
		      "if r4 > r3 goto l0_%=;"
		      "r1 = r2;"
		      "r2 = 4;"
		      "r3 = 0;"
		      "r4 = 0;"
		      "r5 = 0;"
		      "call %[bpf_csum_diff];"
		      "l0_%=: r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end), __imm(bpf_csum_diff)
		      : __clobber_all);
}

static __attribute__((noinline, used)) int pull_in_subprog(struct __sk_buff *skb)
{
	return bpf_skb_pull_data(skb, 0);
}

SEC("tc")
__description("tc: a helper in a subprogram invalidates the caller's packet pointers")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void subprog_invalidates_caller(void)
{
	asm volatile ("r7 = r1;"
		      "r6 = *(u32 *)(r1 + %[data]);"
		      "r3 = *(u32 *)(r1 + %[data_end]);"
		      "r4 = r6;"
		      "r4 += 14;"
		      "if r4 > r3 goto l0_%=;"
		      "r1 = r7;"
		      "call pull_in_subprog;"
		      "r0 = *(u8 *)(r6 + 0);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(data), SKB(data_end)
		      : __clobber_all);
}
