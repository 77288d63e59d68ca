/* SPDX-License-Identifier: MIT */
/* bpf_loop over the payload: 64 iterations of a callback that scans one
 * 8-byte word of the TCP payload (tokens.h), read through direct packet
 * access with a bounds check per word. */
#include "tokens.h"

struct loop_ctx {
	void *data, *end;
	struct scan *scan; /* in a map value: the verifier need not track it */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scan);
} scan_state SEC(".maps");

static long scan_cb(u64 i, struct loop_ctx *c)
{
	u8 *p = (u8 *)c->data + PAYLOAD_OFF + (i & (SCAN_WORDS - 1)) * 8;
	if ((void *)(p + 8) > c->end)
		return 1;
	u64 w;
	__builtin_memcpy(&w, p, 8);
	scan_word(c->scan, w);
	return 0;
}

SEC("xdp") int xdp_tokens_loop(struct xdp_md *ctx)
{
	u32 k = 0;
	struct scan *s = bpf_map_lookup_elem(&scan_state, &k);
	if (!s)
		return XDP_ABORTED;
	s->spaces = 0;
	s->hash = 0;
	struct loop_ctx c = {
		.data = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end, .scan = s,
	};
	bpf_loop(SCAN_WORDS, scan_cb, &c, 0);
	set_result(s->spaces << 56 ^ s->hash);
	return s->spaces > 64 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
