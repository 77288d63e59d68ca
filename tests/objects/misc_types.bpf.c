/* SPDX-License-Identifier: MIT */
/* The remaining program types by section name: lwt_in, lwt_out,
 * lwt_xmit, sk_lookup, flow_dissector, cgroup/bind4, cgroup/sendmsg6,
 * cgroup/post_bind4, cgroup/setsockopt, sk_skb, lirc_mode2, and a
 * section libbpf does not know (type left unspecified). */
#include "corpus.h"

SEC("lwt_in")
int lwt_in_prog(struct __sk_buff *skb)
{
	return skb->len > 0 ? BPF_OK : BPF_DROP;
}

SEC("lwt_out")
int lwt_out_prog(struct __sk_buff *skb)
{
	return BPF_OK;
}

SEC("lwt_xmit")
int lwt_xmit_prog(struct __sk_buff *skb)
{
	return skb->mark ? BPF_REDIRECT : BPF_OK;
}

SEC("sk_lookup")
int lookup_pass(struct bpf_sk_lookup *ctx)
{
	return ctx->local_port == 7 ? SK_DROP : SK_PASS;
}

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;

	keys->nhoff = 0;
	return BPF_FLOW_DISSECTOR_CONTINUE;
}

SEC("cgroup/bind4")
int bind4(struct bpf_sock_addr *ctx)
{
	return ctx->user_port != bpf_htons(22);
}

SEC("cgroup/sendmsg6")
int sendmsg6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/post_bind4")
int post_bind4(struct bpf_sock *sk)
{
	return sk->src_port != 23;
}

SEC("cgroup/setsockopt")
int setsockopt_pass(struct bpf_sockopt *ctx)
{
	return 1;
}

SEC("sk_skb")
int skb_plain(struct __sk_buff *skb)
{
	return SK_PASS;
}

SEC("lirc_mode2")
int lirc(unsigned int *sample)
{
	return 0;
}

SEC("uebpf_unknown_section")
int unknown_section(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
