/* SPDX-License-Identifier: MIT */
/* Programs written instruction by instruction, for the differential tests
 * that build their programs in C: emit() appends (silently stopping at the
 * capacity, which the tests' programs stay well below), and the macros
 * name the instructions they use, on a struct prog *p in scope. */
#ifndef UEBPF_TESTS_KERNEL_INSN_BUILDER_H
#define UEBPF_TESTS_KERNEL_INSN_BUILDER_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/isa.h"

struct prog {
	struct uebpf_insn in[256];
	size_t n;
};

static inline void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			int32_t imm)
{
	if (p->n < sizeof(p->in) / sizeof(p->in[0]))
		p->in[p->n++] = (struct uebpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						     .off = off, .imm = imm };
}

#define MOVI(d, imm) emit(p, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, imm)
#define MOV(d, s) emit(p, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADDI(d, imm) emit(p, BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, imm)
#define LSHI(d, imm) emit(p, BPF_ALU64 | BPF_LSH | BPF_K, d, 0, 0, imm)
#define OR(d, s) emit(p, BPF_ALU64 | BPF_OR | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, off) emit(p, BPF_LDX | BPF_MEM | (sz), d, s, off, 0)
#define STX(sz, d, s, off) emit(p, BPF_STX | BPF_MEM | (sz), d, s, off, 0)
#define JGT(d, s, off) emit(p, BPF_JMP | BPF_JGT | BPF_X, d, s, off, 0)
#define CALL(id) emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#endif
