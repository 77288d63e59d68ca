/* SPDX-License-Identifier: MIT */
/* bpf_loop over the payload: 64 iterations of a callback that scans one
 * 8-byte word of the TCP payload (tokens.h), read through direct packet
 * access with a bounds check per word. */
#include "tokens.h"

struct loop_ctx {
	void *data, *end;
	struct scan scan;
};

static long scan_cb(u64 i, struct loop_ctx *c)
{
	u8 *p = (u8 *)c->data + PAYLOAD_OFF + (i & (SCAN_WORDS - 1)) * 8;
	if ((void *)(p + 8) > c->end)
		return 1;
	u64 w;
	__builtin_memcpy(&w, p, 8);
	scan_word(&c->scan, w);
	return 0;
}

SEC("xdp") int xdp_tokens_loop(struct xdp_md *ctx)
{
	struct loop_ctx c = {
		.data = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end,
	};
	bpf_loop(SCAN_WORDS, scan_cb, &c, 0);
	set_result(c.scan.spaces << 56 ^ c.scan.hash);
	return c.scan.spaces > 64 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
