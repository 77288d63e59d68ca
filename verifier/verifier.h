/* SPDX-License-Identifier: MIT */
/*
 * The verifier: decides, before a program runs, that it terminates, only
 * touches memory it was given, calls helpers as their prototypes say and
 * releases what it acquires. It works as the kernel's does (a control-flow
 * pass, then abstract interpretation of every path with states pruned at
 * jump targets) and answers with the kernel's messages, so that a program
 * the kernel accepts loads here and one it refuses is refused here, for
 * the same reason.
 *
 * After acceptance it rewrites context accesses for uebpf's runtime
 * contexts (progtypes/), as the kernel's convert_ctx_accesses does.
 */
#ifndef UEBPF_VERIFIER_VERIFIER_H
#define UEBPF_VERIFIER_VERIFIER_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/isa.h"

/* What the verifier knows of a map a program refers to. */
struct vmap {
	uint32_t type, key_size, value_size, max_entries, flags;
	uint32_t id;
	bool frozen;
	/* Offset of a struct bpf_spin_lock in the value (from BTF), or -1. */
	int32_t spin_lock_off;
	/* A frozen map programs may only read (global .rodata): its
	 * values, so loads from it give known numbers; else NULL. */
	const uint8_t *rodata;
	const char *name;
	/* Map-in-map: the inner maps' template, or NULL. */
	const struct vmap *inner;
};

/* Where an instruction comes from, for messages (BTF line info). */
struct verifier_line {
	uint32_t insn_off;
	uint32_t line;
	const char *file;
	const char *text;
};

/* What BTF says of a subprogram (the object loader fills these in). */
enum verifier_arg {
	VARG_SCALAR = 1, /* a number */
	VARG_CTX,        /* the program's context */
	VARG_MEM,        /* a pointer to arg_size bytes, or NULL */
	VARG_OTHER,      /* a type global functions cannot take */
};

struct verifier_func {
	uint32_t insn_off; /* its first instruction */
	const char *name;
	/* A global function: verified on its own from its BTF signature,
	 * and its calls checked against that signature (the kernel's rule;
	 * static functions are verified as part of each call). */
	bool global;
	bool returns_void;
	uint8_t nargs;
	uint8_t arg[5];        /* enum verifier_arg */
	uint32_t arg_size[5];  /* VARG_MEM */
};

struct verifier_opts {
	enum bpf_prog_type prog_type;
	enum bpf_attach_type expected_attach_type;
	uint32_t prog_flags; /* BPF_F_STRICT_ALIGNMENT, ... */
	/* The map behind the fd of an lddw map reference (src 1 or 2), or
	 * NULL if it is not one. */
	const struct vmap *(*map_by_fd)(void *arg, int fd);
	void *map_arg;
	bool gpl; /* GPL-compatible license: may call GPL-only helpers */
	const struct verifier_line *lines; /* by increasing insn_off, or NULL */
	size_t line_cnt;
	/* BTF of the subprograms, when the program comes from an object
	 * with BTF; NULL: all static, returning int. */
	const struct verifier_func *funcs;
	size_t func_cnt;
	/* The log, as the kernel's: level 1 the path to a rejection, 2 every
	 * instruction with its state; bit 4 (BPF_LOG_STATS) statistics. */
	char *log_buf;
	size_t log_size;
	uint32_t log_level;
};

struct verifier_stats {
	uint32_t insn_processed;
	uint32_t total_states, peak_states;
	uint32_t max_states_per_insn;
	uint32_t stack_depth; /* of the main program, bytes */
	uint64_t time_ns;
};

/*
 * Verifies insns. On acceptance returns 0 and, in *out / *out_cnt, the
 * program to run (context accesses converted; the caller frees it); on
 * rejection -EACCES or -EINVAL with the reason at the end of the log
 * (when a log buffer is given: the whole buffer is NUL-terminated, a
 * log that did not fit is cut at its start, ENOSPC is not reported).
 * -ENOMEM on allocation failure, -E2BIG when the program is too complex.
 */
int verify_program(const struct uebpf_insn *insns, size_t cnt, const struct verifier_opts *opts,
		   struct uebpf_insn **out, size_t *out_cnt, struct verifier_stats *stats);

#endif /* UEBPF_VERIFIER_VERIFIER_H */
