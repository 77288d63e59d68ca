/* SPDX-License-Identifier: MIT */
/*
 * uebpf-verify-bench: how fast uebpf's verifier is against the kernel's,
 * on large programs, in one run.
 *
 *   uebpf-verify-bench [--quick] [--verify] [--filter NAME] [-j] [-n N]
 *                      [--no-builtin] [--no-kernel] [OBJECT.o | DIR]...
 *
 * Programs: generated families at several sizes (straight-line code,
 * chains of diamonds, bounded loops, deep call chains, packet
 * parsing, map lookups; instruction arrays built here), clang-compiled
 * objects (bench/progs/vb_*.c: unrolled loops, global functions,
 * bpf_loop callbacks; the packet benchmark's objects), the largest
 * programs of the project's object corpus, examples and installed
 * xdp-tools/libbpf-tools objects, and every program of the objects
 * and directories given on the command line (held-out programs).
 *
 * What is timed, on each side, is the load of one program as the
 * kernel's BPF_PROG_LOAD does it:
 *   kernel: the bpf(BPF_PROG_LOAD) call with the attributes libbpf built
 *     for it (instructions relocated, BTF, func and line info), log off:
 *     copying the program in, the verifier, its rewrites and the JIT,
 *     the fd;
 *   uebpf: uebpf's equivalent (object/prog.c: prog_load) with the same
 *     extra information its object loader passes: the decoder's checks,
 *     map resolution, the verifier, its rewrites, the engine's loading
 *     (pre-decoding), the fd.
 * Objects are opened and relocated once per program (only that program
 * loaded, as tests/verifier/corpus_test.c does); the load is then
 * repeated from inside the loader's call (the bench wraps libbpf's
 * bpf_prog_load and uebpf's prog_load at link time, -Wl,--wrap), so
 * map creation and ELF work are outside the figure on both sides.
 *
 * Figures: the median wall time of N loads (5; --quick 1), the
 * processed instructions and states (a separate load at log level 4 on
 * the kernel, the verifier's statistics in uebpf), ns per processed
 * instruction, uebpf/kernel, the verifier's own time ("verification
 * time" of the kernel's log, verify_program's in uebpf), and the peak
 * heap uebpf's verifier held (bytes malloc'd during verify_program,
 * counted on a separate load by the bench's malloc wrappers). The
 * kernel's memory is not reported: the kernel does not say it.
 *
 * --verify loads each program once on each side and checks the
 * verdicts: generated programs must be accepted by both with the same
 * processed count; object programs must not be accepted by uebpf when
 * the kernel's verifier refuses them (programs needing what uebpf
 * lacks, and those the kernel's environment refuses before verifying,
 * are SKIP). Exits 77 when bpf() is refused. Timings are never checked.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bench_util.h"
#include "uebpf/maps.h"
#include "uebpf/object.h"
#include "verifier/verifier.h"

#define MAX_RUNS 64
#define LOG_SIZE (1u << 20)
/* The default set takes this many of the largest corpus programs. */
#define CORPUS_TOP 12

static int quick, json, verify, no_builtin, no_kernel, runs = 5;
static const char *filter;
static char *log_buf;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The number after `key` in a log, or -1. */
static long log_number(const char *log, const char *key)
{
	const char *at = strstr(log, key);
	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* ---- what one side measured ---- */

struct measure {
	bool done;
	int err;                  /* 0: accepted, else -errno */
	double load_ns;           /* median wall time of a load */
	double verify_ns;         /* median of the verifier's own time */
	long insns, states, peak_states;
	long peak_kib;            /* uebpf: the verifier's peak heap */
	char reason[256];         /* the last line of the log, on rejection */
};

/* The last non-statistics line of a log. */
static void log_reason(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log);
	out[0] = '\0';
	while (end > log) {
		while (end > log && end[-1] == '\n')
			end--;
		const char *start = end;
		while (start > log && start[-1] != '\n')
			start--;
		if (end > start && strncmp(start, "processed ", 10) &&
		    strncmp(start, "verification time", 17) && strncmp(start, "stack depth", 11)) {
			snprintf(out, size, "%.*s", (int)(end - start), start);
			return;
		}
		end = start;
	}
}

/* ---- heap accounting (the bench is linked with --wrap=malloc...) ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);

static bool heap_counting;
static long heap_cur, heap_peak;

static void heap_add(void *p)
{
	if (heap_counting && p) {
		heap_cur += (long)malloc_usable_size(p);
		if (heap_cur > heap_peak)
			heap_peak = heap_cur;
	}
}

void *__wrap_malloc(size_t size)
{
	void *p = __real_malloc(size);
	heap_add(p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);
	heap_add(p);
	return p;
}

void *__wrap_realloc(void *old, size_t size)
{
	if (heap_counting && old)
		heap_cur -= (long)malloc_usable_size(old);
	void *p = __real_realloc(old, size);
	heap_add(p ? p : old);
	return p;
}

void __wrap_free(void *p)
{
	if (heap_counting && p)
		heap_cur -= (long)malloc_usable_size(p);
	__real_free(p);
}

/* ---- uebpf: prog_load and verify_program, wrapped ---- */

struct prog_load_extra;
int __real_prog_load(enum bpf_prog_type type, const char *name, const char *license,
		     const struct uebpf_insn *insns, size_t insn_cnt,
		     const struct uebpf_prog_load_opts *opts, const struct prog_load_extra *extra);
int __real_verify_program(const struct uebpf_insn *insns, size_t cnt,
			  const struct verifier_opts *opts, struct uebpf_insn **out,
			  size_t *out_cnt, struct verifier_stats *stats);

static struct verifier_stats last_vstats;
static bool last_vstats_set, heap_count_next;

int __wrap_verify_program(const struct uebpf_insn *insns, size_t cnt,
			  const struct verifier_opts *opts, struct uebpf_insn **out,
			  size_t *out_cnt, struct verifier_stats *stats)
{
	struct verifier_stats s;
	if (heap_count_next) {
		heap_cur = heap_peak = 0;
		heap_counting = true;
	}
	int err = __real_verify_program(insns, cnt, opts, out, out_cnt, &s);
	heap_counting = false;
	if (stats)
		*stats = s;
	last_vstats = s;
	last_vstats_set = true;
	return err;
}

/* Set while an object program is loaded: the name of the program to
 * measure, and where. */
static const char *uebpf_target;
static struct measure *uebpf_out;

static void uebpf_measure(enum bpf_prog_type type, const char *name, const char *license,
			  const struct uebpf_insn *insns, size_t cnt,
			  const struct uebpf_prog_load_opts *opts,
			  const struct prog_load_extra *extra, struct measure *m)
{
	struct uebpf_prog_load_opts o = { .sz = sizeof(o) };
	double t[MAX_RUNS], v[MAX_RUNS];
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	o.sz = sizeof(o);
	o.log_buf = NULL;
	o.log_size = 0;
	o.log_level = 0;

	/* The statistics and the reason: one load with the log. */
	struct uebpf_prog_load_opts ol = o;
	ol.log_buf = log_buf;
	ol.log_size = LOG_SIZE;
	ol.log_level = 4;
	log_buf[0] = '\0';
	last_vstats_set = false;
	int fd = __real_prog_load(type, name, license, insns, cnt, &ol, extra);
	m->err = fd < 0 ? fd : 0;
	if (fd >= 0)
		uebpf_prog_close(fd);
	else
		log_reason(log_buf, m->reason, sizeof(m->reason));
	m->insns = last_vstats_set ? (long)last_vstats.insn_processed : -1;
	m->states = last_vstats_set ? (long)last_vstats.total_states : -1;
	m->peak_states = last_vstats_set ? (long)last_vstats.peak_states : -1;

	/* The verifier's peak heap: one more load, counted inside
	 * verify_program only. */
	if (!verify) {
		heap_count_next = true;
		fd = __real_prog_load(type, name, license, insns, cnt, &o, extra);
		heap_count_next = false;
		if (fd >= 0)
			uebpf_prog_close(fd);
		m->peak_kib = (heap_peak + 1023) / 1024;
	} else {
		m->peak_kib = -1;
	}

	int n = verify ? 0 : runs;
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		fd = __real_prog_load(type, name, license, insns, cnt, &o, extra);
		t[i] = (double)(now_ns() - t0);
		v[i] = last_vstats_set ? (double)last_vstats.time_ns : 0;
		if (fd >= 0)
			uebpf_prog_close(fd);
	}
	m->load_ns = n ? bench_median(t, n) : -1;
	m->verify_ns = n ? bench_median(v, n) : -1;
	m->done = true;
}

/* The object loader's call of the program being measured: measured
 * there, with what the loader built, then done for the loader. */
int __wrap_prog_load(enum bpf_prog_type type, const char *name, const char *license,
		     const struct uebpf_insn *insns, size_t insn_cnt,
		     const struct uebpf_prog_load_opts *opts, const struct prog_load_extra *extra)
{
	if (uebpf_target && uebpf_out && !uebpf_out->done && name &&
	    !strcmp(name, uebpf_target))
		uebpf_measure(type, name, license, insns, insn_cnt, opts, extra, uebpf_out);
	return __real_prog_load(type, name, license, insns, insn_cnt, opts, extra);
}

/* ---- the kernel: libbpf's bpf_prog_load, wrapped ---- */

int __real_bpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
			 const struct bpf_insn *insns, size_t cnt, struct bpf_prog_load_opts *opts);

static const char *kernel_target;
static struct measure *kernel_out;

static void kernel_measure(enum bpf_prog_type type, const char *name, const char *license,
			   const struct bpf_insn *insns, size_t cnt,
			   const struct bpf_prog_load_opts *opts, struct measure *m)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	double t[MAX_RUNS];
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	o.sz = sizeof(o);
	o.log_buf = log_buf;
	o.log_size = LOG_SIZE;
	o.log_level = 4;
	log_buf[0] = '\0';
	int fd = __real_bpf_prog_load(type, name, license, insns, cnt, &o);
	m->err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	else
		log_reason(log_buf, m->reason, sizeof(m->reason));
	m->insns = log_number(log_buf, "processed ");
	m->states = log_number(log_buf, "total_states ");
	m->peak_states = log_number(log_buf, "peak_states ");
	m->peak_kib = -1;
	long vt_us = log_number(log_buf, "verification time ");

	o.log_buf = NULL;
	o.log_size = 0;
	o.log_level = 0;
	int n = verify ? 0 : runs;
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		fd = __real_bpf_prog_load(type, name, license, insns, cnt, &o);
		t[i] = (double)(now_ns() - t0);
		if (fd >= 0)
			close(fd);
	}
	/* The verification time only comes with the log: its one figure,
	 * from the statistics load. */
	m->load_ns = n ? bench_median(t, n) : -1;
	m->verify_ns = n && vt_us >= 0 ? (double)vt_us * 1000 : -1;
	m->done = true;
}

int __wrap_bpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
			 const struct bpf_insn *insns, size_t cnt, struct bpf_prog_load_opts *opts)
{
	if (kernel_target && kernel_out && !kernel_out->done && name &&
	    !strcmp(name, kernel_target))
		kernel_measure(type, name, license, insns, cnt, opts, kernel_out);
	return __real_bpf_prog_load(type, name, license, insns, cnt, opts);
}

/* ---- generated programs ---- */

struct gen {
	struct bpf_insn *v;
	size_t n, cap;
	int map_fd[2]; /* an array map and a hash map of this side */
};

static void emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 1024;
		g->v = realloc(g->v, g->cap * sizeof(*g->v));
		if (!g->v) {
			perror("realloc");
			exit(2);
		}
	}
	g->v[g->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					  .off = off, .imm = imm };
}

/* A few shapes, named as in the kernel's filter.h. */
#define ALU64_IMM(g, op, d, i) emit(g, BPF_ALU64 | BPF_K | (op), d, 0, 0, i)
#define ALU64_REG(g, op, d, s) emit(g, BPF_ALU64 | BPF_X | (op), d, s, 0, 0)
#define ALU32_IMM(g, op, d, i) emit(g, BPF_ALU | BPF_K | (op), d, 0, 0, i)
#define MOV64_IMM(g, d, i) ALU64_IMM(g, BPF_MOV, d, i)
#define MOV64_REG(g, d, s) ALU64_REG(g, BPF_MOV, d, s)
#define LDX(g, sz, d, s, o) emit(g, BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(g, sz, d, s, o) emit(g, BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(g, sz, d, o, i) emit(g, BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define JMP_IMM(g, op, d, i, o) emit(g, BPF_JMP | BPF_K | (op), d, 0, o, i)
#define JMP_REG(g, op, d, s, o) emit(g, BPF_JMP | BPF_X | (op), d, s, o, 0)
#define CALL(g, id) emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define CALL_LOCAL(g, rel) emit(g, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
#define EXIT(g) emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static void ld_imm64(struct gen *g, uint8_t dst, uint8_t src, int32_t imm)
{
	emit(g, BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, imm);
	emit(g, 0, 0, 0, 0, 0);
}

/* r0 = XDP_PASS; exit */
static void pass_exit(struct gen *g)
{
	MOV64_IMM(g, 0, 2);
	EXIT(g);
}

/* Straight-line ALU and stack work, n instructions. */
static void gen_straight(struct gen *g, long n)
{
	MOV64_IMM(g, 6, 1);
	MOV64_IMM(g, 7, 3);
	for (long i = 0; (long)g->n < n - 2; i++) {
		switch (i % 8) {
		case 0: ALU64_IMM(g, BPF_ADD, 6, (int32_t)(i & 0xfff)); break;
		case 1: ALU64_REG(g, BPF_XOR, 7, 6); break;
		case 2: STX(g, BPF_DW, 10, 6, (int16_t)(-8 * (1 + (i / 8) % 32))); break;
		case 3: LDX(g, BPF_DW, 8, 10, (int16_t)(-8 * (1 + (i / 8) % 32))); break;
		case 4: ALU64_REG(g, BPF_ADD, 6, 8); break;
		case 5: ALU32_IMM(g, BPF_LSH, 7, 3); break;
		case 6: ALU64_REG(g, BPF_SUB, 6, 7); break;
		case 7: ALU64_IMM(g, BPF_AND, 6, 0xffff); break;
		}
	}
	pass_exit(g);
}

/* n diamonds on a number the verifier does not know (the receiving
 * interface): two paths join after each, which pruning folds into one. */
static void gen_diamonds(struct gen *g, long n)
{
	MOV64_REG(g, 6, 1);
	MOV64_IMM(g, 7, 0);
	for (long i = 0; i < n; i++) {
		LDX(g, BPF_W, 2, 6, 12); /* ingress_ifindex */
		JMP_IMM(g, BPF_JGT, 2, (int32_t)i, 1);
		ALU64_IMM(g, BPF_ADD, 7, 1);
	}
	pass_exit(g);
}

/* A loop of n rounds the verifier walks round by round. */
static void gen_loop(struct gen *g, long n)
{
	MOV64_IMM(g, 1, 0);
	MOV64_IMM(g, 6, 0);
	ALU64_REG(g, BPF_ADD, 6, 1);          /* L: */
	ALU64_IMM(g, BPF_XOR, 6, 0x5a5a);
	ALU64_IMM(g, BPF_ADD, 1, 1);
	JMP_IMM(g, BPF_JLT, 1, (int32_t)n, -4); /* goto L */
	pass_exit(g);
}

/* main calls f1 n times; f1 calls f2 ... f7 (8 frames with main); f7
 * does some work on its argument. */
static void gen_calls(struct gen *g, long n)
{
	enum { DEPTH = 7, LEAF = 16 };
	/* main: n calls, then exit; each call is 2 instructions. */
	size_t main_len = (size_t)n * 2 + 3;
	size_t f1 = main_len;
	MOV64_IMM(g, 6, 0);
	for (long i = 0; i < n; i++) {
		MOV64_IMM(g, 1, (int32_t)i);
		CALL_LOCAL(g, (int32_t)(f1 - g->n - 1));
	}
	pass_exit(g);
	/* f1..f6: r1 += k; call the next; r0 += 1; exit */
	for (int d = 1; d < DEPTH; d++) {
		ALU64_IMM(g, BPF_ADD, 1, d);
		CALL_LOCAL(g, 2); /* the next function starts 4 after this one's start */
		ALU64_IMM(g, BPF_ADD, 0, 1);
		EXIT(g);
	}
	/* f7 */
	MOV64_REG(g, 0, 1);
	for (int i = 0; i < LEAF; i++)
		i % 2 ? ALU64_IMM(g, BPF_XOR, 0, 0x1234 + i) : ALU64_IMM(g, BPF_MUL, 0, 3);
	EXIT(g);
}

/* n bounds checks of a growing packet prefix, each followed by a read
 * and a branch on it. */
static void gen_pkt_parse(struct gen *g, long n)
{
	size_t body = 7, out = 3 + (size_t)n * body;
	LDX(g, BPF_W, 2, 1, 0); /* data */
	LDX(g, BPF_W, 3, 1, 4); /* data_end */
	MOV64_IMM(g, 7, 0);
	for (long i = 0; i < n; i++) {
		int16_t off = (int16_t)(8 * (i % 4000));
		MOV64_REG(g, 4, 2);
		ALU64_IMM(g, BPF_ADD, 4, off + 8);
		JMP_REG(g, BPF_JGT, 4, 3, (int16_t)(out - g->n - 1));
		LDX(g, BPF_B, 5, 2, off);
		JMP_IMM(g, BPF_JEQ, 5, 0x45, 1);
		ALU64_IMM(g, BPF_ADD, 7, 1);
		ALU64_REG(g, BPF_ADD, 7, 5);
	}
	pass_exit(g);
}

/* n map lookups, alternating an array and a hash map, each checked for
 * NULL and a counter of the value incremented. */
static void gen_maps(struct gen *g, long n)
{
	for (long i = 0; i < n; i++) {
		ST(g, BPF_W, 10, -4, (int32_t)(i % 16));
		ld_imm64(g, 1, BPF_PSEUDO_MAP_FD, g->map_fd[i % 2]);
		MOV64_REG(g, 2, 10);
		ALU64_IMM(g, BPF_ADD, 2, -4);
		CALL(g, BPF_FUNC_map_lookup_elem);
		JMP_IMM(g, BPF_JEQ, 0, 0, 3);
		LDX(g, BPF_DW, 1, 0, (int16_t)(8 * (i % 8)));
		ALU64_IMM(g, BPF_ADD, 1, 1);
		STX(g, BPF_DW, 0, 1, (int16_t)(8 * (i % 8)));
	}
	pass_exit(g);
}

struct gen_prog {
	const char *name;
	void (*fn)(struct gen *g, long n);
	long n;
	bool maps;
	const char *what;
};

static const struct gen_prog gen_progs[] = {
	{ "straight_100k", gen_straight, 100000, false, "100k ALU/stack instructions" },
	{ "straight_900k", gen_straight, 900000, false, "900k ALU/stack instructions" },
	{ "diamonds_1k", gen_diamonds, 1000, false, "1k diamonds on an unknown number" },
	/* 8k: the kernel keeps at most 8192 branches pending on one path. */
	{ "diamonds_8k", gen_diamonds, 8000, false, "8k diamonds on an unknown number" },
	{ "loop_1k", gen_loop, 1000, false, "a loop of 1000 rounds" },
	{ "loop_100k", gen_loop, 100000, false, "a loop of 100000 rounds" },
	{ "calls_8deep_100", gen_calls, 100, false, "100 call chains 8 frames deep" },
	{ "calls_8deep_1k", gen_calls, 1000, false, "1000 call chains 8 frames deep" },
	{ "pkt_parse_1k", gen_pkt_parse, 1000, false, "1000 packet bounds checks and reads" },
	{ "pkt_parse_4k", gen_pkt_parse, 4000, false, "4000 packet bounds checks and reads" },
	{ "maps_1k", gen_maps, 1000, true, "1000 array/hash lookups, NULL checks" },
};
#define NGEN (sizeof(gen_progs) / sizeof(gen_progs[0]))

/* ---- one program on both sides ---- */

struct row {
	char name[160];
	const char *what;
	bool generated;
	struct measure k, u;
	bool k_ok; /* the kernel side ran (bpf() allowed) */
};

static int kernel_maps[2] = { -1, -1 }, uebpf_maps[2] = { -1, -1 };

static void run_generated(const struct gen_prog *p, bool kernel_ok, struct row *r)
{
	snprintf(r->name, sizeof(r->name), "%s", p->name);
	r->what = p->what;
	r->generated = true;
	for (int side = 0; side < 2; side++) {
		bool kernel = side == 0;
		if (kernel && !kernel_ok)
			continue;
		struct gen g = { 0 };
		int *fds = kernel ? kernel_maps : uebpf_maps;
		g.map_fd[0] = fds[0];
		g.map_fd[1] = fds[1];
		p->fn(&g, p->n);
		if (kernel) {
			LIBBPF_OPTS(bpf_prog_load_opts, o);
			kernel_measure(BPF_PROG_TYPE_XDP, "vbench", "GPL", g.v, g.n, &o, &r->k);
		} else {
			struct uebpf_prog_load_opts o = { .sz = sizeof(o) };
			uebpf_measure(BPF_PROG_TYPE_XDP, "vbench", "GPL",
				      (const struct uebpf_insn *)g.v, g.n, &o, NULL, &r->u);
		}
		free(g.v);
	}
	r->k_ok = kernel_ok;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static char bpffs_pin_dir[64];
/* On tmpfs, as uebpf's default pin directory (/dev/shm/uebpf): the
 * program records live there too. */
static char uebpf_pin_dir[] = "/dev/shm/uebpf-vbench-XXXXXX";

/* Removes what the last load pinned. */
static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno == EISDIR) {
			empty_dir(path);
			rmdir(path);
		}
	}
	closedir(d);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Program prog of the object at path, loaded alone on each side. */
static void run_object_prog(const char *path, const char *prog_name, bool kernel_ok,
			    struct row *r)
{
	snprintf(r->name, sizeof(r->name), "%s:%s", base_name(path), prog_name);
	r->what = NULL;
	r->k_ok = kernel_ok;
	if (kernel_ok) {
		LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = bpffs_pin_dir);
		struct bpf_object *obj = bpf_object__open_file(path, &oo);
		struct bpf_program *p, *prog = NULL;
		if (obj) {
			bpf_object__for_each_program(p, obj) {
				bool me = !strcmp(bpf_program__name(p), prog_name);
				bpf_program__set_autoload(p, me);
				if (me)
					prog = p;
			}
		}
		if (prog) {
			kernel_target = prog_name;
			kernel_out = &r->k;
			int err = bpf_object__load(obj);
			kernel_target = NULL;
			kernel_out = NULL;
			if (!r->k.done) {
				r->k.err = err ? err : -EINVAL;
				snprintf(r->k.reason, sizeof(r->k.reason),
					 "libbpf did not reach BPF_PROG_LOAD (%s)", strerror(-r->k.err));
			}
		} else {
			r->k.err = -ENOENT;
			snprintf(r->k.reason, sizeof(r->k.reason), "libbpf cannot open it");
		}
		bpf_object__close(obj);
		empty_dir(bpffs_pin_dir);
	}

	static char err_buf[1024];
	struct uebpf_object_open_opts uo = { .sz = sizeof(uo), .err_buf = err_buf,
					     .err_size = sizeof(err_buf) };
	err_buf[0] = '\0';
	struct uebpf_object *obj = uebpf_object_open_file(path, &uo);
	struct uebpf_program *p, *prog = NULL;
	if (obj) {
		uebpf_object_for_each_program(p, obj) {
			bool me = !strcmp(uebpf_program_name(p), prog_name);
			uebpf_program_set_autoload(p, me);
			if (me)
				prog = p;
		}
	}
	if (prog) {
		uebpf_target = prog_name;
		uebpf_out = &r->u;
		int err = uebpf_object_load(obj);
		uebpf_target = NULL;
		uebpf_out = NULL;
		if (!r->u.done) {
			r->u.err = err ? err : -EINVAL;
			err_buf[strcspn(err_buf, "\n")] = '\0';
			snprintf(r->u.reason, sizeof(r->u.reason), "%.255s", err_buf);
		}
	} else {
		r->u.err = -ENOENT;
		err_buf[strcspn(err_buf, "\n")] = '\0';
		snprintf(r->u.reason, sizeof(r->u.reason), "%.255s",
			 err_buf[0] ? err_buf : "uebpf cannot open it");
	}
	if (obj)
		uebpf_object_close(obj);
	empty_dir(uebpf_pin_dir);
}

/* ---- the object programs to measure ---- */

struct objprog {
	char *path, *name;
	size_t insns;
	bool given; /* from the command line: always measured */
};

static struct objprog *objprogs;
static size_t nr_objprogs;

static void add_object(const char *path, bool given)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	if (!obj) {
		if (given)
			fprintf(stderr, "uebpf-verify-bench: libbpf cannot open %s\n", path);
		return;
	}
	bpf_object__for_each_program(p, obj) {
		objprogs = realloc(objprogs, (nr_objprogs + 1) * sizeof(*objprogs));
		if (!objprogs) {
			perror("realloc");
			exit(2);
		}
		objprogs[nr_objprogs++] = (struct objprog){
			.path = strdup(path), .name = strdup(bpf_program__name(p)),
			.insns = bpf_program__insn_cnt(p), .given = given,
		};
	}
	bpf_object__close(obj);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An object, or every *.o of a directory, in name order. */
static void add_path(const char *path, bool given)
{
	struct stat st;
	if (stat(path, &st)) {
		if (given)
			fprintf(stderr, "uebpf-verify-bench: %s: %s\n", path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		add_object(path, given);
		return;
	}
	DIR *d = opendir(path);
	struct dirent *e;
	char **paths = NULL;
	size_t cnt = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".o"))
			continue;
		paths = realloc(paths, (cnt + 1) * sizeof(*paths));
		if (!paths || asprintf(&paths[cnt], "%s/%s", path, e->d_name) < 0) {
			perror("realloc");
			exit(2);
		}
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(paths, cnt, sizeof(*paths), cmp_str);
	for (size_t i = 0; i < cnt; i++) {
		add_object(paths[i], given);
		free(paths[i]);
	}
	free(paths);
}

static int cmp_objprog_size(const void *a, const void *b)
{
	const struct objprog *x = a, *y = b;
	return (x->insns < y->insns) - (x->insns > y->insns);
}

/* ---- output ---- */

static double per_insn(const struct measure *m)
{
	return m->done && m->load_ns > 0 && m->insns > 0 ? m->load_ns / (double)m->insns : -1;
}

static void fmt_num(char *buf, size_t size, double v, const char *fmt)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, fmt, v);
}

static void json_num(const char *key, double v, const char *fmt)
{
	printf(", \"%s\": ", key);
	if (v < 0)
		printf("null");
	else
		printf(fmt, v);
}

static void print_header(void)
{
	printf("%-34s %8s %8s %7s %10s %10s %7s %7s %6s %8s %8s %8s\n", "program", "k insns",
	       "u insns", "u states", "kernel us", "uebpf us", "k ns/i", "u ns/i", "u/k",
	       "k vt us", "u vt us", "u KiB");
}

static void print_row(const struct row *r, double ratio)
{
	const struct measure *k = &r->k, *u = &r->u;
	if (json) {
		printf("{\"program\": \"%s\", \"generated\": %s", r->name,
		       r->generated ? "true" : "false");
		printf(", \"kernel_verdict\": ");
		r->k_ok ? printf("\"%s\"", k->err ? "reject" : "accept") : printf("null");
		printf(", \"uebpf_verdict\": \"%s\"", u->err ? "reject" : "accept");
		json_num("kernel_insns", r->k_ok ? (double)k->insns : -1, "%.0f");
		json_num("uebpf_insns", (double)u->insns, "%.0f");
		json_num("kernel_states", r->k_ok ? (double)k->states : -1, "%.0f");
		json_num("uebpf_states", (double)u->states, "%.0f");
		json_num("uebpf_peak_states", (double)u->peak_states, "%.0f");
		json_num("kernel_load_ns", r->k_ok ? k->load_ns : -1, "%.0f");
		json_num("uebpf_load_ns", u->load_ns, "%.0f");
		json_num("kernel_ns_per_insn", r->k_ok ? per_insn(k) : -1, "%.1f");
		json_num("uebpf_ns_per_insn", per_insn(u), "%.1f");
		json_num("ratio", ratio, "%.3f");
		json_num("kernel_verification_ns", r->k_ok ? k->verify_ns : -1, "%.0f");
		json_num("uebpf_verification_ns", u->verify_ns, "%.0f");
		json_num("uebpf_peak_kib", (double)u->peak_kib, "%.0f");
		printf("}\n");
		return;
	}
	char ki[16], ui[16], us[16], kt[16], ut[16], kp[16], up[16], rt[16], kv[16], uv[16],
		mem[16];
	fmt_num(ki, sizeof(ki), r->k_ok ? (double)k->insns : -1, "%.0f");
	fmt_num(ui, sizeof(ui), (double)u->insns, "%.0f");
	fmt_num(us, sizeof(us), (double)u->states, "%.0f");
	fmt_num(kt, sizeof(kt), r->k_ok && k->load_ns > 0 ? k->load_ns / 1e3 : -1, "%.0f");
	fmt_num(ut, sizeof(ut), u->load_ns > 0 ? u->load_ns / 1e3 : -1, "%.0f");
	fmt_num(kp, sizeof(kp), r->k_ok ? per_insn(k) : -1, "%.1f");
	fmt_num(up, sizeof(up), per_insn(u), "%.1f");
	fmt_num(rt, sizeof(rt), ratio, "%.2f");
	fmt_num(kv, sizeof(kv), r->k_ok && k->verify_ns >= 0 ? k->verify_ns / 1e3 : -1, "%.0f");
	fmt_num(uv, sizeof(uv), u->verify_ns >= 0 ? u->verify_ns / 1e3 : -1, "%.0f");
	fmt_num(mem, sizeof(mem), (double)u->peak_kib, "%.0f");
	printf("%-34.34s %8s %8s %7s %10s %10s %7s %7s %6s %8s %8s %8s\n", r->name, ki, ui, us,
	       kt, ut, kp, up, rt, kv, uv, mem);
	if (r->k_ok && k->err && !u->err)
		printf("    kernel rejects: %s\n", k->reason);
	if (u->err && (!r->k_ok || !k->err))
		printf("    uebpf rejects: %.200s\n", u->reason);
	if (u->err && r->k_ok && k->err)
		printf("    both reject: kernel: %.100s; uebpf: %.100s\n", k->reason, u->reason);
}

/* Whether the kernel's refusal is its verifier's (as
 * tests/verifier/corpus_test.c tells them apart): BPF_PROG_LOAD was
 * reached and failed with a verifier's errno, not on what libbpf could
 * not relocate (its poisoned helper, map and kfunc numbers). */
static bool kernel_verifier_reject(const struct measure *k)
{
	if (!k->done)
		return false;
	if (k->err != -EACCES && k->err != -EINVAL && k->err != -E2BIG && k->err != -ENOSPC)
		return false;
	return !strstr(k->reason, "195896080") && !strstr(k->reason, "2001000") &&
	       !strstr(k->reason, "2002000");
}

/* --verify: the verdicts. Returns 1 for a failure, 0 otherwise; *skip
 * when uebpf lacks what the program needs. */
static int check_row(const struct row *r, bool *skip)
{
	const struct measure *k = &r->k, *u = &r->u;
	*skip = false;
	if (r->generated) {
		bool same = !k->err && !u->err && k->insns == u->insns;
		printf("%s %s: kernel %s %ld insns, uebpf %s %ld insns, %ld states\n",
		       same ? "PASS" : "FAIL", r->name, k->err ? "rejects" : "accepts", k->insns,
		       u->err ? "rejects" : "accepts", u->insns, u->states);
		if (u->err)
			printf("    uebpf: %s\n", u->reason);
		if (k->err)
			printf("    kernel: %s\n", k->reason);
		return !same;
	}
	if (k->err && !u->err && !kernel_verifier_reject(k)) {
		*skip = true;
		printf("SKIP %s: uebpf accepts, the kernel's environment refuses it (errno %d): %s\n",
		       r->name, -k->err, k->reason);
		return 0;
	}
	if (k->err && !u->err) {
		printf("FAIL %s: uebpf accepts, the kernel rejects: %s\n", r->name, k->reason);
		return 1;
	}
	if (!k->err && u->err) {
		*skip = true;
		printf("SKIP %s: kernel accepts (%ld insns), uebpf rejects: %.200s\n", r->name,
		       k->insns, u->reason);
		return 0;
	}
	printf("PASS %s: both %s, processed kernel %ld, uebpf %ld\n", r->name,
	       k->err ? "reject" : "accept", k->insns, u->insns);
	return 0;
}

/* Is bpf() there for us? */
static bool kernel_available(char *why, size_t size)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);
	if (fd < 0) {
		snprintf(why, size, "bpf(BPF_MAP_CREATE) is refused (%s)", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static void machine_line(bool kernel_ok, const char *why)
{
	struct utsname un;
	char jit[16];
	bench_jit_setting(jit, sizeof(jit));
	uname(&un);
	if (json) {
		printf("{\"machine\": {\"kernel\": \"%s\", \"bpf_jit_enable\": \"%s\", "
		       "\"kernel_columns\": %s, \"runs\": %d}}\n",
		       un.release, jit, kernel_ok ? "true" : "false", runs);
		return;
	}
	printf("uebpf-verify-bench: median wall time of %d program loads per side "
	       "(kernel: BPF_PROG_LOAD, log off; uebpf: its prog_load); kernel %s (JIT: "
	       "bpf_jit_enable %s)\n", runs, un.release, jit);
	printf("insns: processed instructions (kernel: its log at level 4); ns/i: load time per "
	       "processed instruction; u/k: uebpf/kernel load time;\nvt: the verifier's own time "
	       "(kernel: its \"verification time\"); u KiB: peak heap of uebpf's verifier\n");
	if (!kernel_ok)
		printf("kernel columns skipped: %s\n", why);
	printf("\n");
}

static void cleanup(double *ratios, const char **names, int nratios)
{
	for (int i = 0; i < nratios; i++)
		free((char *)names[i]);
	free(names);
	free(ratios);
	for (size_t i = 0; i < nr_objprogs; i++) {
		free(objprogs[i].path);
		free(objprogs[i].name);
	}
	free(objprogs);
	free(log_buf);
	for (int i = 0; i < 2; i++) {
		if (kernel_maps[i] >= 0)
			close(kernel_maps[i]);
		if (uebpf_maps[i] >= 0)
			uebpf_map_close(uebpf_maps[i]);
	}
}

static const char *default_dirs[] = {
#ifdef VBENCH_OBJECT_DIRS
	VBENCH_OBJECT_DIRS
#endif
	NULL,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "verify", no_argument, NULL, 'v' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "runs", required_argument, NULL, 'n' },
		{ "no-builtin", no_argument, NULL, 'B' },
		{ "no-kernel", no_argument, NULL, 'K' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "jn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quick = 1; break;
		case 'v': verify = 1; break;
		case 'f': filter = optarg; break;
		case 'j': json = 1; break;
		case 'n': runs = atoi(optarg); break;
		case 'B': no_builtin = 1; break;
		case 'K': no_kernel = 1; break;
		default:
			fprintf(stderr, "usage: uebpf-verify-bench [--quick] [--verify] [--filter NAME] "
				"[-j] [-n RUNS] [--no-builtin] [--no-kernel] [OBJECT.o | DIR]...\n");
			return 2;
		}
	}
	if (quick)
		runs = 1;
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "uebpf-verify-bench: -n takes 1 to %d\n", MAX_RUNS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_quiet);
	log_buf = malloc(LOG_SIZE);
	if (!log_buf)
		return 2;

	char why[256] = "--no-kernel";
	bool kernel_ok = !no_kernel && kernel_available(why, sizeof(why));
	if (verify && !kernel_ok) {
		printf("skipped: %s\n", why);
		return 77;
	}
	if (!mkdtemp(uebpf_pin_dir)) {
		perror("mkdtemp");
		return 2;
	}
	setenv(UEBPF_PIN_DIR_ENV, uebpf_pin_dir, 1);
	snprintf(bpffs_pin_dir, sizeof(bpffs_pin_dir), "/sys/fs/bpf/uebpf-vbench-%d", getpid());
	if (kernel_ok)
		mkdir(bpffs_pin_dir, 0700);

	/* The maps of the generated programs, alike on both sides. */
	if (kernel_ok) {
		kernel_maps[0] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vb_array", 4, 64, 16, NULL);
		kernel_maps[1] = bpf_map_create(BPF_MAP_TYPE_HASH, "vb_hash", 4, 64, 1024, NULL);
	}
	uebpf_maps[0] = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "vb_array", 4, 64, 16, NULL);
	uebpf_maps[1] = uebpf_map_create(BPF_MAP_TYPE_HASH, "vb_hash", 4, 64, 1024, NULL);

	/* The object programs: the given ones all; by default the bench's
	 * own objects, then the largest of the project's and the system's. */
	if (!no_builtin) {
		add_path(VBENCH_PROG_DIR, true);
		add_path(BENCH_PKT_PROG_DIR, true);
		size_t first = nr_objprogs;
		for (size_t i = 0; default_dirs[i]; i++)
			add_path(default_dirs[i], false);
		qsort(objprogs + first, nr_objprogs - first, sizeof(*objprogs), cmp_objprog_size);
		/* One entry per size: the corpus builds some programs
		 * several times (ISA versions, names of one source). */
		size_t kept = first, i = first;
		for (; i < nr_objprogs && kept - first < CORPUS_TOP; i++) {
			bool dup = false;
			for (size_t j = first; j < kept; j++)
				dup |= objprogs[j].insns == objprogs[i].insns;
			if (dup) {
				free(objprogs[i].path);
				free(objprogs[i].name);
				continue;
			}
			objprogs[kept++] = objprogs[i];
		}
		for (; i < nr_objprogs; i++) {
			free(objprogs[i].path);
			free(objprogs[i].name);
		}
		nr_objprogs = kept;
	}
	for (int i = optind; i < argc; i++)
		add_path(argv[i], true);

	if (!verify) {
		machine_line(kernel_ok, why);
		if (!json)
			print_header();
	}
	size_t total = (no_builtin ? 0 : NGEN) + nr_objprogs;
	double *ratios = calloc(total + 1, sizeof(double));
	const char **names = calloc(total + 1, sizeof(char *));
	int nratios = 0, failures = 0, skipped = 0, shown = 0;
	struct row r;
	for (size_t i = 0; i < total; i++) {
		bool gen = !no_builtin && i < NGEN;
		const char *name = gen ? gen_progs[i].name : objprogs[i - (no_builtin ? 0 : NGEN)].name;
		if (filter && !strstr(name, filter))
			continue;
		shown++;
		memset(&r, 0, sizeof(r));
		r.u.peak_kib = r.k.peak_kib = -1;
		if (gen) {
			run_generated(&gen_progs[i], kernel_ok, &r);
		} else {
			const struct objprog *o = &objprogs[i - (no_builtin ? 0 : NGEN)];
			run_object_prog(o->path, o->name, kernel_ok, &r);
		}
		if (verify) {
			bool skip;
			failures += check_row(&r, &skip);
			skipped += skip;
			continue;
		}
		double ratio = -1;
		if (r.k_ok && !r.k.err && !r.u.err && r.k.load_ns > 0 && r.u.load_ns > 0) {
			ratio = r.u.load_ns / r.k.load_ns;
			names[nratios] = strdup(r.name);
			ratios[nratios++] = ratio;
		}
		print_row(&r, ratio);
	}
	if (shown == 0) {
		fprintf(stderr, "uebpf-verify-bench: no program matches '%s'\n", filter);
		rmdir(uebpf_pin_dir);
		rmdir(bpffs_pin_dir);
		cleanup(ratios, names, nratios);
		return 2;
	}
	if (verify) {
		printf("verification bench programs: %d passed, %d failed, %d skipped "
		       "(uebpf lacks what they need, or the kernel's environment refuses them)\n",
		       shown - failures - skipped, failures, skipped);
		empty_dir(uebpf_pin_dir);
		rmdir(uebpf_pin_dir);
		rmdir(bpffs_pin_dir);
		cleanup(ratios, names, nratios);
		return failures ? 1 : 0;
	}
	if (nratios) {
		int worst = 0, over = 0;
		double logs = 0, *copy = calloc((size_t)nratios, sizeof(double));
		for (int i = 0; i < nratios; i++) {
			copy[i] = ratios[i];
			logs += log(ratios[i]);
			if (ratios[i] > ratios[worst])
				worst = i;
			over += ratios[i] > 1;
		}
		double med = bench_median(copy, nratios), geo = exp(logs / nratios);
		if (json)
			printf("{\"summary\": {\"programs\": %d, \"median_ratio\": %.3f, "
			       "\"geomean_ratio\": %.3f, \"worst_ratio\": %.3f, \"worst_program\": "
			       "\"%s\", \"slower_than_kernel\": %d}}\n",
			       nratios, med, geo, ratios[worst], names[worst], over);
		else
			printf("\nuebpf/kernel load time over %d programs both accept: median %.2f, "
			       "geometric mean %.2f, worst %.2f (%s); %d slower than the kernel\n",
			       nratios, med, geo, ratios[worst], names[worst], over);
		free(copy);
	}
	empty_dir(uebpf_pin_dir);
	rmdir(uebpf_pin_dir);
	rmdir(bpffs_pin_dir);
	cleanup(ratios, names, nratios);
	return 0;
}
