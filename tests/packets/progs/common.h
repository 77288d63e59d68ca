/* SPDX-License-Identifier: MIT */
/* What the programs of the packet suite share: header layouts, the map
 * layouts the harness fills (rules), bounded parsers. */
#ifndef PKT_PROGS_COMMON_H
#define PKT_PROGS_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* ICMP and ICMPv6 share their first 8 bytes' layout. */
struct icmp_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 seq;
};

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* The rules' layouts (the harness installs them by map name). */
struct lpm4_key {
	__u32 prefixlen;
	__u8 addr[4];
};
struct lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};
struct nat4_key {
	__be32 addr;
	__be16 port;
	__u8 proto;
	__u8 pad;
};
struct nat4_val {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

static __always_inline int is_vlan(__u16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* Ethernet with up to two VLAN tags: the EtherType of what follows (network
 * order) and its offset, -1 when the frame is too short. vids[] gets the tags. */
static __always_inline int parse_eth(void *data, void *data_end, __u16 *proto, __u32 *vids,
				     int *nvlan)
{
	struct ethhdr *eth = data;
	int off = sizeof(*eth);

	*nvlan = 0;
	*proto = 0;
	if ((void *)(eth + 1) > data_end)
		return -1;
	*proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *v = data + off;
		if (!is_vlan(*proto))
			break;
		if ((void *)(v + 1) > data_end)
			return -1;
		if (vids)
			vids[i] = bpf_ntohs(v->tci) & 0xfff;
		*proto = v->proto;
		off += sizeof(*v);
		(*nvlan)++;
	}
	return off;
}

/* Folds a 32-bit sum to the 16-bit one's complement checksum. */
static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* RFC 1624: the checksum after a 16-bit word changes from old to new. */
static __always_inline __u16 csum_update16(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + (__u32) new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline __u16 csum_update32(__u16 check, __u32 old, __u32 new)
{
	check = csum_update16(check, (__u16)(old >> 16), (__u16)(new >> 16));
	return csum_update16(check, (__u16)old, (__u16) new);
}

char LICENSE[] SEC("license") = "GPL";

#endif
