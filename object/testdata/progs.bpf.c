/* SPDX-License-Identifier: MIT */
/* Programs in several sections, subprograms, callbacks, strings. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} totals SEC(".maps");

static __noinline int square(int x)
{
	return x * x;
}

__noinline int sum_squares(int n)
{
	int s = 0;

	for (int i = 0; i < n; i++)
		s += square(i);
	return s;
}

static int add_one(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

static long add_value(void *map, __u32 *key, __u64 *value, void *ctx)
{
	*(__u64 *)ctx += *value;
	return 0;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	return sum_squares(ctx->data_end - ctx->data) & 3;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	__u64 acc = 0;

	bpf_loop(4, add_one, &acc, 0);
	bpf_for_each_map_elem(&totals, add_value, &acc, 0);
	return acc & 1;
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
	static const char msg[] = "len %u";

	bpf_trace_printk(msg, sizeof(msg), skb->len);
	return square(skb->len) > 100;
}

SEC("kprobe/do_unlinkat")
int probe(void *ctx)
{
	char name[] = "a string literal";

	bpf_printk("%s", name);
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_openat")
int maybe(void *ctx)
{
	return sum_squares(3);
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x050a00;
