/* SPDX-License-Identifier: MIT */
/*
 * Shared by the benchmark programs. Each program is plain C with one entry
 * point, BENCH_ENTRY(mem, len), that takes its input the way the
 * conformance suite does (r1 = memory, r2 = length) and returns a number
 * that depends on all of its work. The same source is compiled twice:
 * with clang -target bpf (the program uebpf runs) and natively into the
 * harness (the reference result, and the native speed for scale).
 */
#ifndef BENCH_PROG_H
#define BENCH_PROG_H

#if defined(BENCH_PKT_WRAPPED)
/* the packet program's header has defined the types */
#elif defined(__bpf__)
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
#else
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#if defined(BENCH_PKT_WRAPPED)
/* Included by a packet program (pkt_compute.h) that calls the entry on a
 * copy of the packet: an inline function of the caller. */
#define BENCH_ENTRY(name) \
	static inline __attribute__((always_inline)) u64 name(const u8 *mem, u64 len)
#elif defined(__bpf__)
#define BENCH_ENTRY(name) \
	__attribute__((section(".text"), used)) u64 name(const u8 *mem, u64 len)
#else
#define BENCH_ENTRY(name) u64 name(const u8 *mem, u64 len)
#endif

#define INLINE static inline __attribute__((always_inline))

/* The input every program gets: a 1500-byte Ethernet/IPv4/TCP frame. */
#define BENCH_INPUT_LEN 1500

#endif
