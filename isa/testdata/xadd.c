/* SPDX-License-Identifier: MIT */
/* Atomic add whose result is unused: every cpu has it (`lock ... +=`). */
#include "bpf_test.h"

SEC("tc/xadd") u64 xadd(u64 *p, u32 *q, u64 a)
{
	__sync_fetch_and_add(p, a);
	__sync_fetch_and_add(p + 1, 1);
	__sync_fetch_and_add(q, (u32)a);
	__sync_fetch_and_add(q - 3, 1);
	return a;
}
