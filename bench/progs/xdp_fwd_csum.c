/* SPDX-License-Identifier: MIT */
/* XDP forwarding: swaps the MAC addresses, decrements the TTL and
 * recomputes the IPv4 header checksum from scratch with a bounded loop
 * over the header's 16-bit words (options included), then sends the
 * packet back (XDP_TX). */
#include "pkt.h"

SEC("xdp") int xdp_fwd_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	u32 words = ip->ihl * 2;
	u8 mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	ip->ttl--;
	ip->check = 0;
	u32 sum = 0;
	u16 *w = (u16 *)ip;
	for (u32 i = 0; i < 30; i++) { /* at most 60 bytes of header */
		if (i >= words || (void *)(w + i + 1) > end)
			break;
		sum += w[i];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (u16)~sum;
	set_result(ip->check);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
