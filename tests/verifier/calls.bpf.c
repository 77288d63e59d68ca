/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: calls between BPF functions, tail calls and callbacks.
 * Static functions are verified in the context of each call (argument
 * values known, caller's stack reachable through pointers); global
 * functions are verified once, from their BTF argument types alone. The
 * frames together may use at most 512 bytes of stack and 8 levels of
 * calls. A callback's r0 must lie in the range its helper allows.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

#ifndef __used
#define __used __attribute__((used))
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} jmp_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long long);
	__uint(max_entries, 4);
} map_array_8b SEC(".maps");

/* --- static functions, verified per call --- */

static __naked __noinline __used void ret_seven(void)
{
	asm volatile ("r0 = 7;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void add_r1_r2(void)
{
	asm volatile ("r0 = r1;"
	"r0 += r2;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void no_r0(void)
{
	asm volatile ("exit;" ::: __clobber_all);
}

/* Stores 8 bytes at r1, a pointer into the caller's stack. */
static __naked __noinline __used void store_to_r1(void)
{
	asm volatile ("r2 = 42;"
	"*(u64 *)(r1 + 0) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

/* Returns a pointer into its own stack frame. */
static __naked __noinline __used void ret_own_stack(void)
{
	asm volatile ("r0 = r10;"
	"r0 += -8;"
	"exit;" ::: __clobber_all);
}

/* Spills its own frame pointer into the caller's stack at r1. */
static __naked __noinline __used void spill_own_fp(void)
{
	asm volatile ("r2 = r10;"
	"r2 += -8;"
	"*(u64 *)(r1 + 0) = r2;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

/* Reads one byte of a 48-byte map value at an offset given in r2. */
static __naked __noinline __used void read_at_r2(void)
{
	asm volatile ("r1 += r2;"
	"r0 = *(u8 *)(r1 + 0);"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: return value reaches the caller")
__success
__naked void sub_ret_value(void)
{
	asm volatile ("call ret_seven;"
	"if r0 == 7 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: arguments in r1 and r2")
__success
__naked void sub_args(void)
{
	asm volatile ("r1 = 1;"
	"r2 = 2;"
	"call add_r1_r2;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: callee reads an argument the caller never set")
__failure __msg("R2 !read_ok")
__naked void sub_arg_unset(void)
{
	asm volatile ("r1 = 1;"
	"call add_r1_r2;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: callee may leave r0 unset if the caller never reads it")
__success
__naked void sub_no_r0(void)
{
	asm volatile ("call no_r0;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: caller reads the r0 its callee left unset")
__failure __msg("R0 !read_ok")
__naked void sub_no_r0_read(void)
{
	asm volatile ("call no_r0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: caller's r1 is unreadable after the call")
__failure __msg("R1 !read_ok")
__naked void sub_clobbers_r1(void)
{
	asm volatile ("r1 = 1;"
	"r2 = 2;"
	"call add_r1_r2;"
	"r0 = r1;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: caller's r6-r9 survive the call")
__success
__naked void sub_keeps_r6(void)
{
	asm volatile ("r6 = r10;"
	"r6 += -8;"
	"r9 = 3;"
	"call ret_seven;"
	"*(u64 *)(r6 + 0) = r9;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: callee fills the caller's stack")
__success
__naked void sub_fills_caller_stack(void)
{
	asm volatile ("r1 = r10;"
	"r1 += -8;"
	"call store_to_r1;"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: callee's store is known to the caller")
__success
__naked void sub_store_known(void)
{
	asm volatile ("r1 = r10;"
	"r1 += -8;"
	"call store_to_r1;"
	"r1 = *(u64 *)(r10 - 8);"
	"if r1 == 42 goto l0_%=;"
	"r0 = *(u64 *)(r1 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: callee returns a pointer to its own stack")
__failure __msg("cannot return stack pointer to the caller")
__naked void sub_ret_stack(void)
{
	asm volatile ("call ret_own_stack;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: callee spills its frame pointer into the caller's stack")
__failure __msg("cannot spill pointers to stack into stack frame of the caller")
__naked void sub_spill_fp(void)
{
	asm volatile ("r1 = r10;"
	"r1 += -8;"
	"call spill_own_fp;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("subprog: static callee checked with the caller's constant offset")
__success
__naked void sub_static_offset_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_array_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = 7;"
	"call read_at_r2;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("subprog: static callee rejected for a second caller's offset")
__failure __msg("invalid access to map value, value_size=8 off=8 size=1")
__naked void sub_static_offset_bad(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_array_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r6 = r0;"
	"r1 = r0;"
	"r2 = 7;"
	"call read_at_r2;"
	"r1 = r6;"
	"r2 = 8;"
	"call read_at_r2;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

/* --- stack depth and frames --- */

static __naked __noinline __used void stack_304(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 304) = r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void stack_200(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 200) = r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("stack: 208 + 304 bytes in two frames, exactly 512")
__success
__naked void stack_two_frames_fit(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 200) = r1;"
	"call stack_304;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("stack: 304 + 304 bytes in two frames")
__failure __msg("combined stack size of 2 calls is 608. Too large")
__naked void stack_two_frames_too_big(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 304) = r1;"
	"call stack_304;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("stack: two callees in sequence count once each")
__success
__naked void stack_siblings(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 200) = r1;"
	"call stack_304;"
	"call stack_304;"
	"call stack_200;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void depth_1(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 64) = r1;"
	"call stack_200;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("stack: 208 + 64 + 208 through a chain of three frames fit")
__success
__naked void stack_chain_fit(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 200) = r1;"
	"call depth_1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("stack: 256 + 64 + 208 through a chain of three frames")
__failure __msg("combined stack size of 3 calls is 528. Too large")
__naked void stack_chain_too_big(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 256) = r1;"
	"call depth_1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

#define NEST(name, next)                                                       \
	static __naked __noinline __used void name(void)                      \
	{                                                                      \
		asm volatile ("call " #next ";"                                \
		"exit;" ::: __clobber_all);                                    \
	}

NEST(nest_8, ret_seven)
NEST(nest_7, nest_8)
NEST(nest_6, nest_7)
NEST(nest_5, nest_6)
NEST(nest_4, nest_5)
NEST(nest_3, nest_4)
NEST(nest_2, nest_3)

SEC("socket")
__description("frames: eight frames deep")
__success
__naked void frames_eight(void)
{
	asm volatile ("call nest_3;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("frames: nine frames deep")
__failure __msg("the call stack of 9 frames is too deep")
__naked void frames_nine(void)
{
	asm volatile ("call nest_2;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void recurse(void)
{
	asm volatile ("if r1 == 0 goto l0_%=;"
	"r1 += -1;"
	"call recurse;"
	"l0_%=:"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("frames: a recursive function that terminates is still rejected")
__failure __msg("the call stack of 8 frames is too deep !")
__naked void frames_recursive(void)
{
	asm volatile ("r1 = 3;"
	"call recurse;"
	"exit;" ::: __clobber_all);
}

/* --- global functions, verified on their own --- */

__noinline int glob_read_index(int i)
{
	int key = 0;
	char *v = bpf_map_lookup_elem(&map_array_8b, &key);

	if (!v)
		return 0;
	return v[i];
}

__noinline int glob_read_bounded(unsigned int i)
{
	int key = 0;
	char *v = bpf_map_lookup_elem(&map_array_8b, &key);

	if (!v)
		return 0;
	return v[i & 7];
}

__noinline int glob_deref(int *p)
{
	return *p;
}

__noinline int glob_deref_checked(int *p)
{
	if (!p)
		return 0;
	return *p;
}

__noinline int glob_skb_len(struct __sk_buff *skb)
{
	if (!skb)
		return 0;
	return skb->len;
}

SEC("socket")
__description("global func: argument is unknown inside even for a constant caller")
__failure __msg("Func#1 ('glob_read_index') is global and assumed valid.")
__msg("value -2147483648 makes map_value pointer be out of bounds")
int glob_const_arg(void *ctx)
{
	return glob_read_index(3);
}

SEC("socket")
__description("global func: argument masked inside the function")
__success
int glob_bounded_arg(void *ctx)
{
	return glob_read_bounded(bpf_get_prandom_u32());
}

SEC("socket")
__description("global func: pointer argument may be null inside")
__failure __msg("R1 invalid mem access 'mem_or_null'")
int glob_unchecked_ptr(void *ctx)
{
	int x = 1;

	return glob_deref(&x);
}

SEC("socket")
__description("global func: pointer argument null-checked inside")
__success
int glob_checked_ptr(void *ctx)
{
	int x = 1;

	return glob_deref_checked(&x);
}

SEC("socket")
__description("global func: ctx argument given the ctx")
__success
int glob_ctx_ok(struct __sk_buff *skb)
{
	return glob_skb_len(skb);
}

SEC("socket")
__description("global func: ctx argument given a stack pointer")
__failure __msg("arg#0 expects pointer to ctx")
__msg("Caller passes invalid args into func#1 ('glob_skb_len')")
__naked void glob_ctx_bad(void)
{
	asm volatile ("r1 = r10;"
	"r1 += -8;"
	"call glob_skb_len;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("global func: pointer argument too small for its type")
__failure __msg("invalid read from stack R1 off=-2 size=4")
__naked void glob_ptr_small(void)
{
	asm volatile ("r1 = 0;"
	"*(u16 *)(r10 - 2) = r1;"
	"r1 = r10;"
	"r1 += -2;"
	"call glob_deref_checked;"
	"exit;" ::: __clobber_all);
}

/* --- tail calls --- */

SEC("socket")
__description("tail call: through a prog array")
__success
__naked void tail_call_ok(void)
{
	asm volatile ("r2 = %[jmp_table] ll;"
	"r3 = 1;"
	"call %[bpf_tail_call];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(jmp_table), __imm(bpf_tail_call) : __clobber_all);
}

SEC("socket")
__description("tail call: through an array map")
__failure __msg("expected prog array map for tail call")
__naked void tail_call_array(void)
{
	asm volatile ("r2 = %[map_array_8b] ll;"
	"r3 = 1;"
	"call %[bpf_tail_call];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_8b), __imm(bpf_tail_call) : __clobber_all);
}

/* bpf_tail_call returns nothing (RET_VOID): when it falls through, r0 is
 * not a result (found on PREVAIL's tail_call.o, which returns it). */
SEC("socket")
__description("tail call: r0 not set after a tail call that falls through")
__failure __msg("R0 !read_ok")
__naked void tail_call_r0_unset(void)
{
	asm volatile ("r2 = %[jmp_table] ll;"
	"r3 = 0;"
	"call %[bpf_tail_call];"
	"exit;"
	:: __imm_addr(jmp_table), __imm(bpf_tail_call) : __clobber_all);
}

SEC("socket")
__description("tail call: ctx argument not the context")
__failure __msg("R1 type=scalar expected=ctx")
__naked void tail_call_no_ctx(void)
{
	asm volatile ("r1 = 0;"
	"r2 = %[jmp_table] ll;"
	"r3 = 1;"
	"call %[bpf_tail_call];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(jmp_table), __imm(bpf_tail_call) : __clobber_all);
}

/* A tail call is allowed only in functions returning int. */
static __naked __noinline __used int tail_call_sub(void)
{
	asm volatile ("r2 = %[jmp_table] ll;"
	"r3 = 0;"
	"call %[bpf_tail_call];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(jmp_table), __imm(bpf_tail_call) : __clobber_all);
}

static __naked __noinline __used void tail_call_void_sub(void)
{
	asm volatile ("r2 = %[jmp_table] ll;"
	"r3 = 0;"
	"call %[bpf_tail_call];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(jmp_table), __imm(bpf_tail_call) : __clobber_all);
}

SEC("socket")
__description("tail call: from a subprog whose BTF returns void")
__failure __msg("tail_call is only allowed in functions that return 'int'.")
__naked void tail_call_in_void_sub(void)
{
	asm volatile ("call tail_call_void_sub;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("tail call: from a subprog under a small caller frame")
__success
__naked void tail_call_in_sub(void)
{
	asm volatile ("r2 = 0;"
	"*(u64 *)(r10 - 64) = r2;"
	"call tail_call_sub;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

SEC("socket")
__description("tail call: under a 264-byte caller frame, counted rounded up to 272")
__failure __msg("tail_calls are not allowed when call stack of previous frames is 272 bytes. Too large")
__naked void tail_call_in_sub_big_stack(void)
{
	asm volatile ("r2 = 0;"
	"*(u64 *)(r10 - 264) = r2;"
	"call tail_call_sub;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

/* --- callbacks --- */

static __naked __noinline __used void cb_ret_0(void)
{
	asm volatile ("r0 = 0;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void cb_ret_2(void)
{
	asm volatile ("r0 = 2;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void cb_ret_unknown(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

static __naked __noinline __used void cb_ret_masked(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
	"r0 &= 1;"
	"exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* r2 is the caller's stack pointer given as bpf_loop's context. */
static __naked __noinline __used void cb_write_ctx(void)
{
	asm volatile ("*(u64 *)(r2 + 0) = r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void cb_write_key(void)
{
	asm volatile ("r1 = 0;"
	"*(u32 *)(r2 + 0) = r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

static __naked __noinline __used void cb_write_value(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r3 + 0) = r1;"
	"r0 = 0;"
	"exit;" ::: __clobber_all);
}

#define BPF_LOOP(cb)                                                           \
	"r1 = 4;"                                                              \
	"r2 = %[" #cb "] ll;"                                                  \
	"r3 = 0;"                                                              \
	"r4 = 0;"                                                              \
	"call %[bpf_loop];"

SEC("socket")
__description("bpf_loop: callback returns 0")
__success
__naked void loop_cb_ok(void)
{
	asm volatile (BPF_LOOP(cb_ret_0)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_ret_0), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: callback returns 0 or 1")
__success
__naked void loop_cb_masked(void)
{
	asm volatile (BPF_LOOP(cb_ret_masked)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_ret_masked), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: a callback address moved back 16 bytes (found by the verifier fuzzer)")
__failure __msg("negative offset func ptr R2 off=-16 disallowed")
__naked void loop_cb_moved_back(void)
{
	asm volatile ("r1 = 4;"
	"r2 = %[cb_ret_0] ll;"
	"r2 += -16;"
	"r3 = 0;"
	"r4 = 0;"
	"call %[bpf_loop];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_ret_0), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: a callback address moved forward 8 bytes")
__failure __msg("dereference of modified func ptr R2 off=8 disallowed")
__naked void loop_cb_moved_forward(void)
{
	asm volatile ("r1 = 4;"
	"r2 = %[cb_ret_0] ll;"
	"r2 += 8;"
	"r3 = 0;"
	"r4 = 0;"
	"call %[bpf_loop];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_ret_0), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: callback returns 2")
__failure __msg("At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void loop_cb_ret_2(void)
{
	asm volatile (BPF_LOOP(cb_ret_2)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_ret_2), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: callback returns an unknown value")
__failure __msg("At callback return the register R0 has unknown scalar value should have been in [0, 1]")
__naked void loop_cb_ret_unknown(void)
{
	asm volatile (BPF_LOOP(cb_ret_unknown)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_ret_unknown), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: callback is not a function")
__failure __msg("R2 type=scalar expected=func")
__naked void loop_cb_scalar(void)
{
	asm volatile ("r1 = 4;"
	"r2 = 0;"
	"r3 = 0;"
	"r4 = 0;"
	"call %[bpf_loop];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: callback writes through the caller's stack pointer")
__success
__naked void loop_cb_ctx(void)
{
	asm volatile ("r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = 4;"
	"r2 = %[cb_write_ctx] ll;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 0;"
	"call %[bpf_loop];"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;"
	:: __imm_addr(cb_write_ctx), __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("bpf_loop: callback given a scalar context writes through it")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void loop_cb_ctx_scalar(void)
{
	asm volatile (BPF_LOOP(cb_write_ctx)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(cb_write_ctx), __imm(bpf_loop) : __clobber_all);
}

static int add_index(__u32 i, long long *sum)
{
	*sum += i;
	return *sum > 100;
}

SEC("socket")
__description("bpf_loop: sum of indices in C")
__success
int loop_in_c(void *ctx)
{
	long long sum = 0;

	bpf_loop(16, add_index, &sum, 0);
	return sum;
}

#define FOR_EACH(cb)                                                           \
	"r1 = %[map_array_8b] ll;"                                             \
	"r2 = %[" #cb "] ll;"                                                  \
	"r3 = 0;"                                                              \
	"r4 = 0;"                                                              \
	"call %[bpf_for_each_map_elem];"

SEC("socket")
__description("for_each_map_elem: callback writes the value")
__success
__naked void each_write_value(void)
{
	asm volatile (FOR_EACH(cb_write_value)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_8b), __imm_addr(cb_write_value),
	   __imm(bpf_for_each_map_elem) : __clobber_all);
}

SEC("socket")
__description("for_each_map_elem: callback writes the key")
__failure __msg("write to change key R2 not allowed")
__naked void each_write_key(void)
{
	asm volatile (FOR_EACH(cb_write_key)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_8b), __imm_addr(cb_write_key),
	   __imm(bpf_for_each_map_elem) : __clobber_all);
}

SEC("socket")
__description("for_each_map_elem: callback returns 2")
__failure __msg("At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void each_ret_2(void)
{
	asm volatile (FOR_EACH(cb_ret_2)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_8b), __imm_addr(cb_ret_2),
	   __imm(bpf_for_each_map_elem) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
