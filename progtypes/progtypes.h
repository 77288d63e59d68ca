/* SPDX-License-Identifier: MIT */
/*
 * Program types: per type, what the context is (the kernel's UAPI struct
 * a program sees: xdp_md, __sk_buff, pt_regs, ...), which context offsets
 * and sizes may be read or written and what a read gives (a scalar, a
 * packet pointer, ...), which helpers may be called, which return values
 * are allowed, and how a context access is rewritten to reach uebpf's own
 * runtime context (struct uebpf_*_ctx in <uebpf/progtypes.h>, where
 * pointers are 64 bits wide), as the kernel's convert_ctx_access rewrites
 * it to reach its sk_buff or xdp_buff.
 */
#ifndef UEBPF_PROGTYPES_PROGTYPES_H
#define UEBPF_PROGTYPES_PROGTYPES_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/isa.h"

/* What a valid context read gives. */
enum ctx_result {
	CTX_SCALAR = 0,
	CTX_PACKET,        /* ctx->data */
	CTX_PACKET_END,    /* ctx->data_end */
	CTX_PACKET_META,   /* ctx->data_meta */
	CTX_SOCK_OR_NULL,  /* __sk_buff->sk (a struct bpf_sock, may be NULL) */
	CTX_SOCK,          /* bpf_sock_addr->sk (a struct bpf_sock, never NULL) */
};

struct ctx_access {
	uint8_t result;   /* enum ctx_result */
	/* The field's full size when the access is narrower (a narrow load
	 * of a 4-byte field); 0 when the access is the whole field. */
	uint8_t field_size;
};

/*
 * Attach types of kernels newer than the <linux/bpf.h> uebpf is built
 * with (values from the kernel's enum bpf_attach_type).
 */
#define PROGTYPE_CGROUP_UNIX_CONNECT 49
#define PROGTYPE_CGROUP_UNIX_SENDMSG 50
#define PROGTYPE_CGROUP_UNIX_RECVMSG 51
#define PROGTYPE_CGROUP_UNIX_GETPEERNAME 52
#define PROGTYPE_CGROUP_UNIX_GETSOCKNAME 53
#define PROGTYPE_TRACE_KPROBE_SESSION 56
#define PROGTYPE_TRACE_UPROBE_SESSION 57

/* The attach details the rules depend on. */
struct prog_target {
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
};

struct progtype {
	enum bpf_prog_type type;
	const char *name;      /* "xdp", "sched_cls", ... as bpftool names it */
	uint32_t ctx_size;     /* the UAPI context's size */
	/*
	 * Whether a load (write false) or store (write true) of size bytes at
	 * off into the context is allowed; fills *acc. The kernel's
	 * is_valid_access for the type, same answers.
	 */
	bool (*is_valid_access)(const struct prog_target *t, int off, int size, bool write,
				struct ctx_access *acc);
	/*
	 * Rewrites one valid context access (a BPF_LDX (BPF_MEM or BPF_MEMSX),
	 * BPF_STX or BPF_ST of the original program, base register pointing at the context with the
	 * given constant off) into instructions that do the same on the
	 * runtime context. Writes at most cap instructions to out and returns
	 * their number; 0 means the instruction stays as it is; negative
	 * errno on error. May use only the instruction's own registers (and
	 * the kernel's convention: a temporary may not be needed for any
	 * field uebpf supports).
	 */
	int (*convert_ctx_access)(const struct prog_target *t, const struct uebpf_insn *insn,
				  struct uebpf_insn *out, size_t cap);
	/* Whether a program of this type may call helper func_id. */
	bool (*helper_allowed)(const struct prog_target *t, int32_t func_id);
	/*
	 * The return values the kernel's check_return_code allows, as a
	 * range [*min, *max]; false when any value is allowed.
	 */
	bool (*return_range)(const struct prog_target *t, int64_t *min, int64_t *max);
	/* Packet pointers may be written through (direct packet access). */
	bool packet_write;
};

/* The rules of a program type, or NULL when uebpf does not support it. */
const struct progtype *progtype_get(enum bpf_prog_type type);

/* Every program type uebpf supports, in the order of their kernel ids;
 * *count is set to their number. */
const struct progtype *const *progtype_all(size_t *count);

/* Helpers every program type may call (bpf_base_func_proto's set). */
bool progtype_base_helper(int32_t func_id);

#endif /* UEBPF_PROGTYPES_PROGTYPES_H */
