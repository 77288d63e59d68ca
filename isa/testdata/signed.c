/* SPDX-License-Identifier: MIT */
/* Signed division and modulo (cpu v4: sdiv/smod; older cpus reject
 * them). */
// uebpf-test: min-cpu=v4
#include "bpf_test.h"

SEC("tc/sdiv64") s64 sdiv64(s64 *v, s64 a, s64 b)
{
	v[0] = a / b;
	v[1] = a % b;
	v[2] = a / 7;
	v[3] = a % -7;
	v[4] = a / -0x80000000ll;
	return a / 3 + b % 5;
}

SEC("tc/sdiv32") s32 sdiv32(s32 *v, s32 a, s32 b)
{
	v[0] = a / b;
	v[1] = a % b;
	v[2] = a / 7;
	v[3] = a % -7;
	v[4] = a / 0x7fffffff;
	return a / 3 + b % 5;
}

SEC("tc/smod64") s64 smod64(s64 a, s64 b)
{
	return a % b;
}

SEC("tc/smod32") s32 smod32(s32 a, s32 b)
{
	return a % b;
}
