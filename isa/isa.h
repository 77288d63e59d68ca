/* SPDX-License-Identifier: MIT */
/* Instruction set tables shared by the decoder, assembler, disassembler
 * and the engine (private to the library). */
#ifndef UEBPF_ISA_ISA_H
#define UEBPF_ISA_ISA_H

#include <stddef.h>
#include <stdint.h>

#include "uebpf/isa.h"

/* Instruction classes: the low three bits of the opcode. */
enum {
	CLS_LD = 0x00, CLS_LDX = 0x01, CLS_ST = 0x02, CLS_STX = 0x03,
	CLS_ALU = 0x04, CLS_JMP = 0x05, CLS_JMP32 = 0x06, CLS_ALU64 = 0x07,
};
#define OPC_CLASS(code) ((code) & 0x07)
/* Load/store size: W=0x00 H=0x08 B=0x10 DW=0x18. */
#define OPC_SIZE(code) ((code) & 0x18)
/* ALU operation or jump condition: the high four bits. */
#define OPC_OP(code) ((code) & 0xf0)
/* Source operand: 0 = immediate (K), 0x08 = register (X). */
#define OPC_SRC_X(code) ((code) & 0x08)

/* Second-slot / pseudo sources of a 64-bit immediate load (lddw). */
enum {
	PSEUDO_IMM64 = 0,
	PSEUDO_MAP_FD = 1,
	PSEUDO_MAP_VALUE = 2,
	PSEUDO_BTF_ID = 3,
	PSEUDO_FUNC = 4,
	PSEUDO_MAP_IDX = 5,
	PSEUDO_MAP_IDX_VALUE = 6,
	PSEUDO__MAX = 6,
};

/* Fields an instruction uses (the others are reserved, must be zero). */
enum { F_DST = 1, F_SRC = 2, F_OFF = 4, F_IMM = 8 };
/* Which field tells apart rows that share an opcode byte. */
enum isa_fix { FIX_NONE, FIX_SRC, FIX_OFF, FIX_IMM };

enum isa_kind {
	K_ALU,        /* dst op= src|imm (incl. mov) */
	K_NEG,        /* dst = -dst */
	K_MOVSX,      /* dst = (sN)src */
	K_END,        /* byte swap: le, be, bswap */
	K_LDDW,       /* 64-bit immediate, two slots */
	K_LDABS,      /* legacy packet load, constant offset */
	K_LDIND,      /* legacy packet load, register + offset */
	K_LDX,        /* dst = *(size *)(src + off), zero or sign extended */
	K_ST,         /* *(size *)(dst + off) = imm */
	K_STX,        /* *(size *)(dst + off) = src */
	K_ATOMIC,     /* lock / fetch / xchg / cmpxchg on (dst + off) */
	K_LOAD_ACQ,   /* dst = load_acquire(src + off) */
	K_STORE_REL,  /* store_release(dst + off, src) */
	K_JA,         /* goto +off */
	K_JA32,       /* gotol +imm */
	K_JCC,        /* if dst cc src|imm goto +off */
	K_CALL,       /* helper call by id */
	K_CALL_LOCAL, /* bpf-to-bpf call, pc += imm */
	K_CALL_KFUNC, /* kernel function by BTF id */
	K_CALLX,      /* helper call by id held in a register */
	K_EXIT,
	K_MAY_GOTO,   /* jump when the loop budget is used up */
};

struct isa_op {
	uint8_t code;     /* opcode byte */
	uint8_t kind;     /* enum isa_kind */
	uint8_t fix;      /* enum isa_fix */
	uint8_t uses;     /* F_* fields the instruction uses */
	int32_t fix_val;  /* value of the selecting field */
	const char *name; /* conformance-syntax mnemonic */
};

enum isa_op_id {
#define OP(id, ...) OP_##id,
#include "isa/ops.def"
#undef OP
	OP__COUNT
};

extern const struct isa_op isa_ops[OP__COUNT];

/*
 * Identifies a single instruction slot, checking its registers and
 * reserved fields. Returns its op id, or -1 with a reason in why.
 * Cross-instruction rules (the second slot of lddw, jump targets) are
 * checked by uebpf_insns_check().
 */
int isa_decode(const struct uebpf_insn *insn, char *why, size_t why_size);

/* Number of bytes a load/store of this opcode moves (1, 2, 4 or 8). */
static inline unsigned isa_size_bytes(uint8_t code)
{
	switch (OPC_SIZE(code)) {
	case 0x00: return 4;
	case 0x08: return 2;
	case 0x10: return 1;
	default: return 8;
	}
}

/* True for ALU (32-bit) and JMP32 instructions: they work on subregisters. */
static inline int isa_is_32bit(uint8_t code)
{
	return OPC_CLASS(code) == CLS_ALU || OPC_CLASS(code) == CLS_JMP32;
}

/* 64-bit immediate of an lddw pair. */
static inline uint64_t isa_imm64(const struct uebpf_insn *insn)
{
	return (uint64_t)(uint32_t)insn[0].imm |
	       ((uint64_t)(uint32_t)insn[1].imm << 32);
}

/* Index of the instruction a jump or local call at idx goes to
 * (may be out of range; the checker rejects that). */
int64_t isa_jump_target(const struct uebpf_insn *insns, size_t idx, int op);

#endif /* UEBPF_ISA_ISA_H */
