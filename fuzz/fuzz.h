/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets and the standalone driver:
 *   - the libFuzzer entry point every target defines;
 *   - a description of each target for the standalone driver
 *     (standalone_main.c): name, input size cap, optional generator;
 *   - a deterministic choice source (a PRNG, or the fuzzer's input bytes)
 *     and a generator of mostly valid programs built on it (fuzz_gen.c).
 */
#ifndef UEBPF_FUZZ_H
#define UEBPF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <uebpf/isa.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant (a bug in the library) and aborts, so that
 * libFuzzer and the standalone driver both record the input. */
#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n  ",     \
				__FILE__, __LINE__, #cond);                 \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

/* ---- choices: a PRNG or the input's bytes ---- */

/* splitmix64: small, fast, and the same sequence everywhere. */
static inline uint64_t fuzz_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Where the generator takes its decisions from: with data == NULL a PRNG
 * seeded with `state`, else the bytes data[pos..size) (zeros once they run
 * out), so that a fuzzer mutating the bytes steers the generator.
 */
struct fuzz_src {
	const uint8_t *data;
	size_t size, pos;
	uint64_t state;
};

static inline int fuzz_src_exhausted(const struct fuzz_src *s)
{
	return s->data && s->pos >= s->size;
}

/* A number below n (n >= 1); consumes as few input bytes as possible. */
static inline uint32_t fuzz_below(struct fuzz_src *s, uint32_t n)
{
	if (n <= 1)
		return 0;
	if (!s->data)
		return (uint32_t)((fuzz_rng_next(&s->state) >> 32) % n);
	unsigned bytes = n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
	uint32_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v = (v << 8) | (s->pos < s->size ? s->data[s->pos++] : 0);
	return v % n;
}

static inline uint32_t fuzz_u32(struct fuzz_src *s)
{
	if (!s->data)
		return (uint32_t)(fuzz_rng_next(&s->state) >> 32);
	uint32_t v = 0;
	for (unsigned i = 0; i < 4; i++)
		v = (v << 8) | (s->pos < s->size ? s->data[s->pos++] : 0);
	return v;
}

/* True with probability about 1/n: the rare case. False once the input
 * bytes run out (zeros), so that they then steer to the common cases. */
static inline int fuzz_one_in(struct fuzz_src *s, uint32_t n)
{
	return n <= 1 || fuzz_below(s, n) == n - 1;
}

/* ---- program generator (fuzz_gen.c) ---- */

/* Registers the generated programs assume: r1 points to FUZZ_MEM_SIZE
 * bytes of memory, r2 holds that length; helpers 1..4 exist (see
 * fuzz_interp.c). */
#define FUZZ_MEM_SIZE 64
#define FUZZ_HELPER_MAX 4

/*
 * Writes a mostly valid program of at most max slots (max >= 1): known
 * opcodes with well-formed fields, registers r0..r10 biased to the ones
 * that hold something, small memory offsets around r1 and r10, jumps
 * inside the program, calls to helpers 1..FUZZ_HELPER_MAX. A few
 * instructions are deliberately broken. Returns the number of slots.
 */
size_t fuzz_gen_program(struct fuzz_src *s, struct uebpf_insn *out, size_t max);

/* One random, mostly valid instruction (no lddw, jumps relative to a
 * program of insn_cnt slots at index idx). */
struct uebpf_insn fuzz_gen_insn(struct fuzz_src *s, size_t idx, size_t insn_cnt);

/* ---- disassembly checks (fuzz_common.c) ---- */

/*
 * Disassembles a whole program (one line per instruction, each ending in
 * a newline) into a malloc'ed string. *all_valid tells whether every
 * instruction decoded (no `<invalid: ...>` line).
 */
char *fuzz_disasm_text(const struct uebpf_insn *insns, size_t cnt,
		       const struct uebpf_disasm_opts *opts, int *all_valid);

/*
 * The conformance syntax is lossless: assembling the disassembly of a
 * program whose instructions all decode gives back the same instructions,
 * with the CONFORMANCE syntax and with AUTO (which must recognise every
 * line as conformance syntax or read it the same way). Aborts on a
 * difference. Returns 1 if checked, 0 if skipped (undecodable slots, or
 * an lddw whose second slot the assembler cannot express).
 */
int fuzz_check_conformance_roundtrip(const struct uebpf_insn *insns, size_t cnt);

/* ---- what the standalone driver needs to know about a target ---- */

struct fuzz_target {
	const char *name;
	/* Inputs the driver makes are at most this long. */
	size_t max_input;
	/* Optional: writes a fresh, mostly valid input (at most max bytes)
	 * using the PRNG; returns its length. */
	size_t (*generate)(uint64_t *rng, uint8_t *out, size_t max);
	/* Optional: where the 8-byte instructions of an input start (after
	 * its header); enables instruction-level mutations. */
	size_t (*insn_start)(const uint8_t *data, size_t size);
	/* Optional: prints what the inputs did (how many loaded, ran...). */
	void (*print_stats)(FILE *out);
};

/* Defined by each target. */
extern const struct fuzz_target fuzz_target;

#endif /* UEBPF_FUZZ_H */
