/* SPDX-License-Identifier: MIT */
/*
 * The interpreter against the kernel: random straight-line programs (ALU
 * and ALU32 with every operation, signed division, byte swaps, movsx,
 * stack loads and stores incl. sign-extending ones, atomics on the stack,
 * forward jumps of every condition) run as XDP programs with
 * BPF_PROG_TEST_RUN in the kernel and in uebpf's interpreter (normal and
 * checked). Each program ends by storing its registers into the packet;
 * the packets must be identical.
 *
 *   interp_kernel_diff_test [COUNT [SEED]]
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uebpf/uebpf.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#define PKT_LEN 128
/* The registers the body computes with (r6 holds the packet pointer, r7
 * the frame pointer for atomics). */
static const int regs[] = { 0, 1, 2, 3, 4, 5, 8, 9 };
#define NREGS 8

static int reg(void)
{
	return regs[below(NREGS)];
}

/* Immediates the corner cases live at. */
static int32_t imm(void)
{
	static const int32_t special[] = {
		0, 1, -1, 2, 7, 0x7fffffff, (int32_t)0x80000000, 0xff, 0xffff, -2, 31, 32, 63,
	};
	if (below(2))
		return special[below(sizeof(special) / sizeof(special[0]))];
	return (int32_t)rnd();
}

/* An immediate, not 0 where the verifier refuses a constant divisor 0. */
static int32_t nonzero_if(int divisor)
{
	int32_t v = imm();
	return divisor && v == 0 ? 3 : v;
}

struct text {
	char buf[1 << 16];
	size_t len;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	t->len += (size_t)vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
}

static const char *const alu_ops[] = {
	"+=", "-=", "*=", "/=", "s/=", "%=", "s%=", "|=", "&=", "^=", "=", "<<=", ">>=", "s>>=",
};
static const char *const jmp_ops[] = {
	"==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&",
};
static const char *const sizes[] = { "u8", "u16", "u32", "u64" };
static const char *const ssizes[] = { "s8", "s16", "s32" };

/* One random instruction of the body (text, LLVM syntax). `left` is how
 * many instructions remain, for forward jumps. */
static void random_insn(struct text *t, int left)
{
	int d = reg(), s = reg();
	switch (below(12)) {
	case 0: case 1: case 2: case 3: { /* ALU, 64 or 32 bits, K or X */
		const char *op = alu_ops[below(sizeof(alu_ops) / sizeof(alu_ops[0]))];
		char w = below(2) ? 'r' : 'w';
		int shift = op[0] == '<' || op[0] == '>' || !strcmp(op, "s>>=");
		if (below(2))
			emit(t, "%c%d %s %c%d\n", w, d, op, w, s);
		else if (shift)
			emit(t, "%c%d %s %u\n", w, d, op, below(w == 'r' ? 64 : 32));
		else
			emit(t, "%c%d %s %d\n", w, d, op, nonzero_if(strchr(op, '/') || strchr(op, '%')));
		break;
	}
	case 4: /* neg, movsx, byte swaps */
		switch (below(4)) {
		case 0: emit(t, below(2) ? "r%d = -r%d\n" : "w%d = -w%d\n", d, d); break;
		case 1: emit(t, "r%d = (s%d)r%d\n", d, 8 << below(3), s); break;
		case 2: emit(t, "w%d = (s%d)w%d\n", d, 8 << below(2), s); break;
		default: {
			static const char *const sw[] = { "be", "le", "bswap" };
			emit(t, "r%d = %s%d r%d\n", d, sw[below(3)], 16 << below(3), d);
		}
		}
		break;
	case 5: case 6: { /* stack store / load (aligned, within 4 slots) */
		int size = (int)below(4), bytes = 1 << size;
		int off = -8 * (int)(1 + below(4)) + bytes * (int)below((unsigned)(8 / bytes));
		if (below(2))
			emit(t, "*(%s *)(r10 %d) = %s%d\n", sizes[size], off, size == 3 ? "r" : "w", s);
		else if (size < 3 && below(2))
			emit(t, "r%d = *(%s *)(r10 %d)\n", d, ssizes[size], off);
		else
			emit(t, "%c%d = *(%s *)(r10 %d)\n", size == 3 ? 'r' : 'w', d, sizes[size], off);
		break;
	}
	case 7: /* store immediate */
		emit(t, "*(%s *)(r10 %d) = %d\n", below(2) ? "u64" : "u32",
		     -8 * (int)(1 + below(4)), imm());
		break;
	case 8: { /* atomics on a stack slot */
		int wide = below(2);
		int off = -8 * (int)(1 + below(4)) + (wide ? 0 : 4 * (int)below(2));
		char r = wide ? 'r' : 'w';
		const char *sz = wide ? "u64" : "u32";
		static const char *const ops[] = { "add", "or", "and", "xor" };
		static const char *const assign[] = { "+=", "|=", "&=", "^=" };
		unsigned k = below(4);
		switch (below(4)) {
		case 0: emit(t, "lock *(%s *)(r7 %+d) %s %c%d\n", sz, off, assign[k], r, s); break;
		case 1: emit(t, "%c%d = atomic_fetch_%s((%s *)(r7 %+d), %c%d)\n", r, s, ops[k], sz, off, r, s); break;
		case 2: emit(t, "%c%d = xchg%s(r7 %+d, %c%d)\n", r, s, wide ? "_64" : "32_32", off, r, s); break;
		default: emit(t, "%c0 = cmpxchg%s(r7 %+d, %c0, %c%d)\n", r, wide ? "_64" : "32_32", off, r, r, s); break;
		}
		break;
	}
	default: { /* a forward jump over up to 3 instructions */
		if (left < 2)
			break;
		const char *op = jmp_ops[below(sizeof(jmp_ops) / sizeof(jmp_ops[0]))];
		char w = below(2) ? 'r' : 'w';
		if (below(2))
			emit(t, "if %c%d %s %c%d goto +%u\n", w, d, op, w, s, below(3));
		else
			emit(t, "if %c%d %s %d goto +%u\n", w, d, op, imm(), below(3));
		break;
	}
	}
}

/* The body: registers set from random 64-bit values, stack slots set,
 * random instructions, then every register stored into the packet (r6).
 * r7 points to the stack for the atomics. */
static void random_body(struct text *t, int n)
{
	emit(t, "r7 = r10\n");
	for (int i = 0; i < NREGS; i++)
		emit(t, "r%d = 0x%" PRIx64 " ll\n", regs[i], rnd());
	for (int k = 1; k <= 4; k++)
		emit(t, "*(u64 *)(r10 - %d) = r%d\n", 8 * k, reg());
	for (int i = 0; i < n; i++)
		random_insn(t, n - i);
	/* Pad so forward jumps near the end land inside the body. */
	emit(t, "r7 = r10\nr7 = r10\nr7 = r10\n");
	for (int i = 0; i < NREGS; i++)
		emit(t, "*(u64 *)(r6 + %d) = r%d\n", 8 * i, regs[i]);
	emit(t, "r1 = *(u64 *)(r10 - 8)\n*(u64 *)(r6 + 64) = r1\n");
	emit(t, "r1 = *(u64 *)(r10 - 16)\n*(u64 *)(r6 + 72) = r1\n");
	emit(t, "r1 = *(u64 *)(r10 - 24)\n*(u64 *)(r6 + 80) = r1\n");
	emit(t, "r1 = *(u64 *)(r10 - 32)\n*(u64 *)(r6 + 88) = r1\n");
	emit(t, "r0 = 2\nexit\n"); /* XDP_PASS */
}

/* Kernel: packet pointers from struct xdp_md, then a bounds check.
 * uebpf: the conformance convention, r1 = packet, r2 = its length. */
static const char kernel_prologue[] =
	"r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\nr8 = r6\nr8 += 96\n"
	"if r8 > r7 goto out\ngoto body\nout:\nr0 = 1\nexit\nbody:\n";
static const char uebpf_prologue[] =
	"r6 = r1\nr7 = r1\nr7 += r2\nr8 = r6\nr8 += 96\n"
	"if r8 > r7 goto out\ngoto body\nout:\nr0 = 1\nexit\nbody:\n";

static char vlog[1 << 18];

static int kernel_run(const struct uebpf_insn *insns, size_t cnt, uint8_t *pkt,
		      uint32_t *retval)
{
	int fd = kernel_prog_load(BPF_PROG_TYPE_XDP, insns, cnt, vlog, sizeof(vlog), 1);
	if (fd < 0)
		return fd;
	uint8_t in[PKT_LEN] = { 0 };
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.data_in = (uintptr_t)in;
	attr.test.data_size_in = PKT_LEN;
	attr.test.data_out = (uintptr_t)pkt;
	attr.test.data_size_out = PKT_LEN;
	attr.test.repeat = 1;
	int ret = kernel_bpf(BPF_PROG_TEST_RUN, &attr);
	int err = ret < 0 ? -errno : 0;
	*retval = attr.test.retval;
	close(fd);
	return err;
}

static int assemble(const char *prologue, const char *body, struct uebpf_insn **insns,
		    size_t *cnt)
{
	static struct text full;
	full.len = 0;
	emit(&full, "%s%s", prologue, body);
	char err[256];
	struct uebpf_asm_opts o = { .sz = sizeof(o), .syntax = UEBPF_SYNTAX_LLVM,
				    .err_buf = err, .err_size = sizeof(err) };
	int ret = uebpf_asm(full.buf, insns, cnt, &o);
	if (ret)
		printf("assembler: %s\n", err);
	return ret;
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 1000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed;
	struct uebpf_vm *vm = uebpf_vm_new();
	static struct text body;
	int compared = 0, rejected = 0;

	for (int n = 0; n < count; n++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)n + 1;
		body.len = 0;
		random_body(&body, 10 + (int)below(40));

		struct uebpf_insn *kinsns = NULL, *uinsns = NULL;
		size_t kcnt, ucnt;
		check_current = "assemble";
		if (assemble(kernel_prologue, body.buf, &kinsns, &kcnt) ||
		    assemble(uebpf_prologue, body.buf, &uinsns, &ucnt)) {
			CHECK_REPORT(0, "program %d does not assemble:\n%s", n, body.buf);
			free(kinsns);
			continue;
		}

		uint8_t kpkt[PKT_LEN] = { 0 };
		uint32_t kret = 0;
		int ret = kernel_run(kinsns, kcnt, kpkt, &kret);
		if (kernel_bpf_refused(ret)) {
			printf("SKIP: bpf() is not permitted here (%s)\n", strerror(-ret));
			free(kinsns);
			free(uinsns);
			uebpf_vm_free(vm);
			return KERNEL_TEST_SKIP;
		}
		if (ret) { /* the verifier may refuse a random program: skip it */
			if (getenv("UEBPF_TEST_VERBOSE")) {
				const char *last = vlog + strlen(vlog);
				for (int lines = 0; last > vlog && lines < 3; last--)
					lines += last[-1] == '\n';
				printf("program %d refused (%s): %s", n, strerror(-ret), last);
			}
			rejected++;
			free(kinsns);
			free(uinsns);
			continue;
		}

		check_current = "compare";
		struct uebpf_code *code = NULL;
		char err[256];
		struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = err, .err_size = sizeof(err) };
		CHECK_REPORT(uebpf_code_load(vm, uinsns, ucnt, &lo, &code) == 0, "load: %s", err);
		for (int checked = 0; code && checked < 2; checked++) {
			uint8_t upkt[PKT_LEN] = { 0 };
			struct uebpf_region region = { upkt, PKT_LEN, UEBPF_MEM_RW };
			struct uebpf_run_opts ro = { .sz = sizeof(ro), .checked = checked,
						     .regions = &region, .region_cnt = 1,
						     .err_buf = err, .err_size = sizeof(err) };
			uint64_t r0 = 0;
			int rr = uebpf_code_run(code, (uintptr_t)upkt, PKT_LEN, &ro, &r0);
			CHECK_REPORT(rr == 0, "program %d: run failed: %s", n, err);
			int same = rr == 0 && (uint32_t)r0 == kret && !memcmp(upkt, kpkt, PKT_LEN);
			if (!same) {
				CHECK_REPORT(0, "program %d (seed 0x%" PRIx64 ", %s mode): retval %u vs kernel %u",
					     n, seed, checked ? "checked" : "normal", (unsigned)r0, kret);
				for (int i = 0; i < 12; i++) {
					uint64_t k, u;
					memcpy(&k, kpkt + 8 * i, 8);
					memcpy(&u, upkt + 8 * i, 8);
					if (k != u)
						printf("  %s%d: kernel 0x%016" PRIx64 ", uebpf 0x%016" PRIx64 "\n",
						       i < NREGS ? "r" : "stack slot ", i < NREGS ? regs[i] : i - NREGS + 1,
						       k, u);
				}
				printf("program body:\n%s\n", body.buf);
			}
		}
		compared++;
		uebpf_code_free(code);
		free(kinsns);
		free(uinsns);
	}
	uebpf_vm_free(vm);
	printf("%d random programs compared with the kernel (%d refused by its verifier)\n",
	       compared, rejected);
	CHECK_REPORT(compared >= count / 2, "too few programs compared: %d of %d", compared, count);
	return check_summary("interp_kernel_diff_test");
}
