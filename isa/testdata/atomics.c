/* SPDX-License-Identifier: MIT */
/* Atomic read-modify-write on 32 and 64 bits: add/or/and/xor with and
 * without fetch, exchange and compare-and-exchange (cpu v3). */
// uebpf-test: min-cpu=v3
#include "bpf_test.h"

SEC("tc/atomic64") u64 atomic64(u64 *p, u64 a, u64 b)
{
	u64 r = 0;

	__sync_fetch_and_add(p, a);
	__sync_fetch_and_or(p + 1, a);
	__sync_fetch_and_and(p + 2, a);
	__sync_fetch_and_xor(p + 3, a);
	r += __sync_fetch_and_add(p + 4, b);
	r += __sync_fetch_and_or(p + 5, b);
	r += __sync_fetch_and_and(p + 6, b);
	r += __sync_fetch_and_xor(p + 7, b);
	r += __sync_val_compare_and_swap(p + 8, a, b);
	r += __atomic_exchange_n(p + 9, a, __ATOMIC_SEQ_CST);
	__sync_fetch_and_add(p - 4096, 1);
	return r;
}

SEC("tc/atomic32") u32 atomic32(u32 *p, u32 a, u32 b)
{
	u32 r = 0;

	__sync_fetch_and_add(p, a);
	__sync_fetch_and_or(p + 1, a);
	__sync_fetch_and_and(p + 2, a);
	__sync_fetch_and_xor(p + 3, a);
	r += __sync_fetch_and_add(p + 4, b);
	r += __sync_fetch_and_or(p + 5, b);
	r += __sync_fetch_and_and(p + 6, b);
	r += __sync_fetch_and_xor(p + 7, b);
	r += __sync_val_compare_and_swap(p + 8, a, b);
	r += __atomic_exchange_n(p + 9, a, __ATOMIC_SEQ_CST);
	__sync_fetch_and_add(p + 8000, 1);
	return r;
}
