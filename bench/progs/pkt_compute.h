/* SPDX-License-Identifier: MIT */
/*
 * The compute programs of uebpf-bench (arith_loop.c, ...) as XDP programs
 * the kernel accepts: the packet's first 1500 bytes are copied with
 * bpf_xdp_load_bytes into a per-CPU array value, the algorithm runs on
 * that copy (the same C source, inlined, with the length a constant so
 * that every access is provably in bounds), and its result goes to the
 * result map. A file is two lines:
 *
 *   #include "pkt_compute.h"
 *   PKT_COMPUTE(checksum)     (after #include "checksum.c")
 */
#ifndef BENCH_PKT_COMPUTE_H
#define BENCH_PKT_COMPUTE_H

#include "pkt.h"

#define BENCH_PKT_WRAPPED 1
#include "bench_prog.h"

struct input_copy {
	u8 bytes[BENCH_INPUT_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct input_copy);
} input SEC(".maps");

#define PKT_COMPUTE(name)                                                   \
	SEC("xdp") int xdp_##name(struct xdp_md *ctx)                       \
	{                                                                   \
		u32 k = 0;                                                  \
		struct input_copy *in = bpf_map_lookup_elem(&input, &k);    \
		if (!in)                                                    \
			return XDP_ABORTED;                                 \
		if (bpf_xdp_load_bytes(ctx, 0, in->bytes, BENCH_INPUT_LEN)) \
			return XDP_ABORTED;                                 \
		set_result(bench_##name(in->bytes, BENCH_INPUT_LEN));       \
		return XDP_PASS;                                            \
	}                                                                   \
	char _license[] SEC("license") = "GPL";

#endif
