/* SPDX-License-Identifier: MIT */
/* bpf_skb_set_tunnel_key / _opt read back with bpf_skb_get_tunnel_key /
 * _opt in the same run (keys and options made from the packet's bytes,
 * with the flags and layouts the packet chooses), and
 * bpf_skb_change_proto turning IPv4 into IPv6 and back, the program
 * writing the new headers as a NAT46/NAT64 translator does. */
#include "common.h"

#ifndef BPF_F_NO_TUNNEL_KEY
#define BPF_F_NO_TUNNEL_KEY (1ULL << 4)
#endif
#ifndef BPF_F_TUNINFO_FLAGS
#define BPF_F_TUNINFO_FLAGS (1ULL << 4)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __s64);
	__type(value, __u32);
} tunnel_results SEC(".maps");

static __always_inline void note(__s64 key)
{
	__u32 one = 1, *v = bpf_map_lookup_elem(&tunnel_results, &key);
	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&tunnel_results, &key, &one, BPF_ANY);
}

/* Sets a key (and options) made of the packet's bytes 14..77, reads them
 * back, and writes what was read over the packet's start. */
SEC("tc")
int tc_tunnel_set_get(struct __sk_buff *skb)
{
	__u8 src[64], opt[64];
	struct bpf_tunnel_key key, got;
	__builtin_memset(src, 0, sizeof(src));
	if (bpf_skb_load_bytes(skb, 14, src, skb->len >= 78 ? 64 : 20))
		return TC_ACT_SHOT;
	__builtin_memcpy(&key, src, sizeof(key));
	__u8 sel = src[1] ^ src[8];
	__u64 flags = sel & 31;
	/* Often a key the kernel takes: no ext, a label only with IPv6. */
	if (sel & 0x40) {
		key.tunnel_ext = 0;
		if (!(flags & BPF_F_TUNINFO_IPV6))
			key.tunnel_label = 0;
	}
	if (sel == 0xff)
		flags |= 1ull << 33;
	long rs;
	switch (src[9] & 7) {
	case 0: rs = bpf_skb_set_tunnel_key(skb, &key, 8, flags); break;
	case 1: rs = bpf_skb_set_tunnel_key(skb, &key, 22, flags); break;
	case 2: rs = bpf_skb_set_tunnel_key(skb, &key, 24, flags); break;
	case 3: rs = bpf_skb_set_tunnel_key(skb, &key, 28, flags); break;
	case 4: rs = bpf_skb_set_tunnel_key(skb, &key, 12, flags); break;
	default: rs = bpf_skb_set_tunnel_key(skb, &key, sizeof(key), flags); break;
	}
	note(rs);
	__builtin_memcpy(opt, src, sizeof(opt));
	long ro;
	switch (src[2] & 7) {
	case 0: ro = bpf_skb_set_tunnel_opt(skb, opt, 4); break;
	case 1: ro = bpf_skb_set_tunnel_opt(skb, opt, 6); break;
	case 2: ro = bpf_skb_set_tunnel_opt(skb, opt, 16); break;
	case 3: ro = bpf_skb_set_tunnel_opt(skb, opt, 64); break;
	case 4: ro = 0; break;
	default: ro = bpf_skb_set_tunnel_opt(skb, opt, 8); break;
	}
	note(ro + 100);
	__u64 gflags = (src[3] & 1 ? BPF_F_TUNINFO_IPV6 : flags & BPF_F_TUNINFO_IPV6) |
		       (src[3] & 2 ? BPF_F_TUNINFO_FLAGS : 0);
	__builtin_memset(&got, 0x5a, sizeof(got));
	long rg = bpf_skb_get_tunnel_key(skb, &got, sizeof(got), gflags);
	note(rg + 200);
	__builtin_memset(opt, 0x5a, sizeof(opt));
	long rgo = src[3] & 4 ? bpf_skb_get_tunnel_opt(skb, opt, 8)
			      : bpf_skb_get_tunnel_opt(skb, opt, sizeof(opt));
	note(rgo + 300);
	skb->cb[0] = (__u32)rs;
	skb->cb[1] = (__u32)ro;
	skb->cb[2] = (__u32)rg;
	skb->cb[3] = (__u32)rgo;
	if (skb->len >= 14 + sizeof(got) + 16) {
		bpf_skb_store_bytes(skb, 14, &got, sizeof(got), 0);
		bpf_skb_store_bytes(skb, 14 + sizeof(got), opt, 16, 0);
	}
	return rs ? TC_ACT_SHOT : TC_ACT_OK;
}

/* A second key replaces the first and drops its options. */
SEC("tc")
int tc_tunnel_twice(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	__u8 opt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	key.tunnel_id = skb->len;
	key.remote_ipv4 = 0x0a000001;
	key.local_ipv4 = 0x0a000002;
	key.tunnel_ttl = 64;
	long r0 = bpf_skb_set_tunnel_opt(skb, opt, sizeof(opt)); /* no key yet */
	long r1 = bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_ZERO_CSUM_TX);
	long r2 = bpf_skb_set_tunnel_opt(skb, opt, sizeof(opt));
	key.tunnel_id++;
	long r3 = bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_SEQ_NUMBER);
	long r4 = bpf_skb_get_tunnel_opt(skb, opt, sizeof(opt));
	long r5 = bpf_skb_get_tunnel_key(skb, &key, sizeof(key), BPF_F_TUNINFO_FLAGS);
	skb->cb[0] = (__u32)r0;
	skb->cb[1] = (__u32)(r1 | r2 << 8 | r3 << 16);
	skb->cb[2] = (__u32)r4;
	skb->cb[3] = (__u32)r5;
	skb->cb[4] = key.tunnel_id ^ key.remote_ipv4 ^ key.local_ipv4 ^ key.tunnel_flags;
	skb->mark = opt[0] | opt[7] << 8;
	return TC_ACT_OK;
}

/* IPv4 becomes IPv6 (addresses mapped into 64:ff9b::/96) and IPv6
 * becomes IPv4 (the addresses' last words); the program writes the new
 * header and the EtherType, then reads the packet directly. */
SEC("tc")
int tc_change_proto(struct __sk_buff *skb)
{
	__u8 sel;
	if (bpf_skb_load_bytes(skb, 6, &sel, 1))
		return TC_ACT_SHOT;
	/* Requests refused. */
	if (sel % 13 == 0) {
		long r = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), sel | 1);
		note(1000 + r);
		return TC_ACT_SHOT;
	}
	if (sel % 13 == 1) {
		long r = bpf_skb_change_proto(skb, skb->protocol, 0);
		note(2000 + r);
		return r ? TC_ACT_SHOT : TC_ACT_OK;
	}
	if (sel % 13 == 2) {
		long r = bpf_skb_change_proto(skb, bpf_htons(ETH_P_ARP), 0);
		note(3000 + r);
		return TC_ACT_SHOT;
	}
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, 14, &ip, sizeof(ip)))
			return TC_ACT_SHOT;
		long r = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
		note(4000 + r);
		if (r)
			return TC_ACT_SHOT;
		struct ipv6hdr ip6 = {};
		ip6.version = 6;
		ip6.priority = ip.tos >> 4;
		ip6.flow_lbl[0] = ip.tos << 4;
		ip6.payload_len = bpf_htons(bpf_ntohs(ip.tot_len) - (ip.ihl * 4));
		ip6.nexthdr = ip.protocol;
		ip6.hop_limit = ip.ttl;
		ip6.saddr.in6_u.u6_addr32[0] = bpf_htonl(0x0064ff9b);
		ip6.saddr.in6_u.u6_addr32[3] = ip.saddr;
		ip6.daddr.in6_u.u6_addr32[0] = bpf_htonl(0x0064ff9b);
		ip6.daddr.in6_u.u6_addr32[3] = ip.daddr;
		__be16 type = bpf_htons(ETH_P_IPV6);
		bpf_skb_store_bytes(skb, 12, &type, 2, 0);
		bpf_skb_store_bytes(skb, 14, &ip6, sizeof(ip6), 0);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, 14, &ip6, sizeof(ip6)))
			return TC_ACT_SHOT;
		long r = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0);
		note(5000 + r);
		if (r)
			return TC_ACT_SHOT;
		struct iphdr ip = {};
		ip.version = 4;
		ip.ihl = 5;
		ip.tos = ip6.priority << 4 | ip6.flow_lbl[0] >> 4;
		ip.tot_len = bpf_htons(bpf_ntohs(ip6.payload_len) + 20);
		ip.ttl = ip6.hop_limit;
		ip.protocol = ip6.nexthdr;
		ip.saddr = ip6.saddr.in6_u.u6_addr32[3];
		ip.daddr = ip6.daddr.in6_u.u6_addr32[3];
		__s64 sum = bpf_csum_diff(0, 0, (__be32 *)&ip, sizeof(ip), 0);
		ip.check = ~((sum & 0xffff) + (sum >> 16));
		__be16 type = bpf_htons(ETH_P_IP);
		bpf_skb_store_bytes(skb, 12, &type, 2, 0);
		bpf_skb_store_bytes(skb, 14, &ip, sizeof(ip), 0);
	} else {
		long r = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0);
		note(6000 + r);
		return TC_ACT_UNSPEC;
	}
	/* Packet pointers are new after the change. */
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 34 > end)
		return TC_ACT_SHOT;
	skb->mark = *(__u32 *)(data + 14) ^ skb->len ^ skb->hash;
	skb->cb[0] = skb->protocol;
	return TC_ACT_OK;
}

/* Both ways in one run: the packet comes back as it was, but for the
 * header bytes the translation zeroed or dropped. */
SEC("tc")
int tc_change_proto_round(struct __sk_buff *skb)
{
	__u16 proto = skb->protocol;
	__u16 other = proto == bpf_htons(ETH_P_IP) ? bpf_htons(ETH_P_IPV6) : bpf_htons(ETH_P_IP);
	long r1 = bpf_skb_change_proto(skb, other, 0);
	long r2 = bpf_skb_change_proto(skb, proto, 0);
	skb->cb[0] = (__u32)r1;
	skb->cb[1] = (__u32)r2;
	skb->cb[2] = skb->len;
	return r1 || r2 ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
