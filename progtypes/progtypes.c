/* SPDX-License-Identifier: MIT */
/*
 * The registry of program types, the helper sets they share, and the
 * table-driven rewriting of context accesses.
 *
 * The helper sets are those of the kernel this project tests against
 * (6.18, x86-64, a privileged loader), restricted to the helper ids of
 * <linux/bpf.h>; tests/kernel/progtypes_kernel_diff_test.c compares them
 * with the kernel's answers.
 */
#include <errno.h>

#include "progtypes/internal.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif

/* In the order of the kernel's enum bpf_prog_type. */
static const struct progtype *const all_types[] = {
	&progtype_socket_filter, &progtype_kprobe,     &progtype_sched_cls,
	&progtype_sched_act,     &progtype_tracepoint, &progtype_xdp,
	&progtype_perf_event,    &progtype_cgroup_skb, &progtype_cgroup_sock,
	&progtype_lwt_in,        &progtype_lwt_out,    &progtype_lwt_xmit,
	&progtype_sock_ops,      &progtype_sk_skb,     &progtype_cgroup_device,
	&progtype_sk_msg,        &progtype_raw_tracepoint, &progtype_cgroup_sock_addr,
	&progtype_lwt_seg6local, &progtype_sk_reuseport, &progtype_cgroup_sysctl,
	&progtype_cgroup_sockopt, &progtype_lsm,      &progtype_sk_lookup,
};

const struct progtype *progtype_get(enum bpf_prog_type type)
{
	for (size_t i = 0; i < sizeof(all_types) / sizeof(all_types[0]); i++)
		if (all_types[i]->type == type)
			return all_types[i];
	return NULL;
}

const struct progtype *const *progtype_all(size_t *count)
{
	*count = sizeof(all_types) / sizeof(all_types[0]);
	return all_types;
}

int ctx_access_unchanged(const struct prog_target *t, const struct uebpf_insn *insn,
			 struct uebpf_insn *out, size_t cap)
{
	(void)t, (void)insn, (void)out, (void)cap;
	return 0;
}

bool return_any(const struct prog_target *t, int64_t *min, int64_t *max)
{
	(void)t, (void)min, (void)max;
	return false;
}

bool return_zero_or_one(const struct prog_target *t, int64_t *min, int64_t *max)
{
	(void)t;
	*min = 0;
	*max = 1;
	return true;
}

bool helper_in(const int32_t *list, size_t n, int32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

/*
 * What every program type may call: the kernel's bpf_base_func_proto for
 * a loader with CAP_BPF and CAP_PERFMON (maps, time, randomness, ring
 * buffers, dynptrs, timers, spin locks, loops, string helpers, the
 * current task and its cgroup, probe reads, printing).
 */
static const int32_t base_helpers[] = {
	BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem, BPF_FUNC_map_delete_elem,
	BPF_FUNC_map_push_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_peek_elem,
	BPF_FUNC_map_lookup_percpu_elem, BPF_FUNC_for_each_map_elem, BPF_FUNC_tail_call,
	BPF_FUNC_ktime_get_ns, BPF_FUNC_ktime_get_boot_ns, BPF_FUNC_ktime_get_tai_ns,
	BPF_FUNC_jiffies64, BPF_FUNC_get_prandom_u32, BPF_FUNC_get_smp_processor_id,
	BPF_FUNC_get_numa_node_id, BPF_FUNC_trace_printk, BPF_FUNC_trace_vprintk,
	BPF_FUNC_snprintf, BPF_FUNC_snprintf_btf, BPF_FUNC_strtol, BPF_FUNC_strtoul,
	BPF_FUNC_strncmp, BPF_FUNC_loop, BPF_FUNC_spin_lock, BPF_FUNC_spin_unlock,
	BPF_FUNC_timer_init, BPF_FUNC_timer_set_callback, BPF_FUNC_timer_start,
	BPF_FUNC_timer_cancel, BPF_FUNC_kptr_xchg, BPF_FUNC_per_cpu_ptr, BPF_FUNC_this_cpu_ptr,
	BPF_FUNC_ringbuf_output, BPF_FUNC_ringbuf_reserve, BPF_FUNC_ringbuf_submit,
	BPF_FUNC_ringbuf_discard, BPF_FUNC_ringbuf_query, BPF_FUNC_ringbuf_reserve_dynptr,
	BPF_FUNC_ringbuf_submit_dynptr, BPF_FUNC_ringbuf_discard_dynptr,
	BPF_FUNC_user_ringbuf_drain, BPF_FUNC_dynptr_from_mem, BPF_FUNC_dynptr_read,
	BPF_FUNC_dynptr_write, BPF_FUNC_dynptr_data,
	/* the current task */
	BPF_FUNC_get_current_pid_tgid, BPF_FUNC_get_current_uid_gid, BPF_FUNC_get_current_comm,
	BPF_FUNC_get_current_task, BPF_FUNC_get_current_task_btf, BPF_FUNC_get_ns_current_pid_tgid,
	BPF_FUNC_get_current_cgroup_id, BPF_FUNC_get_current_ancestor_cgroup_id,
	BPF_FUNC_current_task_under_cgroup, BPF_FUNC_get_cgroup_classid, BPF_FUNC_task_pt_regs,
	BPF_FUNC_get_task_stack, BPF_FUNC_task_storage_get, BPF_FUNC_task_storage_delete,
	BPF_FUNC_find_vma, BPF_FUNC_send_signal, BPF_FUNC_send_signal_thread,
	/* reading memory */
	BPF_FUNC_probe_read_user, BPF_FUNC_probe_read_kernel, BPF_FUNC_probe_read_user_str,
	BPF_FUNC_probe_read_kernel_str, BPF_FUNC_copy_from_user, BPF_FUNC_copy_from_user_task,
	/* perf counters and branch records */
	BPF_FUNC_perf_event_read, BPF_FUNC_perf_event_read_value, BPF_FUNC_get_branch_snapshot,
};

bool progtype_base_helper(int32_t func_id)
{
	return HELPER_IN(base_helpers, func_id);
}

/* The kernel's bpf_sk_base_func_proto beyond the base set. */
static const int32_t sk_base_helpers[] = {
	BPF_FUNC_skc_to_tcp6_sock,        BPF_FUNC_skc_to_tcp_sock,
	BPF_FUNC_skc_to_tcp_timewait_sock, BPF_FUNC_skc_to_tcp_request_sock,
	BPF_FUNC_skc_to_udp6_sock,        BPF_FUNC_skc_to_unix_sock,
	BPF_FUNC_skc_to_mptcp_sock,       BPF_FUNC_ktime_get_coarse_ns,
};

bool progtype_sk_base_helper(int32_t func_id)
{
	return HELPER_IN(sk_base_helpers, func_id);
}

/* kprobe, tracepoint and raw_tracepoint beyond the base set (the
 * kernel's bpf_tracing_func_proto and the types' own stack helpers). */
static const int32_t tracing_helpers[] = {
	BPF_FUNC_perf_event_output, BPF_FUNC_get_stackid,   BPF_FUNC_get_stack,
	BPF_FUNC_probe_read,        BPF_FUNC_probe_read_str, BPF_FUNC_get_func_ip,
	BPF_FUNC_get_attach_cookie,
};

bool progtype_tracing_helper(int32_t func_id)
{
	return HELPER_IN(tracing_helpers, func_id);
}

/* ---- rewriting context accesses ---- */

static int size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static uint8_t size_code(int bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	default: return BPF_DW;
	}
}

static struct uebpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct uebpf_insn in = { .code = code, .dst_reg = dst & 0xf, .src_reg = src & 0xf,
				 .off = off, .imm = imm };
	return in;
}

int convert_with_fields(const struct ctx_field *fields, size_t n, const struct uebpf_insn *insn,
			struct uebpf_insn *out, size_t cap)
{
	uint8_t cls = BPF_CLASS(insn->code), mode = BPF_MODE(insn->code);
	bool load = cls == BPF_LDX;
	if (!(load && (mode == BPF_MEM || mode == BPF_MEMSX)) &&
	    !((cls == BPF_STX || cls == BPF_ST) && mode == BPF_MEM))
		return -EINVAL;
	int size = size_bytes(insn->code), off = insn->off;
	const struct ctx_field *f = NULL;
	for (size_t i = 0; i < n; i++)
		if (in_field(off, fields[i].uapi_off, fields[i].uapi_size)) {
			f = &fields[i];
			break;
		}
	if (!f || off + size > f->uapi_off + f->uapi_size)
		return -EINVAL;

	struct uebpf_insn buf[5];
	size_t cnt = 0;
	int rel = off - f->uapi_off; /* byte offset of the access in the field */
	if (f->kind == FIELD_BYTES) {
		buf[cnt] = *insn;
		buf[cnt++].off = (int16_t)(f->rt_off + rel);
	} else if (load) {
		if (f->kind == FIELD_POINTER) {
			if (size != f->uapi_size || mode != BPF_MEM)
				return -EINVAL;
			buf[cnt++] = mk(BPF_LDX | BPF_MEM | BPF_DW, insn->dst_reg, insn->src_reg,
					(int16_t)f->rt_off, 0);
		} else {
			buf[cnt++] = mk(BPF_LDX | BPF_MEM | size_code(f->rt_size), insn->dst_reg,
					insn->src_reg, (int16_t)f->rt_off, 0);
			/* The kernel masks only when the read is narrower than the
			 * UAPI field and than the width it loaded (its target size). */
			if (size < f->uapi_size && size < f->rt_size) {
				uint8_t alu = f->uapi_size <= 4 ? BPF_ALU : BPF_ALU64;
				if (rel)
					buf[cnt++] = mk(alu | BPF_RSH | BPF_K, insn->dst_reg, 0, 0,
							rel * 8);
				buf[cnt++] = mk(BPF_ALU | BPF_AND | BPF_K, insn->dst_reg, 0, 0,
						(int32_t)((1ull << (size * 8)) - 1));
			}
		}
		if (mode == BPF_MEMSX) /* sign-extend the result (movsx) */
			buf[cnt++] = mk(BPF_ALU64 | BPF_MOV | BPF_X, insn->dst_reg, insn->dst_reg,
					(int16_t)(size * 8), 0);
	} else {
		if (f->kind == FIELD_POINTER || size != f->uapi_size)
			return -EINVAL;
		uint8_t sz = size_code(f->rt_size);
		if (f->kind == FIELD_QUEUE_MAPPING) {
			/* The kernel ignores a queue mapping of 0xffff (none) or more. */
			if (cls == BPF_ST && insn->imm >= 0xffff) {
				buf[cnt++] = mk(BPF_JMP | BPF_JA, 0, 0, 0, 0);
				goto done;
			}
			if (cls == BPF_STX)
				buf[cnt++] = mk(BPF_JMP | BPF_JGE | BPF_K, insn->src_reg, 0, 1, 0xffff);
		}
		buf[cnt++] = mk((uint8_t)(cls | BPF_MEM | sz), insn->dst_reg, insn->src_reg,
				(int16_t)f->rt_off, insn->imm);
	}
done:
	if (cnt > cap)
		return -ENOSPC;
	for (size_t i = 0; i < cnt; i++)
		out[i] = buf[i];
	return (int)cnt;
}
