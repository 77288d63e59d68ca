/* SPDX-License-Identifier: MIT */
/* XDP parse-and-drop: Ethernet (up to two VLAN tags), IPv4 (options,
 * fragments) or IPv6, TCP or UDP; drops fragments, blocked ports and
 * TCP packets with impossible flags, passes the rest. */
#include "pkt.h"
#include <linux/ipv6.h>

INLINE int blocked_port(u16 port)
{
	switch (port) {
	case 23: case 135: case 137: case 138: case 139: case 445: case 1900: case 11211:
		return 1;
	}
	return 0;
}

SEC("xdp") int xdp_parse_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	u16 proto = eth->h_proto;
	void *p = eth + 1;
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *v = p;
		if ((void *)(v + 1) > end)
			return XDP_DROP;
		proto = v->proto;
		p = v + 1;
	}
	u8 l4;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p;
		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return XDP_DROP;
		if (ip->frag_off & bpf_htons(0x3fff)) /* MF or an offset */
			return XDP_DROP;
		l4 = ip->protocol;
		p = (u8 *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p;
		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		l4 = ip6->nexthdr;
		p = ip6 + 1;
	} else {
		return XDP_PASS;
	}
	if (l4 == IPPROTO_TCP) {
		struct tcphdr *tcp = p;
		if ((void *)(tcp + 1) > end)
			return XDP_DROP;
		if ((tcp->syn && tcp->fin) || (tcp->syn && tcp->rst) || tcp->doff < 5)
			return XDP_DROP;
		if (blocked_port(bpf_ntohs(tcp->dest)) || blocked_port(bpf_ntohs(tcp->source)))
			return XDP_DROP;
	} else if (l4 == IPPROTO_UDP) {
		struct udphdr *udp = p;
		if ((void *)(udp + 1) > end)
			return XDP_DROP;
		if (blocked_port(bpf_ntohs(udp->dest)))
			return XDP_DROP;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
