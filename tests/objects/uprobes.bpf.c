/* SPDX-License-Identifier: MIT */
/* User-space probes: uprobe and uretprobe with a binary and function,
 * with an offset, a sleepable uprobe, a bare uprobe, and a USDT probe
 * written without usdt.bpf.h. Events go to a ring buffer. */
#include "corpus.h"

struct event {
	__u32 pid;
	__u32 kind;
	__u64 arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __noinline int emit(__u32 kind, __u64 arg)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 1;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->kind = kind;
	e->arg = arg;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("uprobe//bin/bash:readline")
int BPF_KPROBE(uprobe_readline, const char *prompt)
{
	return emit(1, (__u64)prompt);
}

SEC("uretprobe//bin/bash:readline")
int BPF_KRETPROBE(uretprobe_readline, const char *line)
{
	return emit(2, (__u64)line);
}

SEC("uprobe//usr/lib/x86_64-linux-gnu/libc.so.6:malloc+0x4")
int uprobe_malloc_offset(struct pt_regs *ctx)
{
	return emit(3, PT_REGS_PARM1(ctx));
}

SEC("uprobe.s//bin/bash:readline")
int uprobe_sleepable(struct pt_regs *ctx)
{
	char buf[16];

	bpf_copy_from_user(buf, sizeof(buf), (void *)PT_REGS_PARM1(ctx));
	return emit(4, buf[0]);
}

SEC("uprobe")
int uprobe_bare(struct pt_regs *ctx)
{
	return emit(5, PT_REGS_RC(ctx));
}

SEC("usdt/./tests/app:provider:request_start")
int usdt_plain(struct pt_regs *ctx)
{
	return emit(6, PT_REGS_IP(ctx));
}

char LICENSE[] SEC("license") = "GPL";
