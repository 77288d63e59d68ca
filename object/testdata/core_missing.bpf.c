/* SPDX-License-Identifier: MIT */
/* CO-RE relocations that uebpf's types cannot satisfy: kernel-internal
 * types, missing fields, indices beyond an array, missing enum values, a
 * signed field of another width. Existence checks answer 0; accesses are
 * poisoned (as libbpf does) and reported. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __core __attribute__((preserve_access_index))

struct task_struct {
	int pid;
	int tgid;
} __core;

struct pt_regs___extra {
	unsigned long di;
	unsigned long nosuch;
} __core;

struct trace_event_raw_sys_enter___long {
	long id;
	unsigned long args[8];
} __core;

/* pid as a signed 64-bit int: the 32-bit load cannot be widened. */
struct trace_entry___signed {
	long pid;
} __core;

struct trace_event_raw_sys_exit___s {
	struct trace_entry___signed ent;
} __core;

enum xdp_action___new {
	XDP_PASS___new = 2,
	XDP_FUTURE___new = 9,
};

SEC("kprobe/task")
int task(struct task_struct *t)
{
	int r = 0;

	if (bpf_core_type_exists(struct task_struct))
		r += BPF_CORE_READ(t, pid);
	r += bpf_core_type_size(struct task_struct) << 4;
	r += bpf_core_type_id_kernel(struct task_struct) << 8;
	r += bpf_core_field_exists(t->tgid) << 12;
	return r;
}

SEC("kprobe/unguarded")
int unguarded(struct task_struct *t)
{
	return t->tgid;
}

SEC("kprobe/fields")
int fields(struct pt_regs___extra *regs)
{
	unsigned long r = regs->di;

	r += bpf_core_field_exists(regs->nosuch) << 4;
	r += regs->nosuch;
	return (int)r;
}

SEC("tp/raw_syscalls/sys_enter")
int beyond(struct trace_event_raw_sys_enter___long *ctx)
{
	return (int)(ctx->args[5] + ctx->args[7] + bpf_core_field_exists(ctx->args[6]));
}

SEC("tp/raw_syscalls/sys_exit")
int widths(struct trace_event_raw_sys_exit___s *ctx)
{
	return (int)ctx->ent.pid;
}

SEC("kprobe/enums")
int enums(void *ctx)
{
	long r = bpf_core_enum_value(enum xdp_action___new, XDP_PASS___new);

	r += bpf_core_enum_value_exists(enum xdp_action___new, XDP_FUTURE___new) << 4;
	r += bpf_core_enum_value(enum xdp_action___new, XDP_FUTURE___new) << 8;
	return (int)r;
}

char LICENSE[] SEC("license") = "GPL";
