/* SPDX-License-Identifier: MIT */
/* No license section at all, and helpers any license may call. */
#include "corpus.h"

SEC("socket")
int no_license(struct __sk_buff *skb)
{
	return skb->len > 64 ? 64 : skb->len;
}

SEC("xdp")
int no_license_xdp(struct xdp_md *ctx)
{
	return bpf_get_prandom_u32() & 1 ? XDP_PASS : XDP_DROP;
}
