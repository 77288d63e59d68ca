/* SPDX-License-Identifier: MIT */
/* XDP head, tail and metadata adjustment: VLAN tags pushed and popped,
 * IP-in-IP encapsulation, trims and growth, metadata written and read,
 * and the helpers' answers to deltas out of range. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __s32);
	__type(value, __u32);
} adjust_results SEC(".maps");

static __always_inline void note(__s32 key)
{
	__u32 one = 1, *v = bpf_map_lookup_elem(&adjust_results, &key);
	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&adjust_results, &key, &one, BPF_ANY);
}

SEC("xdp")
int xdp_vlan_push(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 vid;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	vid = (bpf_ntohs(eth->h_proto) ^ eth->h_source[5]) & 0xfff;
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + 18 > data_end)
		return XDP_ABORTED;
	__builtin_memmove(data, data + 4, 12);
	struct vlan_hdr *v = data + 14;
	((struct ethhdr *)data)->h_proto = bpf_htons(ETH_P_8021Q);
	v->tci = bpf_htons(vid);
	return XDP_TX;
}

SEC("xdp")
int xdp_vlan_pop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 macs[12];

	if ((void *)(eth + 1) + 4 > data_end)
		return XDP_DROP;
	if (!is_vlan(eth->h_proto))
		return XDP_PASS;
	__builtin_memcpy(macs, data, 12);
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + 14 > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, macs, 12);
	return XDP_TX;
}

/* IPv4 in IPv4: a new outer header before the packet's own. */
SEC("xdp")
int xdp_ipip_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ethhdr copy;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	copy = *eth;
	__u32 inner_len = data_end - data - sizeof(*eth);
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	struct iphdr *outer = data + sizeof(*eth);
	if ((void *)(outer + 1) > data_end)
		return XDP_ABORTED;
	*eth = copy;
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(inner_len + sizeof(*outer));
	outer->id = bpf_htons(inner_len);
	outer->frag_off = bpf_htons(0x4000);
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = bpf_htonl(0xc0000201);
	outer->daddr = bpf_htonl(0xc0000202);
	__u32 sum = 0;
	__u16 *w = (__u16 *)outer;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	outer->check = csum_fold32(sum);
	return XDP_TX;
}

/* Trims the frame to what the IPv4 header says, or grows it by up to 63
 * bytes of a pattern. */
SEC("xdp")
int xdp_tail_fit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;

	if (off < 0 || proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end)
		return XDP_PASS;
	int have = data_end - (void *)ip, want = bpf_ntohs(ip->tot_len);
	if (want < have) {
		int r = bpf_xdp_adjust_tail(ctx, want - have);
		note(r == 0 ? 1 : r);
		return r ? XDP_DROP : XDP_TX;
	}
	int grow = bpf_ntohs(ip->id) & 63;
	int r = bpf_xdp_adjust_tail(ctx, grow);
	note(r == 0 ? 2 : r - 100);
	if (r)
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;
	asm volatile("" : "+r"(len)); /* a scalar from here on */
	for (int i = 1; i <= 63; i++) {
		__u8 *p = data + ((len - i) & 0x3fff);
		if (i > grow || (void *)(p + 1) > data_end)
			break;
		*p = (__u8)(0xa0 + i);
	}
	return XDP_TX;
}

/* Metadata: what the context brought, then 8 bytes written before it. */
SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *meta = (void *)(long)ctx->data_meta;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 had = data - meta, first = 0;

	if (meta + 4 <= data)
		first = *(__u32 *)meta;
	if ((void *)((__u8 *)data + 1) > data_end)
		return XDP_ABORTED;
	__u8 b0 = *(__u8 *)data;
	int r = bpf_xdp_adjust_meta(ctx, -8);
	note(r ? r : (__s32)(1000 + had));
	if (r)
		return XDP_DROP;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if (meta + 8 > data)
		return XDP_ABORTED;
	((__u32 *)meta)[0] = first ^ (ctx->data_end - ctx->data);
	((__u32 *)meta)[1] = b0 | had << 8;
	/* Giving back more than there is fails. */
	r = bpf_xdp_adjust_meta(ctx, 4 + had + 8);
	note(r ? r - 200 : 3);
	return b0 & 1 ? XDP_PASS : XDP_TX;
}

/* Deltas of every size, in range and out of it: the answers counted. */
SEC("xdp")
int xdp_adjust_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	if (data + 16 > data_end)
		return XDP_DROP;
	__s32 dh = (__s32)(((__u8 *)data)[14] | ((__u8 *)data)[15] << 8) % 600 - 300;
	__s32 dt = (__s32)((__u8 *)data)[13] * 16 - 2048;
	int rh = bpf_xdp_adjust_head(ctx, dh);
	int rt = bpf_xdp_adjust_tail(ctx, dt);
	note(rh == 0 ? 10 : rh - 300);
	note(rt == 0 ? 11 : rt - 400);
	note((__s32)(ctx->data_end - ctx->data) + 5000);
	return rh ? XDP_DROP : rt ? XDP_PASS : XDP_TX;
}
