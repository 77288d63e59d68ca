/* SPDX-License-Identifier: MIT */
/* SEC("?...") programs are not loaded unless asked for (autoload off),
 * next to normal ones of the same types. */
#include "corpus.h"

int mode;

SEC("?xdp")
int xdp_optional(struct xdp_md *ctx)
{
	return mode ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_always(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("?tc")
int tc_optional(struct __sk_buff *skb)
{
	return mode;
}

SEC("?kprobe/do_nanosleep")
int kprobe_optional(struct pt_regs *ctx)
{
	mode++;
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_write")
int tp_optional(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
