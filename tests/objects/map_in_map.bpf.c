/* SPDX-License-Identifier: MIT */
/* Maps of maps: an array of maps and a hash of maps, the inner map
 * definition given inline (__array(values, struct {...})) and by a named
 * inner map, with initial slots (.values = { [i] = &inner }). */
#include "corpus.h"

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
};

struct inner_array inner_a SEC(".maps"), inner_b SEC(".maps"), inner_c SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer_array SEC(".maps") = {
	.values = { [0] = &inner_a, [3] = &inner_b },
};

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 16);
};

struct inner_hash ih_one SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps") = {
	.values = { [1] = &ih_one },
};

/* Inner definition inline, no initial values. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_RINGBUF);
		__uint(max_entries, 4096);
	});
} ringbufs SEC(".maps");

SEC("xdp")
int use_inner(struct xdp_md *ctx)
{
	__u32 idx = ctx->rx_queue_index & 3, k = 0;
	void *inner = bpf_map_lookup_elem(&outer_array, &idx);
	__u64 *v;
	__u32 *h;

	if (inner) {
		v = bpf_map_lookup_elem(inner, &k);
		if (v)
			(*v)++;
	}
	inner = bpf_map_lookup_elem(&outer_hash, &idx);
	if (inner) {
		h = bpf_map_lookup_elem(inner, &k);
		if (h)
			return *h;
	}
	inner = bpf_map_lookup_elem(&ringbufs, &k);
	if (inner)
		bpf_ringbuf_output(inner, &idx, sizeof(idx), 0);
	/* The named inner map used directly too. */
	v = bpf_map_lookup_elem(&inner_c, &k);
	return v ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
