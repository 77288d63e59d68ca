/* SPDX-License-Identifier: MIT */
/*
 * Linked scalars against the kernel: random programs that copy a number
 * (64-bit, 32-bit, sign-extending), add constants to the copy, sometimes
 * change one of them, compare one with a constant and then use one as an
 * offset into a 48-byte map value. What a jump proves on the copy holds
 * for the original only as the kernel's BPF_ADD_CONST rules say, so
 * these programs probe exactly where linking could be wrong.
 *
 * Each program is loaded into the kernel and into uebpf as a socket
 * filter. uebpf must not accept what the kernel refuses; what it accepts
 * runs in the checked interpreter on random numbers in the map value (near
 * the edges of the ranges the program tests), and must never fault.
 * Programs the kernel accepts and uebpf refuses are counted and shown
 * (a precision gap, not a safety problem).
 *
 *   linked_scalars_kernel_diff_test [PROGRAMS [SEED]]   (VERBOSE=1: every gap)
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/uebpf.h"

#define RUNS 16

static char text[4096], errbuf[512], klog[1 << 16], ulog[1 << 16];

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add(const char *fmt, ...)
{
	va_list ap;
	size_t len = strlen(text);
	va_start(ap, fmt);
	vsnprintf(text + len, sizeof(text) - len, fmt, ap);
	va_end(ap);
}

static int64_t pick_const(void)
{
	static const int64_t edges[] = { 0, 1, -1, 2, 9, 10, -10, 48, -48, 255, 256, -256,
					 0x7fffffff, -0x7fffffff - 1, 0x7ffffffe, 65535, 65536 };
	if (below(3))
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	return (int32_t)rnd();
}

static const char *const jops[] = { "==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=",
				    "&" };

/* The program's text with the map's fd; the same choices for both sides
 * come from the same seed. */
static void write_prog(uint64_t seed, int map_fd)
{
	rng_state = seed;
	text[0] = '\0';
	add("*(u32 *)(r10 - 4) = 0\nr1 = map[fd:%d]\nr2 = r10\nr2 += -4\n"
	    "call bpf_map_lookup_elem\nif r0 == 0 goto out\nr8 = r0\n"
	    "r6 = *(u64 *)(r8 + 0)\n", map_fd);
	switch (below(6)) { /* the original's shape */
	case 0: add("r6 &= %d\n", (int)(rnd() & 0x1ff)); break;
	case 1: add("w6 = w6\n"); break;
	case 2: add("r6 <<= 32\nr6 s>>= 32\n"); break;
	case 3: add("r6 s>>= %u\n", 40 + below(24)); break;
	case 4: add("r6 &= 0xff\nr6 -= 128\n"); break;
	default: break;
	}
	switch (below(6)) { /* the copy */
	case 0: add("r7 = r6\n"); break;
	case 1: add("w7 = w6\n"); break;
	case 2: add("r7 = (s8)r6\n"); break;
	case 3: add("r7 = (s16)r6\n"); break;
	case 4: add("r7 = (s32)r6\n"); break;
	default: add("w7 = (s8)w6\n"); break;
	}
	for (unsigned n = below(3); n; n--)
		add("%s7 += %lld\n", below(2) ? "r" : "w", (long long)pick_const());
	switch (below(10)) { /* sometimes a change that must unlink */
	case 0: add("r6 += 1\n"); break;
	case 1: add("r7 *= 3\n"); break;
	case 2: add("*(u64 *)(r10 - 16) = r6\nr6 = *(u64 *)(r10 - 16)\n"); break;
	case 3: add("r9 = r7\nr9 += %lld\n", (long long)pick_const()); break;
	default: break;
	}
	for (unsigned n = 1 + below(2); n; n--) {
		const char *reg = (const char *[]){ "r7", "w7", "r6", "w6", "r9" }[below(5)];
		if (reg[1] == '9' && !strstr(text, "r9 ="))
			reg = "r7";
		add("if %s %s %lld goto out\n", reg, jops[below(11)], (long long)pick_const());
	}
	const char *use = (const char *[]){ "r6", "r7", "r6", "r7", "r9" }[below(5)];
	if (use[1] == '9' && !strstr(text, "r9 ="))
		use = "r6";
	add("r8 += %s\nr0 = *(u8 *)(r8 %+d)\nout:\nr0 = 0\nexit\n", use, (int)below(80) - 20);
}

static int assemble(struct uebpf_insn **insns, size_t *cnt)
{
	struct uebpf_asm_opts o = { .sz = sizeof(o), .err_buf = errbuf,
				    .err_size = sizeof(errbuf) };
	int rc = uebpf_asm(text, insns, cnt, &o);
	if (rc)
		printf("assembler: %s\n%s", errbuf, text);
	return rc;
}

/* A number for the map value: near the edges the program's constants and
 * masks make interesting, or anything. */
static uint64_t pick_value(void)
{
	switch (below(4)) {
	case 0: return below(600);
	case 1: return (uint64_t)-(int64_t)below(600);
	case 2: return (uint64_t)(int64_t)(int32_t)((uint32_t)rnd() | 0x80000000u) + below(3);
	default: return rnd();
	}
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	unsigned long both = 0, neither = 0, kernel_only = 0, uebpf_only = 0, faults = 0, runs = 0;
	int err = kernel_probe_prog_load();
	if (err) {
		printf("SKIP: bpf() refused (%s): no kernel to compare with\n", strerror(-err));
		return KERNEL_TEST_SKIP;
	}
	int kmap = kernel_map_create(BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, 0, 0);
	int umap = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "v", 4, 48, 1, NULL);
	if (kmap < 0 || umap < 0) {
		printf("FAIL: maps: %d %d\n", kmap, umap);
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		uint64_t s = seed * 1000003 + i + 1;
		struct uebpf_insn *insns;
		size_t cnt;
		write_prog(s, kmap);
		if (assemble(&insns, &cnt))
			return 1;
		int kfd = kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, cnt, klog, sizeof(klog), 1);
		free(insns);
		if (kfd >= 0)
			close(kfd);
		write_prog(s, umap);
		if (assemble(&insns, &cnt))
			return 1;
		struct uebpf_prog_load_opts lo = { .sz = sizeof(lo), .log_buf = ulog,
						   .log_size = sizeof(ulog) };
		int ufd = uebpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "linked", "GPL", insns, cnt, &lo);
		free(insns);
		bool k = kfd >= 0, u = ufd >= 0;
		both += k && u;
		neither += !k && !u;
		kernel_only += k && !u;
		uebpf_only += u && !k;
		if (u && !k) {
			const char *last = strrchr(klog, '\n');
			while (last && last > klog && last[-1] != '\n' && last[1] == '\0')
				last--;
			printf("FAIL: uebpf accepts what the kernel refuses (seed %llu):\n%skernel: %s\n",
			       (unsigned long long)s, text, klog + (strlen(klog) > 300 ? strlen(klog) - 300 : 0));
		}
		if (k && !u && (getenv("VERBOSE") || kernel_only <= 3))
			printf("kernel only (seed %llu): %s\n%s", (unsigned long long)s, ulog, text);
		if (!u)
			continue;
		/* Safety: the accepted program on numbers near its edges. */
		uint8_t ctx[64] = { 0 };
		for (int r = 0; r < RUNS; r++) {
			uint8_t value[48] = { 0 };
			uint64_t v = pick_value(), r0 = 0;
			uint32_t key = 0;
			memcpy(value, &v, 8);
			uebpf_map_update_elem(umap, &key, value, 0);
			struct uebpf_run_opts o = { .sz = sizeof(o), .checked = true,
						    .err_buf = errbuf, .err_size = sizeof(errbuf) };
			struct uebpf_region reg = { ctx, sizeof(ctx), UEBPF_MEM_READ };
			o.regions = &reg;
			o.region_cnt = 1;
			runs++;
			if (uebpf_code_run(uebpf_prog_code(ufd), (uintptr_t)ctx, 0, &o, &r0)) {
				faults++;
				printf("FAIL: an accepted program faulted with r6 = %#llx (seed %llu): %s\n%s",
				       (unsigned long long)v, (unsigned long long)s, errbuf, text);
				break;
			}
		}
		uebpf_prog_close(ufd);
	}
	printf("linked scalars: %lu programs: both accept %lu, both refuse %lu, kernel only %lu, "
	       "uebpf only %lu; %lu checked runs, %lu faults\n",
	       n, both, neither, kernel_only, uebpf_only, runs, faults);
	printf("%lu passed, %lu failed\n", n - uebpf_only - faults, uebpf_only + faults);
	return uebpf_only || faults ? 1 : 0;
}
