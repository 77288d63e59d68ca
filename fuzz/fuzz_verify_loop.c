/* SPDX-License-Identifier: MIT */
/*
 * The verifier's soundness fuzzer as a plain seeded loop (no libFuzzer):
 * programs from gen_verify.c, verified by uebpf, the accepted ones run in
 * the checked interpreter on random inputs (gen_verify_oracle.c). A
 * violation is minimised and written as a reproducer.
 *
 *   fuzz_verify_loop [--programs N] [--seconds T] [--seed S] [--runs R]
 *                    [--type NAME] [--out DIR] [-v]
 *   fuzz_verify_loop --replay FILE|DIR...
 *   fuzz_verify_loop --minimise FILE      (the smaller program to stdout)
 *
 * The loop stops after N programs (default 2000) or T seconds, whichever
 * comes first, and prints programs per second, how many were accepted
 * and ran, and the violations (exit 1 if any). --replay loads
 * reproducers (the .s files of tests/verifier/regress): each must now be refused by
 * the verifier or run clean.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gen_verify.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int replay_file(const char *path, unsigned runs, bool verbose)
{
	struct gv_prog p;
	uint64_t seed;
	char err[256];
	int rc = gv_read(path, &p, &seed, err, sizeof(err));
	if (rc) {
		printf("FAIL %s: %s\n", path, err);
		return 1;
	}
	struct gv_result r;
	gv_check(&p, seed, runs, &r, NULL, 0);
	bool ok = r.verdict == GV_REJECTED || r.verdict == GV_CLEAN;
	if (!ok || verbose)
		printf("%s %s: %s%s%s\n", ok ? "ok" : "FAIL", path, gv_verdict_name(r.verdict),
		       r.why[0] ? ": " : "", r.why);
	return ok ? 0 : 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *path, unsigned runs, bool verbose, unsigned *count)
{
	struct stat st;
	if (stat(path, &st)) {
		printf("FAIL %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		++*count;
		return replay_file(path, runs, verbose);
	}
	DIR *d = opendir(path);
	if (!d)
		return 1;
	char *names[4096];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 4096) {
		size_t len = strlen(e->d_name);
		if (len > 2 && !strcmp(e->d_name + len - 2, ".s"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	int fails = 0;
	for (size_t i = 0; i < n; i++) {
		char full[4096];
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		++*count;
		fails += replay_file(full, runs, verbose);
		free(names[i]);
	}
	return fails;
}

int main(int argc, char **argv)
{
	unsigned long long programs = 2000, seed = 1;
	double seconds = 0;
	unsigned runs = 4;
	enum bpf_prog_type type = 0;
	const char *out_dir = ".";
	bool verbose = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--replay"))
			break;
		if (i + 1 < argc && !strcmp(a, "--minimise")) {
			static struct gv_prog p;
			uint64_t pseed;
			char err[256];
			if (gv_read(argv[i + 1], &p, &pseed, err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				return 2;
			}
			struct gv_result r;
			gv_check(&p, pseed, runs, &r, NULL, 0);
			if (r.verdict == GV_REJECTED || r.verdict == GV_CLEAN) {
				fprintf(stderr, "%s: %s, nothing to minimise\n", argv[i + 1],
					gv_verdict_name(r.verdict));
				return 1;
			}
			gv_minimise(&p, pseed, runs, r.verdict);
			gv_check(&p, pseed, runs, &r, NULL, 0);
			gv_write(stdout, &p, pseed, r.why);
			return 0;
		}
		if (i + 1 < argc && (!strcmp(a, "--programs") || !strcmp(a, "-n")))
			programs = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && (!strcmp(a, "--seed") || !strcmp(a, "-s")))
			seed = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && (!strcmp(a, "--seconds") || !strcmp(a, "-t")))
			seconds = strtod(argv[++i], NULL);
		else if (i + 1 < argc && !strcmp(a, "--runs"))
			runs = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(a, "--type"))
			type = gv_type_by_name(argv[++i]);
		else if (i + 1 < argc && (!strcmp(a, "--out") || !strcmp(a, "-o")))
			out_dir = argv[++i];
		else if (!strcmp(a, "-v"))
			verbose = true;
		else {
			fprintf(stderr, "usage: %s [--programs N] [--seconds T] [--seed S] "
					"[--runs R] [--type NAME] [--out DIR] [-v]\n"
					"       %s [--runs R] [-v] --replay FILE|DIR...\n",
				argv[0], argv[0]);
			return 2;
		}
	}
	if (i < argc) {
		unsigned count = 0;
		int fails = 0;
		for (i++; i < argc; i++)
			fails += replay(argv[i], runs, verbose, &count);
		printf("%u reproducers, %u passed, %d failed\n", count, count - (unsigned)fails,
		       fails);
		return fails ? 1 : 0;
	}

	unsigned long long done = 0, accepted = 0, ran = 0, violations = 0, over_bound = 0;
	unsigned long long by_verdict[GV_ENGINE + 1] = { 0 };
	double start = now();
	static struct gv_prog p;
	for (; done < programs; done++) {
		if (seconds > 0 && (done & 63) == 0 && now() - start > seconds)
			break;
		/* Each program from its own seed: a reproducer names it. */
		uint64_t pseed = seed * 0x100000000ull + done;
		struct fuzz_src src = { .state = pseed };
		gv_generate(&src, &p, type);
		struct gv_result r;
		gv_check(&p, pseed, runs, &r, NULL, 0);
		by_verdict[r.verdict]++;
		if (r.verdict == GV_REJECTED) {
			if (verbose)
				printf("rejected %s: %s\n", gv_type_name(p.type), r.why);
			continue;
		}
		accepted++;
		ran += r.runs;
		if (!r.bounded && !gv_has_unbounded_loops(&p) &&
		    r.max_run_insns > r.insn_processed) {
			over_bound++;
			if (verbose)
				printf("note: program %llu ran %llu instructions, the verifier "
				       "processed %u\n", done, (unsigned long long)r.max_run_insns,
				       r.insn_processed);
		}
		if (r.verdict == GV_CLEAN)
			continue;
		violations++;
		enum gv_verdict v = r.verdict;
		printf("VIOLATION (%s) in program %llu (seed %llu, %s, %zu insns): %s\n",
		       gv_verdict_name(v), done, (unsigned long long)pseed, gv_type_name(p.type),
		       p.cnt, r.why);
		gv_minimise(&p, pseed, runs, v);
		gv_check(&p, pseed, runs, &r, NULL, 0);
		char path[4096];
		snprintf(path, sizeof(path), "%s/verify-%s-%s-%llu.s", out_dir, gv_verdict_name(v),
			 gv_type_name(p.type), (unsigned long long)pseed);
		FILE *f = fopen(path, "w");
		if (f) {
			gv_write(f, &p, pseed, r.why);
			fclose(f);
			printf("  minimised to %zu insns: %s\n", p.cnt, path);
		}
		gv_write(stdout, &p, pseed, r.why);
	}
	double spent = now() - start;
	printf("fuzz_verify_loop: %llu programs in %.1f s (%.0f/s), %llu accepted, %llu runs, "
	       "%llu violations (seed %llu)\n",
	       done, spent, spent > 0 ? (double)done / spent : 0.0, accepted, ran, violations,
	       seed);
	printf("  verdicts:");
	for (int v = 0; v <= GV_ENGINE; v++)
		printf(" %s %llu", gv_verdict_name(v), by_verdict[v]);
	printf("; runs longer than the verifier's processed count (context accesses "
	       "rewritten): %llu\n", over_bound);
	return violations ? 1 : 0;
}
