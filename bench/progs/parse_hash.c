/* SPDX-License-Identifier: MIT */
/* Header parse + hash: Ethernet (with VLAN tags), IPv4 (with options),
 * TCP/UDP ports, then a jhash-style mix of the 5-tuple. */
#include "bench_prog.h"

INLINE u32 rol32(u32 x, int k)
{
	return (x << k) | (x >> (32 - k));
}

INLINE u32 mix3(u32 a, u32 b, u32 c)
{
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

INLINE u32 load_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

BENCH_ENTRY(bench_parse_hash)
{
	u64 off = 12;
	if (len < 64)
		return 0;
	u32 proto = (u32)mem[off] << 8 | mem[off + 1];
	for (int i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++) {
		off += 4;
		proto = (u32)mem[off] << 8 | mem[off + 1];
	}
	off += 2;
	if (proto != 0x0800 || off + 20 > len)
		return 1;
	const u8 *ip = mem + off;
	u32 ihl = (ip[0] & 0xf) * 4u;
	if (ihl < 20 || off + ihl + 4 > len)
		return 2;
	u32 saddr = load_be32(ip + 12), daddr = load_be32(ip + 16);
	u32 l4 = ip[9];
	u32 ports = 0;
	if (l4 == 6 || l4 == 17)
		ports = load_be32(ip + ihl);
	return mix3(saddr ^ l4, daddr, ports + 0xdeadbeef);
}
