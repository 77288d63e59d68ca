/* SPDX-License-Identifier: MIT */
/* cgroup_skb programs: the socket's family and addresses (the test run
 * takes them from the packet), LPM rules on them, loads, direct reads
 * from the network header; verdicts 0 / 1 and marks. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm4_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} fw4_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} cg_stats SEC(".maps");

static __always_inline void cstat(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&cg_stats, &k);
	if (p)
		*p += v;
	else
		bpf_map_update_elem(&cg_stats, &k, &v, BPF_ANY);
}

SEC("cgroup_skb/ingress")
int cg_fields(struct __sk_buff *skb)
{
	__u32 fam = skb->family;
	cstat(fam, 1);
	if (fam == 2) {
		cstat(0x1000 | (skb->local_ip4 & 0xff), skb->len);
		cstat(0x2000 | (skb->remote_ip4 >> 24), 1);
	} else if (fam == 10) {
		cstat(0x3000 | (skb->remote_ip6[3] & 0xff), 1);
		cstat(0x4000 | (skb->local_ip6[0] & 0xff), 1);
	}
	cstat(0x5000 | bpf_ntohs(skb->protocol), skb->len);
	skb->mark = skb->len ^ fam;
	return skb->len & 1;
}

SEC("cgroup_skb/egress")
int cg_egress_lpm(struct __sk_buff *skb)
{
	struct lpm4_key k = { .prefixlen = 32 };
	if (skb->family != 2)
		return 1;
	__u32 a = skb->remote_ip4;
	__builtin_memcpy(k.addr, &a, 4);
	__u32 *v = bpf_map_lookup_elem(&fw4_lpm, &k);
	cstat(0x6000 | (v ? *v : 0), 1);
	skb->priority = v ? *v : 0;
	return v && (*v == 1 || *v == 5) ? 0 : 1;
}

SEC("cgroup_skb/ingress")
int cg_load_bytes(struct __sk_buff *skb)
{
	__u8 h[20];
	if (bpf_skb_load_bytes(skb, 0, h, sizeof(h)))
		return 0;
	cstat(0x7000 | h[0], 1);
	skb->cb[0] = h[9] | h[8] << 8;
	return (h[0] >> 4) == 4 || (h[0] >> 4) == 6;
}

SEC("cgroup_skb/ingress")
int cg_direct(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end) {
		cstat(0x8000, 1);
		return 1;
	}
	cstat(0x8100 | ip->protocol, bpf_ntohs(ip->tot_len));
	skb->mark = ip->ttl;
	return ip->ttl > 1;
}

/* ECN in cgroup_skb: the network header is at data. */
SEC("cgroup_skb/egress")
int cg_ecn(struct __sk_buff *skb)
{
	long r = bpf_skb_ecn_set_ce(skb);
	cstat(0x9000 | (__u32)r, 1);
	skb->cb[0] = (__u32)r;
	return 1;
}
