/* SPDX-License-Identifier: MIT */
/*
 * uebpf-bench: runs each benchmark program many times in each engine and
 * prints ns per run (median of several timed batches), ns per executed
 * instruction, and ratios. Engines are rows of a table, so adding one
 * (the JIT, the kernel through BPF_PROG_TEST_RUN) is adding a row.
 *
 *   uebpf-bench [--quick] [--verify] [--filter NAME] [--input FILE] [-j]
 *
 * --verify only checks that every engine computes what the natively
 * compiled C computes (used by the test suite; times nothing).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uebpf/uebpf.h"

typedef uint64_t (*native_fn)(const uint8_t *mem, uint64_t len);

#define BENCH_PROG(name) uint64_t bench_##name(const uint8_t *mem, uint64_t len);
#define BENCH_PROGS(X) \
	X(arith_loop) X(checksum) X(parse_hash) X(sieve) X(state_machine) X(load_store)
BENCH_PROGS(BENCH_PROG)
#undef BENCH_PROG

struct prog {
	const char *name;
	native_fn native;
	struct uebpf_code *code;
	uint64_t insns_per_run; /* counted by the checked interpreter */
};

static struct prog progs[] = {
#define BENCH_ROW(name) { #name, bench_##name, NULL, 0 },
	BENCH_PROGS(BENCH_ROW)
#undef BENCH_ROW
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

/* ---- engines ---- */

struct engine {
	const char *name;
	/* Runs p once on mem; returns 0 and r0, or an error. */
	int (*run)(struct prog *p, uint8_t *mem, size_t len, uint64_t *r0);
};

static int run_interp(struct prog *p, uint8_t *mem, size_t len, uint64_t *r0)
{
	return uebpf_code_run(p->code, (uintptr_t)mem, len, NULL, r0);
}

static int run_checked(struct prog *p, uint8_t *mem, size_t len, uint64_t *r0)
{
	struct uebpf_region region = { mem, len, UEBPF_MEM_RW };
	struct uebpf_run_opts opts = {
		.sz = sizeof(opts), .checked = true, .regions = &region, .region_cnt = 1,
	};
	int err = uebpf_code_run(p->code, (uintptr_t)mem, len, &opts, r0);
	p->insns_per_run = opts.insn_count;
	return err;
}

static int run_native(struct prog *p, uint8_t *mem, size_t len, uint64_t *r0)
{
	*r0 = p->native(mem, len);
	return 0;
}

static const struct engine engines[] = {
	{ "interp", run_interp },
	{ "checked", run_checked },
	{ "native", run_native },
};
#define NENGINES (sizeof(engines) / sizeof(engines[0]))

/* ---- input ---- */

/* The bundled 1500-byte Ethernet/IPv4/TCP frame (examples/data/frame.dat)
 * whose payload is text with words, numbers and hex escapes. */
static int read_input(const char *path, uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "uebpf-bench: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = fread(buf, 1, len, f);
	fclose(f);
	if (n != len) {
		fprintf(stderr, "uebpf-bench: %s: %zu bytes, expected %zu\n", path, n, len);
		return -1;
	}
	return 0;
}

/* ---- timing ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median ns per run over `batches` batches of at least target_ns each. */
static double time_engine(const struct engine *e, struct prog *p, uint8_t *mem,
			  size_t len, uint64_t target_ns, int batches)
{
	uint64_t iters = 1, r0;
	for (;;) { /* calibrate */
		uint64_t t0 = now_ns();
		for (uint64_t i = 0; i < iters; i++)
			e->run(p, mem, len, &r0);
		uint64_t dt = now_ns() - t0;
		if (dt >= target_ns / 4 || iters >= (1ull << 30))
			break;
		iters *= 2;
	}
	iters *= 4;
	double samples[32];
	for (int b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();
		for (uint64_t i = 0; i < iters; i++)
			e->run(p, mem, len, &r0);
		samples[b] = (double)(now_ns() - t0) / (double)iters;
	}
	qsort(samples, (size_t)batches, sizeof(double), cmp_double);
	return samples[batches / 2];
}

static int load_prog(struct uebpf_vm *vm, struct prog *p)
{
	char path[4096], err[256];
	snprintf(path, sizeof(path), "%s/%s.bin", BENCH_PROG_DIR, p->name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "uebpf-bench: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	static struct uebpf_insn insns[1 << 16];
	size_t n = fread(insns, sizeof(insns[0]), sizeof(insns) / sizeof(insns[0]), f);
	fclose(f);
	struct uebpf_code_opts opts = { .sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_load(vm, insns, n, &opts, &p->code)) {
		fprintf(stderr, "uebpf-bench: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "verify", no_argument, NULL, 'v' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "input", required_argument, NULL, 'i' },
		{ 0 },
	};
	const char *input = BENCH_INPUT;
	int quick = 0, verify = 0, json = 0, c;
	const char *filter = NULL;
	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quick = 1; break;
		case 'v': verify = 1; break;
		case 'f': filter = optarg; break;
		case 'j': json = 1; break;
		case 'i': input = optarg; break;
		default:
			fprintf(stderr, "usage: uebpf-bench [--quick] [--verify] [--filter NAME] [--input FILE] [-j]\n");
			return 2;
		}
	}
	uint64_t target_ns = quick ? 2000000 : 20000000;
	int batches = quick ? 3 : 7;

	static uint8_t frame[1500], mem[1500];
	if (read_input(input, frame, sizeof(frame)))
		return 1;
	struct uebpf_vm *vm = uebpf_vm_new();
	if (!vm)
		return 1;

	int failures = 0, shown = 0;
	if (!verify && !json) {
		printf("uebpf-bench: median ns per run of %d batches, input: %s\n\n",
		       batches, input);
		printf("%-14s %9s %11s %9s %11s %10s %13s\n", "program", "insns",
		       "interp ns", "ns/insn", "checked ns", "native ns",
		       "interp/native");
	}
	for (size_t i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		if (filter && !strstr(p->name, filter))
			continue;
		shown++;
		if (load_prog(vm, p)) {
			failures++;
			continue;
		}
		/* Every engine must agree with the native build of the C source. */
		uint64_t want = 0, got[NENGINES];
		for (size_t e = 0; e < NENGINES; e++) {
			memcpy(mem, frame, sizeof(mem));
			if (engines[e].run(p, mem, sizeof(mem), &got[e])) {
				fprintf(stderr, "%s: %s engine failed\n", p->name, engines[e].name);
				failures++;
			}
			if (!strcmp(engines[e].name, "native"))
				want = got[e];
		}
		for (size_t e = 0; e < NENGINES; e++)
			if (got[e] != want) {
				fprintf(stderr, "%s: %s computes 0x%" PRIx64 ", native 0x%" PRIx64 "\n",
					p->name, engines[e].name, got[e], want);
				failures++;
			}
		if (verify) {
			printf("%s %s: 0x%" PRIx64 " (%" PRIu64 " instructions)\n",
			       got[0] == want ? "PASS" : "FAIL", p->name, want, p->insns_per_run);
			continue;
		}
		double ns[NENGINES];
		for (size_t e = 0; e < NENGINES; e++) {
			memcpy(mem, frame, sizeof(mem));
			ns[e] = time_engine(&engines[e], p, mem, sizeof(mem), target_ns, batches);
		}
		double per_insn = p->insns_per_run ? ns[0] / (double)p->insns_per_run : 0;
		if (json)
			printf("{\"program\": \"%s\", \"insns\": %" PRIu64
			       ", \"interp_ns\": %.1f, \"checked_ns\": %.1f, \"native_ns\": %.1f}\n",
			       p->name, p->insns_per_run, ns[0], ns[1], ns[2]);
		else
			printf("%-14s %9" PRIu64 " %11.1f %9.2f %11.1f %10.1f %13.1f\n", p->name,
			       p->insns_per_run, ns[0], per_insn, ns[1], ns[2], ns[0] / ns[2]);
	}
	for (size_t i = 0; i < NPROGS; i++)
		uebpf_code_free(progs[i].code);
	uebpf_vm_free(vm);
	if (shown == 0) {
		fprintf(stderr, "uebpf-bench: no program matches '%s'\n", filter);
		return 2;
	}
	if (verify)
		printf("bench programs: %d passed, %d failed\n", shown - failures, failures);
	return failures ? 1 : 0;
}
