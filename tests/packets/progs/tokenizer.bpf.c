// SPDX-License-Identifier: MIT
/*
 * A branchy state machine over 16 bytes of the packet: the loop's state
 * variable takes six values and most of its transitions depend on the
 * byte, so the verifier must keep the paths of different states apart
 * (a state pruned against one with another state value loses a path: a
 * tokenizer like this one once ran forever in code the verifier had
 * taken for dead). The counts go to a map (they stay out of the verdict:
 * a branch on them would make every count precise, and no verifier could
 * then prune the loop); the verdict depends on the gap count read back
 * from the map.
 */
#include "common.h"

#define SCAN_LEN 16

enum { START, WORD, NUMBER, ESC0, ESC1, GAP };

struct scan {
	__u8 bytes[SCAN_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scan);
} scan_buf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} token_counts SEC(".maps");

static __always_inline void add(__u32 k, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&token_counts, &k);
	if (v)
		*v += n;
}

/* Words, numbers, escapes (a backslash and two hex digits), gaps. */
static __always_inline void tokenize(const __u8 *p)
{
	__u32 state = START, words = 0, numbers = 0, escapes = 0, gaps = 0;
	for (int i = 0; i < SCAN_LEN; i++) {
		__u8 c = p[i], lower = c | 0x20;
		int alpha = lower >= 'a' && lower <= 'z';
		int digit = c >= '0' && c <= '9';
		int hex = digit || (lower >= 'a' && lower <= 'f');
		switch (state) {
		case START:
		case GAP:
			if (c == '\\')
				state = ESC0;
			else if (alpha)
				state = WORD, words++;
			else if (digit)
				state = NUMBER, numbers++;
			else
				state = GAP, gaps++;
			break;
		case WORD:
			if (!alpha && !digit)
				state = GAP;
			break;
		case NUMBER:
			if (alpha)
				state = WORD, words++;
			else if (!digit)
				state = GAP;
			break;
		case ESC0:
			state = hex ? ESC1 : GAP;
			break;
		case ESC1:
			if (hex)
				escapes++;
			state = START;
			break;
		}
	}
	add(0, words);
	add(1, numbers);
	add(2, escapes);
	add(3, gaps);
}

/* The number of gaps seen so far, from the map. */
static __always_inline __u64 gaps_seen(void)
{
	__u32 k = 3;
	__u64 *v = bpf_map_lookup_elem(&token_counts, &k);
	return v ? *v : 0;
}

SEC("xdp")
int xdp_tokenize(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct scan *s = bpf_map_lookup_elem(&scan_buf, &k);
	if (!s || bpf_xdp_load_bytes(ctx, 0, s->bytes, SCAN_LEN))
		return XDP_PASS;
	tokenize(s->bytes);
	return gaps_seen() & 1 ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int tc_tokenize(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct scan *s = bpf_map_lookup_elem(&scan_buf, &k);
	if (!s || bpf_skb_load_bytes(skb, 0, s->bytes, SCAN_LEN))
		return TC_ACT_OK;
	tokenize(s->bytes);
	skb->mark = (__u32)gaps_seen();
	return skb->mark & 1 ? TC_ACT_SHOT : TC_ACT_OK;
}
