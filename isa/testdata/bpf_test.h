/* SPDX-License-Identifier: MIT */
/* Shared definitions for the BPF C programs that disasm_llvm_test.sh
 * compiles with clang and disassembles with llvm-objdump and uebpf. */
#ifndef UEBPF_TESTDATA_BPF_TEST_H
#define UEBPF_TESTDATA_BPF_TEST_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

/* One function per section, so that llvm-objdump's `<func+0x..>` jump
 * annotations are relative to the start of the section. */
#define SEC(name) __attribute__((section(name), used))
#define NOINLINE __attribute__((noinline))

/* Helpers are called by number. */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key,
				   const void *value, u64 flags) = (void *)2;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, u32 fmt_size, ...) = (void *)6;
static u32 (*bpf_get_prandom_u32)(void) = (void *)7;
static long (*bpf_tail_call)(void *ctx, void *map, u32 index) = (void *)12;
static long (*bpf_loop)(u32 nr, void *fn, void *ctx, u64 flags) = (void *)181;

#endif
