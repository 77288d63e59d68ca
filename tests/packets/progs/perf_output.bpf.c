// SPDX-License-Identifier: MIT
/*
 * bpf_perf_event_output from packet programs, with the packet's first
 * bytes appended (BPF_F_CTXLEN_MASK): a test run has no perf event in
 * the array, so what is compared is the order of the kernel's checks -
 * bad flags, more packet than there is, an index past the array, an
 * empty slot. Each call's answer goes into the return value.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} samples SEC(".maps");

struct sample {
	__u32 len;
	__u32 tag;
};

/* The errno of one call as a small number: 1 EINVAL, 2 EFAULT, 3 E2BIG,
 * 4 ENOENT, 5 success, 6 other. */
static __always_inline __u32 code(long err)
{
	return err == -22 ? 1 : err == -14 ? 2 : err == -7 ? 3 : err == -2 ? 4 : err == 0 ? 5 : 6;
}

static __always_inline __u32 probe(void *ctx, __u32 len)
{
	struct sample s = { .len = len, .tag = 0x5eed };
	__u64 half = (__u64)(len / 2) << 32, all = (__u64)len << 32, past = (__u64)(len + 1) << 32;
	__u32 r = 0;
	r = r * 7 + code(bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU | half, &s, sizeof(s)));
	r = r * 7 + code(bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU | all, &s, sizeof(s)));
	r = r * 7 + code(bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU | past, &s, sizeof(s)));
	r = r * 7 + code(bpf_perf_event_output(ctx, &samples, 5 | half, &s, sizeof(s)));
	r = r * 7 + code(bpf_perf_event_output(ctx, &samples, 1 | past, &s, sizeof(s)));
	r = r * 7 + code(bpf_perf_event_output(ctx, &samples, 1ULL << 60, &s, sizeof(s)));
	r = r * 7 + code(bpf_perf_event_output(ctx, &samples, 0, &s, 0));
	return r;
}

SEC("xdp")
int xdp_perf_sample(struct xdp_md *ctx)
{
	return probe(ctx, ctx->data_end - ctx->data);
}

SEC("tc")
int tc_perf_sample(struct __sk_buff *skb)
{
	return probe(skb, skb->len);
}

SEC("socket")
int sock_perf_sample(struct __sk_buff *skb)
{
	return probe(skb, skb->len);
}
