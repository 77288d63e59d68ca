// SPDX-License-Identifier: MIT
/* Several programs in several sections, static and global subprograms,
 * a callback, code from a header (btf_ext_helpers.h): func_info and
 * line_info in every code section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "btf_ext_helpers.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __noinline int square(int x)
{
	return x * x;
}

__noinline int add_checked(int a, int b)
{
	if (a > 1000)
		return b;
	return a + b;
}

static void bump(__u32 key, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		__sync_fetch_and_add(v, by);
}

static int loop_step(__u32 i, void *ctx)
{
	int *sum = ctx;

	*sum += square(i);
	return 0;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int sum = 0;

	bpf_loop(4, loop_step, &sum, 0);
	bump(0, end - data);
	return add_checked(sum, XDP_PASS) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	return square(ctx->ingress_ifindex) == 4 ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int tc_mark(struct __sk_buff *skb)
{
	skb->mark = add_checked(clamp_len(skb->len, 1500), 7) + mix(skb->len, skb->hash);
	bump(1, skb->len);
	return 0;
}

SEC("socket")
int sock_len(struct __sk_buff *skb)
{
	int n = skb->len;

	if (n > 64)
		n = 64;
	/* The next line's code starts past column 300: line info columns
	 * use 10 bits. */
	n = n * 3 + skb->protocol; /* padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding */ n = n ^ skb->priority;
	return square(n) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
