/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets: a generator of mostly valid programs and the
 * disassembly round-trip check. The generator's opcode list is written
 * from the specification (RFC 9669 and the kernel's UAPI), not taken from
 * the library's tables, so that it can disagree with them.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Classes and field bits. */
enum {
	LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03,
	ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07,
	X = 0x08,
	SZ_W = 0x00, SZ_H = 0x08, SZ_B = 0x10, SZ_DW = 0x18,
	MODE_IMM = 0x00, MODE_ABS = 0x20, MODE_IND = 0x40, MODE_MEM = 0x60,
	MODE_MEMSX = 0x80, MODE_ATOMIC = 0xc0,
};

static const uint8_t sizes[] = { SZ_W, SZ_H, SZ_B, SZ_DW };
static unsigned size_bytes(uint8_t sz)
{
	return sz == SZ_W ? 4 : sz == SZ_H ? 2 : sz == SZ_B ? 1 : 8;
}

/* ALU operations with a source operand (not neg, mov-sx, end). */
static const uint8_t alu_ops[] = {
	0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0,
};
/* Conditional jumps. */
static const uint8_t jcc_ops[] = {
	0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0,
};
/* Atomic read-modify-write operations (imm). */
static const int32_t atomic_ops[] = {
	0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1,
};
static const int32_t interesting_imm[] = {
	0, 1, -1, 2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff,
	0x7fff, 0x8000, 0xffff, 0x7fffffff, INT32_MIN, -2, -8, -64,
	FUZZ_MEM_SIZE, FUZZ_MEM_SIZE - 1,
};

#define PICK(s, arr) ((arr)[fuzz_below((s), sizeof(arr) / sizeof((arr)[0]))])

/* A register that is worth writing: not r1 (the memory) nor r10 mostly. */
static int dst_reg(struct fuzz_src *s)
{
	static const uint8_t work[] = { 0, 0, 2, 3, 4, 5, 6, 7, 8, 9 };
	if (fuzz_one_in(s, 10))
		return (int)fuzz_below(s, 11);
	return PICK(s, work);
}

static int any_reg(struct fuzz_src *s)
{
	return (int)fuzz_below(s, 11);
}

static int32_t gen_imm(struct fuzz_src *s)
{
	switch (fuzz_below(s, 4)) {
	case 0:
		return (int32_t)fuzz_u32(s);
	case 1:
		return (int32_t)fuzz_below(s, 256) - 128;
	default:
		return PICK(s, interesting_imm);
	}
}

/* Base register and offset of a memory access of `bytes` bytes: mostly
 * inside the memory (r1) or the stack (r10), sometimes just outside. */
static void gen_addr(struct fuzz_src *s, unsigned bytes, int *base, int16_t *off)
{
	switch (fuzz_below(s, 8)) {
	case 0: case 1: case 2: case 3: /* r1 + [0, 64) */
		*base = 1;
		*off = (int16_t)(fuzz_below(s, FUZZ_MEM_SIZE / bytes) * bytes);
		if (fuzz_one_in(s, 8)) /* unaligned or past the end */
			*off = (int16_t)((int)fuzz_below(s, FUZZ_MEM_SIZE + 16) - 8);
		break;
	case 4: case 5: case 6: /* r10 - [1, 512] */
		*base = 10;
		*off = (int16_t)-(int)((1 + fuzz_below(s, 512 / bytes)) * bytes);
		if (fuzz_one_in(s, 8))
			*off = (int16_t)((int)fuzz_below(s, 600) - 560);
		break;
	default: /* whatever another register holds */
		*base = any_reg(s);
		*off = (int16_t)((int)fuzz_below(s, 64) - 32);
		if (fuzz_one_in(s, 8))
			*off = (int16_t)fuzz_u32(s);
	}
}

/* Relative offset from idx to a target in [0, cnt), mostly forward. */
static int32_t gen_jump(struct fuzz_src *s, size_t idx, size_t cnt)
{
	size_t target;
	if (fuzz_one_in(s, 32))
		return (int32_t)fuzz_below(s, 16) - 8; /* anywhere near */
	if (idx + 1 < cnt && !fuzz_one_in(s, 5))
		target = idx + 1 + fuzz_below(s, (uint32_t)(cnt - idx - 1));
	else
		target = fuzz_below(s, (uint32_t)cnt);
	return (int32_t)((int64_t)target - (int64_t)idx - 1);
}

static struct uebpf_insn mk(uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	struct uebpf_insn in;
	memset(&in, 0, sizeof(in));
	in.code = code;
	in.dst_reg = (uint8_t)dst & 0xf;
	in.src_reg = (uint8_t)src & 0xf;
	in.off = off;
	in.imm = imm;
	return in;
}

struct uebpf_insn fuzz_gen_insn(struct fuzz_src *s, size_t idx, size_t cnt)
{
	int base;
	int16_t off;
	uint8_t sz;
	unsigned k = fuzz_below(s, 100);

	if (k < 22) { /* dst op= src|imm */
		uint8_t op = PICK(s, alu_ops);
		uint8_t cls = fuzz_below(s, 2) ? ALU64 : ALU;
		int16_t sdiv = (op == 0x30 || op == 0x90) ? (int16_t)fuzz_below(s, 2) : 0;
		if (fuzz_below(s, 2))
			return mk(op | cls | X, dst_reg(s), any_reg(s), sdiv, 0);
		return mk(op | cls, dst_reg(s), 0, sdiv, gen_imm(s));
	}
	if (k < 26) { /* neg, sign-extending mov, byte swaps */
		switch (fuzz_below(s, 4)) {
		case 0:
			return mk(fuzz_below(s, 2) ? 0x87 : 0x84, dst_reg(s), 0, 0, 0);
		case 1: {
			static const int16_t bits64[] = { 8, 16, 32 };
			if (fuzz_below(s, 2))
				return mk(0xbf, dst_reg(s), any_reg(s), PICK(s, bits64), 0);
			return mk(0xbc, dst_reg(s), any_reg(s),
				  (int16_t)(fuzz_below(s, 2) ? 8 : 16), 0);
		}
		default: {
			static const uint8_t codes[] = { 0xd4, 0xdc, 0xd7 };
			static const int32_t widths[] = { 16, 32, 64 };
			return mk(PICK(s, codes), dst_reg(s), 0, 0, PICK(s, widths));
		}
		}
	}
	if (k < 36) { /* loads */
		sz = PICK(s, sizes);
		gen_addr(s, size_bytes(sz), &base, &off);
		if (sz != SZ_DW && fuzz_one_in(s, 3))
			return mk(LDX | MODE_MEMSX | sz, dst_reg(s), base, off, 0);
		return mk(LDX | MODE_MEM | sz, dst_reg(s), base, off, 0);
	}
	if (k < 46) { /* stores */
		sz = PICK(s, sizes);
		gen_addr(s, size_bytes(sz), &base, &off);
		if (fuzz_below(s, 2))
			return mk(ST | MODE_MEM | sz, base, 0, off, gen_imm(s));
		return mk(STX | MODE_MEM | sz, base, any_reg(s), off, 0);
	}
	if (k < 51) { /* atomic read-modify-write */
		sz = fuzz_below(s, 2) ? SZ_DW : SZ_W;
		gen_addr(s, size_bytes(sz), &base, &off);
		int32_t op = PICK(s, atomic_ops);
		/* cmpxchg compares with r0; others take any source. */
		return mk(STX | MODE_ATOMIC | sz, base, any_reg(s), off, op);
	}
	if (k < 53) { /* load-acquire, store-release */
		sz = PICK(s, sizes);
		gen_addr(s, size_bytes(sz), &base, &off);
		if (fuzz_below(s, 2))
			return mk(STX | MODE_ATOMIC | sz, dst_reg(s), base, off, 0x100);
		return mk(STX | MODE_ATOMIC | sz, base, any_reg(s), off, 0x110);
	}
	if (k < 55) { /* legacy packet loads */
		static const uint8_t pkt_sizes[] = { SZ_W, SZ_H, SZ_B };
		sz = PICK(s, pkt_sizes);
		if (fuzz_below(s, 2))
			return mk(LD | MODE_ABS | sz, 0, 0, 0, (int32_t)fuzz_below(s, 72) - 4);
		return mk(LD | MODE_IND | sz, 0, any_reg(s), 0, (int32_t)fuzz_below(s, 72) - 4);
	}
	if (k < 71) { /* conditional jumps */
		uint8_t cls = fuzz_below(s, 2) ? JMP : JMP32;
		uint8_t op = PICK(s, jcc_ops);
		int32_t rel = gen_jump(s, idx, cnt);
		if (fuzz_below(s, 2))
			return mk(op | cls | X, any_reg(s), any_reg(s), (int16_t)rel, 0);
		return mk(op | cls, any_reg(s), 0, (int16_t)rel, gen_imm(s));
	}
	if (k < 75) { /* unconditional jumps */
		int32_t rel = gen_jump(s, idx, cnt);
		switch (fuzz_below(s, 3)) {
		case 0:
			return mk(JMP, 0, 0, (int16_t)rel, 0);         /* ja */
		case 1:
			return mk(JMP32, 0, 0, 0, rel);                /* gotol */
		default:
			return mk(JMP | 0xe0, 0, 0, (int16_t)rel, 0);  /* may_goto */
		}
	}
	if (k < 85) { /* calls */
		switch (fuzz_below(s, 8)) {
		case 0: /* bpf-to-bpf */
			return mk(JMP | 0x80, 0, 1, 0, gen_jump(s, idx, cnt));
		case 1: /* through a register */
			return mk(JMP | X | 0x80, any_reg(s), 0, 0, 0);
		case 2: /* a helper that is (most likely) not there */
			return mk(JMP | 0x80, 0, 0, 0, fuzz_one_in(s, 4) ?
				  (int32_t)fuzz_u32(s) : (int32_t)fuzz_below(s, 300));
		default:
			return mk(JMP | 0x80, 0, 0, 0, 1 + (int32_t)fuzz_below(s, FUZZ_HELPER_MAX));
		}
	}
	if (k < 90) /* mov, the most common instruction */
		return mk(ALU64 | 0xb0, dst_reg(s), 0, 0, gen_imm(s));
	if (k < 96)
		return mk(JMP | 0x90, 0, 0, 0, 0); /* exit */
	/* Anything at all: mostly rejected by the loader. */
	struct uebpf_insn in;
	uint32_t a = fuzz_u32(s), b = fuzz_u32(s);
	memcpy(&in, &a, 4);
	memcpy((char *)&in + 4, &b, 4);
	return in;
}

size_t fuzz_gen_program(struct fuzz_src *s, struct uebpf_insn *out, size_t max)
{
	if (max == 0)
		return 0;
	/* Short programs are the most useful; a few are long. */
	size_t cnt = 1 + fuzz_below(s, (uint32_t)(max < 16 ? max : 16));
	if (fuzz_one_in(s, 4))
		cnt = 1 + fuzz_below(s, (uint32_t)max);
	if (s->data) /* as many as the bytes left describe, roughly */
		cnt = 1 + (s->size - s->pos) / 3 < cnt ? 1 + (s->size - s->pos) / 3 : cnt;

	size_t i = 0;
	while (i < cnt) {
		if (i + 1 == cnt && !fuzz_one_in(s, 16)) {
			out[i++] = mk(JMP | 0x90, 0, 0, 0, 0); /* exit */
			break;
		}
		unsigned k = fuzz_below(s, 32);
		if (k == 0 && i + 2 < cnt) { /* lddw: two slots */
			uint64_t v = fuzz_one_in(s, 2) ? (uint64_t)gen_imm(s) :
				     ((uint64_t)fuzz_u32(s) << 32 | fuzz_u32(s));
			int pseudo = fuzz_one_in(s, 16) ? (int)fuzz_below(s, 8) : 0;
			out[i++] = mk(LD | SZ_DW | MODE_IMM, dst_reg(s), pseudo, 0, (int32_t)(uint32_t)v);
			out[i++] = mk(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
			continue;
		}
		if (k == 1 && i + 2 < cnt) { /* callx to a helper that exists */
			int r = dst_reg(s);
			out[i++] = mk(ALU64 | 0xb0, r, 0, 0, 1 + (int32_t)fuzz_below(s, FUZZ_HELPER_MAX));
			out[i++] = mk(JMP | X | 0x80, r, 0, 0, 0);
			continue;
		}
		if (k == 2 && i + 2 < cnt) { /* helper 3 on a piece of the memory */
			out[i++] = mk(ALU64 | 0xb0, 2, 0, 0, (int32_t)fuzz_below(s, FUZZ_MEM_SIZE + 4));
			out[i++] = mk(JMP | 0x80, 0, 0, 0, 3);
			continue;
		}
		out[i] = fuzz_gen_insn(s, i, cnt);
		i++;
	}
	/* A broken field now and then, for the checker and the loader. */
	if (fuzz_one_in(s, 16)) {
		struct uebpf_insn *in = &out[fuzz_below(s, (uint32_t)i)];
		switch (fuzz_below(s, 5)) {
		case 0: in->dst_reg = (uint8_t)fuzz_below(s, 16); break;
		case 1: in->src_reg = (uint8_t)fuzz_below(s, 16); break;
		case 2: in->off = (int16_t)fuzz_u32(s); break;
		case 3: in->imm = (int32_t)fuzz_u32(s); break;
		default: in->code = (uint8_t)fuzz_u32(s); break;
		}
	}
	return i;
}

/* ---- disassembly checks ---- */

#define LINE_MAX_LEN 512

char *fuzz_disasm_text(const struct uebpf_insn *insns, size_t cnt,
		       const struct uebpf_disasm_opts *opts, int *all_valid)
{
	size_t cap = cnt * 64 + 1, len = 0;
	char *text = malloc(cap);
	char line[LINE_MAX_LEN];

	FUZZ_CHECK(text, "out of memory");
	text[0] = '\0';
	*all_valid = 1;
	for (size_t i = 0; i < cnt;) {
		int n = uebpf_disasm_insn(insns, cnt, i, line, sizeof(line), opts);
		FUZZ_CHECK(n == 1 || n == 2, "uebpf_disasm_insn(%zu of %zu) returned %d", i, cnt, n);
		FUZZ_CHECK(n == 1 || i + 1 < cnt, "a 2-slot instruction at the last slot %zu", i);
		size_t l = strlen(line);
		FUZZ_CHECK(l + 1 < sizeof(line), "insn %zu: a line of %zu characters or more", i, l);
		if (strstr(line, "<invalid"))
			*all_valid = 0;
		if (len + l + 2 > cap) {
			cap = 2 * cap + l + 2;
			text = realloc(text, cap);
			FUZZ_CHECK(text, "out of memory");
		}
		memcpy(text + len, line, l);
		len += l;
		text[len++] = '\n';
		text[len] = '\0';
		i += (size_t)n;
	}
	return text;
}

static void report_difference(const char *what, const char *text,
			      const struct uebpf_insn *want, size_t want_cnt,
			      const struct uebpf_insn *got, size_t got_cnt)
{
	fprintf(stderr, "conformance round trip (%s) changed the program\n", what);
	fprintf(stderr, "--- disassembly ---\n%s---\n", text);
	fprintf(stderr, "%zu instructions in, %zu out\n", want_cnt, got_cnt);
	for (size_t i = 0; i < want_cnt || i < got_cnt; i++) {
		const uint8_t *a = i < want_cnt ? (const uint8_t *)&want[i] : NULL;
		const uint8_t *b = i < got_cnt ? (const uint8_t *)&got[i] : NULL;
		if (a && b && !memcmp(a, b, 8))
			continue;
		fprintf(stderr, "insn %zu: in ", i);
		for (int j = 0; j < 8; j++)
			fprintf(stderr, a ? "%02x" : "--", a ? a[j] : 0);
		fprintf(stderr, "  out ");
		for (int j = 0; j < 8; j++)
			fprintf(stderr, b ? "%02x" : "--", b ? b[j] : 0);
		fprintf(stderr, "\n");
	}
}

int fuzz_check_conformance_roundtrip(const struct uebpf_insn *insns, size_t cnt)
{
	struct uebpf_disasm_opts dopts = {
		.sz = sizeof(dopts), .syntax = UEBPF_SYNTAX_CONFORMANCE,
	};
	int all_valid;

	if (cnt == 0)
		return 0;
	/* The second slot of an lddw has no text of its own: the assembler
	 * writes it with code, registers and off zero, and imm zero for the
	 * pseudo sources that take one 32-bit value (map_fd, func, map_idx;
	 * uebpf_insns_check rejects anything else there). */
	for (size_t i = 0; i + 1 < cnt; i++) {
		if (insns[i].code != 0x18)
			continue;
		const struct uebpf_insn *hi = &insns[i + 1];
		int src = insns[i].src_reg;
		if (hi->code || hi->dst_reg || hi->src_reg || hi->off)
			return 0;
		if (hi->imm && (src == 1 || src == 4 || src == 5))
			return 0;
		i++;
	}
	char *text = fuzz_disasm_text(insns, cnt, &dopts, &all_valid);
	if (!all_valid) {
		free(text);
		return 0;
	}

	static const struct {
		enum uebpf_syntax syntax;
		const char *name;
	} readers[] = {
		{ UEBPF_SYNTAX_CONFORMANCE, "CONFORMANCE" },
		{ UEBPF_SYNTAX_AUTO, "AUTO" },
	};
	for (size_t r = 0; r < sizeof(readers) / sizeof(readers[0]); r++) {
		char err[256];
		struct uebpf_asm_opts aopts = {
			.sz = sizeof(aopts), .syntax = readers[r].syntax,
			.err_buf = err, .err_size = sizeof(err),
		};
		struct uebpf_insn *back = NULL;
		size_t back_cnt = 0;
		int rc = uebpf_asm(text, &back, &back_cnt, &aopts);
		if (rc != 0) {
			fprintf(stderr, "--- disassembly ---\n%s---\n", text);
			FUZZ_CHECK(rc == 0, "the %s assembler rejects the conformance disassembly: %s",
				   readers[r].name, err);
		}
		if (back_cnt != cnt || memcmp(back, insns, cnt * sizeof(*insns))) {
			report_difference(readers[r].name, text, insns, cnt, back, back_cnt);
			FUZZ_CHECK(0, "round trip through the %s assembler", readers[r].name);
		}
		free(back);
	}
	free(text);
	return 1;
}
