// SPDX-License-Identifier: MIT
/*
 * Connection attempts as events: for every TCP SYN (without ACK), over
 * IPv4 or IPv6, an XDP program writes who called whom into a ring buffer
 * that user space reads (examples/syn_logger.c prints them).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct syn_event {
	__u8 family; /* 4 or 6 */
	__u8 ttl;    /* or hop limit */
	__be16 sport;
	__be16 dport;
	__u16 len;   /* the frame's length */
	__u8 saddr[16];
	__u8 daddr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

__u64 dropped_events;

static void log_syn(struct xdp_md *ctx, struct tcphdr *tcp, void *end, const void *saddr,
		    const void *daddr, int addr_len, __u8 family, __u8 ttl)
{
	if ((void *)(tcp + 1) > end || !tcp->syn || tcp->ack)
		return;
	struct syn_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped_events, 1);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->family = family;
	e->ttl = ttl;
	e->sport = tcp->source;
	e->dport = tcp->dest;
	e->len = (__u16)(ctx->data_end - ctx->data);
	if (addr_len == 16) {
		__builtin_memcpy(e->saddr, saddr, 16);
		__builtin_memcpy(e->daddr, daddr, 16);
	} else {
		__builtin_memcpy(e->saddr, saddr, 4);
		__builtin_memcpy(e->daddr, daddr, 4);
	}
	bpf_ringbuf_submit(e, 0);
}

SEC("xdp")
int syn_logger(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl < 5)
			return XDP_PASS;
		log_syn(ctx, (void *)ip + ip->ihl * 4, end, &ip->saddr, &ip->daddr, 4, 4, ip->ttl);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		log_syn(ctx, (void *)(ip6 + 1), end, &ip6->saddr, &ip6->daddr, 16, 6,
			ip6->hop_limit);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
