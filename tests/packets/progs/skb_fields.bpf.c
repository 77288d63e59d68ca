/* SPDX-License-Identifier: MIT */
/* __sk_buff fields in tc: every field the test run sets, read; mark,
 * priority, tc_index, cb, tc_classid and queue_mapping written. */
#include "common.h"

struct fields {
	__u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto;
	__u32 priority, ingress_ifindex, ifindex, tc_index, cb[5], tc_classid, wire_len;
	__u32 gso_segs, gso_size, data_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, struct fields);
} field_log SEC(".maps");

SEC("tc")
int tc_read_fields(struct __sk_buff *skb)
{
	struct fields f = {
		.len = skb->len, .pkt_type = skb->pkt_type, .mark = skb->mark,
		.queue_mapping = skb->queue_mapping, .protocol = skb->protocol,
		.vlan_present = skb->vlan_present, .vlan_tci = skb->vlan_tci,
		.vlan_proto = skb->vlan_proto, .priority = skb->priority,
		.ingress_ifindex = skb->ingress_ifindex, .ifindex = skb->ifindex,
		.tc_index = skb->tc_index, .tc_classid = skb->tc_classid,
		.wire_len = skb->wire_len, .gso_segs = skb->gso_segs, .gso_size = skb->gso_size,
		.data_len = skb->data_end - skb->data,
	};
	f.cb[0] = skb->cb[0];
	f.cb[1] = skb->cb[1];
	f.cb[2] = skb->cb[2];
	f.cb[3] = skb->cb[3];
	f.cb[4] = skb->cb[4];
	__u32 key = skb->len ^ skb->cb[0] ^ skb->mark;
	bpf_map_update_elem(&field_log, &key, &f, BPF_ANY);
	return skb->pkt_type == 0 ? TC_ACT_OK : TC_ACT_RECLASSIFY;
}

SEC("tc")
int tc_write_fields(struct __sk_buff *skb)
{
	__u32 in = skb->mark ^ skb->cb[3];
	skb->mark = in * 2654435761u;
	skb->priority = skb->len & 0xffff;
	skb->tc_index = skb->len & 0xffff;
	skb->tc_classid = 0x10000 | (in & 0xff);
	/* queue_mapping: the kernel ignores values from 0xffff on. */
	skb->queue_mapping = in & 1 ? 0xffff : in & 0xff;
	skb->cb[0] = skb->queue_mapping;
	skb->cb[4] = skb->tc_classid;
	return (in >> 3) & 1 ? TC_ACT_OK : TC_ACT_PIPE;
}

/* The control block in and out: a state machine across calls. */
SEC("classifier")
int cls_cb_state(struct __sk_buff *skb)
{
	__u32 s = skb->cb[0];
	__u32 n = skb->cb[1] + 1;
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	if (data + 14 > data_end)
		return TC_ACT_SHOT;
	__u8 b = *(__u8 *)(data + 13);
	s = s * 31 + b;
	skb->cb[0] = s;
	skb->cb[1] = n;
	skb->cb[2] = skb->cb[2] ^ skb->mark;
	skb->tc_classid = s & 0xffff;
	return s % 3 == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* The same context as a tc action (BPF_PROG_TYPE_SCHED_ACT). */
SEC("action")
int act_mark(struct __sk_buff *skb)
{
	skb->mark = skb->len << 8 | skb->pkt_type;
	skb->priority = skb->cb[1] & 7;
	return skb->len > 1000 ? TC_ACT_STOLEN : TC_ACT_PIPE;
}
