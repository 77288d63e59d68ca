/* SPDX-License-Identifier: MIT */
/*
 * A generator of programs that stress the verifier, and the oracle that
 * runs what the verifier accepts in the checked interpreter.
 *
 * The generator (gen_verify.c) writes a program of one supported type
 * from snippets a verifier tends to get wrong: context loads at valid
 * and edge offsets, packet bounds checks with off-by-one variants, map
 * lookups with and without null checks, pointer arithmetic near map
 * value bounds, spills and fills, helper calls with edge-case sizes,
 * bounded loops (counters, may_goto, bpf_loop callbacks), static
 * subprograms taking pointers, ALU corner cases; then mutates a few
 * instructions (a comparison flipped, an offset or size moved by one, a
 * register swapped, a check dropped). Map references are `lddw rN,
 * map_fd` whose imm is the index of a map in gv_prog.maps: whoever loads
 * the program creates the maps and writes their fds in (gv_patch_fds).
 *
 * The oracle (gen_verify_oracle.c) verifies a program with uebpf's
 * verifier and runs it, when accepted, in the checked interpreter on
 * several random inputs; it reports the first violation: a memory
 * fault, a read of an uninitialised register, a ring buffer record
 * neither submitted nor discarded, more instructions run than the
 * verifier processed (each step of a run is a distinct step of the
 * verifier's exploration, so this bounds programs without callbacks,
 * may_goto or rewritten context accesses; the others have a fixed
 * instruction limit).
 *
 * Used by fuzz_verify (libFuzzer and its standalone driver), the seeded
 * loop fuzz_verify_loop (ctest and long runs), the regression replay and
 * the kernel agreement test (tests/kernel/verifier_random_kernel_diff_test.c).
 */
#ifndef UEBPF_FUZZ_GEN_VERIFY_H
#define UEBPF_FUZZ_GEN_VERIFY_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz.h"

#define GV_MAX_INSNS 256
#define GV_MAX_MAPS 4

struct gv_map {
	uint32_t type, key_size, value_size, max_entries;
};

struct gv_prog {
	enum bpf_prog_type type;
	uint32_t expected_attach_type;
	struct gv_map maps[GV_MAX_MAPS];
	size_t nmaps;
	struct uebpf_insn insns[GV_MAX_INSNS];
	size_t cnt;
};

/* The program types the generator writes (and the kernel test loads). */
extern const enum bpf_prog_type gv_types[];
extern const size_t gv_ntypes;
const char *gv_type_name(enum bpf_prog_type type);
enum bpf_prog_type gv_type_by_name(const char *name);

/* Writes a program of type `type` (0: a random supported type). */
void gv_generate(struct fuzz_src *s, struct gv_prog *p, enum bpf_prog_type type);

/* A copy of the instructions with each map reference's index replaced by
 * fds[index] (map_fd lddw only); the caller frees it. */
struct uebpf_insn *gv_patch_fds(const struct gv_prog *p, const int *fds);

/* Whether the program loops in a way the verifier's processed count does
 * not bound (bpf_loop callbacks, may_goto). */
bool gv_has_unbounded_loops(const struct gv_prog *p);

/* ---- the oracle (gen_verify_oracle.c) ---- */

enum gv_verdict {
	GV_REJECTED,   /* the verifier refused it */
	GV_CLEAN,      /* accepted, every run clean */
	GV_FAULT,      /* accepted, a run touched memory it was not given */
	GV_UNINIT,     /* accepted, a run read an uninitialised register */
	GV_LEAK,       /* accepted, a run left a ring buffer record reserved */
	GV_LOOP,       /* accepted, a run did not end within its bound */
	GV_ENGINE,     /* accepted, the engine refused to load it */
};

struct gv_result {
	enum gv_verdict verdict;
	int verify_rc;
	uint32_t insn_processed;
	uint64_t max_run_insns; /* the most instructions one run took */
	/* Whether a run's instruction count is bounded by insn_processed:
	 * no callbacks or may_goto, and no context access the verifier
	 * rewrote into several instructions. Such a run that takes more is
	 * a loop the verifier did not see (GV_LOOP). */
	bool bounded;
	unsigned runs;
	char why[320]; /* the violation, or the verifier's last log line */
};

/* Verifies p and runs it `runs` times on inputs from `seed`. The
 * verifier's log goes to log (log_size bytes, level 1) when given. */
void gv_check(const struct gv_prog *p, uint64_t seed, unsigned runs, struct gv_result *r,
	      char *log, size_t log_size);
const char *gv_verdict_name(enum gv_verdict v);

/* Shrinks a program with a violation, keeping the same verdict:
 * instructions dropped or replaced by `ja +0`, jumps kept valid. */
void gv_minimise(struct gv_prog *p, uint64_t seed, unsigned runs, enum gv_verdict v);

/* Reproducers: a text file (assembly in the conformance syntax, one
 * instruction a line, after `;` header lines naming the type, the maps
 * and the input seed) that gv_read reads back. 0 or -errno. */
int gv_write(FILE *f, const struct gv_prog *p, uint64_t seed, const char *why);
int gv_read(const char *path, struct gv_prog *p, uint64_t *seed, char *err, size_t err_size);

#endif /* UEBPF_FUZZ_GEN_VERIFY_H */
