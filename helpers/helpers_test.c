/* SPDX-License-Identifier: MIT */
/* Helpers, run from programs: maps (incl. from many threads and from two
 * processes at once), global data, the checked mode's rules for helper
 * arguments, and the general helpers. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uebpf/uebpf.h"
#include "tests/check.h"

static char err[300];
static struct uebpf_vm *vm;

/* Assembles a printf-style program text and loads it. */
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
	uebpf_code_load(vm, insns, cnt, &lo, &code);
	free(insns);
	return code;
}

static int run(struct uebpf_code *code, uint64_t r1, int checked, uint64_t *r0)
{
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = err, .err_size = sizeof(err) };
	return uebpf_code_run(code, r1, 0, &o, r0);
}

/* Counts hits per key r1 in a hash map: insert 1 on a miss, add 1
 * atomically on a hit. Returns the count seen before. */
static const char count_prog[] =
	"  *(u64 *)(r10 - 8) = r1\n"
	"again:\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -8\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto miss\n"
	"  r1 = 1\n"
	"  r1 = atomic_fetch_add((u64 *)(r0 + 0), r1)\n"
	"  r0 = r1\n"
	"  exit\n"
	"miss:\n"
	"  *(u64 *)(r10 - 16) = 1\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -8\n"
	"  r3 = r10\n"
	"  r3 += -16\n"
	"  r4 = 1\n" /* BPF_NOEXIST */
	"  call bpf_map_update_elem\n"
	"  if r0 != 0 goto again\n" /* another thread inserted it first */
	"  exit\n";

static void test_programs_count_in_a_hash_map(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_HASH, "counts", 8, 8, 64, NULL);
	struct uebpf_code *code = load(count_prog, fd, fd);
	CHECK(code != NULL);
	uint64_t r0;
	for (int checked = 0; checked < 2; checked++) {
		for (uint64_t k = 0; k < 10; k++)
			for (uint64_t i = 0; i <= k; i++)
				CHECK_EQ(run(code, k + 100 * (uint64_t)checked, checked, &r0), 0);
	}
	for (uint64_t k = 0; k < 10; k++) {
		uint64_t v = 0, key = k + 100;
		CHECK_EQ(uebpf_map_lookup_elem(fd, &key, &v), 0);
		CHECK_EQ(v, k + 1);
	}
	/* The program holds the map: closing the fd does not free it. */
	uebpf_map_close(fd);
	CHECK_EQ(run(code, 5, 0, &r0), 0);
	CHECK_EQ(r0, 6);
	uebpf_code_free(code);
}

struct thread_arg {
	struct uebpf_code *code;
	uint64_t key;
	int checked;
	int failures;
};

static void *count_thread(void *p)
{
	struct thread_arg *a = p;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = a->checked };
	uint64_t r0;
	for (int i = 0; i < 20000; i++)
		a->failures += uebpf_code_run(a->code, a->key + (uint64_t)(i % 4), 0, &o, &r0) != 0;
	return NULL;
}

/* Atomic adds from programs on many threads lose nothing. */
static void test_atomic_adds_from_threads_lose_nothing(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_HASH, "counts", 8, 8, 64, NULL);
	struct uebpf_code *code = load(count_prog, fd, fd);
	pthread_t t[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ code, 1000, i % 2, 0 };
		pthread_create(&t[i], NULL, count_thread, &args[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(args[i].failures, 0);
	}
	uint64_t total = 0;
	for (uint64_t k = 1000; k < 1004; k++) {
		uint64_t v = 0;
		CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
		total += v;
	}
	CHECK_EQ(total, 4 * 20000);
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

/* Two processes run the program on one pinned map at once. */
static void test_two_processes_share_a_pinned_map(void)
{
	char dir[128], path[256];
	snprintf(dir, sizeof(dir), "/tmp/uebpf-helpers-test-%d", (int)getpid());
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .pin_dir = dir };
	int fd = uebpf_map_create(BPF_MAP_TYPE_HASH, "shared", 8, 8, 64, &opts);
	snprintf(path, sizeof(path), "%s/counts", dir);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	pid_t pids[2];
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			int cfd = uebpf_obj_get(path);
			struct uebpf_code *code = cfd >= 0 ? load(count_prog, cfd, cfd) : NULL;
			struct thread_arg a = { code, 7, 0, code == NULL };
			if (code)
				count_thread(&a);
			_exit(a.failures ? 1 : 0);
		}
	}
	for (int p = 0; p < 2; p++) {
		int status;
		waitpid(pids[p], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	uint64_t total = 0;
	for (uint64_t k = 7; k < 11; k++) {
		uint64_t v = 0;
		CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
		total += v;
	}
	CHECK_EQ(total, 2 * 20000);
	unlink(path);
	rmdir(dir);
	uebpf_map_close(fd);
}

static void test_global_data_and_read_only_values(void)
{
	/* .data-like: one-element array addressed directly. */
	struct uebpf_map_create_opts ro = { .sz = sizeof(ro), .map_flags = BPF_F_RDONLY_PROG };
	int data = uebpf_map_create(BPF_MAP_TYPE_ARRAY, ".data", 4, 16, 1, NULL);
	int rodata = uebpf_map_create(BPF_MAP_TYPE_ARRAY, ".rodata", 4, 16, 1, &ro);
	uint32_t zero = 0;
	uint64_t init[2] = { 40, 2 };
	uebpf_map_update_elem(rodata, &zero, init, 0);
	struct uebpf_code *code = load("r1 = map[fd:%d][0]+8\n"
				       "r2 = *(u64 *)(r1 + 0)\n"       /* rodata + 8 = 2 */
				       "r1 = map[fd:%d][0]+0\n"
				       "r0 = *(u64 *)(r1 + 0)\n"       /* rodata + 0 = 40 */
				       "r0 += r2\n"
				       "r3 = map[fd:%d][0]+8\n"
				       "*(u64 *)(r3 + 0) = r0\n"       /* data + 8 = 42 */
				       "exit\n", rodata, rodata, data);
	uint64_t r0 = 0, out[2] = { 0 };
	CHECK_EQ(run(code, 0, 1, &r0), 0);
	CHECK_EQ(r0, 42);
	CHECK_EQ(uebpf_map_lookup_elem(data, &zero, out), 0);
	CHECK_EQ(out[1], 42);
	uebpf_code_free(code);

	/* Writing to a read-only-for-programs value through a lookup's
	 * pointer is stopped in checked mode. */
	code = load("*(u32 *)(r10 - 4) = 0\n"
		    "r1 = map[fd:%d]\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "call bpf_map_lookup_elem\n"
		    "if r0 == 0 goto out\n"
		    "*(u64 *)(r0 + 0) = 7\n"
		    "out:\n"
		    "exit\n", rodata);
	CHECK_EQ(run(code, 0, 1, &r0), -EFAULT);
	CHECK_CONTAINS(err, "insn 7: invalid write of 8 bytes");
	uebpf_code_free(code);

	CHECK(load("r1 = map[fd:%d][0]+16\nexit\n", data) == NULL);
	CHECK_CONTAINS(err, "offset 16 is past the map's 16-byte value");
	int hash = uebpf_map_create(BPF_MAP_TYPE_HASH, "h", 4, 4, 4, NULL);
	CHECK(load("r1 = map[fd:%d][0]+0\nexit\n", hash) == NULL);
	CHECK_CONTAINS(err, "direct value access needs an array map of one element");
	uebpf_map_close(hash);
	uebpf_map_close(data);
	uebpf_map_close(rodata);
}

static void test_checked_mode_validates_helper_arguments(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_HASH, "h", 8, 8, 4, NULL);
	uint64_t r0;
	/* A key pointer outside the program's memory. */
	struct uebpf_code *code = load("r1 = map[fd:%d]\nr2 = 16\ncall bpf_map_lookup_elem\nexit\n", fd);
	CHECK_EQ(run(code, 0, 1, &r0), -EFAULT);
	CHECK_CONTAINS(err, "insn 3: map key: 8 bytes at 0x10 are not readable");
	uebpf_code_free(code);
	/* Something that is not one of the program's maps. */
	code = load("r1 = r10\nr2 = r10\nr2 += -8\n*(u64 *)(r10 - 8) = 0\n"
		    "call bpf_map_lookup_elem\nexit\n");
	CHECK_EQ(run(code, 0, 1, &r0), -EFAULT);
	CHECK_CONTAINS(err, "insn 4: R1 is not a map of this program");
	uebpf_code_free(code);
	/* A helper's destination must be writable. */
	code = load("r1 = 8\nr2 = 16\ncall bpf_get_current_comm\nexit\n");
	CHECK_EQ(run(code, 0, 1, &r0), -EFAULT);
	CHECK_CONTAINS(err, "helper destination: 16 bytes at 0x8 are not writable");
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

struct locked_arg {
	struct uebpf_code *code;
	int fails;
};

static void *locked_adds(void *p)
{
	struct locked_arg *a = p;
	uint64_t r0;
	for (int i = 0; i < 20000; i++)
		a->fails += uebpf_code_run(a->code, 0, 0, NULL, &r0) != 0;
	return NULL;
}

/* Two plain (not atomic) additions under bpf_spin_lock from four threads
 * lose nothing, and the value's two halves stay equal. */
static void test_spin_lock_guards_plain_updates(void)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .value_has_spin_lock = true,
					   .spin_lock_off = 0 };
	int fd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "locked", 4, 24, 1, &o);
	struct uebpf_code *code = load("*(u32 *)(r10 - 4) = 0\n"
				       "r1 = map[fd:%d]\nr2 = r10\nr2 += -4\n"
				       "call bpf_map_lookup_elem\nif r0 == 0 goto out\n"
				       "r6 = r0\nr1 = r0\ncall bpf_spin_lock\n"
				       "r1 = *(u64 *)(r6 + 8)\nr1 += 1\n*(u64 *)(r6 + 8) = r1\n"
				       "r1 = *(u64 *)(r6 + 16)\nr1 += 1\n*(u64 *)(r6 + 16) = r1\n"
				       "r1 = r6\ncall bpf_spin_unlock\nout:\nr0 = 0\nexit\n", fd);
	pthread_t t[4];
	struct locked_arg a[4];
	for (int i = 0; i < 4; i++) {
		a[i] = (struct locked_arg){ code, 0 };
		pthread_create(&t[i], NULL, locked_adds, &a[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(a[i].fails, 0);
	}
	uint32_t k = 0;
	uint64_t v[3];
	CHECK_EQ(uebpf_map_lookup_elem_flags(fd, &k, v, BPF_F_LOCK), 0);
	CHECK_EQ(v[1], 4 * 20000);
	CHECK_EQ(v[2], 4 * 20000);
	uebpf_code_free(code);
	/* A lock that is not in a map value: stopped in checked mode. */
	code = load("r1 = r10\nr1 += -8\ncall bpf_spin_lock\nr0 = 0\nexit\n");
	uint64_t r0;
	CHECK_EQ(run(code, 0, 1, &r0), 0); /* the stack is writable: allowed */
	uebpf_code_free(code);
	code = load("r1 = 16\ncall bpf_spin_lock\nr0 = 0\nexit\n");
	CHECK_EQ(run(code, 0, 1, &r0), -EFAULT);
	CHECK_CONTAINS(err, "is not a spin lock in a map value");
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

static void test_program_updates_of_per_cpu_values(void)
{
	int ncpus = uebpf_num_possible_cpus();
	int fd = uebpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "pc", 4, 8, 4, NULL);
	struct uebpf_code *code = load("*(u32 *)(r10 - 4) = 1\n*(u64 *)(r10 - 16) = 77\n"
				       "r1 = map[fd:%d]\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\n"
				       "r4 = 0\ncall bpf_map_update_elem\nexit\n", fd);
	uint64_t r0;
	CHECK_EQ(run(code, 0, 0, &r0), 0);
	CHECK_EQ(r0, 0);
	uint64_t *vals = calloc((size_t)ncpus, 8);
	uint32_t k = 1;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, vals), 0);
	/* This CPU's copy has the value, the others were zeroed. */
	int set = 0;
	for (int c = 0; c < ncpus; c++) {
		CHECK(vals[c] == 0 || vals[c] == 77);
		set += vals[c] == 77;
	}
	CHECK_EQ(set, 1);
	free(vals);
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

/* Array lookups, which the normal interpreter does inline: the value's
 * address (this CPU's copy for per-CPU arrays) for a key in range, NULL
 * past the end, the same answers as the helper gives in checked mode. */
static void test_array_lookups_in_both_modes(void)
{
	int ncpus = uebpf_num_possible_cpus();
	for (int percpu = 0; percpu <= 1; percpu++) {
		int fd = uebpf_map_create(percpu ? BPF_MAP_TYPE_PERCPU_ARRAY : BPF_MAP_TYPE_ARRAY,
					  "arr", 4, 12, 5, NULL);
		uint64_t *vals = calloc((size_t)ncpus, 16);
		for (uint32_t k = 0; k < 5; k++) {
			for (int c = 0; c < (percpu ? ncpus : 1); c++)
				vals[c * 2] = 1000 * k + (uint64_t)c;
			CHECK_EQ(uebpf_map_update_elem(fd, &k, vals, 0), 0);
		}
		/* r0 = value's first word + the CPU the program reports, or
		 * 0xfff when the lookup says no. */
		struct uebpf_code *code = load(
			"*(u32 *)(r10 - 4) = r1\nr1 = map[fd:%d]\nr2 = r10\nr2 += -4\n"
			"call bpf_map_lookup_elem\nif r0 == 0 goto none\nr6 = *(u64 *)(r0 + 0)\n"
			"call bpf_get_smp_processor_id\nr0 <<= 32\nr0 |= r6\nexit\n"
			"none:\nr0 = 0xfff\nexit\n", fd);
		for (uint32_t k = 0; k < 7; k++) {
			for (int checked = 0; checked <= 1; checked++) {
				uint64_t r0 = 0;
				CHECK_EQ(run(code, k, checked, &r0), 0);
				if (k >= 5) {
					CHECK_EQ(r0, 0xfff);
					continue;
				}
				uint32_t cpu = (uint32_t)(r0 >> 32);
				CHECK_EQ((uint32_t)r0, 1000 * k + (percpu ? cpu % (uint32_t)ncpus : 0));
			}
		}
		free(vals);
		uebpf_code_free(code);
		uebpf_map_close(fd);
	}
}

static uint64_t run_text(const char *text, uint64_t r1)
{
	struct uebpf_code *code = load("%s", text);
	uint64_t r0 = 0xdead;
	CHECK_REPORT(code && run(code, r1, 1, &r0) == 0, "%s: %s", text, err);
	uebpf_code_free(code);
	return r0;
}

static void test_general_helpers(void)
{
	uint64_t t1 = run_text("call bpf_ktime_get_ns\nexit\n", 0);
	uint64_t t2 = run_text("call bpf_ktime_get_ns\nexit\n", 0);
	CHECK(t1 > 0 && t2 >= t1);
	CHECK(run_text("call bpf_ktime_get_boot_ns\nexit\n", 0) >= t1);
	CHECK(run_text("call bpf_jiffies64\nexit\n", 0) > 0);
	CHECK_EQ(run_text("call bpf_get_current_pid_tgid\nexit\n", 0),
		 (uint64_t)getpid() << 32 | (uint64_t)gettid());
	CHECK_EQ(run_text("call bpf_get_current_uid_gid\nexit\n", 0),
		 (uint64_t)getgid() << 32 | (uint64_t)getuid());
	CHECK(run_text("call bpf_get_smp_processor_id\nexit\n", 0) <
	      (uint64_t)uebpf_num_possible_cpus());
	uint64_t r1 = run_text("call bpf_get_prandom_u32\nexit\n", 0);
	uint64_t r2 = run_text("call bpf_get_prandom_u32\nexit\n", 0);
	CHECK(r1 != r2 && r1 <= UINT32_MAX);

	prctl(PR_SET_NAME, "helpers_test");
	CHECK_EQ(run_text("r1 = r10\nr1 += -16\nr2 = 16\ncall bpf_get_current_comm\n"
			  "r0 = *(u64 *)(r10 - 16)\nexit\n", 0),
		 *(const uint64_t *)"helpers_");

	/* probe_read_user: a readable address, and a bad one (zeroed). */
	static uint64_t secret = 0x5ec2e7;
	/* A bad address: -EFAULT, and the destination is cleared. */
	CHECK_EQ(run_text("*(u64 *)(r10 - 8) = -1\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\n"
			  "call bpf_probe_read_user\nr0 = *(u64 *)(r10 - 8)\nexit\n", 0), 0);
	char text[512];
	snprintf(text, sizeof(text), "r3 = 0x%lx ll\nr1 = r10\nr1 += -8\nr2 = 8\n"
		 "call bpf_probe_read_user\nif r0 != 0 goto out\nr0 = *(u64 *)(r10 - 8)\nout:\nexit\n",
		 (unsigned long)(uintptr_t)&secret);
	CHECK_EQ(run_text(text, 0), 0x5ec2e7);
	CHECK_EQ((int64_t)run_text("r3 = 8\nr1 = r10\nr1 += -8\nr2 = 8\n"
				   "call bpf_probe_read_kernel\nexit\n", 0), -EFAULT);
	/* probe_read_user_str: length with the NUL; a long string is cut. */
	static const char hello[] = "hello";
	snprintf(text, sizeof(text), "r3 = 0x%lx ll\nr1 = r10\nr1 += -16\nr2 = 16\n"
		 "call bpf_probe_read_user_str\nexit\n", (unsigned long)(uintptr_t)hello);
	CHECK_EQ(run_text(text, 0), 6);
	snprintf(text, sizeof(text), "r3 = 0x%lx ll\nr1 = r10\nr1 += -16\nr2 = 4\n"
		 "call bpf_probe_read_user_str\nr1 = *(u32 *)(r10 - 16)\nr0 <<= 32\nr0 |= r1\n"
		 "exit\n", (unsigned long)(uintptr_t)hello);
	CHECK_EQ(run_text(text, 0), (uint64_t)4 << 32 | 0x006c6568); /* "hel\0" */
	CHECK_EQ((int64_t)run_text("r3 = 0\nr1 = r10\nr1 += -16\nr2 = 16\n"
				   "call bpf_probe_read_user_str\nexit\n", 0), -EFAULT);
}

int main(void)
{
	vm = uebpf_vm_new();
	CHECK_EQ(uebpf_vm_add_kernel_helpers(vm), 0);
	RUN(test_programs_count_in_a_hash_map);
	RUN(test_atomic_adds_from_threads_lose_nothing);
	RUN(test_two_processes_share_a_pinned_map);
	RUN(test_global_data_and_read_only_values);
	RUN(test_checked_mode_validates_helper_arguments);
	RUN(test_program_updates_of_per_cpu_values);
	RUN(test_spin_lock_guards_plain_updates);
	RUN(test_array_lookups_in_both_modes);
	RUN(test_general_helpers);
	uebpf_vm_free(vm);
	return check_summary("helpers_test");
}
