/* SPDX-License-Identifier: MIT */
/*
 * The map definitions of the kernel's samples/bpf (bpf_load.h, 28 bytes:
 * inner_map_idx, numa_node after libbpf's 20; maps of maps with no value
 * size) and its section names ("socket1", "xdp_prog", "kprobe/...").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_map_def SEC("maps") port_a = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 64,
};

struct bpf_map_def SEC("maps") numa_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
	.map_flags = BPF_F_NUMA_NODE,
	.numa_node = 0,
};

/* The inner maps are like map #0, port_a. */
struct bpf_map_def SEC("maps") a_of_port_a = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.key_size = sizeof(__u32),
	.max_entries = 4,
	.inner_map_idx = 0,
};

SEC("socket1")
int sock(struct __sk_buff *skb)
{
	__u32 key = 1;
	void *inner = bpf_map_lookup_elem(&a_of_port_a, &key);
	__u32 *v;

	if (!inner)
		return 0;
	v = bpf_map_lookup_elem(inner, &key);
	return v ? *v : 0;
}

SEC("xdp_prog")
int xdp(struct xdp_md *ctx)
{
	__u32 key = 3;
	__u64 *v = bpf_map_lookup_elem(&numa_hash, &key);

	return v ? XDP_DROP : XDP_PASS;
}

SEC("kprobe/sys_write")
int probe(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
