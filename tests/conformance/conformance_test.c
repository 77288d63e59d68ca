/* SPDX-License-Identifier: MIT */
/*
 * Runs the BPF ISA conformance suite (the .data files in suite/) through uebpf's own
 * assembler and interpreter:
 *   conformance_test DIR normal|checked
 * For each case: assemble `-- asm` (conformance syntax, and again letting
 * the assembler pick the syntax per line: same bytes), compare with
 * `-- raw` when present, disassemble in each syntax and assemble the text
 * back (same bytes), run with `-- mem` as r1/r2 and compare r0 with
 * `-- result`. One PASS/FAIL line per case and a summary.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"
#include "uebpf/uebpf.h"

struct testcase {
	char *asm_text;
	uint8_t mem[4096];
	size_t mem_len;
	uint64_t raw[1024];
	size_t raw_cnt;
	uint64_t result;
	int has_result, has_error;
};

/* Parses a .data file the way the suite's own runner does. */
static int parse_case(const char *path, struct testcase *tc, char *why, size_t why_size)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, why_size, "cannot open: %s", strerror(errno));
		return -1;
	}
	enum { IGNORE, ASM, MEM, RESULT, RAW, ERROR } state = IGNORE;
	size_t cap = 1 << 16, len = 0;
	tc->asm_text = calloc(cap, 1);
	char line[1024];
	int err = 0;
	while (!err && tc->asm_text && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (strstr(line, "--")) {
			if (strstr(line, "asm"))
				state = ASM;
			else if (strstr(line, "result"))
				state = RESULT;
			else if (strstr(line, "mem"))
				state = MEM;
			else if (strstr(line, "raw"))
				state = RAW;
			else if (strstr(line, "no register offset") || strstr(line, " c"))
				state = IGNORE;
			else if (strstr(line, "error"))
				state = ERROR;
			else {
				snprintf(why, why_size, "unknown section %s", line);
				err = -1;
			}
			continue;
		}
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			continue;
		switch (state) {
		case ASM:
			if (len + strlen(line) + 2 >= cap) {
				snprintf(why, why_size, "program too long");
				err = -1;
				break;
			}
			/* One line per line, even where a comment took the '\n'. */
			line[strcspn(line, "\r\n")] = '\0';
			len += (size_t)sprintf(tc->asm_text + len, "%s\n", line);
			break;
		case MEM:
			for (char *tok = strtok(p, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
				if (tc->mem_len == sizeof(tc->mem)) {
					snprintf(why, why_size, "memory too large");
					err = -1;
					break;
				}
				tc->mem[tc->mem_len++] = (uint8_t)strtoul(tok, NULL, 16);
			}
			break;
		case RESULT:
			tc->result = strtoull(p, NULL, strstr(p, "0x") ? 16 : 10);
			tc->has_result = 1;
			break;
		case RAW:
			for (char *tok = strtok(p, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
				if (tc->raw_cnt == sizeof(tc->raw) / sizeof(tc->raw[0]))
					break;
				tc->raw[tc->raw_cnt++] = strtoull(tok, NULL, strstr(tok, "0x") ? 16 : 10);
			}
			break;
		case ERROR:
			tc->has_error = 1;
			break;
		case IGNORE:
			break;
		}
	}
	fclose(f);
	if (!tc->asm_text) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	if (!err && !tc->has_result && !tc->has_error) {
		snprintf(why, why_size, "no result");
		err = -1;
	}
	return err;
}

/* The suite's helper 5: returns its argument; 0 stops the program. */
static uint64_t unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
		       uint64_t r5, struct uebpf_exec *exec)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (r1 == 0)
		uebpf_exec_stop(exec, 0);
	return r1;
}

/* Encodings the LLVM syntax cannot carry (it prints the same text as
 * for another encoding): local and kfunc calls, LD_IND's offset, the
 * second immediate of pseudo loads. */
static int llvm_lossy(const struct uebpf_insn *in)
{
	return (in->code == 0x85 && in->src_reg) ||
	       ((in->code & 0xe7) == 0x40 && in->imm) ||
	       (in->code == 0x18 && in->src_reg);
}

/* Disassembles in `syntax` and assembles the text back; same bytes? */
static int round_trip(const struct uebpf_insn *insns, size_t cnt,
		      enum uebpf_syntax syntax, char *why, size_t why_size)
{
	static const char *const names[] = { "auto", "llvm", "kernel", "conformance" };
	size_t cap = cnt * 128 + 1;
	char *text = malloc(cap), line[256];
	if (!text)
		return -1;
	size_t len = 0;
	struct uebpf_disasm_opts dopts = { .sz = sizeof(dopts), .syntax = syntax };
	for (size_t i = 0; i < cnt;) {
		int n = uebpf_disasm_insn(insns, cnt, i, line, sizeof(line), &dopts);
		len += (size_t)snprintf(text + len, cap - len, "%s\n", line);
		i += (size_t)(n > 0 ? n : 1);
	}
	struct uebpf_insn *back;
	size_t back_cnt;
	char err[256];
	struct uebpf_asm_opts aopts = { .sz = sizeof(aopts), .err_buf = err, .err_size = sizeof(err) };
	int ret = uebpf_asm(text, &back, &back_cnt, &aopts);
	free(text);
	if (ret) {
		snprintf(why, why_size, "%s disassembly does not assemble: %s", names[syntax], err);
		return -1;
	}
	ret = 0;
	if (back_cnt != cnt) {
		snprintf(why, why_size, "%s round trip: %zu instructions, not %zu",
			 names[syntax], back_cnt, cnt);
		ret = -1;
	}
	for (size_t i = 0; !ret && i < cnt; i++) {
		if (memcmp(&back[i], &insns[i], sizeof(insns[i])) == 0)
			continue;
		if (syntax == UEBPF_SYNTAX_LLVM && (llvm_lossy(&insns[i]) ||
						   (i && llvm_lossy(&insns[i - 1]))))
			continue;
		uebpf_disasm_insn(insns, cnt, i, line, sizeof(line), &dopts);
		snprintf(why, why_size, "%s round trip changes insn %zu (%s)",
			 names[syntax], i, line);
		ret = -1;
	}
	free(back);
	return ret;
}

static int run_case(const char *path, int checked, char *why, size_t why_size)
{
	struct testcase *tc = calloc(1, sizeof(*tc));
	struct uebpf_insn *insns = NULL, *auto_insns = NULL;
	size_t cnt = 0, auto_cnt = 0;
	struct uebpf_vm *vm = NULL;
	struct uebpf_code *code = NULL;
	char err[256];
	int ret = -1;

	if (!tc || parse_case(path, tc, why, why_size))
		goto out;

	struct uebpf_asm_opts aopts = {
		.sz = sizeof(aopts), .syntax = UEBPF_SYNTAX_CONFORMANCE,
		.err_buf = err, .err_size = sizeof(err),
	};
	if (uebpf_asm(tc->asm_text, &insns, &cnt, &aopts)) {
		snprintf(why, why_size, "assembler: %s", err);
		goto out;
	}
	aopts.syntax = UEBPF_SYNTAX_AUTO;
	if (uebpf_asm(tc->asm_text, &auto_insns, &auto_cnt, &aopts) ||
	    auto_cnt != cnt || memcmp(auto_insns, insns, cnt * sizeof(*insns))) {
		snprintf(why, why_size, "assembling with the syntax detected per line differs");
		goto out;
	}
	if (tc->raw_cnt) {
		if (tc->raw_cnt != cnt) {
			snprintf(why, why_size, "assembled %zu instructions, -- raw has %zu",
				 cnt, tc->raw_cnt);
			goto out;
		}
		for (size_t i = 0; i < cnt; i++) {
			uint64_t word;
			memcpy(&word, &insns[i], 8);
			if (word != tc->raw[i]) {
				snprintf(why, why_size,
					 "insn %zu assembled as 0x%016" PRIx64 ", -- raw says 0x%016" PRIx64,
					 i, word, tc->raw[i]);
				goto out;
			}
		}
	}
	if (round_trip(insns, cnt, UEBPF_SYNTAX_CONFORMANCE, why, why_size) ||
	    round_trip(insns, cnt, UEBPF_SYNTAX_KERNEL, why, why_size) ||
	    round_trip(insns, cnt, UEBPF_SYNTAX_LLVM, why, why_size))
		goto out;

	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_set_helper(vm, 5, "unwind", unwind)) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	struct uebpf_code_opts lopts = { .sz = sizeof(lopts), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_load(vm, insns, cnt, &lopts, &code)) {
		if (tc->has_error) {
			ret = 0;
			goto out;
		}
		snprintf(why, why_size, "load: %s", err);
		goto out;
	}
	struct uebpf_region region = { tc->mem, tc->mem_len, UEBPF_MEM_RW };
	struct uebpf_run_opts ropts = {
		.sz = sizeof(ropts), .checked = checked,
		.regions = &region, .region_cnt = tc->mem_len ? 1 : 0,
		.err_buf = err, .err_size = sizeof(err),
	};
	uint64_t r0;
	uint64_t r1 = tc->mem_len ? (uintptr_t)tc->mem : 0;
	if (uebpf_code_run(code, r1, tc->mem_len, &ropts, &r0)) {
		if (tc->has_error) {
			ret = 0;
			goto out;
		}
		snprintf(why, why_size, "run: %s", err);
		goto out;
	}
	if (tc->has_error) {
		snprintf(why, why_size, "expected an error, got r0 = 0x%" PRIx64, r0);
		goto out;
	}
	if (r0 != tc->result) {
		snprintf(why, why_size, "r0 = 0x%" PRIx64 ", expected 0x%" PRIx64, r0, tc->result);
		goto out;
	}
	ret = 0;
out:
	uebpf_code_free(code);
	uebpf_vm_free(vm);
	free(insns);
	free(auto_insns);
	if (tc)
		free(tc->asm_text);
	free(tc);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "normal") && strcmp(argv[2], "checked"))) {
		fprintf(stderr, "usage: %s DIR normal|checked\n", argv[0]);
		return 2;
	}
	int checked = strcmp(argv[2], "checked") == 0;
	DIR *d = opendir(argv[1]);
	if (!d) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 5, ".data"))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			return 2;
		names = nn;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);

	int passed = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096], why[512] = "";
		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		if (run_case(path, checked, why, sizeof(why)) == 0) {
			printf("PASS %s\n", names[i]);
			passed++;
		} else {
			printf("FAIL %s: %s\n", names[i], why);
			failed++;
		}
		free(names[i]);
	}
	free(names);
	printf("conformance (%s interpreter): %d passed, %d failed\n",
	       checked ? "checked" : "normal", passed, failed);
	return failed || passed == 0 ? 1 : 0;
}
