/* SPDX-License-Identifier: MIT */
/* Maps of sockets and devices: devmap, devmap hash, cpumap (struct
 * value), xskmap, sockmap, sockhash, reuseport sockarray, socket local
 * storage; the XDP, sk_skb, sk_msg and sk_reuseport programs using them. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, 32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 32);
} tx_ports_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(max_entries, 8);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} sock_map SEC(".maps");

struct sock_key {
	__u32 sip, dip;
	__u32 sport, dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__type(key, struct sock_key);
	__type(value, __u64);
	__uint(max_entries, 1024);
} sock_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} reuse_socks SEC(".maps");

struct sk_stats {
	__u64 msgs;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sk_stats);
} sk_stats SEC(".maps");

SEC("xdp")
int xdp_redirect_all(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;

	if (bpf_map_lookup_elem(&xsks, &q))
		return bpf_redirect_map(&xsks, q, XDP_PASS);
	if (q & 1)
		return bpf_redirect_map(&cpus, q % 8, 0);
	if (q & 2)
		return bpf_redirect_map(&tx_ports_hash, q, 0);
	return bpf_redirect_map(&tx_ports, q % 32, XDP_DROP);
}

SEC("sk_skb/stream_parser")
int skb_parser(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("sk_skb/stream_verdict")
int skb_verdict(struct __sk_buff *skb)
{
	return bpf_sk_redirect_map(skb, &sock_map, 0, 0);
}

SEC("sk_msg")
int msg_redirect(struct sk_msg_md *msg)
{
	struct sock_key key = {
		.sip = msg->remote_ip4, .dip = msg->local_ip4,
		.sport = bpf_htonl(msg->local_port), .dport = msg->remote_port >> 16,
	};
	struct sk_stats *st;

	if (msg->sk) {
		st = bpf_sk_storage_get(&sk_stats, msg->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (st) {
			st->msgs++;
			st->bytes += msg->size;
		}
	}
	return bpf_msg_redirect_hash(msg, &sock_hash, &key, BPF_F_INGRESS);
}

SEC("sk_reuseport")
int pick_socket(struct sk_reuseport_md *md)
{
	__u32 idx = md->hash % 4;

	return bpf_sk_select_reuseport(md, &reuse_socks, &idx, 0) ? SK_DROP : SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
