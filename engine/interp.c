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
