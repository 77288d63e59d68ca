/* SPDX-License-Identifier: MIT */
/* tc size changes: bpf_skb_change_tail / change_head, bpf_skb_adjust_room,
 * bpf_skb_vlan_push / vlan_pop, bpf_skb_pull_data, with the answers to
 * requests out of range. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __s32);
	__type(value, __u32);
} adjust_results SEC(".maps");

static __always_inline void note(__s32 key)
{
	__u32 one = 1, *v = bpf_map_lookup_elem(&adjust_results, &key);
	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&adjust_results, &key, &one, BPF_ANY);
}

SEC("tc")
int tc_change_tail(struct __sk_buff *skb)
{
	__u8 b[2];
	if (bpf_skb_load_bytes(skb, 12, b, 2))
		return TC_ACT_SHOT;
	__u32 len = skb->len;
	__u32 to = b[1] & 1 ? len + (b[0] & 0x7f) : len - (b[0] & 0x3f);
	if (b[1] == 0xff)
		to = 8; /* shorter than a header: refused */
	long r = bpf_skb_change_tail(skb, to, 0);
	note(r ? (__s32)r : (__s32)(skb->len - len + 1000));
	skb->mark = skb->len;
	if (!r && to > len) {
		__u8 pat = 0x5a;
		bpf_skb_store_bytes(skb, to - 1, &pat, 1, 0);
	}
	return r ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_change_head(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct ethhdr eth;

	if (data + sizeof(eth) > data_end)
		return TC_ACT_SHOT;
	__builtin_memcpy(&eth, data, sizeof(eth));
	long r = bpf_skb_change_head(skb, 4, 0);
	note(r ? (__s32)r : 20);
	if (r)
		return TC_ACT_SHOT;
	struct {
		__u8 macs[12];
		__be16 tpid;
		__be16 tci;
	} hdr;
	__builtin_memcpy(hdr.macs, &eth, 12);
	hdr.tpid = bpf_htons(ETH_P_8021Q);
	hdr.tci = bpf_htons(skb->len & 0xfff);
	if (bpf_skb_store_bytes(skb, 0, &hdr, sizeof(hdr), 0))
		return TC_ACT_SHOT;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + 18 > data_end)
		return TC_ACT_SHOT;
	skb->cb[0] = *(__u32 *)(data + 14);
	return TC_ACT_OK;
}

SEC("tc")
int tc_adjust_room(struct __sk_buff *skb)
{
	__u8 b;
	if (bpf_skb_load_bytes(skb, 6, &b, 1))
		return TC_ACT_SHOT;
	__s32 delta = b & 1 ? 8 : -8;
	__u32 mode = b & 2 ? BPF_ADJ_ROOM_MAC : BPF_ADJ_ROOM_NET;
	long r = bpf_skb_adjust_room(skb, delta, mode, 0);
	note(r ? (__s32)r : (__s32)(delta * 10 + mode));
	skb->cb[1] = skb->len;
	return r ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_vlan_push_pop(struct __sk_buff *skb)
{
	__u8 b[2];
	if (bpf_skb_load_bytes(skb, 0, b, 2))
		return TC_ACT_SHOT;
	__u32 before = skb->vlan_present << 16 | skb->vlan_tci;
	long r1 = bpf_skb_vlan_push(skb, bpf_htons(b[0] & 1 ? ETH_P_8021Q : ETH_P_8021AD),
				    b[1] << 4 | 7);
	__u32 mid = skb->vlan_present << 16 | skb->vlan_tci;
	long r2 = 0;
	if (b[0] & 2) /* a second tag: the first goes into the packet */
		r2 = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 99);
	long r3 = b[0] & 4 ? bpf_skb_vlan_pop(skb) : 0;
	skb->mark = before ^ mid << 1;
	skb->cb[0] = skb->vlan_present << 16 | skb->vlan_tci;
	skb->cb[1] = skb->vlan_proto;
	skb->cb[2] = skb->len;
	note((__s32)(r1 * 100 + r2 * 10 + r3));
	return TC_ACT_OK;
}

SEC("tc")
int tc_pull_data(struct __sk_buff *skb)
{
	__u32 want = skb->len < 100 ? skb->len : 100;
	long r = bpf_skb_pull_data(skb, want);
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	note(r ? (__s32)r : 30);
	skb->cb[3] = data_end - data;
	if (data + 20 > data_end)
		return TC_ACT_OK;
	*(__u8 *)(data + 19) ^= 0xff;
	return TC_ACT_PIPE;
}
