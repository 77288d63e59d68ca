/* SPDX-License-Identifier: MIT */
/* CO-RE on program context types, resolved at load against the target's
 * definitions: field offsets through local "flavours" of __sk_buff,
 * xdp_md and bpf_sock_addr (name___suffix, preserve_access_index), field
 * existence (of a field the real struct does not have) and size, type
 * existence and size, enum values and their existence, local type ids. */
#include "corpus.h"
#include <bpf/bpf_core_read.h>

struct __sk_buff___local {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 not_in_the_kernel;
} __attribute__((preserve_access_index));

struct xdp_md___mine {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
} __attribute__((preserve_access_index));

struct bpf_sock_addr___v {
	__u32 user_family;
	__u32 user_ip4;
	__u32 user_port;
} __attribute__((preserve_access_index));

enum xdp_action___local {
	XDP_ABORTED___local = 0,
	XDP_DROP___local,
	XDP_PASS___local,
	XDP_TX___local,
	XDP_REDIRECT___local,
	XDP_TELEPORT___local = 99, /* no such action */
};

SEC("tc")
int core_skb(struct __sk_buff *ctx)
{
	struct __sk_buff___local *skb = (void *)ctx;
	__u32 r = skb->len + skb->protocol;

	if (bpf_core_field_exists(skb->not_in_the_kernel))
		r += skb->not_in_the_kernel;
	if (bpf_core_field_exists(skb->queue_mapping))
		r += skb->queue_mapping;
	r += bpf_core_field_size(skb->mark);
	r += bpf_core_field_offset(skb->protocol);
	return r;
}

SEC("xdp")
int core_xdp(struct xdp_md *ctx)
{
	struct xdp_md___mine *md = (void *)ctx;
	void *data = (void *)(long)md->data;
	void *end = (void *)(long)md->data_end;
	int act = bpf_core_enum_value(enum xdp_action___local, XDP_PASS___local);

	if (bpf_core_enum_value_exists(enum xdp_action___local, XDP_TELEPORT___local))
		return bpf_core_enum_value(enum xdp_action___local, XDP_TELEPORT___local);
	if (!bpf_core_type_exists(struct xdp_md___mine))
		return XDP_ABORTED;
	if (data + bpf_core_type_size(struct xdp_md___mine) > end)
		return XDP_DROP;
	return md->rx_queue_index == 7 ? XDP_TX : act;
}

SEC("cgroup/connect4")
int core_sock_addr(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr___v *sa = (void *)ctx;

	if (sa->user_family != 2)
		return 1;
	if (sa->user_port == bpf_htons(8080))
		sa->user_port = bpf_htons(80);
	return bpf_core_type_id_local(struct bpf_sock_addr___v) != 0;
}

char LICENSE[] SEC("license") = "GPL";
