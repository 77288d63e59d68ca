/* SPDX-License-Identifier: MIT */
/* The legacy `maps` section: struct bpf_map_def records (libbpf before
 * 1.0, iproute2, old samples), also built without -g. libbpf 1.x refuses
 * these; the oracle test checks them against the definitions below. */
#include "corpus.h"

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1024,
};

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = 24,
	.max_entries = 16,
	.map_flags = 0,
};

struct bpf_map_def SEC("maps") legacy_percpu = {
	.type = BPF_MAP_TYPE_PERCPU_HASH,
	.key_size = 8,
	.value_size = 8,
	.max_entries = 64,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("socket")
int legacy_counter(struct __sk_buff *skb)
{
	__u32 k = skb->protocol, zero = 0;
	__u64 key64 = skb->ifindex, one = 1, *n;
	__u8 *slot;

	n = bpf_map_lookup_elem(&legacy_hash, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&legacy_hash, &k, &one, BPF_NOEXIST);
	slot = bpf_map_lookup_elem(&legacy_array, &zero);
	if (slot)
		slot[23] = 1;
	bpf_map_update_elem(&legacy_percpu, &key64, &one, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060100;
