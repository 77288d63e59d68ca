/* SPDX-License-Identifier: MIT */
/* Tail calls: a program array with initial slots naming programs of the
 * same object (.values = { [0] = &prog }), a second program array filled
 * at run time, tail calls from a subprogram. */
#include "corpus.h"

int tail_a(struct __sk_buff *skb);
int tail_b(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = { [0] = (void *)&tail_a, [2] = (void *)&tail_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 8);
} runtime_table SEC(".maps");

__u64 tail_a_runs, tail_b_runs;

SEC("tc")
int tail_a(struct __sk_buff *skb)
{
	tail_a_runs++;
	bpf_tail_call(skb, &jump_table, 2);
	return TC_ACT_OK;
}

SEC("tc")
int tail_b(struct __sk_buff *skb)
{
	tail_b_runs++;
	return TC_ACT_SHOT;
}

static __noinline int dispatch(struct __sk_buff *skb, __u32 slot)
{
	bpf_tail_call(skb, &runtime_table, slot);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jump_table, skb->mark & 3);
	return dispatch(skb, skb->priority & 7);
}

char LICENSE[] SEC("license") = "GPL";
