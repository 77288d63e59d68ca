/* SPDX-License-Identifier: MIT */
/* tc flow counter: the 5-tuple of an IPv4 TCP/UDP packet is the key of
 * a hash map; a new flow is inserted, an existing one's packet and byte
 * counters are incremented atomically. */
#include "pkt.h"

struct flow {
	u32 saddr, daddr;
	u16 sport, dport;
	u8 proto, pad[3];
};

struct flow_stats {
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow);
	__type(value, struct flow_stats);
} flows SEC(".maps");

SEC("tc") int tc_flow_hash(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct flow key = { .saddr = ip->saddr, .daddr = ip->daddr, .proto = ip->protocol };
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		struct udphdr *l4 = (void *)ip + ip->ihl * 4;
		if ((void *)(l4 + 1) > end)
			return TC_ACT_OK;
		key.sport = l4->source;
		key.dport = l4->dest;
	}
	struct flow_stats *st = bpf_map_lookup_elem(&flows, &key);
	if (!st) {
		struct flow_stats zero = { 0, 0 };
		bpf_map_update_elem(&flows, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, &key);
		if (!st)
			return TC_ACT_OK;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, skb->len);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
