/* SPDX-License-Identifier: MIT */
/* Atomics on map values: add without fetch (lock xadd) on every CPU
 * version; fetch-add, or, and, xor, xchg and cmpxchg from -mcpu=v3 on. */
#include "common.h"

struct vals {
	__u64 sum64;
	__u32 sum32;
	__u32 pad;
	__u64 bits;
	__u64 max;
	__u64 last;
	__u64 fetched;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct vals);
} atoms SEC(".maps");

SEC("xdp")
int xdp_atomic_add(struct xdp_md *ctx)
{
	__u32 k = (ctx->data_end - ctx->data) & 3;
	struct vals *v = bpf_map_lookup_elem(&atoms, &k);
	if (!v)
		return XDP_ABORTED;
	__sync_fetch_and_add(&v->sum64, ctx->data_end - ctx->data);
	__sync_fetch_and_add(&v->sum32, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_atomic_fetch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 k = 1;
	struct vals *v = bpf_map_lookup_elem(&atoms, &k);
	if (!v || data + 8 > data_end)
		return XDP_ABORTED;
	__u64 x = *(__u64 *)data;
#if __BPF_CPU_VERSION__ >= 3
	__u64 old = __sync_fetch_and_add(&v->sum64, x & 0xffff);
	__sync_fetch_and_or(&v->bits, x);
	__sync_fetch_and_and(&v->bits, ~(x >> 8));
	__u64 was = __sync_fetch_and_xor(&v->fetched, old);
	__u64 prev = __sync_lock_test_and_set(&v->last, x);
	__u32 o32 = __sync_fetch_and_add(&v->sum32, (__u32)x);
	return (old ^ was ^ prev ^ o32) & 1 ? XDP_PASS : XDP_TX;
#else
	__sync_fetch_and_add(&v->sum64, x & 0xffff);
	v->bits = (v->bits | x) & ~(x >> 8);
	v->last = x;
	return x & 1 ? XDP_PASS : XDP_TX;
#endif
}

/* The largest packet length so far, through compare-and-swap. */
SEC("tc")
int tc_atomic_max(struct __sk_buff *skb)
{
	__u32 k = 2;
	struct vals *v = bpf_map_lookup_elem(&atoms, &k);
	if (!v)
		return TC_ACT_SHOT;
	__u64 len = skb->len;
#if __BPF_CPU_VERSION__ >= 3
	for (int i = 0; i < 4; i++) {
		__u64 cur = v->max;
		if (len <= cur)
			break;
		if (__sync_val_compare_and_swap(&v->max, cur, len) == cur)
			break;
	}
	__u32 seen = __sync_val_compare_and_swap(&v->sum32, 0, (__u32)len);
	skb->mark = seen;
	/* A compare that fails leaves the value. */
	__u64 r = __sync_val_compare_and_swap(&v->last, len + 1, 7);
	skb->cb[0] = (__u32)r;
#else
	if (len > v->max)
		v->max = len;
	__sync_fetch_and_add(&v->sum32, 1);
#endif
	return TC_ACT_OK;
}

struct locked {
	struct bpf_spin_lock lock;
	__u32 count;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct locked);
} locked_vals SEC(".maps");

/* Updates under bpf_spin_lock. */
SEC("tc")
int tc_spin_lock(struct __sk_buff *skb)
{
	__u32 k = skb->len & 1;
	struct locked *l = bpf_map_lookup_elem(&locked_vals, &k);
	if (!l)
		return TC_ACT_SHOT;
	bpf_spin_lock(&l->lock);
	l->count++;
	l->bytes += skb->len;
	__u32 c = l->count;
	bpf_spin_unlock(&l->lock);
	skb->mark = c;
	return TC_ACT_OK;
}
