// SPDX-License-Identifier: MIT
/*
 * The verifier against the kernel's on generated programs: the soundness
 * fuzzer's generator (fuzz/gen_verify.c) writes programs of every type
 * both support, with maps; each is loaded into the kernel (its maps
 * created there with the same definitions) and checked by uebpf's
 * verifier and oracle (an accepted program runs in the checked
 * interpreter on random inputs and must stay clean). Disagreements are
 * grouped by the rejection message's class on each side and shown as a
 * table:
 *
 *   uebpf only   uebpf accepts what the kernel refuses: each must be
 *                fixed or shown safe (docs/verifier.md) -- a failure;
 *   kernel only  a precision gap: counted, shown, not a failure.
 *
 *   verifier_random_kernel_diff_test [PROGRAMS] [SEED] [SECONDS]
 *
 * Stops after PROGRAMS (default 2000) or SECONDS, whichever comes first.
 *
 * VERBOSE=1 prints every disagreement's program.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz/gen_verify.h"
#include "tests/kernel/kernel_bpf.h"

static char klog[1 << 16], ulog[1 << 16];

/* The reason of a rejection: the log's last line that is not a
 * statistic, numbers replaced by N, at most 90 characters. */
static void message_class(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log), *line = NULL;
	while (end > log) {
		const char *e = end;
		while (e > log && e[-1] == '\n')
			e--;
		const char *b = e;
		while (b > log && b[-1] != '\n')
			b--;
		if (e > b && strncmp(b, "processed ", 10) && strncmp(b, "verification time", 17) &&
		    strncmp(b, "stack depth", 11)) {
			line = b;
			end = e;
			break;
		}
		end = b;
	}
	size_t o = 0;
	if (!line) {
		snprintf(out, size, "(no message)");
		return;
	}
	if (!strncmp(line, "insn ", 5)) { /* uebpf names the instruction first */
		const char *c = strchr(line, ':');
		if (c && c < end)
			line = c + 2;
	}
	for (const char *p = line; p < end && o + 2 < size && o < 90; p++) {
		if (isdigit((unsigned char)*p)) {
			out[o++] = 'N';
			while (p + 1 < end && (isxdigit((unsigned char)p[1]) || p[1] == 'x'))
				p++;
		} else if (*p == '-' && p + 1 < end && isdigit((unsigned char)p[1])) {
			continue;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

#define MAX_CLASSES 512
static struct cls {
	int dir; /* 0: kernel only, 1: uebpf only */
	char kernel[100], uebpf[100];
	unsigned long count;
	unsigned long long example; /* a program's seed */
	enum bpf_prog_type type;
} classes[MAX_CLASSES];
static size_t nclasses;

static void count_class(int dir, const char *k, const char *u, uint64_t seed,
			enum bpf_prog_type type)
{
	for (size_t i = 0; i < nclasses; i++)
		if (classes[i].dir == dir && !strcmp(classes[i].kernel, k) &&
		    !strcmp(classes[i].uebpf, u)) {
			classes[i].count++;
			return;
		}
	if (nclasses == MAX_CLASSES)
		return;
	struct cls *c = &classes[nclasses++];
	c->dir = dir;
	snprintf(c->kernel, sizeof(c->kernel), "%s", k);
	snprintf(c->uebpf, sizeof(c->uebpf), "%s", u);
	c->count = 1;
	c->example = seed;
	c->type = type;
}

static int by_count(const void *a, const void *b)
{
	const struct cls *x = a, *y = b;
	if (x->dir != y->dir)
		return y->dir - x->dir;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* Kernel refusals uebpf does not share, each shown safe in
 * docs/verifier.md ("Differences from the kernel"): counted as
 * documented rather than failures. */
static bool documented(const char *k)
{
	/* the kernel wants BTF for bpf_loop's callback; uebpf verifies the
	 * callback as a static subprogram with its fixed arguments */
	return strstr(k, "missing btf func_info") != NULL;
}

/* Kernel loops the verifier here explores differently (bounded loops
 * whose precision another piece of work handles): counted apart. */
static bool loop_precision(const char *u)
{
	return strstr(u, "too complex") || strstr(u, "infinite loop") ||
	       strstr(u, "back-edge") || strstr(u, "BPF program is too large");
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	double max_seconds = argc > 3 ? strtod(argv[3], NULL) : 0;
	unsigned long both_accept = 0, both_reject = 0, kernel_only = 0, uebpf_only = 0;
	unsigned long violations = 0, loops = 0, safe = 0;
	bool verbose = getenv("VERBOSE") != NULL;

	int fd = kernel_probe_prog_load();
	if (fd) {
		printf("SKIP: bpf() refused (%s): no kernel to compare with\n", strerror(-fd));
		return KERNEL_TEST_SKIP;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	static struct gv_prog p;
	for (unsigned long i = 0; i < n; i++) {
		if (max_seconds > 0 && (i & 63) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((double)(t1.tv_sec - t0.tv_sec) > max_seconds)
				break;
		}
		uint64_t pseed = seed * 0x100000000ull + i;
		struct fuzz_src src = { .state = pseed };
		gv_generate(&src, &p, gv_types[i % gv_ntypes]);

		int fds[GV_MAX_MAPS];
		size_t made = 0;
		for (; made < p.nmaps; made++) {
			const struct gv_map *m = &p.maps[made];
			fds[made] = kernel_map_create(m->type, m->key_size, m->value_size,
						      m->max_entries, 0, 0, 0);
			if (fds[made] < 0)
				break;
		}
		if (made < p.nmaps) {
			printf("FAIL map %zu of program %lu: %s\n", made, i, strerror(-fds[made]));
			return 1;
		}
		struct uebpf_insn *insns = gv_patch_fds(&p, fds);
		fd = kernel_prog_load_attach(p.type, p.expected_attach_type, insns, p.cnt, NULL, 0, 0);
		bool k = fd >= 0;
		if (k)
			close(fd);

		struct gv_result r;
		ulog[0] = '\0';
		gv_check(&p, pseed, 2, &r, ulog, sizeof(ulog));
		bool u = r.verdict != GV_REJECTED;
		if (u && r.verdict != GV_CLEAN) {
			violations++;
			printf("FAIL accepted program %lu (seed %llu) violates memory safety: %s: %s\n",
			       i, (unsigned long long)pseed, gv_verdict_name(r.verdict), r.why);
			gv_write(stdout, &p, pseed, r.why);
		}
		if (k == u) {
			if (k)
				both_accept++;
			else
				both_reject++;
		} else {
			fd = kernel_prog_load_attach(p.type, p.expected_attach_type, insns, p.cnt,
						     klog, sizeof(klog), 1);
			if (fd >= 0)
				close(fd);
			char kc[100], uc[100];
			message_class(k ? "(accepted)" : klog, kc, sizeof(kc));
			message_class(u ? "(accepted)" : ulog, uc, sizeof(uc));
			if (u && documented(kc)) {
				uebpf_only++;
				safe++;
			} else if (u) {
				uebpf_only++;
				printf("FAIL uebpf accepts what the kernel refuses (program %lu, seed "
				       "%llu, %s): %s\n", i, (unsigned long long)pseed,
				       gv_type_name(p.type), kc);
				gv_write(stdout, &p, pseed, NULL);
			} else {
				kernel_only++;
				if (loop_precision(uc))
					loops++;
				if (verbose) {
					printf("kernel only (program %lu, seed %llu, %s): %s\n", i,
					       (unsigned long long)pseed, gv_type_name(p.type), uc);
					gv_write(stdout, &p, pseed, NULL);
				}
			}
			count_class(u, kc, uc, pseed, p.type);
		}
		free(insns);
		for (size_t m = 0; m < made; m++)
			close(fds[m]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double spent = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	qsort(classes, nclasses, sizeof(classes[0]), by_count);
	printf("\n%-11s %7s  %-44s %-44s %s\n", "direction", "count", "kernel", "uebpf",
	       "example (type, seed)");
	for (size_t c = 0; c < nclasses; c++)
		printf("%-11s %7lu  %-44.44s %-44.44s %s %llu\n",
		       !classes[c].dir		       ? "kernel only"
		       : documented(classes[c].kernel) ? "uebpf doc"
						       : "uebpf only",
		       classes[c].count,
		       classes[c].kernel, classes[c].uebpf, gv_type_name(classes[c].type),
		       classes[c].example);
	unsigned long total = both_accept + both_reject + kernel_only + uebpf_only;
	printf("\ngenerated programs: %lu in %.1f s (%.0f/s), both accept %lu, both reject %lu, "
	       "kernel only %lu (of which loop precision %lu), uebpf only %lu (of which "
	       "documented %lu); agreement %.3f%%; safety violations %lu (seed %llu)\n",
	       total, spent, spent > 0 ? (double)total / spent : 0.0, both_accept, both_reject,
	       kernel_only, loops, uebpf_only, safe,
	       total ? 100.0 * (double)(both_accept + both_reject) / (double)total : 100.0,
	       violations, (unsigned long long)seed);
	unsigned long failed = uebpf_only - safe + violations;
	printf("%lu passed, %lu failed\n", total - failed, failed);
	return failed ? 1 : 0;
}
