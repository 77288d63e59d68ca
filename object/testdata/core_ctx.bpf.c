/* SPDX-License-Identifier: MIT */
/* Every context type as a vmlinux.h-based program sees it: all structs
 * marked for CO-RE, so every context access is relocated. */
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#include <linux/bpf.h>

/* As in the kernel (and vmlinux.h): arch/x86/include/asm/ptrace.h. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax, ip;
	union {
		__u16 cs;
		__u64 csx;
	};
	unsigned long flags, sp;
	union {
		__u16 ss;
		__u64 ssx;
	};
};

typedef struct pt_regs bpf_user_pt_regs_t;

struct bpf_perf_event_data {
	bpf_user_pt_regs_t regs;
	__u64 sample_period;
	__u64 addr;
};

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
	char __data[0];
};

struct syscall_trace_enter {
	struct trace_entry ent;
	int nr;
	unsigned long args[];
};
#pragma clang attribute pop

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("xdp")
int ctx_xdp(struct xdp_md *ctx)
{
	return ctx->data + ctx->data_end * 3 + ctx->ingress_ifindex * 5 + ctx->egress_ifindex;
}

SEC("tc")
int ctx_skb(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u32 r = skb->len + skb->cb[2] + skb->remote_ip6[3] + skb->data_meta + skb->hash;

	if (sk)
		r += sk->family + sk->dst_port;
	return r + (__u32)skb->tstamp;
}

SEC("sockops")
int ctx_sock_ops(struct bpf_sock_ops *ctx)
{
	return ctx->op + ctx->args[1] + ctx->reply + ctx->local_port + (__u32)ctx->bytes_acked;
}

SEC("sk_msg")
int ctx_sk_msg(struct sk_msg_md *msg)
{
	return msg->size + msg->remote_port + msg->local_ip6[2] + (msg->data_end - msg->data);
}

SEC("cgroup/connect6")
int ctx_sock_addr(struct bpf_sock_addr *ctx)
{
	return ctx->user_ip6[2] + ctx->user_port + ctx->family + ctx->protocol;
}

SEC("cgroup/getsockopt")
int ctx_sockopt(struct bpf_sockopt *ctx)
{
	return ctx->level + ctx->optname + ctx->optlen + ctx->retval +
	       (ctx->optval_end - ctx->optval);
}

SEC("cgroup/sysctl")
int ctx_sysctl(struct bpf_sysctl *ctx)
{
	return ctx->write + ctx->file_pos;
}

SEC("perf_event")
int ctx_perf(struct bpf_perf_event_data *ctx)
{
	return (int)(ctx->regs.ip + ctx->regs.sp + ctx->sample_period + ctx->addr);
}

SEC("raw_tp/sys_enter")
int ctx_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	return (int)(ctx->args[0] + ctx->args[1]);
}

SEC("cgroup/dev")
int ctx_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	return ctx->access_type + ctx->major * 3 + ctx->minor;
}

SEC("sk_reuseport")
int ctx_reuseport(struct sk_reuseport_md *ctx)
{
	return ctx->len + ctx->eth_protocol + ctx->hash + ctx->bind_inany;
}

SEC("sk_lookup")
int ctx_sk_lookup(struct bpf_sk_lookup *ctx)
{
	return ctx->remote_port + ctx->local_port + ctx->local_ip6[1] + (__u32)ctx->cookie;
}

SEC("kprobe/regs")
int ctx_regs(struct pt_regs *ctx)
{
	return (int)(BPF_CORE_READ(ctx, di) + BPF_CORE_READ(ctx, si) + ctx->dx + ctx->cx + ctx->r8 +
		     ctx->ax + ctx->cs + ctx->ssx + ctx->flags);
}

SEC("tp/raw_syscalls/sys_exit")
int ctx_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	return (int)(ctx->ret + ctx->id + ctx->ent.pid + ctx->ent.preempt_count);
}

SEC("tp/syscalls/sys_enter_openat")
int ctx_openat(struct syscall_trace_enter *ctx)
{
	return (int)(ctx->nr + ctx->args[1] + ctx->args[2]);
}

char LICENSE[] SEC("license") = "GPL";
