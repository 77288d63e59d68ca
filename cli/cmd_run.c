/* SPDX-License-Identifier: MIT */
/*
 * uebpf run: runs a program on input data, like BPF_PROG_TEST_RUN. Until
 * the verifier exists, programs run in the checked interpreter unless
 * --unchecked says they are trusted.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char run_usage[] =
	"usage: uebpf run PROG [--data-in FILE | --mem HEX] [--unchecked] [--repeat N] [-j]";

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data-in", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "checked", no_argument, NULL, 'c' },
		{ "unchecked", no_argument, NULL, 'u' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	/* An object from clang: its programs have a type to test-run. */
	struct stat st;
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && !stat(argv[i], &st) && S_ISREG(st.st_mode) &&
		    cli_is_elf(argv[i]))
			return cli_run_object(argc, argv);

	const char *data_path = NULL, *mem_hex = NULL;
	/* Nothing has verified the program: run it checked unless told. */
	bool checked = true, json = false;
	unsigned long repeat = 1;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data_path = optarg;
			break;
		case 'm':
			mem_hex = optarg;
			break;
		case 'c':
			checked = true;
			break;
		case 'u':
			checked = false;
			break;
		case 'r': {
			char *end;
			errno = 0;
			repeat = strtoul(optarg, &end, 10);
			if (errno || *end || repeat == 0 || repeat > 1000000000ul)
				return cli_error("--repeat takes a count from 1 to 1000000000");
			break;
		}
		case 'j':
			json = true;
			break;
		default:
			return cli_error("%s", run_usage);
		}
	}
	if (optind != argc - 1)
		return cli_error("%s", run_usage);
	if (data_path && mem_hex)
		return cli_error("give the input with --data-in or --mem, not both");

	uint8_t *data = NULL;
	size_t data_len = 0;
	if (data_path) {
		data = (uint8_t *)cli_read_file(data_path, &data_len);
		if (!data)
			return 1;
	} else if (mem_hex) {
		const char *bad;
		data = cli_parse_hex(mem_hex, &data_len, &bad);
		if (!data)
			return cli_error("--mem: bad hex at '%.16s'", bad);
	}

	struct uebpf_insn *insns = NULL;
	struct uebpf_vm *vm = NULL;
	struct uebpf_code *code = NULL;
	int status = 1;
	char err[300];

	size_t cnt;
	if (cli_load_program(argv[optind], &insns, &cnt))
		goto out;
	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_add_kernel_helpers(vm)) {
		cli_error("out of memory");
		goto out;
	}
	struct uebpf_code_opts lopts = { .sz = sizeof(lopts), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_load(vm, insns, cnt, &lopts, &code)) {
		cli_error("%s: %s", argv[optind], err);
		goto out;
	}

	struct uebpf_region region = { data, data_len, UEBPF_MEM_RW };
	struct uebpf_run_opts ropts = {
		.sz = sizeof(ropts), .checked = checked,
		.regions = &region, .region_cnt = data ? 1 : 0,
		.err_buf = err, .err_size = sizeof(err),
	};
	uint64_t r0 = 0, insn_count = 0;
	uint64_t start = now_ns();
	for (unsigned long i = 0; i < repeat; i++) {
		int ret = uebpf_code_run(code, (uintptr_t)data, data_len, &ropts, &r0);
		if (ret) {
			cli_error("%s: %s", argv[optind], err);
			goto out;
		}
		insn_count = ropts.insn_count;
	}
	uint64_t per_run = (now_ns() - start) / repeat;

	if (json) {
		printf("{\"retval\": %" PRIu64 ", \"duration_ns\": %" PRIu64, r0, per_run);
		if (checked)
			printf(", \"insns\": %" PRIu64, insn_count);
		printf("}\n");
	} else {
		printf("retval: %" PRIu64 " (0x%" PRIx64 ")\n", r0, r0);
		printf("duration: %" PRIu64 " ns per run (%lu run%s)\n", per_run, repeat,
		       repeat == 1 ? "" : "s");
		if (checked)
			printf("instructions: %" PRIu64 " per run (checked mode)\n", insn_count);
	}
	status = 0;
out:
	uebpf_code_free(code);
	uebpf_vm_free(vm);
	free(insns);
	free(data);
	return status;
}
