// SPDX-License-Identifier: MIT
/*
 * Packets and bytes per IP protocol, and the largest packet seen: an XDP
 * program as it would be written for the kernel. Compiled by the build
 * (build/examples/flow_stats.bpf.o) and shown by `make demo`.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u8); /* IP protocol */
	__type(value, struct counters);
	__uint(max_entries, 256);
} per_protocol SEC(".maps");

/* Set by the loader before load (uebpf_map_set_initial_value). */
const volatile __u32 min_len = 0;
__u32 largest;

static __attribute__((noinline)) void count(__u8 proto, __u32 len)
{
	struct counters *c = bpf_map_lookup_elem(&per_protocol, &proto);

	if (!c) {
		struct counters first = { 1, len };

		bpf_map_update_elem(&per_protocol, &proto, &first, BPF_NOEXIST);
		return;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, len);
}

SEC("xdp")
int flow_stats(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 len = end - data;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || len < min_len)
		return XDP_PASS;
	count(ip->protocol, len);
	if (len > largest)
		largest = len;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
