/* SPDX-License-Identifier: MIT */
/* tc NAT: as xdp_nat.c, through the skb helpers: bpf_skb_store_bytes
 * writes the new address and port, bpf_l3_csum_replace and
 * bpf_l4_csum_replace fix the checksums (the TCP one with the
 * pseudo-header flag for the address). */
#include "pkt.h"
#include <stddef.h>

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

#define IP_OFF ETH_HLEN
#define TCP_OFF (ETH_HLEN + sizeof(struct iphdr))

SEC("tc") int tc_nat(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return TC_ACT_OK;
	struct tcphdr *tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > end)
		return TC_ACT_OK;
	struct endpoint key = { ip->daddr, tcp->dest, 0 };
	struct endpoint *to = bpf_map_lookup_elem(&nat, &key);
	if (!to)
		return TC_ACT_OK;
	struct endpoint new = *to;
	bpf_l4_csum_replace(skb, TCP_OFF + offsetof(struct tcphdr, check), key.addr, new.addr,
			    BPF_F_PSEUDO_HDR | sizeof(new.addr));
	bpf_l4_csum_replace(skb, TCP_OFF + offsetof(struct tcphdr, check), key.port, new.port,
			    sizeof(new.port));
	bpf_l3_csum_replace(skb, IP_OFF + offsetof(struct iphdr, check), key.addr, new.addr,
			    sizeof(new.addr));
	bpf_skb_store_bytes(skb, IP_OFF + offsetof(struct iphdr, daddr), &new.addr,
			    sizeof(new.addr), 0);
	bpf_skb_store_bytes(skb, TCP_OFF + offsetof(struct tcphdr, dest), &new.port,
			    sizeof(new.port), 0);
	u16 checks[2];
	if (bpf_skb_load_bytes(skb, IP_OFF + offsetof(struct iphdr, check), &checks[0], 2) ||
	    bpf_skb_load_bytes(skb, TCP_OFF + offsetof(struct tcphdr, check), &checks[1], 2))
		return TC_ACT_SHOT;
	set_result((u64)checks[0] << 16 | checks[1]);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
