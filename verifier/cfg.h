/* SPDX-License-Identifier: MIT */
/*
 * The verifier's first pass, as the kernel's check_subprogs and check_cfg
 * make it: where the subprograms start (instruction 0, the targets of
 * bpf-to-bpf calls and of function addresses), that jumps stay inside
 * their subprogram, that each subprogram ends with an exit or a jump,
 * and that every instruction can be reached from the first. Loops are
 * allowed here (the kernel's rule for privileged programs); whether they
 * end is the abstract interpretation's question.
 *
 * The instructions must have passed the decoder's structural checks
 * (uebpf_insns_check): opcodes, registers, jump targets inside the
 * program and not into the middle of an lddw.
 */
#ifndef UEBPF_VERIFIER_CFG_H
#define UEBPF_VERIFIER_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "uebpf/isa.h"

struct cfg {
	uint32_t *subprog_start; /* increasing; [0] is 0 */
	size_t nr_subprogs;
};

/* 0, or -EINVAL with the kernel's message in err ("unreachable insn 7",
 * "jump out of range from insn 4 to 1", "last insn is not an exit or
 * jmp", "call to invalid destination"); -ENOMEM. */
int cfg_check(const struct uebpf_insn *insns, size_t cnt, struct cfg *cfg, char *err,
	      size_t err_size);
void cfg_free(struct cfg *cfg);

#endif /* UEBPF_VERIFIER_CFG_H */
