/* SPDX-License-Identifier: MIT */
/* Event output as tracing tools do it: ring buffer reserve/submit/
 * discard and output, a perf event array with a struct record, a
 * configuration in .rodata and a drop counter in .bss. */
#include "corpus.h"

struct exec_event {
	__u32 pid;
	__u32 uid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pb SEC(".maps");

const volatile __u32 target_uid = 0;
const volatile bool use_perf = false;
__u64 dropped;

SEC("tp/sched/sched_process_exec")
int on_exec(void *ctx)
{
	struct exec_event *e, tmp = {};

	tmp.pid = bpf_get_current_pid_tgid() >> 32;
	tmp.uid = (__u32)bpf_get_current_uid_gid();
	if (target_uid && tmp.uid != target_uid)
		return 0;
	bpf_get_current_comm(tmp.comm, sizeof(tmp.comm));
	if (use_perf) {
		bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &tmp, sizeof(tmp));
		return 0;
	}
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		dropped++;
		return 0;
	}
	*e = tmp;
	if (e->comm[0] == 0)
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int on_exit(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (bpf_ringbuf_output(&rb, &pid, sizeof(pid), 0))
		dropped++;
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > 4096;
}

char LICENSE[] SEC("license") = "GPL";
