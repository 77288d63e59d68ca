/* SPDX-License-Identifier: MIT */
/* Program arrays and bpf_tail_call: the kernel's rules and limits. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "uebpf/uebpf.h"
#include "tests/check.h"

static struct uebpf_vm *vm;
static char err[300];

static struct uebpf_code *load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct uebpf_code *load(const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_asm(text, &insns, &cnt, &ao)) {
		CHECK_REPORT(0, "assembling: %s", err);
		return NULL;
	}
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = err, .err_size = sizeof(err) };
	CHECK_REPORT(uebpf_code_load(vm, insns, cnt, &lo, &code) == 0, "load: %s", err);
	free(insns);
	return code;
}

static uint64_t run(struct uebpf_code *code, int checked)
{
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0 = 0xdead;
	int ret = uebpf_code_run(code, 0, 0, &o, &r0);
	return ret ? (uint64_t)ret : r0;
}

static void test_program_array_commands(void)
{
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 8, 4, NULL), -EINVAL);
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = BPF_F_RDONLY_PROG };
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 4, &o), -EINVAL);
	int pa = uebpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 4, NULL);
	CHECK(pa >= 0);
	uint32_t k = 1, v, next;
	int other = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 1, NULL);
	v = (uint32_t)other; /* an fd, but not a program's */
	CHECK_EQ(uebpf_map_update_elem(pa, &k, &v, BPF_ANY), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(pa, &k, &v, BPF_NOEXIST), -EINVAL);
	v = 100000;
	CHECK_EQ(uebpf_map_update_elem(pa, &k, &v, BPF_ANY), -EBADF);
	k = 4;
	CHECK_EQ(uebpf_map_update_elem(pa, &k, &v, BPF_ANY), -E2BIG);
	k = 1;
	CHECK_EQ(uebpf_map_lookup_elem(pa, &k, &v), -ENOENT);
	struct uebpf_code *code = load("r0 = 7\nexit\n");
	CHECK_EQ(uebpf_prog_array_set(pa, 1, code), 0);
	CHECK_EQ(uebpf_prog_array_set(pa, 9, code), -E2BIG);
	CHECK_EQ(uebpf_prog_array_set(other, 0, code), -EINVAL);
	CHECK_EQ(uebpf_map_lookup_elem(pa, &k, &v), 0);
	CHECK(v != 0); /* the program's id */
	CHECK_EQ(uebpf_map_get_next_key(pa, NULL, &next), 0);
	CHECK_EQ(next, 0); /* array-style walk, occupied or not */
	CHECK_EQ(uebpf_map_delete_elem(pa, &k), 0);
	CHECK_EQ(uebpf_map_delete_elem(pa, &k), -ENOENT);
	k = 4;
	CHECK_EQ(uebpf_map_delete_elem(pa, &k), -E2BIG);
	uebpf_code_free(code);
	uebpf_map_close(other);
	uebpf_map_close(pa);
}

/* r0 = 1, tail call to slot r6 (from r1); if it falls through, r0 = 2. */
static const char caller[] =
	"r6 = r1\n"
	"r1 = 0\n"
	"r2 = map[fd:%d]\n"
	"r3 = %d\n"
	"call bpf_tail_call\n"
	"r0 = 2\n"
	"exit\n";

static void test_tail_calls_replace_the_program_or_fall_through(void)
{
	int pa = uebpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 4, NULL);
	struct uebpf_code *target = load("r0 = 42\nexit\n");
	struct uebpf_code *hit = load(caller, pa, 1), *miss = load(caller, pa, 2),
			  *out = load(caller, pa, 4), *huge = load(caller, pa, -1);
	uebpf_prog_array_set(pa, 1, target);
	for (int checked = 0; checked < 2; checked++) {
		CHECK_EQ(run(hit, checked), 42);
		CHECK_EQ(run(miss, checked), 2); /* empty slot */
		CHECK_EQ(run(out, checked), 2);  /* index out of range */
		CHECK_EQ(run(huge, checked), 2);
	}
	/* The slot holds the program after its owner let go of it. */
	uebpf_code_free(target);
	CHECK_EQ(run(hit, 0), 42);
	/* Closing the array's fd empties it, though programs still hold it. */
	uebpf_map_close(pa);
	CHECK_EQ(run(hit, 0), 2);
	uebpf_code_free(hit);
	uebpf_code_free(miss);
	uebpf_code_free(out);
	uebpf_code_free(huge);
}

static void test_at_most_33_tail_calls(void)
{
	int pa = uebpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 1, NULL);
	int counter = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "cnt", 4, 8, 1, NULL);
	/* Counts its runs, then calls itself. */
	struct uebpf_code *self = load("r6 = r1\n"
				       "r1 = map[fd:%d][0]+0\n"
				       "r2 = 1\n"
				       "lock *(u64 *)(r1 + 0) += r2\n"
				       "r1 = r6\n"
				       "r2 = map[fd:%d]\n"
				       "r3 = 0\n"
				       "call bpf_tail_call\n"
				       "r0 = 0\n"
				       "exit\n", counter, pa);
	uebpf_prog_array_set(pa, 0, self);
	for (int checked = 0; checked < 2; checked++) {
		uint32_t k = 0;
		uint64_t zero = 0, runs = 0;
		uebpf_map_update_elem(counter, &k, &zero, 0);
		CHECK_EQ(run(self, checked), 0);
		uebpf_map_lookup_elem(counter, &k, &runs);
		CHECK_EQ(runs, 34); /* the first run and 33 tail calls, as in the kernel */
	}
	uebpf_code_free(self);
	uebpf_map_close(pa);
	uebpf_map_close(counter);
}

static void test_tail_call_from_a_subprogram_replaces_it(void)
{
	int pa = uebpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 1, NULL);
	struct uebpf_code *target = load("r0 = 5\nexit\n");
	uebpf_prog_array_set(pa, 0, target);
	/* main calls f; f tail-calls target; target's r0 comes back to main
	 * as f's result, and main goes on. */
	struct uebpf_code *main_prog = load("r6 = 100\n"
					    "call f\n"
					    "r0 += r6\n"
					    "exit\n"
					    "f:\n"
					    "r2 = map[fd:%d]\n"
					    "r3 = 0\n"
					    "call bpf_tail_call\n"
					    "r0 = 9\n"
					    "exit\n", pa);
	CHECK_EQ(run(main_prog, 0), 105);
	CHECK_EQ(run(main_prog, 1), 105);
	uebpf_code_free(main_prog);
	uebpf_code_free(target);
	uebpf_map_close(pa);
}

static void test_checked_mode_wants_a_program_array(void)
{
	int arr = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 1, NULL);
	struct uebpf_code *bad = load(caller, arr, 0);
	CHECK_EQ((int64_t)run(bad, 1), -EFAULT);
	CHECK_CONTAINS(err, "insn 5: R2 is not a program array of this program");
	uebpf_code_free(bad);
	uebpf_map_close(arr);
}

int main(void)
{
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);
	RUN(test_program_array_commands);
	RUN(test_tail_calls_replace_the_program_or_fall_through);
	RUN(test_at_most_33_tail_calls);
	RUN(test_tail_call_from_a_subprogram_replaces_it);
	RUN(test_checked_mode_wants_a_program_array);
	uebpf_vm_free(vm);
	return check_summary("tail_call_test");
}
