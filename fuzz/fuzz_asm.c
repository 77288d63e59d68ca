/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the assembler. The input is text (a NUL is appended); it
 * is assembled with the AUTO, LLVM and CONFORMANCE syntaxes, each with an
 * error buffer of a different size (exactly allocated, so that an overrun
 * is an ASan report). What assembles is disassembled in every syntax; the
 * LLVM and kernel texts are fed back to the assembler (they must not crash
 * it) and the conformance text must assemble back to identical
 * instructions (an abort otherwise: the syntax is lossless).
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"

#define MAX_TEXT (64 * 1024)

static void check_err_buf(const char *err, size_t size, int rc)
{
	if (!size)
		return;
	FUZZ_CHECK(memchr(err, '\0', size), "error message not NUL-terminated");
	if (rc != 0 && size > 1)
		FUZZ_CHECK(err[0], "uebpf_asm returned %d without an error message", rc);
}

/* Reassembles a disassembly in the C-like syntaxes: the assembler must
 * read it without crashing (it need not give the same instructions: the
 * LLVM syntax does not tell apart helper calls and local calls). */
static void reassemble(const char *text)
{
	struct uebpf_insn *insns = NULL;
	size_t cnt = 0;
	char err[128];
	struct uebpf_asm_opts opts = {
		.sz = sizeof(opts), .syntax = UEBPF_SYNTAX_AUTO,
		.err_buf = err, .err_size = sizeof(err),
	};
	int rc = uebpf_asm(text, &insns, &cnt, &opts);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "uebpf_asm returned %d", rc);
	check_err_buf(err, sizeof(err), rc);
	free(insns);
}

static void disassemble_all(const struct uebpf_insn *insns, size_t cnt)
{
	static const struct uebpf_disasm_opts variants[] = {
		{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_AUTO },
		{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_LLVM,
		  .symbol = "prog", .show_raw = true },
		{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_KERNEL },
		{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_KERNEL,
		  .show_raw = true },
	};
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		int all_valid;
		char *text = fuzz_disasm_text(insns, cnt, &variants[v], &all_valid);
		reassemble(text);
		free(text);
	}
	fuzz_check_conformance_roundtrip(insns, cnt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		enum uebpf_syntax syntax;
		size_t err_size;
	} passes[] = {
		{ UEBPF_SYNTAX_AUTO, 256 },
		{ UEBPF_SYNTAX_LLVM, 1 },
		{ UEBPF_SYNTAX_CONFORMANCE, 13 },
	};

	if (size > MAX_TEXT)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	for (size_t p = 0; p < sizeof(passes) / sizeof(passes[0]); p++) {
		char *err = malloc(passes[p].err_size);
		if (!err)
			break;
		struct uebpf_asm_opts opts = {
			.sz = sizeof(opts), .syntax = passes[p].syntax,
			.err_buf = err, .err_size = passes[p].err_size,
		};
		struct uebpf_insn *insns = NULL;
		size_t cnt = 0;
		int rc = uebpf_asm(text, &insns, &cnt, &opts);
		FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM,
			   "uebpf_asm returned %d", rc);
		check_err_buf(err, passes[p].err_size, rc);
		if (rc == 0) {
			FUZZ_CHECK(insns && cnt > 0 && cnt <= UEBPF_MAX_INSNS,
				   "success with %zu instructions at %p", cnt, (void *)insns);
			disassemble_all(insns, cnt);
		} else {
			FUZZ_CHECK(!insns && cnt == 0, "failure leaves %zu instructions", cnt);
		}
		free(insns);
		free(err);
	}
	free(text);
	return 0;
}

/* ---- for the standalone driver ---- */

/* A program from the generator, printed line by line in a random syntax,
 * with now and then a label, a comment or a directive. */
static size_t generate(uint64_t *rng, uint8_t *out, size_t max)
{
	struct fuzz_src s = { .state = fuzz_rng_next(rng) };
	struct uebpf_insn insns[64];
	size_t cnt = fuzz_gen_program(&s, insns, 64), len = 0;
	static const char *const extras[] = {
		"entry:", "  ; a comment", "# another", ".text", "\t// c++ style",
		"exit_path: exit", ".globl prog", "",
	};

	for (size_t i = 0; i < cnt;) {
		char line[512];
		struct uebpf_disasm_opts opts = {
			.sz = sizeof(opts),
			.syntax = (enum uebpf_syntax)fuzz_below(&s, 4),
			.symbol = fuzz_one_in(&s, 4) ? "prog" : NULL,
			.show_raw = fuzz_one_in(&s, 4),
		};
		int n = uebpf_disasm_insn(insns, cnt, i, line, sizeof(line), &opts);
		if (n <= 0)
			break;
		i += (size_t)n;
		if (fuzz_one_in(&s, 12)) {
			const char *e = extras[fuzz_below(&s, sizeof(extras) / sizeof(extras[0]))];
			size_t l = strlen(e);
			if (len + l + 1 >= max)
				break;
			memcpy(out + len, e, l);
			len += l;
			out[len++] = '\n';
		}
		size_t l = strlen(line);
		if (len + l + 1 >= max)
			break;
		memcpy(out + len, line, l);
		len += l;
		out[len++] = '\n';
	}
	return len;
}

const struct fuzz_target fuzz_target = {
	.name = "fuzz_asm",
	.max_input = 4096,
	.generate = generate,
};
