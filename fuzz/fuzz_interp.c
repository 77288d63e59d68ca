/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: loading and running programs in the engine's checked mode,
 * which must stop every program that strays outside what it was given:
 * whatever the bytes, no crash, no sanitizer report, no write outside the
 * memory region or into a read-only one; a clean error return is fine.
 *
 * Input layout:
 *   byte 0   flags:
 *              bit 0  STRUCTURED: the program bytes steer the generator of
 *                     mostly valid programs (fuzz_gen_program) instead of
 *                     being instructions themselves;
 *              bit 1  READ_ONLY: the memory is given read-only;
 *              bit 2  PACKET: the memory's initial contents are also the
 *                     packet of LD_ABS / LD_IND;
 *              bit 3  SMALL_LIMIT: insn_limit 1000 instead of 100000;
 *   byte 1   n = byte % 65: the next n bytes initialise the memory (the
 *            rest of its 64 bytes is zero);
 *   then     the program.
 * The program runs with r1 = the memory (64 bytes), r2 = 64 and helpers
 *   1  returns a value computed from r1, r2;
 *   2  stops the program with r0 = r1 (uebpf_exec_stop);
 *   3  sums r2 bytes at r1 if uebpf_exec_check_mem allows it, else -EFAULT;
 *   4  hands out a 32-byte buffer (uebpf_exec_add_region), or NULL if r1
 *      is odd.
 * The memory and the helper's buffer sit between guard bytes (poisoned
 * for ASan, compared after the run otherwise). UEBPF_FUZZ_VERBOSE=1 in the
 * environment prints what each input did.
 */
#include <errno.h>
#include <string.h>

#include <uebpf/engine.h>

#include "fuzz.h"

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

enum {
	F_STRUCTURED = 1,
	F_READ_ONLY = 2,
	F_PACKET = 4,
	F_SMALL_LIMIT = 8,
};
#define HEADER 2
#define MAX_RAW_INSNS 1024
#define MAX_GEN_INSNS 64
#define GUARD 32
#define GUARD_BYTE 0xa5
#define HELPER_MEM_SIZE 32

/* size bytes between two guards, poisoned for ASan. */
struct guarded {
	uint8_t *base;
	uint8_t *mem;
	size_t size;
};

static void guarded_init(struct guarded *g, size_t size)
{
	g->base = malloc(GUARD + size + GUARD);
	FUZZ_CHECK(g->base, "out of memory");
	g->mem = g->base + GUARD;
	g->size = size;
	memset(g->base, GUARD_BYTE, GUARD + size + GUARD);
	memset(g->mem, 0, size);
	ASAN_POISON_MEMORY_REGION(g->base, GUARD);
	ASAN_POISON_MEMORY_REGION(g->mem + size, GUARD);
}

static void guarded_check_free(struct guarded *g, const char *what)
{
	ASAN_UNPOISON_MEMORY_REGION(g->base, GUARD);
	ASAN_UNPOISON_MEMORY_REGION(g->mem + g->size, GUARD);
	for (size_t i = 0; i < GUARD; i++) {
		FUZZ_CHECK(g->base[i] == GUARD_BYTE,
			   "%s: byte %d before it was written", what, (int)i - GUARD);
		FUZZ_CHECK(g->mem[g->size + i] == GUARD_BYTE,
			   "%s: byte %zu after it was written", what, i);
	}
	free(g->base);
}

/* What the inputs did, for the standalone driver's -v. */
static struct {
	unsigned long long inputs, loaded, ok, efault, eloop, insns;
	unsigned long long load_err[4]; /* EINVAL, ENOENT, E2BIG, other */
} stats;

struct run_state {
	struct guarded helper_mem;
	int added;
};

static uint64_t h_value(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			uint64_t r5, struct uebpf_exec *exec)
{
	FUZZ_CHECK(uebpf_exec_checked(exec), "a helper sees normal mode");
	return (r1 * 0x9e3779b97f4a7c15ull) ^ r2 ^ (r3 << 7) ^ r4 ^ r5;
}

static uint64_t h_stop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
		       uint64_t r5, struct uebpf_exec *exec)
{
	uebpf_exec_stop(exec, r1);
	return r2;
}

static uint64_t h_sum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
		      uint64_t r5, struct uebpf_exec *exec)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)r1;
	if (r2 > 4096 || uebpf_exec_check_mem(exec, p, (size_t)r2, UEBPF_MEM_READ))
		return (uint64_t)-EFAULT;
	uint64_t sum = 0;
	for (size_t i = 0; i < r2; i++)
		sum = sum * 31 + p[i];
	return sum;
}

static uint64_t h_lookup(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			 uint64_t r5, struct uebpf_exec *exec)
{
	struct run_state *st = uebpf_exec_user(exec);
	if (r1 & 1)
		return 0;
	/* Once per run: every call adding the same region again would make
	 * the memory checks of a looping program slow, not wrong. */
	if (!st->added) {
		int rc = uebpf_exec_add_region(exec, st->helper_mem.mem,
					       st->helper_mem.size, UEBPF_MEM_RW);
		FUZZ_CHECK(rc == 0, "uebpf_exec_add_region returned %d", rc);
		st->added = 1;
	}
	return (uint64_t)(uintptr_t)st->helper_mem.mem;
}

/* UEBPF_FUZZ_VERBOSE=1 in the environment: print what each input did. */
static int verbose(void)
{
	static int v = -1;
	if (v < 0) {
		const char *e = getenv("UEBPF_FUZZ_VERBOSE");
		v = e && *e && *e != '0';
	}
	return v;
}

static struct uebpf_vm *get_vm(void)
{
	static struct uebpf_vm *vm;
	if (vm)
		return vm;
	vm = uebpf_vm_new();
	FUZZ_CHECK(vm, "uebpf_vm_new failed");
	FUZZ_CHECK(!uebpf_vm_set_helper(vm, 1, "value", h_value) &&
		   !uebpf_vm_set_helper(vm, 2, "stop", h_stop) &&
		   !uebpf_vm_set_helper(vm, 3, "sum", h_sum) &&
		   !uebpf_vm_set_helper(vm, 4, "lookup", h_lookup),
		   "uebpf_vm_set_helper failed");
	return vm;
}

static void run(const struct uebpf_code *code, size_t cnt, unsigned flags,
		const uint8_t *init, size_t init_len)
{
	struct run_state st = { .added = 0 };
	struct guarded mem;
	guarded_init(&mem, FUZZ_MEM_SIZE);
	guarded_init(&st.helper_mem, HELPER_MEM_SIZE);
	memcpy(mem.mem, init, init_len);

	uint8_t before[FUZZ_MEM_SIZE];
	memcpy(before, mem.mem, sizeof(before));
	uint8_t *packet = NULL;
	if ((flags & F_PACKET) && init_len) {
		packet = malloc(init_len); /* exact: LD_ABS past it is an ASan report */
		FUZZ_CHECK(packet, "out of memory");
		memcpy(packet, init, init_len);
	}

	struct uebpf_region region = {
		.addr = mem.mem, .size = FUZZ_MEM_SIZE,
		.access = flags & F_READ_ONLY ? UEBPF_MEM_READ : UEBPF_MEM_RW,
	};
	uint64_t limit = flags & F_SMALL_LIMIT ? 1000 : 100000;
	char err[160];
	struct uebpf_run_opts opts = {
		.sz = sizeof(opts),
		.checked = true,
		.regions = &region,
		.region_cnt = 1,
		.insn_limit = limit,
		.packet = packet,
		.packet_len = packet ? init_len : 0,
		.user = &st,
		.err_buf = err,
		.err_size = sizeof(err),
	};
	uint64_t ret = 0;
	int rc = uebpf_code_run(code, (uintptr_t)mem.mem, FUZZ_MEM_SIZE, &opts, &ret);

	FUZZ_CHECK(rc == 0 || rc == -EFAULT || rc == -ELOOP, "uebpf_code_run returned %d", rc);
	if (verbose())
		fprintf(stderr, "fuzz_interp: run: %d (%s), r0 = %#llx, %llu instructions\n",
			rc, rc ? err : "ok", (unsigned long long)ret,
			(unsigned long long)opts.insn_count);
	stats.ok += rc == 0;
	stats.efault += rc == -EFAULT;
	stats.eloop += rc == -ELOOP;
	stats.insns += opts.insn_count;
	FUZZ_CHECK(opts.insn_count <= limit + 1, "ran %llu instructions, limit %llu",
		   (unsigned long long)opts.insn_count, (unsigned long long)limit);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "error message not NUL-terminated");
	if (rc == 0) {
		FUZZ_CHECK(opts.fault_pc == -1, "success with fault_pc %lld",
			   (long long)opts.fault_pc);
	} else {
		FUZZ_CHECK(err[0], "error %d without a message", rc);
		FUZZ_CHECK(opts.fault_pc >= 0 && (uint64_t)opts.fault_pc <= cnt,
			   "fault_pc %lld in a program of %zu", (long long)opts.fault_pc, cnt);
	}
	if (flags & F_READ_ONLY)
		FUZZ_CHECK(!memcmp(before, mem.mem, sizeof(before)),
			   "the program wrote into read-only memory");
	if (packet) {
		FUZZ_CHECK(!memcmp(packet, init, init_len), "the packet changed");
		free(packet);
	}
	guarded_check_free(&mem, "the memory");
	guarded_check_free(&st.helper_mem, "the helper's buffer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	unsigned flags = data[0];
	size_t init_len = data[1] % (FUZZ_MEM_SIZE + 1);
	if (init_len > size - HEADER)
		init_len = size - HEADER;
	const uint8_t *init = data + HEADER;
	const uint8_t *prog = init + init_len;
	size_t prog_len = size - HEADER - init_len;

	struct uebpf_insn *insns;
	size_t cnt;
	if (flags & F_STRUCTURED) {
		struct fuzz_src src = { .data = prog, .size = prog_len };
		struct uebpf_insn tmp[MAX_GEN_INSNS];
		cnt = fuzz_gen_program(&src, tmp, MAX_GEN_INSNS);
		insns = malloc(cnt * sizeof(*insns));
		FUZZ_CHECK(insns, "out of memory");
		memcpy(insns, tmp, cnt * sizeof(*insns));
	} else {
		cnt = prog_len / sizeof(struct uebpf_insn);
		if (cnt == 0 || cnt > MAX_RAW_INSNS)
			return 0;
		insns = malloc(cnt * sizeof(*insns)); /* exact, for ASan */
		FUZZ_CHECK(insns, "out of memory");
		memcpy(insns, prog, cnt * sizeof(*insns));
	}

	struct uebpf_code *code = NULL;
	char err[200];
	struct uebpf_code_opts copts = {
		.sz = sizeof(copts), .err_buf = err, .err_size = sizeof(err),
	};
	int rc = uebpf_code_load(get_vm(), insns, cnt, &copts, &code);
	stats.inputs++;
	stats.loaded += rc == 0;
	if (rc && verbose())
		fprintf(stderr, "fuzz_interp: load: %d (%s)\n", rc, err);
	if (rc)
		stats.load_err[rc == -EINVAL ? 0 : rc == -ENOENT ? 1 : rc == -E2BIG ? 2 : 3]++;
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOENT || rc == -E2BIG ||
		   rc == -ENOMEM || rc == -EBADF, "uebpf_code_load returned %d", rc);
	if (rc == 0)
		FUZZ_CHECK(uebpf_insns_check(insns, cnt, NULL, 0) == 0,
			   "loaded a program that fails uebpf_insns_check");
	else
		FUZZ_CHECK(!code && err[0], "failed (%d) with code %p, message '%s'",
			   rc, (void *)code, err);
	/* The code must not keep pointers into the caller's instructions. */
	free(insns);
	if (rc)
		return 0;
	FUZZ_CHECK(uebpf_code_insn_cnt(code) == cnt, "insn_cnt %zu, loaded %zu",
		   uebpf_code_insn_cnt(code), cnt);

	run(code, cnt, flags, init, init_len);
	uebpf_code_free(code);
	return 0;
}

/* ---- for the standalone driver ---- */

static size_t generate(uint64_t *rng, uint8_t *out, size_t max)
{
	struct fuzz_src s = { .state = fuzz_rng_next(rng) };
	size_t len = 0;
	if (max < HEADER + FUZZ_MEM_SIZE + 8)
		return 0;
	unsigned flags = fuzz_below(&s, 16);
	if (!fuzz_one_in(&s, 4))
		flags &= ~(unsigned)F_STRUCTURED; /* mostly ready-made instructions */
	out[len++] = (uint8_t)flags;
	size_t init_len = fuzz_below(&s, FUZZ_MEM_SIZE + 1);
	out[len++] = (uint8_t)init_len;
	for (size_t i = 0; i < init_len; i++)
		out[len++] = fuzz_one_in(&s, 2) ? (uint8_t)fuzz_below(&s, 4) : (uint8_t)fuzz_u32(&s);

	if (flags & F_STRUCTURED) {
		size_t n = fuzz_below(&s, (uint32_t)(max - len < 256 ? max - len : 256));
		for (size_t i = 0; i < n; i++)
			out[len++] = (uint8_t)fuzz_u32(&s);
		return len;
	}
	struct uebpf_insn insns[MAX_GEN_INSNS];
	size_t room = (max - len) / sizeof(struct uebpf_insn);
	size_t cnt = fuzz_gen_program(&s, insns, room < MAX_GEN_INSNS ? room : MAX_GEN_INSNS);
	memcpy(out + len, insns, cnt * sizeof(*insns));
	return len + cnt * sizeof(*insns);
}

static void print_stats(FILE *out)
{
	fprintf(out, "fuzz_interp: %llu programs, %llu loaded (rejected: %llu EINVAL, "
		"%llu ENOENT, %llu E2BIG, %llu other)\n",
		stats.inputs, stats.loaded, stats.load_err[0], stats.load_err[1],
		stats.load_err[2], stats.load_err[3]);
	fprintf(out, "fuzz_interp: runs: %llu ok, %llu EFAULT, %llu ELOOP; %llu instructions\n",
		stats.ok, stats.efault, stats.eloop, stats.insns);
}

static size_t insn_start(const uint8_t *data, size_t size)
{
	if (size < HEADER || (data[0] & F_STRUCTURED))
		return size;
	size_t start = HEADER + data[1] % (FUZZ_MEM_SIZE + 1);
	return start < size ? start : size;
}

const struct fuzz_target fuzz_target = {
	.name = "fuzz_interp",
	.max_input = 2048,
	.generate = generate,
	.insn_start = insn_start,
	.print_stats = print_stats,
};
