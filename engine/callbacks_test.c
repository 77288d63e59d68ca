/* SPDX-License-Identifier: MIT */
/* bpf_loop and bpf_for_each_map_elem: callbacks into the program. */
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

static uint64_t run(struct uebpf_code *code, uint64_t r1, int checked)
{
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0 = 0xdead;
	int ret = uebpf_code_run(code, r1, 0, &o, &r0);
	return ret ? (uint64_t)ret : r0;
}

/* Sums 0..n-1 into a stack slot through bpf_loop; stops early at index
 * r1 (the callback returns 1 there). Returns sum << 32 | iterations. */
static const char sum_prog[] =
	"  *(u64 *)(r10 - 8) = 0\n"   /* sum */
	"  *(u64 *)(r10 - 16) = r1\n" /* where to stop */
	"  r1 = %d\n"
	"  r2 = func[cb]\n"
	"  r3 = r10\n"
	"  r3 += -16\n"
	"  r4 = 0\n"
	"  call bpf_loop\n"
	"  r1 = *(u64 *)(r10 - 8)\n"
	"  r1 <<= 32\n"
	"  r0 |= r1\n"
	"  exit\n"
	"cb:\n" /* r1 = index, r2 = ctx (r10 - 16 of the caller) */
	"  r3 = *(u64 *)(r2 + 8)\n"
	"  r3 += r1\n"
	"  *(u64 *)(r2 + 8) = r3\n"
	"  r0 = 0\n"
	"  r4 = *(u64 *)(r2 + 0)\n"
	"  if r1 != r4 goto out\n"
	"  r0 = 1\n"
	"out:\n"
	"  exit\n";

static void test_bpf_loop(void)
{
	struct uebpf_code *code = load(sum_prog, 10);
	for (int checked = 0; checked < 2; checked++) {
		CHECK_EQ(run(code, 100, checked), (uint64_t)45 << 32 | 10);
		CHECK_EQ(run(code, 3, checked), (uint64_t)6 << 32 | 4); /* 0+1+2+3, 4 runs */
	}
	uebpf_code_free(code);
	code = load(sum_prog, 0);
	CHECK_EQ(run(code, 100, 1), 0);
	uebpf_code_free(code);
	code = load(sum_prog, (1 << 23) + 1);
	CHECK_EQ((uint32_t)run(code, 100, 1), (uint32_t)-E2BIG);
	uebpf_code_free(code);
	code = load("r1 = 1\nr2 = func[cb]\nr3 = 0\nr4 = 1\ncall bpf_loop\nexit\ncb:\nr0 = 0\nexit\n");
	CHECK_EQ((int64_t)run(code, 0, 1), -EINVAL); /* flags */
	uebpf_code_free(code);
}

static void test_callback_faults_stop_the_run(void)
{
	/* The callback reads outside its memory: the whole run stops. */
	struct uebpf_code *code = load("r1 = 4\nr2 = func[cb]\nr3 = 0\nr4 = 0\n"
				       "call bpf_loop\nr0 = 7\nexit\n"
				       "cb:\nr0 = *(u64 *)(r2 + 0)\nexit\n");
	CHECK_EQ((int64_t)run(code, 0, 1), -EFAULT);
	CHECK_CONTAINS(err, "insn 5: in callback, insn 8: invalid read of 8 bytes");
	uebpf_code_free(code);
	/* A callback that is not a function of the program. */
	code = load("r1 = 1\nr2 = r10\nr3 = 0\nr4 = 0\ncall bpf_loop\nexit\n");
	CHECK_EQ((int64_t)run(code, 0, 1), -EFAULT);
	CHECK_CONTAINS(err, "is not a function of this program");
	uebpf_code_free(code);
}

/* Adds every value of the map to the ctx slot; stops at a value of 99. */
static const char for_each_prog[] =
	"  *(u64 *)(r10 - 8) = 0\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = func[cb]\n"
	"  r3 = r10\n"
	"  r3 += -8\n"
	"  r4 = 0\n"
	"  call bpf_for_each_map_elem\n"
	"  r1 = *(u64 *)(r10 - 8)\n"
	"  r1 <<= 32\n"
	"  r0 |= r1\n"
	"  exit\n"
	"cb:\n" /* r1 = map, r2 = key, r3 = value, r4 = ctx */
	"  r5 = *(u64 *)(r3 + 0)\n"
	"  r6 = *(u64 *)(r4 + 0)\n"
	"  r6 += r5\n"
	"  *(u64 *)(r4 + 0) = r6\n"
	"  r5 += 1000\n"
	"  *(u64 *)(r3 + 0) = r5\n" /* the callback may change the value */
	"  r0 = 0\n"
	"  if r5 != 1099 goto out\n"
	"  r0 = 1\n"
	"out:\n"
	"  exit\n";

static void test_for_each_map_elem(void)
{
	int types[2] = { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH };
	for (int t = 0; t < 2; t++) {
		int fd = uebpf_map_create(types[t], "m", 4, 8, 8, NULL);
		for (uint32_t k = 0; k < 5; k++) {
			uint64_t v = k + 1;
			uebpf_map_update_elem(fd, &k, &v, 0);
		}
		struct uebpf_code *code = load(for_each_prog, fd);
		uint64_t r = run(code, 0, 1);
		/* array: 8 elements (3 zero), hash: 5 */
		CHECK_EQ(r, (uint64_t)15 << 32 | (t == 0 ? 8 : 5));
		uint32_t k = 2;
		uint64_t v = 0;
		uebpf_map_lookup_elem(fd, &k, &v);
		CHECK_EQ(v, 1003);
		/* Stopping: a value of 99 ends the walk right after it. */
		k = 0;
		v = 99;
		uebpf_map_update_elem(fd, &k, &v, 0);
		r = run(code, 0, 0);
		CHECK(r >> 32 >= 99 && (uint32_t)r <= (uint32_t)(t == 0 ? 8 : 5));
		uebpf_code_free(code);
		uebpf_map_close(fd);
	}
	int q = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "r", 0, 0, 4096, NULL);
	struct uebpf_code *code = load(for_each_prog, q);
	CHECK_EQ((int32_t)run(code, 0, 0), -524); /* not for this map type */
	uebpf_code_free(code);
	uebpf_map_close(q);
}

int main(void)
{
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);
	RUN(test_bpf_loop);
	RUN(test_callback_faults_stop_the_run);
	RUN(test_for_each_map_elem);
	uebpf_vm_free(vm);
	return check_summary("callbacks_test");
}
