/* SPDX-License-Identifier: MIT */
/* Tracepoints in every spelling: tracepoint/CAT/NAME, tp/CAT/NAME,
 * raw_tracepoint/NAME, raw_tp/NAME, raw_tp.w/NAME and tp_btf/NAME, with
 * the tracepoint record layouts declared by hand as the tracefs format
 * files give them. */
#include "corpus.h"

/* /sys/kernel/tracing/events/syscalls/sys_enter_openat/format */
struct sys_enter_openat_args {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 dfd;
	__u64 filename;
	__u64 flags;
	__u64 mode;
};

/* /sys/kernel/tracing/events/sched/sched_switch/format */
struct sched_switch_args {
	__u64 common;
	char prev_comm[16];
	__s32 prev_pid;
	__s32 prev_prio;
	__s64 prev_state;
	char next_comm[16];
	__s32 next_pid;
	__s32 next_prio;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} hits SEC(".maps");

static __always_inline void hit(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &i);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(struct sys_enter_openat_args *args)
{
	char name[32];

	hit(0);
	bpf_probe_read_user_str(name, sizeof(name), (void *)args->filename);
	return name[0] == '/';
}

SEC("tp/sched/sched_switch")
int tp_sched_switch(struct sched_switch_args *args)
{
	hit(args->next_pid == 0 ? 1 : 2);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	hit(ctx->args[1] == 257 ? 3 : 4);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int raw_tp_exit(struct bpf_raw_tracepoint_args *ctx)
{
	hit(5);
	return 0;
}

SEC("raw_tp.w/bpf_test_finish")
int raw_tp_writable(struct bpf_raw_tracepoint_args *ctx)
{
	hit(6);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(tp_btf_wakeup, void *task)
{
	hit(7);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
