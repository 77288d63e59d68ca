/* SPDX-License-Identifier: MIT */
/* The payload scan of xdp_tokens_loop.c as a bounded loop in the
 * program itself (the verifier walks its 64 iterations). */
#include "tokens.h"

SEC("xdp") int xdp_tokens_bounded(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct scan s = { 0, 0 };
	u8 *p = (u8 *)data + PAYLOAD_OFF;
	for (int i = 0; i < SCAN_WORDS; i++, p += 8) {
		if ((void *)(p + 8) > end)
			break;
		u64 w;
		__builtin_memcpy(&w, p, 8);
		scan_word(&s, w);
	}
	set_result(s.spaces << 56 ^ s.hash);
	return s.spaces > 64 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
