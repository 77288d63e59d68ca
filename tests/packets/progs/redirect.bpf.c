/* SPDX-License-Identifier: MIT */
/* bpf_redirect from XDP and tc with valid and invalid flags. */
#include "common.h"

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	if (data + 14 > data_end)
		return XDP_DROP;
	__u8 b = *(__u8 *)(data + 5);
	__u64 flags = b & 0x80 ? 1 : 0; /* XDP takes no flags */
	return bpf_redirect(1 + (b & 3), flags);
}

SEC("tc")
int tc_redirect(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	if (data + 14 > data_end)
		return TC_ACT_SHOT;
	__u8 b = *(__u8 *)(data + 5);
	__u64 flags = b & 1 ? BPF_F_INGRESS : 0;
	if (b & 0x80)
		flags |= 0x100; /* unknown flag */
	long r = bpf_redirect(skb->ifindex + (b & 2), flags);
	skb->mark = (__u32)r;
	return (int)r;
}
