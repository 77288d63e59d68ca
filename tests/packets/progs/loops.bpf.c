/* SPDX-License-Identifier: MIT */
/* Loops: bounded loops over packet bytes, bpf_loop with callbacks that
 * stop early, a loop of skb loads. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} loop_stats SEC(".maps");

static __always_inline void add(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&loop_stats, &k);
	if (p)
		*p += v;
}

struct collatz {
	__u64 x;
	__u32 steps;
};

static int collatz_step(__u32 i, void *arg)
{
	struct collatz *c = arg;
	if (c->x <= 1)
		return 1; /* stop */
	c->x = c->x & 1 ? 3 * c->x + 1 : c->x / 2;
	c->steps++;
	return 0;
}

SEC("xdp")
int xdp_bpf_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct collatz c = { 0, 0 };

	if (data + 16 > data_end)
		return XDP_DROP;
	c.x = *(__u16 *)(data + 12) + 1;
	long n = bpf_loop(((__u8 *)data)[15] + 10, collatz_step, &c, 0);
	add(0, n);
	add(1, c.steps);
	add(2, c.x);
	return c.x == 1 ? XDP_PASS : XDP_TX;
}

/* Fletcher-16 over the first 512 bytes. */
SEC("xdp")
int xdp_fletcher(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 a = 0, b = 0;

	for (int i = 0; i < 512; i++) {
		__u8 *p = data + i;
		if ((void *)(p + 1) > data_end)
			break;
		a = (a + *p) % 255;
		b = (b + a) % 255;
	}
	add(3, b << 8 | a);
	return (a ^ b) & 1 ? XDP_PASS : XDP_DROP;
}

/* The first offset of a byte value, searched in 256 bytes. */
SEC("xdp")
int xdp_scan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	int found = -1;

	if (data + 1 > data_end)
		return XDP_DROP;
	__u8 want = *(__u8 *)data ^ 0x40;
	for (int i = 1; i < 256; i++) {
		__u8 *p = data + i;
		if ((void *)(p + 1) > data_end)
			break;
		if (*p == want) {
			found = i;
			break;
		}
	}
	add(4 + (found < 0), found < 0 ? 1 : found);
	return found < 0 ? XDP_PASS : found < 64 ? XDP_TX : XDP_DROP;
}

/* Words loaded with bpf_skb_load_bytes every 16 bytes, xor-folded. */
SEC("tc")
int tc_load_loop(struct __sk_buff *skb)
{
	__u32 x = 0, ok = 0;

	for (int i = 0; i < 64; i++) {
		__u32 w;
		if (bpf_skb_load_bytes(skb, i * 16, &w, 4))
			break;
		x ^= w + i;
		ok++;
	}
	skb->mark = x;
	skb->cb[0] = ok;
	add(6, ok);
	return ok & 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

static int count_cb(__u32 i, void *arg)
{
	__u64 *sum = arg;
	*sum += i * i;
	return *sum > 5000 ? 1 : 0;
}

SEC("tc")
int tc_bpf_loop(struct __sk_buff *skb)
{
	__u64 sum = skb->len & 7;
	long n = bpf_loop(skb->len & 127, count_cb, &sum, 0);
	long bad = bpf_loop(4, count_cb, &sum, 1); /* flags must be 0 */
	skb->cb[1] = n;
	skb->cb[2] = (__u32)bad;
	skb->cb[3] = (__u32)sum;
	add(7, n);
	return TC_ACT_OK;
}
