/* SPDX-License-Identifier: MIT */
/*
 * The tracing program types: kprobe (struct pt_regs), tracepoint (the
 * tracepoint's record), raw_tracepoint (u64 arguments), perf_event
 * (struct bpf_perf_event_data) and lsm (u64 arguments of the hook).
 *
 * Their contexts hold no 32-bit pointer field, so programs run on the
 * UAPI layout itself and no access is rewritten. The access rules are
 * those of the kernel's kernel/trace/bpf_trace.c and, for lsm, of its
 * BTF context check without the hook's types (see lsm below).
 */
#include <stddef.h>
#include <sys/types.h>
#include <asm/ptrace.h>
#include <linux/bpf_perf_event.h>

#include "progtypes/internal.h"

/* The largest tracepoint record (the kernel's PERF_MAX_TRACE_SIZE). */
#define TRACEPOINT_MAX_SIZE 8192
/* Arguments of a raw tracepoint or an lsm hook (MAX_BPF_FUNC_ARGS). */
#define MAX_ARGS 12

_Static_assert(sizeof(struct pt_regs) == 168, "x86-64 struct pt_regs");

static int no_conversion(const struct prog_target *t, const struct uebpf_insn *insn,
			 struct uebpf_insn *out, size_t cap)
{
	(void)t, (void)insn, (void)out, (void)cap;
	return 0;
}

static bool tracing_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return progtype_base_helper(id) || progtype_tracing_helper(id);
}

/* ---- kprobe ---- */

/* Any aligned read inside struct pt_regs. */
static bool kprobe_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				   struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	return off >= 0 && off < (int)sizeof(struct pt_regs) && !write && off % size == 0 &&
	       off + size <= (int)sizeof(struct pt_regs);
}

/* Session probes (entry and return in one program) return 0 (run the
 * return probe) or 1 (skip it); other probes any value. */
static bool kprobe_return_range(const struct prog_target *t, int64_t *min, int64_t *max)
{
	if (t->expected_attach_type != PROGTYPE_TRACE_KPROBE_SESSION &&
	    t->expected_attach_type != PROGTYPE_TRACE_UPROBE_SESSION)
		return false;
	*min = 0;
	*max = 1;
	return true;
}

const struct progtype progtype_kprobe = {
	.type = BPF_PROG_TYPE_KPROBE,
	.name = "kprobe",
	.ctx_size = sizeof(struct pt_regs),
	.is_valid_access = kprobe_is_valid_access,
	.convert_ctx_access = no_conversion,
	.helper_allowed = tracing_helper,
	.return_range = kprobe_return_range,
};

/* ---- tracepoint ---- */

/*
 * Aligned reads past the first 8 bytes (the record's common fields).
 * The kernel also accepts every negative offset (its bound check
 * compares a negative int with a size_t); uebpf refuses them, as they
 * would read memory before the record.
 */
static bool tp_is_valid_access(const struct prog_target *t, int off, int size, bool write,
			       struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	return off >= 8 && off < TRACEPOINT_MAX_SIZE && !write && off % size == 0;
}

const struct progtype progtype_tracepoint = {
	.type = BPF_PROG_TYPE_TRACEPOINT,
	.name = "tracepoint",
	.ctx_size = TRACEPOINT_MAX_SIZE,
	.is_valid_access = tp_is_valid_access,
	.convert_ctx_access = no_conversion,
	.helper_allowed = tracing_helper,
	.return_range = return_any,
};

/* ---- raw_tracepoint ---- */

/* Aligned reads of the arguments, whole or in part. */
static bool raw_tp_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				   struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	return off >= 0 && off < MAX_ARGS * 8 && !write && off % size == 0;
}

const struct progtype progtype_raw_tracepoint = {
	.type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.name = "raw_tracepoint",
	.ctx_size = MAX_ARGS * 8,
	.is_valid_access = raw_tp_is_valid_access,
	.convert_ctx_access = no_conversion,
	.helper_allowed = tracing_helper,
	.return_range = return_any,
};

/* ---- perf_event ---- */

#define PE(f) offsetof(struct bpf_perf_event_data, f)

/* The registers are read whole (8 bytes); sample_period and addr whole
 * or in part. */
static bool pe_is_valid_access(const struct prog_target *t, int off, int size, bool write,
			       struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (off < 0 || off >= (int)sizeof(struct bpf_perf_event_data) || write ||
	    off % size != 0)
		return false;
	if (in_field(off, PE(sample_period), 8) || in_field(off, PE(addr), 8)) {
		if (!ctx_narrow_ok(size, 8))
			return false;
		if (size < 8)
			acc->field_size = 8;
		return true;
	}
	return size == 8;
}

static const int32_t perf_event_helpers[] = {
	BPF_FUNC_perf_prog_read_value,
	BPF_FUNC_read_branch_records,
};

static bool pe_helper(const struct prog_target *t, int32_t id)
{
	return tracing_helper(t, id) || HELPER_IN(perf_event_helpers, id);
}

const struct progtype progtype_perf_event = {
	.type = BPF_PROG_TYPE_PERF_EVENT,
	.name = "perf_event",
	.ctx_size = sizeof(struct bpf_perf_event_data),
	.is_valid_access = pe_is_valid_access,
	.convert_ctx_access = no_conversion,
	.helper_allowed = pe_helper,
	.return_range = return_any,
};

/* ---- lsm ---- */

/*
 * The kernel checks an lsm program's context reads against the BTF of
 * the hook it attaches to: aligned to 8 bytes, an argument of the hook
 * (or, for BPF_LSM_MAC, the slot after the last one: the return value
 * so far), pointers typed. Without the hook, uebpf allows what every
 * hook allows at most: reads at multiples of 8 in the 12 argument slots;
 * attaching checks the hook's arity.
 */
static bool lsm_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	return off >= 0 && off < MAX_ARGS * 8 && !write && off % size == 0 && off % 8 == 0;
}

/* The kernel's bpf_lsm_func_proto and, below it, the BTF tracing
 * programs' helpers. */
static const int32_t lsm_helpers[] = {
	BPF_FUNC_inode_storage_get, BPF_FUNC_inode_storage_delete, BPF_FUNC_sk_storage_get,
	BPF_FUNC_sk_storage_delete, BPF_FUNC_bprm_opts_set, BPF_FUNC_ima_inode_hash,
	BPF_FUNC_ima_file_hash, BPF_FUNC_d_path, BPF_FUNC_get_func_arg, BPF_FUNC_get_func_ret,
	BPF_FUNC_get_func_arg_cnt, BPF_FUNC_skb_output, BPF_FUNC_xdp_output,
	BPF_FUNC_sock_from_file, BPF_FUNC_get_socket_cookie, BPF_FUNC_skc_to_tcp6_sock,
	BPF_FUNC_skc_to_tcp_sock, BPF_FUNC_skc_to_tcp_timewait_sock,
	BPF_FUNC_skc_to_tcp_request_sock, BPF_FUNC_skc_to_udp6_sock, BPF_FUNC_skc_to_unix_sock,
	BPF_FUNC_skc_to_mptcp_sock,
};

/* Programs attached to a cgroup (BPF_LSM_CGROUP) also get the cgroup
 * programs' helpers. */
static const int32_t lsm_cgroup_helpers[] = {
	BPF_FUNC_get_local_storage, BPF_FUNC_get_retval, BPF_FUNC_set_retval,
	BPF_FUNC_setsockopt, BPF_FUNC_getsockopt,
};

static bool lsm_helper(const struct prog_target *t, int32_t id)
{
	if (tracing_helper(t, id) || HELPER_IN(lsm_helpers, id))
		return true;
	return t->expected_attach_type == BPF_LSM_CGROUP && HELPER_IN(lsm_cgroup_helpers, id);
}

/* A hook returning int returns 0 or a negative errno; a program attached
 * to a cgroup returns 1 (allow) or 0 (deny). (Hooks returning void or
 * bool differ; uebpf's lsm hooks all return int.) */
static bool lsm_return_range(const struct prog_target *t, int64_t *min, int64_t *max)
{
	*min = t->expected_attach_type == BPF_LSM_CGROUP ? 0 : -4095;
	*max = t->expected_attach_type == BPF_LSM_CGROUP ? 1 : 0;
	return true;
}

const struct progtype progtype_lsm = {
	.type = BPF_PROG_TYPE_LSM,
	.name = "lsm",
	.ctx_size = MAX_ARGS * 8,
	.is_valid_access = lsm_is_valid_access,
	.convert_ctx_access = no_conversion,
	.helper_allowed = lsm_helper,
	.return_range = lsm_return_range,
};
