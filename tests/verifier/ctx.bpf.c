/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: context accesses, per program type. Which offsets and
 * sizes each type may read or write (xdp_md, __sk_buff in tc, socket
 * filters and cgroup skb programs, pt_regs, tracepoint records, raw
 * tracepoint arguments, perf event data, bpf_sock_addr), narrow loads,
 * and what the verifier says about the others.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

#define XDP(f) __imm_const(f, offsetof(struct xdp_md, f))
#define SKB(f) __imm_const(f, offsetof(struct __sk_buff, f))
#define SA(f) __imm_const(f, offsetof(struct bpf_sock_addr, f))

/* ---- xdp ---- */

SEC("xdp")
__description("xdp: every field of xdp_md is readable as 4 bytes")
__success
__naked void xdp_read_all(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r2 = *(u32 *)(r1 + %[data_end]);"
		      "r2 = *(u32 *)(r1 + %[data_meta]);"
		      "r2 = *(u32 *)(r1 + %[ingress_ifindex]);"
		      "r2 = *(u32 *)(r1 + %[rx_queue_index]);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(data), XDP(data_end), XDP(data_meta), XDP(ingress_ifindex),
			 XDP(rx_queue_index)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: egress_ifindex is for devmap programs only")
__failure __msg("invalid bpf_context access off=20 size=4")
__naked void xdp_egress_ifindex(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[egress_ifindex]);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(egress_ifindex)
		      : __clobber_all);
}

SEC("xdp.frags/devmap")
__description("xdp devmap program: egress_ifindex is readable")
__success
__naked void xdp_devmap_egress_ifindex(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[egress_ifindex]);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(egress_ifindex)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: read past the end of xdp_md")
__failure __msg("invalid bpf_context access off=24 size=4")
__naked void xdp_read_past_end(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 24);"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: 8-byte read of data")
__failure __msg("invalid bpf_context access off=0 size=8")
__naked void xdp_read_data_u64(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: narrow read of data")
__failure __msg("invalid bpf_context access off=0 size=2")
__naked void xdp_narrow_data(void)
{
	asm volatile ("r2 = *(u16 *)(r1 + 0);"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: no narrow reads, even of ingress_ifindex")
__failure __msg("invalid bpf_context access off=12 size=1")
__naked void xdp_narrow_ifindex(void)
{
	asm volatile ("r2 = *(u8 *)(r1 + %[ingress_ifindex]);"
		      "r2 = *(u16 *)(r1 + %[ingress_ifindex]);"
		      "r0 = 2;"
		      "exit;"
		      :: XDP(ingress_ifindex)
		      : __clobber_all);
}

SEC("xdp")
__description("xdp: write to data")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void xdp_write_data(void)
{
	asm volatile ("r2 = 0;"
		      "*(u32 *)(r1 + 0) = r2;"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: write to ingress_ifindex")
__failure __msg("invalid bpf_context access off=12 size=4")
__naked void xdp_write_ifindex(void)
{
	asm volatile ("r2 = 0;"
		      "*(u32 *)(r1 + 12) = r2;"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: store immediate into the context")
__failure __msg("invalid bpf_context access off=12 size=4")
__naked void xdp_st_imm(void)
{
	asm volatile ("*(u32 *)(r1 + 12) = 0;"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: misaligned read")
__failure __msg("invalid bpf_context access off=2 size=4")
__naked void xdp_misaligned(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 2);"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: negative offset")
__failure __msg("invalid bpf_context access off=-4 size=4")
__naked void xdp_negative(void)
{
	asm volatile ("r2 = *(u32 *)(r1 - 4);"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: read through a modified context pointer")
__failure __msg("dereference of modified ctx ptr R1 off=4 disallowed")
__naked void xdp_modified_ctx(void)
{
	asm volatile ("r1 += 4;"
		      "r2 = *(u32 *)(r1 + 0);"
		      "r0 = 2;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("xdp")
__description("xdp: read at a variable context offset")
__failure __msg("variable ctx access var_off=")
__naked void xdp_var_ctx(void)
{
	asm volatile ("r6 = r1;"
		      "call %[bpf_get_prandom_u32];"
		      "r0 &= 4;"
		      "r6 += r0;"
		      "r2 = *(u32 *)(r6 + 0);"
		      "r0 = 2;"
		      "exit;"
		      :: __imm(bpf_get_prandom_u32)
		      : __clobber_all);
}

/* ---- tc (__sk_buff) ---- */

SEC("tc")
__description("tc: reads of __sk_buff fields")
__success
__naked void tc_reads(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[len]);"
		      "r2 = *(u32 *)(r1 + %[mark]);"
		      "r2 = *(u32 *)(r1 + %[protocol]);"
		      "r2 = *(u32 *)(r1 + %[ifindex]);"
		      "r2 = *(u32 *)(r1 + %[tc_classid]);"
		      "r2 = *(u32 *)(r1 + %[data]);"
		      "r2 = *(u32 *)(r1 + %[data_end]);"
		      "r2 = *(u32 *)(r1 + %[data_meta]);"
		      "r2 = *(u64 *)(r1 + %[tstamp]);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(len), SKB(mark), SKB(protocol), SKB(ifindex), SKB(tc_classid),
			 SKB(data), SKB(data_end), SKB(data_meta), SKB(tstamp)
		      : __clobber_all);
}

SEC("tc")
__description("tc: writes of mark, priority, tc_index, cb[], tc_classid, tstamp")
__success
__naked void tc_writes(void)
{
	asm volatile ("r2 = 1;"
		      "*(u32 *)(r1 + %[mark]) = r2;"
		      "*(u32 *)(r1 + %[priority]) = r2;"
		      "*(u32 *)(r1 + %[tc_index]) = r2;"
		      "*(u32 *)(r1 + %[cb0]) = r2;"
		      "*(u32 *)(r1 + %[cb4]) = r2;"
		      "*(u32 *)(r1 + %[tc_classid]) = r2;"
		      "*(u64 *)(r1 + %[tstamp]) = r2;"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(mark), SKB(priority), SKB(tc_index),
			 __imm_const(cb0, offsetof(struct __sk_buff, cb[0])),
			 __imm_const(cb4, offsetof(struct __sk_buff, cb[4])),
			 SKB(tc_classid), SKB(tstamp)
		      : __clobber_all);
}

SEC("tc")
__description("tc: stores of immediates into mark, tc_index, cb[] (BPF_ST)")
__success
__naked void tc_st_writes(void)
{
	asm volatile ("*(u32 *)(r1 + %[mark]) = 1;"
		      "*(u32 *)(r1 + %[tc_index]) = 1;"
		      "*(u32 *)(r1 + %[cb0]) = 7;"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(mark), SKB(tc_index),
			 __imm_const(cb0, offsetof(struct __sk_buff, cb[0]))
		      : __clobber_all);
}

SEC("tc")
__description("tc: store of an immediate into len (BPF_ST)")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void tc_st_len(void)
{
	asm volatile ("*(u32 *)(r1 + %[len]) = 1;"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(len)
		      : __clobber_all);
}

SEC("tc")
__description("tc: write to len")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void tc_write_len(void)
{
	asm volatile ("r2 = 1;"
		      "*(u32 *)(r1 + 0) = r2;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("tc")
__description("tc: write to data")
__failure __msg("invalid bpf_context access off=76 size=4")
__naked void tc_write_data(void)
{
	asm volatile ("r2 = 1;"
		      "*(u32 *)(r1 + %[data]) = r2;"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(data)
		      : __clobber_all);
}

SEC("tc")
__description("tc: narrow reads of len and protocol")
__success
__naked void tc_narrow(void)
{
	asm volatile ("r2 = *(u8 *)(r1 + %[len]);"
		      "r2 = *(u8 *)(r1 + 3);"
		      "r2 = *(u16 *)(r1 + %[len]);"
		      "r2 = *(u16 *)(r1 + %[protocol]);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(len), SKB(protocol)
		      : __clobber_all);
}

SEC("tc")
__description("tc: narrow read of data")
__failure __msg("invalid bpf_context access off=76 size=2")
__naked void tc_narrow_data(void)
{
	asm volatile ("r2 = *(u16 *)(r1 + %[data]);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(data)
		      : __clobber_all);
}

SEC("tc")
__description("tc: 8-byte read of mark")
__failure __msg("invalid bpf_context access off=8 size=8")
__naked void tc_mark_u64(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + %[mark]);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(mark)
		      : __clobber_all);
}

SEC("tc")
__description("tc: read past the end of __sk_buff")
__failure __msg("invalid bpf_context access off=192 size=4")
__naked void tc_past_end(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 192);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("tc")
__description("tc: sk must be checked for NULL before use")
__failure __msg("R2 invalid mem access 'sock_common_or_null'")
__naked void tc_sk_unchecked(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + %[sk]);"
		      "r0 = *(u32 *)(r2 + 0);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(sk)
		      : __clobber_all);
}

SEC("tc")
__description("tc: sk after a NULL check")
__failure __uebpf_differs("uebpf does not give programs struct bpf_sock through __sk_buff->sk yet")
__naked void tc_sk_checked(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + %[sk]);"
		      "if r2 == 0 goto l0_%=;"
		      "r0 = *(u32 *)(r2 + %[family]);"
		      "l0_%=: r0 = 0;"
		      "exit;"
		      :: SKB(sk), __imm_const(family, offsetof(struct bpf_sock, family))
		      : __clobber_all);
}

/* ---- socket filter ---- */

SEC("socket")
__description("socket: read len, write and read cb[]")
__success
__naked void socket_cb(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[len]);"
		      "*(u32 *)(r1 + %[cb0]) = r2;"
		      "r0 = *(u32 *)(r1 + %[cb0]);"
		      "exit;"
		      :: SKB(len), __imm_const(cb0, offsetof(struct __sk_buff, cb[0]))
		      : __clobber_all);
}

SEC("socket")
__description("socket: write to mark")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void socket_write_mark(void)
{
	asm volatile ("r2 = 1;"
		      "*(u32 *)(r1 + %[mark]) = r2;"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(mark)
		      : __clobber_all);
}

SEC("socket")
__description("socket: read data (no direct packet access)")
__failure __msg("invalid bpf_context access off=76 size=4")
__naked void socket_read_data(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(data)
		      : __clobber_all);
}

SEC("socket")
__description("socket: read tc_classid")
__failure __msg("invalid bpf_context access off=")
__naked void socket_read_classid(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[tc_classid]);"
		      "r0 = 0;"
		      "exit;"
		      :: SKB(tc_classid)
		      : __clobber_all);
}

/* ---- cgroup skb ---- */

SEC("cgroup_skb/ingress")
__description("cgroup skb: read len, data, data_end; write mark and cb[]")
__success
__naked void cgskb_access(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[len]);"
		      "r2 = *(u32 *)(r1 + %[data]);"
		      "r2 = *(u32 *)(r1 + %[data_end]);"
		      "*(u32 *)(r1 + %[mark]) = r2;"
		      "*(u32 *)(r1 + %[cb0]) = r2;"
		      "r0 = 1;"
		      "exit;"
		      :: SKB(len), SKB(data), SKB(data_end), SKB(mark),
			 __imm_const(cb0, offsetof(struct __sk_buff, cb[0]))
		      : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("cgroup skb: write to tc_index")
__failure __msg("invalid bpf_context access off=")
__naked void cgskb_write_tc_index(void)
{
	asm volatile ("r2 = 1;"
		      "*(u32 *)(r1 + %[tc_index]) = r2;"
		      "r0 = 1;"
		      "exit;"
		      :: SKB(tc_index)
		      : __clobber_all);
}

/* ---- kprobe (pt_regs) ---- */

SEC("kprobe/do_nanosleep")
__description("kprobe: 8-byte read of a pt_regs field")
__success
__naked void kprobe_read(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 112);" /* di */
		      "r0 = *(u64 *)(r1 + 160);" /* ss, the last field */
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("kprobe: narrow read of a pt_regs field")
__success
__naked void kprobe_narrow(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 112);"
		      "r0 = *(u8 *)(r1 + 113);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("kprobe: write to pt_regs")
__failure __msg("invalid bpf_context access off=112 size=8")
__naked void kprobe_write(void)
{
	asm volatile ("r2 = 0;"
		      "*(u64 *)(r1 + 112) = r2;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("kprobe: read past the end of pt_regs")
__failure __msg("invalid bpf_context access off=168 size=8")
__naked void kprobe_past_end(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 168);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("kprobe: misaligned read")
__failure __msg("invalid bpf_context access off=4 size=8")
__naked void kprobe_misaligned(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 4);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

/* ---- tracepoint ---- */

SEC("tracepoint/syscalls/sys_enter_nanosleep")
__description("tracepoint: reads of the record")
__success
__naked void tp_read(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 8);"
		      "r0 = *(u32 *)(r1 + 16);"
		      "r0 = *(u16 *)(r1 + 20);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("tracepoint/syscalls/sys_enter_nanosleep")
__description("tracepoint: the first 8 bytes (common header) are not readable")
__failure __msg("invalid bpf_context access off=0 size=2")
__naked void tp_common_header(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 0);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("tracepoint/syscalls/sys_enter_nanosleep")
__description("tracepoint: write to the record")
__failure __msg("invalid bpf_context access off=8 size=8")
__naked void tp_write(void)
{
	asm volatile ("r2 = 0;"
		      "*(u64 *)(r1 + 8) = r2;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("tracepoint/syscalls/sys_enter_nanosleep")
__description("tracepoint: read beyond the largest record")
__failure __msg("invalid bpf_context access off=8192 size=8")
__naked void tp_too_far(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 8192);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("tracepoint/syscalls/sys_enter_nanosleep")
__description("tracepoint: misaligned read")
__failure __msg("invalid bpf_context access off=12 size=8")
__naked void tp_misaligned(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 12);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

/* ---- raw tracepoint ---- */

SEC("raw_tp/sys_enter")
__description("raw_tp: read of args[0] and args[11]")
__success
__naked void raw_tp_read(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 0);"
		      "r0 = *(u64 *)(r1 + 88);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: read of args[12]")
__failure __msg("invalid bpf_context access off=96 size=8")
__naked void raw_tp_past_end(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 96);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: 4-byte read of an argument")
__success
__naked void raw_tp_narrow(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 8);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: write to an argument")
__failure __msg("invalid bpf_context access off=0 size=8")
__naked void raw_tp_write(void)
{
	asm volatile ("r2 = 0;"
		      "*(u64 *)(r1 + 0) = r2;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

/* ---- perf event ---- */

SEC("perf_event")
__description("perf_event: read regs, sample_period and addr")
__success
__naked void perf_read(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 128);" /* regs.ip */
		      "r0 = *(u64 *)(r1 + %[sample_period]);"
		      "r0 = *(u64 *)(r1 + %[addr]);"
		      "r0 = 0;"
		      "exit;"
		      :: __imm_const(sample_period, offsetof(struct bpf_perf_event_data, sample_period)),
			 __imm_const(addr, offsetof(struct bpf_perf_event_data, addr))
		      : __clobber_all);
}

SEC("perf_event")
__description("perf_event: narrow read of sample_period")
__success
__naked void perf_narrow(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + %[sample_period]);"
		      "r0 = 0;"
		      "exit;"
		      :: __imm_const(sample_period, offsetof(struct bpf_perf_event_data, sample_period))
		      : __clobber_all);
}

SEC("perf_event")
__description("perf_event: write to sample_period")
__failure __msg("invalid bpf_context access off=168 size=8")
__naked void perf_write(void)
{
	asm volatile ("r2 = 0;"
		      "*(u64 *)(r1 + 168) = r2;"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

SEC("perf_event")
__description("perf_event: read past the end")
__failure __msg("invalid bpf_context access off=184 size=8")
__naked void perf_past_end(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 184);"
		      "r0 = 0;"
		      "exit;"
		      ::: __clobber_all);
}

/* ---- cgroup sock_addr ---- */

SEC("cgroup/connect4")
__description("connect4: read family, ip4, port; write ip4 and port")
__success
__naked void connect4_access(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[user_family]);"
		      "r2 = *(u32 *)(r1 + %[user_ip4]);"
		      "r3 = *(u32 *)(r1 + %[user_port]);"
		      "*(u32 *)(r1 + %[user_ip4]) = r2;"
		      "*(u32 *)(r1 + %[user_port]) = r3;"
		      "r0 = 1;"
		      "exit;"
		      :: SA(user_family), SA(user_ip4), SA(user_port)
		      : __clobber_all);
}

SEC("cgroup/connect4")
__description("connect4: narrow reads of user_ip4")
__success
__naked void connect4_narrow_read(void)
{
	asm volatile ("r2 = *(u8 *)(r1 + %[user_ip4]);"
		      "r2 = *(u16 *)(r1 + %[user_ip4]);"
		      "r0 = 1;"
		      "exit;"
		      :: SA(user_ip4)
		      : __clobber_all);
}

SEC("cgroup/connect4")
__description("connect4: narrow write of user_ip4")
__failure __msg("invalid bpf_context access off=4 size=1")
__naked void connect4_narrow_write(void)
{
	asm volatile ("r2 = 0;"
		      "*(u8 *)(r1 + %[user_ip4]) = r2;"
		      "r0 = 1;"
		      "exit;"
		      :: SA(user_ip4)
		      : __clobber_all);
}

SEC("cgroup/connect4")
__description("connect4: user_ip6 is for connect6")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void connect4_ip6(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[user_ip6]);"
		      "r0 = 1;"
		      "exit;"
		      :: __imm_const(user_ip6, offsetof(struct bpf_sock_addr, user_ip6[0]))
		      : __clobber_all);
}

SEC("cgroup/connect4")
__description("connect4: msg_src_ip4 is for sendmsg4")
__failure __msg("invalid bpf_context access off=40 size=4")
__naked void connect4_msg_src(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[msg_src_ip4]);"
		      "r0 = 1;"
		      "exit;"
		      :: SA(msg_src_ip4)
		      : __clobber_all);
}

SEC("cgroup/connect4")
__description("connect4: write to family")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void connect4_write_family(void)
{
	asm volatile ("r2 = 2;"
		      "*(u32 *)(r1 + %[user_family]) = r2;"
		      "r0 = 1;"
		      "exit;"
		      :: SA(user_family)
		      : __clobber_all);
}

SEC("cgroup/connect6")
__description("connect6: read and write user_ip6[]")
__success
__naked void connect6_ip6(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[ip6_0]);"
		      "*(u32 *)(r1 + %[ip6_3]) = r2;"
		      "r0 = 1;"
		      "exit;"
		      :: __imm_const(ip6_0, offsetof(struct bpf_sock_addr, user_ip6[0])),
			 __imm_const(ip6_3, offsetof(struct bpf_sock_addr, user_ip6[3]))
		      : __clobber_all);
}

SEC("cgroup/sendmsg4")
__description("sendmsg4: write msg_src_ip4")
__success
__naked void sendmsg4_src(void)
{
	asm volatile ("r2 = 0x0100007f;"
		      "*(u32 *)(r1 + %[msg_src_ip4]) = r2;"
		      "r0 = 1;"
		      "exit;"
		      :: SA(msg_src_ip4)
		      : __clobber_all);
}

char _license[] SEC("license") = "GPL";
