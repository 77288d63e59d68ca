/* SPDX-License-Identifier: MIT */
/* XDP parsers: Ethernet with VLAN and QinQ, IPv4 with options, IPv6 with
 * extension headers, TCP options, UDP / ICMP / ICMPv6. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} ethertypes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u32);
} seen SEC(".maps");

static __always_inline void bump(void *map, __u32 key, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);
	if (v)
		*v += by;
	else if (map == (void *)&ethertypes)
		bpf_map_update_elem(map, &key, &by, BPF_NOEXIST);
}

SEC("xdp")
int xdp_eth_vlan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 vids[2] = { 0, 0 };
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, vids, &nvlan);

	if (off < 0)
		return XDP_ABORTED;
	bump(&ethertypes, bpf_ntohs(proto), 1);
	bump(&counts, nvlan, 1);
	bump(&counts, 8 + (vids[0] & 127), data_end - data);
	if (nvlan == 2)
		bump(&counts, 136 + (vids[1] & 63), 1);
	if (((struct ethhdr *)data)->h_dest[0] & 1)
		return XDP_PASS;
	return nvlan == 0 ? XDP_PASS : nvlan == 1 ? XDP_TX : XDP_DROP;
}

/* IPv4: options walked one by one, the header's checksum summed. */
SEC("xdp")
int xdp_ipv4_opts(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip;
	__u32 sum = 0;

	if (off < 0 || proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = data + off;
	if ((void *)(ip + 1) > data_end)
		return XDP_ABORTED;
	__u32 ihl = ip->ihl * 4;
	if (ihl < 20)
		return XDP_DROP;
	if ((void *)ip + ihl > data_end)
		return XDP_ABORTED;
	__u8 *opt = (__u8 *)(ip + 1);
	__u32 olen = ihl - 20;
	__u32 i = 0, nopts = 0;
	for (int n = 0; n < 40; n++) {
		__u8 *p = opt + (i & 63);
		if (i >= olen || (void *)(p + 2) > data_end)
			break;
		__u8 type = p[0];
		if (type == 0)
			break;
		nopts++;
		bump(&counts, type, 1);
		if (type == 1) {
			i = (i + 1) & 63;
			continue;
		}
		__u8 len = p[1];
		if (len < 2) {
			bump(&counts, 255, 1);
			break;
		}
		i = (i + len) & 63;
	}
	__u16 *w = (__u16 *)ip;
	for (int n = 0; n < 30; n++) {
		if (n * 2 >= ihl || (void *)(w + n + 1) > data_end)
			break;
		sum += w[n];
	}
	if (csum_fold32(sum) != 0)
		return XDP_DROP;
	bump(&counts, 200 + (nopts & 15), 1);
	return ip->frag_off & bpf_htons(0x3fff) ? XDP_TX : XDP_PASS;
}

/* IPv6: the extension header chain, up to six headers. */
SEC("xdp")
int xdp_ipv6_ext(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct ipv6hdr *ip6;

	if (off < 0 || proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	ip6 = data + off;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_ABORTED;
	__u8 next = ip6->nexthdr;
	__u32 pos = off + sizeof(*ip6);
	__u32 chain = 0;
	for (int n = 0; n < 6; n++) {
		if (next != 0 && next != 43 && next != 44 && next != 60)
			break;
		__u8 *h = data + (pos & 0x1fff);
		if ((void *)(h + 8) > data_end)
			return XDP_DROP;
		chain = chain * 61 + next;
		__u32 len = next == 44 ? 8 : (h[1] + 1) * 8;
		if (next == 44 && (h[2] | (h[3] & 0xf8)))
			chain ^= 0x80000000; /* not the first fragment */
		next = h[0];
		pos += len;
	}
	__u32 key = chain ^ next << 24;
	__u32 *v = bpf_map_lookup_elem(&seen, &key);
	if (v)
		*v += pos;
	else
		bpf_map_update_elem(&seen, &key, &pos, BPF_ANY);
	if (next == IPPROTO_TCP || next == IPPROTO_UDP || next == IPPROTO_ICMPV6)
		return pos < (__u32)(data_end - data) ? XDP_PASS : XDP_DROP;
	return XDP_TX;
}

/* TCP options: MSS, window scale, SACK permitted, timestamps. */
SEC("xdp")
int xdp_tcp_opts(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	struct iphdr *ip = data + off;
	struct tcphdr *tcp;

	if (off < 0 || proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP || ip->ihl < 5)
		return XDP_PASS;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return XDP_ABORTED;
	__u32 doff = tcp->doff * 4;
	if (doff < 20)
		return XDP_DROP;
	__u8 *o = (__u8 *)(tcp + 1);
	__u32 olen = doff - 20;
	__u32 i = 0, mss = 0, ws = 0xff, ts = 0, sackp = 0;
	for (int n = 0; n < 40; n++) {
		if (i >= olen || (void *)(o + i + 10) > data_end)
			break;
		__u8 kind = o[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			i = (i + 1) & 63;
			continue;
		}
		__u8 len = o[i + 1];
		if (len < 2)
			return XDP_DROP;
		if (kind == 2 && len == 4)
			mss = o[i + 2] << 8 | o[i + 3];
		else if (kind == 3 && len == 3)
			ws = o[i + 2];
		else if (kind == 4)
			sackp = 1;
		else if (kind == 8 && len == 10)
			ts = o[i + 5] | o[i + 4] << 8;
		i = (i + len) & 63;
	}
	__u32 flags = ((__u8 *)tcp)[13];
	bump(&counts, flags, 1);
	bump(&counts, 100 + (ws & 15), mss);
	bump(&counts, 120, ts & 0xffff);
	bump(&counts, 121, sackp);
	if (tcp->syn && !tcp->ack)
		return mss ? XDP_PASS : XDP_DROP;
	if (tcp->rst)
		return XDP_TX;
	return XDP_PASS;
}

/* UDP, ICMP and ICMPv6 by type and port. */
SEC("xdp")
int xdp_l4_summary(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	int nvlan;
	int off = parse_eth(data, data_end, &proto, NULL, &nvlan);
	__u8 l4;
	void *l4h;

	if (off < 0)
		return XDP_DROP;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		l4 = ip->protocol;
		l4h = (void *)ip + (ip->ihl & 0xf) * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		l4 = ip6->nexthdr;
		l4h = ip6 + 1;
	} else {
		return XDP_PASS;
	}
	__u32 key = l4 << 16;
	if (l4 == IPPROTO_UDP) {
		struct udphdr *u = l4h;
		if ((void *)(u + 1) > data_end)
			return XDP_ABORTED;
		key |= bpf_ntohs(u->dest);
		if (bpf_ntohs(u->len) > data_end - l4h)
			key |= 0x80000000;
	} else if (l4 == IPPROTO_ICMP || l4 == IPPROTO_ICMPV6) {
		struct icmp_hdr *ic = l4h;
		if ((void *)(ic + 1) > data_end)
			return XDP_ABORTED;
		key |= ic->type << 8 | ic->code;
	}
	__u32 one = 1, *v = bpf_map_lookup_elem(&seen, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST);
	return key & 0x80000000 ? XDP_DROP : XDP_PASS;
}
