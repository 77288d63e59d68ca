/* SPDX-License-Identifier: MIT */
/* Pinning: two maps with LIBBPF_PIN_BY_NAME (shared between objects that
 * name them alike), one with LIBBPF_PIN_NONE spelled out, one without. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
	__uint(pinning, LIBBPF_PIN_NONE);
} private_explicit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} private_default SEC(".maps");

SEC("socket")
int count_by_config(struct __sk_buff *skb)
{
	__u32 k = 0, *cfg = bpf_map_lookup_elem(&shared_config, &k);
	__u32 *a = bpf_map_lookup_elem(&private_explicit, &k);
	__u32 *b = bpf_map_lookup_elem(&private_default, &k);
	__u64 *n;

	if (!cfg || !a || !b)
		return 0;
	k = *cfg + *a + *b;
	n = bpf_map_lookup_elem(&shared_counts, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
