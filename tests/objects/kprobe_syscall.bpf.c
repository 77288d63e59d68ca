/* SPDX-License-Identifier: MIT */
/* ksyscall/kretsyscall (syscall arguments read with CO-RE from the
 * kernel's pt_regs), kprobe.multi and kretprobe.multi with patterns. */
#include "corpus.h"
#include <bpf/bpf_core_read.h>

__u64 opens, multi_hits;

SEC("ksyscall/openat")
int BPF_KSYSCALL(sys_openat, int dfd, const char *path, int flags)
{
	opens++;
	return flags & 1;
}

SEC("kretsyscall/openat")
int BPF_KRETPROBE(sys_openat_ret, long ret)
{
	return ret < 0;
}

SEC("kprobe.multi/vfs_*")
int multi_vfs(struct pt_regs *ctx)
{
	multi_hits++;
	return 0;
}

SEC("kretprobe.multi/tcp_v4_*")
int multi_ret(struct pt_regs *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
