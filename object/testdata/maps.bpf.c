/* SPDX-License-Identifier: MIT */
/* Every form of BTF-defined map and global data, for the object tests. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 a;
	__u16 b;
};

struct value_with_lock {
	__u64 x;
	struct bpf_spin_lock lock;
	__u32 y;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct key);
	__type(value, __u64);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 24);
	__uint(max_entries, 4);
	__uint(numa_node, 0);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sized SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 5000); /* rounded up to a power-of-2 number of pages */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 64);
	__uint(map_extra, 3);
} bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct value_with_lock);
	__uint(max_entries, 2);
} locked SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 8);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

int tail_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

/* Global data: .data, .rodata, .bss, a custom section, strings. */
__u64 hits = 7;
const volatile __u32 limit = 0x11223344;
__u32 zeroed;
__u32 custom_val SEC(".data.custom") = 0xabcd;
static __u32 hidden_count; /* static: no BPF_F_MMAPABLE for .bss alone? */

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int use_maps(struct xdp_md *ctx)
{
	struct key k = { .a = limit, .b = 1 };
	__u64 *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		__sync_fetch_and_add(v, hits);
	zeroed++;
	hidden_count++;
	custom_val++;
	bpf_printk("hits %llu", hits);
	bpf_tail_call(ctx, &jumps, 1);
	return bpf_map_lookup_elem(&outer, &k.a) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
