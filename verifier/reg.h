/* SPDX-License-Identifier: MIT */
/*
 * What the verifier knows of one register: its type, and for scalars and
 * pointer offsets a tristate number plus signed/unsigned 64- and 32-bit
 * bounds, kept consistent with each other by the kernel's deduction rules
 * (reg_bounds_sync). The scalar operations and branch refinements here
 * follow the kernel's (kernel/bpf/verifier.c: adjust_scalar_min_max_vals,
 * is_branch_taken, regs_refine_cond_op) so that uebpf reaches the same
 * verdicts; each is sound: every concrete result of the operation on
 * members of its inputs is a member of its output.
 */
#ifndef UEBPF_VERIFIER_REG_H
#define UEBPF_VERIFIER_REG_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/tnum.h"

struct vmap; /* verifier/verifier.h */

/* Base register types (the kernel's enum bpf_reg_type, same meaning). */
enum reg_type {
	NOT_INIT = 0,
	SCALAR_VALUE,
	PTR_TO_CTX,
	CONST_PTR_TO_MAP,
	PTR_TO_MAP_VALUE,
	PTR_TO_MAP_KEY,
	PTR_TO_STACK,
	PTR_TO_PACKET_META,
	PTR_TO_PACKET,
	PTR_TO_PACKET_END,
	PTR_TO_MEM,     /* helper memory, ring buffer records: mem_size bytes */
	PTR_TO_FUNC,    /* a subprogram's address, for callbacks */
	PTR_TO_FLOW_KEYS,
	PTR_TO_SOCK_COMMON,
	PTR_TO_SOCKET,
	PTR_TO_TCP_SOCK,
	PTR_TO_BTF_ID,
	REG_TYPE__MAX,
	REG_TYPE_MASK = 0xff,
};

/* Flags on top of the base type. */
enum {
	PTR_MAYBE_NULL = 1 << 8, /* NULL until a null check says otherwise */
	MEM_RDONLY = 1 << 9,     /* may be read, not written */
	MEM_RINGBUF = 1 << 10,   /* a ring buffer reservation */
	MEM_ALLOC = 1 << 11,
};

static inline unsigned base_type(unsigned type)
{
	return type & REG_TYPE_MASK;
}

struct reg_state {
	uint32_t type; /* enum reg_type | flags */
	/* Pointers: the constant part of the offset from the object's start.
	 * The variable part is var_off and the bounds below. */
	int32_t off;
	union {
		uint32_t range;        /* packet: bytes proven readable from off */
		uint32_t mem_size;     /* PTR_TO_MEM: size of the memory */
		uint32_t subprogno;    /* PTR_TO_FUNC: the callback */
	};
	const struct vmap *map_ptr; /* CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE/KEY */
	/* For scalars: the value; for pointers: the variable offset. */
	struct tnum var_off;
	int64_t smin_value, smax_value;
	uint64_t umin_value, umax_value;
	int32_t s32_min_value, s32_max_value;
	uint32_t u32_min_value, u32_max_value;
	/* Copies of a pointer (and scalars linked by assignment) share an id,
	 * so a null check or packet range proven on one applies to all. */
	uint32_t id;
	/* A linked scalar: how it relates to the value its id stands for.
	 * LINK_SAME: equal; LINK_ADD64: that value plus off; LINK_ADD32:
	 * that value (which fits in 32 bits) plus off in 32-bit arithmetic,
	 * zero-extended (the kernel's BPF_ADD_CONST). */
	uint8_t link;
	/* Non-zero for an acquired reference (ring buffer record): the id of
	 * the reference that must be released. */
	uint32_t ref_obj_id;
	uint32_t frameno; /* PTR_TO_STACK: whose stack */
	/* A scalar whose exact range safety depended on (verifier/precise.c):
	 * it must match when states are compared. */
	bool precise;
};

enum { LINK_SAME, LINK_ADD64, LINK_ADD32 };

/* A scalar that no longer equals (or follows) any other register. */
static inline void scalar_unlink(struct reg_state *reg)
{
	reg->id = 0;
	reg->link = LINK_SAME;
	reg->off = 0;
}

/* ---- scalars (verifier/reg_bounds.c) ---- */

/* A scalar with exactly this value. */
void reg_mark_known(struct reg_state *reg, uint64_t imm);
/* Scalar, nothing known (the type becomes SCALAR_VALUE, ids cleared). */
void reg_mark_unknown(struct reg_state *reg);
/* Only the bounds: all unknown, the type and ids kept. */
void reg_mark_unbounded(struct reg_state *reg);
/* Known-zero offset for a pointer that was just created. */
void reg_mark_known_zero(struct reg_state *reg);

bool reg_is_const(const struct reg_state *reg);

/* Makes the tnum and the eight bounds agree (the kernel's reg_bounds_sync:
 * update bounds from the tnum, deduce 32<->64 and signed<->unsigned,
 * tighten the tnum from the bounds, update again). */
void reg_bounds_sync(struct reg_state *reg);
/* True when the bounds are inconsistent (an impossible state: a branch
 * that cannot be taken). */
bool reg_bounds_invalid(const struct reg_state *reg);

/* dst = dst op src on two scalars, op one of BPF_ADD ... BPF_ARSH or
 * BPF_NEG (BPF_OP of the opcode; src is ignored for BPF_NEG; BPF_MOV and
 * BPF_END are not handled here: see scalar_movsx, scalar_byte_swap),
 * alu32 for the ALU class. Shifts are tracked only by a constant amount
 * below the width; other shifts, BPF_DIV and BPF_MOD (signed when sdiv
 * is set, insn off == 1) give an unknown scalar, as in Linux 6.18. */
void scalar_alu(struct reg_state *dst, const struct reg_state *src, uint8_t op,
		bool alu32, bool sdiv);
/* dst = (sN)src, N = 8, 16, 32 (movsx) for 64 or 32-bit moves. */
void scalar_movsx(struct reg_state *dst, const struct reg_state *src, int bits,
		  bool alu32);
/* Zero-extension of the low 32 bits (the result of every ALU32 op). */
void reg_zext_32_to_64(struct reg_state *reg);
/* The value after a load of size bytes (zero-extended), or sign-extended
 * to 64 bits when sign is set. */
void reg_coerce_to_size(struct reg_state *reg, int size, bool sign);
/* Byte swap: to big/little endian (BPF_END, src bit = to_be) or bswap
 * (ALU64 BPF_END), width 16/32/64. */
void scalar_byte_swap(struct reg_state *reg, int width, bool to_be, bool alu64);

/* ---- conditional jumps on scalars ---- */

/* Whether "if r1 op r2" is always taken (1), never (0) or unknown (-1).
 * op is BPF_OP of the jump opcode (BPF_JEQ ... BPF_JSLE). */
int scalar_branch_taken(const struct reg_state *r1, const struct reg_state *r2,
			uint8_t op, bool jmp32);
/* Narrows r1 and r2 to the values for which "r1 op r2" holds (the
 * caller passes the negated op for the fall-through path). Leaves the
 * bounds synced; they may end up invalid if the branch is impossible,
 * but not always (a range holding one member of the tnum becomes that
 * constant): as the kernel, ask scalar_branch_taken first. */
void scalar_refine_cond(struct reg_state *r1, struct reg_state *r2, uint8_t op,
			bool jmp32);
/* The condition that holds on the other path (JEQ <-> JNE, JGT <-> JLE,
 * ...; JSET <-> BPF_JSET | BPF_X, "no bit in common", which has no
 * opcode but which scalar_branch_taken and scalar_refine_cond take), and
 * the one that holds with operands swapped. */
uint8_t cond_negate(uint8_t op);
uint8_t cond_flip(uint8_t op);

#endif /* UEBPF_VERIFIER_REG_H */
