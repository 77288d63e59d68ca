/* SPDX-License-Identifier: MIT */
/*
 * iproute2's map definitions (struct bpf_elf_map, 36 bytes: id, pinning,
 * inner_id, inner_idx after libbpf's 20), as tc programs and Cilium's
 * old objects have them; sections named for tc ("classifier", "action").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

#define PIN_GLOBAL_NS 2

struct bpf_elf_map SEC("maps") counters = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u64),
	.max_elem = 4,
	.pinning = PIN_GLOBAL_NS,
};

/* The inner map's template: found by its id, put in no slot. */
struct bpf_elf_map SEC("maps") inner_tmpl = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = 16,
	.max_elem = 1,
	.id = 7,
	.inner_idx = ~0u,
};

struct bpf_elf_map SEC("maps") outer = {
	.type = BPF_MAP_TYPE_HASH_OF_MAPS,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 8,
	.pinning = PIN_GLOBAL_NS,
	.inner_id = 7,
};

SEC("classifier")
int cls(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);
	void *inner = bpf_map_lookup_elem(&outer, &key);

	if (v)
		(*v)++;
	if (inner) {
		__u8 *x = bpf_map_lookup_elem(inner, &key);
		if (x)
			return x[15];
	}
	return 0;
}

SEC("action/redirect")
int act(struct __sk_buff *skb)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
