/* SPDX-License-Identifier: MIT */
/* Unsigned arithmetic on 64 and 32 bits, with immediates and registers,
 * shifts, negation, byte swaps and 64-bit constants. */
#include "bpf_test.h"

SEC("tc/alu64") u64 alu64(u64 *v, u64 a, u64 b, s64 c)
{
	v[0] = a + b;
	v[1] = a - b;
	v[2] = a * b;
	v[3] = a / b;
	v[4] = a % b;
	v[5] = a | b;
	v[6] = a & b;
	v[7] = a ^ b;
	v[8] = a << (b & 63);
	v[9] = a >> (b & 63);
	v[10] = c >> (b & 63);
	v[11] = -c;
	v[12] = a + 0x7fffffff;
	v[13] = a - 1000;
	v[14] = a * 17;
	v[15] = a / 10;
	v[16] = a % 7;
	v[17] = a | 0x80;
	v[18] = a & 0xfff0;
	v[19] = a ^ -1;
	v[20] = a << 3;
	v[21] = a >> 60;
	v[22] = c >> 9;
	v[23] = a * 0x123456789abcdefull;
	v[24] = a & 0xffffffff00000000ull;
	return 0x8000000000000000ull | a;
}

SEC("tc/alu32") u32 alu32(u32 *v, u32 a, u32 b, s32 c)
{
	v[0] = a + b;
	v[1] = a - b;
	v[2] = a * b;
	v[3] = a / b;
	v[4] = a % b;
	v[5] = a | b;
	v[6] = a & b;
	v[7] = a ^ b;
	v[8] = a << (b & 31);
	v[9] = a >> (b & 31);
	v[10] = c >> (b & 31);
	v[11] = -c;
	v[12] = a + 0x7fffffff;
	v[13] = a - 1000;
	v[14] = a * 17;
	v[15] = a / 10;
	v[16] = a % 7;
	v[17] = a | 0x80000000;
	v[18] = a & 0xfff0;
	v[19] = ~a;
	v[20] = a << 3;
	v[21] = a >> 30;
	v[22] = c >> 9;
	return a * b + c;
}

/* A remainder alone is a mod instruction (with the quotient too, clang
 * multiplies and subtracts). */
SEC("tc/mod64") u64 mod64(u64 a, u64 b)
{
	return a % b;
}

SEC("tc/mod32") u32 mod32(u32 a, u32 b)
{
	return a % b;
}

/* Byte order: on this little-endian target network order is a swap. */
static inline u16 my_htons(u16 x) { return (u16)((x << 8) | (x >> 8)); }

SEC("tc/swaps") u64 swaps(u64 *v, u64 a)
{
	v[0] = __builtin_bswap16((u16)a);
	v[1] = __builtin_bswap32((u32)a);
	v[2] = __builtin_bswap64(a);
	v[3] = my_htons((u16)(a >> 16));
	return __builtin_bswap64(a ^ v[4]) + __builtin_bswap32((u32)v[5]);
}

SEC("tc/consts") u64 consts(u64 *v)
{
	v[0] = 0x123456789abcdef0ull;
	v[1] = 0xffffffff80000000ull;
	v[2] = 0x7fffffffffffffffull;
	v[3] = 0x100000000ull;
	v[4] = 0xffffffffull;
	v[5] = 0x80000000ull;
	v[6] = (u64)-2;
	return 0xdeadbeefcafef00dull;
}
