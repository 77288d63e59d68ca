/* SPDX-License-Identifier: MIT */
/* XDP NAT: the destination address and port of an IPv4 TCP packet are
 * looked up in a hash map and rewritten, with the IPv4 and TCP
 * checksums updated incrementally (RFC 1624). The harness installs the
 * mapping both ways, so that repeated runs on the same packet take the
 * same path, one direction after the other. */
#include "pkt.h"

struct endpoint {
	u32 addr;
	u16 port;
	u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct endpoint);
	__type(value, struct endpoint);
} nat SEC(".maps");

SEC("xdp") int xdp_nat(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return XDP_PASS;
	struct tcphdr *tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	struct endpoint key = { ip->daddr, tcp->dest, 0 };
	struct endpoint *to = bpf_map_lookup_elem(&nat, &key);
	if (!to)
		return XDP_PASS;
	u32 old_addr = bpf_ntohl(ip->daddr), new_addr = bpf_ntohl(to->addr);
	u16 old_port = bpf_ntohs(tcp->dest), new_port = bpf_ntohs(to->port);
	ip->check = bpf_htons(csum_replace4(bpf_ntohs(ip->check), old_addr, new_addr));
	u16 c = csum_replace4(bpf_ntohs(tcp->check), old_addr, new_addr);
	tcp->check = bpf_htons(csum_replace2(c, old_port, new_port));
	ip->daddr = to->addr;
	tcp->dest = to->port;
	set_result((u64)ip->check << 16 | tcp->check);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
