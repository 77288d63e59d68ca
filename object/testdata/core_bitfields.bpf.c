/* SPDX-License-Identifier: MIT */
/* CO-RE bitfield relocations (offset, size, shifts, signedness) on the
 * packet headers, with local layouts that differ from uebpf's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __core __attribute__((preserve_access_index))

/* iphdr's version and ihl in the other order, and wider. */
struct iphdr___x {
	__u32 version:4, ihl:4, tos:8;
	__u8 ttl;
} __core;

/* tcphdr's flags as signed ints, shuffled, with a member uebpf's lacks
 * in between (its existence is asked). */
struct tcphdr___x {
	__u16 source;
	int syn:1, fin:1, ack:1, rst:1;
	int ece:3;
	__u16 doff:4;
	int future:2;
	__u32 seq;
} __core;

struct ipv6hdr___x {
	__u8 version:4, priority:4;
	__u8 flow_lbl[3];
} __core;

SEC("kprobe/probed")
int probed(struct iphdr___x *ip)
{
	struct tcphdr___x *tcp = (void *)(ip + 1);
	__u64 r = 0;

	r += BPF_CORE_READ_BITFIELD_PROBED(ip, version);
	r += BPF_CORE_READ_BITFIELD_PROBED(ip, ihl) << 4;
	r += BPF_CORE_READ_BITFIELD_PROBED(tcp, doff) << 8;
	r += BPF_CORE_READ_BITFIELD_PROBED(tcp, fin) << 12;
	r += BPF_CORE_READ_BITFIELD_PROBED(tcp, ece) << 16;
	return (int)r;
}

SEC("tc")
int direct(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr___x *ip = data;
	struct tcphdr___x *tcp = data + 20;
	struct ipv6hdr___x *ip6 = data;
	__u64 r = 0;

	if (data + 64 > end)
		return 0;
	r += BPF_CORE_READ_BITFIELD(ip, version);
	r += BPF_CORE_READ_BITFIELD(ip, tos) << 3;
	r += BPF_CORE_READ_BITFIELD(tcp, syn) << 6;
	r += BPF_CORE_READ_BITFIELD(tcp, ack) << 9;
	r += BPF_CORE_READ_BITFIELD(tcp, rst) << 12;
	r += BPF_CORE_READ_BITFIELD(ip6, priority) << 15;
	r += bpf_core_field_exists(tcp->future) << 20;
	r += bpf_core_field_size(ip6->flow_lbl) << 21;
	r += bpf_core_field_offset(ip6->flow_lbl[2]) << 25;
	r += __builtin_preserve_field_info(tcp->fin, BPF_FIELD_SIGNED) << 30;
	return (int)r;
}

char LICENSE[] SEC("license") = "GPL";
