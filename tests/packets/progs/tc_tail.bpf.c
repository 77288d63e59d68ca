/* SPDX-License-Identifier: MIT */
/* tc tail calls: a chain through the program array and a program that
 * tail-calls itself until the kernel's limit stops it (the count of
 * calls that happened goes into the mark). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} depth SEC(".maps");

SEC("tc")
int tc_dispatch(struct __sk_buff *skb)
{
	__u32 z = 0, *d = bpf_map_lookup_elem(&depth, &z);
	if (!d)
		return TC_ACT_SHOT;
	*d = 0;
	skb->cb[0] = skb->len;
	bpf_tail_call(skb, &jmp_table, skb->len & 1);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tail0_mark(struct __sk_buff *skb)
{
	skb->mark = skb->cb[0] * 3 + skb->protocol;
	bpf_tail_call(skb, &jmp_table, 2);
	return TC_ACT_OK;
}

SEC("tc")
int tail1_cb(struct __sk_buff *skb)
{
	skb->cb[1] = skb->cb[0] ^ skb->pkt_type;
	bpf_tail_call(skb, &jmp_table, 2);
	return TC_ACT_SHOT;
}

/* Calls itself: stops after the kernel's limit of tail calls. */
SEC("tc")
int tail2_loop(struct __sk_buff *skb)
{
	__u32 z = 0, *d = bpf_map_lookup_elem(&depth, &z);
	if (!d)
		return TC_ACT_SHOT;
	*d += 1;
	skb->cb[2] = *d;
	if (*d < (skb->cb[0] & 63))
		bpf_tail_call(skb, &jmp_table, 2);
	skb->priority = *d;
	return TC_ACT_OK;
}
