/* SPDX-License-Identifier: MIT */
/* XDP rewriting: NAT of addresses and ports with checksums updated by
 * hand (RFC 1624) or through bpf_csum_diff, TTL decrement, swaps. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct nat4_key);
	__type(value, struct nat4_val);
} nat4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} nat_stats SEC(".maps");

static __always_inline void nstat(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&nat_stats, &k);
	if (v)
		*v += 1;
}

/* Finds IPv4 and its L4 header; 0 when both are there. */
static __always_inline int ipv4_l4(void *data, void *data_end, struct iphdr **ipp, void **l4p)
{
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;

	if (off < 0 || proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end)
		return -1;
	if (ip->ihl < 5)
		return -1;
	*ipp = ip;
	*l4p = (void *)ip + ip->ihl * 4;
	return 0;
}

SEC("xdp")
int xdp_nat_direct(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip;
	void *l4;

	if (ipv4_l4(data, data_end, &ip, &l4))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *u = l4;
	if ((void *)(u + 1) > data_end)
		return XDP_PASS;
	struct nat4_key k = { .addr = ip->daddr, .port = u->dest, .proto = ip->protocol };
	struct nat4_val *v = bpf_map_lookup_elem(&nat4, &k);
	if (!v) {
		nstat(0);
		return XDP_PASS;
	}
	__u32 old_addr = bpf_ntohl(ip->daddr), new_addr = bpf_ntohl(v->addr);
	__u16 old_port = bpf_ntohs(u->dest), new_port = bpf_ntohs(v->port);
	ip->check = bpf_htons(csum_update32(bpf_ntohs(ip->check), old_addr, new_addr));
	ip->daddr = v->addr;
	u->dest = v->port;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *t = l4;
		if ((void *)(t + 1) > data_end)
			return XDP_ABORTED;
		__u16 c = csum_update32(bpf_ntohs(t->check), old_addr, new_addr);
		t->check = bpf_htons(csum_update16(c, old_port, new_port));
		nstat(1);
	} else if (u->check) {
		__u16 c = csum_update32(bpf_ntohs(u->check), old_addr, new_addr);
		c = csum_update16(c, old_port, new_port);
		u->check = bpf_htons(c ? c : 0xffff);
		nstat(2);
	} else {
		nstat(3);
	}
	return XDP_TX;
}

SEC("xdp")
int xdp_ttl_dec(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);

	if (off < 0)
		return XDP_DROP;
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		if (ip6->hop_limit <= 1)
			return XDP_DROP;
		ip6->hop_limit--;
		return XDP_TX;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = data + off;
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	if (ip->ttl <= 1)
		return XDP_DROP;
	__u16 old = ip->ttl << 8 | ip->protocol;
	ip->ttl--;
	ip->check = bpf_htons(csum_update16(bpf_ntohs(ip->check), old, old - 0x100));
	return XDP_TX;
}

SEC("xdp")
int xdp_swap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 mac[6];
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);

	if (off < 0)
		return XDP_ABORTED;
	__builtin_memcpy(mac, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, eth->h_source, 6);
	__builtin_memcpy(eth->h_source, mac, 6);
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > data_end)
			return XDP_TX;
		__be32 a = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = a;
		if (ip->ihl == 5 && (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP)) {
			struct udphdr *u = (void *)(ip + 1);
			if ((void *)(u + 1) > data_end)
				return XDP_TX;
			__be16 p = u->source;
			u->source = u->dest;
			u->dest = p;
		}
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		struct in6_addr t;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_TX;
		t = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = t;
	}
	return XDP_TX;
}

/* The source address replaced, the checksums through bpf_csum_diff. */
SEC("xdp")
int xdp_csum_diff(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip;
	void *l4;

	if (ipv4_l4(data, data_end, &ip, &l4))
		return XDP_PASS;
	__be32 old = ip->saddr, new = bpf_htonl(0xc0000201 + (bpf_ntohl(old) & 0xff));
	__s64 d = bpf_csum_diff(&old, 4, &new, 4, ~((__u32)ip->check) & 0xffff);
	if (d < 0)
		return XDP_ABORTED;
	ip->check = csum_fold32((__u32)d);
	ip->saddr = new;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *t = l4;
		if ((void *)(t + 1) > data_end)
			return XDP_DROP;
		d = bpf_csum_diff(&old, 4, &new, 4, ~((__u32)t->check) & 0xffff);
		t->check = csum_fold32((__u32)d);
	}
	return XDP_TX;
}

/* The IPv4 header checksum recomputed and compared. */
SEC("xdp")
int xdp_csum_verify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip;
	void *l4;

	if (ipv4_l4(data, data_end, &ip, &l4))
		return XDP_PASS;
	__u32 nwords = (ip->ihl - 5) * 2;
	__s64 s = bpf_csum_diff(0, 0, (void *)ip, sizeof(*ip), 0);
	if (s < 0)
		return XDP_ABORTED;
	__u32 sum = (__u32)s;
	__u16 *w = (__u16 *)(ip + 1);
	for (int i = 0; i < 20; i++) {
		__u16 *q = w + i;
		if (i >= nwords || (void *)(q + 1) > data_end)
			break;
		sum += *q;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	nstat(csum_fold32(sum) == 0 ? 4 : 5);
	return csum_fold32(sum) == 0 ? XDP_PASS : XDP_DROP;
}
