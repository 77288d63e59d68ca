/* SPDX-License-Identifier: MIT */
/* Instructions of -mcpu=v4: sign-extending loads and moves, signed
 * division and modulo, byte swaps, 32-bit jump offsets (gotol) across a
 * long unrolled body. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __s64[8]);
	__uint(max_entries, 1);
} vals SEC(".maps");

__s8 s8v = -5;
__s16 s16v = -300;
__s32 s32v = -70000;

SEC("tc")
int v4_ops(struct __sk_buff *skb)
{
	__u32 k = 0;
	__s64 *v = bpf_map_lookup_elem(&vals, &k);
	__s64 x = skb->len, acc = 0;

	if (!v)
		return 0;
	v[0] = s8v;              /* ldsx b */
	v[1] = s16v;             /* ldsx h */
	v[2] = s32v;             /* ldsx w */
	v[3] = (__s8)x;          /* movsx */
	v[4] = x / (v[2] | 1);   /* sdiv */
	v[5] = x % (v[1] | 1);   /* smod */
	v[6] = __builtin_bswap64(x);
	v[7] = __builtin_bswap32((__u32)x) + __builtin_bswap16((__u16)x);
	if (x > 1000) {
#pragma clang loop unroll(full)
		for (int i = 0; i < 3000; i++)
			acc = acc * 31 + (x ^ i);
		v[0] = acc;
	}
	return (int)v[4];
}

char LICENSE[] SEC("license") = "GPL";
