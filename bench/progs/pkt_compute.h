/* SPDX-License-Identifier: MIT */
/*
 * The compute programs of uebpf-bench (arith_loop.c, ...) as XDP programs
 * the kernel accepts. The same C source, inlined, with the length a
 * constant so that every access is provably in bounds, runs on
 *   PKT_COMPUTE: the packet itself, after one bounds check proves that it
 *     holds the 1500 bytes the algorithm reads (direct packet access);
 *   PKT_COMPUTE_COPY: a copy of the packet in a per-CPU array value
 *     (bpf_xdp_load_bytes), for the algorithms whose packet accesses the
 *     kernel's verifier cannot bound (parse_hash's header lengths) or
 *     that it walks only on map values (sieve, state_machine).
 * Its result goes to the result map. A file is two lines:
 *
 *   #include "checksum.c"     (after #include "pkt_compute.h")
 *   PKT_COMPUTE(checksum)
 */
#ifndef BENCH_PKT_COMPUTE_H
#define BENCH_PKT_COMPUTE_H

#include "pkt.h"

#define BENCH_PKT_WRAPPED 1
#include "bench_prog.h"

#define PKT_COMPUTE(name)                                                   \
	SEC("xdp") int xdp_##name(struct xdp_md *ctx)                       \
	{                                                                   \
		const u8 *data = (const u8 *)(long)ctx->data;               \
		if (data + BENCH_INPUT_LEN > (const u8 *)(long)ctx->data_end) \
			return XDP_ABORTED;                                 \
		set_result(bench_##name(data, BENCH_INPUT_LEN));            \
		return XDP_PASS;                                            \
	}                                                                   \
	char _license[] SEC("license") = "GPL";

struct input_copy {
	u8 bytes[BENCH_INPUT_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct input_copy);
} input SEC(".maps");

#define PKT_COMPUTE_COPY(name)                                              \
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
