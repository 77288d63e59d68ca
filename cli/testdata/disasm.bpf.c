// SPDX-License-Identifier: MIT
/* For cli/disasm_obj_test.sh: programs sharing a section, a program that
 * calls a subprogram and a callback, map and global data references, a
 * section whose programs do not load by default. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long);
} counts SEC(".maps");

volatile int limit = 3;
const char greeting[] = "hello";

static __attribute__((noinline)) int twice(int x)
{
	return x * limit;
}

static long step(__u32 i, void *ctx)
{
	*(long *)ctx += i;
	return 0;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return twice(ctx->ingress_ifindex) > 2 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data > limit ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int counter(struct __sk_buff *skb)
{
	long sum = 0;

	bpf_loop(limit, step, &sum, 0);
	bpf_printk("%s %ld", greeting, sum);
	return twice(skb->len);
}

SEC("?kprobe/do_unlinkat")
int off_by_default(void *ctx)
{
	return limit;
}

char LICENSE[] SEC("license") = "GPL";
