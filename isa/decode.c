/* SPDX-License-Identifier: MIT */
/* The instruction table and the decoder's structural checks. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"

const struct isa_op isa_ops[OP__COUNT] = {
#define OP(id, code, kind, fix, val, uses, name) \
	[OP_##id] = { code, kind, fix, uses, val, name },
#include "isa/ops.def"
#undef OP
};

/* Rows of isa_ops for each opcode byte: [first, first + count). */
static struct { uint8_t first, count; } by_code[256];
static pthread_once_t by_code_once = PTHREAD_ONCE_INIT;

static void build_by_code(void)
{
	for (int i = OP__COUNT - 1; i >= 0; i--) {
		by_code[isa_ops[i].code].first = (uint8_t)i;
		by_code[isa_ops[i].code].count++;
	}
}

/* Kernel vocabulary for "X uses reserved fields". */
static const char *kind_name(const struct isa_op *op)
{
	switch (op->kind) {
	case K_ALU:
		return OPC_OP(op->code) == 0xb0 ? "BPF_MOV" : "BPF_ALU";
	case K_NEG: return "BPF_NEG";
	case K_MOVSX: return "BPF_MOV";
	case K_END: return "BPF_END";
	case K_LDDW: return "BPF_LD_IMM";
	case K_LDABS: case K_LDIND: return "BPF_LD_[ABS|IND]";
	case K_LDX: return "BPF_LDX";
	case K_ST: return "BPF_ST";
	case K_STX: return "BPF_STX";
	case K_ATOMIC: case K_LOAD_ACQ: case K_STORE_REL: return "BPF_ATOMIC";
	case K_JA: case K_JA32: return "BPF_JA";
	case K_JCC: return "BPF_JMP/JMP32";
	case K_CALL: case K_CALL_LOCAL: case K_CALL_KFUNC: case K_CALLX:
		return "BPF_CALL";
	case K_EXIT: return "BPF_EXIT";
	case K_MAY_GOTO: return "BPF_JCOND";
	}
	return "insn";
}

static int field_value(const struct uebpf_insn *insn, enum isa_fix fix)
{
	switch (fix) {
	case FIX_SRC: return insn->src_reg;
	case FIX_OFF: return insn->off;
	case FIX_IMM: return insn->imm;
	default: return 0;
	}
}

static const char *const fix_field[] = { "", "src", "off", "imm" };

static int fail(char *why, size_t size, const char *fmt, ...)
{
	if (size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int isa_decode(const struct uebpf_insn *insn, char *why, size_t why_size)
{
	pthread_once(&by_code_once, build_by_code);

	unsigned first = by_code[insn->code].first;
	unsigned count = by_code[insn->code].count;
	if (count == 0)
		return fail(why, why_size, "unknown opcode 0x%02x", insn->code);

	int id = -1;
	for (unsigned i = first; i < first + count; i++) {
		if (isa_ops[i].fix == FIX_NONE ||
		    field_value(insn, isa_ops[i].fix) == isa_ops[i].fix_val) {
			id = (int)i;
			break;
		}
	}
	const struct isa_op *op = &isa_ops[id < 0 ? (int)first : id];
	if (id < 0) {
		if (op->kind == K_ATOMIC || op->kind == K_LOAD_ACQ ||
		    op->kind == K_STORE_REL)
			return fail(why, why_size,
				    "BPF_ATOMIC uses invalid atomic opcode 0x%x",
				    (unsigned)insn->imm);
		return fail(why, why_size, "%s (opcode 0x%02x) has invalid %s %d",
			    kind_name(op), insn->code, fix_field[op->fix],
			    field_value(insn, op->fix));
	}

	unsigned uses = op->uses;
	if (op->fix == FIX_SRC)
		uses |= F_SRC;
	if (op->fix == FIX_OFF)
		uses |= F_OFF;
	if (op->fix == FIX_IMM)
		uses |= F_IMM;

	if (!(uses & F_DST) && insn->dst_reg)
		return fail(why, why_size, "%s uses reserved fields: dst_reg = %d",
			    kind_name(op), insn->dst_reg);
	if (!(uses & F_SRC) && insn->src_reg)
		return fail(why, why_size, "%s uses reserved fields: src_reg = %d",
			    kind_name(op), insn->src_reg);
	if (!(uses & F_OFF) && insn->off)
		return fail(why, why_size, "%s uses reserved fields: off = %d",
			    kind_name(op), insn->off);
	if (!(uses & F_IMM) && insn->imm)
		return fail(why, why_size, "%s uses reserved fields: imm = %d",
			    kind_name(op), insn->imm);

	if ((op->uses & F_DST) && insn->dst_reg >= UEBPF_REG_COUNT)
		return fail(why, why_size, "R%d is invalid", insn->dst_reg);
	if (op->kind == K_LDDW) {
		if (insn->src_reg > PSEUDO__MAX)
			return fail(why, why_size,
				    "invalid bpf_ld_imm64 insn: unknown pseudo src %d",
				    insn->src_reg);
	} else if ((op->uses & F_SRC) && insn->src_reg >= UEBPF_REG_COUNT) {
		return fail(why, why_size, "R%d is invalid", insn->src_reg);
	}
	return id;
}

int64_t isa_jump_target(const struct uebpf_insn *insns, size_t idx, int op)
{
	const struct uebpf_insn *in = &insns[idx];
	switch (isa_ops[op].kind) {
	case K_JA:
	case K_JCC:
	case K_MAY_GOTO:
		return (int64_t)idx + 1 + in->off;
	case K_JA32:
	case K_CALL_LOCAL:
		return (int64_t)idx + 1 + in->imm;
	case K_LDDW:
		if (in->src_reg == PSEUDO_FUNC)
			return (int64_t)idx + 1 + in->imm;
		return -1;
	default:
		return -1;
	}
}

static int check_fail(char *msg, size_t size, size_t idx, const char *fmt, ...)
{
	if (size) {
		char detail[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
		snprintf(msg, size, "insn %zu: %s", idx, detail);
	}
	return -EINVAL;
}

static int has_target(int op)
{
	switch (isa_ops[op].kind) {
	case K_JA: case K_JA32: case K_JCC: case K_MAY_GOTO:
	case K_CALL_LOCAL: case K_LDDW:
		return 1;
	default:
		return 0;
	}
}

int uebpf_insns_check(const struct uebpf_insn *insns, size_t insn_cnt,
		      char *msg, size_t msg_size)
{
	char why[160];

	if (msg_size)
		msg[0] = '\0';
	if (insn_cnt == 0) {
		if (msg_size)
			snprintf(msg, msg_size, "program has no instructions");
		return -EINVAL;
	}
	if (insn_cnt > UEBPF_MAX_INSNS) {
		if (msg_size)
			snprintf(msg, msg_size,
				 "program has %zu instructions, more than %u",
				 insn_cnt, UEBPF_MAX_INSNS);
		return -E2BIG;
	}

	/* Pass 1: each slot on its own, and the lddw pairs. */
	uint8_t *second = calloc(insn_cnt, 1); /* 1 = second slot of lddw */
	if (!second)
		return -ENOMEM;
	int err = 0;
	for (size_t i = 0; i < insn_cnt && !err; i++) {
		int op = isa_decode(&insns[i], why, sizeof(why));
		if (op < 0) {
			err = check_fail(msg, msg_size, i, "%s", why);
			break;
		}
		if (isa_ops[op].kind != K_LDDW)
			continue;
		if (i + 1 >= insn_cnt) {
			err = check_fail(msg, msg_size, i,
					 "invalid bpf_ld_imm64 insn: second slot is missing");
			break;
		}
		const struct uebpf_insn *hi = &insns[i + 1];
		if (hi->code || hi->dst_reg || hi->src_reg || hi->off) {
			err = check_fail(msg, msg_size, i + 1,
					 "invalid bpf_ld_imm64 insn: second slot must have code, registers and off zero");
			break;
		}
		int src = insns[i].src_reg;
		if (hi->imm && (src == PSEUDO_MAP_FD || src == PSEUDO_FUNC ||
				src == PSEUDO_MAP_IDX)) {
			err = check_fail(msg, msg_size, i + 1,
					 "invalid bpf_ld_imm64 insn: second slot imm must be 0 for pseudo src %d",
					 src);
			break;
		}
		second[++i] = 1;
	}

	/* Pass 2: jump and call targets. */
	for (size_t i = 0; i < insn_cnt && !err; i++) {
		if (second[i])
			continue;
		int op = isa_decode(&insns[i], NULL, 0);
		if (!has_target(op))
			continue;
		int64_t t = isa_jump_target(insns, i, op);
		if (isa_ops[op].kind == K_LDDW && insns[i].src_reg != PSEUDO_FUNC)
			continue;
		const char *what = isa_ops[op].kind == K_CALL_LOCAL ? "call" :
				   isa_ops[op].kind == K_LDDW ? "function reference" :
				   "jump";
		if (t < 0 || t >= (int64_t)insn_cnt)
			err = check_fail(msg, msg_size, i,
					 "%s out of range from insn %zu to %lld",
					 what, i, (long long)t);
		else if (second[t])
			err = check_fail(msg, msg_size, i,
					 "%s to the middle of ldimm64 insn %lld",
					 what, (long long)t - 1);
	}
	free(second);
	return err;
}
