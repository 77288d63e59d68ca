/* SPDX-License-Identifier: MIT */
/* Callbacks: functions passed by address (ld_imm64 of a function) to
 * bpf_loop, bpf_for_each_map_elem, bpf_timer_set_callback and
 * bpf_user_ringbuf_drain; callbacks calling subprograms; one callback
 * shared by two programs. */
#include "corpus.h"

struct elem {
	struct bpf_timer timer;
	__u64 fired;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 64);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct elem);
	__uint(max_entries, 1);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} requests SEC(".maps");

struct loop_ctx {
	__u64 sum;
	__u32 limit;
};

static __noinline __u64 weight(__u32 i)
{
	return i * 3 + 1;
}

static int loop_step(__u32 index, struct loop_ctx *c)
{
	if (index >= c->limit)
		return 1;
	c->sum += weight(index);
	return 0;
}

static __u64 sum_values(void *map, __u32 *key, __u64 *val, struct loop_ctx *c)
{
	c->sum += *val;
	return 0;
}

static int timer_fired(void *map, __u32 *key, struct elem *e)
{
	e->fired++;
	return 0;
}

static long handle_request(struct bpf_dynptr *dynptr, struct loop_ctx *c)
{
	__u32 v;

	if (bpf_dynptr_read(&v, sizeof(v), dynptr, 0, 0))
		return 1;
	c->sum += v;
	return 0;
}

SEC("xdp")
int loop_and_iterate(struct xdp_md *ctx)
{
	struct loop_ctx c = { .limit = ctx->rx_queue_index & 31 };

	bpf_loop(32, loop_step, &c, 0);
	bpf_for_each_map_elem(&values, sum_values, &c, 0);
	return c.sum & 1 ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int loop_only(struct __sk_buff *skb)
{
	struct loop_ctx c = { .limit = skb->len & 15 };

	bpf_loop(16, loop_step, &c, 0);
	return c.sum > 100;
}

SEC("tp_btf/sched_switch")
int arm_timer(void *ctx)
{
	__u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 0;
	bpf_timer_init(&e->timer, &timers, 1 /* CLOCK_MONOTONIC */);
	bpf_timer_set_callback(&e->timer, timer_fired);
	bpf_timer_start(&e->timer, 1000000, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int drain_requests(void *ctx)
{
	struct loop_ctx c = {};

	bpf_user_ringbuf_drain(&requests, handle_request, &c, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
