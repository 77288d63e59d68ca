/* SPDX-License-Identifier: MIT */
/* Refused: a static function in a program section. libbpf 1.x refuses
 * it ("program is static and not supported"); so must uebpf. */
#include "corpus.h"

SEC("xdp")
static int static_entry(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int public_entry(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
