/* SPDX-License-Identifier: MIT */
/* The interpreter: two instantiations of interp_body.h (fast, checked). */
#if defined(__GNUC__) && !defined(__clang__)
/* GCC's global common subexpression elimination hoists loads into every
 * handler of a computed-goto loop (each is a predecessor of all others):
 * r1 was reloaded after every instruction. GCC's manual advises turning
 * it off for such code. */
#pragma GCC optimize("no-gcse")
#endif
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

/* Records a run-time error: which instruction, what happened. */
static int __attribute__((cold, noinline, format(printf, 4, 5)))
run_fault(struct uebpf_exec *ex, ptrdiff_t pc, int err, const char *fmt, ...)
{
	if (ex->nesting) {
		/* In a callback: the helper that called it reports the fault. */
		va_list ap;
		int n = snprintf(ex->helper_fault, sizeof(ex->helper_fault),
				 "in callback, insn %td: ", pc);
		va_start(ap, fmt);
		vsnprintf(ex->helper_fault + n, sizeof(ex->helper_fault) - (size_t)n, fmt, ap);
		va_end(ap);
		ex->stopped = EXEC_FAULT;
		return err;
	}
	ex->fault_pc = pc;
	if (ex->err_size) {
		char what[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		snprintf(ex->err_buf, ex->err_size, "insn %td: %s", pc, what);
	}
	return err;
}

/* Checked mode: may the program access [addr, addr + size)? The stack is
 * tested first, inline; the region lists out of line. */
static inline int mem_ok(const struct uebpf_exec *ex, uintptr_t addr,
			 unsigned size, unsigned access)
{
	if (addr >= ex->stack_lo && addr <= ex->stack_hi - size)
		return 1;
	return uebpf_exec_check_mem(ex, (const void *)addr, size, access) == 0;
}

/* LD_ABS / LD_IND: reads a big-endian value at off in the packet. */
static int packet_load(const struct uebpf_exec *ex, int32_t off, unsigned size,
		       uint64_t *r0)
{
	if (off < 0 || (size_t)off > ex->packet_len ||
	    ex->packet_len - (size_t)off < size)
		return 0;
	const uint8_t *p = ex->packet + off;
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v = (v << 8) | p[i];
	*r0 = v;
	return 1;
}

/* Pairs of instructions the normal interpreter runs as one (interp_fuse):
 * handler ids after the engine's operations, never in code->ops. */
enum {
	FOP_MOV_ADD = EOP__COUNT, /* mov64 rD, rS; add64 rD, imm */
	FOP_LDXB_LSH,             /* ldxb rD, [rS + off]; lsh64 rD, imm */
	FOP_LSH_OR,               /* lsh64 rD, imm; or64 rD, rX */
	FOP_ADD_JGT,              /* add64 rD, imm; jgt rD, rX, +off */
	FOP_LDXB_LSH32,           /* ldxb rD, [rS + off]; lsh32 rD, imm */
	FOP_LSH_OR32,             /* lsh32 rD, imm; or32 rD, rX */
	FOP_MOV_RSH32,            /* mov32 rD, rS; rsh32 rD, imm */
	FOP_LDXB_STXB,            /* ldxb rD, [rS + off]; stxb [rT + off2], rD */
	FOP__COUNT
};

#define INTERP_NAME interp_fast
#define CHECKED 0
#include "engine/interp_body.h"
#undef INTERP_NAME
#undef CHECKED

#define INTERP_NAME interp_checked
#define CHECKED 1
#include "engine/interp_body.h"
#undef INTERP_NAME
#undef CHECKED

const void *const *interp_fast_labels(void)
{
	const void *const *labels = NULL;
	interp_fast(NULL, NULL, NULL, NULL, NULL, &labels);
	return labels;
}

int interp_run(const struct uebpf_code *code, struct uebpf_exec *ex,
	       uint64_t r1, uint64_t r2, uint64_t *ret)
{
	const uint64_t args[5] = { r1, r2 };
	if (ex->checked)
		return interp_checked(code, ex, NULL, args, ret, NULL);
	return interp_fast(code, ex, NULL, args, ret, NULL);
}

int interp_call(const struct uebpf_code *code, struct uebpf_exec *ex,
		const struct slot *start, const uint64_t *args, uint64_t *ret)
{
	/* The callback runs in a stack of its own, below the caller's. */
	if (ex->nesting >= UEBPF_MAX_CALL_FRAMES) {
		uebpf_exec_fault(ex, "callbacks nested more than %d deep", UEBPF_MAX_CALL_FRAMES);
		return -EFAULT;
	}
	uintptr_t lo = ex->stack_lo, hi = ex->stack_hi;
	const struct uebpf_code *running = ex->code;
	/* Checked mode: the caller's frames stay usable (the callback gets
	 * pointers into them), for as long as the callback runs. */
	size_t regions = ex->added_cnt;
	if (ex->checked)
		uebpf_exec_add_region(ex, (const void *)lo, hi - lo, UEBPF_MEM_RW);
	ex->nesting++;
	int err = ex->checked ? interp_checked(code, ex, start, args, ret, NULL)
			      : interp_fast(code, ex, start, args, ret, NULL);
	ex->nesting--;
	ex->added_cnt = regions;
	ex->stack_lo = lo;
	ex->stack_hi = hi;
	ex->code = running;
	return err;
}

/* Jump targets of the program: where control may arrive other than from
 * the instruction before. */
static uint8_t *jump_targets(const struct uebpf_code *code, const struct uebpf_insn *insns)
{
	size_t n = code->insn_cnt;
	uint8_t *t = calloc(n + 1, 1);
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int64_t rel;
		switch (isa_ops[code->ops[i] < OP__COUNT ? code->ops[i] : OP_CALL].kind) {
		case K_JA:
		case K_JCC:
		case K_MAY_GOTO:
			rel = insns[i].off;
			break;
		case K_JA32:
		case K_CALL_LOCAL:
			rel = insns[i].imm;
			break;
		case K_LDDW:
			rel = insns[i].src_reg == PSEUDO_FUNC ? insns[i].imm : INT64_MIN;
			i++;
			break;
		default:
			continue;
		}
		if (rel == INT64_MIN)
			continue;
		int64_t to = (int64_t)i + 1 + rel;
		if (to >= 0 && (size_t)to <= n)
			t[to] = 1;
	}
	return t;
}

/* Gives pairs of instructions that often follow each other (measured on
 * the packet benchmark programs) one handler
 * of the normal interpreter: the first slot's label changes, the second
 * slot stays as it was (the checked interpreter, which dispatches on
 * code->ops, runs both). Without memory for the jump targets, nothing is
 * fused. */
void interp_fuse(struct uebpf_code *code, const struct uebpf_insn *insns)
{
	const void *const *labels = interp_fast_labels();
	uint8_t *target = jump_targets(code, insns);
	if (!target)
		return;
	for (size_t i = 0; i + 1 < code->insn_cnt; i++) {
		struct slot *a = &code->slots[i], *b = &code->slots[i + 1];
		int x = code->ops[i], y = code->ops[i + 1], fused = -1;
		if (target[i + 1])
			continue;
		if (x == OP_LDXB && y == OP_STXB && b->src == a->dst)
			fused = FOP_LDXB_STXB;
		else if (a->dst != b->dst)
			continue;
		else if (x == OP_MOV64_X && y == OP_ADD64_K)
			fused = FOP_MOV_ADD;
		else if (x == OP_LDXB && y == OP_LSH64_K)
			fused = FOP_LDXB_LSH;
		else if (x == OP_LSH64_K && y == OP_OR64_X)
			fused = FOP_LSH_OR;
		else if (x == OP_ADD64_K && y == OP_JGT_X)
			fused = FOP_ADD_JGT;
		else if (x == OP_LDXB && y == OP_LSH32_K)
			fused = FOP_LDXB_LSH32;
		else if (x == OP_LSH32_K && y == OP_OR32_X)
			fused = FOP_LSH_OR32;
		else if (x == OP_MOV32_X && y == OP_RSH32_K)
			fused = FOP_MOV_RSH32;
		if (fused < 0)
			continue;
		a->label = labels[fused];
		i++; /* the second slot is taken */
	}
	free(target);
}
