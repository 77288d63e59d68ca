/* SPDX-License-Identifier: MIT */
/* A dual license string and a "version" section (kernel version, as old
 * kprobe programs had). */
#include "corpus.h"

SEC("kprobe/vfs_read")
int count_reads(struct pt_regs *ctx)
{
	return 0;
}

char _license[] SEC("license") = "Dual MIT/GPL";
__u32 _version SEC("version") = 0x050a00; /* 5.10.0 */
