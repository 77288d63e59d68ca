/* SPDX-License-Identifier: MIT */
/* Socket filters: LD_ABS and LD_IND (clang's load_byte/half/word
 * builtins), __sk_buff fields, bpf_skb_load_bytes; the return value is
 * how many bytes to keep. The data start at the network header. */
#include "common.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} sock_stats SEC(".maps");

static __always_inline void sstat(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&sock_stats, &k);
	if (p)
		*p += v;
}

/* Constant offsets: LD_ABS. */
SEC("socket")
int sock_ld_abs(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	__u32 vihl = load_byte(skb, 0);
	__u32 tot = load_half(skb, 2);
	__u32 saddr = load_word(skb, 12);
	sstat(0, vihl);
	sstat(1, saddr & 0xff);
	if ((vihl >> 4) != 4)
		return 0;
	return tot < skb->len ? tot : skb->len;
}

/* Offsets from the packet: LD_IND (and the program ends with 0 when a
 * load falls outside the packet). */
SEC("socket")
int sock_ld_ind(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return -1;
	__u32 ihl = (load_byte(skb, 0) & 0xf) * 4;
	__u32 proto = load_byte(skb, 9);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 1;
	__u32 dport = load_half(skb, ihl + 2);
	__u32 word = load_word(skb, ihl + 4);
	sstat(2, dport);
	sstat(3, word & 0xffff);
	return dport == 53 || dport == 443 ? 0x7fffffff : 64;
}

SEC("socket")
int sock_fields(struct __sk_buff *skb)
{
	__u32 x = skb->len ^ skb->pkt_type << 4 ^ skb->protocol << 8;
	x ^= skb->mark ^ skb->priority << 3 ^ skb->ifindex << 5 ^ skb->ingress_ifindex << 7;
	x ^= skb->vlan_present << 9 ^ skb->queue_mapping << 11 ^ skb->cb[0] ^ skb->cb[4];
	skb->cb[1] = x;
	skb->cb[2] = skb->len;
	sstat(4, x & 0xffff);
	return x & 0xff;
}

SEC("socket")
int sock_load_bytes_v6(struct __sk_buff *skb)
{
	__u8 addrs[32];
	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return skb->len;
	long r = bpf_skb_load_bytes(skb, 8, addrs, sizeof(addrs));
	if (r) {
		sstat(5, 1);
		return 0;
	}
	__u32 h = 0;
	for (int i = 0; i < 32; i++)
		h = h * 33 + addrs[i];
	sstat(6, h);
	return addrs[15] & 1 ? 40 : skb->len;
}
