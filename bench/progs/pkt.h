/* SPDX-License-Identifier: MIT */
/*
 * Shared by the packet benchmark programs (uebpf-pkt-bench): kernel
 * headers, the types the programs use, and a result map through which a
 * program reports a number that depends on its work, so that the harness
 * can check that the kernel and uebpf computed the same thing.
 */
#ifndef BENCH_PKT_H
#define BENCH_PKT_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define INLINE static inline __attribute__((always_inline))

/* result[0]: what the program computed, read by the harness after the
 * runs (the last run's value). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} result SEC(".maps");

INLINE void set_result(u64 v)
{
	u32 k = 0;
	u64 *r = bpf_map_lookup_elem(&result, &k);
	if (r)
		*r = v;
}

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* The IPv4 header's checksum after a 16-bit field changed from old to
 * new (RFC 1624: HC' = ~(~HC + ~m + m')). */
INLINE u16 csum_replace2(u16 check, u16 old, u16 new)
{
	u32 sum = (u16)~check + (u16)~old + (u32)new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

INLINE u16 csum_replace4(u16 check, u32 old, u32 new)
{
	check = csum_replace2(check, (u16)(old >> 16), (u16)(new >> 16));
	return csum_replace2(check, (u16)old, (u16)new);
}

#endif
