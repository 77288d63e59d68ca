/* SPDX-License-Identifier: MIT */
/* perf_event programs: sample periods, stack ids in a stack trace map,
 * records out through a perf event array (key and value sizes given by
 * size), counters read with bpf_perf_event_read_value. */
#include "corpus.h"
#include <linux/bpf_perf_event.h>

#define MAX_STACK_DEPTH 127

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
	__uint(max_entries, 1024);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 64);
} counters SEC(".maps");

struct sample {
	__u64 period;
	__s32 user_stack;
	__s32 kernel_stack;
	__u64 counter;
};

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
	struct bpf_perf_event_value v = {};
	struct sample s = {
		.period = ctx->sample_period,
		.user_stack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK),
		.kernel_stack = bpf_get_stackid(ctx, &stacks, 0),
	};

	if (!bpf_perf_event_read_value(&counters, BPF_F_CURRENT_CPU, &v, sizeof(v)))
		s.counter = v.counter;
	bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &s, sizeof(s));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
