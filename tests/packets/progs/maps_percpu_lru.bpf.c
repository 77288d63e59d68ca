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
