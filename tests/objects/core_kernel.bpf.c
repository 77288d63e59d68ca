/* SPDX-License-Identifier: MIT */
/* CO-RE against kernel-internal types (task_struct, pt_regs as in
 * vmlinux.h): libbpf resolves them from the running kernel's BTF; uebpf
 * has no such types and must refuse the load with a clear message naming
 * the type. Opening works in both. */
#include "corpus.h"
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct pt_regs___kern {
	unsigned long di;
	unsigned long si;
	unsigned long ip;
} __attribute__((preserve_access_index));

struct event {
	int pid;
	int ppid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} events SEC(".maps");

SEC("kprobe/do_exit")
int task_exit(struct pt_regs *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct event e = {};

	e.pid = BPF_CORE_READ(t, tgid);
	e.ppid = BPF_CORE_READ(t, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&e.comm, t, comm);
	if (bpf_core_field_exists(t->pid))
		bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

SEC("kprobe/do_sys_openat2")
int regs_core(struct pt_regs *ctx)
{
	struct pt_regs___kern *regs = (void *)ctx;
	unsigned long first;

	bpf_probe_read_kernel(&first, sizeof(first), &regs->di);
	return first == BPF_CORE_READ(regs, si);
}

char LICENSE[] SEC("license") = "GPL";
