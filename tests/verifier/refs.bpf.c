/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: references and locks. A ring buffer reservation is a
 * reference that must be submitted or discarded exactly once on every
 * path, null-checked before use and written only within its size; after
 * the release every copy of the pointer is dead. A bpf_spin_lock in a map
 * value must be released before exit, with no helper calls or second lock
 * in between, and cannot be touched by loads and stores.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, long long);
	__type(value, long long);
	__uint(max_entries, 1);
} map_hash_8b SEC(".maps");

struct locked {
	int pad;
	struct bpf_spin_lock lock;
	int value;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct locked);
	__uint(max_entries, 2);
} map_locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long long);
	__uint(max_entries, 1);
} map_unlocked SEC(".maps");

/* r0 = an 8-byte ring buffer reservation, or null. */
#define RESERVE8                                                               \
	"r1 = %[ringbuf] ll;"                                                  \
	"r2 = 8;"                                                              \
	"r3 = 0;"                                                              \
	"call %[bpf_ringbuf_reserve];"

#define RB_IMMS                                                                \
	__imm_addr(ringbuf), __imm(bpf_ringbuf_reserve),                       \
	__imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard)

/* --- ring buffer reservations --- */

SEC("socket")
__description("ringbuf: reserve, check, write, submit")
__success
__naked void rb_submit(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r1 = 1;"
	"*(u64 *)(r0 + 0) = r1;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: reserve, check, discard")
__success
__naked void rb_discard(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_discard];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: submit on one branch, discard on the other")
__success
__naked void rb_submit_or_discard(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l2_%=;"
	"r6 = r0;"
	"call %[bpf_get_prandom_u32];"
	"r1 = r6;"
	"r2 = 0;"
	"if r0 > 100 goto l1_%=;"
	"call %[bpf_ringbuf_submit];"
	"goto l2_%=;"
	"l1_%=:"
	"call %[bpf_ringbuf_discard];"
	"l2_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS, __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("ringbuf: submit without the null check")
__failure __msg("R1 type=ringbuf_mem_or_null expected=ringbuf_mem")
__naked void rb_submit_unchecked(void)
{
	asm volatile (RESERVE8
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: write without the null check")
__failure __msg("R0 invalid mem access 'ringbuf_mem_or_null'")
__naked void rb_write_unchecked(void)
{
	asm volatile (RESERVE8
	"r1 = 0;"
	"*(u64 *)(r0 + 0) = r1;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: reservation leaked at exit")
__failure __msg("Unreleased reference id=2 alloc_insn=4")
__naked void rb_leak(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r1 = 0;"
	"*(u64 *)(r0 + 0) = r1;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: reservation leaked on one branch only")
__failure __msg("Unreleased reference id=2 alloc_insn=4")
__naked void rb_leak_one_branch(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l1_%=;"
	"r6 = r0;"
	"call %[bpf_get_prandom_u32];"
	"if r0 > 100 goto l1_%=;"
	"r1 = r6;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l1_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS, __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("ringbuf: the only copy of the reservation overwritten")
__failure __msg("Unreleased reference id=2 alloc_insn=4")
__naked void rb_leak_overwritten(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r0 = 0;"
	"l0_%=:"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: the null branch holds no reference")
__success
__naked void rb_null_branch_exit(void)
{
	asm volatile (RESERVE8
	"if r0 != 0 goto l0_%=;"
	"exit;"
	"l0_%=:"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_discard];"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: submitted twice")
__failure __msg("R1 type=scalar expected=ringbuf_mem")
__naked void rb_double_submit(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r6 = r0;"
	"r1 = r6;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r1 = r6;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: written through a copy after the submit")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void rb_use_after_submit(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r6 = r0;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r1 = 0;"
	"*(u64 *)(r6 + 0) = r1;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: read through a stack spill after the discard")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void rb_use_spilled_after_discard(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"*(u64 *)(r10 - 8) = r0;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_discard];"
	"r1 = *(u64 *)(r10 - 8);"
	"r0 = *(u64 *)(r1 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: reservation spilled across a call and submitted")
__success
__naked void rb_spill_across_call(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"*(u64 *)(r10 - 8) = r0;"
	"call %[bpf_get_prandom_u32];"
	"r1 = *(u64 *)(r10 - 8);"
	"*(u64 *)(r1 + 0) = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS, __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("ringbuf: last byte of the reservation")
__success
__naked void rb_last_byte(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r1 = 1;"
	"*(u8 *)(r0 + 7) = r1;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: write one byte past the reservation")
__failure __msg("invalid access to memory, mem_size=8 off=8 size=1")
__naked void rb_past_end(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r1 = 1;"
	"*(u8 *)(r0 + 8) = r1;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: reservation size not a constant")
__failure __msg("R2 is not a known constant'")
__naked void rb_var_size(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"r2 = r0;"
	"r2 &= 8;"
	"r1 = %[ringbuf] ll;"
	"r3 = 0;"
	"call %[bpf_ringbuf_reserve];"
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS, __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("ringbuf: submit a pointer into the middle of the reservation")
__failure __msg("R1 must have zero offset when passed to release func")
__naked void rb_submit_moved(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r0 += 4;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: submit a stack pointer")
__failure __msg("R1 type=fp expected=ringbuf_mem")
__naked void rb_submit_stack(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: reserve from a hash map")
__failure __msg("cannot pass map_type 1 into func bpf_ringbuf_reserve#131")
__naked void rb_reserve_hash(void)
{
	asm volatile (
	"r1 = %[map_hash_8b] ll;"
	"r2 = 8;"
	"r3 = 0;"
	"call %[bpf_ringbuf_reserve];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_ringbuf_reserve) : __clobber_all);
}

SEC("socket")
__description("ringbuf: two reservations, both submitted in reverse order")
__success
__naked void rb_two_reservations(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l1_%=;"
	"r6 = r0;"
	RESERVE8
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l0_%=:"
	"r1 = r6;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l1_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: two reservations, the second leaked")
__failure __msg("Unreleased reference id=4 alloc_insn=11")
__msg("BPF_EXIT instruction in main prog would lead to reference leak")
__naked void rb_two_second_leaked(void)
{
	asm volatile (RESERVE8
	"if r0 == 0 goto l1_%=;"
	"r6 = r0;"
	RESERVE8
	"r1 = r6;"
	"r2 = 0;"
	"call %[bpf_ringbuf_submit];"
	"l1_%=:"
	"r0 = 0;"
	"exit;"
	:: RB_IMMS : __clobber_all);
}

SEC("socket")
__description("ringbuf: output copies from the stack and holds no reference")
__success
__naked void rb_output(void)
{
	asm volatile (
	"r1 = 7;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = %[ringbuf] ll;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = 8;"
	"r4 = 0;"
	"call %[bpf_ringbuf_output];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(ringbuf), __imm(bpf_ringbuf_output) : __clobber_all);
}

SEC("socket")
__description("ringbuf: reserve, fill and submit (C)")
__success
int rb_in_c(void *ctx)
{
	long long *e = bpf_ringbuf_reserve(&ringbuf, sizeof(*e), 0);

	if (!e)
		return 0;
	*e = bpf_ktime_get_ns();
	if (*e & 1)
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, 0);
	return 0;
}

/* --- spin locks --- */

/* r6 = a pointer to the first element of map, or exit. */
#define VALUE_IN_R6(map)                                                       \
	"r1 = 0;"                                                              \
	"*(u32 *)(r10 - 4) = r1;"                                              \
	"r2 = r10;"                                                            \
	"r2 += -4;"                                                            \
	"r1 = %[" #map "] ll;"                                                 \
	"call %[bpf_map_lookup_elem];"                                         \
	"if r0 != 0 goto l9_%=;"                                               \
	"exit;"                                                                \
	"l9_%=:"                                                               \
	"r6 = r0;"

#define LOCK_IMMS                                                              \
	__imm_addr(map_locked), __imm(bpf_map_lookup_elem),                    \
	__imm(bpf_spin_lock), __imm(bpf_spin_unlock)

SEC("tc")
__description("spin lock: lock, update, unlock")
__success
__naked void lock_ok(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r1 = *(u32 *)(r6 + 8);"
	"r1 += 1;"
	"*(u32 *)(r6 + 8) = r1;"
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_unlock];"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: exit while holding the lock")
__failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
__naked void lock_held_at_exit(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: unlocked on one branch only")
__failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
__naked void lock_held_one_branch(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r1 = *(u32 *)(r6 + 8);"
	"if r1 == 0 goto l0_%=;"
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_unlock];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: helper call while holding the lock")
__failure __msg("function calls are not allowed while holding a lock")
__naked void lock_helper_call(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"call %[bpf_get_prandom_u32];"
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_unlock];"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS, __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc")
__description("spin lock: unlock without a lock")
__failure __msg("bpf_spin_unlock without taking a lock")
__naked void unlock_without_lock(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_unlock];"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: taking the lock twice is a call under the lock")
__failure __msg("function calls are not allowed while holding a lock")
__naked void lock_twice(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: locks of two elements of one map")
__failure __msg("function calls are not allowed while holding a lock")
__naked void lock_two_elements(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = 1;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_locked] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r7 = r0;"
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r1 = r7;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: unlocking another element's lock")
__failure __msg("bpf_spin_unlock of different lock")
__naked void unlock_different(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = 1;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_locked] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r7 = r0;"
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r1 = r7;"
	"r1 += 4;"
	"call %[bpf_spin_unlock];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: a pointer that is not at the lock's offset")
__failure __msg("off 8 doesn't point to 'struct bpf_spin_lock' that is at 4")
__naked void lock_wrong_offset(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 8;"
	"call %[bpf_spin_lock];"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: a map value without a lock")
__failure __msg("map 'map_unlocked' has no valid bpf_spin_lock")
__naked void lock_no_lock_in_value(void)
{
	asm volatile (VALUE_IN_R6(map_unlocked)
	"r1 = r6;"
	"call %[bpf_spin_lock];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_unlocked), __imm(bpf_map_lookup_elem),
	   __imm(bpf_spin_lock) : __clobber_all);
}

SEC("tc")
__description("spin lock: a stack pointer")
__failure __msg("R1 type=fp expected=map_value")
__naked void lock_on_stack(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"call %[bpf_spin_lock];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_spin_lock) : __clobber_all);
}

SEC("tc")
__description("spin lock: the lock word read by a load")
__failure __msg("bpf_spin_lock cannot be accessed directly by load/store")
__naked void lock_direct_read(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r0 = *(u32 *)(r6 + 4);"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: the lock word overlapped by an 8-byte store")
__failure __msg("bpf_spin_lock cannot be accessed directly by load/store")
__naked void lock_direct_write(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = 0;"
	"*(u64 *)(r6 + 0) = r1;"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: fields beside the lock are ordinary memory")
__success
__naked void lock_neighbours(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = *(u32 *)(r6 + 0);"
	"*(u32 *)(r6 + 8) = r1;"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("spin lock: not for tracing programs")
__failure __msg("tracing progs cannot use bpf_spin_lock yet")
__naked void lock_in_kprobe(void)
{
	asm volatile (VALUE_IN_R6(map_locked)
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_lock];"
	"r1 = r6;"
	"r1 += 4;"
	"call %[bpf_spin_unlock];"
	"r0 = 0;"
	"exit;"
	:: LOCK_IMMS : __clobber_all);
}

SEC("tc")
__description("spin lock: lock and unlock around an update (C)")
__success
int lock_in_c(struct __sk_buff *skb)
{
	int key = 0;
	struct locked *v = bpf_map_lookup_elem(&map_locked, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->value += skb->len;
	bpf_spin_unlock(&v->lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
