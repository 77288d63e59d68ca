/* SPDX-License-Identifier: MIT */
/* USDT probes through libbpf's usdt.bpf.h, as real programs write them:
 * weak maps and weak hidden global subprograms from the header, the
 * LINUX_HAS_BPF_COOKIE .kconfig extern, BPF_USDT argument fetching. */
#include "corpus.h"
#include <bpf/usdt.bpf.h>

__u64 last_args[3];
long calls;

SEC("usdt/libc.so.6:libc:setjmp")
int BPF_USDT(usdt_setjmp, void *env, int savemask, void *addr)
{
	last_args[0] = (__u64)env;
	last_args[1] = savemask;
	last_args[2] = (__u64)addr;
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

SEC("usdt")
int usdt_args(struct pt_regs *ctx)
{
	long val = 0;
	int n = bpf_usdt_arg_cnt(ctx);

	if (n > 0 && bpf_usdt_arg(ctx, 0, &val) == 0)
		last_args[0] = val;
	return bpf_usdt_cookie(ctx) == 7;
}

char LICENSE[] SEC("license") = "GPL";
