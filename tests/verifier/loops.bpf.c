/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: loops. A back-edge is followed iteration by iteration
 * until the loop exits, so a loop must terminate on every path the
 * verifier can see: a bound it cannot prove either repeats an earlier
 * state ("infinite loop detected") or runs into the one-million-
 * instruction budget. may_goto and bpf_loop are the ways out for long
 * loops; state pruning keeps programs with many branches linear.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

#ifndef __used
#define __used __attribute__((used))
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long long[6]);
	__uint(max_entries, 1);
} map_array_48b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, int[16]);
	__uint(max_entries, 1);
} map_array_16i SEC(".maps");

/* r6 = a pointer to map_array_48b's value, or exit. */
#define VALUE48_IN_R6                                                          \
	"r1 = 0;"                                                              \
	"*(u32 *)(r10 - 4) = r1;"                                              \
	"r2 = r10;"                                                            \
	"r2 += -4;"                                                            \
	"r1 = %[map_array_48b] ll;"                                            \
	"call %[bpf_map_lookup_elem];"                                         \
	"if r0 != 0 goto l9_%=;"                                               \
	"exit;"                                                                \
	"l9_%=:"                                                               \
	"r6 = r0;"

/* --- bounded loops --- */

SEC("socket")
__description("loop: counts up to 16")
__success
__naked void loop_up_16(void)
{
	asm volatile ("r0 = 0;"
	"r1 = 0;"
	"l0_%=:"
	"r0 += r1;"
	"r1 += 1;"
	"if r1 < 16 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: counts down from 16 with a signed compare")
__success
__naked void loop_down_signed(void)
{
	asm volatile ("r0 = 0;"
	"r1 = 16;"
	"l0_%=:"
	"r0 += r1;"
	"r1 += -1;"
	"if r1 s> 0 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: 32-bit counter")
__success
__naked void loop_w_counter(void)
{
	asm volatile ("w0 = 0;"
	"w1 = 0;"
	"l0_%=:"
	"w0 += w1;"
	"w1 += 1;"
	"if w1 < 16 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: bound is an unknown value masked to 15")
__success
__naked void loop_masked_bound(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"r2 = r0;"
	"r2 &= 15;"
	"r0 = 0;"
	"r1 = 0;"
	"l0_%=:"
	"if r1 >= r2 goto l1_%=;"
	"r0 += r1;"
	"r1 += 1;"
	"goto l0_%=;"
	"l1_%=:"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("loop: counter spilled to the stack each iteration")
__success
__naked void loop_spilled_counter(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"l0_%=:"
	"r1 = *(u64 *)(r10 - 8);"
	"r1 += 1;"
	"*(u64 *)(r10 - 8) = r1;"
	"if r1 < 10 goto l0_%=;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: nested 8 by 8")
__success
__naked void loop_nested(void)
{
	asm volatile ("r0 = 0;"
	"r1 = 0;"
	"l0_%=:"
	"r2 = 0;"
	"l1_%=:"
	"r0 += r2;"
	"r2 += 1;"
	"if r2 < 8 goto l1_%=;"
	"r1 += 1;"
	"if r1 < 8 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: fills a 64-byte stack array")
__success
__naked void loop_fill_stack(void)
{
	asm volatile ("r1 = r10;"
	"r1 += -64;"
	"r2 = 0;"
	"l0_%=:"
	"*(u64 *)(r1 + 0) = r2;"
	"r1 += 8;"
	"r2 += 1;"
	"if r2 < 8 goto l0_%=;"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: one iteration too many writes past the stack top")
__failure __msg("invalid write to stack R1 off=0 size=8")
__naked void loop_fill_stack_over(void)
{
	asm volatile ("r1 = r10;"
	"r1 += -64;"
	"r2 = 0;"
	"l0_%=:"
	"*(u64 *)(r1 + 0) = r2;"
	"r1 += 8;"
	"r2 += 1;"
	"if r2 <= 8 goto l0_%=;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: pointer walks a 48-byte map value in 6 steps")
__success
__naked void loop_walk_value(void)
{
	asm volatile (VALUE48_IN_R6
	"r0 = 0;"
	"r1 = 0;"
	"l0_%=:"
	"r2 = *(u64 *)(r6 + 0);"
	"r0 += r2;"
	"r6 += 8;"
	"r1 += 1;"
	"if r1 < 6 goto l0_%=;"
	"exit;"
	:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("loop: pointer walks a 48-byte map value in 7 steps")
__failure __msg("invalid access to map value, value_size=48 off=48 size=8")
__naked void loop_walk_value_over(void)
{
	asm volatile (VALUE48_IN_R6
	"r0 = 0;"
	"r1 = 0;"
	"l0_%=:"
	"r2 = *(u64 *)(r6 + 0);"
	"r0 += r2;"
	"r6 += 8;"
	"r1 += 1;"
	"if r1 < 7 goto l0_%=;"
	"exit;"
	:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("loop: sum of a map value's 16 ints (C, not unrolled)")
__success
int loop_sum_c(void *ctx)
{
	int key = 0, sum = 0;
	int *v = bpf_map_lookup_elem(&map_array_16i, &key);

	if (!v)
		return 0;
#pragma nounroll
	for (int i = 0; i < 16; i++)
		sum += v[i];
	return sum;
}

SEC("socket")
__description("loop: data-dependent early exit (C, not unrolled)")
__success
int loop_find_c(void *ctx)
{
	int key = 0;
	int *v = bpf_map_lookup_elem(&map_array_16i, &key);

	if (!v)
		return 0;
#pragma nounroll
	for (int i = 0; i < 16; i++)
		if (v[i] == 7)
			return i;
	return -1;
}

/* --- loops the verifier cannot bound --- */

SEC("socket")
__description("loop: jump to itself")
__failure __msg("infinite loop detected at insn 1")
__naked void loop_self(void)
{
	asm volatile ("r0 = 0;"
	"l0_%=:"
	"goto l0_%=;" ::: __clobber_all);
}

SEC("socket")
__description("loop: unreachable code after a loop that never exits")
__failure __msg("unreachable insn 1")
__naked void loop_self_then_exit(void)
{
	asm volatile ("l0_%=:"
	"goto l0_%=;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: nothing changes inside the loop")
__failure __msg("infinite loop detected at insn 3")
__naked void loop_invariant_cond(void)
{
	asm volatile ("r0 = 0;"
	"r1 = 1;"
	"l0_%=:"
	"r2 = 1;"
	"if r1 != 0 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: a counter that the exit condition never tests")
__failure __log_level(1) __msg("BPF program is too large. Processed 1000001 insn")
__naked void loop_counter_untested(void)
{
	asm volatile ("r0 = 0;"
	"r1 = 1;"
	"l0_%=:"
	"r0 += 1;"
	"if r1 != 0 goto l0_%=;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: counting down from an unknown value")
__failure __log_level(1) __msg("BPF program is too large. Processed 1000001 insn")
__naked void loop_unknown_start(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"l0_%=:"
	"r0 += -1;"
	"if r0 != 0 goto l0_%=;"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("loop: a million iterations exhaust the budget")
__failure __log_level(1) __msg("BPF program is too large. Processed 1000001 insn")
__naked void loop_too_long(void)
{
	asm volatile ("r1 = 0;"
	"l0_%=:"
	"r1 += 1;"
	"if r1 < 1000000 goto l0_%=;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: bound read from a map (C)")
__failure __log_level(1) __msg("BPF program is too large. Processed 1000001 insn")
int loop_map_bound_c(void *ctx)
{
	int key = 0, sum = 0;
	int *v = bpf_map_lookup_elem(&map_array_16i, &key);

	if (!v)
		return 0;
#pragma nounroll
	for (unsigned int i = 0; i < (unsigned int)v[0]; i++)
		sum += v[i & 15];
	return sum;
}

/* --- alternatives for long loops --- */

static __naked __noinline __used void cb_continue(void)
{
	asm volatile ("r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("loop: bpf_loop for a million iterations")
__success
__naked void loop_bpf_loop_long(void)
{
	asm volatile ("r1 = 1000000;"
	"r2 = %[cb_continue] ll;"
	"r3 = 0;"
	"r4 = 0;"
	"call %[bpf_loop];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_continue), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("loop: may_goto bounds a loop without a provable exit")
__success
__naked void loop_may_goto(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"l0_%=:"
	"may_goto l1_%=;"
	"r0 += -1;"
	"if r0 != 0 goto l0_%=;"
	"l1_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("loop: may_goto loop still checks its body")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void loop_may_goto_body(void)
{
	asm volatile ("r1 = 0;"
	"l0_%=:"
	"may_goto l1_%=;"
	"r1 += 8;"
	"if r1 < 64 goto l0_%=;"
	"r0 = *(u64 *)(r1 + 0);"
	"l1_%=:"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

/* --- pruning --- */

/* A branch on one bit of r6 that joins again: 2^n paths, n states. */
#define DIAMOND(bit)                                                           \
	"r1 = r6;"                                                             \
	"r1 &= " #bit ";"                                                      \
	"if r1 == 0 goto 1f;"                                                  \
	"r7 += 1;"                                                             \
	"1:"

#define DIAMOND8(b) DIAMOND(b) DIAMOND(b) DIAMOND(b) DIAMOND(b)                \
		    DIAMOND(b) DIAMOND(b) DIAMOND(b) DIAMOND(b)

SEC("socket")
__description("pruning: 40 independent branches in sequence")
__success
__naked void prune_diamonds(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"r6 = r0;"
	"r7 = 0;"
	DIAMOND8(1) DIAMOND8(2) DIAMOND8(4) DIAMOND8(8) DIAMOND8(16)
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* As DIAMOND, but both arms leave r7 unchanged: the states are equal. */
#define SAME(bit)                                                              \
	"r1 = r6;"                                                             \
	"r1 &= " #bit ";"                                                      \
	"if r1 == 0 goto 1f;"                                                  \
	"r2 = 1;"                                                              \
	"1:"

#define SAME8(b) SAME(b) SAME(b) SAME(b) SAME(b) SAME(b) SAME(b) SAME(b) SAME(b)

SEC("socket")
__description("pruning: 40 branches then a bounded stack access")
__success
__naked void prune_then_access(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"r6 = r0;"
	"r7 = 0;"
	"*(u64 *)(r10 - 8) = r7;"
	SAME8(1) SAME8(2) SAME8(4) SAME8(8) SAME8(16)
	"r0 = *(u64 *)(r10 - 8);"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("pruning: a counter on 40 branches must not be pruned away")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1")
__naked void prune_counter_bad(void)
{
	asm volatile (VALUE48_IN_R6
	"r8 = r6;"
	"r6 = *(u64 *)(r8 + 0);"
	"r7 = 0;"
	DIAMOND8(1) DIAMOND8(2) DIAMOND8(4) DIAMOND8(8) DIAMOND8(16)
	"r8 += r7;"
	"r0 = *(u8 *)(r8 + 8);"
	"exit;"
	:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("pruning: the same counter within the value")
__success
__naked void prune_counter_ok(void)
{
	asm volatile (VALUE48_IN_R6
	"r8 = r6;"
	"r6 = *(u64 *)(r8 + 0);"
	"r7 = 0;"
	DIAMOND8(1) DIAMOND8(2) DIAMOND8(4) DIAMOND8(8) DIAMOND8(16)
	"r8 += r7;"
	"r0 = *(u8 *)(r8 + 7);"
	"exit;"
	:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("pruning: the unsafe path is the last of many")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void prune_last_path_bad(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"r6 = r0;"
	"r7 = 0;"
	SAME8(1) SAME8(2) SAME8(4)
	"r1 = r6;"
	"r1 &= 0x100;"
	"if r1 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r6 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, unsigned char[128]);
	__uint(max_entries, 1);
} map_array_128b SEC(".maps");

/* A tokenizer: each round's state depends on the byte, so every round
 * holds up to six states at the loop's head. Pruning must keep the
 * states of the first rounds although the later ones keep missing them
 * (the kernel counts a miss only where a new state is added): evicting
 * them made this take more than 1M instructions; the kernel needs 33k. */
SEC("socket")
__description("loop: a tokenizer's states per round stay listed")
__success
int loop_tokenizer_states(void *ctx)
{
	unsigned int state = 0, words = 0, numbers = 0, other = 0, key = 0;
	unsigned char *buf = bpf_map_lookup_elem(&map_array_128b, &key);

	if (!buf)
		return 0;
	for (int i = 0; i < 128; i++) {
		unsigned char c = buf[i], lower = c | 0x20;
		int alpha = lower >= 'a' && lower <= 'z', digit = c >= '0' && c <= '9';
		switch (state) {
		case 0:
		case 4:
			if (c == '\\')
				state = 2;
			else if (alpha)
				state = 1, words++;
			else if (digit)
				state = 3, numbers++;
			else
				state = 4, other++;
			break;
		case 1:
			if (!alpha && !digit)
				state = 4;
			break;
		case 2:
			state = digit || (lower >= 'a' && lower <= 'f') ? 5 : 4;
			break;
		case 3:
			if (alpha)
				state = 1, words++;
			else if (!digit)
				state = 4;
			break;
		case 5:
			state = 0;
			break;
		}
	}
	return words + numbers + other;
}

SEC("socket")
__description("may_goto: a counter nothing depends on is widened between rounds")
__success
__naked void may_goto_counter_widened(void)
{
	/* Each round widens r9 against the previous round's state (not the
	 * checkpoint of this one), so the third round meets the second: the
	 * kernel needs 21 instructions; comparing a round with itself counted
	 * up to the instruction budget. */
	asm volatile ("r9 = 0;"
	"l0_%=:"
	"may_goto l1_%=;"
	"r9 += 1;"
	"*(u64 *)(r10 - 8) = 0;"
	"goto l0_%=;"
	"l1_%=:"
	"r0 = 0;"
	"exit;"
	::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
