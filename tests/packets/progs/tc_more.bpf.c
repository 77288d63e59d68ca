/* SPDX-License-Identifier: MIT */
/* More skb helpers: bpf_skb_ecn_set_ce, bpf_skb_load_bytes_relative from
 * the MAC and network headers, bpf_set_hash / set_hash_invalid read back
 * through skb->hash, bpf_csum_update without a complete checksum,
 * bpf_skb_get_tunnel_key and _opt on packets that came through no tunnel. */
#include "common.h"

SEC("tc")
int tc_ecn(struct __sk_buff *skb)
{
	long r = bpf_skb_ecn_set_ce(skb);
	long c = bpf_csum_update(skb, 0x1234);
	skb->mark = (__u32)r;
	skb->cb[0] = (__u32)c;
	return r ? TC_ACT_OK : TC_ACT_UNSPEC;
}

SEC("tc")
int tc_load_relative(struct __sk_buff *skb)
{
	__u8 mac[14], net[20];
	long rm = bpf_skb_load_bytes_relative(skb, 0, mac, sizeof(mac), BPF_HDR_START_MAC);
	long rn = bpf_skb_load_bytes_relative(skb, 0, net, sizeof(net), BPF_HDR_START_NET);
	long rb = bpf_skb_load_bytes_relative(skb, 0, net, 4, 7); /* no such start */
	skb->cb[0] = (__u32)rm;
	skb->cb[1] = (__u32)rn;
	skb->cb[2] = (__u32)rb;
	if (rm || rn)
		return TC_ACT_SHOT;
	skb->mark = mac[12] << 24 | mac[13] << 16 | net[0] << 8 | net[9];
	return TC_ACT_OK;
}

SEC("socket")
int sock_load_relative(struct __sk_buff *skb)
{
	__u8 h[8];
	long r = bpf_skb_load_bytes_relative(skb, 2, h, sizeof(h), BPF_HDR_START_NET);
	if (r)
		return 1;
	return h[0] + h[7];
}

SEC("tc")
int tc_set_hash(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	if (data + 14 > data_end)
		return TC_ACT_SHOT;
	__u32 h = *(__u32 *)(data + 8) ^ skb->len;
	bpf_set_hash(skb, h);
	__u32 seen = skb->hash;
	if (h & 1)
		bpf_set_hash_invalid(skb);
	skb->cb[3] = seen;
	skb->mark = h & 1 ? 0 : seen; /* the hash is not read after it is invalid */
	return seen == h ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int tc_tunnel_key(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key;
	__u8 *b = (__u8 *)&key;
	long r[3];
	__u32 nonzero = 0;

	__builtin_memset(&key, 0xa5, sizeof(key));
	r[0] = bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0);
	for (int i = 0; i < (int)sizeof(key); i++)
		nonzero += b[i] != 0;
	r[1] = bpf_skb_get_tunnel_key(skb, &key, sizeof(key), BPF_F_TUNINFO_IPV6);
	r[2] = bpf_skb_get_tunnel_key(skb, &key, 8, 1ull << 40);
	__builtin_memset(&key, 0x5a, sizeof(key));
	long ro = bpf_skb_get_tunnel_opt(skb, &key, 12);
	for (int i = 0; i < 12; i++)
		nonzero += (b[i] != 0) << 8;
	skb->cb[0] = (__u32)r[0];
	skb->cb[1] = (__u32)r[1];
	skb->cb[2] = (__u32)r[2];
	skb->cb[3] = nonzero;
	skb->cb[4] = (__u32)ro;
	return r[0] ? TC_ACT_SHOT : TC_ACT_OK;
}
