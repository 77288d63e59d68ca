/* SPDX-License-Identifier: MIT */
/* Per-CPU hashes, LRU hashes (small enough to evict), LRU per-CPU
 * hashes, and the answers of updates with BPF_NOEXIST / BPF_EXIST and
 * deletes. */
#include "common.h"

struct flow {
	__u32 src, dst;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct counters);
} per_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, struct flow);
	__type(value, struct counters);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} per_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u32);
} answers SEC(".maps");

static __always_inline int get_flow(void *data, void *data_end, struct flow *f)
{
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;

	if (off < 0 || proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end || ip->ihl < 5)
		return -1;
	f->src = ip->saddr;
	f->dst = ip->daddr;
	f->proto = ip->protocol;
	struct udphdr *u = (void *)ip + ip->ihl * 4;
	if ((ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) &&
	    (void *)(u + 1) <= data_end) {
		f->sport = u->source;
		f->dport = u->dest;
	}
	return 0;
}

SEC("xdp")
int xdp_percpu_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct flow f = {};
	__u32 key = 0xffff;

	if (get_flow(data, data_end, &f) == 0)
		key = f.proto;
	struct counters *c = bpf_map_lookup_elem(&per_proto, &key);
	if (!c) {
		struct counters n = { 1, data_end - data };
		long r = bpf_map_update_elem(&per_proto, &key, &n, BPF_NOEXIST);
		return r ? XDP_DROP : XDP_PASS;
	}
	c->packets++;
	c->bytes += data_end - data;
	return XDP_PASS;
}

SEC("xdp")
int xdp_lru_flows(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct flow f = {};

	if (get_flow(data, data_end, &f))
		return XDP_PASS;
	struct counters *c = bpf_map_lookup_elem(&flows, &f);
	if (c) {
		c->packets++;
		c->bytes += data_end - data;
		return XDP_TX;
	}
	struct counters n = { 1, data_end - data };
	bpf_map_update_elem(&flows, &f, &n, BPF_ANY);
	return XDP_PASS;
}

SEC("tc")
int tc_lru_percpu(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct flow f = {};

	if (get_flow(data, data_end, &f))
		return TC_ACT_OK;
	__u32 key = f.src;
	__u64 *v = bpf_map_lookup_elem(&per_src, &key);
	if (v) {
		*v += skb->len;
		skb->mark = (__u32)*v;
		return TC_ACT_OK;
	}
	__u64 n = skb->len;
	bpf_map_update_elem(&per_src, &key, &n, BPF_NOEXIST);
	return TC_ACT_UNSPEC;
}

/* Inserts, replaces and deletes in a 16-entry hash; every answer counted. */
SEC("xdp")
int xdp_hash_ops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	if (data + 16 > data_end)
		return XDP_DROP;
	__u8 *b = data;
	__u32 key = b[12] ^ b[15], val = b[14];
	__u32 op = b[13] & 3;
	long r;
	if (op == 0)
		r = bpf_map_update_elem(&small, &key, &val, BPF_NOEXIST);
	else if (op == 1)
		r = bpf_map_update_elem(&small, &key, &val, BPF_EXIST);
	else if (op == 2)
		r = bpf_map_delete_elem(&small, &key);
	else
		r = bpf_map_update_elem(&small, &key, &val, BPF_ANY);
	__u32 slot = op * 8 + (r == 0 ? 0 : (-r) & 7);
	__u32 *a = bpf_map_lookup_elem(&answers, &slot);
	if (a)
		*a += 1;
	return r ? XDP_DROP : XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} recent SEC(".maps");

/* A queue of the last lengths: pushed, popped when full. */
SEC("xdp")
int xdp_queue(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, old = 0;
	long r = bpf_map_push_elem(&recent, &len, 0);
	if (r) { /* full: -E2BIG */
		bpf_map_pop_elem(&recent, &old);
		r = bpf_map_push_elem(&recent, &len, 0);
	}
	__u32 peek = 0;
	bpf_map_peek_elem(&recent, &peek);
	__u32 slot = 30 + (r != 0);
	__u32 *a = bpf_map_lookup_elem(&answers, &slot);
	if (a)
		*a += 1;
	return (old ^ peek) & 1 ? XDP_PASS : XDP_TX;
}

struct sum_ctx {
	__u64 keys;
	__u64 vals;
};

/* A hash's order is the kernel's hash function's (seeded at random): the
 * whole hash is visited, with sums that do not depend on the order. */
static long sum_small(void *map, __u32 *key, __u32 *val, struct sum_ctx *c)
{
	c->keys += *key;
	c->vals += *val;
	return 0;
}

/* An array's order is its index: an early stop is the same everywhere. */
static long sum_answers(void *map, __u32 *key, __u32 *val, struct sum_ctx *c)
{
	c->keys += *key;
	c->vals += *val;
	return c->vals > 600; /* stops early once the sum is large */
}

/* Every element of the small hash visited through bpf_for_each_map_elem,
 * then the answers array until its running sum is large. */
SEC("tc")
int tc_for_each(struct __sk_buff *skb)
{
	struct sum_ctx c = {}, a = {};
	__u32 key = skb->len & 15, val = skb->len;
	bpf_map_update_elem(&small, &key, &val, BPF_ANY);
	__u32 slot = skb->len & 31, *ans = bpf_map_lookup_elem(&answers, &slot);
	if (ans)
		*ans += 1;
	long n = bpf_for_each_map_elem(&small, sum_small, &c, 0);
	long m = bpf_for_each_map_elem(&answers, sum_answers, &a, 0);
	skb->cb[0] = (__u32)n;
	skb->cb[1] = (__u32)c.keys;
	skb->cb[2] = (__u32)c.vals;
	skb->cb[3] = (__u32)m;
	skb->cb[4] = (__u32)a.keys;
	return TC_ACT_OK;
}

/* Per-CPU values of one CPU, and of a CPU that does not exist. */
SEC("xdp")
int xdp_percpu_lookup(struct xdp_md *ctx)
{
	__u32 key = 6;
	struct counters *c0 = bpf_map_lookup_percpu_elem(&per_proto, &key, 0);
	struct counters *cx = bpf_map_lookup_percpu_elem(&per_proto, &key, 4096);
	if (cx)
		return XDP_ABORTED;
	if (!c0) {
		struct counters n = { 1, 1 };
		bpf_map_update_elem(&per_proto, &key, &n, BPF_ANY);
		return XDP_PASS;
	}
	c0->packets++;
	return c0->packets & 1 ? XDP_PASS : XDP_DROP;
}
