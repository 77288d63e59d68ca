// SPDX-License-Identifier: MIT
/*
 * A stateless XDP firewall: drops packets whose source address falls in a
 * blocked prefix (IPv4 and IPv6 longest-prefix-match tries filled from
 * user space) and counts hits per rule and verdicts per CPU.
 *
 *   uebpf run firewall.bpf.o --pcap traffic.pcap \
 *       --map-update deny_v4 18000000c0a84200 01000000 ...   (192.168.66.0/24 -> rule 1)
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4);
	__type(value, __u32); /* rule number */
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v6);
	__type(value, __u32);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);   /* rule number */
	__type(value, __u64); /* packets it dropped */
	__uint(max_entries, 1024);
} rule_hits SEC(".maps");

enum verdict { PASSED, DROPPED, VERDICTS };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, VERDICTS);
} verdicts SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

static int verdict(__u32 v)
{
	__u64 *n = bpf_map_lookup_elem(&verdicts, &v);
	if (n)
		*n += 1;
	return v == DROPPED ? XDP_DROP : XDP_PASS;
}

static int drop_for(__u32 *rule)
{
	__u64 one = 1, *hits = bpf_map_lookup_elem(&rule_hits, rule);
	if (hits)
		__sync_fetch_and_add(hits, 1);
	else
		bpf_map_update_elem(&rule_hits, rule, &one, BPF_NOEXIST);
	return verdict(DROPPED);
}

SEC("xdp")
int firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return verdict(DROPPED);
	__be16 proto = eth->h_proto;
	void *l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_hdr *vlan = l3;
		if ((void *)(vlan + 1) > end)
			return verdict(DROPPED);
		proto = vlan->proto;
		l3 = vlan + 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end)
			return verdict(DROPPED);
		struct lpm_v4 key = { .prefixlen = 32 };
		__builtin_memcpy(key.addr, &ip->saddr, 4);
		__u32 *rule = bpf_map_lookup_elem(&deny_v4, &key);
		if (rule)
			return drop_for(rule);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end)
			return verdict(DROPPED);
		struct lpm_v6 key = { .prefixlen = 128 };
		__builtin_memcpy(key.addr, &ip6->saddr, 16);
		__u32 *rule = bpf_map_lookup_elem(&deny_v6, &key);
		if (rule)
			return drop_for(rule);
	}
	return verdict(PASSED);
}

char LICENSE[] SEC("license") = "GPL";
