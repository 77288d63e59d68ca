/* SPDX-License-Identifier: MIT */
/*
 * Assembler. Reads the conformance suite's syntax (`mov %r0, 1`) and the
 * C-like syntax shared by LLVM (`r0 = 0x1`, `if r1 > 0x2 goto +0x3`) and
 * the kernel's verifier log / bpftool (`(b7) r0 = 1`, `goto pc+3`,
 * `call bpf_map_lookup_elem#1`). With UEBPF_SYNTAX_AUTO each line is read
 * in the syntax it is written in, so the output of any of our
 * disassemblers, of llvm-objdump and of bpftool can be fed back in.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"

#define MAX_LINE 1024
#define MAX_NAME 64

/* A jump or call waiting for its label to be defined. */
struct fixup {
	size_t insn;       /* index of the instruction to patch */
	int line;          /* for the error message */
	int in_imm;        /* patch imm (gotol, call) instead of off */
	char label[MAX_NAME];
};

struct label {
	char name[MAX_NAME];
	size_t insn;
	int line;
};

struct assembler {
	struct uebpf_insn *insns;
	size_t cnt, cap;
	struct fixup *fixups;
	size_t nfixups, fixups_cap;
	struct label *labels;
	size_t nlabels, labels_cap;
	long first_exit; /* default target of the label `exit` */
	enum uebpf_syntax syntax;
	int line;
	const char *p;   /* cursor in the current line */
	char *err;
	size_t err_size;
	jmp_buf fail;    /* parse errors unwind to uebpf_asm() */
	int fail_code;
};

static void asm_error(struct assembler *a, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static void asm_error(struct assembler *a, const char *fmt, ...)
{
	if (a->err_size) {
		char detail[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
		snprintf(a->err, a->err_size, "line %d: %s", a->line, detail);
	}
	a->fail_code = -EINVAL;
	longjmp(a->fail, 1);
}

static void *grow(struct assembler *a, void *arr, size_t *cap, size_t need,
		  size_t elem)
{
	if (need <= *cap)
		return arr;
	size_t n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	void *p = realloc(arr, n * elem);
	if (!p) {
		a->fail_code = -ENOMEM;
		if (a->err_size)
			snprintf(a->err, a->err_size, "out of memory");
		longjmp(a->fail, 1);
	}
	*cap = n;
	return p;
}

static struct uebpf_insn *emit(struct assembler *a, uint8_t code, int dst,
			       int src, int16_t off, int32_t imm)
{
	if (a->cnt >= UEBPF_MAX_INSNS)
		asm_error(a, "program has more than %u instructions", UEBPF_MAX_INSNS);
	a->insns = grow(a, a->insns, &a->cap, a->cnt + 1, sizeof(*a->insns));
	struct uebpf_insn *in = &a->insns[a->cnt++];
	in->code = code;
	in->dst_reg = (uint8_t)dst;
	in->src_reg = (uint8_t)src;
	in->off = off;
	in->imm = imm;
	return in;
}

static void emit_lddw(struct assembler *a, int dst, int src, uint64_t v)
{
	emit(a, 0x18, dst, src, 0, (int32_t)(uint32_t)v);
	emit(a, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* ---- the cursor ----------------------------------------------------- */

static void skip_ws(struct assembler *a)
{
	while (*a->p == ' ' || *a->p == '\t')
		a->p++;
}

/* Consumes s (after optional blanks) if it comes next. */
static int accept(struct assembler *a, const char *s)
{
	skip_ws(a);
	size_t n = strlen(s);
	if (strncmp(a->p, s, n) != 0)
		return 0;
	/* A word must not run on into more word characters. */
	if ((isalnum((unsigned char)s[n - 1]) || s[n - 1] == '_') &&
	    (isalnum((unsigned char)a->p[n]) || a->p[n] == '_'))
		return 0;
	a->p += n;
	return 1;
}

static void describe_rest(struct assembler *a, char *buf, size_t size)
{
	skip_ws(a);
	if (!*a->p)
		snprintf(buf, size, "end of line");
	else
		snprintf(buf, size, "'%.20s'", a->p);
}

static void expect(struct assembler *a, const char *s)
{
	if (!accept(a, s)) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "expected '%s', found %s", s, got);
	}
}

static void expect_end(struct assembler *a)
{
	skip_ws(a);
	if (*a->p) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "unexpected %s", got);
	}
}

static int peek(struct assembler *a, const char *s)
{
	const char *save = a->p;
	int r = accept(a, s);
	a->p = save;
	return r;
}

/* Reads a word of letters, digits, '_', '.' and '$'. */
static int word(struct assembler *a, char *buf, size_t size)
{
	skip_ws(a);
	size_t n = 0;
	while (isalnum((unsigned char)a->p[n]) || a->p[n] == '_' ||
	       a->p[n] == '.' || a->p[n] == '$')
		n++;
	if (n == 0)
		return 0;
	if (n >= size)
		asm_error(a, "name too long: '%.*s'", (int)n, a->p);
	memcpy(buf, a->p, n);
	buf[n] = '\0';
	a->p += n;
	return 1;
}

/* A number: decimal or 0x hex, with an optional sign. Returns 0 if none. */
static int number(struct assembler *a, int64_t *neg_or_val, int *negative,
		  uint64_t *magnitude)
{
	skip_ws(a);
	const char *s = a->p;
	int neg = 0;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
		while (*s == ' ')
			s++;
	}
	if (!isdigit((unsigned char)*s))
		return 0;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			asm_error(a, "bad hexadecimal number");
	}
	uint64_t v = 0;
	int overflow = 0;
	for (;; s++) {
		int d;
		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (isalpha((unsigned char)*s) || *s == '_')
		asm_error(a, "bad number '%.*s'", (int)(s - a->p) + 1, a->p);
	if (overflow)
		asm_error(a, "number '%.*s' does not fit in 64 bits",
			  (int)(s - a->p), a->p);
	a->p = s;
	*negative = neg;
	*magnitude = v;
	*neg_or_val = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

/* Immediate for a 32-bit field: -2^31 .. 2^32-1, like clang. */
static int imm32(struct assembler *a, int32_t *out)
{
	int64_t v;
	int neg;
	uint64_t mag;
	if (!number(a, &v, &neg, &mag))
		return 0;
	if ((neg && mag > 0x80000000ull) || (!neg && mag > 0xffffffffull))
		asm_error(a, "immediate %s0x%" PRIx64 " does not fit in 32 bits",
			  neg ? "-" : "", mag);
	*out = (int32_t)(uint32_t)(uint64_t)v;
	return 1;
}

static int64_t need_number(struct assembler *a, const char *what)
{
	int64_t v;
	int neg;
	uint64_t mag;
	if (!number(a, &v, &neg, &mag)) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "expected %s, found %s", what, got);
	}
	return v;
}

static int32_t need_imm32(struct assembler *a)
{
	int32_t v;
	if (!imm32(a, &v)) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "expected an immediate, found %s", got);
	}
	return v;
}

static int16_t to_off16(struct assembler *a, int64_t v)
{
	if (v < INT16_MIN || v > INT16_MAX)
		asm_error(a, "offset %" PRId64 " does not fit in 16 bits", v);
	return (int16_t)v;
}

/*
 * A register: rN / wN (C-like syntax) or %rN (conformance). Returns the
 * number and sets *width to 'r' or 'w'; returns -1 if no register follows.
 */
static int reg_opt(struct assembler *a, char *width)
{
	skip_ws(a);
	const char *s = a->p;
	if (*s == '%')
		s++;
	if ((*s != 'r' && *s != 'w') || !isdigit((unsigned char)s[1]))
		return -1;
	char w = *s++;
	int n = 0;
	while (isdigit((unsigned char)*s) && n < 100)
		n = n * 10 + (*s++ - '0');
	if (isalnum((unsigned char)*s) || *s == '_')
		return -1;
	if (n >= UEBPF_REG_COUNT)
		asm_error(a, "invalid register '%.*s' (registers are r0..r10)",
			  (int)(s - a->p), a->p);
	a->p = s;
	if (width)
		*width = w;
	return n;
}

static int reg(struct assembler *a, char *width)
{
	int r = reg_opt(a, width);
	if (r < 0) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "expected a register, found %s", got);
	}
	return r;
}

/* ---- labels --------------------------------------------------------- */

static void define_label(struct assembler *a, const char *name)
{
	for (size_t i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i].name, name) == 0)
			asm_error(a, "duplicate label '%s' (first defined on line %d)",
				  name, a->labels[i].line);
	a->labels = grow(a, a->labels, &a->labels_cap, a->nlabels + 1,
			 sizeof(*a->labels));
	struct label *l = &a->labels[a->nlabels++];
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->insn = a->cnt;
	l->line = a->line;
}

/*
 * A jump or call target: +N, -N, pc+N, pc-N, or a label. Returns the
 * relative offset, or records a fixup for a label and returns 0.
 */
static int64_t target(struct assembler *a, int in_imm)
{
	skip_ws(a);
	if (strncmp(a->p, "pc", 2) == 0 && (a->p[2] == '+' || a->p[2] == '-'))
		a->p += 2;
	int64_t v;
	int neg;
	uint64_t mag;
	skip_ws(a);
	if ((*a->p == '+' || *a->p == '-' || isdigit((unsigned char)*a->p)) &&
	    number(a, &v, &neg, &mag)) {
		/* llvm-objdump appends the target as <sym+0x18>. */
		skip_ws(a);
		if (*a->p == '<') {
			const char *end = strchr(a->p, '>');
			if (end)
				a->p = end + 1;
		}
		return v;
	}
	char name[MAX_NAME];
	if (!word(a, name, sizeof(name))) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "expected a jump target (+N, -N or a label), found %s", got);
	}
	a->fixups = grow(a, a->fixups, &a->fixups_cap, a->nfixups + 1,
			 sizeof(*a->fixups));
	struct fixup *f = &a->fixups[a->nfixups++];
	f->insn = a->cnt; /* the instruction about to be emitted */
	f->line = a->line;
	f->in_imm = in_imm;
	snprintf(f->label, sizeof(f->label), "%s", name);
	return 0;
}

static int16_t jump_off(struct assembler *a)
{
	return to_off16(a, target(a, 0));
}

static int32_t jump_imm(struct assembler *a)
{
	int64_t v = target(a, 1);
	if (v < INT32_MIN || v > INT32_MAX)
		asm_error(a, "jump offset %" PRId64 " does not fit in 32 bits", v);
	return (int32_t)v;
}

/* ---- shared pieces -------------------------------------------------- */

static int find_op(const char *name)
{
	for (int i = 0; i < OP__COUNT; i++)
		if (strcmp(isa_ops[i].name, name) == 0)
			return i;
	return -1;
}

/* Opcode byte of the ALU operation `op` (0x00..0xc0) in a class. */
static uint8_t alu_code(int op, int is64, int x)
{
	return (uint8_t)(op | (x ? 0x08 : 0) | (is64 ? CLS_ALU64 : CLS_ALU));
}

static uint8_t size_bits(int bytes)
{
	switch (bytes) {
	case 1: return 0x10;
	case 2: return 0x08;
	case 4: return 0x00;
	default: return 0x18;
	}
}

/* Helper call by number, by name (`bpf_trace_printk`) or bpftool's
 * `name#id`. */
static int32_t helper_target(struct assembler *a)
{
	int32_t imm;
	if (imm32(a, &imm))
		return imm;
	char name[MAX_NAME];
	if (!word(a, name, sizeof(name)))
		asm_error(a, "expected a helper number or name");
	if (accept(a, "#"))
		return need_imm32(a);
	int32_t id = uebpf_helper_id(name);
	if (id < 0)
		asm_error(a, "unknown helper '%s'", name);
	return id;
}

/* ---- C-like syntax (LLVM and kernel) -------------------------------- */

/* `*(u32 *)` or `(u32 *)`: returns the size in bytes; *sign for sN. */
static int c_size(struct assembler *a, int *sign)
{
	char name[MAX_NAME];
	expect(a, "(");
	if (!word(a, name, sizeof(name)) ||
	    (name[0] != 'u' && name[0] != 's'))
		asm_error(a, "expected a size (u8, u16, u32, u64)");
	int bits = atoi(name + 1);
	if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
		asm_error(a, "bad size '%s'", name);
	*sign = name[0] == 's';
	expect(a, "*");
	expect(a, ")");
	return bits / 8;
}

/* `(rN + off)` / `(rN +off)` / `(rN - 0x8)`; the parentheses optional
 * (xchg_64(r1 + 0x8, r2)). */
static int c_address(struct assembler *a, int16_t *off, int parens)
{
	if (parens)
		expect(a, "(");
	int r = reg(a, NULL);
	int64_t v = 0;
	skip_ws(a);
	if (*a->p == '+' || *a->p == '-') {
		int neg = *a->p == '-';
		a->p++;
		v = need_number(a, "an offset");
		if (neg)
			v = -v;
	}
	*off = to_off16(a, v);
	if (parens)
		expect(a, ")");
	return r;
}

/* Source operand of a C-like statement: a register or an immediate.
 * Returns 1 for a register (in *src), 0 for an immediate (in *imm). */
static int c_operand(struct assembler *a, int *src, int32_t *imm, char *width)
{
	int r = reg_opt(a, width);
	if (r >= 0) {
		*src = r;
		return 1;
	}
	*imm = need_imm32(a);
	return 0;
}

/* Compound assignments; longer spellings first so `s>>=` wins over `>>=`. */
static const struct alu_assign {
	const char *txt;
	uint8_t op;  /* ALU operation bits */
	int16_t off; /* 1 for the signed division forms */
} alu_assigns[] = {
	{ "s>>=", 0xc0, 0 }, { "s/=", 0x30, 1 }, { "s%=", 0x90, 1 },
	{ "<<=", 0x60, 0 }, { ">>=", 0x70, 0 }, { "+=", 0x00, 0 },
	{ "-=", 0x10, 0 }, { "*=", 0x20, 0 }, { "/=", 0x30, 0 },
	{ "|=", 0x40, 0 }, { "&=", 0x50, 0 }, { "%=", 0x90, 0 },
	{ "^=", 0xa0, 0 },
};

static const struct alu_assign *accept_alu_assign(struct assembler *a)
{
	for (size_t i = 0; i < sizeof(alu_assigns) / sizeof(alu_assigns[0]); i++)
		if (accept(a, alu_assigns[i].txt))
			return &alu_assigns[i];
	return NULL;
}

/* Jump conditions; longer spellings first. */
static const struct { const char *txt; uint8_t op; } jmp_conds[] = {
	{ "s>=", 0x70 }, { "s<=", 0xd0 }, { "s>", 0x60 }, { "s<", 0xc0 },
	{ "==", 0x10 }, { "!=", 0x50 }, { ">=", 0x30 }, { "<=", 0xb0 },
	{ ">", 0x20 }, { "<", 0xa0 }, { "&", 0x40 },
};

static void check_width(struct assembler *a, char want, char got)
{
	if (want != got)
		asm_error(a, "mixes %c and %c registers", want, got);
}

/* `lock *(u64 *)(r1 + 0) += r2` */
static void c_lock(struct assembler *a)
{
	int sign;
	int16_t off;
	expect(a, "*");
	int bytes = c_size(a, &sign);
	int dst = c_address(a, &off, 1);
	int32_t imm;
	skip_ws(a);
	if (accept(a, "+="))
		imm = 0x00;
	else if (accept(a, "|="))
		imm = 0x40;
	else if (accept(a, "&="))
		imm = 0x50;
	else if (accept(a, "^="))
		imm = 0xa0;
	else
		asm_error(a, "expected an atomic operation (+=, |=, &=, ^=)");
	int src = reg(a, NULL);
	if (bytes != 4 && bytes != 8)
		asm_error(a, "atomic operations are 32 or 64 bits wide");
	emit(a, (uint8_t)(CLS_STX | 0xc0 | size_bits(bytes)), dst, src, off, imm);
}

/* Statements starting with `*(`: stores. */
static void c_store(struct assembler *a)
{
	int sign;
	int16_t off;
	int bytes = c_size(a, &sign);
	int dst = c_address(a, &off, 1);
	expect(a, "=");
	int src;
	int32_t imm;
	if (c_operand(a, &src, &imm, NULL))
		emit(a, (uint8_t)(CLS_STX | 0x60 | size_bits(bytes)), dst, src, off, 0);
	else
		emit(a, (uint8_t)(CLS_ST | 0x60 | size_bits(bytes)), dst, 0, off, imm);
}

/* Right-hand sides that are function-like: atomics with a result. */
static int c_atomic_rhs(struct assembler *a, int dst)
{
	static const struct { const char *name; int32_t imm; } fetch[] = {
		{ "add", 0x01 }, { "or", 0x41 }, { "and", 0x51 }, { "xor", 0xa1 },
	};
	int sign, bytes, src, addr;
	int16_t off;
	char name[MAX_NAME];
	const char *save = a->p;

	if (!word(a, name, sizeof(name)))
		return 0;
	const char *fn = name;
	int kernel64 = 0;
	if (strncmp(fn, "atomic64_", 9) == 0) {
		kernel64 = 1;
		fn += 9;
	} else if (strncmp(fn, "atomic_", 7) == 0) {
		fn += 7;
	} else if (strcmp(fn, "load_acquire") != 0 &&
		   strncmp(fn, "xchg", 4) != 0 && strncmp(fn, "cmpxchg", 7) != 0) {
		a->p = save;
		return 0;
	}

	if (strncmp(fn, "fetch_", 6) == 0) {
		int32_t imm = -1;
		for (size_t i = 0; i < 4; i++)
			if (strcmp(fn + 6, fetch[i].name) == 0)
				imm = fetch[i].imm;
		if (imm < 0)
			asm_error(a, "unknown atomic operation '%s'", name);
		expect(a, "(");
		bytes = c_size(a, &sign);
		addr = c_address(a, &off, 1);
		expect(a, ",");
		char sw;
		src = reg(a, &sw);
		expect(a, ")");
		if (src != dst)
			asm_error(a, "atomic fetch returns into its source register (r%d)", src);
		emit(a, (uint8_t)(CLS_STX | 0xc0 | size_bits(bytes)), addr, src, off, imm);
		return 1;
	}
	if (strcmp(fn, "load_acquire") == 0) {
		expect(a, "(");
		bytes = c_size(a, &sign);
		addr = c_address(a, &off, 1);
		expect(a, ")");
		emit(a, (uint8_t)(CLS_STX | 0xc0 | size_bits(bytes)), dst, addr, off, 0x100);
		return 1;
	}
	int is_cmp = strncmp(fn, "cmpxchg", 7) == 0;
	if (kernel64 || strcmp(fn, "xchg") == 0 || strcmp(fn, "cmpxchg") == 0) {
		/* kernel: atomic64_xchg((u64 *)(r1 +0), r2) */
		expect(a, "(");
		bytes = c_size(a, &sign);
		addr = c_address(a, &off, 1);
	} else {
		/* LLVM: xchg_64(r1 + 0x8, r2), xchg32_32(...), cmpxchg_64(...) */
		bytes = strstr(fn, "_64") ? 8 : 4;
		expect(a, "(");
		addr = c_address(a, &off, 0);
	}
	expect(a, ",");
	if (is_cmp) {
		if (reg(a, NULL) != 0 || dst != 0)
			asm_error(a, "cmpxchg compares with and returns into r0");
		expect(a, ",");
	}
	src = reg(a, NULL);
	expect(a, ")");
	if (!is_cmp && src != dst)
		asm_error(a, "xchg returns into its source register (r%d)", src);
	emit(a, (uint8_t)(CLS_STX | 0xc0 | size_bits(bytes)), addr, src, off,
	     is_cmp ? 0xf1 : 0xe1);
	return 1;
}

/* Kernel spellings of pseudo 64-bit loads: map[fd:N], map[idx:N][0]+8,
 * btf_id[N], func[pc+N]. */
static int c_pseudo_rhs(struct assembler *a, int dst)
{
	if (accept(a, "map")) {
		expect(a, "[");
		int idx;
		if (accept(a, "fd"))
			idx = 0;
		else if (accept(a, "idx"))
			idx = 1;
		else
			asm_error(a, "map references need map[fd:N] or map[idx:N]; "
				     "map[id:N] names a kernel map");
		expect(a, ":");
		int32_t n = need_imm32(a);
		expect(a, "]");
		if (accept(a, "[")) {
			expect(a, "0");
			expect(a, "]");
			expect(a, "+");
			int32_t off = need_imm32(a);
			emit(a, 0x18, dst, idx ? PSEUDO_MAP_IDX_VALUE : PSEUDO_MAP_VALUE, 0, n);
			emit(a, 0, 0, 0, 0, off);
		} else {
			emit(a, 0x18, dst, idx ? PSEUDO_MAP_IDX : PSEUDO_MAP_FD, 0, n);
			emit(a, 0, 0, 0, 0, 0);
		}
		return 1;
	}
	if (accept(a, "btf_id")) {
		expect(a, "[");
		int32_t n = need_imm32(a);
		expect(a, "]");
		emit(a, 0x18, dst, PSEUDO_BTF_ID, 0, n);
		emit(a, 0, 0, 0, 0, 0);
		return 1;
	}
	if (accept(a, "func")) {
		expect(a, "[");
		int32_t rel = jump_imm(a);
		expect(a, "]");
		emit(a, 0x18, dst, PSEUDO_FUNC, 0, rel);
		emit(a, 0, 0, 0, 0, 0);
		return 1;
	}
	return 0;
}

/* `rD = be16 rD`, `le32`, `bswap64`: byte swaps work in place. */
static int c_byte_swap(struct assembler *a, int dst)
{
	static const struct { const char *name; uint8_t code; } swaps[] = {
		{ "be", 0xdc }, { "le", 0xd4 }, { "bswap", 0xd7 },
	};
	const char *save = a->p;
	char name[MAX_NAME];
	if (word(a, name, sizeof(name))) {
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(swaps[i].name);
			if (strncmp(name, swaps[i].name, n) || !isdigit((unsigned char)name[n]))
				continue;
			int bits = atoi(name + n);
			if (bits != 16 && bits != 32 && bits != 64)
				asm_error(a, "bad byte swap width '%s'", name);
			if (reg(a, NULL) != dst)
				asm_error(a, "byte swaps work in place: r%d = %s r%d", dst, name, dst);
			emit(a, swaps[i].code, dst, 0, 0, bits);
			return 1;
		}
	}
	a->p = save;
	return 0;
}

/* `rD = ...` and `wD = ...` */
static void c_assign(struct assembler *a, int dst, char w, int opcode_hint)
{
	int sign, src;
	int16_t off;
	char sw;
	int32_t imm;
	int is64 = w == 'r';

	skip_ws(a);
	if (a->p[0] == '-' && (a->p[1] == 'r' || a->p[1] == 'w')) { /* neg */
		a->p++;
		src = reg(a, &sw);
		check_width(a, w, sw);
		if (src != dst)
			asm_error(a, "negation works in place: %c%d = -%c%d", w, dst, w, dst);
		emit(a, alu_code(0x80, is64, 0), dst, 0, 0, 0);
		return;
	}
	if (accept(a, "*")) { /* loads */
		int bytes = c_size(a, &sign);
		if (accept(a, "skb")) {
			expect(a, "[");
			int ind = reg_opt(a, NULL);
			imm = 0;
			if (ind >= 0) {
				if (accept(a, "+"))
					imm = need_imm32(a);
			} else {
				imm = need_imm32(a);
			}
			expect(a, "]");
			if (dst != 0)
				asm_error(a, "packet loads (skb[...]) return into r0");
			if (bytes == 8)
				asm_error(a, "packet loads are 8, 16 or 32 bits wide");
			emit(a, (uint8_t)(CLS_LD | (ind >= 0 ? 0x40 : 0x20) | size_bits(bytes)),
			     0, ind >= 0 ? ind : 0, 0, imm);
			return;
		}
		src = c_address(a, &off, 1);
		if (sign && bytes == 8)
			asm_error(a, "sign-extending loads are 8, 16 or 32 bits wide");
		if (w == 'w' && (bytes == 8 || sign))
			asm_error(a, "w registers take zero-extended loads of up to 32 bits");
		emit(a, (uint8_t)(CLS_LDX | (sign ? 0x80 : 0x60) | size_bits(bytes)),
		     dst, src, off, 0);
		return;
	}
	if (peek(a, "(")) { /* (s8)r2: sign-extending move */
		const char *save = a->p;
		expect(a, "(");
		char name[MAX_NAME];
		if (word(a, name, sizeof(name)) && name[0] == 's' && accept(a, ")")) {
			int bits = atoi(name + 1);
			if (bits != 8 && bits != 16 && (bits != 32 || !is64))
				asm_error(a, "bad sign extension '(%s)'", name);
			src = reg(a, &sw);
			check_width(a, w, sw);
			emit(a, alu_code(0xb0, is64, 1), dst, src, (int16_t)bits, 0);
			return;
		}
		a->p = save;
	}
	if (c_byte_swap(a, dst))
		return;
	if (c_atomic_rhs(a, dst))
		return;
	if (is64 && c_pseudo_rhs(a, dst))
		return;
	if (accept(a, "addr_space_cast"))
		asm_error(a, "addr_space_cast (arena pointers) is not supported");

	src = reg_opt(a, &sw);
	if (src >= 0) {
		check_width(a, w, sw);
		emit(a, alu_code(0xb0, is64, 1), dst, src, 0, 0);
		return;
	}
	/* An immediate: mov, or lddw with `ll` or the kernel's (18) prefix. */
	int64_t v;
	int neg;
	uint64_t mag;
	const char *num_start = a->p;
	if (!number(a, &v, &neg, &mag)) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "expected a value after '=', found %s", got);
	}
	if (accept(a, "ll") || opcode_hint == 0x18) {
		if (!is64)
			asm_error(a, "64-bit immediates load into r registers");
		emit_lddw(a, dst, 0, (uint64_t)v);
		return;
	}
	a->p = num_start;
	imm = need_imm32(a);
	emit(a, alu_code(0xb0, is64, 0), dst, 0, 0, imm);
}

static void c_statement(struct assembler *a, int opcode_hint)
{
	char w, sw;
	int src;
	int32_t imm;

	if (accept(a, "exit")) {
		emit(a, 0x95, 0, 0, 0, 0);
		if (a->first_exit < 0)
			a->first_exit = (long)a->cnt - 1;
		return;
	}
	if (accept(a, "goto")) {
		int16_t off = jump_off(a);
		emit(a, 0x05, 0, 0, off, 0);
		return;
	}
	if (accept(a, "gotol")) {
		int32_t rel = jump_imm(a);
		emit(a, 0x06, 0, 0, 0, rel);
		return;
	}
	if (accept(a, "may_goto")) {
		int16_t off = jump_off(a);
		emit(a, 0xe5, 0, 0, off, 0);
		return;
	}
	if (accept(a, "callx")) {
		int r = reg(a, NULL);
		emit(a, 0x8d, r, 0, 0, 0);
		return;
	}
	if (accept(a, "call")) {
		skip_ws(a);
		if (strncmp(a->p, "pc", 2) == 0 && (a->p[2] == '+' || a->p[2] == '-')) {
			int32_t rel = jump_imm(a);
			emit(a, 0x85, 0, 1, 0, rel);
			return;
		}
		if (accept(a, "kfunc")) {
			expect(a, "#");
			imm = need_imm32(a);
			int16_t off = 0;
			if (accept(a, "btf")) {
				expect(a, "#");
				off = to_off16(a, need_number(a, "a BTF index"));
			}
			emit(a, 0x85, 0, 2, off, imm);
			return;
		}
		if (accept(a, "unknown")) {
			expect(a, "#");
			emit(a, 0x85, 0, 0, 0, need_imm32(a));
			return;
		}
		int32_t id;
		if (imm32(a, &id)) {
			emit(a, 0x85, 0, 0, 0, id);
			return;
		}
		/* A name: a helper (`bpf_map_lookup_elem`, `name#1`) or a label of
		 * this program (bpf-to-bpf call). */
		const char *save = a->p;
		char name[MAX_NAME];
		word(a, name, sizeof(name));
		if (peek(a, "#") || uebpf_helper_id(name) >= 0) {
			a->p = save;
			emit(a, 0x85, 0, 0, 0, helper_target(a));
			return;
		}
		a->p = save;
		int32_t rel = jump_imm(a);
		emit(a, 0x85, 0, 1, 0, rel);
		return;
	}
	if (accept(a, "if")) {
		int dst = reg(a, &w);
		int i;
		for (i = 0; i < (int)(sizeof(jmp_conds) / sizeof(jmp_conds[0])); i++)
			if (accept(a, jmp_conds[i].txt))
				break;
		if (i == (int)(sizeof(jmp_conds) / sizeof(jmp_conds[0])))
			asm_error(a, "expected a comparison (==, !=, >, s>, &, ...)");
		int x = c_operand(a, &src, &imm, &sw);
		if (x)
			check_width(a, w, sw);
		expect(a, "goto");
		int16_t off = jump_off(a);
		uint8_t cls = w == 'w' ? CLS_JMP32 : CLS_JMP;
		emit(a, (uint8_t)(jmp_conds[i].op | (x ? 0x08 : 0) | cls), dst,
		     x ? src : 0, off, x ? 0 : imm);
		return;
	}
	if (accept(a, "lock")) {
		c_lock(a);
		return;
	}
	if (accept(a, "store_release")) {
		int sign;
		int16_t off;
		expect(a, "(");
		int bytes = c_size(a, &sign);
		int dst = c_address(a, &off, 1);
		expect(a, ",");
		src = reg(a, NULL);
		expect(a, ")");
		emit(a, (uint8_t)(CLS_STX | 0xc0 | size_bits(bytes)), dst, src, off, 0x110);
		return;
	}
	if (accept(a, "ld_pseudo")) {
		int dst = reg(a, NULL);
		expect(a, ",");
		int32_t kind = need_imm32(a);
		expect(a, ",");
		imm = need_imm32(a);
		if (kind < 1 || kind > PSEUDO__MAX)
			asm_error(a, "unknown pseudo source %d", kind);
		emit(a, 0x18, dst, kind, 0, imm);
		emit(a, 0, 0, 0, 0, 0);
		return;
	}
	if (accept(a, "*")) {
		c_store(a);
		return;
	}

	int dst = reg_opt(a, &w);
	if (dst < 0) {
		char got[40];
		describe_rest(a, got, sizeof(got));
		asm_error(a, "unknown instruction %s", got);
	}
	const struct alu_assign *op = accept_alu_assign(a);
	if (op) {
		int x = c_operand(a, &src, &imm, &sw);
		if (x)
			check_width(a, w, sw);
		emit(a, alu_code(op->op, w == 'r', x), dst, x ? src : 0, op->off,
		     x ? 0 : imm);
		return;
	}
	expect(a, "=");
	c_assign(a, dst, w, opcode_hint);
}

/* ---- conformance syntax --------------------------------------------- */

/* `[%r1+8]`, `[%r1-8]`, `[%r1]` */
static int conf_address(struct assembler *a, int16_t *off)
{
	expect(a, "[");
	int r = reg(a, NULL);
	int64_t v = 0;
	skip_ws(a);
	if (*a->p == '+' || *a->p == '-')
		v = need_number(a, "an offset");
	expect(a, "]");
	*off = to_off16(a, v);
	return r;
}

static void conf_lddw(struct assembler *a, int dst)
{
	static const struct { const char *name; int src, two; } pseudo[] = {
		{ "map_fd", PSEUDO_MAP_FD, 0 },
		{ "map_value", PSEUDO_MAP_VALUE, 1 },
		{ "btf_id", PSEUDO_BTF_ID, 1 },
		{ "map_idx_value", PSEUDO_MAP_IDX_VALUE, 1 },
		{ "map_idx", PSEUDO_MAP_IDX, 0 },
	};
	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++) {
		if (!accept(a, pseudo[i].name))
			continue;
		expect(a, "(");
		int32_t imm = need_imm32(a), hi = 0;
		if (pseudo[i].two && accept(a, ","))
			hi = need_imm32(a);
		expect(a, ")");
		emit(a, 0x18, dst, pseudo[i].src, 0, imm);
		emit(a, 0, 0, 0, 0, hi);
		return;
	}
	if (accept(a, "func")) {
		expect(a, "(");
		int32_t rel = jump_imm(a);
		expect(a, ")");
		emit(a, 0x18, dst, PSEUDO_FUNC, 0, rel);
		emit(a, 0, 0, 0, 0, 0);
		return;
	}
	emit_lddw(a, dst, 0, (uint64_t)need_number(a, "a 64-bit immediate"));
}

/* `lock [fetch] op[32] [%rD+off], %rS` */
static void conf_lock(struct assembler *a)
{
	char name[2 * MAX_NAME], opname[MAX_NAME];
	int fetch = accept(a, "fetch");
	if (!word(a, opname, sizeof(opname)))
		asm_error(a, "expected an atomic operation after 'lock'");
	snprintf(name, sizeof(name), "lock %s%s", fetch ? "fetch " : "", opname);
	int id = find_op(name);
	if (id < 0 && fetch) { /* xchg and cmpxchg always fetch */
		snprintf(name, sizeof(name), "lock %s", opname);
		id = find_op(name);
		if (id >= 0 && !(isa_ops[id].fix_val & 0x01))
			id = -1;
	}
	if (id < 0)
		asm_error(a, "unknown atomic operation '%s%s'", fetch ? "fetch " : "", opname);
	int16_t off;
	int dst = conf_address(a, &off);
	expect(a, ",");
	int src = reg(a, NULL);
	emit(a, isa_ops[id].code, dst, src, off, isa_ops[id].fix_val);
}

static void conf_call(struct assembler *a)
{
	int r = reg_opt(a, NULL);
	if (r >= 0) {
		emit(a, 0x8d, r, 0, 0, 0);
		return;
	}
	if (accept(a, "local")) {
		int32_t rel = jump_imm(a);
		emit(a, 0x85, 0, 1, 0, rel);
		return;
	}
	if (accept(a, "runtime")) {
		int32_t imm = need_imm32(a);
		int16_t off = 0;
		if (accept(a, ","))
			off = to_off16(a, need_number(a, "a BTF index"));
		emit(a, 0x85, 0, 2, off, imm);
		return;
	}
	if (accept(a, "helper")) {
		r = reg_opt(a, NULL);
		if (r >= 0) {
			emit(a, 0x8d, r, 0, 0, 0);
			return;
		}
	}
	emit(a, 0x85, 0, 0, 0, helper_target(a));
}

static void conf_statement(struct assembler *a)
{
	char mnem[MAX_NAME];
	int16_t off;
	int32_t imm;

	if (!word(a, mnem, sizeof(mnem)))
		asm_error(a, "expected an instruction");
	if (strcmp(mnem, "lock") == 0) {
		conf_lock(a);
		return;
	}
	if (strcmp(mnem, "call") == 0) {
		conf_call(a);
		return;
	}
	if (strcmp(mnem, "bswap16") == 0 || strcmp(mnem, "bswap32") == 0 ||
	    strcmp(mnem, "bswap64") == 0)
		memmove(mnem, mnem + 1, strlen(mnem)); /* bswapN = swapN */
	if (strcmp(mnem, "ldabsdw") == 0 || strcmp(mnem, "ldinddw") == 0)
		asm_error(a, "legacy packet loads are 8, 16 or 32 bits wide");

	/* Mnemonics shared by an immediate and a register form: pick by the
	 * second operand. */
	int id = find_op(mnem);
	if (id < 0)
		asm_error(a, "unknown instruction '%s'", mnem);
	const struct isa_op *op = &isa_ops[id];
	int dst, src;

	switch (op->kind) {
	case K_ALU:
		dst = reg(a, NULL);
		expect(a, ",");
		src = reg_opt(a, NULL);
		if (src >= 0) {
			emit(a, (uint8_t)(op->code | 0x08), dst, src,
			     op->fix == FIX_OFF ? (int16_t)op->fix_val : 0, 0);
		} else {
			imm = need_imm32(a);
			emit(a, (uint8_t)(op->code & ~0x08), dst, 0,
			     op->fix == FIX_OFF ? (int16_t)op->fix_val : 0, imm);
		}
		break;
	case K_MOVSX:
		dst = reg(a, NULL);
		expect(a, ",");
		src = reg(a, NULL);
		emit(a, op->code, dst, src, (int16_t)op->fix_val, 0);
		break;
	case K_NEG:
		emit(a, op->code, reg(a, NULL), 0, 0, 0);
		break;
	case K_END:
		emit(a, op->code, reg(a, NULL), 0, 0, op->fix_val);
		break;
	case K_LDDW:
		dst = reg(a, NULL);
		expect(a, ",");
		conf_lddw(a, dst);
		break;
	case K_LDABS:
		emit(a, op->code, 0, 0, 0, need_imm32(a));
		break;
	case K_LDIND:
		src = reg(a, NULL);
		expect(a, ",");
		emit(a, op->code, 0, src, 0, need_imm32(a));
		break;
	case K_LDX:
	case K_LOAD_ACQ:
		dst = reg(a, NULL);
		expect(a, ",");
		src = conf_address(a, &off);
		emit(a, op->code, dst, src, off, op->kind == K_LOAD_ACQ ? op->fix_val : 0);
		break;
	case K_ST:
		dst = conf_address(a, &off);
		expect(a, ",");
		emit(a, op->code, dst, 0, off, need_imm32(a));
		break;
	case K_STX:
	case K_STORE_REL:
		dst = conf_address(a, &off);
		expect(a, ",");
		src = reg(a, NULL);
		emit(a, op->code, dst, src, off, op->kind == K_STORE_REL ? op->fix_val : 0);
		break;
	case K_JA:
	case K_MAY_GOTO:
		off = jump_off(a);
		emit(a, op->code, 0, 0, off, 0);
		break;
	case K_JA32:
		imm = jump_imm(a);
		emit(a, op->code, 0, 0, 0, imm);
		break;
	case K_JCC:
		dst = reg(a, NULL);
		expect(a, ",");
		src = reg_opt(a, NULL);
		imm = 0;
		if (src < 0)
			imm = need_imm32(a);
		expect(a, ",");
		off = jump_off(a);
		emit(a, src >= 0 ? (uint8_t)(op->code | 0x08) : (uint8_t)(op->code & ~0x08),
		     dst, src >= 0 ? src : 0, off, imm);
		break;
	case K_EXIT:
		emit(a, 0x95, 0, 0, 0, 0);
		if (a->first_exit < 0)
			a->first_exit = (long)a->cnt - 1;
		break;
	case K_CALLX:
		emit(a, 0x8d, reg(a, NULL), 0, 0, 0);
		break;
	default:
		asm_error(a, "'%s' is not written this way in the conformance syntax", mnem);
	}
}

/* ---- lines ---------------------------------------------------------- */

static int is_conformance_line(const char *s)
{
	for (const char *c = s; (c = strchr(c, '%')); c++)
		if (c[1] == 'r' && isdigit((unsigned char)c[2]))
			return 1;
	if (strchr(s, '[') && !strstr(s, "skb[") && !strstr(s, "map[") &&
	    !strstr(s, "btf_id[") && !strstr(s, "func["))
		return 1;
	char w[MAX_NAME];
	size_t n = 0;
	while (n + 1 < sizeof(w) && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		w[n] = s[n], n++;
	w[n] = '\0';
	if (!strcmp(w, "call")) {
		const char *arg = s + n;
		while (*arg == ' ' || *arg == '\t')
			arg++;
		return !strncmp(arg, "local", 5) || !strncmp(arg, "runtime", 7) ||
		       !strncmp(arg, "helper", 6);
	}
	if (!strcmp(w, "exit") || !strcmp(w, "may_goto") || !strcmp(w, "callx") ||
	    !strcmp(w, "lock"))
		return 0;
	return find_op(w) >= 0 || !strncmp(w, "bswap", 5);
}

/* Removes comments: `;`, `//`, and `#` unless it is bpftool's `name#id`. */
static void strip_comment(char *s)
{
	for (char *c = s; *c; c++) {
		if (*c == ';' || (c[0] == '/' && c[1] == '/')) {
			*c = '\0';
			return;
		}
		if (*c == '#' && (c == s || !(isalnum((unsigned char)c[-1]) || c[-1] == '_'))) {
			*c = '\0';
			return;
		}
	}
}

static void assemble_line(struct assembler *a, char *line)
{
	strip_comment(line);
	a->p = line;
	skip_ws(a);

	/* Index prefixes: `12:` (bpftool) or `12:\tb7 00 ... 00\t` (objdump). */
	const char *s = a->p;
	while (isdigit((unsigned char)*s))
		s++;
	if (s > a->p && *s == ':') {
		a->p = s + 1;
		for (;;) {
			skip_ws(a);
			if (isxdigit((unsigned char)a->p[0]) && isxdigit((unsigned char)a->p[1]) &&
			    (a->p[2] == ' ' || a->p[2] == '\t' || a->p[2] == '\0'))
				a->p += 2;
			else
				break;
		}
	}

	/* Labels, possibly followed by an instruction. */
	for (;;) {
		skip_ws(a);
		const char *start = a->p;
		char name[MAX_NAME];
		if (!word(a, name, sizeof(name)))
			break;
		if (*a->p == ':' && a->p[1] != '=') {
			a->p++;
			define_label(a, name);
			continue;
		}
		a->p = start;
		break;
	}
	skip_ws(a);
	if (!*a->p || *a->p == '.') /* empty, or an assembler directive */
		return;

	/* The kernel syntax's opcode prefix `(b7)`. */
	int opcode_hint = -1;
	if (a->p[0] == '(' && isxdigit((unsigned char)a->p[1]) &&
	    isxdigit((unsigned char)a->p[2]) && a->p[3] == ')') {
		opcode_hint = (int)strtol(a->p + 1, NULL, 16);
		a->p += 4;
	}

	skip_ws(a);
	if (a->syntax == UEBPF_SYNTAX_CONFORMANCE ||
	    (a->syntax == UEBPF_SYNTAX_AUTO && is_conformance_line(a->p)))
		conf_statement(a);
	else
		c_statement(a, opcode_hint);
	expect_end(a);
}

static void resolve_fixups(struct assembler *a)
{
	for (size_t i = 0; i < a->nfixups; i++) {
		struct fixup *f = &a->fixups[i];
		a->line = f->line;
		long dest = -1;
		for (size_t j = 0; j < a->nlabels; j++)
			if (strcmp(a->labels[j].name, f->label) == 0)
				dest = (long)a->labels[j].insn;
		if (dest < 0 && strcmp(f->label, "exit") == 0)
			dest = a->first_exit;
		if (dest < 0)
			asm_error(a, "undefined label '%s'", f->label);
		long rel = dest - (long)f->insn - 1;
		if (f->in_imm) {
			a->insns[f->insn].imm = (int32_t)rel;
		} else {
			if (rel < INT16_MIN || rel > INT16_MAX)
				asm_error(a, "jump to '%s' is too far for a 16-bit offset (use gotol)",
					  f->label);
			a->insns[f->insn].off = (int16_t)rel;
		}
	}
}

/* Assembles every line; parse errors longjmp out of here. Not inlined, so
 * that no local of the caller lives across setjmp. */
static __attribute__((noinline)) void assemble_text(struct assembler *a,
						    const char *text)
{
	char line[MAX_LINE];

	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		a->line++;
		if (n >= sizeof(line))
			asm_error(a, "line longer than %d characters", MAX_LINE - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		assemble_line(a, line);
		p += n + (eol ? 1 : 0);
	}
	resolve_fixups(a);
	if (a->cnt == 0) {
		a->line = 0;
		if (a->err_size)
			snprintf(a->err, a->err_size, "no instructions");
		a->fail_code = -EINVAL;
		longjmp(a->fail, 1);
	}
}

int uebpf_asm(const char *text, struct uebpf_insn **insns, size_t *insn_cnt,
	      const struct uebpf_asm_opts *opts)
{
	*insns = NULL;
	*insn_cnt = 0;
	/* On the heap: the state must survive the longjmp of a parse error. */
	struct assembler *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if (opts && opts->sz >= offsetof(struct uebpf_asm_opts, err_size) + sizeof(size_t)) {
		a->syntax = opts->syntax;
		a->err = opts->err_buf;
		a->err_size = opts->err_buf ? opts->err_size : 0;
	}
	if (a->err_size)
		a->err[0] = '\0';
	a->first_exit = -1;

	int err = 0;
	if (setjmp(a->fail) == 0) {
		assemble_text(a, text);
		*insns = a->insns;
		*insn_cnt = a->cnt;
		a->insns = NULL;
	} else {
		err = a->fail_code;
	}
	free(a->insns);
	free(a->fixups);
	free(a->labels);
	free(a);
	return err;
}
