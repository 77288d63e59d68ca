/* SPDX-License-Identifier: MIT */
/*
 * Disassembler, three syntaxes:
 *  - LLVM: byte for byte what `llvm-objdump -d --mcpu=v4` prints;
 *  - kernel: what the verifier log and `bpftool prog dump xlated` print;
 *  - conformance: the conformance suite's assembler syntax, lossless, so
 *    that assembling the output gives back the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "isa/isa.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n = vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* Signed hexadecimal as LLVM prints immediates: 0x10, -0x8. */
static void put_shex(struct out *o, int64_t v)
{
	if (v < 0)
		put(o, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)v);
	else
		put(o, "0x%" PRIx64, (uint64_t)v);
}

static const char *size_name(uint8_t code, int sign)
{
	static const char *const u[] = { "u32", "u16", "u8", "u64" };
	static const char *const s[] = { "s32", "s16", "s8", "s64" };
	return (sign ? s : u)[OPC_SIZE(code) >> 3];
}

/* Operator of an ALU operation in the C-like syntaxes. */
static const char *alu_operator(uint8_t code, int16_t off)
{
	switch (OPC_OP(code)) {
	case 0x00: return "+=";
	case 0x10: return "-=";
	case 0x20: return "*=";
	case 0x30: return off ? "s/=" : "/=";
	case 0x40: return "|=";
	case 0x50: return "&=";
	case 0x60: return "<<=";
	case 0x70: return ">>=";
	case 0x90: return off ? "s%=" : "%=";
	case 0xa0: return "^=";
	case 0xb0: return "=";
	case 0xc0: return "s>>=";
	}
	return "?=";
}

static const char *jmp_operator(uint8_t code)
{
	switch (OPC_OP(code)) {
	case 0x10: return "==";
	case 0x20: return ">";
	case 0x30: return ">=";
	case 0x40: return "&";
	case 0x50: return "!=";
	case 0x60: return "s>";
	case 0x70: return "s>=";
	case 0xa0: return "<";
	case 0xb0: return "<=";
	case 0xc0: return "s<";
	case 0xd0: return "s<=";
	}
	return "?";
}

/* Atomic ALU operation names, indexed by (imm & 0xf0) >> 4. */
static const char *atomic_name(int32_t imm)
{
	switch (imm & 0xf0) {
	case 0x00: return "add";
	case 0x40: return "or";
	case 0x50: return "and";
	case 0xa0: return "xor";
	}
	return "?";
}

static const char *atomic_operator(int32_t imm)
{
	switch (imm & 0xf0) {
	case 0x00: return "+=";
	case 0x40: return "|=";
	case 0x50: return "&=";
	case 0xa0: return "^=";
	}
	return "?=";
}

static const char *end_name(uint8_t code)
{
	if (OPC_CLASS(code) == CLS_ALU64)
		return "bswap";
	return OPC_SRC_X(code) ? "be" : "le";
}

/* ---- LLVM syntax ---------------------------------------------------- */

static void llvm_mem(struct out *o, int reg, int16_t off)
{
	put(o, "(r%d %c ", reg, off < 0 ? '-' : '+');
	put(o, "0x%x", off < 0 ? -(int)off : (int)off);
	put(o, ")");
}

static void llvm_target(struct out *o, size_t idx, int64_t rel,
			const struct uebpf_disasm_opts *opts)
{
	put(o, "%c", rel < 0 ? '-' : '+');
	put(o, "0x%" PRIx64, rel < 0 ? (uint64_t)-rel : (uint64_t)rel);
	if (opts && opts->symbol) {
		uint64_t at = (uint64_t)((int64_t)idx + 1 + rel) * 8;
		/* llvm-objdump leaves out a zero offset: `<prog>`. */
		if (at)
			put(o, " <%s+0x%" PRIx64 ">", opts->symbol, at);
		else
			put(o, " <%s>", opts->symbol);
	}
}

static void fmt_llvm(struct out *o, const struct uebpf_insn *insns, size_t idx,
		     int id, const struct uebpf_disasm_opts *opts)
{
	const struct uebpf_insn *in = &insns[idx];
	const struct isa_op *op = &isa_ops[id];
	char w = isa_is_32bit(in->code) ? 'w' : 'r';
	char sw = isa_size_bytes(in->code) < 8 ? 'w' : 'r'; /* narrow data */

	switch (op->kind) {
	case K_ALU:
		put(o, "%c%d %s ", w, in->dst_reg, alu_operator(in->code, in->off));
		if (OPC_SRC_X(in->code))
			put(o, "%c%d", w, in->src_reg);
		else
			put_shex(o, in->imm);
		break;
	case K_NEG:
		put(o, "%c%d = -%c%d", w, in->dst_reg, w, in->dst_reg);
		break;
	case K_MOVSX:
		put(o, "%c%d = (s%d)%c%d", w, in->dst_reg, in->off, w, in->src_reg);
		break;
	case K_END:
		put(o, "r%d = %s%d r%d", in->dst_reg, end_name(in->code), in->imm,
		    in->dst_reg);
		break;
	case K_LDDW:
		if (in->src_reg == PSEUDO_IMM64) {
			put(o, "r%d = ", in->dst_reg);
			put_shex(o, (int64_t)isa_imm64(in));
			put(o, " ll");
		} else {
			/* llvm-objdump prints the low 32 bits of the
			 * immediate, unsigned (the second slot is not shown). */
			put(o, "ld_pseudo\tr%d, 0x%x, 0x%" PRIx32, in->dst_reg,
			    in->src_reg, (uint32_t)in->imm);
		}
		break;
	case K_LDABS:
		put(o, "r0 = *(%s *)skb[", size_name(in->code, 0));
		put_shex(o, in->imm);
		put(o, "]");
		break;
	case K_LDIND:
		put(o, "r0 = *(%s *)skb[r%d]", size_name(in->code, 0), in->src_reg);
		break;
	case K_LDX: {
		int sx = (in->code & 0xe0) == 0x80;
		put(o, "%c%d = *(%s *)", sx ? 'r' : sw, in->dst_reg,
		    size_name(in->code, sx));
		llvm_mem(o, in->src_reg, in->off);
		break;
	}
	case K_ST:
		put(o, "*(%s *)", size_name(in->code, 0));
		llvm_mem(o, in->dst_reg, in->off);
		put(o, " = ");
		put_shex(o, in->imm);
		break;
	case K_STX:
		put(o, "*(%s *)", size_name(in->code, 0));
		llvm_mem(o, in->dst_reg, in->off);
		put(o, " = %c%d", sw, in->src_reg);
		break;
	case K_ATOMIC: {
		int bits = OPC_SIZE(in->code) == 0x18 ? 64 : 32;
		char r = bits == 64 ? 'r' : 'w';
		if (in->imm == 0xe1 || in->imm == 0xf1) {
			int cmp = in->imm == 0xf1;
			if (cmp)
				put(o, "%c0 = cmpxchg%s_%d(r%d %c 0x%x, %c0, %c%d)", r,
				    bits == 64 ? "" : "32", bits, in->dst_reg,
				    in->off < 0 ? '-' : '+', in->off < 0 ? -in->off : in->off,
				    r, r, in->src_reg);
			else
				put(o, "%c%d = xchg%s_%d(r%d %c 0x%x, %c%d)", r,
				    in->src_reg, bits == 64 ? "" : "32", bits,
				    in->dst_reg, in->off < 0 ? '-' : '+',
				    in->off < 0 ? -in->off : in->off, r, in->src_reg);
		} else if (in->imm & 0x01) {
			put(o, "%c%d = atomic_fetch_%s((%s *)", r, in->src_reg,
			    atomic_name(in->imm), size_name(in->code, 0));
			llvm_mem(o, in->dst_reg, in->off);
			put(o, ", %c%d)", r, in->src_reg);
		} else {
			put(o, "lock *(%s *)", size_name(in->code, 0));
			llvm_mem(o, in->dst_reg, in->off);
			put(o, " %s %c%d", atomic_operator(in->imm), r, in->src_reg);
		}
		break;
	}
	case K_LOAD_ACQ:
		put(o, "%c%d = load_acquire((%s *)", sw, in->dst_reg,
		    size_name(in->code, 0));
		llvm_mem(o, in->src_reg, in->off);
		put(o, ")");
		break;
	case K_STORE_REL:
		put(o, "store_release((%s *)", size_name(in->code, 0));
		llvm_mem(o, in->dst_reg, in->off);
		put(o, ", %c%d)", sw, in->src_reg);
		break;
	case K_JA:
		put(o, "goto ");
		llvm_target(o, idx, in->off, opts);
		break;
	case K_JA32:
		put(o, "gotol ");
		llvm_target(o, idx, in->imm, opts);
		break;
	case K_MAY_GOTO:
		put(o, "may_goto ");
		llvm_target(o, idx, in->off, opts);
		break;
	case K_JCC:
		put(o, "if %c%d %s ", w, in->dst_reg, jmp_operator(in->code));
		if (OPC_SRC_X(in->code))
			put(o, "%c%d", w, in->src_reg);
		else
			put_shex(o, in->imm);
		put(o, " goto ");
		llvm_target(o, idx, in->off, opts);
		break;
	case K_CALL:
	case K_CALL_LOCAL:
	case K_CALL_KFUNC:
		put(o, "call ");
		put_shex(o, in->imm);
		break;
	case K_CALLX:
		put(o, "callx r%d", in->dst_reg);
		break;
	case K_EXIT:
		put(o, "exit");
		break;
	}
}

/* ---- kernel syntax (verifier log, bpftool) ---------------------------- */

static void fmt_kernel(struct out *o, const struct uebpf_insn *insns,
		       size_t idx, int id)
{
	const struct uebpf_insn *in = &insns[idx];
	const struct isa_op *op = &isa_ops[id];
	char w = isa_is_32bit(in->code) ? 'w' : 'r';
	char r = 'r'; /* the kernel names atomics' registers rN at every width */

	put(o, "(%02x) ", in->code);
	switch (op->kind) {
	case K_ALU:
		put(o, "%c%d %s ", w, in->dst_reg, alu_operator(in->code, in->off));
		if (OPC_SRC_X(in->code))
			put(o, "%c%d", w, in->src_reg);
		else
			put(o, "%d", in->imm);
		break;
	case K_NEG:
		put(o, "%c%d = -%c%d", w, in->dst_reg, w, in->dst_reg);
		break;
	case K_MOVSX:
		put(o, "%c%d = (s%d)%c%d", w, in->dst_reg, in->off, w, in->src_reg);
		break;
	case K_END:
		put(o, "r%d = %s%d r%d", in->dst_reg, end_name(in->code), in->imm,
		    in->dst_reg);
		break;
	case K_LDDW: {
		uint32_t hi = (uint32_t)insns[idx + 1].imm;
		switch (in->src_reg) {
		case PSEUDO_MAP_FD:
			put(o, "r%d = map[fd:%d]", in->dst_reg, in->imm);
			break;
		case PSEUDO_MAP_VALUE:
			put(o, "r%d = map[fd:%d][0]+%u", in->dst_reg, in->imm, hi);
			break;
		case PSEUDO_MAP_IDX:
			put(o, "r%d = map[idx:%d]", in->dst_reg, in->imm);
			break;
		case PSEUDO_MAP_IDX_VALUE:
			put(o, "r%d = map[idx:%d][0]+%u", in->dst_reg, in->imm, hi);
			break;
		case PSEUDO_BTF_ID:
			put(o, "r%d = btf_id[%d]", in->dst_reg, in->imm);
			break;
		case PSEUDO_FUNC:
			put(o, "r%d = func[pc%+d]", in->dst_reg, in->imm);
			break;
		default:
			put(o, "r%d = 0x%" PRIx64, in->dst_reg, isa_imm64(in));
		}
		break;
	}
	case K_LDABS:
		put(o, "r0 = *(%s *)skb[%d]", size_name(in->code, 0), in->imm);
		break;
	case K_LDIND:
		put(o, "r0 = *(%s *)skb[r%d + %d]", size_name(in->code, 0),
		    in->src_reg, in->imm);
		break;
	case K_LDX: {
		int sx = (in->code & 0xe0) == 0x80;
		put(o, "r%d = *(%s *)(r%d %+d)", in->dst_reg,
		    size_name(in->code, sx), in->src_reg, in->off);
		break;
	}
	case K_ST:
		put(o, "*(%s *)(r%d %+d) = %d", size_name(in->code, 0), in->dst_reg,
		    in->off, in->imm);
		break;
	case K_STX:
		put(o, "*(%s *)(r%d %+d) = r%d", size_name(in->code, 0), in->dst_reg,
		    in->off, in->src_reg);
		break;
	case K_ATOMIC: {
		const char *bits = OPC_SIZE(in->code) == 0x18 ? "64" : "";
		const char *sz = size_name(in->code, 0);
		if (in->imm == 0xf1)
			put(o, "%c0 = atomic%s_cmpxchg((%s *)(r%d %+d), %c0, %c%d)", r,
			    bits, sz, in->dst_reg, in->off, r, r, in->src_reg);
		else if (in->imm == 0xe1)
			put(o, "%c%d = atomic%s_xchg((%s *)(r%d %+d), %c%d)", r,
			    in->src_reg, bits, sz, in->dst_reg, in->off, r, in->src_reg);
		else if (in->imm & 0x01)
			put(o, "%c%d = atomic%s_fetch_%s((%s *)(r%d %+d), %c%d)", r,
			    in->src_reg, bits, atomic_name(in->imm), sz, in->dst_reg,
			    in->off, r, in->src_reg);
		else
			put(o, "lock *(%s *)(r%d %+d) %s r%d", sz, in->dst_reg, in->off,
			    atomic_operator(in->imm), in->src_reg);
		break;
	}
	case K_LOAD_ACQ:
		put(o, "%c%d = load_acquire((%s *)(r%d %+d))", r, in->dst_reg,
		    size_name(in->code, 0), in->src_reg, in->off);
		break;
	case K_STORE_REL:
		put(o, "store_release((%s *)(r%d %+d), %c%d)", size_name(in->code, 0),
		    in->dst_reg, in->off, r, in->src_reg);
		break;
	case K_JA:
		put(o, "goto pc%+d", in->off);
		break;
	case K_JA32:
		put(o, "gotol pc%+d", in->imm);
		break;
	case K_MAY_GOTO:
		put(o, "may_goto pc%+d", in->off);
		break;
	case K_JCC:
		put(o, "if %c%d %s ", w, in->dst_reg, jmp_operator(in->code));
		if (OPC_SRC_X(in->code))
			put(o, "%c%d", w, in->src_reg);
		else
			put(o, "0x%x", (uint32_t)in->imm);
		put(o, " goto pc%+d", in->off);
		break;
	case K_CALL: {
		const char *name = uebpf_helper_name(in->imm);
		put(o, "call %s#%d", name ? name : "unknown", in->imm);
		break;
	}
	case K_CALL_LOCAL:
		put(o, "call pc%+d", in->imm);
		break;
	case K_CALL_KFUNC:
		put(o, "call kfunc#%d", in->imm);
		if (in->off)
			put(o, " btf#%d", in->off);
		break;
	case K_CALLX:
		put(o, "callx r%d", in->dst_reg);
		break;
	case K_EXIT:
		put(o, "exit");
		break;
	}
}

/* ---- conformance syntax --------------------------------------------- */

static void conf_mem(struct out *o, int reg, int16_t off)
{
	put(o, "[%%r%d%+d]", reg, off);
}

static void fmt_conformance(struct out *o, const struct uebpf_insn *insns,
			    size_t idx, int id)
{
	const struct uebpf_insn *in = &insns[idx];
	const struct isa_op *op = &isa_ops[id];

	switch (op->kind) {
	case K_ALU:
		put(o, "%s %%r%d, ", op->name, in->dst_reg);
		if (OPC_SRC_X(in->code))
			put(o, "%%r%d", in->src_reg);
		else
			put(o, "%d", in->imm);
		break;
	case K_MOVSX:
		put(o, "%s %%r%d, %%r%d", op->name, in->dst_reg, in->src_reg);
		break;
	case K_NEG:
	case K_END:
		put(o, "%s %%r%d", op->name, in->dst_reg);
		break;
	case K_LDDW: {
		int32_t hi = insns[idx + 1].imm;
		put(o, "lddw %%r%d, ", in->dst_reg);
		switch (in->src_reg) {
		case PSEUDO_IMM64:
			put(o, "0x%" PRIx64, isa_imm64(in));
			break;
		case PSEUDO_MAP_FD:
			put(o, "map_fd(%d)", in->imm);
			break;
		case PSEUDO_MAP_VALUE:
			put(o, "map_value(%d, %d)", in->imm, hi);
			break;
		case PSEUDO_BTF_ID:
			put(o, "btf_id(%d, %d)", in->imm, hi);
			break;
		case PSEUDO_FUNC:
			put(o, "func(%+d)", in->imm);
			break;
		case PSEUDO_MAP_IDX:
			put(o, "map_idx(%d)", in->imm);
			break;
		case PSEUDO_MAP_IDX_VALUE:
			put(o, "map_idx_value(%d, %d)", in->imm, hi);
			break;
		}
		break;
	}
	case K_LDABS:
		put(o, "%s %d", op->name, in->imm);
		break;
	case K_LDIND:
		put(o, "%s %%r%d, %d", op->name, in->src_reg, in->imm);
		break;
	case K_LDX:
	case K_LOAD_ACQ:
		put(o, "%s %%r%d, ", op->name, in->dst_reg);
		conf_mem(o, in->src_reg, in->off);
		break;
	case K_ST:
		put(o, "%s ", op->name);
		conf_mem(o, in->dst_reg, in->off);
		put(o, ", %d", in->imm);
		break;
	case K_STX:
	case K_ATOMIC:
	case K_STORE_REL:
		put(o, "%s ", op->name);
		conf_mem(o, in->dst_reg, in->off);
		put(o, ", %%r%d", in->src_reg);
		break;
	case K_JA:
	case K_MAY_GOTO:
		put(o, "%s %+d", op->name, in->off);
		break;
	case K_JA32:
		put(o, "%s %+d", op->name, in->imm);
		break;
	case K_JCC:
		put(o, "%s %%r%d, ", op->name, in->dst_reg);
		if (OPC_SRC_X(in->code))
			put(o, "%%r%d", in->src_reg);
		else
			put(o, "%d", in->imm);
		put(o, ", %+d", in->off);
		break;
	case K_CALL:
		put(o, "call %d", in->imm);
		break;
	case K_CALL_LOCAL:
		put(o, "call local %+d", in->imm);
		break;
	case K_CALL_KFUNC:
		put(o, "call runtime %d", in->imm);
		if (in->off)
			put(o, ", %d", in->off);
		break;
	case K_CALLX:
		put(o, "call %%r%d", in->dst_reg);
		break;
	case K_EXIT:
		put(o, "exit");
		break;
	}
}

int uebpf_disasm_insn(const struct uebpf_insn *insns, size_t insn_cnt,
		      size_t idx, char *buf, size_t buf_size,
		      const struct uebpf_disasm_opts *opts)
{
	struct out o = { buf, buf_size, 0 };
	enum uebpf_syntax syntax = opts ? opts->syntax : UEBPF_SYNTAX_AUTO;
	bool raw = opts && opts->show_raw;
	char why[160];

	if (idx >= insn_cnt)
		return -ERANGE;
	if (buf_size)
		buf[0] = '\0';

	int id = isa_decode(&insns[idx], why, sizeof(why));
	int slots = 1;
	if (id >= 0 && isa_ops[id].kind == K_LDDW) {
		if (idx + 1 < insn_cnt) {
			slots = 2;
		} else {
			id = -1;
			snprintf(why, sizeof(why), "lddw without its second slot");
		}
	}

	if (raw && syntax == UEBPF_SYNTAX_KERNEL) {
		put(&o, "%4zu: ", idx);
	} else if (raw) {
		const uint8_t *bytes = (const uint8_t *)&insns[idx];
		put(&o, "%8zu:\t", idx);
		for (int i = 0; i < 8 * slots; i++)
			put(&o, "%02x%s", bytes[i], i + 1 < 8 * slots ? " " : "\t");
	}

	if (id < 0) {
		put(&o, "<invalid: %s>", why);
		return 1;
	}
	switch (syntax) {
	case UEBPF_SYNTAX_KERNEL:
		fmt_kernel(&o, insns, idx, id);
		break;
	case UEBPF_SYNTAX_CONFORMANCE:
		fmt_conformance(&o, insns, idx, id);
		break;
	default:
		fmt_llvm(&o, insns, idx, id, opts);
	}
	return slots;
}

int uebpf_disasm(FILE *out, const struct uebpf_insn *insns, size_t insn_cnt,
		 const struct uebpf_disasm_opts *opts)
{
	char line[256];
	for (size_t i = 0; i < insn_cnt;) {
		int n = uebpf_disasm_insn(insns, insn_cnt, i, line, sizeof(line), opts);
		if (n < 0)
			return n;
		if (fprintf(out, "%s\n", line) < 0)
			return -EIO;
		i += (size_t)n;
	}
	return 0;
}
