/* SPDX-License-Identifier: MIT */
/* Atomic operations (-mcpu=v3 and v4): add, and, or, xor with and
 * without fetch, exchange and compare-exchange, 32 and 64 bits, on map
 * values and on global variables. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} cells SEC(".maps");

__u64 g64 = 100;
__u32 g32 = 7;
__u64 old_values[8];

SEC("tc")
int atomics(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&cells, &k);

	if (!c)
		return 0;
	__sync_fetch_and_add(c, 1);
	old_values[0] = __sync_fetch_and_add(&g64, skb->len);
	old_values[1] = __sync_fetch_and_or(&g64, 0x100);
	old_values[2] = __sync_fetch_and_and(&g32, 0xff);
	old_values[3] = __sync_fetch_and_xor(&g32, 0x5);
	old_values[4] = __sync_lock_test_and_set(c, 9);
	old_values[5] = __sync_val_compare_and_swap(&g64, 100, 200);
	old_values[6] = __sync_val_compare_and_swap(&g32, 7, 8);
	__sync_fetch_and_or(&g32, 1);
	__sync_fetch_and_and(&g64, ~1ULL);
	__sync_fetch_and_xor(&g64, 3);
	return (int)old_values[4];
}

char LICENSE[] SEC("license") = "GPL";
