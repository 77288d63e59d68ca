/* SPDX-License-Identifier: MIT */
/* tc classifier: reads the __sk_buff's metadata (protocol, length,
 * ingress ifindex, mark), parses IPv4 and the TCP/UDP ports, and sets
 * the packet's priority, mark and tc class from the DSCP and the port. */
#include "pkt.h"

SEC("tc") int tc_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end)
		return TC_ACT_SHOT;
	u32 dscp = ip->tos >> 2, class = 0x10000 | dscp;
	u16 port = 0;
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		struct udphdr *l4 = (void *)ip + ip->ihl * 4;
		if ((void *)(l4 + 1) > end)
			return TC_ACT_SHOT;
		port = bpf_ntohs(l4->dest);
	}
	if (port == 22 || dscp == 46)
		class = 0x10001; /* interactive */
	else if (port == 80 || port == 443)
		class = skb->len > 1000 ? 0x10003 : 0x10002; /* bulk or web */
	skb->priority = class & 0xf;
	skb->mark = skb->mark ^ (class << 8) ^ skb->ingress_ifindex;
	skb->tc_classid = class;
	set_result((u64)skb->mark << 32 | skb->priority);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
