/* SPDX-License-Identifier: MIT */
/* XDP: an Ethernet/IPv4 parser counting packets per IP protocol in a
 * per-CPU array (key and value by type), with its configuration in
 * .rodata (volatile const, set before load) and packet bounds checks.
 * Built with -mcpu=v2, v3 and v4 too. */
#include "corpus.h"

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct counters);
	__uint(max_entries, 256);
} proto_stats SEC(".maps");

volatile const __u32 drop_proto = 255; /* none by default */
volatile const __u16 min_len = 14;

static __always_inline int parse_ipv4(void *data, void *end, __u32 *proto)
{
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > end)
		return -1;
	if (ip->ihl < 5)
		return -1;
	*proto = ip->protocol;
	return 0;
}

SEC("xdp")
int xdp_count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 proto = 0;
	struct counters *c;

	if (data + min_len > end)
		return XDP_DROP;
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP) &&
	    parse_ipv4(eth + 1, end, &proto))
		return XDP_ABORTED;
	c = bpf_map_lookup_elem(&proto_stats, &proto);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	}
	return proto == drop_proto ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
