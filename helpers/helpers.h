/* SPDX-License-Identifier: MIT */
/*
 * The kernel helpers uebpf provides: one table of prototypes (argument
 * and return kinds, as the kernel's bpf_func_proto describes them) and
 * implementations, by kernel helper id. The engine registers the
 * implementations; the verifier reads the prototypes.
 */
#ifndef UEBPF_HELPERS_HELPERS_H
#define UEBPF_HELPERS_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "helpers/exec.h"

/* What a helper argument must be. */
enum helper_arg {
	ARG_NONE = 0,
	ARG_ANYTHING,                 /* any scalar */
	ARG_CONST_MAP_PTR,            /* a map (lddw map reference) */
	ARG_PTR_TO_MAP_KEY,           /* key_size readable bytes */
	ARG_PTR_TO_MAP_VALUE,         /* value_size readable bytes */
	ARG_PTR_TO_UNINIT_MAP_VALUE,  /* value_size writable bytes */
	ARG_PTR_TO_MEM,               /* readable, size in the next argument */
	ARG_PTR_TO_MEM_OR_NULL,       /* the same, or NULL with a size of 0 */
	ARG_PTR_TO_UNINIT_MEM,        /* writable, size in the next argument */
	ARG_CONST_SIZE,               /* size of the previous argument, > 0 */
	ARG_CONST_SIZE_OR_ZERO,       /* size of the previous argument, >= 0 */
	ARG_PTR_TO_CTX,               /* the program's context */
	ARG_PTR_TO_CTX_OR_NULL,       /* the program's context, or NULL */
	ARG_PTR_TO_FUNC,              /* a callback (lddw function reference) */
	ARG_PTR_TO_STACK_OR_NULL,     /* callback context */
	ARG_PTR_TO_CONST_STR,         /* NUL-terminated string in a read-only map */
	ARG_PTR_TO_SPIN_LOCK,         /* struct bpf_spin_lock in a map value */
	ARG_PTR_TO_RINGBUF_MEM,       /* a ring buffer reservation */
	ARG_CONST_ALLOC_SIZE_OR_ZERO, /* size to allocate */
	ARG_PTR_TO_LONG,              /* writable 8 bytes */
};

/* What a helper returns. */
enum helper_ret {
	RET_INTEGER = 0,
	RET_VOID,
	RET_PTR_TO_MAP_VALUE_OR_NULL,
	RET_PTR_TO_RINGBUF_MEM_OR_NULL,
};

struct helper_proto {
	int32_t id;
	/* NULL: the engine provides it (it re-enters the interpreter:
	 * tail calls, callbacks). */
	uebpf_helper_fn fn;
	uint8_t ret;     /* enum helper_ret */
	uint8_t args[5]; /* enum helper_arg */
	/* Memory arguments may point into the packet (the kernel's
	 * pkt_access): the helper neither moves it nor keeps the pointer. */
	bool pkt_access;
};

/* The prototype of helper id, or NULL if uebpf does not provide it. */
const struct helper_proto *helper_proto(int32_t id);
/* All prototypes; *count receives their number. */
const struct helper_proto *helper_protos(size_t *count);

/* Implementations, in the files of this folder. */
#define HELPER(name)                                                             \
	uint64_t helper_##name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, \
			       uint64_t r5, struct uebpf_exec *exec)
HELPER(map_lookup_elem);
HELPER(map_lookup_percpu_elem);
HELPER(map_update_elem);
HELPER(map_delete_elem);
HELPER(map_push_elem);
HELPER(map_pop_elem);
HELPER(map_peek_elem);
HELPER(get_stackid);
HELPER(get_stack);
HELPER(perf_event_output);
HELPER(trace_printk);
HELPER(trace_vprintk);
HELPER(snprintf);
HELPER(strncmp);
HELPER(spin_lock);
HELPER(spin_unlock);
HELPER(ringbuf_output);
HELPER(ringbuf_reserve);
HELPER(ringbuf_submit);
HELPER(ringbuf_discard);
HELPER(ringbuf_query);
HELPER(ktime_get_ns);
HELPER(ktime_get_boot_ns);
HELPER(ktime_get_coarse_ns);
HELPER(ktime_get_tai_ns);
HELPER(jiffies64);
HELPER(get_prandom_u32);
HELPER(get_smp_processor_id);
HELPER(get_numa_node_id);
HELPER(get_current_pid_tgid);
HELPER(get_current_uid_gid);
HELPER(get_current_comm);
HELPER(probe_read_user);
/* The current thread's cgroup (cgroup_helpers.c). */
HELPER(get_current_cgroup_id);
HELPER(get_current_ancestor_cgroup_id);
HELPER(current_task_under_cgroup);
/* Socket helpers (sock_helpers.c). */
HELPER(get_socket_cookie);
HELPER(get_netns_cookie);
HELPER(setsockopt);
HELPER(getsockopt);
HELPER(sock_ops_cb_flags_set);
HELPER(skb_under_cgroup);
HELPER(probe_read_user_str);
/* Packet helpers (pkt_helpers.c). */
/* XDP and the __sk_buff types: the program types whose context holds a
 * packet. */
bool packet_ctx_type(uint32_t prog_type);
/* The first len bytes of the packet of the context r1 points to (XDP:
 * its fragments included) into out; -EFAULT when it is shorter. */
int packet_ctx_head(struct uebpf_exec *exec, uint64_t r1, uint64_t len, uint8_t *out);
HELPER(skb_load_bytes);
HELPER(skb_load_bytes_relative);
HELPER(skb_store_bytes);
HELPER(l3_csum_replace);
HELPER(l4_csum_replace);
HELPER(csum_diff);
HELPER(csum_update);
HELPER(skb_pull_data);
HELPER(skb_change_head);
HELPER(skb_change_tail);
HELPER(skb_adjust_room);
HELPER(skb_change_proto);
HELPER(skb_vlan_push);
HELPER(skb_vlan_pop);
HELPER(get_hash_recalc);
HELPER(set_hash_invalid);
HELPER(set_hash);
HELPER(skb_ecn_set_ce);
HELPER(skb_get_tunnel_key);
HELPER(skb_get_tunnel_opt);
HELPER(skb_set_tunnel_key);
HELPER(skb_set_tunnel_opt);
HELPER(redirect);
HELPER(redirect_map);
HELPER(clone_redirect);
HELPER(get_cgroup_classid);
HELPER(xdp_adjust_head);
HELPER(xdp_adjust_tail);
HELPER(xdp_adjust_meta);
HELPER(xdp_load_bytes);
HELPER(xdp_store_bytes);
HELPER(xdp_get_buff_len);
/* Routes and neighbours of the host (fib_lookup.c). */
HELPER(fib_lookup);

#endif /* UEBPF_HELPERS_HELPERS_H */
