/* SPDX-License-Identifier: MIT */
/* CO-RE field relocations with local types that differ from uebpf's:
 * other member order, fewer members, ___flavor names, user-space and
 * kernel register names, nested structs, arrays, pointer chains. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __core __attribute__((preserve_access_index))

/* pt_regs with the kernel's names (as vmlinux.h), reordered, a subset,
 * and the user-space names: all at other offsets than uebpf's. */
struct pt_regs___reordered {
	unsigned long ip;
	unsigned long di;
	unsigned long si;
	unsigned long sp;
	unsigned long rdi;
	unsigned long orig_rax;
	unsigned long eflags;
	unsigned short cs;
	unsigned long ssx;
} __core;

struct trace_entry___x {
	int pid;
	unsigned char flags;
} __core;

struct trace_event_raw_sys_enter___x {
	unsigned long args[6];
	long id;
	struct trace_entry___x ent;
} __core;

struct bpf_sock___x {
	__u32 state;
	__u32 family;
} __core;

struct __sk_buff___x {
	__u32 cb[5];
	__u32 len;
	struct bpf_sock___x *sk;
	__u32 remote_ip6[4];
} __core;

SEC("kprobe/read_regs")
int read_regs(struct pt_regs___reordered *regs)
{
	unsigned long sum = 0;

	sum += BPF_CORE_READ(regs, di);
	sum += BPF_CORE_READ(regs, si);
	sum += BPF_CORE_READ(regs, ip) << 1;
	sum += BPF_CORE_READ(regs, sp) << 2;
	sum += BPF_CORE_READ(regs, rdi) << 3;
	sum += BPF_CORE_READ(regs, orig_rax) << 4;
	sum += BPF_CORE_READ(regs, eflags) << 5;
	sum += BPF_CORE_READ(regs, cs) << 6;
	sum += BPF_CORE_READ(regs, ssx) << 7;
	return (int)sum;
}

/* Direct loads from the context: offsets (and one width) patched. */
SEC("kprobe/direct_regs")
int direct_regs(struct pt_regs___reordered *regs)
{
	return (int)(regs->di + regs->rdi * 3 + regs->cs * 5 + regs->ip * 7);
}

SEC("tp/raw_syscalls/sys_enter")
int sys_enter(struct trace_event_raw_sys_enter___x *ctx)
{
	return (int)(ctx->args[2] + ctx->args[5] * 3 + ctx->id * 5 + ctx->ent.pid * 7 +
		     ctx->ent.flags * 11);
}

SEC("tc")
int skb_chain(struct __sk_buff___x *skb)
{
	__u32 family = BPF_CORE_READ(skb, sk, family);
	__u32 state = BPF_CORE_READ(skb, sk, state);

	return family + state + BPF_CORE_READ(skb, remote_ip6[3]) + BPF_CORE_READ(skb, cb[1]) +
	       BPF_CORE_READ(skb, len);
}

/* Offsets and sizes as values, existence of present fields. */
SEC("kprobe/field_info")
int field_info(struct pt_regs___reordered *regs)
{
	struct trace_event_raw_sys_enter___x *t = (void *)regs;
	int r = 0;

	r += bpf_core_field_offset(regs->sp);
	r += bpf_core_field_size(regs->cs) << 8;
	r += bpf_core_field_exists(regs->rdi) << 12;
	r += bpf_core_field_exists(struct pt_regs___reordered, eflags) << 13;
	r += bpf_core_field_offset(t->args[4]) << 14;
	r += bpf_core_field_size(t->args) << 20;
	r += bpf_core_field_offset(t->ent.flags) << 24;
	return r;
}

/* Explicit __builtin_preserve_access_index on the UAPI context type. */
SEC("xdp")
int xdp_explicit(struct xdp_md *ctx)
{
	__u32 end = __builtin_preserve_access_index(ctx->data_end);
	__u32 ifindex = __builtin_preserve_access_index(ctx->ingress_ifindex);

	return end + ifindex;
}

char LICENSE[] SEC("license") = "GPL";
