/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the decoder and the disassembler. The input is an array of
 * 8-byte instructions (a trailing partial one is dropped), copied to an
 * exactly sized buffer so that reading past the last slot is an ASan
 * report. It is checked with uebpf_insns_check (message buffers of
 * several sizes) and every index is disassembled in every syntax, into a
 * large buffer and (with raw bytes shown) into tiny ones (no buffer, 1
 * and 7 bytes): a truncated text must be a NUL-terminated prefix of the
 * full one, with the same return value. A program that passes the check
 * must disassemble without `<invalid>` lines, its conformance text must
 * assemble back to the same bytes, and the verifier's control-flow pass
 * must accept it (with subprograms inside the program) or say why not.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "verifier/cfg.h"

#define MAX_INSNS 256
#define FULL_SIZE 512

static const struct uebpf_disasm_opts variants[] = {
	{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_AUTO },
	{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_LLVM,
	  .symbol = "func", .show_raw = true },
	{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_KERNEL },
	{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_KERNEL,
	  .show_raw = true },
	{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_CONFORMANCE },
	{ .sz = sizeof(struct uebpf_disasm_opts), .syntax = UEBPF_SYNTAX_CONFORMANCE,
	  .show_raw = true },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* buf (size bytes, size >= 1) must hold the first size - 1 characters of
 * full, NUL-terminated. */
static void check_prefix(const char *what, const char *buf, size_t size,
			 const char *full)
{
	FUZZ_CHECK(memchr(buf, '\0', size), "%s: no NUL in a %zu-byte buffer", what, size);
	size_t want = strlen(full) < size - 1 ? strlen(full) : size - 1;
	FUZZ_CHECK(strlen(buf) == want && !memcmp(buf, full, want),
		   "%s: %zu-byte buffer holds '%s', full text '%s'", what, size, buf, full);
}

static void check_disasm(const struct uebpf_insn *insns, size_t cnt)
{
	static const size_t small[] = { 1, 7 };
	char full[FULL_SIZE];

	for (size_t v = 0; v < NVARIANTS; v++) {
		const struct uebpf_disasm_opts *opts = &variants[v];
		for (size_t i = 0; i < cnt; i++) {
			int rc = uebpf_disasm_insn(insns, cnt, i, full, sizeof(full), opts);
			FUZZ_CHECK(rc == 1 || (rc == 2 && i + 1 < cnt),
				   "uebpf_disasm_insn(%zu of %zu) returned %d", i, cnt, rc);
			FUZZ_CHECK(strlen(full) + 1 < sizeof(full),
				   "insn %zu: %zu characters or more", i, strlen(full));

			/* Truncation: on the variants with raw bytes (one per
			 * syntax), which print the most. */
			if (!opts->show_raw)
				continue;
			int rc2 = uebpf_disasm_insn(insns, cnt, i, NULL, 0, opts);
			FUZZ_CHECK(rc2 == rc, "returned %d without a buffer, %d with", rc2, rc);
			for (size_t k = 0; k < sizeof(small) / sizeof(small[0]); k++) {
				char *buf = malloc(small[k]);
				FUZZ_CHECK(buf, "out of memory");
				memset(buf, 'x', small[k]);
				rc2 = uebpf_disasm_insn(insns, cnt, i, buf, small[k], opts);
				FUZZ_CHECK(rc2 == rc, "returned %d into %zu bytes, %d into %zu",
					   rc2, small[k], rc, sizeof(full));
				check_prefix("uebpf_disasm_insn", buf, small[k], full);
				free(buf);
			}
		}
		FUZZ_CHECK(uebpf_disasm_insn(insns, cnt, cnt, full, sizeof(full), opts) < 0,
			   "index %zu of %zu accepted", cnt, cnt);
		FUZZ_CHECK(uebpf_disasm_insn(insns, cnt, (size_t)-1, full, sizeof(full), opts) < 0,
			   "index SIZE_MAX accepted");
	}
}

static int check_insns(const struct uebpf_insn *insns, size_t cnt)
{
	static const size_t sizes[] = { 1, 7, 32 };
	char full[300];

	int rc = uebpf_insns_check(insns, cnt, full, sizeof(full));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM,
		   "uebpf_insns_check returned %d", rc);
	FUZZ_CHECK(memchr(full, '\0', sizeof(full)), "message not NUL-terminated");
	FUZZ_CHECK(rc == 0 ? full[0] == '\0' : full[0] != '\0' || rc == -ENOMEM,
		   "returned %d with message '%s'", rc, full);
	FUZZ_CHECK(uebpf_insns_check(insns, cnt, NULL, 0) == rc, "differs without a buffer");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char *buf = malloc(sizes[k]);
		FUZZ_CHECK(buf, "out of memory");
		memset(buf, 'x', sizes[k]);
		FUZZ_CHECK(uebpf_insns_check(insns, cnt, buf, sizes[k]) == rc,
			   "differs with a %zu-byte buffer", sizes[k]);
		check_prefix("uebpf_insns_check", buf, sizes[k], full);
		free(buf);
	}
	return rc;
}

/* The whole-program functions, and the assembler on their text. */
static void check_text(const struct uebpf_insn *insns, size_t cnt)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (devnull) /* the per-line work is check_disasm()'s */
		FUZZ_CHECK(uebpf_disasm(devnull, insns, cnt, &variants[1]) == 0,
			   "uebpf_disasm failed");
	for (size_t v = 0; v < NVARIANTS; v++) {
		if (variants[v].syntax == UEBPF_SYNTAX_CONFORMANCE)
			continue; /* fuzz_check_conformance_roundtrip() */
		int all_valid;
		char *text = fuzz_disasm_text(insns, cnt, &variants[v], &all_valid);
		struct uebpf_insn *back = NULL;
		size_t back_cnt = 0;
		struct uebpf_asm_opts aopts = { .sz = sizeof(aopts) };
		int rc = uebpf_asm(text, &back, &back_cnt, &aopts);
		FUZZ_CHECK(rc == 0 || rc == -EINVAL, "uebpf_asm returned %d", rc);
		free(back);
		free(text);
	}
}

/* The verifier's control-flow pass on a program the decoder accepts. */
static void check_cfg(const struct uebpf_insn *insns, size_t cnt)
{
	char err[256];
	struct cfg cfg;
	int rc = cfg_check(insns, cnt, &cfg, err, sizeof(err));

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM, "cfg_check returned %d", rc);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "cfg message not NUL-terminated");
	if (rc == -EINVAL)
		FUZZ_CHECK(err[0], "cfg refused without a message");
	if (rc)
		return;
	FUZZ_CHECK(cfg.nr_subprogs >= 1 && cfg.subprog_start[0] == 0, "no main subprogram");
	for (size_t i = 1; i < cfg.nr_subprogs; i++)
		FUZZ_CHECK(cfg.subprog_start[i] > cfg.subprog_start[i - 1] &&
				   cfg.subprog_start[i] < cnt,
			   "subprogram %zu starts at %u", i, cfg.subprog_start[i]);
	cfg_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cnt = size / sizeof(struct uebpf_insn);
	if (cnt > MAX_INSNS)
		return 0;
	if (cnt == 0) {
		struct uebpf_insn dummy;
		memset(&dummy, 0, sizeof(dummy));
		FUZZ_CHECK(uebpf_insns_check(&dummy, 0, NULL, 0) == -EINVAL,
			   "an empty program passes the check");
		return 0;
	}
	struct uebpf_insn *insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data, cnt * sizeof(*insns));

	int rc = check_insns(insns, cnt);
	check_disasm(insns, cnt);
	check_text(insns, cnt);
	int checked = fuzz_check_conformance_roundtrip(insns, cnt);
	if (rc == 0) {
		FUZZ_CHECK(checked, "a valid program has undecodable instructions");
		check_cfg(insns, cnt);
	}
	free(insns);
	return 0;
}

/* ---- for the standalone driver ---- */

static size_t generate(uint64_t *rng, uint8_t *out, size_t max)
{
	struct fuzz_src s = { .state = fuzz_rng_next(rng) };
	struct uebpf_insn insns[64];
	size_t room = max / sizeof(struct uebpf_insn);
	size_t cnt = fuzz_gen_program(&s, insns, room < 64 ? room : 64);
	memcpy(out, insns, cnt * sizeof(*insns));
	return cnt * sizeof(*insns);
}

static size_t insn_start(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

const struct fuzz_target fuzz_target = {
	.name = "fuzz_decode",
	.max_input = 512,
	.generate = generate,
	.insn_start = insn_start,
};
