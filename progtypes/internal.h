/* SPDX-License-Identifier: MIT */
/*
 * What the program types share: the kernel's narrow-access rule, helper
 * lists, and the rewriting of a context access through a table of fields
 * (UAPI offset and size -> runtime offset and width).
 */
#ifndef UEBPF_PROGTYPES_INTERNAL_H
#define UEBPF_PROGTYPES_INTERNAL_H

#include "progtypes/progtypes.h"

extern const struct progtype progtype_socket_filter, progtype_kprobe, progtype_sched_cls,
	progtype_sched_act, progtype_tracepoint, progtype_xdp, progtype_perf_event,
	progtype_cgroup_skb, progtype_cgroup_sock, progtype_sock_ops, progtype_raw_tracepoint,
	progtype_cgroup_sock_addr, progtype_lsm, progtype_lwt_in, progtype_lwt_out,
	progtype_lwt_xmit, progtype_sk_skb, progtype_lwt_seg6local, progtype_sk_msg,
	progtype_sk_reuseport, progtype_sk_lookup, progtype_cgroup_device, progtype_cgroup_sysctl,
	progtype_cgroup_sockopt;

/* The kernel's bpf_ctx_narrow_access_ok: a read of size bytes of a field
 * of field_size bytes (the offset is already a multiple of size). */
static inline bool ctx_narrow_ok(int size, int field_size)
{
	return size <= field_size && (size & (size - 1)) == 0;
}

/* A read of a 4-byte field, whole or narrow (recording the field's
 * size for a narrow one). */
static inline bool ctx_narrow_word(int size, struct ctx_access *acc)
{
	if (size < 4)
		acc->field_size = 4;
	return ctx_narrow_ok(size, 4);
}

/* The kernel's bpf_ctx_wide_access_ok: an aligned 8-byte access inside
 * an array of 4-byte fields [start, end). */
static inline bool ctx_wide_ok(int off, int size, int start, int end)
{
	return size == 8 && off >= start && off + 8 <= end && off % 8 == 0;
}

/* Whether off falls in the field [start, start + size). */
static inline bool in_field(int off, int start, int size)
{
	return off >= start && off < start + size;
}

/* A scalar result, the whole field (the default of is_valid_access). */
static inline void ctx_access_scalar(struct ctx_access *acc)
{
	acc->result = CTX_SCALAR;
	acc->field_size = 0;
}

/* For types whose runtime context has the UAPI layout: accesses stay. */
int ctx_access_unchanged(const struct prog_target *t, const struct uebpf_insn *insn,
			 struct uebpf_insn *out, size_t cap);
/* Return ranges: any value, or [0, 1]. */
bool return_any(const struct prog_target *t, int64_t *min, int64_t *max);
bool return_zero_or_one(const struct prog_target *t, int64_t *min, int64_t *max);

/* Whether id is in list (helper ids). */
bool helper_in(const int32_t *list, size_t n, int32_t id);
#define HELPER_IN(list, id) helper_in(list, sizeof(list) / sizeof(list[0]), id)

/* Helpers of the tracing types (kprobe, tracepoint, raw_tracepoint,
 * perf_event, lsm) beyond the base set. */
bool progtype_tracing_helper(int32_t func_id);
/* The socket helpers every networking type may call (the kernel's
 * bpf_sk_base_func_proto beyond the base set). */
bool progtype_sk_base_helper(int32_t func_id);

/* How a UAPI field reaches the runtime context. */
enum ctx_field_kind {
	FIELD_SCALAR,        /* a value of rt_size bytes; narrow reads shift and mask */
	FIELD_POINTER,       /* a pointer: any read loads the 64-bit runtime pointer */
	FIELD_BYTES,         /* scratch bytes (cb[]): every access maps byte for byte */
	FIELD_QUEUE_MAPPING, /* a scalar whose stores of 0xffff and more are dropped */
};

struct ctx_field {
	uint16_t uapi_off;
	uint8_t uapi_size;
	uint8_t kind;    /* enum ctx_field_kind */
	uint16_t rt_off;
	uint8_t rt_size; /* the width the kernel gives the field (its target size) */
};

/*
 * Rewrites one context access through the table, as the kernel's
 * convert_ctx_accesses does with a type's convert_ctx_access: a load of
 * the whole field at its runtime width, then for a read narrower than
 * both the UAPI field and that width a shift right by the byte offset
 * and a mask; a store of the field's runtime width. Returns the number
 * of instructions written to out, or -EINVAL (no such field, atomic,
 * misshaped), -ENOSPC (cap too small).
 */
int convert_with_fields(const struct ctx_field *fields, size_t n, const struct uebpf_insn *insn,
			struct uebpf_insn *out, size_t cap);

#endif /* UEBPF_PROGTYPES_INTERNAL_H */
