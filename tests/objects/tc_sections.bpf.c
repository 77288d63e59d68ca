/* SPDX-License-Identifier: MIT */
/* Traffic control programs in every tc section spelling (tc,
 * tc/ingress, tc/egress, classifier, action) sharing a hash map whose
 * key and value are given by size, not by type. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16);
	__uint(max_entries, 1024);
} seen_ifindex SEC(".maps");

static __always_inline void remember(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	__u64 val[2] = { skb->len, skb->protocol };

	bpf_map_update_elem(&seen_ifindex, &key, val, BPF_ANY);
}

SEC("tc")
int tc_any(struct __sk_buff *skb)
{
	remember(skb);
	return TC_ACT_OK;
}

SEC("tc/ingress")
int tc_ingress(struct __sk_buff *skb)
{
	__u8 byte;

	if (bpf_skb_load_bytes(skb, 12, &byte, 1))
		return TC_ACT_SHOT;
	remember(skb);
	return byte == 0x86 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc/egress")
int tc_egress(struct __sk_buff *skb)
{
	skb->mark = 42;
	return TC_ACT_OK;
}

SEC("classifier")
int cls_mark(struct __sk_buff *skb)
{
	skb->tc_classid = 0x10001;
	return skb->mark == 42 ? TC_ACT_OK : TC_ACT_UNSPEC;
}

SEC("action")
int act_pass(struct __sk_buff *skb)
{
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
