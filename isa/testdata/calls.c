/* SPDX-License-Identifier: MIT */
/* Helper calls, kfunc calls, calls through a register, bpf-to-bpf calls
 * to static subprograms (which share .text), references to global data
 * (64-bit immediates with relocations) and the legacy packet loads. */
#include "bpf_test.h"

u64 counter;
u32 table[16];
static const char fmt[] = "value %llu\n";

/* The packet loads (BPF_LD | BPF_ABS / BPF_IND) through LLVM's builtins. */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

/* Kernel functions: clang leaves the call for the loader to resolve. */
extern void bpf_rcu_read_lock(void) __attribute__((section(".ksyms")));
extern void bpf_rcu_read_unlock(void) __attribute__((section(".ksyms")));

static NOINLINE u64 mix(u64 a, u64 b, u64 c, u64 d, u64 e)
{
	return (a ^ (b << 7)) + c * d - e;
}

static NOINLINE u32 fold(u32 *t, u32 n)
{
	u32 h = 0x811c9dc5;
	for (u32 i = 0; i < n && i < 16; i++)
		h = (h ^ t[i]) * 0x01000193;
	return h;
}

static NOINLINE int visit(u32 idx, void *ctx)
{
	*(u64 *)ctx += mix(idx, idx, 3, 4, 5);
	return idx > 10;
}

SEC("tc/helpers") long helpers(void *ctx)
{
	u32 key = bpf_get_prandom_u32();
	u64 now = bpf_ktime_get_ns();
	u64 *val = bpf_map_lookup_elem(&counter, &key);

	if (!val)
		return bpf_map_update_elem(&counter, &key, &now, 0);
	bpf_trace_printk(fmt, sizeof(fmt), *val);
	bpf_rcu_read_lock();
	bpf_tail_call(ctx, &table, 3);
	bpf_rcu_read_unlock();
	return bpf_loop(16, visit, &now, 0);
}

SEC("tc/bpf2bpf") u64 bpf2bpf(u64 *v)
{
	u64 r = mix(v[0], v[1], v[2], v[3], v[4]);
	r += fold(table, (u32)v[5]);
	counter += r;
	return r + mix(r, 1, 2, 3, v[6]);
}

SEC("tc/callx") long callx(long (*fn)(u64), u64 a)
{
	return fn(a) + 1;
}

SEC("socket/ldabs") u64 ldabs(void *skb)
{
	u64 proto = load_half(skb, 12);
	u64 ihl = load_byte(skb, 14) & 0xf;
	u64 first = load_word(skb, ihl * 4 + 14);
	u64 port = load_half(skb, ihl * 4 + 16);
	return proto + load_byte(skb, ihl) + first + port + load_word(skb, 26);
}
