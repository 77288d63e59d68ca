/* SPDX-License-Identifier: MIT */
/*
 * uebpf conformance-plugin: the plugin protocol of the BPF conformance
 * suite's runner. Memory as hex bytes in the first argument (absent when
 * the test has none), the program as hex bytes on one line of stdin or in
 * --program, r0 printed in hex; a non-zero exit status means the program
 * could not be loaded or run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The suite's helper 5 ("unwind"): returns its argument and stops the
 * program with r0 = 0 when that is 0. */
static uint64_t unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
		       uint64_t r5, struct uebpf_exec *exec)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (r1 == 0)
		uebpf_exec_stop(exec, 0);
	return r1;
}

int cmd_conformance_plugin(int argc, char **argv)
{
	const char *mem_hex = NULL, *prog_hex = NULL;
	bool checked = true;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "conformance-plugin") || !strcmp(a, "--interpret"))
			continue;
		if (!strcmp(a, "--jit"))
			return cli_error("the JIT is not available in this build; use --interpret");
		if (!strcmp(a, "--elf"))
			return cli_error("ELF input needs the object loader, which this build does not have");
		if (!strcmp(a, "--unchecked")) {
			checked = false;
		} else if (!strcmp(a, "--program")) {
			if (++i == argc)
				return cli_error("--program needs the program's hex bytes");
			prog_hex = argv[i];
		} else if (a[0] == '-' && a[1] == '-') {
			return cli_error("conformance-plugin: unknown option '%s'", a);
		} else if (!mem_hex) {
			mem_hex = a;
		} else {
			return cli_error("conformance-plugin: unexpected argument '%.32s'", a);
		}
	}

	char *stdin_text = NULL;
	if (!prog_hex) {
		size_t size;
		stdin_text = cli_read_file("-", &size);
		if (!stdin_text)
			return 1;
		prog_hex = stdin_text;
	}

	int status = 1;
	uint8_t *mem = NULL, *prog = NULL;
	size_t mem_len = 0, prog_len = 0;
	struct uebpf_vm *vm = NULL;
	struct uebpf_code *code = NULL;
	const char *bad;
	char err[300];

	if (mem_hex && !(mem = cli_parse_hex(mem_hex, &mem_len, &bad))) {
		cli_error("memory: bad hex at '%.16s'", bad);
		goto out;
	}
	if (!(prog = cli_parse_hex(prog_hex, &prog_len, &bad))) {
		cli_error("program: bad hex at '%.16s'", bad);
		goto out;
	}
	if (prog_len == 0 || prog_len % 8) {
		cli_error("program: %zu bytes is not a whole number of 8-byte instructions",
			  prog_len);
		goto out;
	}

	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_set_helper(vm, 5, "unwind", unwind)) {
		cli_error("out of memory");
		goto out;
	}
	/* Copy into an aligned array of instructions. */
	struct uebpf_insn *insns = malloc(prog_len);
	if (!insns) {
		cli_error("out of memory");
		goto out;
	}
	memcpy(insns, prog, prog_len);
	struct uebpf_code_opts lopts = { .sz = sizeof(lopts), .err_buf = err, .err_size = sizeof(err) };
	int ret = uebpf_code_load(vm, insns, prog_len / 8, &lopts, &code);
	free(insns);
	if (ret) {
		cli_error("%s", err);
		goto out;
	}

	struct uebpf_region region = { mem, mem_len, UEBPF_MEM_RW };
	struct uebpf_run_opts ropts = {
		.sz = sizeof(ropts), .checked = checked,
		.regions = &region, .region_cnt = mem ? 1 : 0,
		.err_buf = err, .err_size = sizeof(err),
	};
	uint64_t r0;
	if (uebpf_code_run(code, (uintptr_t)mem, mem_len, &ropts, &r0)) {
		cli_error("%s", err);
		goto out;
	}
	printf("%" PRIx64 "\n", r0);
	status = 0;
out:
	uebpf_code_free(code);
	uebpf_vm_free(vm);
	free(prog);
	free(mem);
	free(stdin_text);
	return status;
}
