/* SPDX-License-Identifier: MIT */
/* bpf-to-bpf calls: static functions (with packet pointers), global
 * functions (verified on their own: context and scalars), nested calls. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} call_stats SEC(".maps");

static __noinline int l4_offset(void *data, void *data_end, int off, __u16 proto)
{
	if (off < 0 || off > 22)
		return -1;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > data_end)
			return -1;
		return off + ip->ihl * 4;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > data_end)
			return -1;
		return off + 40;
	}
	return -2;
}

static __noinline __u32 mix(__u32 a, __u32 b)
{
	a ^= b * 0x9e3779b1;
	a = (a << 7) | (a >> 25);
	return a + b;
}

static __noinline __u32 depth3(__u32 x)
{
	return mix(x, x >> 3) ^ 0x55;
}
static __noinline __u32 depth2(__u32 x)
{
	return depth3(x + 1) * 3;
}
static __noinline __u32 depth1(__u32 x)
{
	return depth2(x ^ 0xff) + depth3(x);
}

SEC("xdp")
int xdp_static_calls(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	int l4 = l4_offset(data, data_end, off, proto);
	__u32 k = l4 < 0 ? (__u32)(-l4) : 3 + (l4 & 31);
	__u64 *v = bpf_map_lookup_elem(&call_stats, &k);
	if (v)
		*v += mix(l4, data_end - data);
	return l4 < 0 ? XDP_DROP : XDP_PASS;
}

/* Global: verified with only its own arguments' types. */
__noinline int global_len_class(struct xdp_md *ctx, __u32 shift)
{
	if (!ctx)
		return 0;
	__u32 len = ctx->data_end - ctx->data;
	return (len >> (shift & 15)) & 7;
}

__noinline int global_first_byte(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	if (data + 1 > data_end)
		return -1;
	return *(__u8 *)data;
}

__noinline __u32 global_hash(__u32 a, __u32 b, __u32 c)
{
	return depth1(a) ^ mix(b, c);
}

SEC("xdp")
int xdp_global_calls(struct xdp_md *ctx)
{
	int c = global_len_class(ctx, 6);
	int b = global_first_byte(ctx);
	__u32 k = 32 + (c & 7);
	__u64 *v = bpf_map_lookup_elem(&call_stats, &k);
	if (v)
		*v += global_hash(b, c, ctx->data_end - ctx->data);
	return b < 0 ? XDP_ABORTED : (b & 3) == 0 ? XDP_DROP : XDP_PASS;
}

__noinline int global_skb_score(struct __sk_buff *skb, __u32 salt)
{
	if (!skb)
		return 0;
	return (skb->len * 31 + skb->protocol + salt) & 0xffff;
}

SEC("tc")
int tc_global_calls(struct __sk_buff *skb)
{
	int s = global_skb_score(skb, skb->mark);
	skb->mark = global_hash(s, skb->priority, skb->cb[0]);
	skb->priority = depth1(s) & 0xff;
	return s & 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("xdp")
int xdp_deep_calls(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	if (data + 8 > data_end)
		return XDP_DROP;
	__u32 x = *(__u32 *)data ^ *(__u32 *)(data + 4);
	__u32 r = depth1(x) + depth2(x >> 1);
	__u32 k = 48 + (r & 15);
	__u64 *v = bpf_map_lookup_elem(&call_stats, &k);
	if (v)
		*v += r;
	return r & 1 ? XDP_PASS : XDP_TX;
}
