/* SPDX-License-Identifier: MIT */
/* XDP section variants: xdp.frags (multi-buffer), plain xdp, and the
 * devmap/cpumap programs, each with its expected attach type. */
#include "corpus.h"

SEC("xdp.frags")
int xdp_frags_len(struct xdp_md *ctx)
{
	__u8 first[4];
	int len = bpf_xdp_get_buff_len(ctx);

	if (len < 4)
		return XDP_DROP;
	if (bpf_xdp_load_bytes(ctx, 0, first, sizeof(first)))
		return XDP_ABORTED;
	return first[0] == 0xff ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_plain(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex == 1 ? XDP_PASS : XDP_TX;
}

SEC("xdp/devmap")
int xdp_on_devmap(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

SEC("xdp/cpumap")
int xdp_on_cpumap(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp.frags/cpumap")
int xdp_frags_on_cpumap(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx) > 1500 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
