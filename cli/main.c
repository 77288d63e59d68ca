/* SPDX-License-Identifier: MIT */
/* uebpf: the command line. `uebpf help` lists the commands. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "asm", cmd_asm,
	  "asm [--syntax auto|llvm|conformance] IN.s -o OUT.bin\n"
	  "        assemble (any syntax, - for stdin) into raw bytecode" },
	{ "disasm", cmd_disasm,
	  "disasm [--syntax llvm|kernel|conformance] [--no-raw] [--symbol NAME] FILE\n"
	  "disasm [--syntax S] [--no-raw] OBJ.o [--prog NAME]\n"
	  "        disassemble raw bytecode (as llvm-objdump -d prints it by default),\n"
	  "        or the programs of an ELF object with their source lines (-S)" },
	{ "run", cmd_run,
	  "run PROG [--data-in FILE | --mem HEX] [--unchecked] [--repeat N] [-j]\n"
	  "        run a program (bytecode or assembly) with r1 = data, r2 = its length,\n"
	  "        every memory access checked unless --unchecked" },
	{ "verify", cmd_verify,
	  "verify OBJ.o [--prog NAME] [--log-level 1|2] [-j]\n"
	  "        run the verifier on the programs of an object: accepted or rejected\n"
	  "        and why (exit 0: all accepted, 1: some rejected, 2: unreadable)" },
	{ "map", cmd_map,
	  "map { show | list | create | dump | lookup | update | delete | getnext | freeze |\n"
	  "      pin | peek | push | pop } ...\n"
	  "        inspect and change maps (see uebpf map help)" },
	{ "prog", cmd_prog,
	  "prog { show | list | dump xlated | help } ...\n"
	  "        list the programs processes have loaded, dump their instructions" },
	{ "trace", cmd_trace,
	  "trace pipe\n"
	  "        print what programs write with bpf_trace_printk, as it comes" },
	{ "conformance-plugin", cmd_conformance_plugin,
	  "conformance-plugin [MEMORY-HEX] [--program HEX] [--interpret|--jit] [--unchecked]\n"
	  "        plugin for the BPF conformance suite's runner (program hex on stdin)" },
};

static int usage(FILE *out)
{
	fprintf(out, "Usage: uebpf COMMAND [ARGS]\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  uebpf %s\n\n", commands[i].usage);
	fprintf(out, "  uebpf version\n");
	return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	/* Installed or linked as `uebpf-conformance-plugin`, the program is the
	 * plugin itself, so the suite's runner can call it with no options. */
	char *self = basename(argv[0]);
	if (strcmp(self, "uebpf-conformance-plugin") == 0)
		return cmd_conformance_plugin(argc, argv);

	/* Options before the command, as `bpftool -j map show`: move them after
	 * it, where the commands look for them. */
	int first = 1;
	while (first < argc && argv[first][0] == '-' && argv[first][1] &&
	       strcmp(argv[first], "-h") && strcmp(argv[first], "--help") &&
	       strcmp(argv[first], "-V") && strcmp(argv[first], "--version"))
		first++;
	if (first > 1 && first < argc) {
		char *cmd_word = argv[first];
		memmove(&argv[2], &argv[1], (size_t)(first - 1) * sizeof(*argv));
		argv[1] = cmd_word;
	}
	if (argc < 2)
		return usage(stderr);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		return usage(stdout);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("uebpf %s\n", UEBPF_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);

	/* The suite's runner puts the memory argument before the plugin
	 * options: `uebpf "01 02" conformance-plugin`. */
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "conformance-plugin") == 0)
			return cmd_conformance_plugin(argc, argv);

	cli_error("unknown command '%s'", cmd);
	return usage(stderr);
}
