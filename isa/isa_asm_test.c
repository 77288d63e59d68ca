/* SPDX-License-Identifier: MIT */
/* The assembler and the disassemblers: encodings of each syntax, error
 * messages, and text round trips for every instruction of the table. */
#include <errno.h>
#include <stdlib.h>

#include "isa/isa.h"
#include "tests/check.h"

#define INSN(c, d, s, o, i) ((struct uebpf_insn){ (c), (d), (s), (o), (i) })

static char asm_err[300];

static int assemble(const char *text, enum uebpf_syntax syntax,
		    struct uebpf_insn **out, size_t *cnt)
{
	struct uebpf_asm_opts opts = {
		.sz = sizeof(opts), .syntax = syntax,
		.err_buf = asm_err, .err_size = sizeof(asm_err),
	};
	return uebpf_asm(text, out, cnt, &opts);
}

/* Assembles one statement and compares it with the expected slots. */
static void expect_asm(enum uebpf_syntax syntax, const char *text,
		       const struct uebpf_insn *want, size_t want_cnt)
{
	struct uebpf_insn *got;
	size_t cnt;
	if (assemble(text, syntax, &got, &cnt)) {
		CHECK_REPORT(0, "'%s': %s", text, asm_err);
		return;
	}
	CHECK_REPORT(cnt == want_cnt && !memcmp(got, want, cnt * sizeof(*got)),
		     "'%s' assembled to %zu slots, first %02x %x %x %d %d", text, cnt,
		     got[0].code, got[0].dst_reg, got[0].src_reg, got[0].off, got[0].imm);
	free(got);
}

#define LLVM(text, ...)                                                        \
	do {                                                                   \
		const struct uebpf_insn w_[] = { __VA_ARGS__ };                \
		expect_asm(UEBPF_SYNTAX_AUTO, text, w_, sizeof(w_) / sizeof(w_[0])); \
		expect_asm(UEBPF_SYNTAX_LLVM, text, w_, sizeof(w_) / sizeof(w_[0])); \
	} while (0)
#define CONF(text, ...)                                                        \
	do {                                                                   \
		const struct uebpf_insn w_[] = { __VA_ARGS__ };                \
		expect_asm(UEBPF_SYNTAX_AUTO, text, w_, sizeof(w_) / sizeof(w_[0])); \
		expect_asm(UEBPF_SYNTAX_CONFORMANCE, text, w_, sizeof(w_) / sizeof(w_[0])); \
	} while (0)

static void test_llvm_syntax_alu(void)
{
	LLVM("r0 = 0x1", INSN(0xb7, 0, 0, 0, 1));
	LLVM("w1 = -0x1", INSN(0xb4, 1, 0, 0, -1));
	LLVM("r1 = 0xffffffff", INSN(0xb7, 1, 0, 0, -1)); /* as clang encodes it */
	LLVM("r2 += r3", INSN(0x0f, 2, 3, 0, 0));
	LLVM("w2 s/= 3", INSN(0x34, 2, 0, 1, 3));
	LLVM("r1 s%= r2", INSN(0x9f, 1, 2, 1, 0));
	LLVM("r1 %= r2", INSN(0x9f, 1, 2, 0, 0));
	LLVM("r1 s>>= 63", INSN(0xc7, 1, 0, 0, 63));
	LLVM("w4 <<= w5", INSN(0x6c, 4, 5, 0, 0));
	LLVM("r0 = -r0", INSN(0x87, 0, 0, 0, 0));
	LLVM("w0 = -w0", INSN(0x84, 0, 0, 0, 0));
	LLVM("r1 = (s16)r2", INSN(0xbf, 1, 2, 16, 0));
	LLVM("w1 = (s8)w2", INSN(0xbc, 1, 2, 8, 0));
	LLVM("r0 = be16 r0", INSN(0xdc, 0, 0, 0, 16));
	LLVM("r0 = le64 r0", INSN(0xd4, 0, 0, 0, 64));
	LLVM("r3 = bswap32 r3", INSN(0xd7, 3, 0, 0, 32));
	LLVM("r1 = 0x1122334455667788 ll", INSN(0x18, 1, 0, 0, 0x55667788),
	     INSN(0, 0, 0, 0, 0x11223344));
	LLVM("r1 = -0x1 ll", INSN(0x18, 1, 0, 0, -1), INSN(0, 0, 0, 0, -1));
	LLVM("ld_pseudo r1, 0x1, 0x5", INSN(0x18, 1, 1, 0, 5), INSN(0, 0, 0, 0, 0));
}

static void test_llvm_syntax_memory(void)
{
	LLVM("r1 = *(u64 *)(r2 + 0x8)", INSN(0x79, 1, 2, 8, 0));
	LLVM("w1 = *(u32 *)(r10 - 4)", INSN(0x61, 1, 10, -4, 0));
	LLVM("r1 = *(u32 *)(r10 - 4)", INSN(0x61, 1, 10, -4, 0));
	LLVM("r1 = *(s8 *)(r2 + 3)", INSN(0x91, 1, 2, 3, 0));
	LLVM("*(u16 *)(r1 - 0x2) = w3", INSN(0x6b, 1, 3, -2, 0));
	LLVM("*(u64 *)(r10 - 8) = -1", INSN(0x7a, 10, 0, -8, -1));
	LLVM("*(u8 *)(r1 + 0x2) = 0x5", INSN(0x72, 1, 0, 2, 5));
	LLVM("lock *(u32 *)(r1 + 4) |= w2", INSN(0xc3, 1, 2, 4, 0x40));
	LLVM("lock *(u64 *)(r1 + 0x28) += r2", INSN(0xdb, 1, 2, 0x28, 0));
	LLVM("r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)", INSN(0xdb, 1, 2, 0, 0x01));
	LLVM("w2 = atomic_fetch_xor((u32 *)(r1 + 0x0), w2)", INSN(0xc3, 1, 2, 0, 0xa1));
	LLVM("w0 = cmpxchg32_32(r1 + 0x8, w0, w2)", INSN(0xc3, 1, 2, 8, 0xf1));
	LLVM("r0 = cmpxchg_64(r1 + 0x40, r0, r3)", INSN(0xdb, 1, 3, 0x40, 0xf1));
	LLVM("r2 = xchg_64(r1 - 8, r2)", INSN(0xdb, 1, 2, -8, 0xe1));
	LLVM("r0 = load_acquire((u64 *)(r1 + 0))", INSN(0xdb, 0, 1, 0, 0x100));
	LLVM("store_release((u8 *)(r1 + 0), w2)", INSN(0xd3, 1, 2, 0, 0x110));
	LLVM("r0 = *(u8 *)skb[0xc]", INSN(0x30, 0, 0, 0, 12));
	LLVM("r0 = *(u16 *)skb[r1]", INSN(0x48, 0, 1, 0, 0));
}

static void test_llvm_syntax_jumps_and_calls(void)
{
	LLVM("if r1 > 0x2 goto +0x3", INSN(0x25, 1, 0, 3, 2));
	LLVM("if w1 s< w2 goto -1", INSN(0xce, 1, 2, -1, 0));
	LLVM("if r1 & 7 goto +1", INSN(0x45, 1, 0, 1, 7));
	LLVM("if r7 == 0x0 goto +0x1 <prog+0x158>", INSN(0x15, 7, 0, 1, 0));
	LLVM("goto -0x1", INSN(0x05, 0, 0, -1, 0));
	LLVM("gotol +3", INSN(0x06, 0, 0, 0, 3));
	LLVM("may_goto +2", INSN(0xe5, 0, 0, 2, 0));
	LLVM("call 0x1", INSN(0x85, 0, 0, 0, 1));
	LLVM("call bpf_map_lookup_elem", INSN(0x85, 0, 0, 0, 1));
	LLVM("call ktime_get_ns", INSN(0x85, 0, 0, 0, 5));
	LLVM("callx r3", INSN(0x8d, 3, 0, 0, 0));
	LLVM("exit", INSN(0x95, 0, 0, 0, 0));
}

/* What the kernel's verifier log and bpftool print. */
static void test_kernel_syntax(void)
{
	LLVM("(b7) r0 = 2", INSN(0xb7, 0, 0, 0, 2));
	LLVM("   3: (07) r1 += -8", INSN(0x07, 1, 0, 0, -8));
	LLVM("(79) r0 = *(u64 *)(r1 +8)", INSN(0x79, 0, 1, 8, 0));
	LLVM("(7b) *(u64 *)(r10 -8) = r1", INSN(0x7b, 10, 1, -8, 0));
	LLVM("(15) if r1 == 0x0 goto pc+3", INSN(0x15, 1, 0, 3, 0));
	LLVM("(85) call bpf_map_lookup_elem#1", INSN(0x85, 0, 0, 0, 1));
	LLVM("(85) call pc+2", INSN(0x85, 0, 1, 0, 2));
	LLVM("(85) call kfunc#77 btf#2", INSN(0x85, 0, 2, 2, 77));
	LLVM("(18) r1 = 0x1", INSN(0x18, 1, 0, 0, 1), INSN(0, 0, 0, 0, 0));
	LLVM("(18) r1 = map[fd:5]", INSN(0x18, 1, 1, 0, 5), INSN(0, 0, 0, 0, 0));
	LLVM("(18) r2 = map[idx:1][0]+8", INSN(0x18, 2, 6, 0, 1), INSN(0, 0, 0, 0, 8));
	LLVM("(18) r2 = func[pc+0]", INSN(0x18, 2, 4, 0, 0), INSN(0, 0, 0, 0, 0));
	LLVM("(db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)", INSN(0xdb, 1, 2, 0, 0x01));
	LLVM("(c3) w0 = atomic_cmpxchg((u32 *)(r1 +0), w0, w2)", INSN(0xc3, 1, 2, 0, 0xf1));
	LLVM("(db) r3 = atomic64_xchg((u64 *)(r1 -16), r3)", INSN(0xdb, 1, 3, -16, 0xe1));
	LLVM("(50) r0 = *(u8 *)skb[r1 + 4]", INSN(0x50, 0, 1, 0, 4));
	LLVM("(e5) may_goto pc+3", INSN(0xe5, 0, 0, 3, 0));
}

static void test_conformance_syntax(void)
{
	CONF("mov %r0, 1", INSN(0xb7, 0, 0, 0, 1));
	CONF("add32 %r1, %r2", INSN(0x0c, 1, 2, 0, 0));
	CONF("sdiv %r1, -3", INSN(0x37, 1, 0, 1, -3));
	CONF("movsx1632 %r1, %r2", INSN(0xbc, 1, 2, 16, 0));
	CONF("neg32 %r3", INSN(0x84, 3, 0, 0, 0));
	CONF("be16 %r0", INSN(0xdc, 0, 0, 0, 16));
	CONF("bswap64 %r0", INSN(0xd7, 0, 0, 0, 64));
	CONF("ldxw %r0, [%r1+0x4]", INSN(0x61, 0, 1, 4, 0));
	CONF("ldxsh %r0, [%r1-2]", INSN(0x89, 0, 1, -2, 0));
	CONF("stb [%r10-1], 7", INSN(0x72, 10, 0, -1, 7));
	CONF("stxdw [%r10-8], %r1", INSN(0x7b, 10, 1, -8, 0));
	CONF("lock fetch xor32 [%r1+4], %r2", INSN(0xc3, 1, 2, 4, 0xa1));
	CONF("lock cmpxchg [%r1+0], %r2", INSN(0xdb, 1, 2, 0, 0xf1));
	CONF("ldabsh 12", INSN(0x28, 0, 0, 0, 12));
	CONF("ldindb %r1, -2", INSN(0x50, 0, 1, 0, -2));
	CONF("jsge32 %r1, %r2, +3", INSN(0x7e, 1, 2, 3, 0));
	CONF("ja32 -1", INSN(0x06, 0, 0, 0, -1));
	CONF("call local +3", INSN(0x85, 0, 1, 0, 3));
	CONF("call runtime 7, 2", INSN(0x85, 0, 2, 2, 7));
	CONF("call %r2", INSN(0x8d, 2, 0, 0, 0));
	CONF("lddw %r1, 0x100000002", INSN(0x18, 1, 0, 0, 2), INSN(0, 0, 0, 0, 1));
	CONF("lddw %r1, map_value(3, 16)", INSN(0x18, 1, 2, 0, 3), INSN(0, 0, 0, 0, 16));
	CONF("lddw %r1, func(-1)", INSN(0x18, 1, 4, 0, -1), INSN(0, 0, 0, 0, 0));
}

static void test_labels_comments_and_directives(void)
{
	const char *text =
		"\t.text            ; directive\n"
		"\t.globl prog\n"
		"prog:\n"
		"  mov %r0, 0        # comment\n"
		"  jeq %r1, 0, exit  // the first exit\n"
		"loop: r0 += 1\n"
		"  if r0 < 10 goto loop\n"
		"  call bpf_tail_call#12\n"
		"  call sub\n"
		"  exit\n"
		"sub:\n"
		"  exit\n";
	const struct uebpf_insn want[] = {
		INSN(0xb7, 0, 0, 0, 0), INSN(0x15, 1, 0, 4, 0), INSN(0x07, 0, 0, 0, 1),
		INSN(0xa5, 0, 0, -2, 10), INSN(0x85, 0, 0, 0, 12), INSN(0x85, 0, 1, 0, 1),
		INSN(0x95, 0, 0, 0, 0), INSN(0x95, 0, 0, 0, 0),
	};
	expect_asm(UEBPF_SYNTAX_AUTO, text, want, sizeof(want) / sizeof(want[0]));

	/* llvm-objdump's own output can be fed back. */
	const struct uebpf_insn objdump_want[] = { INSN(0xb7, 0, 0, 0, 2), INSN(0x95, 0, 0, 0, 0) };
	expect_asm(UEBPF_SYNTAX_AUTO,
		   "       0:\tb7 00 00 00 02 00 00 00\tr0 = 0x2\n"
		   "       1:\t95 00 00 00 00 00 00 00\texit\n",
		   objdump_want, 2);
}

static void expect_asm_error(const char *text, const char *message)
{
	struct uebpf_insn *got = NULL;
	size_t cnt = 99;
	int ret = assemble(text, UEBPF_SYNTAX_AUTO, &got, &cnt);
	CHECK_REPORT(ret == -EINVAL, "'%s' assembled", text);
	CHECK_REPORT(got == NULL && cnt == 0, "'%s': output on error", text);
	CHECK_REPORT(strstr(asm_err, message) != NULL, "'%s': \"%s\" lacks \"%s\"", text,
		     asm_err, message);
	free(got);
}

static void test_errors_name_the_line_and_the_problem(void)
{
	expect_asm_error("r11 = 1", "line 1: invalid register 'r11' (registers are r0..r10)");
	expect_asm_error("exit\nr1 = 0x100000000", "line 2: immediate 0x100000000 does not fit in 32 bits");
	expect_asm_error("r1 = -0x80000001", "does not fit in 32 bits");
	expect_asm_error("goto nowhere\nexit", "line 1: undefined label 'nowhere'");
	expect_asm_error("L: exit\nL: exit", "line 2: duplicate label 'L' (first defined on line 1)");
	expect_asm_error("w1 = r2", "mixes w and r registers");
	expect_asm_error("frobnicate r1", "unknown instruction");
	expect_asm_error("mov %r1", "expected ','");
	expect_asm_error("r1 = *(u64 *)(r2 + 40000)", "offset 40000 does not fit in 16 bits");
	expect_asm_error("", "no instructions");
	expect_asm_error("; only a comment\n", "no instructions");
	expect_asm_error("exit extra", "line 1: unexpected 'extra'");
	expect_asm_error("r0 = 0x", "bad hexadecimal number");
	expect_asm_error("r0 = 99999999999999999999 ll", "does not fit in 64 bits");
	expect_asm_error("r1 = be8 r1", "bad byte swap width 'be8'");
	expect_asm_error("r0 = *(u64 *)skb[0]", "packet loads are 8, 16 or 32 bits wide");
	expect_asm_error("r1 = *(u8 *)skb[0]", "packet loads (skb[...]) return into r0");
	expect_asm_error("lock add [%r1+0], %r2\nlock nand [%r1+0], %r2",
			 "line 2: unknown atomic operation 'nand'");
	expect_asm_error("r1 = map[id:3]", "map[id:N] names a kernel map");
	expect_asm_error("r1 = addr_space_cast(r2, 0, 1)", "not supported");
	expect_asm_error("call bpf_no_such_helper#", "expected an immediate");

	char *long_line = malloc(2000);
	memset(long_line, ' ', 1999);
	long_line[1999] = '\0';
	expect_asm_error(long_line, "line 1: line longer than");
	free(long_line);
}

/* A canonical encoding of table row `id` with distinct field values. */
static void canonical(int id, struct uebpf_insn *slots)
{
	const struct isa_op *op = &isa_ops[id];
	struct uebpf_insn in = INSN(op->code, 0, 0, 0, 0);
	if (op->uses & F_DST)
		in.dst_reg = op->kind == K_CALLX ? 4 : 3;
	if ((op->uses & F_SRC) && op->kind != K_LDDW)
		in.src_reg = 5;
	if (op->uses & F_OFF)
		in.off = op->kind == K_JCC || op->kind == K_JA || op->kind == K_MAY_GOTO ? 1 : -6;
	if (op->uses & F_IMM)
		in.imm = op->kind == K_CALL_LOCAL || op->kind == K_JA32 ? 1 : -1234;
	if (op->kind == K_LDABS || op->kind == K_LDIND)
		in.imm = 14;
	if (op->kind == K_CALL)
		in.imm = 1;
	switch (op->fix) {
	case FIX_SRC: in.src_reg = (uint8_t)op->fix_val; break;
	case FIX_OFF: in.off = (int16_t)op->fix_val; break;
	case FIX_IMM: in.imm = op->fix_val; break;
	}
	slots[0] = in;
	slots[1] = op->kind == K_LDDW ? INSN(0, 0, 0, 0, 0x7abc) : INSN(0x95, 0, 0, 0, 0);
	slots[2] = INSN(0x95, 0, 0, 0, 0);
}

/* Disassemble in `syntax`, assemble back: identical, except where the
 * LLVM text cannot tell encodings apart. */
static void test_every_instruction_round_trips_through_each_syntax(void)
{
	static const enum uebpf_syntax syntaxes[] = {
		UEBPF_SYNTAX_LLVM, UEBPF_SYNTAX_KERNEL, UEBPF_SYNTAX_CONFORMANCE,
	};
	for (int id = 0; id < OP__COUNT; id++) {
		const struct isa_op *op = &isa_ops[id];
		for (size_t s = 0; s < 3; s++) {
			struct uebpf_insn prog[3];
			canonical(id, prog);
			int lddw = op->kind == K_LDDW;
			if (syntaxes[s] == UEBPF_SYNTAX_LLVM &&
			    (op->kind == K_CALL_LOCAL || op->kind == K_CALL_KFUNC ||
			     op->kind == K_LDIND))
				continue; /* printed like another encoding, see llvm_lossy */
			char text[256];
			struct uebpf_disasm_opts dopts = { .sz = sizeof(dopts), .syntax = syntaxes[s] };
			int n = uebpf_disasm_insn(prog, 3, 0, text, sizeof(text), &dopts);
			CHECK_EQ(n, lddw ? 2 : 1);
			if (syntaxes[s] == UEBPF_SYNTAX_KERNEL) { /* the (op) prefix is printed */
				char hex[8];
				snprintf(hex, sizeof(hex), "(%02x) ", op->code);
				CHECK_REPORT(strncmp(text, hex, 5) == 0, "%s lacks %s", text, hex);
			}
			struct uebpf_insn *back;
			size_t cnt;
			if (assemble(text, UEBPF_SYNTAX_AUTO, &back, &cnt)) {
				CHECK_REPORT(0, "%s: '%s' does not assemble: %s", op->name, text, asm_err);
				continue;
			}
			CHECK_REPORT(cnt == (size_t)n && !memcmp(back, prog, (size_t)n * sizeof(*back)),
				     "%s: '%s' assembles differently", op->name, text);
			free(back);
		}
	}
}

static void test_disassembly_details(void)
{
	char buf[256];
	struct uebpf_insn prog[] = {
		INSN(0x15, 1, 0, 2, 0), INSN(0x18, 2, 0, 0, 1), INSN(0, 0, 0, 0, 0),
		INSN(0x95, 0, 0, 0, 0), INSN(0x18, 0, 0, 0, 1),
	};
	struct uebpf_disasm_opts o = { .sz = sizeof(o), .syntax = UEBPF_SYNTAX_LLVM,
				       .symbol = "prog", .show_raw = true };
	CHECK_EQ(uebpf_disasm_insn(prog, 5, 0, buf, sizeof(buf), &o), 1);
	CHECK_STR(buf, "       0:\t15 01 02 00 00 00 00 00\tif r1 == 0x0 goto +0x2 <prog+0x18>");
	CHECK_EQ(uebpf_disasm_insn(prog, 5, 1, buf, sizeof(buf), &o), 2);
	CHECK_STR(buf, "       1:\t18 02 00 00 01 00 00 00 00 00 00 00 00 00 00 00\tr2 = 0x1 ll");
	o.syntax = UEBPF_SYNTAX_KERNEL;
	CHECK_EQ(uebpf_disasm_insn(prog, 5, 0, buf, sizeof(buf), &o), 1);
	CHECK_STR(buf, "   0: (15) if r1 == 0x0 goto pc+2");
	/* A truncated lddw at the end and an out-of-range index. */
	CHECK_EQ(uebpf_disasm_insn(prog, 5, 4, buf, sizeof(buf), &o), 1);
	CHECK_CONTAINS(buf, "<invalid: lddw without its second slot>");
	CHECK_EQ(uebpf_disasm_insn(prog, 5, 5, buf, sizeof(buf), &o), -ERANGE);
	/* A small buffer gets a truncated, terminated line. */
	char small[8];
	CHECK_EQ(uebpf_disasm_insn(prog, 5, 0, small, sizeof(small), &o), 1);
	CHECK_EQ(strlen(small), 7);
	/* Invalid encodings are shown, not skipped. */
	struct uebpf_insn bad = INSN(0x8f, 1, 0, 0, 0);
	o.show_raw = false;
	CHECK_EQ(uebpf_disasm_insn(&bad, 1, 0, buf, sizeof(buf), &o), 1);
	CHECK_STR(buf, "<invalid: unknown opcode 0x8f>");
}

int main(void)
{
	RUN(test_llvm_syntax_alu);
	RUN(test_llvm_syntax_memory);
	RUN(test_llvm_syntax_jumps_and_calls);
	RUN(test_kernel_syntax);
	RUN(test_conformance_syntax);
	RUN(test_labels_comments_and_directives);
	RUN(test_errors_name_the_line_and_the_problem);
	RUN(test_every_instruction_round_trips_through_each_syntax);
	RUN(test_disassembly_details);
	return check_summary("isa_asm_test");
}
