/* SPDX-License-Identifier: MIT */
/* Perf event arrays: the syscall rules, the kernel's record layout read
 * straight from a ring, lost samples, wrap-around, checked programs, and
 * perf buffers fed by threads, by another process and read by another
 * process, with wake-ups. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uebpf/perf_buffer.h"
#include "uebpf/uebpf.h"
#include "tests/check.h"

static struct uebpf_vm *vm;
static char err[300];
static int ncpus;

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

/* bpf_perf_event_output(ctx, map, flags, r1 (data), r2 (size)). */
static const char output_prog[] =
	"r4 = r1\n"
	"r5 = r2\n"
	"r2 = map[fd:%d]\n"
	"r3 = %llu ll\n"
	"call bpf_perf_event_output\n"
	"exit\n";

/* Runs code (checked) over size bytes at data; returns r0 as an int. */
static int output(struct uebpf_code *code, const void *data, size_t size)
{
	struct uebpf_region reg = { data, size, UEBPF_MEM_READ };
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = true, .regions = &reg,
				    .region_cnt = 1, .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0 = 0;
	int rc = uebpf_code_run(code, (uintptr_t)data, size, &o, &r0);
	if (rc) {
		CHECK_REPORT(0, "run: %s", err);
		return rc;
	}
	return (int)r0;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void unpin(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int i = 0; i < ncpus && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int create(uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };
	return uebpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "events", 4, 4, max, &o);
}

static void test_creation_and_syscall_rules(void)
{
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "e", 8, 4, 4, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "e", 4, 8, 4, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "e", 4, 4, 0, NULL), -EINVAL);
	CHECK_EQ(create(4, BPF_F_RDONLY_PROG), -EINVAL);
	CHECK_EQ(create(4, BPF_F_MMAPABLE), -EINVAL);
	CHECK_EQ(create(4, BPF_F_INNER_MAP), -EINVAL);
	int pfd = create(4, BPF_F_PRESERVE_ELEMS);
	CHECK(pfd >= 0);
	uebpf_map_close(pfd);

	int fd = create(4, 0);
	int ev = uebpf_perf_event_open(-1, 1);
	CHECK(ev >= 0);
	int other = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 1, NULL);
	int pipefd[2];
	CHECK_EQ(pipe(pipefd), 0);
	uint32_t k = 1, v;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, BPF_EXIST), -EINVAL);
	k = 4;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 0), -E2BIG);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 1), -EINVAL); /* flags first */
	k = 1;
	int bad[] = { -1, 999, other, pipefd[0], 0 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(uebpf_map_update_elem(fd, &k, &bad[i], 0), -EBADF);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 0), 0);
	k = 2;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 0), 0); /* one event in two slots */
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -524);
	k = 0;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -524); /* empty too */
	k = 9;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -524); /* and out of range */
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &k, &v), -524);
	k = 4;
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -E2BIG);
	k = 0;
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -ENOENT);
	k = 1;
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), 0);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -ENOENT);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &v), 0);
	CHECK_EQ(v, 0);
	k = 2;
	CHECK_EQ(uebpf_map_get_next_key(fd, &k, &v), 0);
	CHECK_EQ(v, 3);
	k = 3;
	CHECK_EQ(uebpf_map_get_next_key(fd, &k, &v), -ENOENT);
	k = 77;
	CHECK_EQ(uebpf_map_get_next_key(fd, &k, &v), 0);
	CHECK_EQ(v, 0);
	uint32_t keys[2] = { 0, 1 }, vals[2], count = 2;
	CHECK_EQ(uebpf_map_lookup_batch(fd, NULL, &k, keys, vals, &count, NULL), -524);
	CHECK_EQ(uebpf_map_update_batch(fd, keys, vals, &count, NULL), -524);
	CHECK_EQ(uebpf_map_freeze(fd), 0);
	k = 2;
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -EPERM);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 0), -EPERM);
	errno = 0;
	CHECK(uebpf_perf_buffer_new(fd, 1, NULL, NULL, NULL) == NULL && errno == EPERM);
	/* Events: CPU and page count. */
	CHECK_EQ(uebpf_perf_event_open(-2, 1), -EINVAL);
	CHECK_EQ(uebpf_perf_event_open(ncpus, 1), -EINVAL);
	CHECK_EQ(uebpf_perf_event_open(0, 3), -EINVAL);
	CHECK_EQ(uebpf_perf_event_open(0, 0), -EINVAL);
	errno = 0;
	CHECK(uebpf_perf_buffer_new(other, 1, NULL, NULL, NULL) == NULL && errno == EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	close(ev);
	uebpf_map_close(other);
	uebpf_map_close(fd);
}

/* A ring read as a kernel perf ring: the control page, then the data. */
struct raw_ring {
	struct perf_event_mmap_page *pg;
	uint8_t *data;
	size_t size;
};

static int raw_map(int ev, size_t pages, struct raw_ring *r)
{
	void *m = mmap(NULL, (1 + pages) * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ev, 0);
	if (m == MAP_FAILED)
		return -1;
	r->pg = m;
	r->data = (uint8_t *)m + 4096;
	r->size = pages * 4096;
	return 0;
}

static void raw_read(const struct raw_ring *r, uint64_t pos, void *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)out)[i] = r->data[(pos + i) % r->size];
}

static void test_records_have_the_kernel_layout(void)
{
	int fd = create(2, 0);
	int ev = uebpf_perf_event_open(-1, 1);
	uint32_t k = 1;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 0), 0);
	struct raw_ring r = { NULL, NULL, 0 };
	if (raw_map(ev, 1, &r)) {
		CHECK_REPORT(0, "mmap of the event fd");
		return;
	}
	CHECK_EQ(r.pg->data_offset, 4096);
	CHECK_EQ(r.pg->data_size, 4096);
	CHECK_EQ(r.pg->size, 96);
	CHECK_EQ(r.pg->cap_bit0_is_deprecated, 1);
	CHECK_EQ(r.pg->data_head, 0);
	struct uebpf_code *code = load(output_prog, fd, 1ull);
	struct uebpf_code *code0 = load(output_prog, fd, 0ull);
	uint8_t data[64];
	for (int i = 0; i < 64; i++)
		data[i] = (uint8_t)(0xa0 + i);
	/* Sizes 0..20: the raw size is padded so that header, size and data
	 * make a multiple of 8; padding bytes are left as they were. */
	uint64_t pos = 0;
	for (uint32_t size = 0; size <= 20; size++) {
		CHECK_EQ(output(code, data, size), 0);
		uint64_t head = __atomic_load_n(&r.pg->data_head, __ATOMIC_ACQUIRE);
		uint32_t rec = 8 + ((size + 4 + 7) & ~7u);
		CHECK_EQ(head - pos, rec);
		struct perf_event_header h;
		uint32_t raw;
		uint8_t got[64];
		raw_read(&r, pos, &h, 8);
		raw_read(&r, pos + 8, &raw, 4);
		raw_read(&r, pos + 12, got, size);
		CHECK_EQ(h.type, PERF_RECORD_SAMPLE);
		CHECK_EQ(h.misc, PERF_RECORD_MISC_KERNEL);
		CHECK_EQ(h.size, rec);
		CHECK_EQ(raw, rec - 12);
		CHECK(memcmp(got, data, size) == 0);
		pos = head;
	}
	CHECK_EQ(output(code0, data, 8), -ENOENT);
	/* The first record, byte for byte: no data, 4 bytes of padding. */
	uint8_t first[16] = { 9, 0, 0, 0, 1, 0, 16, 0, 4, 0, 0, 0, 0, 0, 0, 0 };
	CHECK(memcmp(r.data, first, 16) == 0);
	munmap(r.pg, 2 * 4096);
	uebpf_code_free(code);
	uebpf_code_free(code0);
	close(ev);
	uebpf_map_close(fd);
}

static void test_flags_and_slots(void)
{
	int fd = create(3, 0);
	uint8_t data[8] = { 1 };
	struct uebpf_code *bad = load(output_prog, fd, 1ull << 32);
	CHECK_EQ(output(bad, data, 8), -EINVAL);
	uebpf_code_free(bad);
	bad = load(output_prog, fd, 3ull);
	CHECK_EQ(output(bad, data, 8), -E2BIG);
	uebpf_code_free(bad);
	bad = load(output_prog, fd, 0xfffffffeull);
	CHECK_EQ(output(bad, data, 8), -E2BIG);
	uebpf_code_free(bad);
	struct uebpf_code *cur = load(output_prog, fd, 0xffffffffull);
	struct uebpf_code *at0 = load(output_prog, fd, 0ull);
	pin_cpu(0);
	CHECK_EQ(output(cur, data, 8), -ENOENT);
	/* A ring of CPU 1 in slot 0: programs on CPU 0 may not write into it
	 * (the kernel's event->oncpu check). */
	if (ncpus >= 2) {
		int ev1 = uebpf_perf_event_open(1, 1);
		uint32_t k = 0;
		CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev1, 0), 0);
		CHECK_EQ(output(at0, data, 8), -EOPNOTSUPP);
		CHECK_EQ(output(cur, data, 8), -EOPNOTSUPP);
		pin_cpu(1);
		CHECK_EQ(output(at0, data, 8), 0);
		CHECK_EQ(output(cur, data, 8), -ENOENT); /* slot 1 is empty */
		close(ev1);
	}
	/* A ring whose fd was closed before anyone mapped it: gone. */
	int ev = uebpf_perf_event_open(-1, 1);
	uint32_t k = 2;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 0), 0);
	close(ev);
	struct uebpf_code *at2 = load(output_prog, fd, 2ull);
	CHECK_EQ(output(at2, data, 8), -ENOENT);
	/* Records over 65535 bytes cannot be described (the kernel wraps
	 * header.size): refused. */
	ev = uebpf_perf_event_open(-1, 32);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ev, 0), 0);
	uint8_t *big = calloc(1, 70000);
	CHECK_EQ(output(at2, big, 65516), 0);
	CHECK_EQ(output(at2, big, 65517), -E2BIG);
	CHECK_EQ(output(at2, big, 70000), -E2BIG);
	free(big);
	close(ev);
	unpin();
	uebpf_code_free(at2);
	uebpf_code_free(cur);
	uebpf_code_free(at0);
	uebpf_map_close(fd);
}

/* ---- perf buffers ---- */

struct seen {
	uint64_t values[8192];
	uint32_t sizes[8192];
	int cpus[8192];
	int n;
	uint64_t lost;
	int lost_calls;
	int lost_before; /* samples seen when the first lost record came */
};

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct seen *s = ctx;
	if (s->n < 8192) {
		s->values[s->n] = 0;
		memcpy(&s->values[s->n], data, size < 8 ? size : 8);
		s->sizes[s->n] = size;
		s->cpus[s->n] = cpu;
		s->n++;
	}
}

static void on_lost(void *ctx, int cpu, uint64_t cnt)
{
	struct seen *s = ctx;
	if (!s->lost_calls++)
		s->lost_before = s->n;
	s->lost += cnt;
}

static void test_perf_buffer_gets_records_in_order_and_lost_counts(void)
{
	int fd = create((uint32_t)ncpus, 0);
	struct seen *s = calloc(1, sizeof(*s));
	struct uebpf_perf_buffer *pb = uebpf_perf_buffer_new(fd, 1, on_sample, on_lost, s);
	CHECK(pb != NULL);
	CHECK_EQ(uebpf_perf_buffer_buffer_cnt(pb), ncpus);
	struct uebpf_code *code = load(output_prog, fd, 0xffffffffull);
	pin_cpu(0);
	uint64_t v[2] = { 0, 0 };
	int ok = 0, full = 0;
	/* 32-byte records: 127 fit in 4096 bytes (one byte stays free). */
	for (int i = 0; i < 200; i++) {
		v[0] = (uint64_t)i;
		int rc = output(code, v, 16);
		ok += rc == 0;
		full += rc == -ENOSPC;
	}
	CHECK_EQ(ok, 127);
	CHECK_EQ(full, 73);
	CHECK_EQ(uebpf_perf_buffer_consume(pb), 127);
	CHECK_EQ(s->n, 127);
	for (int i = 0; i < s->n; i++) {
		CHECK_EQ(s->values[i], (uint64_t)i);
		CHECK_EQ(s->sizes[i], 20);
		CHECK_EQ(s->cpus[i], 0);
	}
	CHECK_EQ(s->lost_calls, 0); /* reported with the next sample */
	v[0] = 1000;
	CHECK_EQ(output(code, v, 16), 0);
	CHECK_EQ(uebpf_perf_buffer_consume(pb), 2);
	CHECK_EQ(s->lost, 73);
	CHECK_EQ(s->lost_before, 127);
	CHECK_EQ(s->values[127], 1000);
	/* Wrap-around: records of every size from 0 to 300 bytes, the ring
	 * read now and then; each comes back whole. */
	s->n = 0;
	uint8_t buf[512];
	int produced = 0, next_check = 0, bad = 0;
	for (int round = 0; round < 40; round++) {
		for (int j = 0; j < 7; j++, produced++) {
			uint32_t size = (uint32_t)(produced * 37 % 301);
			for (uint32_t b = 0; b < size; b++)
				buf[b] = (uint8_t)(produced + b);
			CHECK_EQ(output(code, buf, size), 0);
		}
		CHECK_EQ(uebpf_perf_buffer_consume(pb), 7);
		for (int j = 0; j < s->n; j++, next_check++)
			bad += s->sizes[j] != (((uint32_t)(next_check * 37 % 301) + 4 + 7) & ~7u) - 4;
		s->n = 0;
	}
	CHECK_EQ(bad, 0);
	/* The raw ring: head went round the ring several times. */
	void *ring;
	size_t ring_size;
	CHECK_EQ(uebpf_perf_buffer_buffer(pb, 0, &ring, &ring_size), 0);
	CHECK_EQ(ring_size, 2 * 4096);
	struct perf_event_mmap_page *pg = ring;
	CHECK(pg->data_head > 10 * 4096);
	CHECK_EQ(pg->data_tail, pg->data_head);
	CHECK(uebpf_perf_buffer_buffer_fd(pb, 0) >= 0);
	CHECK_EQ(uebpf_perf_buffer_buffer_fd(pb, (size_t)ncpus), -EINVAL);
	/* Free takes the rings out of the slots. */
	uebpf_perf_buffer_free(pb);
	CHECK_EQ(output(code, v, 16), -ENOENT);
	uint32_t k = 0;
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -ENOENT);
	unpin();
	uebpf_code_free(code);
	free(s);
	uebpf_map_close(fd);
}

/* Each sample's content checked as the callback sees it. */
static struct seen *wrap_seen;
static int wrap_bad;

static void check_wrapped(void *ctx, int cpu, void *data, uint32_t size)
{
	const uint8_t *d = data;
	uint32_t want = (uint32_t)(wrap_seen->n * 53 % 700);
	if (size != ((want + 4 + 7) & ~7u) - 4)
		wrap_bad++;
	for (uint32_t b = 0; b < want; b++)
		if (d[b] != (uint8_t)(wrap_seen->n ^ b))
			wrap_bad++;
	wrap_seen->n++;
}

static void test_records_that_wrap_are_contiguous(void)
{
	int fd = create((uint32_t)ncpus, 0);
	struct seen *s = calloc(1, sizeof(*s));
	wrap_seen = s;
	wrap_bad = 0;
	struct uebpf_perf_buffer *pb = uebpf_perf_buffer_new(fd, 1, check_wrapped, NULL, NULL);
	struct uebpf_code *code = load(output_prog, fd, 0xffffffffull);
	pin_cpu(0);
	uint8_t buf[700];
	int produced = 0;
	for (int round = 0; round < 200; round++) {
		uint32_t size = (uint32_t)(produced * 53 % 700);
		for (uint32_t b = 0; b < size; b++)
			buf[b] = (uint8_t)(produced ^ b);
		int rc = output(code, buf, size);
		if (rc == -ENOSPC) {
			uebpf_perf_buffer_consume(pb);
			rc = output(code, buf, size);
		}
		CHECK_EQ(rc, 0);
		produced++;
	}
	uebpf_perf_buffer_consume(pb);
	CHECK_EQ(s->n, produced);
	CHECK_EQ(wrap_bad, 0);
	unpin();
	uebpf_perf_buffer_free(pb);
	uebpf_code_free(code);
	free(s);
	uebpf_map_close(fd);
}

static void test_damaged_ring_is_skipped(void)
{
	int fd = create((uint32_t)ncpus, 0);
	struct seen *s = calloc(1, sizeof(*s));
	struct uebpf_perf_buffer *pb = uebpf_perf_buffer_new(fd, 1, on_sample, on_lost, s);
	struct uebpf_code *code = load(output_prog, fd, 0xffffffffull);
	pin_cpu(0);
	uint64_t v = 5;
	void *ring;
	size_t size;
	uebpf_perf_buffer_buffer(pb, 0, &ring, &size);
	struct perf_event_mmap_page *pg = ring;
	uint8_t *data = (uint8_t *)ring + 4096;
	/* A record claiming size 0 (another process scribbled on the ring):
	 * consume must not loop on it. */
	CHECK_EQ(output(code, &v, 8), 0);
	uint16_t zero = 0;
	memcpy(data + 6, &zero, 2);
	CHECK_EQ(uebpf_perf_buffer_consume(pb), -EINVAL);
	CHECK_EQ(pg->data_tail, pg->data_head);
	/* A raw size larger than the record, and a head far ahead. */
	CHECK_EQ(output(code, &v, 8), 0);
	uint32_t huge = 100;
	memcpy(data + (pg->data_tail & 4095) + 8, &huge, 4);
	CHECK_EQ(uebpf_perf_buffer_consume(pb), -EINVAL);
	__atomic_store_n(&pg->data_head, pg->data_head + 100000, __ATOMIC_RELEASE);
	CHECK_EQ(uebpf_perf_buffer_consume(pb), -EINVAL);
	CHECK_EQ(s->n, 0);
	/* Producers cope with any head and tail. */
	__atomic_store_n(&pg->data_tail, 12345, __ATOMIC_RELEASE);
	CHECK_EQ(output(code, &v, 8), 0);
	unpin();
	uebpf_perf_buffer_free(pb);
	uebpf_code_free(code);
	free(s);
	uebpf_map_close(fd);
}

static void test_epoll_fd_signals_in_process_producers(void)
{
	int fd = create((uint32_t)ncpus, 0);
	struct seen *s = calloc(1, sizeof(*s));
	struct uebpf_perf_buffer *pb = uebpf_perf_buffer_new(fd, 2, on_sample, on_lost, s);
	struct uebpf_code *code = load(output_prog, fd, 0xffffffffull);
	struct pollfd pfd = { uebpf_perf_buffer_epoll_fd(pb), POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	uint64_t v = 7;
	CHECK_EQ(output(code, &v, 8), 0);
	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	CHECK_EQ(uebpf_perf_buffer_consume(pb), 1);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	/* Nothing within the timeout: poll sleeps (it does not spin). */
	struct rusage before, after;
	getrusage(RUSAGE_SELF, &before);
	CHECK_EQ(uebpf_perf_buffer_poll(pb, 200), 0);
	getrusage(RUSAGE_SELF, &after);
	long cpu_us = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1000000L +
		      (after.ru_utime.tv_usec - before.ru_utime.tv_usec) +
		      (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000000L +
		      (after.ru_stime.tv_usec - before.ru_stime.tv_usec);
	CHECK(cpu_us < 50000);
	CHECK_EQ(output(code, &v, 8), 0);
	CHECK_EQ(uebpf_perf_buffer_poll(pb, 1000), 1);
	uebpf_perf_buffer_free(pb);
	uebpf_code_free(code);
	free(s);
	uebpf_map_close(fd);
}

static void test_checked_mode_refuses_bad_pointers(void)
{
	int fd = create(2, 0);
	int arr = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 1, NULL);
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = true,
				    .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0;
	/* Above the stack. */
	struct uebpf_code *code = load("r4 = r10\nr4 += 8\nr5 = 8\nr2 = map[fd:%d]\n"
				       "r3 = 0\ncall bpf_perf_event_output\nexit\n", fd);
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "perf event output: 8 bytes at");
	uebpf_code_free(code);
	/* Partly outside the stack. */
	code = load("r4 = r10\nr4 += -8\nr5 = 16\nr2 = map[fd:%d]\n"
		    "r3 = 0\ncall bpf_perf_event_output\nexit\n", fd);
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "not readable");
	uebpf_code_free(code);
	/* An arbitrary address. */
	code = load("r4 = 4096\nr5 = 1\nr2 = map[fd:%d]\n"
		    "r3 = 0\ncall bpf_perf_event_output\nexit\n", fd);
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), -EFAULT);
	uebpf_code_free(code);
	/* Not a perf event array. */
	code = load("r4 = r10\nr4 += -8\n*(u64 *)(r10 - 8) = 0\nr5 = 8\nr2 = map[fd:%d]\n"
		    "r3 = 0\ncall bpf_perf_event_output\nexit\n", arr);
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "is not a perf event array");
	uebpf_code_free(code);
	/* On the stack is fine. */
	code = load("r4 = r10\nr4 += -8\n*(u64 *)(r10 - 8) = 0\nr5 = 8\nr2 = map[fd:%d]\n"
		    "r3 = 0\ncall bpf_perf_event_output\nexit\n", fd);
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), 0);
	CHECK_EQ((int64_t)r0, -ENOENT);
	uebpf_code_free(code);
	uebpf_map_close(arr);
	uebpf_map_close(fd);
}

/* ---- threads ---- */

#define THREADS 4
#define PER_THREAD 20000

struct producer {
	pthread_t th;
	struct uebpf_code *code;
	int id;
	long ok, full, other;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	for (uint64_t i = 0; i < PER_THREAD; i++) {
		uint64_t v[2] = { (uint64_t)p->id << 32 | i, 0 };
		struct uebpf_run_opts o = { .sz = sizeof(o) };
		uint64_t r0;
		uebpf_code_run(p->code, (uintptr_t)v, 16, &o, &r0);
		if (r0 == 0)
			p->ok++;
		else if ((int64_t)r0 == -ENOSPC)
			p->full++;
		else
			p->other++;
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

struct ordered {
	uint64_t last[THREADS][64];
	long n, errors;
	uint64_t lost;
};

static void check_order(void *ctx, int cpu, void *data, uint32_t size)
{
	struct ordered *o = ctx;
	uint64_t v;
	memcpy(&v, data, 8);
	uint32_t id = (uint32_t)(v >> 32);
	uint64_t seq = (v & 0xffffffff) + 1;
	if (size != 20 || id >= THREADS || cpu < 0 || cpu >= 64 || seq <= o->last[id][cpu]) {
		o->errors++;
		return;
	}
	o->last[id][cpu] = seq;
	o->n++;
}

static void count_lost(void *ctx, int cpu, uint64_t cnt)
{
	((struct ordered *)ctx)->lost += cnt;
}

/* With big rings nothing is lost; with one page, much is, and every
 * sample either arrives in order or was refused as lost. */
static void threads_produce(size_t pages)
{
	int fd = create((uint32_t)ncpus, 0);
	struct ordered *o = calloc(1, sizeof(*o));
	struct uebpf_perf_buffer *pb = uebpf_perf_buffer_new(fd, pages, check_order, count_lost, o);
	struct producer p[THREADS];
	for (int i = 0; i < THREADS; i++) {
		p[i] = (struct producer){ .id = i, .code = load(output_prog, fd, 0xffffffffull) };
		pthread_create(&p[i].th, NULL, produce, &p[i]);
	}
	int joined = 0;
	while (joined < THREADS) {
		uebpf_perf_buffer_poll(pb, 5);
		for (int i = 0; i < THREADS; i++)
			if (p[i].th && pthread_tryjoin_np(p[i].th, NULL) == 0) {
				p[i].th = 0;
				joined++;
			}
	}
	while (uebpf_perf_buffer_consume(pb) > 0)
		;
	long ok = 0, full = 0, other = 0;
	for (int i = 0; i < THREADS; i++) {
		ok += p[i].ok;
		full += p[i].full;
		other += p[i].other;
		uebpf_code_free(p[i].code);
	}
	CHECK_EQ(other, 0);
	CHECK_EQ(ok + full, THREADS * PER_THREAD);
	CHECK_EQ(o->errors, 0);
	CHECK_EQ(o->n, ok);
	CHECK((long)o->lost <= full);
	printf("  %zu pages: %ld samples, %ld lost (%llu reported)\n", pages, ok, full,
	       (unsigned long long)o->lost);
	uebpf_perf_buffer_free(pb);
	free(o);
	uebpf_map_close(fd);
}

static void test_threads_produce_one_consumer_gets_everything(void)
{
	threads_produce(64);
	threads_produce(1);
}

/* ---- processes ---- */

static void test_another_process_produces_into_a_pinned_map(void)
{
	char dir[128], path[256];
	snprintf(dir, sizeof(dir), "/tmp/uebpf-perf-test-%d", (int)getpid());
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .pin_dir = dir };
	int fd = uebpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "ev", 4, 4, (uint32_t)ncpus,
				  &opts);
	snprintf(path, sizeof(path), "%s/events", dir);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	struct ordered *o = calloc(1, sizeof(*o));
	struct uebpf_perf_buffer *pb = uebpf_perf_buffer_new(fd, 2, check_order, count_lost, o);
	CHECK(pb != NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) { /* the producer: 5000 samples, retrying when full */
		int pfd = uebpf_obj_get(path);
		struct uebpf_code *code = pfd >= 0 ? load(output_prog, pfd, 0xffffffffull) : NULL;
		int bad = !code;
		for (uint64_t i = 0; i < 5000 && !bad;) {
			uint64_t v[2] = { 1ull << 32 | i, 0 }, r0;
			struct uebpf_run_opts ro = { .sz = sizeof(ro) };
			uebpf_code_run(code, (uintptr_t)v, 16, &ro, &r0);
			if (r0 == 0)
				i++;
			else if ((int64_t)r0 == -ENOSPC)
				usleep(100);
			else
				bad = 1;
		}
		_exit(bad);
	}
	int64_t waited = 0;
	while (o->n < 5000 && o->errors == 0 && waited < 20000) /* lost ones come again */
		if (uebpf_perf_buffer_poll(pb, 100) == 0)
			waited += 100;
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(o->n, 5000);
	CHECK_EQ(o->errors, 0);
	uebpf_perf_buffer_free(pb);
	free(o);
	unlink(path);
	rmdir(dir);
	uebpf_map_close(fd);
}

static void test_another_process_consumes_a_pinned_map(void)
{
	char dir[128], path[256];
	snprintf(dir, sizeof(dir), "/tmp/uebpf-perf-test-%d", (int)getpid());
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .pin_dir = dir };
	int fd = uebpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "ev", 4, 4, (uint32_t)ncpus,
				  &opts);
	snprintf(path, sizeof(path), "%s/events", dir);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	int ready[2], done[2];
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(done), 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) { /* the consumer: 3000 samples in order, then lets go */
		int cfd = uebpf_obj_get(path);
		struct ordered *co = calloc(1, sizeof(*co));
		struct uebpf_perf_buffer *pb =
			cfd >= 0 ? uebpf_perf_buffer_new(cfd, 1, check_order, count_lost, co) : NULL;
		char c = pb ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		int waited = 0;
		while (pb && co->n < 3000 && co->errors == 0 && waited < 20000)
			if (uebpf_perf_buffer_poll(pb, 100) == 0)
				waited += 100;
		int ok = pb && co->n == 3000 && co->errors == 0;
		uebpf_perf_buffer_free(pb);
		if (write(done[1], &c, 1) != 1)
			_exit(2);
		_exit(ok ? 0 : 1);
	}
	char c = 0;
	CHECK(read(ready[0], &c, 1) == 1 && c == 'y');
	struct uebpf_code *code = load(output_prog, fd, 0xffffffffull);
	int bad = 0;
	for (uint64_t i = 0; i < 3000 && !bad;) {
		uint64_t v[2] = { 2ull << 32 | i, 0 };
		int rc = output(code, v, 16);
		if (rc == 0)
			i++;
		else if (rc == -ENOSPC) /* the lost sample is reported too */
			usleep(100);
		else
			bad = 1;
	}
	CHECK_EQ(bad, 0);
	CHECK(read(done[0], &c, 1) == 1);
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The consumer took its rings out when it left. */
	uint64_t v[2] = { 0, 0 };
	CHECK_EQ(output(code, v, 16), -ENOENT);
	uebpf_code_free(code);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	unlink(path);
	rmdir(dir);
	uebpf_map_close(fd);
}

int main(void)
{
	ncpus = uebpf_num_possible_cpus();
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);
	RUN(test_creation_and_syscall_rules);
	RUN(test_records_have_the_kernel_layout);
	RUN(test_flags_and_slots);
	RUN(test_perf_buffer_gets_records_in_order_and_lost_counts);
	RUN(test_records_that_wrap_are_contiguous);
	RUN(test_damaged_ring_is_skipped);
	RUN(test_epoll_fd_signals_in_process_producers);
	RUN(test_checked_mode_refuses_bad_pointers);
	RUN(test_threads_produce_one_consumer_gets_everything);
	RUN(test_another_process_produces_into_a_pinned_map);
	RUN(test_another_process_consumes_a_pinned_map);
	uebpf_vm_free(vm);
	return check_summary("perf_event_array_test");
}
