// SPDX-License-Identifier: MIT
/*
 * The verifier against the kernel's on random programs: the fuzz
 * targets' generator writes mostly valid programs (loads and stores
 * around r1 and r10, ALU, jumps, helper calls), each is loaded into the
 * kernel and verified by uebpf as a kprobe, an XDP and a socket filter
 * program. uebpf must never accept what the kernel refuses; where the
 * kernel accepts and uebpf refuses, the reasons are counted and shown.
 *
 *   verifier_random_kernel_diff_test [PROGRAMS] [SEED]
 *
 * The first five kernel-only verdicts are shown (VERBOSE=1: all).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "tests/kernel/kernel_bpf.h"
#include "verifier/verifier.h"

#define MAX_INSNS 64
#define PROLOGUE 9

static const enum bpf_prog_type types[] = {
	BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SOCKET_FILTER,
};

static char klog[1 << 16], ulog[1 << 16];

static void show(const char *what, const struct uebpf_insn *insns, size_t cnt,
		 enum bpf_prog_type type)
{
	struct uebpf_disasm_opts o = { .sz = sizeof(o), .syntax = UEBPF_SYNTAX_KERNEL,
				       .show_raw = true };
	const char *kend = klog + strlen(klog);
	int lines = 0;
	while (kend > klog && lines < 3)
		if (*--kend == '\n')
			lines++;
	printf("%s (program type %u)\n  kernel: %s\n  uebpf: %s", what, type, kend, ulog);
	uebpf_disasm(stdout, insns, cnt, &o);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	unsigned long both_accept = 0, both_reject = 0, kernel_only = 0, uebpf_only = 0;
	unsigned long shown = 0;

	int fd = kernel_probe_prog_load();
	if (fd) {
		printf("SKIP: bpf() refused (%s): no kernel to compare with\n", strerror(-fd));
		return KERNEL_TEST_SKIP;
	}

	struct fuzz_src src = { .state = seed };
	for (unsigned long i = 0; i < n; i++) {
		/* Registers set first (r0 a random number, the others small
		 * constants) and helper calls made to bpf_get_prandom_u32,
		 * so that more programs get past their first instructions. */
		struct uebpf_insn insns[PROLOGUE + MAX_INSNS] = {
			{ .code = 0x85, .imm = 7 },
		};
		for (int r = 2; r <= 9; r++)
			insns[r - 1] = (struct uebpf_insn){ .code = 0xb7, .dst_reg = (uint8_t)r,
							    .imm = r == 2 ? 64 : r };
		size_t cnt = PROLOGUE + fuzz_gen_program(&src, insns + PROLOGUE, MAX_INSNS);
		for (size_t k = PROLOGUE; k < cnt; k++)
			if (insns[k].code == 0x85 && insns[k].src_reg == 0)
				insns[k].imm = 7;
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			fd = kernel_prog_load(types[t], insns, cnt, klog, sizeof(klog), 1);
			bool k = fd >= 0;
			if (k)
				close(fd);
			struct verifier_opts vo = {
				.prog_type = types[t], .gpl = true,
				.log_buf = ulog, .log_size = sizeof(ulog),
			};
			ulog[0] = '\0';
			bool u = verify_program(insns, cnt, &vo, NULL, NULL, NULL) == 0;
			if (k && u) {
				both_accept++;
			} else if (!k && !u) {
				both_reject++;
			} else if (u) {
				uebpf_only++;
				show("FAIL uebpf accepts what the kernel refuses", insns, cnt, types[t]);
			} else {
				kernel_only++;
				if (shown++ < (getenv("VERBOSE") ? 1000u : 5u))
					show("kernel only", insns, cnt, types[t]);
			}
		}
	}
	printf("random programs: %lu verdicts, both accept %lu, both reject %lu, kernel only %lu, "
	       "uebpf only %lu\n", both_accept + both_reject + kernel_only + uebpf_only, both_accept,
	       both_reject, kernel_only, uebpf_only);
	printf("%lu passed, %lu failed\n", both_accept + both_reject + kernel_only, uebpf_only);
	return uebpf_only ? 1 : 0;
}
