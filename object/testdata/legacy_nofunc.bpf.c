/* SPDX-License-Identifier: MIT */
/*
 * An object as clang before 6 wrote them: the programs' symbols are
 * global but not STT_FUNC, and have no size. Two programs share section
 * "socket/0", a third has "socket/1".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") hits = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1,
};

asm(".section \"socket/0\",\"ax\",@progbits\n"
    ".globl first\n"
    "first:\n"
    "	r0 = 0\n"
    "	exit\n"
    ".globl second\n"
    "second:\n"
    "	r1 = 0\n"
    "	*(u32 *)(r10 - 4) = r1\n"
    "	r2 = r10\n"
    "	r2 += -4\n"
    "	r1 = hits ll\n"
    "	call 1\n"
    "	r0 = 1\n"
    "	exit\n"
    ".section \"socket/1\",\"ax\",@progbits\n"
    ".globl third\n"
    "third:\n"
    "	r0 = 2\n"
    "	exit\n");

char _license[] SEC("license") = "GPL";
