/* SPDX-License-Identifier: MIT */
/* Global data: read-only configuration (.rodata), tables (.data),
 * counters (.bss), all read and written by the programs. */
#include "common.h"

const volatile __u32 min_len = 60;
const volatile __u32 max_len = 1514;
const volatile __u8 weights[8] = { 1, 2, 3, 5, 8, 13, 21, 34 };

__u32 port_table[8] = { 22, 53, 80, 123, 443, 3306, 8080, 5353 };
__u64 seen_by_port[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

__u64 packets, bytes, too_short, too_long;
struct {
	__u32 len;
	__u32 first_word;
	__u16 proto;
} last;

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;

	packets++;
	bytes += len * weights[len & 7];
	if (len < min_len) {
		too_short++;
		return XDP_DROP;
	}
	if (len > max_len)
		too_long++;
	if (data + 38 > data_end)
		return XDP_PASS;
	last.len = len;
	last.first_word = *(__u32 *)data;
	last.proto = *(__u16 *)(data + 12);
	__u16 dport = bpf_ntohs(*(__u16 *)(data + 36));
	for (int i = 0; i < 8; i++) {
		if (port_table[i] == dport) {
			seen_by_port[i] += len;
			return XDP_TX;
		}
	}
	return XDP_PASS;
}

SEC("tc")
int tc_globals(struct __sk_buff *skb)
{
	__u32 i = skb->len & 7;
	port_table[i] ^= skb->len;
	packets += 2;
	skb->mark = port_table[i] + weights[i];
	skb->priority = (__u32)(seen_by_port[i] & 0xffff);
	return skb->len > max_len ? TC_ACT_SHOT : TC_ACT_OK;
}
