/* SPDX-License-Identifier: MIT */
/* A branch over some 18000 instructions: with cpu v4 clang's estimate of
 * the distance is conservative and it emits a 32-bit `gotol`; older cpus
 * keep a 16-bit conditional jump. Plus may_goto through inline assembly
 * (asm goto: its label becomes a symbol, which the test strips). */
#include "bpf_test.h"

#define S1(i) v[(i) & 255] = v[((i) * 7) & 255] + (i);
#define S10(i) S1(i##0) S1(i##1) S1(i##2) S1(i##3) S1(i##4) S1(i##5) S1(i##6) S1(i##7) S1(i##8) S1(i##9)
#define S100(i) S10(i##0) S10(i##1) S10(i##2) S10(i##3) S10(i##4) S10(i##5) S10(i##6) S10(i##7) S10(i##8) S10(i##9)
#define S1000(i) S100(i##0) S100(i##1) S100(i##2) S100(i##3) S100(i##4) S100(i##5) S100(i##6) S100(i##7) S100(i##8) S100(i##9)

SEC("tc/longjump") u64 longjump(volatile u64 *v, u64 a)
{
	if (a == 42) {
		S1000(1) S1000(2) S1000(3) S1000(4) S1000(5) S1000(6)
	}
	return v[0];
}

SEC("tc/may_goto") u64 may_goto_loop(u64 *v)
{
	u64 sum = 0;

	for (int i = 0; i < 1000000; i++) {
		asm volatile goto("may_goto %l[out]" :::: out);
		sum += v[i & 7];
	}
out:
	return sum;
}
