/* SPDX-License-Identifier: MIT */
/* Strings: bpf_printk format strings (static const arrays in .rodata),
 * string literals passed to helpers (mergeable .rodata.str1.1), the same
 * literal twice (merged), strings at odd offsets; also built without -g. */
#include "corpus.h"

SEC("tracepoint/syscalls/sys_enter_execve")
int print_things(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	char comm[16];
	long r;

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("exec by %s (pid %d)", comm, pid);
	bpf_printk("no arguments at all");
	bpf_printk("four %d %d %d %d", 1, 2, 3, pid);
	r = bpf_strncmp(comm, 5, "bash");
	if (r == 0)
		bpf_trace_printk("bash!\n", sizeof("bash!\n"));
	r = bpf_strncmp(comm, 4, "sh");
	if (r == 0)
		bpf_trace_printk("bash!\n", sizeof("bash!\n"));
	return bpf_strncmp(comm, 3, "zsh") == 0;
}

char LICENSE[] SEC("license") = "GPL";
