/* SPDX-License-Identifier: MIT */
/* XDP firewalls: LPM-trie rules on IPv4 and IPv6 addresses, hash rules on
 * protocol and port, VLAN policy; rules installed by the harness. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm4_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} fw4_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm6_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} fw6_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} fw_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} vlan_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void count(__u32 action, __u32 bytes)
{
	__u32 k = action & 15;
	__u64 *v = bpf_map_lookup_elem(&verdicts, &k);
	if (v)
		*v += bytes;
}

static __always_inline int verdict(__u32 action)
{
	switch (action) {
	case 0: return XDP_PASS;
	case 1: case 5: return XDP_DROP;
	case 3: case 8: return XDP_TX;
	case 9: return XDP_ABORTED;
	default: return XDP_PASS;
	}
}

SEC("xdp")
int xdp_fw_lpm4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;
	struct lpm4_key k = { .prefixlen = 32 };

	if (off < 0 || proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(k.addr, &ip->saddr, 4);
	__u32 *a = bpf_map_lookup_elem(&fw4_lpm, &k);
	__u32 action = a ? *a : 0;
	/* The destination too: the longer prefix wins. */
	__builtin_memcpy(k.addr, &ip->daddr, 4);
	__u32 *d = bpf_map_lookup_elem(&fw4_lpm, &k);
	if (d && *d > action)
		action = *d;
	count(action, data_end - data);
	return verdict(action);
}

SEC("xdp")
int xdp_fw_lpm6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct ipv6hdr *ip6 = data + off;
	struct lpm6_key k = { .prefixlen = 128 };

	if (off < 0 || proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(k.addr, &ip6->saddr, 16);
	__u32 *a = bpf_map_lookup_elem(&fw6_lpm, &k);
	__u32 action = a ? *a : 0;
	/* A shorter query: the /64 of the destination. */
	k.prefixlen = 64;
	__builtin_memcpy(k.addr, &ip6->daddr, 16);
	__u32 *d = bpf_map_lookup_elem(&fw6_lpm, &k);
	if (d)
		action += *d * 16;
	__u32 hk = action;
	__u64 one = 1, *h = bpf_map_lookup_elem(&hits, &hk);
	if (h)
		*h += 1;
	else
		bpf_map_update_elem(&hits, &hk, &one, BPF_ANY);
	count(action, 1);
	return verdict(action & 15);
}

static __always_inline int l4_key(void *data, void *data_end, __u32 *key)
{
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	__u8 l4;
	void *l4h;

	if (off < 0)
		return -1;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return -1;
		l4 = ip->protocol;
		l4h = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > data_end)
			return -1;
		l4 = ip6->nexthdr;
		l4h = ip6 + 1;
	} else {
		return -1;
	}
	if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP)
		return -1;
	struct udphdr *u = l4h; /* ports at the same place in both */
	if ((void *)(u + 1) > data_end)
		return -1;
	*key = (__u32)l4 << 16 | bpf_ntohs(u->dest);
	return 0;
}

SEC("xdp")
int xdp_fw_ports(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 key;

	if (l4_key(data, data_end, &key))
		return XDP_PASS;
	__u32 *a = bpf_map_lookup_elem(&fw_ports, &key);
	if (!a) {
		count(15, 1);
		return XDP_PASS;
	}
	count(*a, 1);
	return *a == 1 ? XDP_DROP : *a == 4 ? XDP_TX : XDP_PASS;
}

/* VLAN policy, then the address rules, then the port rules. */
SEC("xdp")
int xdp_fw_combined(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 vids[2] = { 0, 0 };
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, vids, &nvlan);

	if (off < 0)
		return XDP_DROP;
	if (nvlan) {
		__u32 *pol = bpf_map_lookup_elem(&vlan_policy, &vids[nvlan - 1]);
		if (!pol)
			return XDP_DROP;
		if (*pol == 3)
			return XDP_TX;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		struct lpm4_key k = { .prefixlen = 32 };
		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(k.addr, &ip->daddr, 4);
		__u32 *a = bpf_map_lookup_elem(&fw4_lpm, &k);
		if (a && (*a == 5 || *a == 10))
			return XDP_DROP;
	}
	__u32 key;
	if (l4_key(data, data_end, &key) == 0) {
		__u32 *a = bpf_map_lookup_elem(&fw_ports, &key);
		if (a && *a == 1)
			return XDP_DROP;
		__u64 one = 1, *h = bpf_map_lookup_elem(&hits, &key);
		if (h)
			*h += data_end - data;
		else
			bpf_map_update_elem(&hits, &key, &one, BPF_NOEXIST);
	}
	return XDP_PASS;
}
