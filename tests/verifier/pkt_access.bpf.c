/* SPDX-License-Identifier: MIT */
/*
 * Verifier cases: packet memory handed to helpers. Only the helpers the
 * kernel marks as reading or writing packets directly (map helpers,
 * bpf_csum_diff, ...) take a pointer into the packet; for the others the
 * packet may move during the call (skb_store_bytes) or the helper is not
 * meant for it: "helper access to the packet is not allowed".
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "cases.h"

#define XDP(f) __imm_const(f, offsetof(struct xdp_md, f))
#define SKB(f) __imm_const(f, offsetof(struct __sk_buff, f))

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, long long);
	__type(value, long long);
	__uint(max_entries, 4);
} map_hash_8b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, long long);
	__uint(max_entries, 4);
} map_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, long long);
	__type(value, long long);
	__uint(max_entries, 4);
} map_percpu_8b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf_events SEC(".maps");

const char str_ro[] = "abc";
char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ringbuf SEC(".maps");

/* r2 = data with 16 bytes proven, r6 = ctx; else exit. */
#define XDP_PKT16                                                              \
	"r6 = r1;"                                                             \
	"r2 = *(u32 *)(r1 + %[data]);"                                         \
	"r3 = *(u32 *)(r1 + %[data_end]);"                                     \
	"r4 = r2;"                                                             \
	"r4 += 16;"                                                            \
	"if r4 <= r3 goto l8_%=;"                                              \
	"r0 = 2;"                                                              \
	"exit;"                                                                \
	"l8_%=:"
#define TC_PKT16                                                               \
	"r6 = r1;"                                                             \
	"r2 = *(u32 *)(r1 + %[data]);"                                         \
	"r3 = *(u32 *)(r1 + %[data_end]);"                                     \
	"r4 = r2;"                                                             \
	"r4 += 16;"                                                            \
	"if r4 <= r3 goto l8_%=;"                                              \
	"r0 = 0;"                                                              \
	"exit;"                                                                \
	"l8_%=:"

SEC("xdp")
__description("map_lookup_elem with a key in the packet")
__success
__naked void map_lookup_pkt_key(void)
{
	asm volatile (XDP_PKT16
	"r1 = %[map_hash_8b] ll;" "call %[bpf_map_lookup_elem];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem) : __clobber_all);
}

SEC("xdp")
__description("map_update_elem with key and value in the packet")
__success
__naked void map_update_pkt(void)
{
	asm volatile (XDP_PKT16
	"r3 = r2;" "r4 = 0;" "r1 = %[map_hash_8b] ll;" "call %[bpf_map_update_elem];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(map_hash_8b), __imm(bpf_map_update_elem) : __clobber_all);
}

SEC("xdp")
__description("map_push_elem of a value in the packet")
__success
__naked void map_push_pkt(void)
{
	asm volatile (XDP_PKT16
	"r3 = 0;" "r1 = %[map_queue] ll;" "call %[bpf_map_push_elem];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(map_queue), __imm(bpf_map_push_elem) : __clobber_all);
}

SEC("xdp")
__description("map_pop_elem into the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void map_pop_pkt(void)
{
	asm volatile (XDP_PKT16
	"r1 = %[map_queue] ll;" "call %[bpf_map_pop_elem];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(map_queue), __imm(bpf_map_pop_elem) : __clobber_all);
}

SEC("xdp")
__description("ringbuf_output of packet bytes")
__failure __msg("helper access to the packet is not allowed")
__naked void ringbuf_output_pkt(void)
{
	asm volatile (XDP_PKT16
	"r3 = 8;" "r4 = 0;" "r1 = %[ringbuf] ll;" "call %[bpf_ringbuf_output];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(ringbuf), __imm(bpf_ringbuf_output) : __clobber_all);
}

SEC("xdp")
__description("get_current_comm into the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void comm_pkt(void)
{
	asm volatile (XDP_PKT16
	"r1 = r2;" "r2 = 16;" "call %[bpf_get_current_comm];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm(bpf_get_current_comm) : __clobber_all);
}

SEC("xdp")
__description("xdp_load_bytes into the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void xdp_load_pkt(void)
{
	asm volatile (XDP_PKT16
	"r3 = r2;" "r1 = r6;" "r2 = 0;" "r4 = 8;" "call %[bpf_xdp_load_bytes];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm(bpf_xdp_load_bytes) : __clobber_all);
}

SEC("xdp")
__description("xdp_store_bytes from the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void xdp_store_pkt(void)
{
	asm volatile (XDP_PKT16
	"r3 = r2;" "r1 = r6;" "r2 = 0;" "r4 = 8;" "call %[bpf_xdp_store_bytes];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm(bpf_xdp_store_bytes) : __clobber_all);
}

SEC("xdp")
__description("csum_diff of packet bytes")
__success
__naked void csum_diff_pkt(void)
{
	asm volatile (XDP_PKT16
	"r1 = r2;" "r2 = 8;" "r3 = 0;" "r4 = 0;" "r5 = 0;" "call %[bpf_csum_diff];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm(bpf_csum_diff) : __clobber_all);
}

SEC("tc")
__description("skb_load_bytes into the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void skb_load_pkt(void)
{
	asm volatile (TC_PKT16
	"r3 = r2;" "r1 = r6;" "r2 = 0;" "r4 = 8;" "call %[bpf_skb_load_bytes];"
	"r0 = 0;"
	"exit;"
	:: SKB(data), SKB(data_end), __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc")
__description("skb_store_bytes from the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void skb_store_pkt(void)
{
	asm volatile (TC_PKT16
	"r3 = r2;" "r1 = r6;" "r2 = 0;" "r4 = 8;" "r5 = 0;" "call %[bpf_skb_store_bytes];"
	"r0 = 0;"
	"exit;"
	:: SKB(data), SKB(data_end), __imm(bpf_skb_store_bytes) : __clobber_all);
}

SEC("tc")
__description("skb_load_bytes_relative into the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void skb_load_rel_pkt(void)
{
	asm volatile (TC_PKT16
	"r3 = r2;" "r1 = r6;" "r2 = 0;" "r4 = 8;" "r5 = 0;" "call %[bpf_skb_load_bytes_relative];"
	"r0 = 0;"
	"exit;"
	:: SKB(data), SKB(data_end), __imm(bpf_skb_load_bytes_relative) : __clobber_all);
}

SEC("xdp")
__description("map_delete_elem with a key in the packet")
__success
__naked void map_delete_pkt(void)
{
	asm volatile (XDP_PKT16
	"r1 = %[map_hash_8b] ll;" "call %[bpf_map_delete_elem];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(map_hash_8b), __imm(bpf_map_delete_elem) : __clobber_all);
}

SEC("xdp")
__description("map_peek_elem into the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void map_peek_pkt(void)
{
	asm volatile (XDP_PKT16
	"r1 = %[map_queue] ll;" "call %[bpf_map_peek_elem];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(map_queue), __imm(bpf_map_peek_elem) : __clobber_all);
}

SEC("xdp")
__description("map_lookup_percpu_elem with a key in the packet")
__success
__naked void map_lookup_percpu_pkt(void)
{
	asm volatile (XDP_PKT16
	"r3 = 0;" "r1 = %[map_percpu_8b] ll;" "call %[bpf_map_lookup_percpu_elem];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(map_percpu_8b), __imm(bpf_map_lookup_percpu_elem) : __clobber_all);
}

SEC("xdp")
__description("trace_printk of a format in the packet")
__failure __msg("helper access to the packet is not allowed")
__naked void trace_printk_pkt(void)
{
	asm volatile (XDP_PKT16
	"r1 = r2;" "r2 = 8;" "call %[bpf_trace_printk];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm(bpf_trace_printk) : __clobber_all);
}

SEC("xdp")
__description("perf_event_output of packet bytes")
__failure __msg("helper access to the packet is not allowed")
__naked void perf_output_pkt(void)
{
	asm volatile (XDP_PKT16
	"r4 = r2;" "r5 = 8;" "r1 = r6;" "r2 = %[perf_events] ll;" "r3 = 0;" "call %[bpf_perf_event_output];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(perf_events), __imm(bpf_perf_event_output) : __clobber_all);
}

SEC("xdp")
__description("strncmp of packet bytes")
__failure __msg("helper access to the packet is not allowed")
__naked void strncmp_pkt(void)
{
	asm volatile (XDP_PKT16
	"r1 = r2;" "r2 = 4;" "r3 = %[str_ro] ll;" "call %[bpf_strncmp];"
	"r0 = 2;"
	"exit;"
	:: XDP(data), XDP(data_end), __imm_addr(str_ro), __imm(bpf_strncmp) : __clobber_all);
}

/* --- routes --- */

SEC("xdp")
__description("fib_lookup: params on the stack, a constant size")
__success
__naked void fib_lookup_stack(void)
{
	asm volatile (
	"r2 = r10;"
	"r2 += -64;"
	"r3 = 0;"
	"*(u64 *)(r10 - 64) = r3;"
	"*(u64 *)(r10 - 56) = r3;"
	"*(u64 *)(r10 - 48) = r3;"
	"*(u64 *)(r10 - 40) = r3;"
	"*(u64 *)(r10 - 32) = r3;"
	"*(u64 *)(r10 - 24) = r3;"
	"*(u64 *)(r10 - 16) = r3;"
	"*(u64 *)(r10 - 8) = r3;"
	"r3 = 64;"
	"r4 = 0;"
	"call %[bpf_fib_lookup];"
	"r0 = 2;"
	"exit;"
	:: __imm(bpf_fib_lookup) : __clobber_all);
}
