/* SPDX-License-Identifier: MIT */
/* Engine internals: the pre-decoded program and the state of a run. */
#ifndef UEBPF_ENGINE_ENGINE_H
#define UEBPF_ENGINE_ENGINE_H

#include <stdint.h>

#include "helpers/exec.h"
#include "maps/map.h"
#include "isa/isa.h"
#include "uebpf/engine.h"

/* Operations the engine adds to the instruction set's. */
enum {
	EOP_OFF_END = OP__COUNT, /* sentinel after the last instruction */
	EOP_TAIL_CALL,           /* call bpf_tail_call: replaces the program */
	EOP_MAP_LOOKUP,          /* call bpf_map_lookup_elem, arrays inline */
	EOP__COUNT
};

/* The kernel's MAX_TAIL_CALL_CNT: tail calls per run. */
#define MAX_TAIL_CALLS 33

/*
 * One pre-decoded instruction slot, 16 bytes. `label` is the address of
 * the normal interpreter's handler (direct threading); the checked
 * interpreter dispatches on code->ops[] instead.
 */
struct slot {
	const void *label;
	union {
		struct {
			uint8_t dst, src;
			int16_t off;
			int32_t imm;
		};
		uint64_t imm64;     /* second slot of lddw: the whole value */
		uebpf_helper_fn fn; /* helper call: the function itself */
	};
};

struct helper_entry {
	uebpf_helper_fn fn;
	char name[48];
};

struct uebpf_vm {
	struct helper_entry *helpers; /* indexed by id */
	size_t helper_cap;
};

struct uebpf_code {
	const struct uebpf_vm *vm;
	struct slot *slots; /* insn_cnt + 1 (the sentinel) */
	uint8_t *ops;       /* op id per slot, for the checked interpreter */
	/* Checked interpreter: per slot, the registers the instruction reads
	 * (bits 0-10) and writes (bits 16-26), to find reads of registers
	 * nothing has set (engine/vm.c, reg_use). */
	uint32_t *regs;
	size_t insn_cnt;
	/* The maps the program refers to, each holding a reference; direct[i]
	 * when the program also addresses map i's value directly (a map
	 * value reference: global data). */
	struct map **maps;
	uint8_t *direct;
	size_t map_cnt;
	_Atomic int refs; /* the owner's, and program arrays holding it */
	bool checked_only; /* not verified: runs in checked mode only */
	uint32_t prog_type; /* enum bpf_prog_type, for helpers (bpf_redirect) */
	uint32_t id;
};

/* Tail calls: the program in slot index of the program array, or NULL
 * (the helper then falls through); switches the run's maps to it. */
const struct uebpf_code *tail_call_target(struct uebpf_exec *ex, uint64_t map,
					  uint64_t index);


/* Helper lookup for callx at run time. */
static inline uebpf_helper_fn vm_helper(const struct uebpf_vm *vm, uint64_t id)
{
	return id < vm->helper_cap ? vm->helpers[id].fn : NULL;
}

/* Label tables of the two interpreters, indexed by op id. */
const void *const *interp_fast_labels(void);
/* Runs pairs of instructions of a loaded program as one in the normal
 * interpreter (engine/interp.c). */
void interp_fuse(struct uebpf_code *code, const struct uebpf_insn *insns);

int interp_run(const struct uebpf_code *code, struct uebpf_exec *ex,
	       uint64_t r1, uint64_t r2, uint64_t *ret);

/* Runs a callback (a subprogram starting at start) with r1..r5 = args,
 * from a helper, within the same run (bpf_loop, for_each_map_elem). */
int interp_call(const struct uebpf_code *code, struct uebpf_exec *ex,
		const struct slot *start, const uint64_t *args, uint64_t *ret);

/* Engine-provided helpers (engine/callbacks.c). */
uint64_t helper_loop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		     struct uebpf_exec *exec);
uint64_t helper_for_each_map_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				  uint64_t r5, struct uebpf_exec *exec);

#endif /* UEBPF_ENGINE_ENGINE_H */
