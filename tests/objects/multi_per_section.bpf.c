/* SPDX-License-Identifier: MIT */
/* Several programs per section: four in "xdp", three in "tc", two in
 * "kprobe/do_nanosleep", interleaved in the source; names longer than
 * the kernel's 15 characters; programs of a section share a subprogram. */
#include "corpus.h"

__u64 seen[4];

static __noinline int note(int i)
{
	seen[i & 3]++;
	return i;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	return note(0) + XDP_PASS;
}

SEC("tc")
int tc_first(struct __sk_buff *skb)
{
	return note(1);
}

SEC("xdp")
int xdp_second_with_a_much_longer_name(struct xdp_md *ctx)
{
	return ctx->rx_queue_index ? XDP_DROP : XDP_PASS;
}

SEC("kprobe/do_nanosleep")
int kp_one(struct pt_regs *ctx)
{
	return note(2);
}

SEC("xdp")
int xdp_third(struct xdp_md *ctx)
{
	if (ctx->ingress_ifindex == 3)
		return note(3);
	return XDP_PASS;
}

SEC("tc")
int tc_second(struct __sk_buff *skb)
{
	return skb->len > 100;
}

SEC("kprobe/do_nanosleep")
int kp_two(struct pt_regs *ctx)
{
	return 0;
}

SEC("tc")
int tc_third_program_of_the_section(struct __sk_buff *skb)
{
	return note(skb->mark);
}

SEC("xdp")
int xdp_fourth(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
