/* SPDX-License-Identifier: MIT */
/* XDP statistics: per-CPU array counters (packets and bytes) by
 * protocol and by size class; passes every packet. */
#include "pkt.h"

struct counter {
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, struct counter);
} by_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct counter);
} by_size SEC(".maps");

INLINE void count(void *map, u32 key, u64 len)
{
	struct counter *c = bpf_map_lookup_elem(map, &key);
	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

SEC("xdp") int xdp_stats_array(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	u64 len = end - data;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	u32 proto = 255;
	if ((void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP))
		proto = ip->protocol;
	count(&by_proto, proto, len);
	count(&by_size, len < 128 ? 0 : len < 256 ? 1 : len < 512 ? 2 : len < 1024 ? 3 : 4, len);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
