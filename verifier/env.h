/* SPDX-License-Identifier: MIT */
/*
 * The verifier's working state, shared by its files: check.c (the walk
 * over paths, ALU, jumps, pruning), mem.c (memory accesses), calls.c
 * (helpers, bpf-to-bpf calls, exits) and log.c (the log).
 */
#ifndef UEBPF_VERIFIER_ENV_H
#define UEBPF_VERIFIER_ENV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progtypes/progtypes.h"
#include "verifier/cfg.h"
#include "verifier/reg.h"
#include "verifier/verifier.h"

#undef MAX_BPF_REG
#define MAX_BPF_REG 11
/* UAPI names missing from older <linux/bpf.h>. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100
#define BPF_STORE_REL 0x110
#endif
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif
#define MAX_CALL_FRAMES 8
#define MAX_BPF_STACK 512
#define COMPLEXITY_LIMIT_INSNS 1000000
#define COMPLEXITY_LIMIT_JMP_SEQ 8192
#define MAX_REFS 64

/* What a stack byte holds. */
enum stack_byte {
	STACK_INVALID = 0, /* nothing written: reading it is an error */
	STACK_SPILL,       /* part of a spilled register (the slot's spilled) */
	STACK_MISC,        /* some scalar bytes */
	STACK_ZERO,        /* known zero */
};

/* 8 bytes of stack: slot i covers fp-8*(i+1) .. fp-8*i-1; byte[0] is the
 * lowest address. */
struct stack_slot {
	struct reg_state spilled;
	uint8_t byte[8];
};

struct func_state {
	struct reg_state regs[MAX_BPF_REG];
	int32_t callsite; /* the call instruction, -1 for the main program */
	uint32_t frameno;
	uint32_t subprogno;
	uint32_t nr_slots;
	struct stack_slot *stack;
	/* A callback's frame: the values its return must lie in. */
	bool in_callback;
	int64_t cb_ret_min, cb_ret_max;
};

/* A step of the path recorded for going back over it (precision):
 * instructions reached other than from the one before them, stack
 * accesses (which slot), and the registers a jump refined together. */
struct hist_entry {
	uint32_t idx, prev_idx;
	uint32_t flags;
	uint16_t linked;
};
#define HIST_STACK 1u
#define HIST_CALLBACK 2u /* a callback's return to its call */
#define HIST_STACK_AT(frame, spi) (HIST_STACK | (uint32_t)(spi) << 8 | (uint32_t)(frame) << 16)
#define HIST_SPI(f) (((f) >> 8) & 0x3f)
#define HIST_FRAME(f) (((f) >> 16) & 0xf)

struct vref {
	uint32_t id;
	uint32_t insn_idx; /* where it was acquired */
};

struct vstate {
	struct func_state *frame[MAX_CALL_FRAMES];
	uint32_t curframe;
	struct vref refs[MAX_REFS];
	uint32_t nr_refs;
	/* A held bpf_spin_lock: the id of the map value it is in and its
	 * offset; 0 when none is held. */
	uint32_t lock_id;
	int32_t lock_off;
	const struct vmap *lock_map;
	/* Pruning bookkeeping: the explored state this one descends from,
	 * and for an explored state how many paths from it are still open. */
	struct vstate *parent;
	uint32_t branches;
	uint32_t insn_idx;
	uint32_t may_goto_depth; /* rounds of may_goto loops on this path */
	/* Out of the prune lists (1), freed when no path counts it. */
	uint8_t retired;
	/* Backedges whose paths go through this state (kept until the loop
	 * they belong to is done): it is not freed before. */
	uint32_t pins;
	/* A loop's head still being explored: the paths that came round to
	 * it (or to a state within it) and were cut there. */
	struct backedge *backedges;
	/* An explored state whose scalars, and those of every state before
	 * it, were all made precise (mark_all_precise to the start). */
	bool all_precise;
	/* The stretch of the path this state covers (from the explored
	 * state it descends from): its first and last instruction and
	 * its history. */
	uint32_t first_insn_idx, last_insn_idx;
	struct hist_entry *hist;
	uint32_t hist_cnt, hist_cap;
};

/* A path cut where a loop came round (the kernel's SCC backedges): the
 * state it had there and the explored state it met. When the loop's head
 * is done, what that state's future needed precise is taken back along
 * the path, until nothing changes. */
struct backedge {
	struct vstate *st;          /* a copy of the path's state, its history too */
	const struct vstate *equal; /* the explored state it met */
	const struct vstate *head;  /* the loop's head it waits for */
	uint32_t insn_idx;
	struct backedge *next;      /* of the same head */
	struct backedge *all_next;  /* of every head, for the end */
};

/* An explored state, kept at a prune point. */
struct explored {
	struct vstate *st;
	struct explored *next;
	uint32_t hits, misses;
};

struct insn_aux {
	bool seen;
	bool prune_point;
	bool calls_callback; /* bpf_loop, for_each_map_elem */
	/* Part of a loop: between a jump back and its target, in a callback
	 * (or what it calls), or a callback's call (where states of loops
	 * not done yet have incomplete marks). */
	bool in_loop;
	bool ctx_access;     /* a load or store through the context */
	bool ptr_type_set;   /* ctx_access says what the first path saw */
	uint16_t live_in;    /* registers read before written, from here */
	struct explored *explored;
	uint32_t nr_explored;
};

struct subprog {
	uint32_t start;
	uint32_t stack_depth; /* bytes, the largest seen */
	bool has_tail_call;
	const struct verifier_func *btf; /* NULL: no BTF for it */
	bool called, verified;           /* global functions */
};

/* A path to explore later: its state, where it resumes, and the log's
 * length when it was pushed (level 1 logs only the failing path). */
struct branch {
	struct vstate *st;
	uint32_t insn_idx, prev_insn_idx;
	size_t log_pos;
};

struct venv {
	const struct uebpf_insn *insns;
	size_t cnt;
	const struct verifier_opts *opts;
	const struct progtype *pt;
	struct prog_target target;
	struct cfg cfg;
	struct subprog *subprogs;
	struct insn_aux *aux;

	struct vstate *cur;
	uint32_t insn_idx, prev_insn_idx;
	struct branch *stack;
	size_t stack_size, stack_cap;
	uint32_t id_gen;

	/* The log: all of it here, the tail copied to the caller's buffer. */
	char *log;
	size_t log_len, log_cap;
	size_t log_dropped; /* bytes dropped from its start */
	uint32_t log_level;
	uint32_t last_line; /* the line info record last printed */

	struct verifier_stats stats;
	uint32_t jmps_processed, prev_jmps_processed, prev_insn_processed;
	uint32_t cur_states;
	/* Loop heads cut short and not done yet (the latest last), and every
	 * backedge. */
	struct vstate **heads;
	uint32_t pending_loops, heads_cap;
	struct backedge *backedges;
	/* Scalars made precise so far (to see whether a pass changed any). */
	uint64_t precise_marks;
	int64_t err_insn;            /* where a rejection happened, or -1 */
	bool strict_alignment;       /* BPF_F_STRICT_ALIGNMENT */
	bool atomic_access;          /* atomics must be aligned, always */
	bool hist_this_insn;         /* the current instruction has an entry */
	uint32_t pending_hist_flags; /* for the next instruction's entry */
};

/* ---- log.c ---- */
__attribute__((format(printf, 2, 3)))
void verbose(struct venv *env, const char *fmt, ...);
const char *reg_type_str(uint32_t type);
void print_reg(struct venv *env, const struct reg_state *reg, uint32_t curframe);
void print_state(struct venv *env, const struct vstate *st, bool all_frames);
void print_insn(struct venv *env, uint32_t idx);
void print_line_info(struct venv *env, uint32_t idx);
void log_name_insn(struct venv *env);
size_t log_pos(const struct venv *env);
void log_truncate(struct venv *env, size_t abs_pos);
void log_finish(struct venv *env);

/* ---- check.c ---- */
static inline struct func_state *cur_frame(const struct venv *env)
{
	return env->cur->frame[env->cur->curframe];
}
static inline struct reg_state *cur_regs(const struct venv *env)
{
	return cur_frame(env)->regs;
}
void mark_reg_not_init(struct reg_state *reg);
/* Every register set, in every frame, and every spilled one: fn(reg, arg). */
void for_each_reg(struct vstate *st, void (*fn)(struct reg_state *reg, void *arg), void *arg);
const struct vstate *find_prev_entry(struct venv *env, const struct vstate *st, uint32_t idx);
void widen_imprecise_scalars(const struct vstate *old, struct vstate *cur);
uint32_t new_id(struct venv *env);
int check_reg_read(struct venv *env, uint32_t regno);
int check_reg_write(struct venv *env, uint32_t regno);
struct vstate *push_branch(struct venv *env, uint32_t insn_idx, uint32_t prev_insn_idx);
int state_alloc_stack(struct func_state *f, uint32_t bytes);
void free_vstate(struct vstate *st);
bool is_pointer(const struct reg_state *reg);

/* ---- mem.c ---- */
enum access { ACCESS_READ, ACCESS_WRITE };
/* A load or store at regno + off of size bytes; for reads, the loaded
 * value goes to value_regno (-1: none, atomics check both ways). */
int check_mem_access(struct venv *env, uint32_t insn_idx, uint32_t regno, int32_t off,
		     int size, enum access t, int value_regno, bool sign_ext);
/* A helper's memory argument at regno: size bytes, or as many as the
 * size register (the next argument) allows; zero_ok for a size that may
 * be 0; t = ACCESS_WRITE for memory the helper fills. */
int check_helper_mem(struct venv *env, uint32_t regno, int size, bool zero_ok, enum access t);
int check_helper_mem_sized(struct venv *env, uint32_t regno, const struct reg_state *size_reg,
			   bool zero_ok, enum access t);
int check_ptr_alignment(struct venv *env, const struct reg_state *reg, int32_t off,
			int size, bool strict);
int spill_size(const struct stack_slot *s);

/* ---- precise.c ---- */
int hist_push(struct venv *env, uint32_t idx, uint32_t prev, uint32_t flags, uint16_t linked);
int mark_precise(struct venv *env, uint32_t regno);
int mark_slot_precise(struct venv *env, uint32_t frameno, uint32_t spi);
int propagate_precision(struct venv *env, const struct vstate *old);
void mark_all_precise(struct venv *env, const struct vstate *stop);

/* ---- calls.c ---- */
int check_helper_call(struct venv *env, const struct uebpf_insn *insn, uint32_t *insn_idx);
int check_subprog_call(struct venv *env, const struct uebpf_insn *insn, uint32_t *insn_idx);
/* An exit: a return from a subprogram (sets *insn_idx to the caller's
 * next instruction, *done false) or the end of the path (*done true). */
int check_exit(struct venv *env, uint32_t *insn_idx, bool *done);
int find_subprog(const struct venv *env, uint32_t start);

#endif /* UEBPF_VERIFIER_ENV_H */
