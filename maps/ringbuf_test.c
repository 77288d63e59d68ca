/* SPDX-License-Identifier: MIT */
/* Ring buffers: the kernel's record layout and space rules, programs
 * producing and consumers in this process, in threads and in another
 * process, wake-ups. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps/ringbuf.h"
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

/* Outputs r1 (8 bytes) to the ring, with the flags given. */
static const char output_prog[] =
	"*(u64 *)(r10 - 8) = r1\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -8\n"
	"r3 = 8\n"
	"r4 = %d\n"
	"call bpf_ringbuf_output\n"
	"exit\n";

struct collected {
	uint64_t values[4096];
	size_t sizes[4096];
	int n;
};

static int collect(void *ctx, void *data, size_t size)
{
	struct collected *c = ctx;
	if (c->n < 4096) {
		c->sizes[c->n] = size;
		c->values[c->n] = 0;
		memcpy(&c->values[c->n], data, size < 8 ? size : 8);
		c->n++;
	}
	return 0;
}

static void test_creation_rules(void)
{
	CHECK(uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL) >= 0);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 12288, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 2048, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 4, 0, 4096, NULL), -EINVAL);
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = BPF_F_RDONLY_PROG };
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, &o), -EINVAL);
	int fd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 8192, NULL);
	uint64_t v;
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), -524);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), -524);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &v, &v), -EINVAL); /* no key allowed */
	uebpf_map_close(fd);
}

static void test_programs_output_records_in_order(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL);
	struct uebpf_code *code = load(output_prog, fd, 0);
	struct collected c = { .n = 0 };
	struct uebpf_ringbuf *rb = uebpf_ringbuf_new(fd, collect, &c);
	CHECK(rb != NULL);
	uint64_t r0;
	for (uint64_t i = 1; i <= 10; i++) {
		CHECK_EQ(uebpf_code_run(code, i * 11, 0, NULL, &r0), 0);
		CHECK_EQ(r0, 0);
	}
	CHECK_EQ(uebpf_ringbuf_consume(rb), 10);
	CHECK_EQ(c.n, 10);
	for (int i = 0; i < c.n; i++) {
		CHECK_EQ(c.values[i], (uint64_t)(i + 1) * 11);
		CHECK_EQ(c.sizes[i], 8);
	}
	CHECK_EQ(uebpf_ringbuf_consume(rb), 0);
	/* 256 records of 16 bytes fill a 4096-byte ring exactly: the last
	 * one does not fit (the producer stays a byte behind). */
	int ok = 0, full = 0;
	for (int i = 0; i < 256; i++) {
		uebpf_code_run(code, (uint64_t)i, 0, NULL, &r0);
		ok += r0 == 0;
		full += (int64_t)r0 == -EAGAIN;
	}
	CHECK_EQ(ok, 255);
	CHECK_EQ(full, 1);
	c.n = 0;
	CHECK_EQ(uebpf_ringbuf_consume(rb), 255);
	/* Bad flags. */
	uebpf_code_free(code);
	code = load(output_prog, fd, 4);
	CHECK_EQ(uebpf_code_run(code, 1, 0, NULL, &r0), 0);
	CHECK_EQ((int64_t)r0, -EINVAL);
	uebpf_ringbuf_free(rb);
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

static void test_reservations_space_rules_and_wrapping(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL);
	struct collected c = { .n = 0 };
	struct uebpf_ringbuf *rb = uebpf_ringbuf_new(fd, collect, &c);
	/* Through the helpers' producer functions directly. */
	struct map *m = map_from_fd(fd);
	CHECK(ringbuf_reserve(m, 4088, 0) == NULL); /* a 4096-byte record never fits */
	void *big = ringbuf_reserve(m, 4080, 0);
	CHECK(big != NULL);
	CHECK(ringbuf_reserve(m, 1, 0) == NULL);
	CHECK_EQ(ringbuf_query(m, BPF_RB_AVAIL_DATA), 4088);
	CHECK_EQ(ringbuf_query(m, BPF_RB_RING_SIZE), 4096);
	CHECK_EQ(ringbuf_query(m, BPF_RB_PROD_POS), 4088);
	CHECK_EQ(ringbuf_query(m, BPF_RB_CONS_POS), 0);
	CHECK_EQ(ringbuf_query(m, 99), 0);
	ringbuf_commit(m, big, 0, 1); /* discarded: consumers skip it */
	CHECK_EQ(uebpf_ringbuf_consume(rb), 0);
	CHECK_EQ(ringbuf_query(m, BPF_RB_AVAIL_DATA), 0);
	/* This record wraps around the end: it must read contiguously. */
	uint8_t *wrap = ringbuf_reserve(m, 64, 0);
	CHECK(wrap != NULL);
	for (int i = 0; i < 64; i++)
		wrap[i] = (uint8_t)i;
	ringbuf_commit(m, wrap, 0, 0);
	c.n = 0;
	CHECK_EQ(uebpf_ringbuf_consume(rb), 1);
	CHECK_EQ(c.sizes[0], 64);
	CHECK_EQ(c.values[0], 0x0706050403020100ull);
	/* A pending reservation holds back the space behind it. */
	void *a = ringbuf_reserve(m, 2000, 0), *b = ringbuf_reserve(m, 2000, 0);
	CHECK(a && b);
	ringbuf_commit(m, b, 0, 0);
	CHECK_EQ(uebpf_ringbuf_consume(rb), 0); /* a is still busy, b waits */
	ringbuf_commit(m, a, 0, 0);
	CHECK_EQ(uebpf_ringbuf_consume(rb), 2);
	uebpf_ringbuf_free(rb);
	uebpf_map_close(fd);
}

struct producer {
	struct uebpf_code *code;
	int id;
};

static void *produce(void *p)
{
	struct producer *pr = p;
	uint64_t r0;
	for (uint64_t i = 0; i < 20000;) {
		uebpf_code_run(pr->code, (uint64_t)pr->id << 32 | i, 0, NULL, &r0);
		if (r0 == 0)
			i++;
		else
			sched_yield(); /* full: let the consumer catch up */
	}
	return NULL;
}

struct ordered {
	uint64_t next[4];
	int errors;
	int n;
};

static int check_order(void *ctx, void *data, size_t size)
{
	struct ordered *o = ctx;
	uint64_t v;
	memcpy(&v, data, 8);
	uint32_t id = (uint32_t)(v >> 32);
	if (size != 8 || id >= 4 || (uint32_t)v != o->next[id])
		o->errors++;
	else
		o->next[id]++;
	o->n++;
	return 0;
}

static void test_threads_produce_and_one_consumer_gets_everything(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 16384, NULL);
	struct uebpf_code *code = load(output_prog, fd, 0);
	struct ordered o = { .n = 0 };
	struct uebpf_ringbuf *rb = uebpf_ringbuf_new(fd, check_order, &o);
	pthread_t t[4];
	struct producer pr[4];
	for (int i = 0; i < 4; i++) {
		pr[i] = (struct producer){ code, i };
		pthread_create(&t[i], NULL, produce, &pr[i]);
	}
	while (o.n < 4 * 20000 && o.errors == 0)
		if (uebpf_ringbuf_poll(rb, 1000) < 0)
			break;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(o.errors, 0);
	CHECK_EQ(o.n, 4 * 20000);
	uebpf_ringbuf_free(rb);
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

static void test_another_process_consumes_a_pinned_ring(void)
{
	char dir[128], path[256];
	snprintf(dir, sizeof(dir), "/tmp/uebpf-ringbuf-test-%d", (int)getpid());
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .pin_dir = dir };
	int fd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 8192, &opts);
	snprintf(path, sizeof(path), "%s/events", dir);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	pid_t pid = fork();
	if (pid == 0) { /* the consumer: waits for 5000 records in order */
		int cfd = uebpf_obj_get(path);
		struct ordered o = { .n = 0 };
		struct uebpf_ringbuf *rb = cfd >= 0 ? uebpf_ringbuf_new(cfd, check_order, &o) : NULL;
		while (rb && o.n < 5000 && o.errors == 0)
			if (uebpf_ringbuf_poll(rb, 5000) <= 0)
				break;
		_exit(rb && o.n == 5000 && o.errors == 0 ? 0 : 1);
	}
	struct uebpf_code *code = load(output_prog, fd, 0);
	uint64_t r0;
	for (uint64_t i = 0; i < 5000;) {
		uebpf_code_run(code, i, 0, NULL, &r0);
		if (r0 == 0)
			i++;
		else
			usleep(100);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	uebpf_code_free(code);
	unlink(path);
	rmdir(dir);
	uebpf_map_close(fd);
}

static void test_epoll_fd_signals_in_process_producers(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL);
	struct uebpf_code *code = load(output_prog, fd, 0);
	struct collected c = { .n = 0 };
	struct uebpf_ringbuf *rb = uebpf_ringbuf_new(fd, collect, &c);
	struct pollfd pfd = { uebpf_ringbuf_epoll_fd(rb), POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	uint64_t r0;
	uebpf_code_run(code, 5, 0, NULL, &r0);
	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	CHECK_EQ(uebpf_ringbuf_consume(rb), 1);
	CHECK_EQ(poll(&pfd, 1, 0), 0); /* consumed: quiet again */
	/* No record within the timeout: poll returns 0 after it. */
	CHECK_EQ(uebpf_ringbuf_poll(rb, 20), 0);
	uebpf_ringbuf_free(rb);
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

static void test_checked_programs_reserve_and_submit(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL);
	struct uebpf_code *code = load("r1 = map[fd:%d]\nr2 = 16\nr3 = 0\n"
				       "call bpf_ringbuf_reserve\nif r0 == 0 goto out\n"
				       "*(u64 *)(r0 + 8) = 42\n"
				       "r1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\n"
				       "r1 = map[fd:%d]\nr2 = 0\ncall bpf_ringbuf_query\nout:\nexit\n",
				       fd, fd);
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = true,
				    .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0;
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), 0);
	CHECK_EQ(r0, 24); /* AVAIL_DATA: one 16-byte record and its header */
	uebpf_code_free(code);
	/* Writing past the reservation, and submitting what is not one. */
	code = load("r1 = map[fd:%d]\nr2 = 16\nr3 = 0\ncall bpf_ringbuf_reserve\n"
		    "if r0 == 0 goto out\n*(u64 *)(r0 + 16) = 1\nout:\nexit\n", fd);
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "insn 6: invalid write of 8 bytes");
	uebpf_code_free(code);
	code = load("r1 = map[fd:%d]\nr1 = r10\nr2 = 0\ncall bpf_ringbuf_submit\nexit\n", fd);
	CHECK_EQ(uebpf_code_run(code, 0, 0, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "is not a ring buffer reservation");
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

int main(void)
{
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);
	RUN(test_creation_rules);
	RUN(test_programs_output_records_in_order);
	RUN(test_reservations_space_rules_and_wrapping);
	RUN(test_threads_produce_and_one_consumer_gets_everything);
	RUN(test_another_process_consumes_a_pinned_ring);
	RUN(test_epoll_fd_signals_in_process_producers);
	RUN(test_checked_programs_reserve_and_submit);
	uebpf_vm_free(vm);
	return check_summary("ringbuf_test");
}
