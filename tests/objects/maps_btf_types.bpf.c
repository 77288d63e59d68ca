/* SPDX-License-Identifier: MIT */
/* BTF-defined maps of the general types with their flags: hash, array,
 * per-CPU, LRU (common and per-CPU lists), LPM trie, queue and stack
 * (no key), bloom filter (map_extra), mmapable and read-only arrays,
 * numa_node, a value holding a spin lock; one program uses them all. */
#include "corpus.h"

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct locked {
	struct bpf_spin_lock lock;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, __u32);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} m_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct locked);
	__uint(max_entries, 4);
} m_array_locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 128);
} m_percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64[4]);
	__uint(max_entries, 2);
} m_percpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1000);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
} m_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 100);
} m_lru_percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(max_entries, 255);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} m_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 16);
} m_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(value_size, 8);
	__uint(max_entries, 16);
} m_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 1000);
	__uint(map_extra, 3);
} m_bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 512);
	__uint(map_flags, BPF_F_MMAPABLE);
} m_mmapable SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} m_rdonly_prog SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 0);
} m_numa SEC(".maps");

SEC("xdp")
int use_all_maps(struct xdp_md *ctx)
{
	__u64 key64 = ctx->rx_queue_index;
	__u32 key = 0, val = 1, *p;
	__u64 v64 = 2, *q;
	struct locked *l;
	struct lpm_key lk = { .prefixlen = 32, .addr = 0x0100007f };

	bpf_map_update_elem(&m_hash, &key64, &val, BPF_ANY);
	l = bpf_map_lookup_elem(&m_array_locked, &key);
	if (l) {
		bpf_spin_lock(&l->lock);
		l->count++;
		bpf_spin_unlock(&l->lock);
	}
	bpf_map_update_elem(&m_percpu_hash, &key, &v64, BPF_ANY);
	q = bpf_map_lookup_elem(&m_percpu_array, &key);
	if (q)
		q[3]++;
	bpf_map_update_elem(&m_lru, &key, &v64, BPF_ANY);
	bpf_map_update_elem(&m_lru_percpu, &key, &val, BPF_ANY);
	p = bpf_map_lookup_elem(&m_lpm, &lk);
	if (p)
		val = *p;
	bpf_map_push_elem(&m_queue, &val, BPF_EXIST);
	bpf_map_push_elem(&m_stack, &v64, 0);
	bpf_map_pop_elem(&m_queue, &val);
	if (bpf_map_peek_elem(&m_bloom, &val) == 0)
		return XDP_DROP;
	q = bpf_map_lookup_elem(&m_mmapable, &key);
	if (q)
		*q += 1;
	p = bpf_map_lookup_elem(&m_rdonly_prog, &key);
	if (p && *p)
		return XDP_DROP;
	bpf_map_delete_elem(&m_numa, &key);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
