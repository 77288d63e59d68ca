/* SPDX-License-Identifier: MIT */
/* The bloom filter: creation rules and sizing, no false negatives, a
 * false-positive rate as the kernel's sizing implies, the user-space
 * commands, push and peek from programs, sharing between processes,
 * threads pushing and peeking at once, and a damaged header. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps/map.h"
#include "tests/check.h"
#include "uebpf/uebpf.h"

static char pin_dir[256];

static int bloom(uint32_t vs, uint32_t max, uint32_t flags, uint64_t extra)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags,
					   .map_extra = extra };
	return uebpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "bloom", 0, vs, max, &o);
}

/* Value number i as size bytes, distinct for distinct i (size >= 8). */
static void value_of(uint8_t *buf, uint32_t size, uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ull ^ 0x5851f42d4c957f2dull;
	for (uint32_t off = 0; off < size; off += 8) {
		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ull;
		x ^= x >> 32;
		uint64_t w = off == 0 ? i : x;
		memcpy(buf + off, &w, size - off < 8 ? size - off : 8);
	}
}

/* Bits of the filter's array, from the segment's data size. */
static uint64_t array_bits(int fd)
{
	struct map *map = map_from_fd(fd);
	return map ? (map->hdr->data_size - 64) * 8 : 0;
}

/* Bits set in the filter's array (after the 64-byte header). */
static uint64_t set_bits(int fd)
{
	struct map *map = map_from_fd(fd);
	const uint64_t *words = (const uint64_t *)(map->data + 64);
	uint64_t n = 0;
	for (uint64_t i = 0; i < array_bits(fd) / 64; i++)
		n += (uint64_t)__builtin_popcountll(words[i]);
	return n;
}

static void test_creation_rules(void)
{
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "b", 4, 4, 1, NULL), -EINVAL);
	CHECK_EQ(bloom(0, 1, 0, 0), -EINVAL);
	CHECK_EQ(bloom(4, 0, 0, 0), -EINVAL);
	CHECK_EQ(bloom(4, 1, 0, 16), -EINVAL);    /* only 4 bits of hashes */
	CHECK_EQ(bloom(4, 1, 0, 0x1f), -EINVAL);
	CHECK_EQ(bloom(4, 1, 0, 1ull << 32), -EINVAL);
	CHECK_EQ(bloom(4194305, 1, 0, 0), -E2BIG); /* before any other check */
	CHECK_EQ(bloom(4194305, 0, BPF_F_MMAPABLE, 16), -E2BIG);
	static const uint32_t refused[] = { BPF_F_NO_PREALLOC, BPF_F_MMAPABLE, BPF_F_INNER_MAP,
					    BPF_F_NO_COMMON_LRU, BPF_F_CLONE, 1u << 20,
					    BPF_F_RDONLY | BPF_F_WRONLY,
					    BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK_EQ(bloom(4, 1, refused[i], 0), -EINVAL);
	static const uint32_t taken[] = { 0, BPF_F_NUMA_NODE, BPF_F_ZERO_SEED, BPF_F_RDONLY,
					  BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG };
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		int fd = bloom(4, 1, taken[i], 15);
		CHECK(fd >= 0);
		uebpf_map_close(fd);
	}
	int fd = bloom(4194304, 1, 0, 7);
	CHECK(fd >= 0);
	struct uebpf_map_info info;
	CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
	CHECK_EQ(info.type, BPF_MAP_TYPE_BLOOM_FILTER);
	CHECK_EQ(info.map_extra, 7);
	CHECK_EQ(info.key_size, 0);
	uebpf_map_close(fd);
}

/* (max_entries * k) / 5 * 7 bits, at least 64, up to a power of two;
 * 2^32 beyond 2^31 or on overflow. */
static void test_sizing(void)
{
	static const struct { uint32_t max; uint64_t extra, bits; } cases[] = {
		{ 1, 0, 64 },           /* 5 hashes: 7 bits */
		{ 9, 0, 64 },           /* 45 / 5 * 7 = 63 */
		{ 10, 0, 128 },         /* 70 */
		{ 49, 1, 64 },
		{ 50, 1, 128 },
		{ 94, 1, 128 },         /* 126 */
		{ 95, 1, 256 },         /* 133 */
		{ 10000, 5, 131072 },   /* 70000 */
		{ 1000, 15, 32768 },    /* 21000 */
		{ 1533916890u, 1, 1ull << 31 }, /* 2^31 - 2 */
		{ 1533916895u, 1, 1ull << 32 }, /* 2^31 + 5 */
		{ 0x80000000u, 2, 1ull << 32 }, /* the product overflows */
		{ 0xffffffffu, 15, 1ull << 32 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = bloom(8, cases[i].max, 0, cases[i].extra);
		CHECK(fd >= 0);
		CHECK_REPORT(array_bits(fd) == cases[i].bits, "max %u k %u: %llu bits, expected %llu",
			     cases[i].max, (unsigned)cases[i].extra,
			     (unsigned long long)array_bits(fd),
			     (unsigned long long)cases[i].bits);
		/* The largest arrays are sparse: using them touches few pages. */
		uint64_t v = 42;
		CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), 0);
		CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), 0);
		uebpf_map_close(fd);
	}
}

/* x^n for a whole n, and a square root: no libm needed. */
static double power(double x, uint64_t n)
{
	double r = 1;
	for (; n; n >>= 1, x *= x)
		if (n & 1)
			r *= x;
	return r;
}

static double square_root(double x)
{
	double r = x > 1 ? x : 1;
	for (int i = 0; i < 60; i++)
		r = (r + x / r) / 2;
	return r;
}

/* Adds n values to a filter sized for max; all must be found; then the
 * rate of false positives among fresh values must be what n, k and the
 * array's size imply. */
static void check_rate(uint32_t vs, uint32_t max, uint32_t n, uint32_t extra, uint32_t flags)
{
	int fd = bloom(vs, max, flags, extra);
	uint32_t k = extra ? extra : 5;
	CHECK(fd >= 0);
	uint8_t v[64];
	for (uint32_t i = 0; i < n; i++) {
		value_of(v, vs, i);
		CHECK_EQ(uebpf_map_update_elem(fd, NULL, v, 0), 0);
	}
	uint32_t missed = 0;
	for (uint32_t i = 0; i < n; i++) {
		value_of(v, vs, i);
		missed += uebpf_map_lookup_elem(fd, NULL, v) != 0;
	}
	CHECK_REPORT(missed == 0, "value_size %u, %u values, %u hashes: %u false negatives", vs,
		     n, k, missed);
	const uint32_t probes = 200000;
	uint32_t fp = 0;
	for (uint32_t i = 0; i < probes; i++) {
		value_of(v, vs, (uint64_t)n + 1000 + i);
		int rc = uebpf_map_lookup_elem(fd, NULL, v);
		CHECK_REPORT(rc == 0 || rc == -ENOENT, "lookup: %d", rc);
		fp += rc == 0;
	}
	/* Each of the k*n bit settings misses a given bit with 1 - 1/m: the
	 * number of bits set. */
	double m = (double)array_bits(fd);
	double q = 1.0 - power(1.0 - 1.0 / m, (uint64_t)k * n);
	uint64_t set = set_bits(fd);
	double set_sigma = square_root(m * q * (1 - q));
	double set_off = set > m * q ? set - m * q : m * q - set;
	CHECK_REPORT(set_off <= 5 * set_sigma + 1, "value_size %u, %u values, %u hashes, %.0f bits: "
		     "%llu bits set, expected %.1f", vs, n, k, m, (unsigned long long)set, m * q);
	/* A fresh value is a false positive when its k bits are all set. */
	double p = power((double)set / m, k);
	double expect = p * probes, sigma = square_root(probes * p * (1 - p));
	double off = fp > expect ? fp - expect : expect - fp;
	CHECK_REPORT(off <= 5 * sigma + 0.03 * expect + 1,
		     "value_size %u, %u values, %u hashes, %.0f bits: %u false positives in %u, "
		     "expected %.1f", vs, n, k, m, fp, probes, expect);
	printf("  value_size %u, %u values, %u hashes, %.0f bits: %.2f%% of the bits set "
	       "(expected %.2f%%), false positives %.4f%% (expected %.4f%%, from the sizing "
	       "alone %.4f%%)\n", vs, n, k, m, 100.0 * set / m, 100 * q, 100.0 * fp / probes,
	       100 * p, 100 * power(q, k));
	uebpf_map_close(fd);
}

static void test_no_false_negatives_and_the_expected_rate(void)
{
	check_rate(8, 10000, 10000, 5, 0);  /* jhash2 */
	check_rate(13, 10000, 10000, 5, 0); /* jhash */
	check_rate(16, 5000, 5000, 1, BPF_F_ZERO_SEED);
	check_rate(12, 3000, 3000, 3, 0);
	check_rate(8, 100, 100, 0, 0);      /* map_extra 0: 5 hashes */
	/* Fuller than sized for, so that many hashes give a measurable rate. */
	check_rate(9, 2000, 8000, 15, 0);
	check_rate(20, 1000, 3000, 8, 0);
}

static void test_user_space_commands(void)
{
	int fd = bloom(4, 100, 0, 0);
	uint32_t v = 1234, w = 1234, key = 0, out = 0;
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_EXIST), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_ANY), 0);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_ANY), 0); /* again: fine */
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &w), 0);
	CHECK_EQ(w, 1234); /* the value is input, not overwritten */
	CHECK_EQ(uebpf_map_lookup_elem_flags(fd, NULL, &w, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, &key, &v, 0), -EINVAL);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &key, &v), -EINVAL);
	CHECK_EQ(uebpf_map_delete_elem(fd, NULL), -EOPNOTSUPP);
	CHECK_EQ(uebpf_map_delete_elem(fd, &key), -EINVAL);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &out), -EOPNOTSUPP);
	CHECK_EQ(uebpf_map_get_next_key(fd, &key, &out), -EINVAL);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, NULL, &out), -ENOTSUPP);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &key, &out), -EINVAL);
	CHECK_EQ(uebpf_map_freeze(fd), 0);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), -EPERM);
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), 0);
	uebpf_map_close(fd);

	fd = bloom(4, 100, BPF_F_RDONLY, 0);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), -EPERM);
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), -ENOENT);
	uebpf_map_close(fd);
	fd = bloom(4, 100, BPF_F_WRONLY, 0);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), -EPERM);
	uebpf_map_close(fd);
}

/* ---- programs ---- */

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
	if (uebpf_code_load(vm, insns, cnt, &lo, &code))
		CHECK_REPORT(0, "loading: %s", err);
	free(insns);
	return code;
}

static int run(struct uebpf_code *code, uint64_t r1, int checked, uint64_t *r0)
{
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = err, .err_size = sizeof(err) };
	return code ? uebpf_code_run(code, r1, 0, &o, r0) : -EINVAL;
}

/* r1 is the 8-byte value; push with flags (the second %d), or peek. */
static const char push_prog[] =
	"*(u64 *)(r10 - 8) = r1\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -8\n"
	"r3 = %d\n"
	"call bpf_map_push_elem\n"
	"exit\n";
static const char peek_prog[] =
	"*(u64 *)(r10 - 8) = r1\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -8\n"
	"call bpf_map_peek_elem\n"
	"exit\n";

static void test_programs_push_and_peek(void)
{
	/* RDONLY: user space may not add, programs may. */
	int fd = bloom(8, 1000, BPF_F_RDONLY, 3);
	struct uebpf_code *push = load(push_prog, fd, 0), *peek = load(peek_prog, fd);
	struct uebpf_code *push_exist = load(push_prog, fd, BPF_EXIST);
	struct uebpf_code *push_lock = load(push_prog, fd, BPF_F_LOCK);
	uint64_t r0 = 1;
	for (int checked = 0; checked < 2; checked++) {
		uint64_t base = 1000 * (uint64_t)(checked + 1);
		for (uint64_t i = 0; i < 300; i++) {
			CHECK_EQ(run(push, base + i, checked, &r0), 0);
			CHECK_EQ(r0, 0);
		}
		uint32_t absent = 0;
		for (uint64_t i = 0; i < 300; i++) {
			CHECK_EQ(run(peek, base + i, checked, &r0), 0);
			CHECK_EQ(r0, 0);
			uint64_t v = base + i;
			CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), 0); /* user space sees it */
			CHECK_EQ(run(peek, base + 500 + i, checked, &r0), 0);
			CHECK(r0 == 0 || r0 == (uint64_t)-ENOENT);
			absent += r0 == (uint64_t)-ENOENT;
		}
		CHECK(absent > 250); /* about 1% false positives */
		CHECK_EQ(run(push_exist, base + 999, checked, &r0), 0);
		CHECK_EQ(r0, (uint64_t)-EINVAL);
		CHECK_EQ(run(push_lock, base + 999, checked, &r0), 0);
		CHECK_EQ(r0, (uint64_t)-EINVAL);
	}
	uebpf_code_free(push);
	uebpf_code_free(peek);
	uebpf_code_free(push_exist);
	uebpf_code_free(push_lock);
	uebpf_map_close(fd);

	/* Values user space adds are seen by programs. */
	fd = bloom(8, 100, 0, 0);
	peek = load(peek_prog, fd);
	uint64_t v = 77;
	CHECK_EQ(run(peek, v, 1, &r0), 0);
	CHECK_EQ(r0, (uint64_t)-ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), 0);
	CHECK_EQ(run(peek, v, 1, &r0), 0);
	CHECK_EQ(r0, 0);
	uebpf_code_free(peek);

	/* Checked mode: the value must be memory the program may read. */
	struct uebpf_code *bad = load("r1 = map[fd:%d]\nr2 = 16\ncall bpf_map_peek_elem\nexit\n",
				      fd);
	CHECK_EQ(run(bad, 0, 1, &r0), -EFAULT);
	CHECK_CONTAINS(err, "not readable");
	uebpf_code_free(bad);
	/* Bloom filters have no element to look up. */
	struct uebpf_code *lookup = load("r1 = map[fd:%d]\nr2 = r10\nr2 += -8\n"
					 "*(u64 *)(r10 - 8) = 77\ncall bpf_map_lookup_elem\nexit\n",
					 fd);
	CHECK_EQ(run(lookup, 0, 1, &r0), 0);
	CHECK_EQ(r0, 0);
	uebpf_code_free(lookup);
	uebpf_map_close(fd);
}

/* ---- sharing ---- */

static void test_shared_between_processes(void)
{
	/* The seed lives in the segment: another process (here a child that
	 * opens the pinned map) hashes alike. */
	int fd = bloom(8, 1000, 0, 0);
	CHECK_EQ(uebpf_obj_pin(fd, "bloom"), 0);
	for (uint64_t i = 0; i < 500; i++)
		CHECK_EQ(uebpf_map_update_elem(fd, NULL, &i, 0), 0);
	pid_t pid = fork();
	if (pid == 0) {
		int other = uebpf_obj_get("bloom");
		int bad = other < 0;
		for (uint64_t i = 0; i < 500 && !bad; i++)
			bad = uebpf_map_lookup_elem(other, NULL, &i) != 0;
		for (uint64_t i = 1000; i < 1500 && !bad; i++)
			bad = uebpf_map_update_elem(other, NULL, &i, 0) != 0;
		_exit(bad);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (uint64_t i = 1000; i < 1500; i++)
		CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &i), 0);
	/* A second fd of this process, opened from the pin: the same map. */
	int again = uebpf_obj_get("bloom");
	CHECK(again >= 0);
	uint64_t v = 1234567;
	CHECK_EQ(uebpf_map_update_elem(again, NULL, &v, 0), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), 0);
	uebpf_map_close(again);
	char path[512];
	snprintf(path, sizeof(path), "%s/bloom", pin_dir);
	unlink(path);
	uebpf_map_close(fd);
}

struct worker {
	int fd, id;
	uint32_t failures;
};

#define PER_THREAD 20000
#define THREADS 4

static void *worker(void *arg)
{
	struct worker *w = arg;
	uint8_t v[12] = { 0 };
	for (uint32_t i = 0; i < PER_THREAD; i++) {
		uint64_t x = (uint64_t)w->id << 32 | i;
		memcpy(v, &x, 8);
		w->failures += uebpf_map_update_elem(w->fd, NULL, v, 0) != 0;
		/* Its own value at once, and an earlier one again. */
		w->failures += uebpf_map_lookup_elem(w->fd, NULL, v) != 0;
		x = (uint64_t)w->id << 32 | (i / 2);
		memcpy(v, &x, 8);
		w->failures += uebpf_map_lookup_elem(w->fd, NULL, v) != 0;
		/* Others' values, present or not: an answer, no crash. */
		x = (uint64_t)((w->id + 1) % THREADS) << 32 | i;
		memcpy(v, &x, 8);
		int rc = uebpf_map_lookup_elem(w->fd, NULL, v);
		w->failures += rc != 0 && rc != -ENOENT;
	}
	return NULL;
}

static void test_threads_push_and_peek_at_once(void)
{
	int fd = bloom(12, THREADS * PER_THREAD, 0, 0);
	pthread_t t[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .fd = fd, .id = i };
		pthread_create(&t[i], NULL, worker, &w[i]);
	}
	uint32_t failures = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		failures += w[i].failures;
	}
	CHECK_EQ(failures, 0);
	uint8_t v[12] = { 0 };
	uint32_t missed = 0;
	for (int id = 0; id < THREADS; id++)
		for (uint32_t i = 0; i < PER_THREAD; i++) {
			uint64_t x = (uint64_t)id << 32 | i;
			memcpy(v, &x, 8);
			missed += uebpf_map_lookup_elem(fd, NULL, v) != 0;
		}
	CHECK_EQ(missed, 0);
	uebpf_map_close(fd);
}

/* Another process scribbling on the shared header must not make us read
 * or write outside the segment. */
static void test_damaged_header(void)
{
	int fd = bloom(8, 10, 0, 1);
	struct map *map = map_from_fd(fd);
	uint64_t v = 5;
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), 0);
	map->hdr->max_entries = 0xffffffff; /* claims 2^32 bits */
	map->hdr->map_extra = 15;
	int errors = 0;
	for (uint64_t i = 0; i < 1000; i++) {
		int rc = uebpf_map_update_elem(fd, NULL, &i, 0);
		errors += rc == -EFAULT;
		CHECK(rc == 0 || rc == -EFAULT);
		rc = uebpf_map_lookup_elem(fd, NULL, &i);
		CHECK(rc == 0 || rc == -ENOENT || rc == -EFAULT);
	}
	CHECK(errors > 0);
	map->hdr->max_entries = 10;
	map->hdr->map_extra = 1;
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), 0);
	uebpf_map_close(fd);
}

int main(void)
{
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-bloom-test-%d", (int)getpid());
	mkdir(pin_dir, 0700);
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	vm = uebpf_vm_new();
	CHECK_EQ(uebpf_vm_add_kernel_helpers(vm), 0);

	RUN(test_creation_rules);
	RUN(test_sizing);
	RUN(test_no_false_negatives_and_the_expected_rate);
	RUN(test_user_space_commands);
	RUN(test_programs_push_and_peek);
	RUN(test_shared_between_processes);
	RUN(test_threads_push_and_peek_at_once);
	RUN(test_damaged_header);

	uebpf_vm_free(vm);
	rmdir(pin_dir);
	return check_summary("bloom_filter_test");
}
