// SPDX-License-Identifier: MIT
/*
 * Port forwarding as a tc program: TCP to the public web address
 * (10.0.0.80:80) is sent to the backend (10.0.0.180:8080). The addresses
 * and ports are rewritten with bpf_skb_store_bytes and the IP and TCP
 * checksums fixed incrementally with bpf_l3_csum_replace and
 * bpf_l4_csum_replace, as a kernel NAT does it. The backend and the
 * number of packets rewritten are globals a loader may set and read.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __be32 public_addr = 0x5000000a;  /* 10.0.0.80, network order */
const volatile __be16 public_port = 0x5000;      /* 80 */
const volatile __be32 backend_addr = 0xb400000a; /* 10.0.0.180 */
const volatile __be16 backend_port = 0x901f;     /* 8080 */
__u64 rewritten;

#define IP_OFF ETH_HLEN
#define IP_DST (IP_OFF + offsetof(struct iphdr, daddr))
#define IP_CSUM (IP_OFF + offsetof(struct iphdr, check))
#define TCP_OFF (IP_OFF + sizeof(struct iphdr))
#define TCP_DPORT (TCP_OFF + offsetof(struct tcphdr, dest))
#define TCP_CSUM (TCP_OFF + offsetof(struct tcphdr, check))

SEC("tc")
int rewriter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	/* Only IPv4 without options, the common case a fast path handles. */
	if ((void *)(tcp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	if (ip->daddr != public_addr || tcp->dest != public_port)
		return TC_ACT_OK;

	__be32 old_addr = ip->daddr, new_addr = backend_addr;
	__be16 old_port = tcp->dest, new_port = backend_port;
	/* The TCP checksum covers the addresses (pseudo header) and the port. */
	bpf_l4_csum_replace(skb, TCP_CSUM, old_addr, new_addr, BPF_F_PSEUDO_HDR | sizeof(new_addr));
	bpf_l4_csum_replace(skb, TCP_CSUM, old_port, new_port, sizeof(new_port));
	bpf_l3_csum_replace(skb, IP_CSUM, old_addr, new_addr, sizeof(new_addr));
	bpf_skb_store_bytes(skb, IP_DST, &new_addr, sizeof(new_addr), 0);
	bpf_skb_store_bytes(skb, TCP_DPORT, &new_port, sizeof(new_port), 0);
	__sync_fetch_and_add(&rewritten, 1);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
