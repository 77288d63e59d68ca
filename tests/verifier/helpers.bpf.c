/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: helper calls. Each argument is checked against the
 * helper's prototype (map, context, memory with a size, constant sizes
 * that must be bounded and, for some helpers, non-zero); the program
 * type decides which helpers exist; a call clobbers r1-r5 and leaves r0
 * of the helper's return type.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long long);
	__uint(max_entries, 1);
} map_array_8b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf_events SEC(".maps");

const char fmt_ro[] = "%d";
char fmt_rw[] = "%d";

/* r0 = a pointer to map_array_8b's only value, or exit. */
#define ARRAY_VALUE                                                            \
	"r1 = 0;"                                                              \
	"*(u32 *)(r10 - 4) = r1;"                                              \
	"r2 = r10;"                                                            \
	"r2 += -4;"                                                            \
	"r1 = %[map_array_8b] ll;"                                             \
	"call %[bpf_map_lookup_elem];"                                         \
	"if r0 != 0 goto l9_%=;"                                               \
	"exit;"                                                                \
	"l9_%=:"

/* --- registers across a call --- */

SEC("socket")
__description("call: r1 is unreadable after a helper call")
__failure __msg("R1 !read_ok")
__naked void clobbered_r1(void)
{
	asm volatile (
	"r1 = 1;"
	"call %[bpf_get_prandom_u32];"
	"r0 = r1;"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("call: r5 is unreadable after a helper call")
__failure __msg("R5 !read_ok")
__naked void clobbered_r5(void)
{
	asm volatile (
	"r5 = 1;"
	"call %[bpf_ktime_get_ns];"
	"r0 += r5;"
	"exit;"
	:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("call: r6-r9 survive a helper call")
__success
__naked void callee_saved_survive(void)
{
	asm volatile (
	"r6 = r10;"
	"r6 += -8;"
	"r7 = 1;"
	"r8 = 2;"
	"r9 = 3;"
	"call %[bpf_get_prandom_u32];"
	"*(u64 *)(r6 + 0) = r7;"
	"r0 = r8;"
	"r0 += r9;"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("call: a spilled ctx pointer survives a helper call")
__success
__naked void spilled_ctx_survives(void)
{
	asm volatile (
	"*(u64 *)(r10 - 8) = r1;"
	"call %[bpf_get_prandom_u32];"
	"r1 = *(u64 *)(r10 - 8);"
	"r0 = *(u32 *)(r1 + %[len]);"
	"exit;"
	:: __imm(bpf_get_prandom_u32),
	   __imm_const(len, __builtin_offsetof(struct __sk_buff, len)) : __clobber_all);
}

SEC("socket")
__description("return: a scalar helper result is not a pointer")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void scalar_result_deref(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"r0 = *(u64 *)(r0 + 0);"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("return: get_prandom_u32 is not known to fit in 32 bits")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void prandom_is_u32(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"r1 = 0x100000000 ll;"
	"if r0 < r1 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("return: ktime_get_ns is not bounded")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void ktime_unbounded(void)
{
	asm volatile (
	"call %[bpf_ktime_get_ns];"
	"r1 = 0x100000000 ll;"
	"if r0 < r1 goto l0_%=;"
	"r0 = *(u64 *)(r0 + 0);"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("return: get_smp_processor_id is bounded by the CPU count, 8-byte read")
__failure __msg("R0 max value is outside of the allowed memory range")
__naked void cpu_id_as_offset(void)
{
	asm volatile (
	"call %[bpf_get_smp_processor_id];"
	"r6 = r0;"
	ARRAY_VALUE
	"r0 += r6;"
	"r0 = *(u64 *)(r0 + 0);"
	"exit;"
	:: __imm(bpf_get_smp_processor_id), __imm(bpf_map_lookup_elem),
	   __imm_addr(map_array_8b) : __clobber_all);
}

/* --- which helpers exist for a program type --- */

SEC("socket")
__description("availability: bpf_redirect in a socket filter")
__failure __msg("program of this type cannot use helper bpf_redirect#23")
__naked void redirect_in_socket(void)
{
	asm volatile (
	"r1 = 1;"
	"r2 = 0;"
	"call %[bpf_redirect];"
	"exit;"
	:: __imm(bpf_redirect) : __clobber_all);
}

SEC("xdp")
__description("availability: bpf_redirect in XDP")
__success
__naked void redirect_in_xdp(void)
{
	asm volatile (
	"r1 = 1;"
	"r2 = 0;"
	"call %[bpf_redirect];"
	"exit;"
	:: __imm(bpf_redirect) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("availability: skb_load_bytes in a kprobe")
__failure __msg("program of this type cannot use helper bpf_skb_load_bytes#26")
__naked void skb_load_bytes_in_kprobe(void)
{
	asm volatile (
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 8;"
	"call %[bpf_skb_load_bytes];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("xdp")
__description("availability: get_current_comm is a base helper, allowed in XDP")
__success
__naked void comm_in_xdp(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -16;"
	"r2 = 16;"
	"call %[bpf_get_current_comm];"
	"r0 = 2;"
	"exit;"
	:: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("socket")
__description("availability: override_return in a socket filter")
__failure __msg("program of this type cannot use helper bpf_override_return#58")
__naked void override_in_socket(void)
{
	asm volatile (
	"r2 = 0;"
	"call %[bpf_override_return];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_override_return) : __clobber_all);
}

SEC("socket")
__description("availability: a helper number beyond the last helper")
__failure __msg("invalid func unknown#100000")
__naked void helper_out_of_range(void)
{
	asm volatile (
	"call 100000;"
	"r0 = 0;"
	"exit;"
	::: __clobber_all);
}

/* --- the context argument --- */

SEC("socket")
__description("ctx argument: skb_load_bytes from the skb into the stack")
__success
__naked void skb_load_bytes_ok(void)
{
	asm volatile (
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 8;"
	"call %[bpf_skb_load_bytes];"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;"
	:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("socket")
__description("ctx argument: a stack pointer where the skb is expected")
__failure
__msg("R1 type=fp expected=ctx")
__naked void skb_load_bytes_not_ctx(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -16;"
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 8;"
	"call %[bpf_skb_load_bytes];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("socket")
__description("ctx argument: a ctx pointer moved by a constant")
__failure
__msg("dereference of modified ctx ptr R1 off=4 disallowed")
__naked void skb_load_bytes_moved_ctx(void)
{
	asm volatile (
	"r1 += 4;"
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 8;"
	"call %[bpf_skb_load_bytes];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("socket")
__description("ctx argument: zero length for skb_load_bytes")
__failure
__msg("R4 invalid zero-sized read")
__naked void skb_load_bytes_zero_len(void)
{
	asm volatile (
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 0;"
	"call %[bpf_skb_load_bytes];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("socket")
__description("ctx argument: length larger than the stack buffer")
__failure
__msg("invalid write to stack R3 off=-8 size=16")
__naked void skb_load_bytes_too_long(void)
{
	asm volatile (
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 16;"
	"call %[bpf_skb_load_bytes];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("socket")
__description("ctx argument: the destination is the context")
__failure
__msg("R3 type=ctx expected=fp")
__naked void skb_load_bytes_into_ctx(void)
{
	asm volatile (
	"r2 = 0;"
	"r3 = r1;"
	"r4 = 4;"
	"call %[bpf_skb_load_bytes];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

/* --- memory and size pairs --- */

SEC("kprobe/do_nanosleep")
__description("size: probe_read_kernel into the stack, size 8")
__success
__naked void probe_read_ok(void)
{
	asm volatile (
	"r3 = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 8;"
	"call %[bpf_probe_read_kernel];"
	"r0 = *(u64 *)(r10 - 8);"
	"exit;"
	:: __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: probe_read_kernel with size zero is allowed")
__success
__naked void probe_read_zero(void)
{
	asm volatile (
	"r3 = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 0;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: negative constant size")
__failure __msg("R2 min value is negative, either use unsigned or 'var &= const'")
__naked void probe_read_negative(void)
{
	asm volatile (
	"r3 = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"r2 = -1;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: unknown size may be negative")
__failure __msg("R2 min value is negative, either use unsigned or 'var &= const'")
__naked void probe_read_unknown(void)
{
	asm volatile (
	"r6 = r1;"
	"call %[bpf_get_prandom_u32];"
	"r2 = r0;"
	"r3 = r6;"
	"r1 = r10;"
	"r1 += -8;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: non-negative size without an upper bound")
__failure __msg("R2 unbounded memory access, use 'var &= const' or 'if (var < const)'")
__naked void probe_read_unbounded(void)
{
	asm volatile (
	"r6 = r1;"
	"call %[bpf_get_prandom_u32];"
	"r2 = r0;"
	"if r2 s< 0 goto l0_%=;"
	"r3 = r6;"
	"r1 = r10;"
	"r1 += -8;"
	"call %[bpf_probe_read_kernel];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: variable size masked to fit the buffer")
__success
__naked void probe_read_masked(void)
{
	asm volatile (
	"r6 = r1;"
	"call %[bpf_get_prandom_u32];"
	"r2 = r0;"
	"r2 &= 15;"
	"r3 = r6;"
	"r1 = r10;"
	"r1 += -16;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: variable size masked too wide for the buffer")
__failure __msg("invalid write to stack R1 off=-16 size=31")
__naked void probe_read_mask_too_wide(void)
{
	asm volatile (
	"r6 = r1;"
	"call %[bpf_get_prandom_u32];"
	"r2 = r0;"
	"r2 &= 31;"
	"r3 = r6;"
	"r1 = r10;"
	"r1 += -16;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: variable size checked against the buffer with a branch")
__success
__naked void probe_read_branch_bound(void)
{
	asm volatile (
	"r6 = r1;"
	"call %[bpf_get_prandom_u32];"
	"r2 = r0;"
	"if r2 > 24 goto l0_%=;"
	"r3 = r6;"
	"r1 = r10;"
	"r1 += -24;"
	"call %[bpf_probe_read_kernel];"
	"l0_%=:"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: probe_read_kernel into a map value")
__success
__naked void probe_read_into_map(void)
{
	asm volatile (
	"r6 = r1;"
	ARRAY_VALUE
	"r1 = r0;"
	"r2 = 8;"
	"r3 = r6;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm(bpf_map_lookup_elem),
	   __imm_addr(map_array_8b) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: probe_read_kernel past a map value")
__failure __msg("invalid access to map value, value_size=8 off=0 size=16")
__naked void probe_read_past_map(void)
{
	asm volatile (
	"r6 = r1;"
	ARRAY_VALUE
	"r1 = r0;"
	"r2 = 16;"
	"r3 = r6;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm(bpf_map_lookup_elem),
	   __imm_addr(map_array_8b) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: probe_read_kernel into .rodata")
__failure __msg("write into map forbidden")
__naked void probe_read_into_rodata(void)
{
	asm volatile (
	"r3 = r1;"
	"r1 = %[fmt_ro] ll;"
	"r2 = 2;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel), __imm_addr(fmt_ro) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: probe_read_kernel into the context")
__failure __msg("R1 type=ctx expected=fp")
__naked void probe_read_into_ctx(void)
{
	asm volatile (
	"r3 = r1;"
	"r2 = 8;"
	"call %[bpf_probe_read_kernel];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: get_current_comm with size zero")
__failure __msg("R2 invalid zero-sized read")
__naked void comm_zero(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -16;"
	"r2 = 0;"
	"call %[bpf_get_current_comm];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: get_current_comm fills the buffer it is given")
__success
__naked void comm_fills(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -16;"
	"r2 = 16;"
	"call %[bpf_get_current_comm];"
	"r0 = *(u64 *)(r10 - 16);"
	"r1 = *(u64 *)(r10 - 8);"
	"r0 += r1;"
	"exit;"
	:: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: get_current_comm with a buffer below the stack limit")
__failure __msg("invalid write to stack R1 off=-520 size=16")
__naked void comm_below_stack(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -520;"
	"r2 = 16;"
	"call %[bpf_get_current_comm];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: trace_printk with a format on the stack")
__success
__naked void trace_printk_stack(void)
{
	asm volatile (
	"r1 = 0x0a6925;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 4;"
	"r3 = 7;"
	"call %[bpf_trace_printk];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: trace_printk with an uninitialised format (privileged)")
__success
__naked void trace_printk_uninit(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 8;"
	"call %[bpf_trace_printk];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_trace_printk) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: trace_printk with a format in .rodata")
__success
__naked void trace_printk_rodata(void)
{
	asm volatile (
	"r1 = %[fmt_ro] ll;"
	"r2 = 3;"
	"r3 = 1;"
	"call %[bpf_trace_printk];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_trace_printk), __imm_addr(fmt_ro) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: snprintf with its format on the stack")
__failure __msg("R3 type=fp expected=map_value")
__naked void snprintf_fmt_on_stack(void)
{
	asm volatile (
	"r1 = 0x6425;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -24;"
	"r2 = 16;"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 0;"
	"r5 = 0;"
	"call %[bpf_snprintf];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_snprintf) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: snprintf with its format in a writable map")
__failure __msg("R3 does not point to a readonly map'")
__naked void snprintf_fmt_data(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -24;"
	"r2 = 16;"
	"r3 = %[fmt_rw] ll;"
	"r4 = 0;"
	"r5 = 0;"
	"call %[bpf_snprintf];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_snprintf), __imm_addr(fmt_rw) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: snprintf with a format in .rodata and one argument")
__success
__naked void snprintf_fmt_rodata(void)
{
	asm volatile (
	"r1 = 5;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -24;"
	"r2 = 16;"
	"r3 = %[fmt_ro] ll;"
	"r4 = r10;"
	"r4 += -8;"
	"r5 = 8;"
	"call %[bpf_snprintf];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_snprintf), __imm_addr(fmt_ro) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("size: snprintf with too few arguments for the format")
__failure __msg("Invalid format string")
__naked void snprintf_missing_arg(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -24;"
	"r2 = 16;"
	"r3 = %[fmt_ro] ll;"
	"r4 = 0;"
	"r5 = 0;"
	"call %[bpf_snprintf];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_snprintf), __imm_addr(fmt_ro) : __clobber_all);
}

/* --- other argument types --- */

SEC("kprobe/do_nanosleep")
__description("perf_event_output: a hash map where a perf event array is expected")
__failure __msg("cannot pass map_type 2 into func bpf_perf_event_output#25")
__naked void perf_output_wrong_map(void)
{
	asm volatile (
	"r2 = %[map_array_8b] ll;"
	"r3 = 0;"
	"r4 = r10;"
	"r4 += -8;"
	"r5 = 8;"
	"*(u64 *)(r10 - 8) = r5;"
	"call %[bpf_perf_event_output];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_perf_event_output), __imm_addr(map_array_8b) : __clobber_all);
}

SEC("kprobe/do_nanosleep")
__description("perf_event_output: stack data to a perf event array")
__success
__naked void perf_output_ok(void)
{
	asm volatile (
	"r2 = %[perf_events] ll;"
	"r3 = 0xffffffff ll;"
	"r4 = r10;"
	"r4 += -8;"
	"r5 = 8;"
	"*(u64 *)(r10 - 8) = r5;"
	"call %[bpf_perf_event_output];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_perf_event_output), __imm_addr(perf_events) : __clobber_all);
}

SEC("socket")
__description("scalar argument: a pointer passed where anything is accepted")
__success
__naked void pointer_as_anything(void)
{
	asm volatile (
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 0;"
	"*(u64 *)(r10 - 8) = r2;"
	"r2 = r1;"
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r1 = %[map_array_8b] ll;"
	"r3 = r10;"
	"r3 += -16;"
	"*(u64 *)(r3 + 0) = r3;"
	"r4 = r10;"
	"call %[bpf_map_update_elem];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_map_update_elem), __imm_addr(map_array_8b) : __clobber_all);
}

SEC("socket")
__description("call: r0 is unreadable in a program that returns without setting it")
__failure __msg("R0 !read_ok")
__naked void exit_without_r0(void)
{
	asm volatile (
	"exit;"
	::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
