/* SPDX-License-Identifier: MIT */
/*
 * uebpf instruction set: the 8-byte instruction, validation, the assembler
 * and the disassembler.
 *
 * Encodings follow RFC 9669 and the kernel's UAPI (<linux/bpf.h>); the
 * struct below has exactly the layout of the kernel's struct bpf_insn, so a
 * buffer of kernel instructions can be cast to it.
 */
#ifndef UEBPF_ISA_H
#define UEBPF_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uebpf_insn {
	uint8_t code;      /* opcode */
	uint8_t dst_reg:4; /* destination register */
	uint8_t src_reg:4; /* source register */
	int16_t off;       /* signed offset */
	int32_t imm;       /* signed immediate constant */
};

/* Registers r0..r10; r10 is the read-only frame pointer. */
#define UEBPF_REG_COUNT 11
/* A program holds at most this many instruction slots (the kernel's limit
 * for privileged programs). */
#define UEBPF_MAX_INSNS (1u << 20)

/* Text syntaxes understood by the assembler and produced by the
 * disassembler. */
enum uebpf_syntax {
	/* Assembler: decide per line. Disassembler: same as LLVM. */
	UEBPF_SYNTAX_AUTO = 0,
	/* What `llvm-objdump -d` prints and clang assembles: `r0 = 0x1`,
	 * `if r1 > 0x2 goto +0x3`, `*(u32 *)(r10 - 0x4) = w1`. */
	UEBPF_SYNTAX_LLVM,
	/* What the kernel's verifier log and `bpftool prog dump xlated`
	 * print: `(b7) r0 = 1`, `(15) if r1 == 0x0 goto pc+3`,
	 * `(85) call bpf_map_lookup_elem#1`. */
	UEBPF_SYNTAX_KERNEL,
	/* The BPF conformance suite's (uBPF-style) syntax: `mov %r0, 1`,
	 * `ldxdw %r0, [%r1+8]`, `jne %r1, 0x2, L3`. Lossless. */
	UEBPF_SYNTAX_CONFORMANCE,
};

/*
 * Validates the encoding of every instruction: known opcode, registers in
 * range, reserved fields zero, well-formed 64-bit immediates (two slots),
 * jump and call targets inside the program and not into the second slot of
 * a 64-bit immediate.
 *
 * This is the decoder's check, not the verifier: it says nothing about
 * what the program does at run time.
 *
 * Returns 0 or -EINVAL, with a message such as
 * "insn 3: unknown opcode 0x8f" written to msg (if msg_size > 0).
 */
int uebpf_insns_check(const struct uebpf_insn *insns, size_t insn_cnt,
		      char *msg, size_t msg_size);

struct uebpf_asm_opts {
	size_t sz; /* size of this struct, for compatibility */
	enum uebpf_syntax syntax;
	/* On error, a message naming the line and what is wrong. */
	char *err_buf;
	size_t err_size;
};
#define UEBPF_ASM_OPTS_SZ sizeof(struct uebpf_asm_opts)

/*
 * Assembles text into instructions. On success *insns is a malloc'ed array
 * of *insn_cnt instructions that the caller frees. Labels, comments (`#`,
 * `;`, `//`) and assembler directives (lines starting with `.`) are
 * understood. Returns 0, -EINVAL on a syntax error, -ENOMEM.
 */
int uebpf_asm(const char *text, struct uebpf_insn **insns, size_t *insn_cnt,
	      const struct uebpf_asm_opts *opts);

struct uebpf_disasm_opts {
	size_t sz;
	enum uebpf_syntax syntax;
	/* LLVM syntax: name of the function the instructions belong to; jump
	 * targets are then annotated `<name+0x18>` like llvm-objdump. */
	const char *symbol;
	/* Print the instruction index and raw bytes before the text, in the
	 * layout of `llvm-objdump -d` (or `N: (op)` for the kernel syntax). */
	bool show_raw;
};
#define UEBPF_DISASM_OPTS_SZ sizeof(struct uebpf_disasm_opts)

/*
 * Formats instruction idx of the program into buf (without a newline).
 * Returns the number of slots the instruction takes (1, or 2 for a 64-bit
 * immediate), or a negative errno if idx is out of range. An invalid
 * encoding is printed as `<invalid: reason>` and takes one slot.
 */
int uebpf_disasm_insn(const struct uebpf_insn *insns, size_t insn_cnt,
		      size_t idx, char *buf, size_t buf_size,
		      const struct uebpf_disasm_opts *opts);

/* Disassembles a whole program, one instruction per line. */
int uebpf_disasm(FILE *out, const struct uebpf_insn *insns, size_t insn_cnt,
		 const struct uebpf_disasm_opts *opts);

/* Name of helper id (`bpf_map_lookup_elem`), or NULL if unknown. */
const char *uebpf_helper_name(int32_t id);
/* Id of a helper named with or without the `bpf_` prefix, or -1. */
int32_t uebpf_helper_id(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* UEBPF_ISA_H */
