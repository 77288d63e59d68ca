/* SPDX-License-Identifier: MIT */
/* The helpers uebpf provides, by kernel id, with the kernel's prototypes. */
#include <linux/bpf.h>
#include <stddef.h>

#include "helpers/helpers.h"

#define PROTO(name, impl, ret_kind, ...) \
	{ BPF_FUNC_##name, impl, ret_kind, { __VA_ARGS__ }, false }
/* A helper whose memory arguments may be packet bytes. */
#define PROTO_PKT(name, impl, ret_kind, ...) \
	{ BPF_FUNC_##name, impl, ret_kind, { __VA_ARGS__ }, true }

static const struct helper_proto protos[] = {
	PROTO_PKT(map_lookup_elem, helper_map_lookup_elem, RET_PTR_TO_MAP_VALUE_OR_NULL,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY),
	PROTO_PKT(map_lookup_percpu_elem, helper_map_lookup_percpu_elem, RET_PTR_TO_MAP_VALUE_OR_NULL,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING),
	PROTO_PKT(map_update_elem, helper_map_update_elem, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING),
	PROTO_PKT(map_delete_elem, helper_map_delete_elem, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY),
	PROTO_PKT(map_push_elem, helper_map_push_elem, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING),
	PROTO(map_pop_elem, helper_map_pop_elem, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE),
	PROTO(map_peek_elem, helper_map_peek_elem, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE),
	PROTO(spin_lock, helper_spin_lock, RET_VOID, ARG_PTR_TO_SPIN_LOCK),
	PROTO(spin_unlock, helper_spin_unlock, RET_VOID, ARG_PTR_TO_SPIN_LOCK),
	PROTO(ringbuf_output, helper_ringbuf_output, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(ringbuf_reserve, helper_ringbuf_reserve, RET_PTR_TO_RINGBUF_MEM_OR_NULL,
	      ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(ringbuf_submit, helper_ringbuf_submit, RET_VOID,
	      ARG_PTR_TO_RINGBUF_MEM, ARG_ANYTHING),
	PROTO(ringbuf_discard, helper_ringbuf_discard, RET_VOID,
	      ARG_PTR_TO_RINGBUF_MEM, ARG_ANYTHING),
	PROTO(ringbuf_query, helper_ringbuf_query, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_ANYTHING),
	PROTO(get_stackid, helper_get_stackid, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING),
	PROTO(get_stack, helper_get_stack, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(perf_event_output, helper_perf_event_output, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO),
	/* The format's arguments are optional: the kernel does not ask
	 * that r3-r5 be set. */
	PROTO(trace_printk, helper_trace_printk, RET_INTEGER,
	      ARG_PTR_TO_MEM, ARG_CONST_SIZE),
	PROTO(trace_vprintk, helper_trace_vprintk, RET_INTEGER,
	      ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO),
	PROTO(snprintf, helper_snprintf, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, ARG_PTR_TO_MEM_OR_NULL,
	      ARG_CONST_SIZE_OR_ZERO),
	PROTO(strncmp, helper_strncmp, RET_INTEGER,
	      ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR),
	/* The engine's own (no function here): tail_call replaces the running
	 * program (returning nothing when it falls through, as the kernel's
	 * prototype says); loop and for_each_map_elem call back into it. */
	PROTO(tail_call, NULL, RET_VOID, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING),
	PROTO(loop, NULL, RET_INTEGER,
	      ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING),
	PROTO(for_each_map_elem, NULL, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING),
	PROTO(ktime_get_ns, helper_ktime_get_ns, RET_INTEGER, ARG_NONE),
	PROTO(get_prandom_u32, helper_get_prandom_u32, RET_INTEGER, ARG_NONE),
	PROTO(get_smp_processor_id, helper_get_smp_processor_id, RET_INTEGER, ARG_NONE),
	PROTO(get_current_pid_tgid, helper_get_current_pid_tgid, RET_INTEGER, ARG_NONE),
	PROTO(get_current_cgroup_id, helper_get_current_cgroup_id, RET_INTEGER, ARG_NONE),
	PROTO(get_current_ancestor_cgroup_id, helper_get_current_ancestor_cgroup_id, RET_INTEGER,
	      ARG_ANYTHING),
	PROTO(current_task_under_cgroup, helper_current_task_under_cgroup, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_ANYTHING),
	PROTO(get_socket_cookie, helper_get_socket_cookie, RET_INTEGER, ARG_PTR_TO_CTX),
	PROTO(get_netns_cookie, helper_get_netns_cookie, RET_INTEGER, ARG_PTR_TO_CTX_OR_NULL),
	PROTO(setsockopt, helper_setsockopt, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE),
	PROTO(getsockopt, helper_getsockopt, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE),
	PROTO(sock_ops_cb_flags_set, helper_sock_ops_cb_flags_set, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING),
	PROTO(skb_under_cgroup, helper_skb_under_cgroup, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING),
	PROTO(get_current_uid_gid, helper_get_current_uid_gid, RET_INTEGER, ARG_NONE),
	PROTO(get_current_comm, helper_get_current_comm, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE),
	PROTO(get_numa_node_id, helper_get_numa_node_id, RET_INTEGER, ARG_NONE),
	PROTO(probe_read, helper_probe_read_user, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(probe_read_str, helper_probe_read_user_str, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(probe_read_user, helper_probe_read_user, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(probe_read_kernel, helper_probe_read_user, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(probe_read_user_str, helper_probe_read_user_str, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(probe_read_kernel_str, helper_probe_read_user_str, RET_INTEGER,
	      ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(jiffies64, helper_jiffies64, RET_INTEGER, ARG_NONE),
	PROTO(ktime_get_boot_ns, helper_ktime_get_boot_ns, RET_INTEGER, ARG_NONE),
	PROTO(ktime_get_coarse_ns, helper_ktime_get_coarse_ns, RET_INTEGER, ARG_NONE),
	PROTO(ktime_get_tai_ns, helper_ktime_get_tai_ns, RET_INTEGER, ARG_NONE),
	/* Packets (net/core/filter.c). */
	PROTO(skb_load_bytes, helper_skb_load_bytes, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE),
	PROTO(skb_load_bytes_relative, helper_skb_load_bytes_relative, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING),
	PROTO(skb_store_bytes, helper_skb_store_bytes, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING),
	PROTO(l3_csum_replace, helper_l3_csum_replace, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(l4_csum_replace, helper_l4_csum_replace, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING),
	PROTO_PKT(csum_diff, helper_csum_diff, RET_INTEGER,
	      ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_MEM_OR_NULL,
	      ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	PROTO(csum_update, helper_csum_update, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING),
	PROTO(skb_pull_data, helper_skb_pull_data, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING),
	PROTO(skb_change_head, helper_skb_change_head, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(skb_change_tail, helper_skb_change_tail, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(skb_adjust_room, helper_skb_adjust_room, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(skb_change_proto, helper_skb_change_proto, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(skb_vlan_push, helper_skb_vlan_push, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(skb_vlan_pop, helper_skb_vlan_pop, RET_INTEGER, ARG_PTR_TO_CTX),
	PROTO(get_hash_recalc, helper_get_hash_recalc, RET_INTEGER, ARG_PTR_TO_CTX),
	PROTO(set_hash_invalid, helper_set_hash_invalid, RET_INTEGER, ARG_PTR_TO_CTX),
	PROTO(set_hash, helper_set_hash, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING),
	PROTO(skb_ecn_set_ce, helper_skb_ecn_set_ce, RET_INTEGER, ARG_PTR_TO_CTX),
	PROTO(skb_get_tunnel_key, helper_skb_get_tunnel_key, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING),
	PROTO(skb_get_tunnel_opt, helper_skb_get_tunnel_opt, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE),
	PROTO(skb_set_tunnel_key, helper_skb_set_tunnel_key, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING),
	PROTO(skb_set_tunnel_opt, helper_skb_set_tunnel_opt, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE),
	PROTO(get_cgroup_classid, helper_get_cgroup_classid, RET_INTEGER, ARG_PTR_TO_CTX),
	PROTO(redirect, helper_redirect, RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(redirect_map, helper_redirect_map, RET_INTEGER,
	      ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(clone_redirect, helper_clone_redirect, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING),
	PROTO(xdp_adjust_head, helper_xdp_adjust_head, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING),
	PROTO(xdp_adjust_tail, helper_xdp_adjust_tail, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING),
	PROTO(xdp_adjust_meta, helper_xdp_adjust_meta, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING),
	PROTO(xdp_load_bytes, helper_xdp_load_bytes, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE),
	PROTO(xdp_store_bytes, helper_xdp_store_bytes, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE),
	PROTO(fib_lookup, helper_fib_lookup, RET_INTEGER,
	      ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING),
	PROTO(xdp_get_buff_len, helper_xdp_get_buff_len, RET_INTEGER, ARG_PTR_TO_CTX),
};

const struct helper_proto *helper_protos(size_t *count)
{
	*count = sizeof(protos) / sizeof(protos[0]);
	return protos;
}

const struct helper_proto *helper_proto(int32_t id)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].id == id)
			return &protos[i];
	return NULL;
}
