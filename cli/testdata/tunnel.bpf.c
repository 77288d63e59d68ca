/* SPDX-License-Identifier: MIT */
/* Sets a tunnel key and options for `uebpf run` to report: IPv4 for an
 * IPv4 frame, IPv6 (with a flow label) for any other. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int set_tunnel(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	__u8 opt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u64 flags = BPF_F_ZERO_CSUM_TX;
	key.tunnel_id = 42;
	key.tunnel_tos = 0x10;
	key.tunnel_ttl = 64;
	if (skb->protocol == bpf_htons(0x0800)) {
		key.remote_ipv4 = 0xc0a80001; /* 192.168.0.1 */
		key.local_ipv4 = 0xc0a80002;
	} else {
		key.remote_ipv6[0] = bpf_htonl(0x20010db8);
		key.remote_ipv6[3] = bpf_htonl(1);
		key.local_ipv6[0] = bpf_htonl(0x20010db8);
		key.local_ipv6[3] = bpf_htonl(2);
		key.tunnel_label = 0x12345;
		flags |= BPF_F_TUNINFO_IPV6;
	}
	if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), flags))
		return TC_ACT_SHOT;
	if (bpf_skb_set_tunnel_opt(skb, opt, sizeof(opt)))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
