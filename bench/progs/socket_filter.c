/* SPDX-License-Identifier: MIT */
/* Socket filter, in the classic style (LD_ABS / LD_IND loads): keeps
 * IPv4 TCP packets to or from port 80 or 443 that carry data (their
 * length), drops the rest (0). */
#include "pkt.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

INLINE int web_port(u32 port)
{
	return port == 80 || port == 443;
}

SEC("socket") int socket_filter(struct __sk_buff *skb)
{
	if (load_half(skb, 12) != ETH_P_IP)
		return 0;
	if (load_byte(skb, ETH_HLEN + 9) != IPPROTO_TCP)
		return 0;
	if (load_half(skb, ETH_HLEN + 6) & 0x1fff) /* a later fragment */
		return 0;
	u32 ihl = (load_byte(skb, ETH_HLEN) & 0xf) * 4;
	u32 tot_len = load_half(skb, ETH_HLEN + 2);
	u32 ports = load_word(skb, ETH_HLEN + ihl);
	if (!web_port(ports >> 16) && !web_port(ports & 0xffff))
		return 0;
	u32 doff = (load_byte(skb, ETH_HLEN + ihl + 12) >> 4) * 4;
	if (tot_len <= ihl + doff)
		return 0;
	return skb->len;
}

char _license[] SEC("license") = "GPL";
