/* SPDX-License-Identifier: MIT */
/* The uebpf command: shared declarations of its subcommands. */
#ifndef UEBPF_CLI_CLI_H
#define UEBPF_CLI_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/uebpf.h"

/* The kernel's internal "operation not supported", which some bpf()
 * commands return (libc has no name for it). */
#define ERRNO_ENOTSUPP 524

/* Prints "uebpf: <message>" to stderr; returns 1 (the exit status). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole file ("-" is standard input) into a malloc'ed buffer with
 * a terminating NUL (not counted in *size). NULL and a message on error. */
char *cli_read_file(const char *path, size_t *size);
/* Writes len bytes to path ("-" is standard output). 0, or 1 with a
 * message. */
int cli_write_file(const char *path, const void *data, size_t len);

/*
 * Parses hex bytes written as "01 02 ff", "0x01 0x02", "0102ff" or with
 * a leading "hex" word (bpftool style). Returns a malloc'ed buffer, or
 * NULL with *bad pointing at the offending text.
 */
uint8_t *cli_parse_hex(const char *text, size_t *len, const char **bad);

/*
 * Loads a program file: an assembly text (any syntax) or raw bytecode
 * (8-byte little-endian instructions). ELF objects are recognised and
 * refused until the object loader exists. Returns 0 or 1 (error printed).
 */
int cli_load_program(const char *path, struct uebpf_insn **insns, size_t *cnt);

/* Parses "llvm", "kernel", "conformance" (and "auto" if allow_auto). */
int cli_parse_syntax(const char *s, bool allow_auto, enum uebpf_syntax *out);

/* bpftool's way with arguments (uebpf map, uebpf prog): words taken one
 * by one; a keyword matches any non-empty prefix of it. */
struct cli_args {
	int argc;
	char **argv;
	int pos;
};

static inline const char *cli_peek_arg(const struct cli_args *a)
{
	return a->pos < a->argc ? a->argv[a->pos] : NULL;
}

static inline const char *cli_next_arg(struct cli_args *a)
{
	return a->pos < a->argc ? a->argv[a->pos++] : NULL;
}

bool cli_is_prefix(const char *arg, const char *keyword);

/* Exit statuses: an operation failed; the command line is wrong. */
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* "uebpf: CMD: <message>" and, under -j, bpftool's {"error": ...} when
 * nothing else has been printed. Returns status. */
int cli_failv(const char *cmd, int status, const char *fmt, va_list ap);
int cli_fail(const char *cmd, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Takes -j/--json, -p/--pretty (and bpftool's other one-letter options
 * in letters, and --bpffs, --nomount, --mapcompat, which change nothing
 * here) out of argv, wherever they are; the rest goes to a. Returns 0 or
 * EXIT_USAGE (message printed). */
int cli_take_options(const char *cmd, int argc, char **argv, struct cli_args *a,
		     const char *letters);

int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_conformance_plugin(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_prog(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* True when the file starts as an ELF file does. */
bool cli_is_elf(const char *path);
/* uebpf run OBJ.o ...: test-runs a program of an object (run_obj.c). */
int cli_run_object(int argc, char **argv);
/* A map type's bpftool name ("hash", "lpm_trie", ...), or NULL. */
const char *cli_map_type_name(uint32_t type);
/* Per-CPU maps hold one value per possible CPU, each 8-byte aligned. */
bool cli_map_is_percpu(uint32_t type);
/* uebpf disasm OBJ.o [--prog NAME]: the object's programs (or the one
 * named) in llvm-objdump -S's layout. Returns 0 or 1 (error printed). */
int cli_disasm_object(const char *path, const char *prog_name,
		      const struct uebpf_disasm_opts *opts);

/*
 * JSON output laid out as bpftool's json_writer lays it out (-j, and -p
 * for pretty): values are separated by commas, names start new lines
 * when pretty, containers that hold something close on their own line.
 */
struct cli_js {
	bool on, pretty;
	int depth;
	char sep; /* printed before the next value: ',' or nothing */
};
extern struct cli_js cli_js;

void cli_json_begin(int c); /* '{' or '[' */
void cli_json_end(int c);   /* '}' or ']' */
void cli_json_name(const char *name);
void cli_json_string(const char *s);
void cli_json_uint(uint64_t v);
void cli_json_int(int64_t v);
void cli_json_bool(bool v);
void cli_json_null(void);
/* bpftool's byte arrays: ["0x01","0x00"]. */
void cli_json_hex(const uint8_t *data, size_t len);
/* True when nothing has been printed yet (an error may print its own
 * {"error": ...} object). */
bool cli_json_empty(void);

#endif /* UEBPF_CLI_CLI_H */
