/* SPDX-License-Identifier: MIT */
/* Socket filters: three programs in the one "socket" section, two of
 * them with the legacy packet loads (LD_ABS, LD_IND). No maps, so it is
 * also built without -g (no BTF at all). */
#include "corpus.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int sock_ipv4_only(struct __sk_buff *skb)
{
	if (load_half(skb, offsetof(struct ethhdr, h_proto)) != ETH_P_IP)
		return 0;
	return -1;
}

SEC("socket")
int sock_tcp_syn(struct __sk_buff *skb)
{
	__u64 ihl;

	if (load_half(skb, 12) != ETH_P_IP || load_byte(skb, ETH_HLEN + 9) != IPPROTO_TCP)
		return 0;
	ihl = (load_byte(skb, ETH_HLEN) & 0xf) << 2;
	if (load_byte(skb, ETH_HLEN + ihl + 13) & 0x02)
		return skb->len;
	return 0;
}

SEC("socket")
int sock_len_limit(struct __sk_buff *skb)
{
	if (skb->len > 1500)
		return 1500;
	return load_word(skb, 0) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
