/* SPDX-License-Identifier: MIT */
/* uebpf asm / uebpf disasm */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cmd_asm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "syntax", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	enum uebpf_syntax syntax = UEBPF_SYNTAX_AUTO;
	const char *out_path = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_syntax(optarg, true, &syntax))
				return 1;
			if (syntax == UEBPF_SYNTAX_KERNEL)
				syntax = UEBPF_SYNTAX_LLVM; /* one C-like reader */
			break;
		case 'o':
			out_path = optarg;
			break;
		default:
			return cli_error("usage: uebpf asm [--syntax S] IN.s -o OUT.bin");
		}
	}
	if (optind != argc - 1 || !out_path)
		return cli_error("usage: uebpf asm [--syntax S] IN.s -o OUT.bin");

	size_t size;
	char *text = cli_read_file(argv[optind], &size);
	if (!text)
		return 1;
	if (strlen(text) != size) {
		free(text);
		return cli_error("%s: not a text file", argv[optind]);
	}
	struct uebpf_insn *insns;
	size_t cnt;
	char err[300];
	struct uebpf_asm_opts opts = {
		.sz = sizeof(opts), .syntax = syntax, .err_buf = err, .err_size = sizeof(err),
	};
	int ret = uebpf_asm(text, &insns, &cnt, &opts);
	free(text);
	if (ret)
		return cli_error("%s: %s", argv[optind], err);

	int status = cli_write_file(out_path, insns, cnt * sizeof(*insns));
	free(insns);
	return status;
}

int cmd_disasm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "syntax", required_argument, NULL, 's' },
		{ "symbol", required_argument, NULL, 'n' },
		{ "no-raw", no_argument, NULL, 'r' },
		{ "prog", required_argument, NULL, 'p' },
		{ 0 },
	};
	struct uebpf_disasm_opts opts = {
		.sz = sizeof(opts), .syntax = UEBPF_SYNTAX_LLVM, .show_raw = true,
	};
	const char *prog_name = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_syntax(optarg, false, &opts.syntax))
				return 1;
			break;
		case 'n':
			opts.symbol = optarg;
			break;
		case 'r':
			opts.show_raw = false;
			break;
		case 'p':
			prog_name = optarg;
			break;
		default:
			return cli_error("usage: uebpf disasm [--syntax S] [--no-raw] "
					 "{ [--symbol NAME] FILE | OBJ.o [--prog NAME] }");
		}
	}
	if (optind != argc - 1)
		return cli_error("usage: uebpf disasm [--syntax S] [--no-raw] "
				 "{ [--symbol NAME] FILE | OBJ.o [--prog NAME] }");
	if (cli_is_elf(argv[optind]))
		return cli_disasm_object(argv[optind], prog_name, &opts);
	if (prog_name)
		return cli_error("%s is not an ELF object: --prog picks a program of one",
				 argv[optind]);

	struct uebpf_insn *insns;
	size_t cnt;
	if (cli_load_program(argv[optind], &insns, &cnt))
		return 1;
	int ret = uebpf_disasm(stdout, insns, cnt, &opts);
	free(insns);
	if (ret)
		return cli_error("cannot write the disassembly: %s", strerror(-ret));
	return 0;
}
