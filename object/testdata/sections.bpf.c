/* SPDX-License-Identifier: MIT */
/* Section kinds and map forms, several programs per section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef struct {
	__u32 addr[4];
	__u16 port;
} flow_key_t;

union value {
	__u64 packets;
	char bytes[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, flow_key_t);
	__type(value, union value);
	__uint(max_entries, 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, int);
	__type(value, __u64[3]);
	__uint(max_entries, 2);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 16);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__type(key, __u32);
		__type(value, __u32);
		__uint(max_entries, 32);
	});
} by_id SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 10);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(key_size, 8);
	__uint(value_size, 4);
	__uint(max_entries, 100);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} trie SEC(".maps");

__hidden __noinline int helper_hidden(int x)
{
	return x + 1;
}

SEC("xdp.frags")
int frags(struct xdp_md *ctx)
{
	return helper_hidden(XDP_PASS);
}

SEC("?xdp")
int off_by_default(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("socket")
int sock_a(struct __sk_buff *skb)
{
	return 0;
}

SEC("socket")
int sock_b(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("classifier")
int cls(struct __sk_buff *skb)
{
	__u32 v = skb->len;

	bpf_map_push_elem(&queue, &v, 0);
	return 0;
}

SEC("tcx/ingress")
int newer_tc(struct __sk_buff *skb)
{
	return 0;
}

SEC("kretprobe/do_sys_openat2")
int kret(void *ctx)
{
	return 0;
}

SEC("uprobe//bin/bash:readline")
int up(void *ctx)
{
	return 0;
}

SEC("uretprobe.s//bin/bash:readline")
int up_sleepable(void *ctx)
{
	return 0;
}

SEC("usdt/libc.so.6:libc:setjmp")
int usdt_probe(void *ctx)
{
	return 0;
}

SEC("tp/sched/sched_switch")
int tp_short(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/sched_wakeup")
int raw_tp(void *ctx)
{
	return 0;
}

SEC("perf_event")
int perf(void *ctx)
{
	return 0;
}

SEC("lsm/file_open")
int lsm_open(void *ctx)
{
	return 0;
}

SEC("cgroup_skb/ingress")
int cg_in(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/egress")
int cg_out(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("sk_skb/stream_verdict")
int verdict(struct __sk_buff *skb)
{
	return SK_PASS;
}

SEC("sk_msg")
int msg(struct sk_msg_md *ctx)
{
	return SK_PASS;
}

SEC("fentry/tcp_connect")
int fentry_connect(void *ctx)
{
	return 0;
}

SEC("not_a_known_section")
int unknown(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
