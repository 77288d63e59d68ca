/* SPDX-License-Identifier: MIT */
/* Conditional jumps of every kind on 64 and 32 bits (32-bit jumps from
 * cpu v3, jlt/jle/jslt/jsle from cpu v2), loops and a switch. */
#include "bpf_test.h"

#define CMP(i, cond) do { if (cond) acc += (i); else acc ^= (i) << 1; } while (0)

SEC("tc/cmp64") u64 cmp64(volatile u64 *v, u64 a, u64 b, s64 c, s64 d)
{
	u64 acc = 0;

	CMP(1, a == b);
	CMP(2, a != b);
	CMP(3, a > b);
	CMP(4, a >= b);
	CMP(5, a < b);
	CMP(6, a <= b);
	CMP(7, c > d);
	CMP(8, c >= d);
	CMP(9, c < d);
	CMP(10, c <= d);
	CMP(11, a & b);
	v[0] = acc;
	CMP(12, v[1] == 5);
	CMP(13, v[2] != 0x7fffffff);
	CMP(14, v[3] > 100);
	CMP(15, v[4] >= 101);
	CMP(16, v[5] < 102);
	CMP(17, v[6] <= 103);
	CMP(18, (s64)v[7] > -1);
	CMP(19, (s64)v[8] >= -100);
	CMP(20, (s64)v[9] < -0x80000000ll);
	CMP(21, (s64)v[10] <= 7);
	CMP(22, v[11] & 0x40);
	return acc;
}

SEC("tc/cmp32") u32 cmp32(volatile u32 *v, u32 a, u32 b, s32 c, s32 d)
{
	u32 acc = 0;

	CMP(1, a == b);
	CMP(2, a != b);
	CMP(3, a > b);
	CMP(4, a >= b);
	CMP(5, a < b);
	CMP(6, a <= b);
	CMP(7, c > d);
	CMP(8, c >= d);
	CMP(9, c < d);
	CMP(10, c <= d);
	CMP(11, a & b);
	v[0] = acc;
	CMP(12, v[1] == 5);
	CMP(13, v[2] != 0xffffffff);
	CMP(14, v[3] > 100);
	CMP(15, v[4] >= 101);
	CMP(16, v[5] < 102);
	CMP(17, v[6] <= 103);
	CMP(18, (s32)v[7] > -1);
	CMP(19, (s32)v[8] >= -100);
	CMP(20, (s32)v[9] < -0x7fffffff);
	CMP(21, (s32)v[10] <= 7);
	CMP(22, v[11] & 0x40);
	return acc;
}

SEC("tc/loops") u64 loops(u64 *v, u32 n)
{
	u64 sum = 0;

	for (u32 i = 0; i < n && i < 64; i++)
		sum += v[i] * i;
	for (s32 j = 10; j > -10; j -= 3)
		sum ^= (u64)j << 4;
	u64 x = v[0];
	while (x > 1 && sum < 1000000)
		x = (x & 1) ? 3 * x + 1 : x / 2, sum++;
	return sum;
}

SEC("tc/switch") int switcher(u32 *v, u32 k)
{
	switch (k) {
	case 0: return v[1];
	case 1: return v[2] + 1;
	case 2: return v[3] * 3;
	case 3: return v[4] - 4;
	case 7: return v[5] ^ 5;
	case 1000: return 6;
	case 0x12345678: return v[6] << 2;
	default: return -1;
	}
}
