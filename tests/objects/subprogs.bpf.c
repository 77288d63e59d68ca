/* SPDX-License-Identifier: MIT */
/* Subprograms: static and global (non-inlined) functions in .text,
 * nested calls, several programs in different sections sharing them,
 * subprograms that reference maps, global data and strings themselves. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} stats SEC(".maps");

__u64 calls_total;
const volatile int scale = 3;

static __noinline __u64 bump(__u32 slot, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);

	if (!v)
		return 0;
	*v += by;
	calls_total++;
	return *v;
}

static __noinline int square(int x)
{
	return x * x;
}

static __noinline int sum_squares(int a, int b)
{
	return square(a) + square(b) * scale;
}

/* Global functions: checked by the kernel on their own. */
__noinline int global_classify(__u32 len)
{
	if (len < 64)
		return 0;
	if (len < 1500)
		return 1 + square(2);
	return 2;
}

__noinline int global_log(__u32 v)
{
	bpf_printk("subprog log %u", v);
	return bump(15, v) > 100;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	bump(global_classify(len), 1);
	return sum_squares(len & 7, 2) > 40 ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int tc_calls(struct __sk_buff *skb)
{
	bump(4 + global_classify(skb->len), skb->len);
	global_log(skb->len);
	return TC_ACT_OK;
}

SEC("socket")
int socket_calls(struct __sk_buff *skb)
{
	return sum_squares(skb->len & 3, skb->protocol & 3);
}

SEC("kprobe/do_nanosleep")
int kprobe_calls(struct pt_regs *ctx)
{
	return global_log(square(3));
}

char LICENSE[] SEC("license") = "GPL";
