/* SPDX-License-Identifier: MIT */
/* tc firewalls (direct packet access on __sk_buff): LPM rules, port
 * rules, a MAC allow list; verdicts in retval and mark. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm4_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} fw4_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} fw_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u32);
} mac_allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&stats, &k);
	if (p)
		__sync_fetch_and_add(p, v);
}

SEC("tc")
int tc_fw_lpm4(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;
	struct lpm4_key k = { .prefixlen = 32 };

	if (off < 0 || proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	__builtin_memcpy(k.addr, &ip->saddr, 4);
	__u32 *a = bpf_map_lookup_elem(&fw4_lpm, &k);
	if (!a) {
		stat(0, skb->len);
		return TC_ACT_OK;
	}
	stat(*a & 31, skb->len);
	skb->mark = *a << 8 | ip->protocol;
	return *a == 1 || *a == 5 ? TC_ACT_SHOT : *a == 7 ? TC_ACT_UNSPEC : TC_ACT_OK;
}

SEC("classifier")
int tc_fw_ports(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;

	if (off < 0 || proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return TC_ACT_SHOT;
	struct udphdr *u = (void *)ip + ip->ihl * 4;
	if ((void *)(u + 1) > data_end)
		return TC_ACT_OK;
	__u32 key = (__u32)ip->protocol << 16 | bpf_ntohs(u->dest);
	__u32 *a = bpf_map_lookup_elem(&fw_ports, &key);
	__u32 v = a ? *a : 0;
	stat(16 + (v & 15), 1);
	skb->priority = v;
	skb->tc_classid = 0x10000 | v;
	return v == 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_mac_allow(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u64 key = 0;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	__builtin_memcpy(&key, eth->h_dest, 6);
	__u32 *a = bpf_map_lookup_elem(&mac_allow, &key);
	if (!a) {
		key = 0;
		__builtin_memcpy(&key, eth->h_source, 6);
		a = bpf_map_lookup_elem(&mac_allow, &key);
		if (!a)
			return TC_ACT_SHOT;
	}
	stat(30, 1);
	skb->cb[0] = *a + 1;
	skb->cb[1] = skb->len;
	return TC_ACT_OK;
}
