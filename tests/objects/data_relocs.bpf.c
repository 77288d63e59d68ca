/* SPDX-License-Identifier: MIT */
/* Relocations outside code: pointers stored in .data and .rodata (a
 * table of string pointers), whose .rel.data / .rel.rodata sections
 * libbpf skips; programs only compare the pointers, never follow them. */
#include "corpus.h"

int target_a = 1, target_b = 2;
int *pointers[2] = { &target_a, &target_b };
const char *const names[3] = { "alpha", "beta", "gamma" };

SEC("socket")
int compare_pointers(struct __sk_buff *skb)
{
	return (pointers[0] != pointers[1]) + (names[skb->len & 1] != 0) + target_a;
}

char LICENSE[] SEC("license") = "GPL";
