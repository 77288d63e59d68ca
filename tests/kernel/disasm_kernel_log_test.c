/* SPDX-License-Identifier: MIT */
/*
 * The kernel syntax of our disassembler against the kernel itself: load
 * programs with BPF_PROG_LOAD at log level 2, take the instruction lines
 * the verifier prints (`12: (bf) r1 = r10 ; R1_w=fp0`) and compare their
 * text with uebpf_disasm_insn() in UEBPF_SYNTAX_KERNEL for the same
 * instruction. Skips (exit 77) where bpf() is not permitted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uebpf/uebpf.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"

/* Programs the kernel accepts as socket filters, covering every kind of
 * instruction such a program may use. */
static const char *const programs[] = {
	/* ALU64 and ALU32, immediates and registers, signed forms */
	"r0 = 1\nr1 = -8\nr2 = 0x7fffffff\nr0 += r1\nr0 -= 3\nr0 *= r2\nr0 /= 7\n"
	"r0 s/= 3\nr0 %= r2\nr0 s%= 5\nr0 |= 0x10\nr0 &= r1\nr0 ^= -1\nr0 <<= 3\n"
	"r0 >>= r1\nr0 s>>= 2\nr0 = -r0\nw0 += 5\nw0 -= w2\nw0 *= 3\nw0 /= w2\n"
	"w0 s/= -3\nw0 %= 9\nw0 s%= w2\nw0 |= w2\nw0 &= 0xff\nw0 ^= w2\nw0 <<= 2\n"
	"w0 >>= w2\nw0 s>>= 1\nw0 = -w0\nw3 = w0\nw3 = -7\nr4 = (s8)r0\nr4 = (s16)r0\n"
	"r4 = (s32)r0\nw4 = (s8)w0\nw4 = (s16)w0\nr0 = be16 r0\nr0 = be32 r0\n"
	"r0 = be64 r0\nr0 = le16 r0\nr0 = le32 r0\nr0 = le64 r0\nr0 = bswap16 r0\n"
	"r0 = bswap32 r0\nr0 = bswap64 r0\nr0 = 0x1122334455667788 ll\nr0 = 0\nexit\n",
	/* stack memory, atomics, signed loads */
	"r1 = 5\n*(u64 *)(r10 - 8) = r1\n*(u32 *)(r10 - 12) = r1\n*(u16 *)(r10 - 14) = r1\n"
	"*(u8 *)(r10 - 15) = r1\n*(u64 *)(r10 - 24) = 7\n*(u32 *)(r10 - 28) = -1\n"
	"*(u16 *)(r10 - 30) = 2\n*(u8 *)(r10 - 31) = 3\nr2 = *(u64 *)(r10 - 8)\n"
	"r2 = *(u32 *)(r10 - 12)\nr2 = *(u16 *)(r10 - 14)\nr2 = *(u8 *)(r10 - 15)\n"
	"r2 = *(s32 *)(r10 - 12)\nr2 = *(s16 *)(r10 - 14)\nr2 = *(s8 *)(r10 - 15)\n"
	"r3 = r10\nr3 += -8\nr2 = 1\nlock *(u64 *)(r3 + 0) += r2\nlock *(u64 *)(r3 + 0) |= r2\n"
	"lock *(u64 *)(r3 + 0) &= r2\nlock *(u64 *)(r3 + 0) ^= r2\n"
	"r2 = atomic_fetch_add((u64 *)(r3 + 0), r2)\nr2 = atomic_fetch_or((u64 *)(r3 + 0), r2)\n"
	"r2 = atomic_fetch_and((u64 *)(r3 + 0), r2)\nr2 = atomic_fetch_xor((u64 *)(r3 + 0), r2)\n"
	"r2 = xchg_64(r3 + 0, r2)\nr0 = 0\nr0 = cmpxchg_64(r3 + 0, r0, r2)\n"
	"r4 = r10\nr4 += -16\nw2 = 1\nlock *(u32 *)(r4 + 0) += w2\n"
	"w2 = atomic_fetch_add((u32 *)(r4 + 0), w2)\nw2 = xchg32_32(r4 + 0, w2)\n"
	"w0 = 0\nw0 = cmpxchg32_32(r4 + 0, w0, w2)\n"
	"r2 = load_acquire((u64 *)(r3 + 0))\nw2 = load_acquire((u32 *)(r4 + 0))\n"
	"w2 = load_acquire((u16 *)(r4 + 0))\nw2 = load_acquire((u8 *)(r4 + 0))\n"
	"store_release((u64 *)(r3 + 0), r2)\nstore_release((u32 *)(r4 + 0), w2)\n"
	"store_release((u16 *)(r4 + 0), w2)\nstore_release((u8 *)(r4 + 0), w2)\n"
	"r0 = 0\nexit\n",
	/* jumps, 64 and 32 bits, every condition; calls; packet loads */
	"r6 = r1\nr0 = *(u8 *)skb[12]\nr0 = *(u16 *)skb[12]\nr0 = *(u32 *)skb[12]\n"
	"r7 = 2\nr0 = *(u8 *)skb[r7]\nr0 = *(u16 *)skb[r7 + 4]\n"
	"call bpf_get_prandom_u32\nr1 = r0\nr2 = r0\n"
	"if r1 == 1 goto +1\nif r1 != r2 goto +1\nif r1 > 2 goto +1\nif r1 >= r2 goto +1\n"
	"if r1 < 3 goto +1\nif r1 <= r2 goto +1\nif r1 s> -4 goto +1\nif r1 s>= r2 goto +1\n"
	"if r1 s< 5 goto +1\nif r1 s<= r2 goto +1\nif r1 & 6 goto +1\nif r1 & r2 goto +1\n"
	"if w1 == 1 goto +1\nif w1 != w2 goto +1\nif w1 > 2 goto +1\nif w1 >= w2 goto +1\n"
	"if w1 < 3 goto +1\nif w1 <= w2 goto +1\nif w1 s> -4 goto +1\nif w1 s>= w2 goto +1\n"
	"if w1 s< 5 goto +1\nif w1 s<= w2 goto +1\nif w1 & 6 goto +1\nif w1 & w2 goto +1\n"
	"goto +0\ngotol +0\nmay_goto +0\ncall sub\nr0 = 0\nexit\nsub:\nr0 = 1\nexit\n",
};

/* Compares each `N: (xx) text` line of the log with our text for insn N.
 * Returns the number of instructions compared. */
static int compare_log(const struct uebpf_insn *insns, size_t cnt, char *log)
{
	int compared = 0;
	char *seen = calloc(cnt, 1);
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
		char *end;
		unsigned long idx = strtoul(line, &end, 10);
		if (end == line || strncmp(end, ": (", 3) != 0 || idx >= cnt || seen[idx])
			continue;
		seen[idx] = 1;
		char *text = end + 2;
		char *state = strstr(text, " ;"); /* register states follow */
		if (state)
			*state = '\0';
		for (size_t n = strlen(text); n && text[n - 1] == ' '; n--)
			text[n - 1] = '\0';
		char ours[256];
		struct uebpf_disasm_opts o = { .sz = sizeof(o), .syntax = UEBPF_SYNTAX_KERNEL };
		uebpf_disasm_insn(insns, cnt, idx, ours, sizeof(ours), &o);
		CHECK_REPORT(strcmp(ours, text) == 0, "insn %lu: kernel \"%s\", uebpf \"%s\"",
			     idx, text, ours);
		compared++;
	}
	free(seen);
	return compared;
}

int main(void)
{
	static char log[1 << 20];
	int total = 0;
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		struct uebpf_insn *insns;
		size_t cnt;
		char err[256];
		struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
		check_current = "assemble";
		if (uebpf_asm(programs[i], &insns, &cnt, &ao)) {
			CHECK_REPORT(0, "program %zu: %s", i, err);
			continue;
		}
		int ret = kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, cnt, log,
					   sizeof(log), 2);
		if (kernel_bpf_refused(ret)) {
			printf("SKIP: bpf(BPF_PROG_LOAD) is not permitted here (%s)\n", strerror(-ret));
			free(insns);
			return KERNEL_TEST_SKIP;
		}
		if (ret >= 0)
			close(ret);
		check_current = "kernel log";
		CHECK_REPORT(ret >= 0, "program %zu rejected by the kernel (%s):\n%.2000s", i,
			     strerror(-ret), log);
		int n = compare_log(insns, cnt, log);
		CHECK_REPORT(n > 0, "program %zu: no instruction lines in the log", i);
		printf("program %zu: %d instructions compared with the verifier log\n", i, n);
		total += n;
		free(insns);
	}
	printf("%d instructions compared\n", total);
	return check_summary("disasm_kernel_log_test");
}
