/* SPDX-License-Identifier: MIT */
/* Initial slots (.rel.maps): a program array naming programs, an array
 * of maps and a hash of maps naming maps, with gaps between the slots. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int prog_one(struct __sk_buff *skb);
int prog_two(struct __sk_buff *skb);

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
};

struct inner in_a SEC(".maps"), in_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, int (void *));
} progs SEC(".maps") = {
	.values = { [1] = (void *)&prog_two, [3] = (void *)&prog_one },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &in_b, [2] = &in_a },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 16);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = {
	.values = { [5] = &in_a },
};

SEC("tc")
int prog_one(struct __sk_buff *skb)
{
	__u32 k = 0;

	bpf_tail_call(skb, &progs, 1);
	return bpf_map_lookup_elem(&outer, &k) != 0 || bpf_map_lookup_elem(&outer_hash, &k) != 0;
}

SEC("tc")
int prog_two(struct __sk_buff *skb)
{
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
