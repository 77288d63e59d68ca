/* SPDX-License-Identifier: MIT */
/* Ring buffer events: bpf_ringbuf_output of fixed and variable sizes,
 * reserve then submit or discard, from XDP, tc and a socket filter. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} events SEC(".maps");

struct event {
	__u32 len;
	__u16 proto;
	__u8 nvlan;
	__u8 kind;
	__u8 head[16];
};

SEC("xdp")
int xdp_rb_output(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct event e = {};
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);

	if (off < 0)
		return XDP_DROP;
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	e.len = data_end - data;
	e.proto = bpf_ntohs(proto);
	e.nvlan = nvlan;
	e.kind = 1;
	if (data + off + 16 <= data_end)
		__builtin_memcpy(e.head, data + off, 16);
	long r = bpf_ringbuf_output(&events, &e, sizeof(e), BPF_RB_NO_WAKEUP);
	return r ? XDP_ABORTED : XDP_PASS;
}

/* A record of 1..64 bytes, as many as the packet's byte 13 says. */
SEC("xdp")
int xdp_rb_var(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u8 buf[64] = {};

	if (data + 64 > data_end)
		return XDP_PASS;
	__builtin_memcpy(buf, data, 64);
	__u32 n = (buf[13] & 63) + 1;
	bpf_ringbuf_output(&events, buf, n, 0);
	if (buf[0] & 1) /* and an empty one */
		bpf_ringbuf_output(&events, buf, 0, 0);
	return XDP_TX;
}

SEC("tc")
int tc_rb_reserve(struct __sk_buff *skb)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return TC_ACT_SHOT;
	e->len = skb->len;
	e->proto = bpf_ntohs(skb->protocol);
	e->nvlan = skb->vlan_present;
	e->kind = 2;
	if (bpf_skb_load_bytes(skb, 14, e->head, 16))
		__builtin_memset(e->head, 0xee, 16);
	if (skb->len & 1) {
		bpf_ringbuf_submit(e, 0);
		return TC_ACT_OK;
	}
	bpf_ringbuf_discard(e, 0);
	return TC_ACT_UNSPEC;
}

SEC("socket")
int socket_rb(struct __sk_buff *skb)
{
	struct event e = { .len = skb->len, .proto = bpf_ntohs(skb->protocol), .kind = 3 };
	bpf_skb_load_bytes(skb, 0, e.head, 16);
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return skb->len > 100 ? 100 : skb->len;
}
