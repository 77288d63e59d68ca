/* SPDX-License-Identifier: MIT */
/* cgroup programs: cgroup_skb/ingress and egress, cgroup/connect4 (a
 * rewrite of the destination), cgroup/sock_create, cgroup/sysctl,
 * cgroup/getsockopt, cgroup/dev, sockops; a cgroup storage map keyed by
 * struct bpf_cgroup_storage_key. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} bytes_per_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} redirect_ip SEC(".maps");

SEC("cgroup_skb/ingress")
int count_ingress(struct __sk_buff *skb)
{
	__u64 *bytes = bpf_get_local_storage(&bytes_per_cgroup, 0);

	__sync_fetch_and_add(bytes, skb->len);
	return 1;
}

SEC("cgroup_skb/egress")
int drop_big_egress(struct __sk_buff *skb)
{
	return skb->len <= 9000;
}

SEC("cgroup/connect4")
int redirect_connect4(struct bpf_sock_addr *ctx)
{
	__u32 zero = 0, *ip;

	if (ctx->user_port != bpf_htons(53))
		return 1;
	ip = bpf_map_lookup_elem(&redirect_ip, &zero);
	if (ip && *ip)
		ctx->user_ip4 = *ip;
	return 1;
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	return sk->type != 3; /* SOCK_RAW */
}

SEC("cgroup/sysctl")
int sysctl_ro(struct bpf_sysctl *ctx)
{
	return !ctx->write;
}

SEC("cgroup/getsockopt")
int getsockopt_pass(struct bpf_sockopt *ctx)
{
	return 1;
}

SEC("cgroup/dev")
int dev_allow(struct bpf_cgroup_dev_ctx *ctx)
{
	return ctx->major != 8;
}

SEC("sockops")
int sockops_rtt(struct bpf_sock_ops *skops)
{
	if (skops->op == BPF_SOCK_OPS_TCP_CONNECT_CB)
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
