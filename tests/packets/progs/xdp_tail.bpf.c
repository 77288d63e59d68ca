/* SPDX-License-Identifier: MIT */
/* XDP tail calls: a dispatcher jumps by EtherType through a program array
 * (slots filled by the harness: program tailN_ goes to slot N), the L3
 * programs jump on to the L4 one, and an empty slot falls through. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

/* What one stage leaves for the next. */
struct scratch {
	__u32 l4off;
	__u32 l4proto;
	__u32 stages;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} stage_counts SEC(".maps");

static __always_inline struct scratch *get_scratch(void)
{
	__u32 z = 0;
	return bpf_map_lookup_elem(&scratch, &z);
}

static __always_inline void stage(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&stage_counts, &k);
	if (v)
		*v += 1;
}

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct scratch *s = get_scratch();

	if (!s)
		return XDP_ABORTED;
	s->stages = 1;
	s->l4off = off;
	stage(0);
	if (off < 0)
		return XDP_DROP;
	if (proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &jmp_table, 1);
	else if (proto == bpf_htons(ETH_P_IPV6))
		bpf_tail_call(ctx, &jmp_table, 2);
	else if (proto == bpf_htons(ETH_P_ARP))
		bpf_tail_call(ctx, &jmp_table, 7); /* empty: falls through */
	else
		bpf_tail_call(ctx, &jmp_table, 0);
	stage(9);
	return XDP_PASS;
}

SEC("xdp")
int tail0_other(struct xdp_md *ctx)
{
	stage(1);
	return (ctx->data_end - ctx->data) & 1 ? XDP_DROP : XDP_TX;
}

SEC("xdp")
int tail1_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct scratch *s = get_scratch();

	stage(2);
	if (!s || s->l4off > 22)
		return XDP_ABORTED;
	struct iphdr *ip = data + s->l4off;
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	s->l4off += ip->ihl * 4;
	s->l4proto = ip->protocol;
	s->stages++;
	bpf_tail_call(ctx, &jmp_table, 3);
	return XDP_ABORTED;
}

SEC("xdp")
int tail2_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct scratch *s = get_scratch();

	stage(3);
	if (!s || s->l4off > 22)
		return XDP_ABORTED;
	struct ipv6hdr *ip6 = data + s->l4off;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	s->l4off += sizeof(*ip6);
	s->l4proto = ip6->nexthdr;
	s->stages++;
	bpf_tail_call(ctx, &jmp_table, 3);
	return XDP_ABORTED;
}

SEC("xdp")
int tail3_l4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct scratch *s = get_scratch();

	stage(4);
	if (!s)
		return XDP_ABORTED;
	__u32 off = s->l4off & 0xff;
	struct udphdr *u = data + off;
	if ((void *)(u + 1) > data_end)
		return XDP_DROP;
	stage(5 + (s->l4proto & 7));
	s->stages++;
	if (s->l4proto == IPPROTO_TCP || s->l4proto == IPPROTO_UDP)
		return bpf_ntohs(u->dest) < 1024 ? XDP_PASS : XDP_TX;
	return XDP_DROP;
}
