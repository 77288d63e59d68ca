/* SPDX-License-Identifier: MIT */
/*
 * Program internals: loading with extra information the object loader
 * has (source lines), the program tag, and the records loaded programs
 * publish so that other processes (`uebpf prog list`) can see them.
 *
 * A loaded program's fd is a file holding its record: an unnamed file in
 * <pin dir>/.progs, linked there as <id> (a memfd, not listed, where the
 * pin directory cannot be used). The owner holds a shared flock on it
 * for as long as the program lives, so a record nobody locks was left by
 * a process that died: listers skip and remove it.
 */
#ifndef UEBPF_OBJECT_PROG_H
#define UEBPF_OBJECT_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/object.h"
#include "verifier/verifier.h"

/* The kernel's limits: instructions of a program (BPF_COMPLEXITY_LIMIT_INSNS)
 * and maps one program may use (MAX_USED_MAPS). */
#define PROG_MAX_INSNS 1000000u
#define PROG_MAX_MAPS 64u

/* Where instruction insn_off comes from in the source. */
struct prog_line {
	uint32_t insn_off;
	uint32_t line, col;
	const char *file; /* may be NULL */
	const char *text; /* the source line; may be NULL */
};

/* What the object loader knows beyond BPF_PROG_LOAD's attributes. */
struct prog_load_extra {
	const struct prog_line *lines; /* by increasing insn_off */
	size_t line_cnt;
	const struct verifier_func *funcs; /* BTF of its functions */
	size_t func_cnt;
};

/* uebpf_prog_load with extra information kept in the program's record. */
int prog_load(enum bpf_prog_type type, const char *name, const char *license,
	      const struct uebpf_insn *insns, size_t insn_cnt,
	      const struct uebpf_prog_load_opts *opts, const struct prog_load_extra *extra);

/* What running a loaded program needs to know of it. */
struct prog_run_target {
	struct uebpf_code *code;
	uint32_t type; /* enum bpf_prog_type */
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	bool checked_only; /* loaded unverified: the checked interpreter only */
};
/* 0, or -EBADF / -EINVAL when prog_fd is not a program of this process. */
int prog_run_target(int prog_fd, struct prog_run_target *t);

/* The kernel's program tag: the first 8 bytes of the SHA-256 of the
 * instructions with the immediates of map references (lddw with pseudo
 * map fd or map value, both halves) zeroed. SHA-256 is what Linux 6.18
 * hashes with (checked against BPF_OBJ_GET_INFO_BY_FD); kernels before
 * it used SHA-1, so their tags for the same code differ. */
void prog_tag(const struct uebpf_insn *insns, size_t insn_cnt, uint8_t tag[8]);

/* ---- published programs ---- */

/* A program as its record describes it, read by any process. */
struct prog_record {
	struct uebpf_prog_info info;
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	uint32_t uid;          /* who loaded it */
	uint32_t pid;          /* the process it lives in */
	char comm[16];         /* that process's name */
	const char *attach_target; /* NULL when none */
	/* The instructions as loaded, map references by map id (lddw src 1
	 * or 2 with imm = the map's id), as the kernel's xlated dump. */
	const struct uebpf_insn *insns;
	size_t insn_cnt;
	const struct prog_line *lines;
	size_t line_cnt;
	void *mem; /* everything above points into this */
};

/* Reads the record of a program fd (or of a record file opened
 * read-only). Returns 0 and a record to free with prog_record_free, or
 * -EINVAL for a file that is not a well-formed record, -ENOMEM, or the
 * error of reading it. */
int prog_record_read(int fd, struct prog_record **out);
void prog_record_free(struct prog_record *rec);

/* The directory records are published in for a pin directory (NULL: the
 * default, $UEBPF_PIN_DIR or UEBPF_PIN_DIR_DEFAULT), into buf. */
int prog_records_dir(const char *pin_dir, char *buf, size_t size);

/*
 * Every program live processes published in the pin directory (NULL: the
 * default), by increasing id. Records of processes that are gone are
 * skipped and removed; damaged ones skipped. Returns 0 with *recs (free
 * with prog_records_free) and *cnt (0 when the directory does not
 * exist), or a negative errno.
 */
int prog_records_list(const char *pin_dir, struct prog_record ***recs, size_t *cnt);
void prog_records_free(struct prog_record **recs, size_t cnt);

/* The record of program id, if a live process published it: 0, or
 * -ENOENT. */
int prog_record_find(const char *pin_dir, uint32_t id, struct prog_record **out);

#endif /* UEBPF_OBJECT_PROG_H */
