/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: map lookups and map values. The result of
 * bpf_map_lookup_elem must be null-checked (and the check must reach
 * every copy of the pointer); accesses must stay within value_size for
 * constant and bounded variable offsets; keys and values passed to the
 * map helpers must be initialised memory of the map's key and value
 * size; global data is a map whose .rodata is read-only.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

struct val48 {
	long long a[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, long long);
	__type(value, long long);
	__uint(max_entries, 4);
} map_hash_8b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, long long);
	__type(value, struct val48);
	__uint(max_entries, 4);
} map_hash_48b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct val48);
	__uint(max_entries, 4);
} map_array_48b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 2);
} map_array_4b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, int);
	__type(value, long long);
	__uint(max_entries, 2);
} map_percpu_8b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(value_size, 8);
	__uint(max_entries, 4);
} map_queue SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long long);
	__uint(max_entries, 1);
} inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, int);
	__uint(max_entries, 1);
	__array(values, struct inner_map);
} map_of_maps SEC(".maps") = {
	.values = { [0] = &inner },
};

/* CPUs for bpf_redirect_map (found on the kernel's xdp_redirect_cpu
 * sample, which needs the map type to load). */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
} map_cpus SEC(".maps");

int data_var = 1;
int bss_var;
const volatile int rodata_var = 0;
long long data_arr[2] = { 1, 2 };

/* Key 0 (8 bytes) at fp-8, r2 pointing to it, r1 the map: a lookup. */
#define LOOKUP(map)                                                            \
	"r1 = 0;"                                                              \
	"*(u64 *)(r10 - 8) = r1;"                                              \
	"r2 = r10;"                                                            \
	"r2 += -8;"                                                            \
	"r1 = %[" #map "] ll;"                                                 \
	"call %[bpf_map_lookup_elem];"

/* --- the null check --- */

SEC("socket")
__description("lookup: result dereferenced without a null check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void lookup_no_null_check(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"r1 = *(u64 *)(r0 + 0);"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: read after the null check")
__success
__naked void lookup_null_checked_read(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: write after the null check (reversed branch)")
__success
__naked void lookup_null_checked_write(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 != 0 goto l0_%=;"
	"exit;"
	"l0_%=:"
	"r1 = 42;"
	"*(u64 *)(r0 + 0) = r1;"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: dereference on the null branch")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void lookup_deref_null_branch(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 != 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: pointer arithmetic before the null check")
__failure __msg("R0 pointer arithmetic on map_value_or_null prohibited, null-check it first")
__naked void lookup_arith_before_check(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"r0 += 4;"
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u32 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: null check on a copy marks the original")
__success
__naked void lookup_check_copy(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"r6 = r0;"
	"if r6 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: null check on the original marks a copy spilled to the stack")
__success
__naked void lookup_check_spilled_copy(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"*(u64 *)(r10 - 16) = r0;"
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r10 - 16);"
	"r2 = *(u64 *)(r1 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: checking one lookup does not check another")
__failure __msg("R7 invalid mem access 'map_value_or_null'")
__naked void lookup_check_other(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"r6 = r0;"
	LOOKUP(map_hash_8b)
	"r7 = r0;"
	"if r6 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r7 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: copy made before a second lookup keeps its own id")
__success
__naked void lookup_two_checked(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"r6 = r0;"
	LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"if r6 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r6 + 0);"
	"r2 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: comparing with a non-zero constant is not a null check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void lookup_check_nonzero_const(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 1 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: array with a constant in-range key still needs the check on a hash")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void lookup_hash_const_key(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"r1 = *(u64 *)(r0 + 0);"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: array with a constant in-range key")
__success
__naked void lookup_array_const_key(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_array_48b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r1 = *(u64 *)(r0 + 0);"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: array with a constant out-of-range key")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void lookup_array_const_key_oob(void)
{
	asm volatile (
	"r1 = 4;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_array_48b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r1 = *(u64 *)(r0 + 0);"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("lookup: array with an unknown key needs the check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void lookup_array_unknown_key(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"*(u32 *)(r10 - 4) = r0;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_array_48b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r1 = *(u64 *)(r0 + 0);"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem),
	   __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* --- bounds of the value --- */

SEC("socket")
__description("value: last byte of an 8-byte value")
__success
__naked void value_last_byte(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u8 *)(r0 + 7);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: one byte past an 8-byte value")
__failure __msg("invalid access to map value, value_size=8 off=8 size=1")
__naked void value_one_past(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u8 *)(r0 + 8);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: 8-byte read straddling the end")
__failure __msg("invalid access to map value, value_size=8 off=4 size=8")
__naked void value_straddle(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 4);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: negative constant offset")
__failure __msg("invalid access to map value, value_size=8 off=-1 size=1")
__naked void value_negative_off(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u8 *)(r0 - 1);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: pointer moved forward then read back at a negative insn offset")
__success
__naked void value_ptr_plus_neg_off(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r0 += 40;"
	"r1 = *(u64 *)(r0 - 40);"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: pointer moved forward past the end")
__failure __msg("invalid access to map value, value_size=48 off=48 size=8")
__naked void value_ptr_moved_past(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r0 += 44;"
	"r1 = *(u64 *)(r0 + 4);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index masked to [0, 40] by and, 8-byte read")
__success
__naked void value_var_off_masked(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"r1 &= 0x28;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index masked to [0, 63] runs past a 48-byte value")
__failure __msg("R0 max value is outside of the allowed memory range")
__naked void value_var_off_mask_too_wide(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"r1 &= 63;"
	"r0 += r1;"
	"r1 = *(u8 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index checked unsigned < 41, 8-byte read")
__success
__naked void value_var_off_jlt(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"if r1 >= 41 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index checked unsigned <= 41 is one too many")
__failure __msg("invalid access to map value, value_size=48 off=41 size=8")
__msg("R0 max value is outside of the allowed memory range")
__naked void value_var_off_jle_off_by_one(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"if r1 > 41 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index with only a signed upper bound has no lower bound")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void value_var_off_signed_only(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"if r1 s> 40 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index with signed lower and upper bounds")
__success
__naked void value_var_off_signed_both(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"if r1 s> 40 goto l0_%=;"
	"if r1 s< 0 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: unknown index added to the pointer")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void value_var_off_unknown(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"r0 += r1;"
	"r1 = *(u8 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: bounded index then a constant offset past the end")
__failure __msg("invalid access to map value, value_size=48 off=44 size=8")
__naked void value_var_then_const(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"r1 &= 7;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 37);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index bounded by a 32-bit compare on a 32-bit load")
__success
__naked void value_var_off_w_compare(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u32 *)(r0 + 0);"
	"if w1 > 40 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index bounded by a 32-bit compare on a 64-bit load")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void value_var_off_w_compare_64(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"if w1 > 40 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: scalar minus pointer is not a pointer")
__failure __msg("R1 tried to subtract pointer from scalar")
__naked void value_scalar_minus_ptr(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = 8;"
	"r1 -= r0;"
	"r2 = *(u8 *)(r1 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: pointer times two is rejected")
__failure __msg("R0 pointer arithmetic with *= operator prohibited")
__naked void value_ptr_mul(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r0 *= 2;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

/* --- keys and values passed to the helpers --- */

SEC("socket")
__description("key: uninitialised stack is allowed for a privileged loader")
__success
__naked void key_uninit(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: half-initialised stack is allowed for a privileged loader")
__success
__naked void key_half_init(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: initialised by two 4-byte stores")
__success
__naked void key_two_halves(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 8) = r1;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: runs past the top of the stack")
__failure __msg("invalid read from stack R2 off=-4 size=8")
__naked void key_past_stack_top(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: a scalar instead of a pointer")
__failure __msg("R2 type=scalar expected=fp")
__naked void key_scalar(void)
{
	asm volatile (
	"r2 = 0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: the context instead of memory")
__failure __msg("R2 type=ctx expected=fp")
__naked void key_ctx(void)
{
	asm volatile (
	"r2 = r1;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: another map's value used as the key")
__success
__naked void key_from_map_value(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r2 = r0;"
	"r2 += 40;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm_addr(map_hash_48b),
	   __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: map value too small for the key")
__failure __msg("invalid access to map value, value_size=4 off=0 size=8")
__naked void key_from_small_value(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_array_4b] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r2 = r0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm_addr(map_array_4b),
	   __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("key: unchecked lookup result used as the key")
__failure __msg("R2 type=map_value_or_null expected=fp")
__naked void key_from_unchecked_value(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"r2 = r0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("map argument: a scalar instead of a map")
__failure __msg("R1 type=scalar expected=map_ptr")
__naked void map_arg_scalar(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("map argument: a map value instead of a map")
__failure __msg("R1 type=map_value expected=map_ptr")
__naked void map_arg_value(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = r10;"
	"r2 += -8;"
	"call %[bpf_map_lookup_elem];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("update: key and value on the stack")
__success
__naked void update_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"*(u64 *)(r10 - 16) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = r10;"
	"r3 += -16;"
	"r4 = 0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("socket")
__description("update: uninitialised value is allowed for a privileged loader")
__success
__naked void update_value_uninit(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = r10;"
	"r3 += -16;"
	"r4 = 0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("socket")
__description("update: value of 48 bytes with only 40 initialised (privileged)")
__success
__naked void update_value_partly_init(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 48) = r1;"
	"*(u64 *)(r10 - 40) = r1;"
	"*(u64 *)(r10 - 32) = r1;"
	"*(u64 *)(r10 - 24) = r1;"
	"*(u64 *)(r10 - 16) = r1;"
	"*(u64 *)(r10 - 56) = r1;"
	"r2 = r10;"
	"r2 += -56;"
	"r3 = r10;"
	"r3 += -48;"
	"r4 = 0;"
	"r1 = %[map_hash_48b] ll;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("socket")
__description("update: a map value used as the new value")
__success
__naked void update_value_from_map(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r3 = r0;"
	"r2 = r10;"
	"r2 += -8;"
	"r4 = 0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_update_elem];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem),
	   __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("socket")
__description("update: value pointer is a scalar")
__failure __msg("R3 type=scalar expected=fp")
__naked void update_value_scalar(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = 0;"
	"r4 = 0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("socket")
__description("update: flags register never written")
__failure __msg("R4 !read_ok")
__naked void update_flags_uninit(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = r10;"
	"r3 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("socket")
__description("delete: key on the stack")
__success
__naked void delete_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_delete_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_delete_elem) : __clobber_all);
}

SEC("socket")
__description("delete: uninitialised key (privileged)")
__success
__naked void delete_key_uninit(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_delete_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_delete_elem) : __clobber_all);
}

SEC("socket")
__description("push_elem: on a hash map")
__failure __msg("cannot pass map_type 1 into func bpf_map_push_elem#87")
__naked void push_on_hash(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = 0;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_push_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_push_elem) : __clobber_all);
}

SEC("socket")
__description("push_elem: on a queue")
__success
__naked void push_on_queue(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r3 = 0;"
	"r1 = %[map_queue] ll;"
	"call %[bpf_map_push_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_queue), __imm(bpf_map_push_elem) : __clobber_all);
}

SEC("socket")
__description("lookup_elem: on a queue, whose key is zero-sized")
__failure __msg("invalid zero-sized read")
__naked void lookup_on_queue(void)
{
	asm volatile (LOOKUP(map_queue)
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_queue), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("delete_elem: on an array")
__success
__naked void delete_on_array(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_array_4b] ll;"
	"call %[bpf_map_delete_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_array_4b), __imm(bpf_map_delete_elem) : __clobber_all);
}

SEC("socket")
__description("value: index bounded to [-16, 40] may be negative")
__failure __msg("R0 min value is negative, either use unsigned index or do a if (index >=0) check.")
__naked void value_var_off_negative_min(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"if r1 s< -16 goto l0_%=;"
	"if r1 s> 40 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: index checked only to be non-negative")
__failure __msg("R0 unbounded memory access, make sure to bounds check any such access")
__naked void value_var_off_unbounded(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"if r1 s< 0 goto l0_%=;"
	"r0 += r1;"
	"r1 = *(u8 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("value: constant offset too large for any object")
__failure __msg("math between map_value pointer and 536870912 is not allowed")
__naked void value_huge_const(void)
{
	asm volatile (LOOKUP(map_hash_48b)
	"if r0 == 0 goto l0_%=;"
	"r1 = 0x20000000;"
	"r0 += r1;"
	"r1 = *(u8 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_48b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("peek_elem: on a hash map")
__failure __msg("cannot pass map_type 1 into func bpf_map_peek_elem#89")
__naked void peek_on_hash(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_hash_8b] ll;"
	"call %[bpf_map_peek_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_peek_elem) : __clobber_all);
}

SEC("socket")
__description("pop_elem: into a 4-byte stack buffer from an 8-byte queue")
__failure __msg("invalid write to stack R2 off=-4 size=8")
__naked void pop_small_buffer(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_queue] ll;"
	"call %[bpf_map_pop_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_queue), __imm(bpf_map_pop_elem) : __clobber_all);
}

SEC("socket")
__description("pop_elem: the popped value initialises the stack")
__success
__naked void pop_inits_stack(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[map_queue] ll;"
	"call %[bpf_map_pop_elem];"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;"
	:: __imm_addr(map_queue), __imm(bpf_map_pop_elem) : __clobber_all);
}

/* --- per-CPU arrays --- */

SEC("socket")
__description("percpu array: read and write the value")
__success
__naked void percpu_rw(void)
{
	asm volatile (
	"r1 = 1;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_percpu_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"r1 += 1;"
	"*(u64 *)(r0 + 0) = r1;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_percpu_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("percpu array: value is one CPU's 8 bytes")
__failure __msg("invalid access to map value, value_size=8 off=8 size=8")
__naked void percpu_oob(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"*(u32 *)(r10 - 4) = r0;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_percpu_8b] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 8);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_percpu_8b), __imm(bpf_map_lookup_elem),
	   __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("percpu array: lookup_percpu_elem needs the null check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void percpu_other_cpu_no_check(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r3 = 0;"
	"r1 = %[map_percpu_8b] ll;"
	"call %[bpf_map_lookup_percpu_elem];"
	"r1 = *(u64 *)(r0 + 0);"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_percpu_8b), __imm(bpf_map_lookup_percpu_elem) : __clobber_all);
}

/* --- global data --- */

SEC("socket")
__description("global data: read and write .data and .bss")
__success
__naked void global_rw(void)
{
	asm volatile (
	"r1 = %[data_var] ll;"
	"r2 = *(u32 *)(r1 + 0);"
	"r2 += 1;"
	"*(u32 *)(r1 + 0) = r2;"
	"r1 = %[bss_var] ll;"
	"*(u32 *)(r1 + 0) = r2;"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(data_var), __imm_addr(bss_var) : __clobber_all);
}

SEC("socket")
__description("global data: read .rodata")
__success
__naked void global_rodata_read(void)
{
	asm volatile (
	"r1 = %[rodata_var] ll;"
	"r0 = *(u32 *)(r1 + 0);"
	"exit;"
	:: __imm_addr(rodata_var) : __clobber_all);
}

SEC("socket")
__description("global data: write .rodata")
__failure __msg("write into map forbidden")
__naked void global_rodata_write(void)
{
	asm volatile (
	"r1 = %[rodata_var] ll;"
	"r2 = 1;"
	"*(u32 *)(r1 + 0) = r2;"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(rodata_var) : __clobber_all);
}

SEC("socket")
__description("global data: a frozen .rodata value is a known constant")
__success
__naked void global_rodata_known(void)
{
	asm volatile (
	"r1 = %[rodata_var] ll;"
	"r2 = *(u32 *)(r1 + 0);"
	"if r2 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r2 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(rodata_var) : __clobber_all);
}

SEC("socket")
__description("global data: a .data value is not a known constant")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void global_data_unknown(void)
{
	asm volatile (
	"r1 = %[bss_var] ll;"
	"r2 = *(u32 *)(r1 + 0);"
	"if r2 == 0 goto l0_%=;"
	"r0 = *(u64 *)(r2 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(bss_var) : __clobber_all);
}

SEC("socket")
__description("global data: past the end of .data")
__failure __msg("invalid access to map value, value_size=24 off=24 size=4")
__naked void global_data_oob(void)
{
	asm volatile (
	"r1 = %[data_var] ll;"
	"r2 = *(u32 *)(r1 + 24);"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(data_var) : __clobber_all);
}

SEC("socket")
__description("global data: array element through a bounded index (C)")
__success
int global_array_index(void *ctx)
{
	unsigned int i = bpf_get_prandom_u32() & 1;

	data_arr[i] += 1;
	return 0;
}

SEC("socket")
__description("global data: .bss counter (C)")
__success
int global_counter(void *ctx)
{
	bss_var += data_var;
	return rodata_var;
}

/* --- maps of maps --- */

SEC("socket")
__description("map in map: inner lookup after both null checks")
__success
__naked void map_in_map_ok(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_of_maps] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = r10;"
	"r2 += -4;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = 7;"
	"*(u64 *)(r0 + 0) = r1;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_of_maps), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("map in map: inner map used without the null check")
__failure __msg("R1 type=map_value_or_null expected=map_ptr")
__naked void map_in_map_unchecked(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_of_maps] ll;"
	"call %[bpf_map_lookup_elem];"
	"r1 = r0;"
	"r2 = r10;"
	"r2 += -4;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_of_maps), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("map in map: reading the inner map pointer reads struct bpf_map")
__failure __uebpf_differs("uebpf's maps are not the kernel's struct bpf_map: reading through a map pointer is refused")
__naked void map_in_map_deref(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_of_maps] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_of_maps), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("map in map: inner value past the inner value_size")
__failure __msg("invalid access to map value, value_size=8 off=8 size=8")
__naked void map_in_map_inner_oob(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_of_maps] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = r0;"
	"r2 = r10;"
	"r2 += -4;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = *(u64 *)(r0 + 8);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_of_maps), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("map in map: update_elem on the outer map from a program")
__failure __msg("cannot pass map_type 12 into func bpf_map_update_elem#2")
__naked void map_in_map_update(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"*(u32 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 0;"
	"r1 = %[map_of_maps] ll;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_of_maps), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("socket")
__description("map in map: writing into the inner map pointer")
__failure __msg("only read from bpf_array is supported")
__naked void map_in_map_write(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_of_maps] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto l0_%=;"
	"r1 = 0;"
	"*(u64 *)(r0 + 0) = r1;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_of_maps), __imm(bpf_map_lookup_elem) : __clobber_all);
}

char _license[] SEC("license") = "GPL";

SEC("socket")
__description("atomic add on a map value: misaligned, refused whatever the load flags")
__failure __msg("misaligned value access off 0+0+2 size 4")
__naked void atomic_misaligned_value(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = 1;"
	"lock *(u32 *)(r0 + 2) += w1;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("socket")
__description("atomic add on a map value, aligned")
__success
__naked void atomic_aligned_value(void)
{
	asm volatile (LOOKUP(map_hash_8b)
	"if r0 == 0 goto l0_%=;"
	"r1 = 1;"
	"lock *(u32 *)(r0 + 4) += w1;"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__description("cpumap: bpf_redirect_map to a CPU")
__success
__naked void cpumap_redirect(void)
{
	asm volatile ("r1 = %[map_cpus] ll;"
	"r2 = 1;"
	"r3 = 0;"
	"call %[bpf_redirect_map];"
	"exit;"
	:: __imm_addr(map_cpus), __imm(bpf_redirect_map) : __clobber_all);
}

SEC("xdp")
__description("cpumap: programs cannot look entries up")
__failure __msg("cannot pass map_type 16 into func bpf_map_lookup_elem#1")
__naked void cpumap_lookup(void)
{
	asm volatile ("r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[map_cpus] ll;"
	"call %[bpf_map_lookup_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm_addr(map_cpus), __imm(bpf_map_lookup_elem) : __clobber_all);
}
