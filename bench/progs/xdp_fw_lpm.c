/* SPDX-License-Identifier: MIT */
/* XDP firewall: the source and the destination address each looked up
 * in an LPM trie of IPv4 prefixes (filled by the harness); the longest
 * matching prefix's rule says pass or drop, and counts the packet. */
#include "pkt.h"

struct lpm_key {
	u32 prefixlen;
	u32 addr; /* network order */
};

struct rule {
	u32 action; /* XDP_PASS or XDP_DROP */
	u32 id;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, struct rule);
} rules SEC(".maps");

SEC("xdp") int xdp_fw_lpm(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct lpm_key key = { 32, ip->saddr };
	struct rule *src = bpf_map_lookup_elem(&rules, &key);
	key.addr = ip->daddr;
	struct rule *dst = bpf_map_lookup_elem(&rules, &key);
	u32 action = XDP_PASS;
	u64 ids = 0;
	if (src) {
		action = src->action;
		ids = src->id;
	}
	if (dst) {
		if (dst->action == XDP_DROP)
			action = XDP_DROP;
		ids = ids << 32 | dst->id;
	}
	set_result(ids);
	return action;
}

char _license[] SEC("license") = "GPL";
