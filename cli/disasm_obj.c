/* SPDX-License-Identifier: MIT */
/*
 * uebpf disasm OBJ.o: the programs of an ELF object in llvm-objdump -S's
 * layout: a heading per section, one per program at its byte offset in
 * the section, instructions numbered within the section, and the source
 * line (from BTF line info) before the first instruction it produced.
 *
 * The instructions are those of the file (relocations not applied, map
 * references read "r1 = 0x0 ll" as llvm-objdump shows them), every
 * function of every code section, the subprograms of .text included.
 * Jump targets are named after the function (<f+0x40>): local labels
 * that old clang versions left in the symbol table (LBB0_7), which
 * llvm-objdump shows, are not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "uebpf/object.h"

bool cli_is_elf(const char *path)
{
	unsigned char magic[4];
	FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
	bool elf = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "\x7f" "ELF", 4) == 0;
	if (f)
		fclose(f);
	return elf;
}

/* The last source line printed: a line is printed once, when the
 * instructions move to it (llvm-objdump's rule). */
struct last_line {
	const char *file;
	uint32_t line;
};

static void print_source(const struct uebpf_program *prog, size_t i, struct last_line *last)
{
	struct uebpf_line_info li;
	if (uebpf_program_line_info(prog, i, &li) || !li.line || !li.line_text)
		return;
	bool same_file = li.file == last->file ||
			 (li.file && last->file && strcmp(li.file, last->file) == 0);
	if (same_file && li.line == last->line)
		return;
	last->file = li.file;
	last->line = li.line;
	printf("; %s\n", li.line_text);
}

/* One program; base is its first instruction's index in the section. */
static int print_program(const struct uebpf_program *prog, size_t base,
			 const struct uebpf_disasm_opts *user)
{
	const struct uebpf_insn *insns = uebpf_program_insns(prog);
	size_t cnt = uebpf_program_insn_cnt(prog);
	struct uebpf_disasm_opts opts = *user;
	struct last_line last = { 0 };
	char text[256];

	opts.sz = sizeof(opts);
	opts.show_raw = false; /* printed here, numbered within the section */
	opts.symbol = uebpf_program_name(prog);
	printf("\n%016zx <%s>:\n", base * sizeof(struct uebpf_insn), uebpf_program_name(prog));
	for (size_t i = 0; i < cnt;) {
		int slots = uebpf_disasm_insn(insns, cnt, i, text, sizeof(text), &opts);
		if (slots < 0)
			return slots;
		print_source(prog, i, &last);
		if (user->show_raw && user->syntax == UEBPF_SYNTAX_KERNEL) {
			printf("%4zu: %s\n", base + i, text);
		} else if (user->show_raw) {
			const uint8_t *b = (const uint8_t *)&insns[i];
			printf("%8zu:\t", base + i);
			for (size_t k = 0; k < 8 * (size_t)slots; k++)
				printf("%02x%c", b[k], k + 1 < 8 * (size_t)slots ? ' ' : '\t');
			printf("%s\n", text);
		} else {
			printf("%s\n", text);
		}
		i += (size_t)slots;
	}
	return 0;
}

int cli_disasm_object(const char *path, const char *prog_name,
		      const struct uebpf_disasm_opts *opts)
{
	char err[512] = "";
	struct uebpf_object_open_opts oopts = { .sz = sizeof(oopts), .err_buf = err,
						.err_size = sizeof(err) };
	struct uebpf_object *obj = uebpf_object_open_file(path, &oopts);
	if (!obj) {
		if (!err[0])
			return cli_error("%s: %s", path, strerror(errno));
		/* The loader's messages usually name the file already. */
		return strstr(err, path) ? cli_error("%s", err) : cli_error("%s: %s", path, err);
	}

	struct uebpf_program *prog;

	uebpf_object_for_each_function(prog, obj)
		if (prog_name && !strcmp(uebpf_program_name(prog), prog_name))
			break;
	if (prog_name && !prog) {
		uebpf_object_close(obj);
		return cli_error("%s has no program named '%s' (uebpf disasm %s shows them all)",
				 path, prog_name, path);
	}

	const char *sec = NULL, *sec_q = NULL;
	size_t base = 0;
	int ret = 0;

	printf("\n%s:\tfile format elf64-bpf\n", path);
	/* Functions come by section, then offset, each where the one
	 * before it ends. */
	uebpf_object_for_each_function(prog, obj) {
		const char *s = uebpf_program_section_name(prog);
		/* Freshly opened, a program that does not load is one of a
		 * SEC("?...") section; the file's name has the '?'. */
		const char *q = uebpf_program_autoload(prog) ? "" : "?";
		if (!sec || strcmp(s, sec) != 0 || q != sec_q) {
			base = 0;
			sec = s;
			sec_q = q; /* "?kprobe/f" and "kprobe/f" are two sections */
			if (!prog_name)
				printf("\nDisassembly of section %s%s:\n", q, s);
		}
		if (!prog_name || strcmp(uebpf_program_name(prog), prog_name) == 0) {
			if (prog_name)
				printf("\nDisassembly of section %s%s:\n", q, s);
			ret = print_program(prog, base, opts);
			if (ret)
				break;
		}
		base += uebpf_program_insn_cnt(prog);
	}
	uebpf_object_close(obj);
	if (fflush(stdout) && !ret)
		return cli_error("cannot write the disassembly: %s", strerror(errno));
	if (ret)
		return cli_error("%s: cannot disassemble: %s", path, strerror(-ret));
	return 0;
}
