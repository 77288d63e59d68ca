/* SPDX-License-Identifier: MIT */
/* Legacy map definitions: struct bpf_map_def records in SEC("maps"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

/* The old BPF_ANNOTATE_KV_PAIR: key and value types for a legacy map. */
struct ____btf_map_legacy_hash {
	__u32 key;
	__u64 value;
};
struct ____btf_map_legacy_hash ____btf_map_legacy_hash
	__attribute__((section(".maps.legacy_hash"), used)) = {};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
};

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = 12,
	.max_entries = 3,
	.map_flags = BPF_F_RDONLY_PROG,
};

SEC("socket")
int filter(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&legacy_hash, &key);

	if (v)
		(*v)++;
	return bpf_map_lookup_elem(&legacy_array, &key) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
