/* SPDX-License-Identifier: MIT */
/* The interpreter beyond the conformance suite: call frames, helpers,
 * the checked mode's memory rules, packet loads, load-time refusals. */
#include <errno.h>
#include <stdlib.h>

#include "uebpf/uebpf.h"
#include "tests/check.h"

static char err[300];

/* Assembles text and loads it into vm; NULL (and a FAIL) on error. */
static struct uebpf_code *load(struct uebpf_vm *vm, const char *text)
{
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts aopts = { .sz = sizeof(aopts), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_asm(text, &insns, &cnt, &aopts)) {
		CHECK_REPORT(0, "assembling: %s", err);
		return NULL;
	}
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lopts = { .sz = sizeof(lopts), .err_buf = err, .err_size = sizeof(err) };
	int ret = uebpf_code_load(vm, insns, cnt, &lopts, &code);
	free(insns);
	if (ret)
		return NULL;
	return code;
}

/* Runs text with r1 = mem in the given mode; returns the run's result. */
static int run(struct uebpf_vm *vm, const char *text, void *mem, size_t len,
	       bool checked, unsigned access, uint64_t *r0)
{
	struct uebpf_code *code = load(vm, text);
	if (!code)
		return -1000;
	struct uebpf_region region = { mem, len, access };
	struct uebpf_run_opts opts = {
		.sz = sizeof(opts), .checked = checked, .regions = &region,
		.region_cnt = mem ? 1 : 0, .err_buf = err, .err_size = sizeof(err),
	};
	int ret = uebpf_code_run(code, (uintptr_t)mem, len, &opts, r0);
	uebpf_code_free(code);
	return ret;
}

static uint64_t run_ok(struct uebpf_vm *vm, const char *text, bool checked)
{
	uint64_t r0 = 0xdead;
	int ret = run(vm, text, NULL, 0, checked, 0, &r0);
	CHECK_REPORT(ret == 0, "run failed (%d): %s", ret, err);
	return r0;
}

/* Recursion to the depth given in r1: 8 frames fit, 9 do not. */
static const char *const recurse =
	"  r0 = 0\n"
	"  call f\n"
	"  exit\n"
	"f:\n"
	"  r0 += 1\n"
	"  r1 -= 1\n"
	"  if r1 == 0 goto out\n"
	"  call f\n"
	"out:\n"
	"  exit\n";

static void test_call_depth_is_eight_frames(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	for (int checked = 0; checked < 2; checked++) {
		struct uebpf_code *code = load(vm, recurse);
		uint64_t r0 = 0;
		struct uebpf_run_opts opts = { .sz = sizeof(opts), .checked = checked,
					       .err_buf = err, .err_size = sizeof(err) };
		CHECK_EQ(uebpf_code_run(code, 7, 0, &opts, &r0), 0); /* main + 7 */
		CHECK_EQ(r0, 7);
		CHECK_EQ(uebpf_code_run(code, 8, 0, &opts, &r0), -EFAULT);
		CHECK_CONTAINS(err, "the call stack is too deep (more than 8 frames)");
		CHECK_EQ(opts.fault_pc, 6); /* the call in f */
		uebpf_code_free(code);
	}
	uebpf_vm_free(vm);
}

static void test_calls_preserve_r6_to_r9_and_give_each_frame_its_stack(void)
{
	const char *text =
		"  r6 = 6\n  r7 = 7\n  r8 = 8\n  r9 = 9\n"
		"  *(u64 *)(r10 - 8) = 100\n"
		"  r1 = r10\n"
		"  call f\n"                       /* f returns its r10 - caller's */
		"  r1 = *(u64 *)(r10 - 8)\n"       /* untouched by f's own stack */
		"  if r1 != 100 goto bad\n"
		"  if r6 != 6 goto bad\n  if r7 != 7 goto bad\n"
		"  if r8 != 8 goto bad\n  if r9 != 9 goto bad\n"
		"  exit\n"
		"bad:\n  r0 = -1\n  exit\n"
		"f:\n"
		"  r6 = 0\n  r7 = 0\n  r8 = 0\n  r9 = 0\n"
		"  *(u64 *)(r10 - 8) = 5\n"
		"  r2 = *(u64 *)(r1 - 8)\n"        /* the caller's frame, by pointer */
		"  if r2 != 100 goto fbad\n"
		"  r0 = r1\n  r0 -= r10\n  exit\n"
		"fbad:\n  r0 = -2\n  exit\n";
	struct uebpf_vm *vm = uebpf_vm_new();
	CHECK_EQ(run_ok(vm, text, false), UEBPF_STACK_SIZE);
	CHECK_EQ(run_ok(vm, text, true), UEBPF_STACK_SIZE);
	uebpf_vm_free(vm);
}

static uint64_t add5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
		     struct uebpf_exec *exec)
{
	return a + b * 10 + c * 100 + d * 1000 + e * 10000 + *(uint64_t *)uebpf_exec_user(exec);
}

static uint64_t stop_with_77(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			     uint64_t e, struct uebpf_exec *exec)
{
	uebpf_exec_stop(exec, 77);
	return 1;
}

static void test_helpers_get_arguments_user_data_and_can_stop_the_program(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	CHECK_EQ(uebpf_vm_set_helper(vm, 1, "add5", add5), 0);
	CHECK_EQ(uebpf_vm_set_helper(vm, 300, "stop", stop_with_77), 0);
	CHECK_EQ(uebpf_vm_set_helper(vm, -1, "bad", add5), -EINVAL);
	CHECK(uebpf_vm_helper(vm, 1) == add5);
	CHECK(uebpf_vm_helper(vm, 2) == NULL);

	uint64_t user = 500000;
	struct uebpf_code *code = load(vm, "r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\ncall 1\nexit\n");
	struct uebpf_run_opts opts = { .sz = sizeof(opts), .user = &user };
	uint64_t r0;
	CHECK_EQ(uebpf_code_run(code, 0, 0, &opts, &r0), 0);
	CHECK_EQ(r0, 554321);
	uebpf_code_free(code);

	CHECK_EQ(run_ok(vm, "r0 = 1\ncall 300\nr0 = 2\nexit\n", false), 77);
	CHECK_EQ(run_ok(vm, "r0 = 1\ncall 300\nr0 = 2\nexit\n", true), 77);
	/* callx: the helper id comes from a register at run time. */
	CHECK_EQ(run_ok(vm, "r2 = 300\ncallx r2\nexit\n", false), 77);
	uint64_t r0b;
	CHECK_EQ(run(vm, "r2 = 301\ncallx r2\nexit\n", NULL, 0, false, 0, &r0b), -EFAULT);
	CHECK_CONTAINS(err, "insn 1: callx r2: no helper with id 301");
	/* Removing a helper makes programs that call it fail to load. */
	CHECK_EQ(uebpf_vm_set_helper(vm, 300, NULL, NULL), 0);
	CHECK(load(vm, "call 300\nexit\n") == NULL);
	uebpf_vm_free(vm);
}

static void test_loading_refuses_what_cannot_run(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	CHECK(load(vm, "call bpf_map_lookup_elem\nexit\n") == NULL);
	CHECK_CONTAINS(err, "insn 0: invalid func bpf_map_lookup_elem#1: helper is not available");
	CHECK(load(vm, "r1 = map[fd:1000]\nexit\n") == NULL);
	CHECK_CONTAINS(err, "insn 0: fd 1000 is not a map");
	CHECK(load(vm, "r1 = map[idx:0]\nexit\n") == NULL);
	CHECK_CONTAINS(err, "refers to a map index (pseudo src 5); it must be resolved by the object loader");
	CHECK(load(vm, "call kfunc#5\nexit\n") == NULL);
	CHECK_CONTAINS(err, "kernel functions (kfunc #5) are not supported");
	CHECK(load(vm, "r1 = 0\ngoto +5\nexit\n") == NULL);
	CHECK_CONTAINS(err, "insn 1: jump out of range");
	struct uebpf_code *code = NULL;
	CHECK_EQ(uebpf_code_load(vm, NULL, 0, NULL, &code), -EINVAL);
	CHECK(code == NULL);
	uebpf_vm_free(vm);
}

/* libbpf's poisoned instruction loads where a program cannot reach it,
 * and ends the run as a fault where it does. */
static void test_core_poison_loads_and_faults_when_reached(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	const char *text = "  if r1 == 0 goto +2\n"
			   "  call 195896080\n"
			   "  r0 = 1\n"
			   "  r0 = 2\n"
			   "  exit\n";
	for (int checked = 0; checked < 2; checked++) {
		struct uebpf_code *code = load(vm, text);
		uint64_t r0 = 0;
		struct uebpf_run_opts opts = { .sz = sizeof(opts), .checked = checked,
					       .err_buf = err, .err_size = sizeof(err) };
		CHECK(code != NULL);
		if (!code)
			break;
		CHECK_EQ(uebpf_code_run(code, 0, 0, &opts, &r0), 0);
		CHECK_EQ(r0, 2);
		CHECK_EQ(uebpf_code_run(code, 1, 0, &opts, &r0), -EFAULT);
		CHECK_CONTAINS(err, "CO-RE relocation could not be resolved");
		CHECK_EQ(opts.fault_pc, 1);
		uebpf_code_free(code);
	}
	uebpf_vm_free(vm);
}

static void test_running_past_the_end_is_an_error_in_both_modes(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	for (int checked = 0; checked < 2; checked++) {
		uint64_t r0;
		CHECK_EQ(run(vm, "r0 = 1\nr0 += 1\n", NULL, 0, checked, 0, &r0), -EFAULT);
		CHECK_CONTAINS(err, "insn 2: execution ran past the last instruction");
	}
	uebpf_vm_free(vm);
}

static void test_checked_mode_stops_out_of_bounds_accesses(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	uint8_t mem[16] = { 1, 2, 3, 4 };
	uint64_t r0;
	/* Inside: fine. Last byte: fine. One past: stopped. */
	CHECK_EQ(run(vm, "r0 = *(u8 *)(r1 + 15)\nexit\n", mem, 16, true, UEBPF_MEM_RW, &r0), 0);
	CHECK_EQ(run(vm, "r0 = *(u64 *)(r1 + 8)\nexit\n", mem, 16, true, UEBPF_MEM_RW, &r0), 0);
	CHECK_EQ(run(vm, "r0 = *(u64 *)(r1 + 9)\nexit\n", mem, 16, true, UEBPF_MEM_RW, &r0), -EFAULT);
	CHECK_CONTAINS(err, "insn 0: invalid read of 8 bytes at 0x");
	CHECK_EQ(run(vm, "r0 = *(u8 *)(r1 - 1)\nexit\n", mem, 16, true, UEBPF_MEM_RW, &r0), -EFAULT);
	/* A read-only region takes reads, not writes. */
	CHECK_EQ(run(vm, "r0 = *(u32 *)(r1 + 0)\nexit\n", mem, 16, true, UEBPF_MEM_READ, &r0), 0);
	CHECK_EQ(r0, 0x04030201);
	CHECK_EQ(run(vm, "r0 = 0\n*(u32 *)(r1 + 0) = 1\nexit\n", mem, 16, true, UEBPF_MEM_READ, &r0),
		 -EFAULT);
	CHECK_CONTAINS(err, "insn 1: invalid write of 4 bytes");
	CHECK_EQ(mem[0], 1); /* not written */
	/* Wild pointers and address wrap-around. */
	CHECK_EQ(run(vm, "r1 = 0\nr0 = *(u64 *)(r1 + 0)\nexit\n", mem, 16, true, UEBPF_MEM_RW, &r0),
		 -EFAULT);
	CHECK_EQ(run(vm, "r1 = -1 ll\nr0 = *(u64 *)(r1 + 4)\nexit\n", mem, 16, true, UEBPF_MEM_RW, &r0),
		 -EFAULT);
	/* The stack: r10 - 512 .. r10, not above, not below. */
	CHECK_EQ(run(vm, "*(u64 *)(r10 - 512) = 1\nr0 = *(u64 *)(r10 - 512)\nexit\n", NULL, 0, true, 0,
		     &r0), 0);
	CHECK_EQ(run(vm, "r0 = *(u64 *)(r10 + 0)\nexit\n", NULL, 0, true, 0, &r0), -EFAULT);
	CHECK_EQ(run(vm, "*(u8 *)(r10 - 513) = 1\nr0 = 0\nexit\n", NULL, 0, true, 0, &r0), -EFAULT);
	CHECK_CONTAINS(err, "invalid write of 1 bytes");
	/* A callee's frame is gone after it returns. */
	CHECK_EQ(run(vm, "call f\nr0 = *(u64 *)(r0 + 0)\nexit\nf:\nr0 = r10\nr0 -= 8\n"
			 "*(u64 *)(r0 + 0) = 1\nexit\n", NULL, 0, true, 0, &r0), -EFAULT);
	CHECK_CONTAINS(err, "insn 1: invalid read");
	/* Atomics must be aligned and writable. */
	CHECK_EQ(run(vm, "r2 = 1\nlock *(u32 *)(r1 + 2) += w2\nr0 = 0\nexit\n", mem, 16, true,
		     UEBPF_MEM_RW, &r0), -EFAULT);
	CHECK_CONTAINS(err, "insn 1: misaligned atomic access of 4 bytes");
	CHECK_EQ(run(vm, "r2 = 1\nlock *(u32 *)(r1 + 4) += w2\nr0 = 0\nexit\n", mem, 16, true,
		     UEBPF_MEM_READ, &r0), -EFAULT);
	CHECK_CONTAINS(err, "invalid atomic access of 4 bytes");
	/* Load-acquire only reads, store-release only writes. */
	memcpy(mem, "\x44\x33\x22\x11", 4);
	CHECK_EQ(run(vm, "w0 = load_acquire((u32 *)(r1 + 0))\nexit\n", mem, 16, true,
		     UEBPF_MEM_READ, &r0), 0);
	CHECK_EQ(r0, 0x11223344);
	CHECK_EQ(run(vm, "r2 = 7\nstore_release((u64 *)(r1 + 8), r2)\nr0 = 0\nexit\n", mem, 16,
		     true, UEBPF_MEM_WRITE, &r0), 0);
	CHECK_EQ(mem[8], 7);
	CHECK_EQ(run(vm, "r2 = 7\nstore_release((u64 *)(r1 + 8), r2)\nr0 = 0\nexit\n", mem, 16,
		     true, UEBPF_MEM_READ, &r0), -EFAULT);
	CHECK_CONTAINS(err, "invalid write of 8 bytes");
	CHECK_EQ(run(vm, "w0 = load_acquire((u32 *)(r1 + 2))\nexit\n", mem, 16, true,
		     UEBPF_MEM_READ, &r0), -EFAULT);
	CHECK_CONTAINS(err, "misaligned atomic access of 4 bytes");
	uebpf_vm_free(vm);
}

static uint8_t granted[32];

static uint64_t grant(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
		      struct uebpf_exec *exec)
{
	CHECK(uebpf_exec_checked(exec));
	CHECK_EQ(uebpf_exec_check_mem(exec, granted, 8, UEBPF_MEM_READ), -EFAULT);
	uebpf_exec_add_region(exec, granted, sizeof(granted), UEBPF_MEM_READ);
	CHECK_EQ(uebpf_exec_check_mem(exec, granted, 8, UEBPF_MEM_READ), 0);
	CHECK_EQ(uebpf_exec_check_mem(exec, granted, 8, UEBPF_MEM_WRITE), -EFAULT);
	CHECK_EQ(uebpf_exec_check_mem(exec, granted + 30, 4, UEBPF_MEM_READ), -EFAULT);
	return (uintptr_t)granted;
}

static uint64_t grant_again(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			    uint64_t e, struct uebpf_exec *exec)
{
	uebpf_exec_add_region(exec, granted, sizeof(granted), UEBPF_MEM_READ);
	return (uintptr_t)granted;
}

static void test_helpers_can_grant_memory_in_checked_mode(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	uebpf_vm_set_helper(vm, 1, "grant", grant);
	uebpf_vm_set_helper(vm, 2, "grant_again", grant_again);
	granted[31] = 42;
	uint64_t r0;
	CHECK_EQ(run(vm, "call 1\nr0 = *(u8 *)(r0 + 31)\nexit\n", NULL, 0, true, 0, &r0), 0);
	CHECK_EQ(r0, 42);
	CHECK_EQ(run(vm, "call 1\n*(u8 *)(r0 + 31) = 1\nexit\n", NULL, 0, true, 0, &r0), -EFAULT);
	/* Many grants in one run (the list grows). */
	CHECK_EQ(run(vm, "r6 = 40\nl: call 2\nr6 -= 1\nif r6 != 0 goto l\n"
			 "r0 = *(u8 *)(r0 + 31)\nexit\n", NULL, 0, true, 0, &r0), 0);
	uebpf_vm_free(vm);
}

static void test_checked_mode_counts_and_limits_instructions(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	struct uebpf_code *code = load(vm, "r0 = 0\nl: r0 += 1\nif r0 < 10 goto l\nexit\n");
	struct uebpf_run_opts opts = { .sz = sizeof(opts), .checked = true,
				       .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0;
	CHECK_EQ(uebpf_code_run(code, 0, 0, &opts, &r0), 0);
	CHECK_EQ(opts.insn_count, 1 + 10 * 2 + 1);
	CHECK_EQ(opts.fault_pc, (uint64_t)-1);
	opts.insn_limit = 15;
	CHECK_EQ(uebpf_code_run(code, 0, 0, &opts, &r0), -ELOOP);
	CHECK_CONTAINS(err, "stopped after 15 instructions (the limit)");
	uebpf_code_free(code);

	code = load(vm, "l: goto l\n");
	opts.insn_limit = 0; /* the default */
	CHECK_EQ(uebpf_code_run(code, 0, 0, &opts, &r0), -ELOOP);
	CHECK_EQ(opts.insn_count, UEBPF_DEFAULT_INSN_LIMIT + 1);
	uebpf_code_free(code);
	uebpf_vm_free(vm);
}

static void test_legacy_packet_loads(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	uint8_t pkt[6] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc };
	struct uebpf_run_opts opts = { .sz = sizeof(opts), .packet = pkt, .packet_len = sizeof(pkt) };
	static const struct { const char *text; uint64_t r0; } cases[] = {
		{ "r0 = *(u32 *)skb[0]\nexit\n", 0x12345678 },   /* big-endian */
		{ "r0 = *(u16 *)skb[4]\nexit\n", 0x9abc },
		{ "r0 = *(u8 *)skb[5]\nexit\n", 0xbc },
		{ "r1 = 1\nldindh %r1, 1\nexit\n", 0x5678 },
		{ "r0 = 9\nr0 = *(u32 *)skb[3]\nr0 = 9\nexit\n", 0 }, /* past the end: exit 0 */
		{ "r0 = 9\nr0 = *(u8 *)skb[-1]\nexit\n", 0 },
		{ "r1 = -2\nldindb %r1, 1\nexit\n", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int checked = 0; checked < 2; checked++) {
			struct uebpf_code *code = load(vm, cases[i].text);
			uint64_t r0 = 0xdead;
			opts.checked = checked;
			CHECK_EQ(uebpf_code_run(code, 0, 0, &opts, &r0), 0);
			CHECK_REPORT(r0 == cases[i].r0, "%s-> 0x%lx", cases[i].text, (unsigned long)r0);
			uebpf_code_free(code);
		}
	}
	/* No packet at all: every packet load ends the program with 0. */
	CHECK_EQ(run_ok(vm, "r0 = 5\nr0 = *(u8 *)skb[0]\nexit\n", false), 0);
	uebpf_vm_free(vm);
}

static void test_may_goto_ends_a_loop_after_the_budget(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	const char *text = "r0 = 0\nl: may_goto +2\nr0 += 1\ngoto l\nexit\n";
	CHECK_EQ(run_ok(vm, text, false), UEBPF_MAY_GOTO_BUDGET);
	uebpf_vm_free(vm);
}

static void test_registers_start_zeroed_except_r1_r2_r10(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	CHECK_EQ(run_ok(vm, "r0 = r3\nr0 |= r4\nr0 |= r5\nr0 |= r6\nr0 |= r7\nr0 |= r8\nr0 |= r9\n"
			    "exit\n", false), 0);
	struct uebpf_code *code = load(vm, "r0 = r1\nr0 += r2\nexit\n");
	uint64_t r0;
	CHECK_EQ(uebpf_code_run(code, 40, 2, NULL, &r0), 0);
	CHECK_EQ(r0, 42);
	CHECK_EQ(uebpf_code_run(code, 40, 2, NULL, NULL), -EINVAL);
	CHECK_EQ(uebpf_code_insn_cnt(code), 3);
	uebpf_code_free(code);
	uebpf_vm_free(vm);
}

/* Pairs the normal mode runs as one handler (mov+add, ldxb+lsh, lsh+or,
 * add+jgt, their 32-bit forms, mov32+rsh32, a byte moved) compute what the checked mode computes unfused, and a jump
 * to the second instruction of such a pair runs it alone. */
static void test_fused_pairs_match_the_checked_mode_and_jumps_into_them(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	const char *pairs =
		"r4 = 100\n"
		"r0 = r4\n" "r0 += 3\n"                       /* 103 */
		"r5 = *(u8 *)(r1 + 1)\n" "r5 <<= 8\n"         /* 512 */
		"r6 = 7\n" "r6 <<= 4\n" "r6 |= r5\n"         /* 624 */
		"r0 += r6\n"
		"w5 = *(u8 *)(r1 + 1)\n" "w5 <<= 28\n"        /* 0x20000000 */
		"w6 = 1\n" "w6 <<= 31\n" "w6 |= w5\n"        /* 0xa0000000 */
		"r0 += r6\n"
		"w5 = w6\n" "w5 >>= 28\n"                     /* 10 */
		"r0 += r5\n"
		"r5 = *(u8 *)(r1 + 1)\n" "*(u8 *)(r10 - 1) = r5\n"
		"r6 = *(u8 *)(r10 - 1)\n" "r6 += r5\n"        /* 4 */
		"r0 += r6\n"
		"r7 = 10\n" "r7 += 5\n" "if r7 > r4 goto a\n" /* not taken */
		"r0 += 1000\n"
		"a: r8 = 90\n" "r8 += 20\n" "if r8 > r4 goto b\n" /* taken */
		"r0 += 50000\n"
		"b: exit\n";
	const char *into =
		"r0 = 0\n" "r3 = 1\n"
		"if r3 == 1 goto l1\n"
		"r0 = r3\n" "l1: r0 += 5\n"                     /* 5, not 6 */
		"r2 = 1\n"
		"if r2 == 1 goto l2\n"
		"r2 <<= 4\n" "l2: r2 |= r3\n"                   /* 1, not 17 */
		"r0 += r2\n"
		"r4 = 0\n" "r5 = 3\n"
		"if r5 == 3 goto l3\n"
		"r4 = r5\n" "l3: r4 += 1\n"                     /* 1 */
		"if r4 > r5 goto l4\n"
		"r0 += 100\n"
		"l4: exit\n";
	uint8_t mem[2] = { 0, 2 };
	for (int checked = 0; checked <= 1; checked++) {
		uint64_t r0 = 0;
		CHECK_EQ(run(vm, pairs, mem, sizeof(mem), checked, UEBPF_MEM_READ, &r0), 0);
		CHECK_EQ(r0, 1727 + 0xa0000000ull + 10 + 4);
		CHECK_EQ(run_ok(vm, into, checked), 106);
	}
	uebpf_vm_free(vm);
}

/* Checked mode, programs of a type: reading a register nothing has set
 * (r2 at the start, r1-r5 after a helper call, a caller's r6 in a
 * callee) stops the program, as the verifier would have refused it.
 * Raw programs (no type) may read r2, their memory's length. */
static uint64_t helper_seven(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
			     struct uebpf_exec *ex)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)ex;
	return 7;
}

static void test_checked_mode_stops_reads_of_uninitialised_registers(void)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
		{ "mov %r0, %r2\nexit\n", -EFAULT },
		{ "mov %r0, 1\nmov %r2, 3\nadd %r0, %r2\nexit\n", 0 },
		{ "mov %r1, 1\ncall 7\nmov %r0, %r1\nexit\n", -EFAULT },
		{ "mov %r6, 1\ncall 7\nadd %r0, %r6\nexit\n", 0 },
		{ "exit\n", -EFAULT },
		{ "mov %r6, 1\ncall local +2\nadd %r0, %r6\nexit\nmov %r0, %r6\nexit\n", -EFAULT },
		{ "mov %r6, 1\nmov %r1, 2\ncall local +2\nadd %r0, %r6\nexit\nmov %r0, %r1\nexit\n",
		  0 },
		{ "mov %r1, 2\ncall local +2\nmov %r0, %r1\nexit\nmov %r0, 0\nexit\n", -EFAULT },
		{ "stxdw [%r10-8], %r3\nmov %r0, 0\nexit\n", -EFAULT },
	};
	struct uebpf_vm *vm = uebpf_vm_new();
	CHECK(vm && !uebpf_vm_set_helper(vm, 7, "seven", helper_seven));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uebpf_insn *insns;
		size_t cnt;
		struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
		CHECK_EQ(uebpf_asm(cases[i].text, &insns, &cnt, &ao), 0);
		for (uint32_t type = 0; type < 2; type++) {
			struct uebpf_code *code = NULL;
			struct uebpf_code_opts lo = { .sz = sizeof(lo), .prog_type = type };
			CHECK_EQ(uebpf_code_load(vm, insns, cnt, &lo, &code), 0);
			char why[200] = "";
			struct uebpf_run_opts ro = { .sz = sizeof(ro), .checked = true,
						     .err_buf = why, .err_size = sizeof(why) };
			uint64_t r0 = 0;
			int rc = uebpf_code_run(code, 0, 0, &ro, &r0);
			CHECK_REPORT(rc == (type ? cases[i].rc : 0), "case %zu, type %u: %d (%s)", i,
				     type, rc, why);
			if (rc)
				CHECK_CONTAINS(why, "uninitialised");
			/* the normal mode does not look */
			ro.checked = false;
			CHECK_EQ(uebpf_code_run(code, 0, 0, &ro, &r0), 0);
			uebpf_code_free(code);
		}
		free(insns);
	}
	uebpf_vm_free(vm);
}

int main(void)
{
	RUN(test_call_depth_is_eight_frames);
	RUN(test_calls_preserve_r6_to_r9_and_give_each_frame_its_stack);
	RUN(test_helpers_get_arguments_user_data_and_can_stop_the_program);
	RUN(test_loading_refuses_what_cannot_run);
	RUN(test_core_poison_loads_and_faults_when_reached);
	RUN(test_running_past_the_end_is_an_error_in_both_modes);
	RUN(test_checked_mode_stops_out_of_bounds_accesses);
	RUN(test_helpers_can_grant_memory_in_checked_mode);
	RUN(test_checked_mode_counts_and_limits_instructions);
	RUN(test_legacy_packet_loads);
	RUN(test_may_goto_ends_a_loop_after_the_budget);
	RUN(test_registers_start_zeroed_except_r1_r2_r10);
	RUN(test_fused_pairs_match_the_checked_mode_and_jumps_into_them);
	RUN(test_checked_mode_stops_reads_of_uninitialised_registers);
	return check_summary("engine_interp_test");
}
