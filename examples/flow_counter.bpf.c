// SPDX-License-Identifier: MIT
/*
 * Packets and bytes per flow (IPv4 and IPv6, TCP/UDP ports, ICMP) in an
 * LRU hash, as a tc classifier: every packet is let through and marked
 * with the flow's packet count, so later stages could tell new flows
 * (mark 1) from old ones.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct flow {
	__u8 saddr[16]; /* IPv4 addresses in the first 4 bytes */
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family; /* 4 or 6 */
	__u16 pad;
};

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow);
	__type(value, struct counters);
	__uint(max_entries, 4096);
} flows SEC(".maps");

/* Packets that carried no IP (ARP, ...). */
__u64 not_ip;

static void ports(struct flow *f, void *l4, void *end)
{
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return;
	__be16 *p = l4;
	if ((void *)(p + 2) > end)
		return;
	f->sport = p[0];
	f->dport = p[1];
}

SEC("tc")
int flow_counter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct flow f = {};
	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return TC_ACT_OK;
		__builtin_memcpy(f.saddr, &ip->saddr, 4);
		__builtin_memcpy(f.daddr, &ip->daddr, 4);
		f.proto = ip->protocol;
		f.family = 4;
		ports(&f, (void *)ip + ip->ihl * 4, end);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return TC_ACT_OK;
		__builtin_memcpy(f.saddr, &ip6->saddr, 16);
		__builtin_memcpy(f.daddr, &ip6->daddr, 16);
		f.proto = ip6->nexthdr;
		f.family = 6;
		ports(&f, ip6 + 1, end);
	} else {
		__sync_fetch_and_add(&not_ip, 1);
		return TC_ACT_OK;
	}
	struct counters *c = bpf_map_lookup_elem(&flows, &f);
	if (!c) {
		struct counters first = { 1, skb->len };
		bpf_map_update_elem(&flows, &f, &first, BPF_ANY);
		skb->mark = 1;
		return TC_ACT_OK;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, skb->len);
	skb->mark = (__u32)c->packets;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
