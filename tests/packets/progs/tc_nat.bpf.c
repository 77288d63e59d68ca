/* SPDX-License-Identifier: MIT */
/* tc rewriting through the skb helpers: bpf_skb_store_bytes,
 * bpf_l3_csum_replace, bpf_l4_csum_replace, bpf_csum_diff,
 * bpf_skb_load_bytes; and one direct write with a hand-made checksum. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct nat4_key);
	__type(value, struct nat4_val);
} nat4 SEC(".maps");

/* Offsets of the IPv4 header and its L4 header; 0 when both fit. */
static __always_inline int offsets4(struct __sk_buff *skb, __u32 *l3, __u32 *l4, __u8 *proto)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	__u16 eth_proto;
	int nvlan;
	int off = parse_eth(data, data_end, &eth_proto, NULL, &nvlan);
	struct iphdr *ip = data + off;

	if (off < 0 || eth_proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end)
		return -1;
	if (ip->ihl < 5)
		return -1;
	*l3 = off;
	*l4 = off + ip->ihl * 4;
	*proto = ip->protocol;
	return 0;
}

SEC("tc")
int tc_snat_l3l4(struct __sk_buff *skb)
{
	__u32 l3, l4;
	__u8 proto;
	__be32 old, new;

	if (offsets4(skb, &l3, &l4, &proto))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, l3 + offsetof(struct iphdr, saddr), &old, 4))
		return TC_ACT_SHOT;
	new = bpf_htonl(0xcb007100 | (bpf_ntohl(old) & 0xff));
	if (bpf_skb_store_bytes(skb, l3 + offsetof(struct iphdr, saddr), &new, 4, 0))
		return TC_ACT_SHOT;
	if (bpf_l3_csum_replace(skb, l3 + offsetof(struct iphdr, check), old, new, 4))
		return TC_ACT_SHOT;
	if (proto == IPPROTO_TCP) {
		long r = bpf_l4_csum_replace(skb, l4 + offsetof(struct tcphdr, check), old, new,
					     BPF_F_PSEUDO_HDR | 4);
		skb->mark = 0x100 | (r != 0);
	} else if (proto == IPPROTO_UDP) {
		long r = bpf_l4_csum_replace(skb, l4 + offsetof(struct udphdr, check), old, new,
					     BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | 4);
		skb->mark = 0x200 | (r != 0);
	}
	return TC_ACT_OK;
}

SEC("tc")
int tc_dnat_port(struct __sk_buff *skb)
{
	__u32 l3, l4;
	__u8 proto;
	struct nat4_key k = {};
	__be16 old_port;

	if (offsets4(skb, &l3, &l4, &proto))
		return TC_ACT_OK;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, l3 + offsetof(struct iphdr, daddr), &k.addr, 4) ||
	    bpf_skb_load_bytes(skb, l4 + 2, &old_port, 2))
		return TC_ACT_SHOT;
	k.port = old_port;
	k.proto = proto;
	struct nat4_val *v = bpf_map_lookup_elem(&nat4, &k);
	if (!v)
		return TC_ACT_UNSPEC;
	__be16 new_port = v->port;
	__be32 new_addr = v->addr;
	__u32 csum_off = l4 + (proto == IPPROTO_TCP ? offsetof(struct tcphdr, check)
						    : offsetof(struct udphdr, check));
	bpf_l4_csum_replace(skb, csum_off, old_port, new_port, 2);
	bpf_skb_store_bytes(skb, l4 + 2, &new_port, 2, 0);
	bpf_l4_csum_replace(skb, csum_off, k.addr, new_addr, BPF_F_PSEUDO_HDR | 4);
	bpf_l3_csum_replace(skb, l3 + offsetof(struct iphdr, check), k.addr, new_addr, 4);
	bpf_skb_store_bytes(skb, l3 + offsetof(struct iphdr, daddr), &new_addr, 4, 0);
	return TC_ACT_OK;
}

/* IPv6 destination rewritten: the L4 checksum through bpf_csum_diff. */
SEC("tc")
int tc_csum_diff_v6(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct ipv6hdr *ip6 = data + off;
	__be32 old[4], new[4];

	if (off < 0 || proto != bpf_htons(ETH_P_IPV6) || (void *)(ip6 + 1) > data_end)
		return TC_ACT_OK;
	__u8 next = ip6->nexthdr;
	__builtin_memcpy(old, &ip6->daddr, 16);
	new[0] = bpf_htonl(0x20010db8);
	new[1] = bpf_htonl(0xffff);
	new[2] = old[2];
	new[3] = old[3] ^ bpf_htonl(0x1);
	__s64 diff = bpf_csum_diff(old, 16, new, 16, 0);
	__u32 addr_off = off + offsetof(struct ipv6hdr, daddr);
	__u32 l4 = off + sizeof(*ip6);
	if (bpf_skb_store_bytes(skb, addr_off, new, 16, 0))
		return TC_ACT_SHOT;
	if (next == IPPROTO_TCP)
		bpf_l4_csum_replace(skb, l4 + offsetof(struct tcphdr, check), 0, diff, BPF_F_PSEUDO_HDR);
	else if (next == IPPROTO_UDP)
		bpf_l4_csum_replace(skb, l4 + offsetof(struct udphdr, check), 0, diff,
				    BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0);
	else if (next == IPPROTO_ICMPV6)
		bpf_l4_csum_replace(skb, l4 + 2, 0, diff, BPF_F_PSEUDO_HDR);
	skb->cb[2] = (__u32)diff;
	return TC_ACT_OK;
}

/* DSCP rewritten in place, the header checksum updated by hand. */
SEC("tc")
int tc_direct_dscp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;

	if (off < 0 || proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	__u16 old = *(__u16 *)ip;
	__u8 tos = (skb->priority & 7) << 5 | (ip->tos & 3) | 0x08;
	ip->tos = tos;
	__u16 new = *(__u16 *)ip;
	ip->check = bpf_htons(csum_update16(bpf_ntohs(ip->check), bpf_ntohs(old), bpf_ntohs(new)));
	skb->tc_index = tos;
	return TC_ACT_OK;
}

/* The first bytes hashed (FNV-1a) into the mark. */
SEC("tc")
int tc_load_bytes_hash(struct __sk_buff *skb)
{
	__u8 buf[64];
	__u32 h = 2166136261u, n = skb->len < 64 ? skb->len : 64;

	if (n < 64) {
		if (bpf_skb_load_bytes(skb, 0, buf, 14))
			return TC_ACT_SHOT;
		n = 14;
	} else if (bpf_skb_load_bytes(skb, 0, buf, 64)) {
		return TC_ACT_SHOT;
	}
	for (int i = 0; i < 64; i++) {
		if (i >= n)
			break;
		h = (h ^ buf[i]) * 16777619u;
	}
	long r = bpf_skb_load_bytes(skb, skb->len, buf, 1); /* past the end: an error */
	skb->mark = h;
	skb->cb[4] = (__u32)r;
	return h & 1 ? TC_ACT_OK : TC_ACT_SHOT;
}
